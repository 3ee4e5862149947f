/*
 * denial_cache.c -- validated NSEC and NSEC3 records kept for aggressive
 * use (RFC 8198), shared by all workers.
 *
 * Per zone: the records in canonical order (NSEC3 owners share the zone
 * suffix, so that is hash order), each with its expiry, and the zone's
 * SOA. A lookup is a binary search for the last owner at or before a name.
 * A zone holds one kind of chain; a record of the other kind starts the
 * zone over (it changed from NSEC to NSEC3 or back).
 *
 * One reader-writer lock: lookups only happen on cache misses, each takes
 * the read lock for one binary search and one copy. Memory is bounded by
 * its share of cache-size (CACHE_DENIAL_SHARE); going over it drops
 * expired records of the zone being added to, then whole zones, least
 * recently used first.
 */
#include "config.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/shard.h"
#include "util/dname.h"

#define DENIAL_ZONES_MAX   128

struct denial_record {
	struct rrset *rs;            /* one malloc block, see pack() */
	uint32_t expire;
};

struct denial_zone {
	uint8_t name[DNAME_MAX];     /* lower case */
	bool nsec3;
	struct rrset *soa;           /* NULL until a negative answer brings it */
	uint32_t soa_expire;
	uint64_t used;               /* last lookup or store (LRU), atomic */
	int n, cap;
	struct denial_record *rec;
};

struct denial_cache {
	pthread_rwlock_t lock;
	int nzones;
	struct denial_zone *zones[DENIAL_ZONES_MAX];
	size_t bytes, budget;
	uint64_t clock;              /* atomic */
};

struct denial_cache *
denial_create(size_t budget)
{
	struct denial_cache *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	if (pthread_rwlock_init(&d->lock, NULL) != 0) {
		free(d);
		return NULL;
	}
	d->budget = budget;
	return d;
}

static size_t
block_size(const void *p)
{
	return p != NULL ? malloc_usable_size((void *)p) : 0;
}

/* A deep copy of rs in one malloc block. */
static struct rrset *
pack(const struct rrset *rs)
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

static void
drop_record(struct denial_cache *d, struct denial_record *r)
{
	d->bytes -= block_size(r->rs);
	free(r->rs);
	r->rs = NULL;
}

static void
zone_clear(struct denial_cache *d, struct denial_zone *z)
{
	int i;

	for (i = 0; i < z->n; i++)
		drop_record(d, &z->rec[i]);
	z->n = 0;
	d->bytes -= block_size(z->soa);
	free(z->soa);
	z->soa = NULL;
}

/* Remove zone i from the table and free it. */
static void
zone_remove(struct denial_cache *d, int i)
{
	struct denial_zone *z = d->zones[i];

	zone_clear(d, z);
	d->bytes -= block_size(z->rec) + block_size(z);
	free(z->rec);
	free(z);
	d->zones[i] = d->zones[--d->nzones];
}

void
denial_destroy(struct denial_cache *d)
{
	if (d == NULL)
		return;
	while (d->nzones > 0)
		zone_remove(d, d->nzones - 1);
	pthread_rwlock_destroy(&d->lock);
	free(d);
}

static void
touch(struct denial_cache *d, struct denial_zone *z)
{
	__atomic_store_n(&z->used, __atomic_add_fetch(&d->clock, 1, __ATOMIC_RELAXED),
	    __ATOMIC_RELAXED);
}

static int
zone_index(const struct denial_cache *d, const uint8_t *name)
{
	int i;

	for (i = 0; i < d->nzones; i++)
		if (dname_equal(d->zones[i]->name, name))
			return i;
	return -1;
}

static int
lru_zone(const struct denial_cache *d, const struct denial_zone *keep)
{
	uint64_t best = UINT64_MAX;
	int i, k = -1;

	for (i = 0; i < d->nzones; i++) {
		uint64_t u = __atomic_load_n(&d->zones[i]->used, __ATOMIC_RELAXED);
		if (d->zones[i] != keep && u < best) {
			best = u;
			k = i;
		}
	}
	return k;
}

static struct denial_zone *
zone_get(struct denial_cache *d, const uint8_t *name)
{
	struct denial_zone *z;
	int i = zone_index(d, name);

	if (i >= 0)
		return d->zones[i];
	if (d->nzones == DENIAL_ZONES_MAX)
		zone_remove(d, lru_zone(d, NULL));
	if ((z = calloc(1, sizeof(*z))) == NULL)
		return NULL;
	dname_copy_lower(z->name, name);
	d->bytes += block_size(z);
	d->zones[d->nzones++] = z;
	return z;
}

/* Index of the last record whose owner sorts at or before name; -1 when
 * name sorts before all of them. */
