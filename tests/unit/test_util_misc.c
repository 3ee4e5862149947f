/*
 * test_util_misc.c -- arena, random numbers and logging.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "util/arena.h"
#include "util/log.h"
#include "util/rand.h"
#include "unit.h"

static void
test_arena(void)
{
	struct arena a;
	char *s;
	uint8_t *p, *big, *z;
	int i;

	arena_init(&a, 10);
	CHECK_EQ_INT(a.block_size, 1024);
	for (i = 0; i < 1000; i++) {
		p = arena_alloc(&a, (size_t)(i % 37) + 1);
		CHECK(p != NULL && ((uintptr_t)p & 15) == 0);
		memset(p, 0xaa, (size_t)(i % 37) + 1);
	}
	big = arena_alloc(&a, 100000);
	CHECK(big != NULL && ((uintptr_t)big & 15) == 0);
	memset(big, 1, 100000);
	z = arena_zalloc(&a, 300);
	CHECK(z != NULL && z[0] == 0 && z[299] == 0);
	s = arena_strdup(&a, "hello");
	CHECK_STR(s, "hello");
	p = arena_memdup(&a, "abc", 3);
	CHECK(p != NULL && memcmp(p, "abc", 3) == 0);
	CHECK(arena_alloc(&a, 0) != NULL);
	CHECK(arena_alloc(&a, SIZE_MAX - 4) == NULL);
	CHECK(a.total > 100000);
	arena_free_all(&a);
	CHECK_EQ_INT(a.total, 0);
	CHECK(a.head == NULL);
}

static void
test_arena_buf(void)
{
	struct arena a;
	_Alignas(16) uint8_t store[2048];
	uint8_t *p, *q;
	int i;

	arena_init_buf(&a, store + 3, sizeof(store) - 3, 4096);
	p = arena_alloc(&a, 100);
	CHECK(p > store && p < store + sizeof(store));
	CHECK(((uintptr_t)p & 15) == 0);
	CHECK_EQ_INT(a.total, 0);
	for (i = 0; i < 40; i++)
		q = arena_alloc(&a, 100);
	CHECK(q != NULL && (q < store || q >= store + sizeof(store)));
	CHECK(a.total > 0);
	arena_free_all(&a);
	/* too small to use: ignored */
	arena_init_buf(&a, store, 8, 1024);
	CHECK(a.head == NULL);
	CHECK(arena_alloc(&a, 8) != NULL);
	arena_free_all(&a);
}

static void
test_rand(void)
{
	uint32_t hist[10] = { 0 }, v;
	uint8_t buf[2000], zero[2000] = { 0 };
	uint16_t a = rand_u16(), b = rand_u16(), c = rand_u16();
	int i;

	/* 48 bits equal by chance: 2^-32 */
	CHECK(!(a == b && b == c));
	for (i = 0; i < 100000; i++) {
		v = rand_uniform(10);
		CHECK(v < 10);
		hist[v < 10 ? v : 0]++;
	}
	for (i = 0; i < 10; i++)
		CHECK(hist[i] > 9000 && hist[i] < 11000);
	CHECK_EQ_INT(rand_uniform(1), 0);
	for (i = 0; i < 1000; i++)
		CHECK(rand_uniform(0x80000001u) < 0x80000001u);
	rand_bytes(buf, sizeof(buf));
	CHECK(memcmp(buf, zero, sizeof(buf)) != 0);
	rand_bytes(buf, 7);
	rand_bytes(buf, 0);
	(void)rand_u32();
}

static void *
log_thread(void *arg)
{
	int i;

	for (i = 0; i < 20; i++)
		log_debug(3, "thread %ld line %d", (long)(intptr_t)arg, i);
	return NULL;
}

static void
test_log(void)
{
	pthread_t t[2];
	int i;

	CHECK_EQ_INT(log_verbosity, 1);
	log_set_ident("test_util_misc");
	log_err("an error %d", 1);
	log_warn("a warning");
	log_info("info at default verbosity");
	log_debug(2, "not shown");
	log_verbosity = 3;
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, log_thread, (void *)(intptr_t)i);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	log_verbosity = 1;
	log_set_ident("resolverd");
}

int
main(void)
{
	RUN(test_arena);
	RUN(test_arena_buf);
	RUN(test_rand);
	RUN(test_log);
	return unit_summary();
}
