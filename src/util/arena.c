/*
 * arena.c -- per-query memory: a chain of blocks freed all at once.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

#define ARENA_ALIGN 16
#define ARENA_MIN_BLOCK 1024

struct arena_block {
	struct arena_block *next;
	size_t size;                /* usable bytes in data */
	size_t used;
	int embedded;               /* caller's memory: never freed */
	/* Keeps data 16-byte aligned whatever the header size is. */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

void
arena_init(struct arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size < ARENA_MIN_BLOCK ? ARENA_MIN_BLOCK : block_size;
	a->total = 0;
}

static struct arena_block *
arena_new_block(struct arena *a, size_t need)
{
	struct arena_block *blk;
	size_t size = need > a->block_size ? need : a->block_size;

	if (size > SIZE_MAX - sizeof(*blk))
		return NULL;
	blk = malloc(sizeof(*blk) + size);
	if (blk == NULL)
		return NULL;
	blk->size = size;
	blk->used = 0;
	blk->embedded = 0;
	a->total += sizeof(*blk) + size;
	/* An oversized block goes behind the current one so that the space
	 * left in the current block is not wasted. */
	if (need > a->block_size && a->head != NULL) {
		blk->next = a->head->next;
		a->head->next = blk;
	} else {
		blk->next = a->head;
		a->head = blk;
	}
	return blk;
}

void
arena_init_buf(struct arena *a, void *buf, size_t len, size_t block_size)
{
	uintptr_t p = (uintptr_t)buf;
	uintptr_t aligned = (p + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1);
	struct arena_block *blk;

	arena_init(a, block_size);
	if (buf == NULL || len < aligned - p + sizeof(*blk) + ARENA_ALIGN)
		return;
	blk = (struct arena_block *)aligned;
	blk->next = NULL;
	blk->size = (len - (aligned - p) - sizeof(*blk)) & ~(size_t)(ARENA_ALIGN - 1);
	blk->used = 0;
	blk->embedded = 1;
	a->head = blk;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *blk = a->head;
	size_t rounded;
	void *p;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	rounded = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (blk == NULL || blk->size - blk->used < rounded) {
		blk = arena_new_block(a, rounded);
		if (blk == NULL)
			return NULL;
	}
	p = blk->data + blk->used;
	blk->used += rounded;
	return p;
}

void *
arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	if (p != NULL)
		memset(p, 0, n);
	return p;
}

void *
arena_memdup(struct arena *a, const void *src, size_t n)
{
	void *p = arena_alloc(a, n);

	if (p != NULL && n > 0)
		memcpy(p, src, n);
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_memdup(a, s, strlen(s) + 1);
}

void
arena_free_all(struct arena *a)
{
	struct arena_block *blk = a->head, *next;

	while (blk != NULL) {
		next = blk->next;
		if (!blk->embedded)
			free(blk);
		blk = next;
	}
	a->head = NULL;
	a->total = 0;
}