static int
zone_pred(const struct denial_zone *z, const uint8_t *name)
{
	int lo = 0, hi = z->n - 1, best = -1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (dname_canonical_cmp(z->rec[mid].rs->owner, name) <= 0) {
			best = mid;
			lo = mid + 1;
		} else
			hi = mid - 1;
	}
	return best;
}

static void
zone_drop_expired(struct denial_cache *d, struct denial_zone *z, uint32_t now)
{
	int i, j;

	for (i = j = 0; i < z->n; i++) {
		if (z->rec[i].expire <= now)
			drop_record(d, &z->rec[i]);
		else
			z->rec[j++] = z->rec[i];
	}
	z->n = j;
}

/* Back under budget: expired records of z first, then other zones, least
 * recently used first, then the older half of z's records. */
static void
make_room(struct denial_cache *d, struct denial_zone *z, uint32_t now)
{
	int i, j, k;

	if (d->bytes <= d->budget)
		return;
	zone_drop_expired(d, z, now);
	while (d->bytes > d->budget && (k = lru_zone(d, z)) >= 0)
		zone_remove(d, k);
	if (d->bytes <= d->budget)
		return;
	/* z alone is over: keep every other record, so that what is left
	 * still spreads over the whole zone */
	for (i = j = 0; i < z->n; i++) {
		if (i % 2 == 0)
			drop_record(d, &z->rec[i]);
		else
			z->rec[j++] = z->rec[i];
	}
	z->n = j;
}

static bool
zone_reserve(struct denial_cache *d, struct denial_zone *z)
{
	struct denial_record *r;
	int cap;

	if (z->n < z->cap)
		return true;
	cap = z->cap ? z->cap * 2 : 8;
	d->bytes -= block_size(z->rec);
	r = realloc(z->rec, sizeof(*r) * (size_t)cap);
	if (r != NULL) {
		z->rec = r;
		z->cap = cap;
	}
	d->bytes += block_size(z->rec);
	return r != NULL;
}

static void
zone_put(struct denial_cache *d, struct denial_zone *z, const struct rrset *rs, uint32_t expire)
{
	struct rrset *c;
	int k = zone_pred(z, rs->owner);

	if ((c = pack(rs)) == NULL)
		return;
	c->ttl = 0;
	if (k < 0 || !dname_equal(z->rec[k].rs->owner, rs->owner)) {
		if (!zone_reserve(d, z)) {
			free(c);
			return;
		}
		k++;
		memmove(&z->rec[k + 1], &z->rec[k], sizeof(z->rec[0]) * (size_t)(z->n - k));
		z->n++;
	} else
		drop_record(d, &z->rec[k]);
	z->rec[k].rs = c;
	z->rec[k].expire = expire;
	d->bytes += block_size(c);
}

void
cache_denial_store(struct cache *c, const uint8_t *zone, const struct rrset *soa,
    uint32_t soa_ttl, const struct rrset *sets, int n, uint32_t ttl, time_t now)
{
	struct denial_cache *d = c->denial;
	struct denial_zone *z;
	uint32_t t = cache_time32(now);
	int i;

	pthread_rwlock_wrlock(&d->lock);
	if ((z = zone_get(d, zone)) == NULL)
		goto out;
	touch(d, z);
	if (soa != NULL && soa->type == RR_TYPE_SOA && soa->count == 1 && soa_ttl > 0 &&
	    dname_equal(soa->owner, zone)) {
		struct rrset *copy = pack(soa);
		if (copy != NULL) {
			d->bytes -= block_size(z->soa);
			free(z->soa);
			z->soa = copy;
			z->soa_expire = cache_expiry(now, soa_ttl);
			d->bytes += block_size(copy);
		}
	}
	for (i = 0; i < n; i++) {
		const struct rrset *rs = &sets[i];
		bool is3 = rs->type == RR_TYPE_NSEC3;
		uint32_t life = rs->ttl < ttl ? rs->ttl : ttl;
		if ((rs->type != RR_TYPE_NSEC && !is3) || rs->count != 1 ||
		    rs->security != SEC_SECURE || life == 0 || !dname_is_subdomain(rs->owner, zone))
			continue;
		if (z->n > 0 && z->nsec3 != is3) {
			int k;
			for (k = 0; k < z->n; k++)
				drop_record(d, &z->rec[k]);
			z->n = 0;
		}
		z->nsec3 = is3;
		zone_put(d, z, rs, cache_expiry(now, life));
	}
	make_room(d, z, t);
out:
	pthread_rwlock_unlock(&d->lock);
}

