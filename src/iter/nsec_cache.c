/*
 * nsec_cache.c -- aggressive use of the DNSSEC-validated cache (RFC 8198):
 * NSEC records that proved a negative answer securely are remembered, per
 * zone and in canonical order, so a later question for another name in
 * the same gap is answered NXDOMAIN (or NODATA) without asking anyone.
 *
 * One store per worker, so no locks; a name's gap is found by binary
 * search for the last owner at or before it. NSEC3 records are kept the
 * same way: their owners share the zone suffix, so canonical order is
 * hash order, and a name's gap is found by hashing it (opt-out spans
 * prove nothing and are not used). Bounded: NSEC_CACHE_ZONES zones of
 * NSEC_CACHE_PER_ZONE ranges; a full zone drops its expired ranges, then
 * its oldest half.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "iter/response.h"
#include "dnssec/dnssec.h"

#define NSEC_CACHE_ZONES     64
#define NSEC_CACHE_PER_ZONE 2048

struct nsec_entry {
	struct rrset *rs;            /* owned: one malloc block */
	time_t expires;
	uint64_t seq;                /* insertion order, for eviction */
};

struct nsec_zone {
	uint8_t name[DNAME_MAX];
	bool nsec3;                  /* which kind of chain the entries are */
	struct rrset *soa;           /* owned */
	time_t soa_expires;
	int n;
	struct nsec_entry e[NSEC_CACHE_PER_ZONE];
};

struct nsec_cache {
	int nzones;
	uint64_t seq;
	struct nsec_zone *zones[NSEC_CACHE_ZONES];
};

struct nsec_cache *
nsec_cache_create(void)
{
	return calloc(1, sizeof(struct nsec_cache));
}

static void
zone_clear(struct nsec_zone *z)
{
	int i;

	for (i = 0; i < z->n; i++)
		free(z->e[i].rs);
	z->n = 0;
	free(z->soa);
	z->soa = NULL;
}

void
nsec_cache_destroy(struct nsec_cache *nc)
{
	int i;

	if (nc == NULL)
		return;
	for (i = 0; i < nc->nzones; i++) {
		zone_clear(nc->zones[i]);
		free(nc->zones[i]);
	}
	free(nc);
}

/* A deep copy of rs in one malloc block. */
static struct rrset *
rrset_pack(const struct rrset *rs)
{
	size_t olen = dname_len(rs->owner), total = sizeof(*rs) + olen;
	int i, n = rs->count + rs->sigcount;
	struct rrset *c;
	uint8_t *p;

	total += sizeof(struct rdata) * (size_t)n;
	for (i = 0; i < n; i++)
		total += rs->rdata[i].len;
	if ((c = malloc(total)) == NULL)
		return NULL;
	*c = *rs;
	c->rdata = (struct rdata *)(c + 1);
	p = (uint8_t *)(c->rdata + n);
	memcpy(p, rs->owner, olen);
	c->owner = p;
	p += olen;
	for (i = 0; i < n; i++) {
		memcpy(p, rs->rdata[i].data, rs->rdata[i].len);
		c->rdata[i].len = rs->rdata[i].len;
		c->rdata[i].data = p;
		p += rs->rdata[i].len;
	}
	return c;
}

static struct nsec_zone *
zone_find(struct nsec_cache *nc, const uint8_t *name, bool create)
{
	int i;

	for (i = 0; i < nc->nzones; i++)
		if (dname_equal(nc->zones[i]->name, name))
			return nc->zones[i];
	if (!create)
		return NULL;
	if (nc->nzones == NSEC_CACHE_ZONES) {
		/* forget the first zone: simple, and bounded */
		zone_clear(nc->zones[0]);
		free(nc->zones[0]);
		memmove(nc->zones, nc->zones + 1, sizeof(nc->zones[0]) * (NSEC_CACHE_ZONES - 1));
		nc->nzones--;
	}
	if ((nc->zones[nc->nzones] = calloc(1, sizeof(struct nsec_zone))) == NULL)
		return NULL;
	dname_copy_lower(nc->zones[nc->nzones]->name, name);
	return nc->zones[nc->nzones++];
}

