/*
 * shard.h -- cache internals: entries, shards and the cache itself.
 *
 * Every entry is a single malloc holding a fixed header, the kind-specific
 * fields and then the key and data bytes. The header is kept small on
 * purpose: memory per cached name is a product target, so there is no
 * separate key allocation and no pointer that is not needed to find or
 * evict the entry.
 *
 * A shard is a chained hash table (intrusive next pointer, doubling) plus
 * an LRU list, guarded by one mutex. Its byte count includes the table
 * array, and never exceeds the shard's budget after an insert.
 */
#ifndef RESOLVERD_CACHE_SHARD_H
#define RESOLVERD_CACHE_SHARD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum {
	ENTRY_RRSET = 1,
	ENTRY_ANSWER = 2
};

struct shard_entry {
	struct shard_entry *hnext;      /* hash chain */
	struct shard_entry *lru_prev;   /* towards the most recently used */
	struct shard_entry *lru_next;   /* towards the least recently used */
	uint32_t hash;
	uint32_t expire;                /* absolute, seconds (good until 2106) */
	uint16_t type;
	uint16_t rclass;
	uint8_t kind;
	uint8_t namelen;                /* owner/qname length, 1..255 */
	uint8_t aux[2];                 /* kind-specific (trust, variant...) */
};

/* Padded to a cache line so that shards used by different threads do not
 * share one. */
struct shard {
	pthread_mutex_t lock;
	struct shard_entry **table;
	uint32_t mask;                  /* buckets - 1 */
	uint32_t count;
	struct shard_entry *lru_head;   /* most recently used */
	struct shard_entry *lru_tail;
	size_t bytes;                   /* entries + table */
	size_t budget;
	uint64_t hits, misses, evictions;
	uint32_t n_rrsets, n_answers;
} __attribute__((aligned(64)));

struct denial_cache;

struct cache {
	uint32_t seed;
	uint32_t shard_mask;
	size_t max_bytes;
	struct shard *shards;
	struct denial_cache *denial;    /* denial_cache.c: NSEC ranges */
};

/* Seeded so that an attacker who does not know the seed cannot aim many
 * names at one bucket or shard. */
uint32_t cache_hash(const struct cache *c, const uint8_t *name, uint16_t type,
    uint16_t rclass, uint8_t kind, uint8_t variant);

/* High bits pick the shard, low bits the bucket, so they stay independent. */
static inline struct shard *
cache_shard(const struct cache *c, uint32_t hash)
{
	return &c->shards[(hash >> 24) & c->shard_mask];
}

static inline struct shard_entry *
shard_bucket(const struct shard *s, uint32_t hash)
{
	return s->table[hash & s->mask];
}

/* Current absolute time as stored in entries, clamped to 32 bits. */
static inline uint32_t
cache_time32(time_t now)
{
	if (now <= 0)
		return 0;
	if ((uint64_t)now >= UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)now;
}

/* now + ttl, saturating. */
static inline uint32_t
cache_expiry(time_t now, uint32_t ttl)
{
	uint64_t e = (uint64_t)cache_time32(now) + ttl;
	return e >= UINT32_MAX ? UINT32_MAX : (uint32_t)e;
}

/* Bytes an entry costs, as accounted. */
size_t shard_entry_size(const struct shard_entry *e);

int shard_init(struct shard *s, size_t budget);
void shard_deinit(struct shard *s);

/* The functions below require s->lock held. Entries dropped are chained
 * through hnext onto *dead, to be freed with shard_free_list after the
 * lock is released. */

/* Whether e could be stored in s at all, evicting everything else. */
bool shard_can_hold(const struct shard *s, const struct shard_entry *e);

/* Link e (already hashed) as most recently used, grow the table if due,
 * then evict from the LRU tail until the shard fits its budget. Returns
 * 0, or -1 if e cannot fit even alone: then e is not linked (and not on
 * *dead: the caller still owns it). */
int shard_insert(struct shard *s, struct shard_entry *e, struct shard_entry **dead);

/* Unlink e from table and LRU and move it to *dead. */
void shard_remove(struct shard *s, struct shard_entry *e, struct shard_entry **dead);

/* Mark e most recently used. */
static inline void
shard_touch(struct shard *s, struct shard_entry *e)
{
	if (s->lru_head == e)
		return;
	/* e is not the head, so it has a predecessor. */
	e->lru_prev->lru_next = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		s->lru_tail = e->lru_prev;
	e->lru_prev = NULL;
	e->lru_next = s->lru_head;
	s->lru_head->lru_prev = e;
	s->lru_head = e;
}

/* Remove every entry for which drop(e, arg) is true. */
void shard_remove_if(struct shard *s, int (*drop)(const struct shard_entry *, const void *),
    const void *arg, struct shard_entry **dead);

/* Change the budget and evict (and shrink the table) to meet it. */
void shard_set_budget(struct shard *s, size_t budget, struct shard_entry **dead);

void shard_free_list(struct shard_entry *dead);

/* The owner or qname of an entry, as stored (answers keep their
 * question's case). Defined by the file that owns each kind. */
const uint8_t *rrset_entry_name(const struct shard_entry *e);
/* denial_cache.c: its own lock, within budget bytes (this share of
 * cache-size; the shards have the rest). name NULL flushes everything,
 * else zones and records at or below name. */
#define CACHE_DENIAL_SHARE 8
struct denial_cache *denial_create(size_t budget);
void denial_destroy(struct denial_cache *d);
void denial_flush(struct denial_cache *d, const uint8_t *name);
/* Drop the zones whose records could deny name: those at or above it. */
void denial_flush_covering(struct denial_cache *d, const uint8_t *name);
void denial_set_budget(struct denial_cache *d, size_t budget);
void denial_stats(struct denial_cache *d, uint64_t *records, uint64_t *bytes);
const uint8_t *answer_entry_name(const struct shard_entry *e);

/* Whether an entry holds data that failed validation. */
bool rrset_entry_bogus(const struct shard_entry *e);
bool answer_entry_bogus(const struct shard_entry *e);

#endif
