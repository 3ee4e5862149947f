/*
 * cache_bench.c -- how fast is the answer-cache hit path, alone and with
 * several threads, and what does an entry cost.
 *
 * usage: cache_bench [threads [names]]
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cache/cache.h"
#include "util/dname.h"
#include "util/msgbuild.h"
#include "util/wire.h"

#define NOW 1700000000

static unsigned nnames = 100000;
static uint8_t (*names)[DNAME_MAX];
static struct cache *cache;

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
fill(void)
{
	uint8_t wire[512], rd[4] = { 192, 0, 2, 1 };
	uint16_t offs[4];
	struct msg_builder b;
	char s[64];
	unsigned i;
	size_t len;

	for (i = 0; i < nnames; i++) {
		snprintf(s, sizeof(s), "www%u.example.com", i);
		dname_from_str(s, names[i]);
		mb_init(&b, wire, sizeof(wire));
		mb_record_ttls(&b, offs, 4);
		mb_header(&b, 0, FLAG_QR | FLAG_RD | FLAG_RA, RCODE_NOERROR);
		mb_question(&b, names[i], RR_TYPE_A, RR_CLASS_IN);
		mb_rr(&b, SEC_ANSWER, names[i], RR_TYPE_A, RR_CLASS_IN, 3600, rd, 4);
		len = mb_finish(&b);
		cache_answer_store(cache, names[i], RR_TYPE_A, RR_CLASS_IN, 0, wire, len,
		    offs, b.ttl_n, 3600, EDE_NONE, NOW);
	}
}

struct worker {
	pthread_t th;
	unsigned seed;
	uint64_t lookups, hits;
	double secs;
};

static void *
work(void *p)
{
	struct worker *w = p;
	uint8_t out[512];
	double start = now_sec();
	unsigned k;

	do {
		for (k = 0; k < 4096; k++) {
			unsigned i = (unsigned)rand_r(&w->seed) % nnames;

			if (cache_answer_lookup(cache, names[i], RR_TYPE_A, RR_CLASS_IN, 0,
			    NOW + 10, 0, 0, out, sizeof(out), NULL))
				w->hits++;
			w->lookups++;
		}
		w->secs = now_sec() - start;
	} while (w->secs < 1.0);
	return NULL;
}

static double
run(int nthreads)
{
	struct worker *w = calloc((size_t)nthreads, sizeof(*w));
	uint64_t total = 0;
	double secs = 0;
	int i;

	for (i = 0; i < nthreads; i++) {
		w[i].seed = (unsigned)i + 1;
		pthread_create(&w[i].th, NULL, work, &w[i]);
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].th, NULL);
		total += w[i].lookups;
		if (w[i].secs > secs)
			secs = w[i].secs;
	}
	free(w);
	return (double)total / secs;
}

int
main(int argc, char **argv)
{
	struct cache_stats st;
	int threads = argc > 1 ? atoi(argv[1]) : 4;
	double t, rate;

	if (argc > 2)
		nnames = (unsigned)atoi(argv[2]);
	names = malloc((size_t)nnames * sizeof(*names));
	cache = cache_create((size_t)256 << 20);
	if (!names || !cache || threads < 1)
		return 1;
	t = now_sec();
	fill();
	t = now_sec() - t;
	cache_get_stats(cache, &st);
	printf("store: %u answers in %.3f s (%.0f ns each), %.1f bytes per entry "
	    "with tables\n", nnames, t, t * 1e9 / nnames, (double)st.bytes / (double)st.answers);
	rate = run(1);
	printf("lookup, 1 thread: %.2f M/s (%.0f ns each)\n", rate / 1e6, 1e9 / rate);
	rate = run(threads);
	printf("lookup, %d threads: %.2f M/s total\n", threads, rate / 1e6);
	cache_destroy(cache);
	free(names);
	return 0;
}
