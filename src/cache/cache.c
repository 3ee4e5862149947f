/*
 * cache.c -- the cache as a whole: shards, hashing, bounds, flushing and
 * statistics. The RRset and answer entries live in rrset_cache.c and
 * answer_cache.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/shard.h"
#include "util/dname.h"
#include "util/rand.h"

#define CACHE_MIN_BYTES (64 * 1024)
#define CACHE_SHARDS_MAX 64
/* A shard must hold the largest answer (a 64 KiB TCP message), so small
 * caches get fewer shards rather than shards too small to be useful. */
#define CACHE_SHARD_MIN_BYTES (128 * 1024)

uint32_t
cache_hash(const struct cache *c, const uint8_t *name, uint16_t type,
    uint16_t rclass, uint8_t kind, uint8_t variant)
{
	uint32_t h = dname_hash(name, c->seed);

	h ^= ((uint32_t)type << 16 | rclass) * 0x9e3779b1u;
	h += ((uint32_t)kind << 8 | variant) * 0x85ebca6bu;
	/* Final avalanche so that type and kind reach the shard bits too. */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static size_t
clamp_max(size_t max_bytes)
{
	return max_bytes < CACHE_MIN_BYTES ? CACHE_MIN_BYTES : max_bytes;
}

/* What the NSEC records of aggressive use may take; the shards share the
 * rest. Nothing of the smallest cache, whose one shard must still hold
 * the largest answer. */
static size_t
denial_share(size_t max_bytes)
{
	return (max_bytes - CACHE_MIN_BYTES) / CACHE_DENIAL_SHARE;
}

struct cache *
cache_create(size_t max_bytes)
{
	struct cache *c;
	uint32_t n = CACHE_SHARDS_MAX, i;
	size_t shared;

	max_bytes = clamp_max(max_bytes);
	shared = max_bytes - denial_share(max_bytes);
	while (n > 1 && shared / n < CACHE_SHARD_MIN_BYTES)
		n >>= 1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->shards = aligned_alloc(_Alignof(struct shard), n * sizeof(struct shard));
	if (!c->shards) {
		free(c);
		return NULL;
	}
	c->denial = denial_create(denial_share(max_bytes));
	if (!c->denial) {
		free(c->shards);
		free(c);
		return NULL;
	}
	c->seed = rand_u32();
	c->shard_mask = n - 1;
	c->max_bytes = max_bytes;
	for (i = 0; i < n; i++) {
		if (shard_init(&c->shards[i], shared / n) != 0) {
			while (i-- > 0)
				shard_deinit(&c->shards[i]);
			denial_destroy(c->denial);
			free(c->shards);
			free(c);
			return NULL;
		}
	}
	return c;
}

void
cache_destroy(struct cache *c)
{
	uint32_t i;

	if (!c)
		return;
	for (i = 0; i <= c->shard_mask; i++)
		shard_deinit(&c->shards[i]);
	denial_destroy(c->denial);
	free(c->shards);
	free(c);
}

void
cache_set_max_bytes(struct cache *c, size_t max_bytes)
{
	struct shard_entry *dead;
	struct shard *s;
	uint32_t i;

	max_bytes = clamp_max(max_bytes);
	__atomic_store_n(&c->max_bytes, max_bytes, __ATOMIC_RELAXED);
	for (i = 0; i <= c->shard_mask; i++) {
		s = &c->shards[i];
		dead = NULL;
		pthread_mutex_lock(&s->lock);
		shard_set_budget(s, (max_bytes - denial_share(max_bytes)) / (c->shard_mask + 1),
		    &dead);
		pthread_mutex_unlock(&s->lock);
		shard_free_list(dead);
	}
	denial_set_budget(c->denial, denial_share(max_bytes));
}

static uint64_t
cache_remove_if(struct cache *c, int (*drop)(const struct shard_entry *, const void *),
    const void *arg)
{
	struct shard_entry *dead, *e;
	struct shard *s;
	uint64_t n = 0;
	uint32_t i;

	for (i = 0; i <= c->shard_mask; i++) {
		s = &c->shards[i];
		dead = NULL;
		pthread_mutex_lock(&s->lock);
		shard_remove_if(s, drop, arg, &dead);
		pthread_mutex_unlock(&s->lock);
		for (e = dead; e; e = e->hnext)
			n++;
		shard_free_list(dead);
	}
	return n;
}

static int
drop_all(const struct shard_entry *e, const void *arg)
{
	(void)e;
	(void)arg;
	return 1;
}

uint64_t
cache_flush(struct cache *c)
{
	uint64_t n = cache_remove_if(c, drop_all, NULL);

	denial_flush(c->denial, NULL);
	return n;
}

static const uint8_t *
entry_name(const struct shard_entry *e)
{
	return e->kind == ENTRY_RRSET ? rrset_entry_name(e) : answer_entry_name(e);
}

static int
drop_below(const struct shard_entry *e, const void *zone)
{
	return dname_is_subdomain(entry_name(e), zone);
}

uint64_t
cache_flush_zone(struct cache *c, const uint8_t *name)
{
	uint64_t n = cache_remove_if(c, drop_below, name);

	denial_flush(c->denial, name);
	return n;
}

static int
drop_name(const struct shard_entry *e, const void *name)
{
	return dname_equal(entry_name(e), name);
}

uint64_t
cache_flush_name(struct cache *c, const uint8_t *name)
{
	uint64_t n = cache_remove_if(c, drop_name, name);

	/* Otherwise a name proven absent would still be answered from the
	 * proof after the flush. */
	denial_flush_covering(c->denial, name);
	return n;
}

static int
drop_bogus(const struct shard_entry *e, const void *arg)
{
	(void)arg;
	return e->kind == ENTRY_RRSET ? rrset_entry_bogus(e) : answer_entry_bogus(e);
}

uint64_t
cache_flush_bogus(struct cache *c)
{
	return cache_remove_if(c, drop_bogus, NULL);
}

void
cache_get_stats(struct cache *c, struct cache_stats *out)
{
	struct shard *s;
	uint64_t dbytes;
	uint32_t i;

	memset(out, 0, sizeof(*out));
	out->max_bytes = __atomic_load_n(&c->max_bytes, __ATOMIC_RELAXED);
	for (i = 0; i <= c->shard_mask; i++) {
		s = &c->shards[i];
		pthread_mutex_lock(&s->lock);
		out->bytes += s->bytes;
		out->rrsets += s->n_rrsets;
		out->answers += s->n_answers;
		out->hits += s->hits;
		out->misses += s->misses;
		out->evictions += s->evictions;
		pthread_mutex_unlock(&s->lock);
	}
	denial_stats(c->denial, &out->denials, &dbytes);
	out->bytes += dbytes;
}
