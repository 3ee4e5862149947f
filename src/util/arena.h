/*
 * arena.h -- per-query memory.
 *
 * Everything a query needs while it is being resolved (parsed messages,
 * copies of cached RRsets, delegation points, scratch strings) comes from one
 * arena, freed in one call when the query ends. Nothing allocated from an
 * arena may outlive it: data that must (cache entries, infra records) is
 * copied out explicitly by its owner.
 *
 * An arena is a chain of blocks. The first block is usually embedded in the
 * owner so that small queries never call malloc.
 */
#ifndef RESOLVERD_UTIL_ARENA_H
#define RESOLVERD_UTIL_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct arena_block;

struct arena {
	struct arena_block *head;   /* current block, newest first */
	size_t block_size;          /* size of blocks allocated on demand */
	size_t total;               /* bytes obtained from malloc, for stats */
};

/* Initialise an arena that will malloc blocks of block_size bytes
 * (at least 1 KiB) as needed. Never fails: allocation is lazy. */
void arena_init(struct arena *a, size_t block_size);

/* As arena_init, but use buf (len bytes, e.g. embedded in the owner) as
 * the first block so small users never call malloc. buf must outlive the
 * arena and is never freed by it; a buf too small to be useful is ignored.
 * After arena_free_all, call arena_init_buf again to reuse buf. */
void arena_init_buf(struct arena *a, void *buf, size_t len, size_t block_size);

/* Return n bytes, 16-byte aligned, owned by the arena. NULL only when
 * malloc fails. n may be larger than block_size. */
void *arena_alloc(struct arena *a, size_t n);

/* As arena_alloc, zero-filled. */
void *arena_zalloc(struct arena *a, size_t n);

/* Copy n bytes of src into the arena; NULL on allocation failure. */
void *arena_memdup(struct arena *a, const void *src, size_t n);

/* Copy a NUL-terminated string into the arena. */
char *arena_strdup(struct arena *a, const char *s);

/* Free every block. The arena may be reused after arena_init. */
void arena_free_all(struct arena *a);

#endif