/* Index of the last entry whose owner sorts at or before name; -1 when
 * name sorts before all of them. */
static int
zone_pred(const struct nsec_zone *z, const uint8_t *name)
{
	int lo = 0, hi = z->n - 1, best = -1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (dname_canonical_cmp(z->e[mid].rs->owner, name) <= 0) {
			best = mid;
			lo = mid + 1;
		} else
			hi = mid - 1;
	}
	return best;
}

static void
zone_make_room(struct nsec_zone *z, time_t now)
{
	int i, j;
	uint64_t cut;

	for (i = j = 0; i < z->n; i++) {
		if (z->e[i].expires <= now)
			free(z->e[i].rs);
		else
			z->e[j++] = z->e[i];
	}
	z->n = j;
	if (z->n < NSEC_CACHE_PER_ZONE)
		return;
	cut = z->e[0].seq;
	for (i = 0; i < z->n; i++)
		if (z->e[i].seq < cut)
			cut = z->e[i].seq;
	cut += NSEC_CACHE_PER_ZONE / 2;
	for (i = j = 0; i < z->n; i++) {
		if (z->e[i].seq < cut)
			free(z->e[i].rs);
		else
			z->e[j++] = z->e[i];
	}
	z->n = j;
}

void
nsec_cache_add(struct nsec_cache *nc, const uint8_t *zone, const struct rrset *soa,
    const struct rrset *sets, int n, uint32_t ttl, time_t now)
{
	struct nsec_zone *z;
	int i, k;

	if (nc == NULL || soa == NULL || ttl == 0 || (z = zone_find(nc, zone, true)) == NULL)
		return;
	free(z->soa);
	z->soa = rrset_pack(soa);
	z->soa_expires = now + ttl;
	for (i = 0; i < n; i++) {
		const struct rrset *rs = &sets[i];
		struct rrset *c;
		bool is3 = rs->type == RR_TYPE_NSEC3;
		if ((rs->type != RR_TYPE_NSEC && !is3) || rs->count != 1 ||
		    !dname_is_subdomain(rs->owner, zone))
			continue;
		if (z->n > 0 && z->nsec3 != is3) {
			/* the zone changed its chain: start over */
			int k2;
			for (k2 = 0; k2 < z->n; k2++)
				free(z->e[k2].rs);
			z->n = 0;
		}
		z->nsec3 = is3;
		if (z->n == NSEC_CACHE_PER_ZONE)
			zone_make_room(z, now);
		k = zone_pred(z, rs->owner);
		if (k >= 0 && dname_equal(z->e[k].rs->owner, rs->owner)) {
			if ((c = rrset_pack(rs)) == NULL)
				continue;
			free(z->e[k].rs);
			z->e[k].rs = c;
		} else {
			if ((c = rrset_pack(rs)) == NULL)
				continue;
			k++;
			memmove(&z->e[k + 1], &z->e[k], sizeof(z->e[0]) * (size_t)(z->n - k));
			z->n++;
			z->e[k].rs = c;
		}
		z->e[k].expires = now + (rs->ttl < ttl ? rs->ttl : ttl);
		z->e[k].seq = nc->seq++;
	}
}

/* The live entry covering or matching name (wrapping around at the
 * end of the zone), copied into the arena. */
static struct rrset *
covering(struct qstate *qs, const struct nsec_zone *z, const uint8_t *name, time_t now)
{
	int k = zone_pred(z, name);
	struct rrset *c;

	if (z->n == 0)
		return NULL;
	if (k < 0)
		k = z->n - 1;        /* before the first owner: the last wraps */
	if (z->e[k].expires <= now)
		return NULL;
	c = arena_memdup(&qs->arena, z->e[k].rs, sizeof(*c));
	if (c != NULL)
		c->ttl = (uint32_t)(z->e[k].expires - now);
	return c;
}

