/*
 * rrset.c -- grouping parsed records into RRsets.
 *
 * A hostile upstream can send a 64 KiB reply with thousands of records,
 * so grouping uses a hash table rather than comparing every pair, and
 * large sets are deduplicated by sorting.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/dname.h"
#include "util/rand.h"
#include "util/rrset.h"

/* Sets up to this size are deduplicated pairwise, which keeps the order
 * the server sent; bigger ones are sorted first. */
#define DEDUP_PAIRWISE_MAX 32

struct group {
	const uint8_t *owner;
	uint16_t type;           /* set type: covered type for signatures */
	uint16_t rclass;
	uint32_t hash;
	uint32_t ttl;
	uint16_t count, sigcount;
	uint16_t fill, sigfill;
};

static __thread uint32_t rrset_seed;
static __thread bool rrset_seeded;

static uint32_t
group_hash(const uint8_t *owner, uint16_t type, uint16_t rclass)
{
	if (!rrset_seeded) {
		rrset_seed = rand_u32();
		rrset_seeded = true;
	}
	return dname_hash(owner, rrset_seed ^ ((uint32_t)type << 16 | rclass));
}

/* Find or add the group for (owner, type, class) in an open-addressing
 * table of mask+1 slots holding group indexes + 1. */
static int
group_get(struct group *g, int *ng, int *slots, uint32_t mask, const uint8_t *owner,
    uint16_t type, uint16_t rclass, bool create)
{
	uint32_t h = group_hash(owner, type, rclass), i = h & mask;
	int k;

	while ((k = slots[i]) != 0) {
		struct group *e = &g[k - 1];
		if (e->hash == h && e->type == type && e->rclass == rclass &&
		    dname_equal(e->owner, owner))
			return k - 1;
		i = (i + 1) & mask;
	}
	if (!create)
		return -1;
	k = (*ng)++;
	memset(&g[k], 0, sizeof(g[k]));
	g[k].owner = owner;
	g[k].type = type;
	g[k].rclass = rclass;
	g[k].hash = h;
	g[k].ttl = UINT32_MAX;
	slots[i] = k + 1;
	return k;
}

/* qsort has no context argument. */
static __thread uint16_t sort_type;

static int
rdata_sort_cmp(const void *a, const void *b)
{
	const struct rdata *x = a, *y = b;

	return rdata_canonical_cmp(sort_type, x->data, x->len, y->data, y->len);
}

/* Remove duplicates from rd[0..n); returns the new n. */
static uint16_t
dedup(uint16_t type, struct rdata *rd, uint16_t n)
{
	uint16_t i, j, out;

	if (n <= DEDUP_PAIRWISE_MAX) {
		out = 0;
		for (i = 0; i < n; i++) {
			for (j = 0; j < out; j++)
				if (rdata_canonical_cmp(type, rd[i].data, rd[i].len,
				    rd[j].data, rd[j].len) == 0)
					break;
			if (j == out)
				rd[out++] = rd[i];
		}
		return out;
	}
	sort_type = type;
	qsort(rd, n, sizeof(*rd), rdata_sort_cmp);
	out = 1;
	for (i = 1; i < n; i++)
		if (rdata_canonical_cmp(type, rd[i].data, rd[i].len, rd[out - 1].data,
		    rd[out - 1].len) != 0)
			rd[out++] = rd[i];
	return out;
}

int
rrsets_from_section(const struct dns_msg *msg, enum msg_section sec,
    struct arena *arena, struct rrset **out)
{
	const struct dns_rr *rr = msg->rr[sec];
	int n = msg->count[sec], ng = 0, i, k, *slots, *which;
	uint32_t mask = 15;
	struct group *g;
	struct rrset *sets;

	*out = NULL;
	if (n == 0 || rr == NULL)
		return 0;
	while (mask + 1 < (uint32_t)n * 2)
		mask = mask * 2 + 1;
	g = arena_alloc(arena, (size_t)n * sizeof(*g));
	slots = arena_zalloc(arena, (mask + 1) * sizeof(*slots));
	which = arena_alloc(arena, (size_t)n * sizeof(*which));
	if (g == NULL || slots == NULL || which == NULL)
		return -1;

