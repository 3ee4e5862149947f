/*
 * shard.c -- one shard of the cache: hash table, LRU list, byte budget.
 *
 * Bytes are counted with malloc_usable_size rather than the size asked
 * for, so the bound reflects what the allocator really handed out (minus
 * its per-chunk header, which is outside our view).
 */
#include "config.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "cache/shard.h"

/* Small: a cache of many shards starts with little table overhead. */
#define SHARD_MIN_BUCKETS 16

size_t
shard_entry_size(const struct shard_entry *e)
{
	return malloc_usable_size((void *)e);
}

static size_t
table_bytes(const struct shard *s)
{
	return malloc_usable_size(s->table);
}

int
shard_init(struct shard *s, size_t budget)
{
	memset(s, 0, sizeof(*s));
	s->table = calloc(SHARD_MIN_BUCKETS, sizeof(*s->table));
	if (!s->table)
		return -1;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s->table);
		s->table = NULL;
		return -1;
	}
	s->mask = SHARD_MIN_BUCKETS - 1;
	s->bytes = table_bytes(s);
	s->budget = budget;
	return 0;
}

void
shard_deinit(struct shard *s)
{
	struct shard_entry *e, *next;

	for (e = s->lru_head; e; e = next) {
		next = e->lru_next;
		free(e);
	}
	free(s->table);
	s->table = NULL;
	pthread_mutex_destroy(&s->lock);
}

/* Rehash into nbuckets (a power of two). On allocation failure the old
 * table stays: longer chains are better than failing the caller. */
static void
shard_resize(struct shard *s, uint32_t nbuckets)
{
	struct shard_entry **nt, *e, *next;
	uint32_t i, nmask = nbuckets - 1;

	nt = calloc(nbuckets, sizeof(*nt));
	if (!nt)
		return;
	for (i = 0; i <= s->mask; i++) {
		for (e = s->table[i]; e; e = next) {
			next = e->hnext;
			e->hnext = nt[e->hash & nmask];
			nt[e->hash & nmask] = e;
		}
	}
	s->bytes -= table_bytes(s);
	free(s->table);
	s->table = nt;
	s->mask = nmask;
	s->bytes += table_bytes(s);
}

/* Give memory back once the table is far larger than its entries need
 * (after a flush or a shrunk budget). */
static void
shard_maybe_shrink(struct shard *s)
{
	uint32_t want = SHARD_MIN_BUCKETS;

	while (want < s->count)
		want <<= 1;
	if ((uint64_t)want * 4 <= (uint64_t)s->mask + 1)
		shard_resize(s, want);
}

static void
shard_unlink(struct shard *s, struct shard_entry *e)
{
	struct shard_entry **pp;

	for (pp = &s->table[e->hash & s->mask]; *pp != e; pp = &(*pp)->hnext)
		;
	*pp = e->hnext;
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		s->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		s->lru_tail = e->lru_prev;
	s->count--;
	s->bytes -= shard_entry_size(e);
	if (e->kind == ENTRY_RRSET)
		s->n_rrsets--;
	else
		s->n_answers--;
}

void
shard_remove(struct shard *s, struct shard_entry *e, struct shard_entry **dead)
{
	shard_unlink(s, e);
	e->hnext = *dead;
	*dead = e;
}

static void
shard_evict_to(struct shard *s, size_t budget, const struct shard_entry *keep,
    struct shard_entry **dead)
{
	while (s->bytes > budget && s->lru_tail && s->lru_tail != keep) {
		shard_remove(s, s->lru_tail, dead);
		s->evictions++;
	}
}

bool
shard_can_hold(const struct shard *s, const struct shard_entry *e)
{
	size_t sz = shard_entry_size(e);

	return sz <= s->budget && table_bytes(s) <= s->budget - sz;
}

int
shard_insert(struct shard *s, struct shard_entry *e, struct shard_entry **dead)
{
	struct shard_entry **bucket;
	size_t sz = shard_entry_size(e);

	if (!shard_can_hold(s, e))
		return -1;
	bucket = &s->table[e->hash & s->mask];
	e->hnext = *bucket;
	*bucket = e;
	e->lru_prev = NULL;
	e->lru_next = s->lru_head;
	if (s->lru_head)
		s->lru_head->lru_prev = e;
	else
		s->lru_tail = e;
	s->lru_head = e;
	s->count++;
	s->bytes += sz;
	if (e->kind == ENTRY_RRSET)
		s->n_rrsets++;
	else
		s->n_answers++;

	if (s->count > s->mask + 1 && s->mask < UINT32_MAX / 2)
		shard_resize(s, (s->mask + 1) * 2);
	shard_evict_to(s, s->budget, e, dead);
	if (s->bytes > s->budget) {
		/* Only e is left, and the grown table is what does not fit. */
		shard_maybe_shrink(s);
		if (s->bytes > s->budget) {
			shard_unlink(s, e);
			return -1;
		}
	}
	return 0;
}

void
shard_remove_if(struct shard *s, int (*drop)(const struct shard_entry *, const void *),
    const void *arg, struct shard_entry **dead)
{
	struct shard_entry *e, *next;

	for (e = s->lru_head; e; e = next) {
		next = e->lru_next;
		if (drop(e, arg))
			shard_remove(s, e, dead);
	}
	shard_maybe_shrink(s);
}

void
shard_set_budget(struct shard *s, size_t budget, struct shard_entry **dead)
{
	s->budget = budget;
	shard_maybe_shrink(s);
	shard_evict_to(s, budget, NULL, dead);
	shard_maybe_shrink(s);
}

void
shard_free_list(struct shard_entry *dead)
{
	struct shard_entry *next;

	for (; dead; dead = next) {
		next = dead->hnext;
		free(dead);
	}
}