/* Labels name shares with the NSEC owner or its next name, whichever
 * shares more: that suffix is the closest encloser of a covered name. */
static const uint8_t *
closest_encloser(const uint8_t *name, const struct rrset *nsec)
{
	int a = dname_common_labels(name, nsec->owner);
	int b = dname_common_labels(name, nsec->rdata[0].data);

	return dname_suffix_labels(name, a > b ? a : b);
}

/* "<base32hex of name's NSEC3 hash>.<zone>" in the arena. */
static uint8_t *
nsec3_owner(struct qstate *qs, const uint8_t *zone, const uint8_t *name,
    const struct val_nsec3_params *p)
{
	static const char b32[] = "0123456789abcdefghijklmnopqrstuv";
	uint8_t hash[NSEC3_HASH_MAX], *out;
	size_t zlen = dname_len(zone);
	int hl = val_nsec3_hash(name, p->alg, p->iterations, p->salt, p->saltlen, hash);
	int bits = 0, nch = 0, i;
	uint32_t acc = 0;

	if (hl <= 0 || (hl * 8 + 4) / 5 > 63)
		return NULL;
	if ((out = arena_alloc(&qs->arena, 1 + (size_t)(hl * 8 + 4) / 5 + zlen)) == NULL)
		return NULL;
	for (i = 0; i < hl; i++) {
		acc = acc << 8 | hash[i];
		bits += 8;
		while (bits >= 5) {
			out[1 + nch++] = (uint8_t)b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[1 + nch++] = (uint8_t)b32[(acc << (5 - bits)) & 31];
	out[0] = (uint8_t)nch;
	memcpy(out + 1 + nch, zone, zlen);
	return out;
}

/* Gather the NSEC3 records that may prove something about name: the one
 * matching or covering each ancestor down from the zone, and each
 * ancestor's wildcard. */
static int
nsec3_candidates(struct qstate *qs, const struct nsec_zone *z, const uint8_t *name,
    time_t now, struct rrset *sets, int max)
{
	struct val_nsec3_params p;
	int zl = dname_label_count(z->name), l, i, n = 0, w;
	uint8_t wc[DNAME_MAX];

	if (z->n == 0 || !val_nsec3_parse(z->e[0].rs->rdata[0].data, z->e[0].rs->rdata[0].len, &p) ||
	    p.iterations > VAL_NSEC3_MAX_ITERATIONS)
		return 0;
	for (l = dname_label_count(name); l >= zl && l > dname_label_count(name) - 16; l--) {
		const uint8_t *a = dname_suffix_labels(name, l);
		for (w = 0; w < 2; w++) {
			const uint8_t *target = a, *owner;
			struct rrset *c;
			if (w == 1) {
				if (dname_wildcard(a, wc) < 0)
					continue;
				target = wc;
			}
			if ((owner = nsec3_owner(qs, z->name, target, &p)) == NULL ||
			    (c = covering(qs, z, owner, now)) == NULL)
				continue;
			for (i = 0; i < n; i++)
				if (dname_equal(sets[i].owner, c->owner))
					break;
			if (i == n && n < max)
				sets[n++] = *c;
		}
	}
	return n;
}

/* NSEC proofs from remembered records: the record at or before the
 * name, and for NXDOMAIN the one covering the closest encloser's
 * wildcard. */
static bool
nsec_answer(struct qstate *qs, const struct nsec_zone *z, time_t now, struct rrset *sets,
    int *n)
{
	const uint8_t *name = qs->cur_name, *ce;
	struct rrset *s1, *s2;
	struct val_result r;
	uint8_t wc[DNAME_MAX];

	if ((s1 = covering(qs, z, name, now)) == NULL)
		return false;
	sets[0] = *s1;
	*n = 1;
	if (dname_equal(s1->owner, name)) {
		if (val_nsec_prove(VAL_DENY_NODATA, sets, *n, name, qs->qtype, -1, z->name, &r) != SEC_SECURE)
			return false;
		qs->rcode = RCODE_NOERROR;
		return true;
	}
	ce = closest_encloser(name, s1);
	if (dname_wildcard(ce, wc) < 0)
		return false;
	s2 = covering(qs, z, wc, now);
	if (s2 != NULL && !dname_equal(s2->owner, s1->owner))
		sets[(*n)++] = *s2;
	if (val_nsec_prove(VAL_DENY_NXDOMAIN, sets, *n, name, qs->qtype, -1, z->name, &r) != SEC_SECURE)
		return false;
	qs->rcode = RCODE_NXDOMAIN;
	return true;
}

/* NSEC3 proofs from remembered records: NXDOMAIN, else NODATA. */
static bool
nsec3_answer(struct qstate *qs, const struct nsec_zone *z, time_t now, struct rrset *sets,
    int *n)
{
	struct val_result r;

	*n = nsec3_candidates(qs, z, qs->cur_name, now, sets, 32);
	if (*n == 0)
		return false;
	if (val_nsec3_prove(VAL_DENY_NXDOMAIN, sets, *n, qs->cur_name, qs->qtype, -1, z->name,
	    &r) == SEC_SECURE && !r.optout) {
		qs->rcode = RCODE_NXDOMAIN;
		return true;
	}
	if (val_nsec3_prove(VAL_DENY_NODATA, sets, *n, qs->cur_name, qs->qtype, -1, z->name,
	    &r) == SEC_SECURE && !r.optout) {
		qs->rcode = RCODE_NOERROR;
		return true;
	}
	return false;
}

bool
nsec_cache_answer(struct nsec_cache *nc, struct qstate *qs, time_t now)
{
	const uint8_t *name = qs->cur_name;
	struct nsec_zone *z = NULL;
	struct rrset sets[32], *soa, *auth;
	int i, best = -1, n;

	if (nc == NULL || qs->qtype == RR_TYPE_DS)
		return false;
	for (i = 0; i < nc->nzones; i++) {
		int l = dname_label_count(nc->zones[i]->name);
		if (l > best && dname_is_subdomain(name, nc->zones[i]->name)) {
			z = nc->zones[i];
			best = l;
		}
	}
	if (z == NULL || z->soa == NULL || z->soa_expires <= now)
		return false;
	if (!(z->nsec3 ? nsec3_answer(qs, z, now, sets, &n) : nsec_answer(qs, z, now, sets, &n)))
		return false;
	soa = arena_memdup(&qs->arena, z->soa, sizeof(*soa));
	auth = arena_alloc(&qs->arena, sizeof(*auth) * (size_t)(n + 1));
	if (soa == NULL || auth == NULL)
		return false;
	soa->ttl = (uint32_t)(z->soa_expires - now);
	auth[0] = *soa;
	for (i = 0; i < n; i++)
		auth[i + 1] = sets[i];
	qs->neg_soa = soa;
	qs->neg_ttl = soa->ttl;
	for (i = 0; i < n; i++)
		if (sets[i].ttl < qs->neg_ttl)
			qs->neg_ttl = sets[i].ttl;
	qs->auth = auth;
	qs->nauth = n + 1;
	qs->security = SEC_SECURE;
	qs->it->stats.aggressive_nsec++;
	return true;
}

void
nsec_cache_flush(struct nsec_cache *nc, const uint8_t *name)
{
	int i = 0;

	while (i < nc->nzones) {
		struct nsec_zone *z = nc->zones[i];
		if (name != NULL && !dname_is_subdomain(name, z->name) &&
		    !dname_is_subdomain(z->name, name)) {
			i++;
			continue;
		}
		zone_clear(z);
		free(z);
		memmove(&nc->zones[i], &nc->zones[i + 1], sizeof(nc->zones[0]) * (size_t)(nc->nzones - i - 1));
		nc->nzones--;
	}
}