	/* Data records first, so that signatures can find their set
	 * wherever they sit in the section. */
	for (i = 0; i < n; i++) {
		if (rr[i].type == RR_TYPE_RRSIG)
			continue;
		k = group_get(g, &ng, slots, mask, rr[i].owner, rr[i].type, rr[i].rclass, true);
		g[k].count++;
		which[i] = k;
	}
	for (i = 0; i < n; i++) {
		if (rr[i].type != RR_TYPE_RRSIG)
			continue;
		k = -1;
		if (rr[i].rdlen >= 2)
			k = group_get(g, &ng, slots, mask, rr[i].owner, rd16(rr[i].rdata),
			    rr[i].rclass, false);
		if (k >= 0) {
			g[k].sigcount++;
			which[i] = k;
		} else {
			/* Signatures without their set stay a set of their own. */
			k = group_get(g, &ng, slots, mask, rr[i].owner, RR_TYPE_RRSIG,
			    rr[i].rclass, true);
			g[k].count++;
			which[i] = -1 - k;
		}
	}

	sets = arena_zalloc(arena, (size_t)ng * sizeof(*sets));
	if (sets == NULL)
		return -1;
	for (k = 0; k < ng; k++) {
		sets[k].owner = g[k].owner;
		sets[k].type = g[k].type;
		sets[k].rclass = g[k].rclass;
		sets[k].rdata = arena_alloc(arena,
		    ((size_t)g[k].count + g[k].sigcount) * sizeof(struct rdata));
		if (sets[k].rdata == NULL)
			return -1;
	}
	for (i = 0; i < n; i++) {
		struct group *e;
		struct rdata *slot;

		if (rr[i].type == RR_TYPE_RRSIG && which[i] >= 0) {
			e = &g[which[i]];
			slot = &sets[which[i]].rdata[e->count + e->sigfill++];
		} else {
			k = which[i] < 0 ? -1 - which[i] : which[i];
			e = &g[k];
			slot = &sets[k].rdata[e->fill++];
		}
		slot->len = rr[i].rdlen;
		slot->data = rr[i].rdata;
		if (rr[i].ttl < e->ttl)
			e->ttl = rr[i].ttl;
	}
	for (k = 0; k < ng; k++) {
		struct rrset *s = &sets[k];
		uint16_t c = dedup(s->type, s->rdata, g[k].count);
		uint16_t sc = dedup(RR_TYPE_RRSIG, s->rdata + g[k].count, g[k].sigcount);

		if (c != g[k].count)
			memmove(s->rdata + c, s->rdata + g[k].count, sc * sizeof(struct rdata));
		s->count = c;
		s->sigcount = sc;
		s->ttl = g[k].ttl;
		s->trust = TRUST_NONE;
		s->security = SEC_UNCHECKED;
	}
	*out = sets;
	return ng;
}

struct rrset *
rrset_find(struct rrset *sets, int n, const uint8_t *owner, uint16_t type)
{
	int i;

	for (i = 0; i < n; i++)
		if (sets[i].type == type && dname_equal(sets[i].owner, owner))
			return &sets[i];
	return NULL;
}

struct rrset *
rrset_copy(const struct rrset *rs, struct arena *arena)
{
	struct rrset *c;
	size_t i, n = (size_t)rs->count + rs->sigcount;

	c = arena_alloc(arena, sizeof(*c));
	if (c == NULL)
		return NULL;
	*c = *rs;
	c->owner = arena_memdup(arena, rs->owner, dname_len(rs->owner));
	c->rdata = arena_alloc(arena, (n ? n : 1) * sizeof(struct rdata));
	if (c->owner == NULL || c->rdata == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		c->rdata[i].len = rs->rdata[i].len;
		c->rdata[i].data = arena_memdup(arena, rs->rdata[i].data, rs->rdata[i].len);
		if (c->rdata[i].data == NULL)
			return NULL;
	}
	return c;
}

bool
rrset_equal_data(const struct rrset *a, const struct rrset *b)
{
	uint16_t i, j;

	if (a->type != b->type || a->rclass != b->rclass || a->count != b->count ||
	    !dname_equal(a->owner, b->owner))
		return false;
	/* Sets are duplicate-free, so equal counts and a within b means equal. */
	for (i = 0; i < a->count; i++) {
		for (j = 0; j < b->count; j++)
			if (rdata_canonical_cmp(a->type, a->rdata[i].data, a->rdata[i].len,
			    b->rdata[j].data, b->rdata[j].len) == 0)
				break;
		if (j == b->count)
			return false;
	}
	return true;
}