/* A copy of a stored set in arena, with ttl the time left. */
static bool
copy_out(struct arena *a, const struct rrset *rs, uint32_t expire, uint32_t now, struct rrset *out)
{
	struct rrset *c = arena_memdup(a, rs, sizeof(*rs));
	struct rdata *rd;
	int i, n = rs->count + rs->sigcount;

	if (c == NULL || (rd = arena_alloc(a, sizeof(*rd) * (size_t)n)) == NULL ||
	    (c->owner = arena_memdup(a, rs->owner, dname_len(rs->owner))) == NULL)
		return false;
	for (i = 0; i < n; i++) {
		rd[i].len = rs->rdata[i].len;
		if ((rd[i].data = arena_memdup(a, rs->rdata[i].data, rs->rdata[i].len)) == NULL &&
		    rs->rdata[i].len > 0)
			return false;
	}
	c->rdata = rd;
	c->ttl = expire - now;
	*out = *c;
	return true;
}

bool
cache_denial_zone(struct cache *c, const uint8_t *name, bool parent_side, time_t now,
    struct arena *a, uint8_t *zone, bool *nsec3, struct rrset *soa)
{
	struct denial_cache *d = c->denial;
	struct denial_zone *z = NULL;
	uint32_t t = cache_time32(now);
	int i, best = -1;
	bool ok = false;

	pthread_rwlock_rdlock(&d->lock);
	for (i = 0; i < d->nzones; i++) {
		const uint8_t *zn = d->zones[i]->name;
		int l = dname_label_count(zn);
		if (l > best && (parent_side ? dname_is_strict_subdomain(name, zn) :
		    dname_is_subdomain(name, zn))) {
			z = d->zones[i];
			best = l;
		}
	}
	/* The closest zone decides: a zone above it cannot speak for names
	 * inside it, whatever the closest one holds. */
	if (z != NULL && z->soa != NULL && z->soa_expire > t && z->n > 0) {
		touch(d, z);
		memcpy(zone, z->name, dname_len(z->name));
		*nsec3 = z->nsec3;
		ok = copy_out(a, z->soa, z->soa_expire, t, soa);
	}
	pthread_rwlock_unlock(&d->lock);
	return ok;
}

bool
cache_denial_lookup(struct cache *c, const uint8_t *zone, const uint8_t *name, time_t now,
    struct arena *a, struct rrset *out)
{
	struct denial_cache *d = c->denial;
	uint32_t t = cache_time32(now);
	struct denial_zone *z;
	bool ok = false;
	int i, k;

	pthread_rwlock_rdlock(&d->lock);
	if ((i = zone_index(d, zone)) >= 0 && (z = d->zones[i])->n > 0) {
		k = zone_pred(z, name);
		if (k < 0)
			k = z->n - 1;      /* before the first owner: the last wraps */
		if (z->rec[k].expire > t)
			ok = copy_out(a, z->rec[k].rs, z->rec[k].expire, t, out);
	}
	pthread_rwlock_unlock(&d->lock);
	return ok;
}

void
denial_flush(struct denial_cache *d, const uint8_t *name)
{
	int i, j, k;

	pthread_rwlock_wrlock(&d->lock);
	for (i = d->nzones - 1; i >= 0; i--) {
		struct denial_zone *z = d->zones[i];
		if (name == NULL || dname_is_subdomain(z->name, name)) {
			zone_remove(d, i);
			continue;
		}
		for (j = k = 0; j < z->n; j++) {
			if (dname_is_subdomain(z->rec[j].rs->owner, name))
				drop_record(d, &z->rec[j]);
			else
				z->rec[k++] = z->rec[j];
		}
		z->n = k;
	}
	pthread_rwlock_unlock(&d->lock);
}

void
denial_flush_covering(struct denial_cache *d, const uint8_t *name)
{
	int i;

	pthread_rwlock_wrlock(&d->lock);
	for (i = d->nzones - 1; i >= 0; i--)
		if (dname_is_subdomain(name, d->zones[i]->name))
			zone_remove(d, i);
	pthread_rwlock_unlock(&d->lock);
}

void
denial_set_budget(struct denial_cache *d, size_t budget)
{
	int k;

	pthread_rwlock_wrlock(&d->lock);
	d->budget = budget;
	while (d->bytes > d->budget && (k = lru_zone(d, NULL)) >= 0)
		zone_remove(d, k);
	pthread_rwlock_unlock(&d->lock);
}

void
denial_stats(struct denial_cache *d, uint64_t *records, uint64_t *bytes)
{
	int i;

	pthread_rwlock_rdlock(&d->lock);
	*records = 0;
	for (i = 0; i < d->nzones; i++)
		*records += (uint64_t)d->zones[i]->n;
	*bytes = d->bytes;
	pthread_rwlock_unlock(&d->lock);
}
