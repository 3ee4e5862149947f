/*
 * hist.c -- the bucket layouts and the arithmetic on copies.
 */
#include "config.h"

#include "stats/hist.h"

#define US 1000ull
#define MS 1000000ull
#define S 1000000000ull

/* 1-2.5-5 steps, as Prometheus client libraries lay out latency. */
static const uint64_t query_duration_le[] = {
	50 * US, 100 * US, 250 * US, 500 * US,
	1 * MS, 2500 * US, 5 * MS, 10 * MS, 25 * MS, 50 * MS, 100 * MS, 250 * MS, 500 * MS,
	1 * S, 2500 * MS, 5 * S, 10 * S,
};
static const uint64_t upstream_rtt_le[] = {
	1 * MS, 2500 * US, 5 * MS, 10 * MS, 25 * MS, 50 * MS, 100 * MS, 250 * MS, 500 * MS,
	1 * S, 2500 * MS, 5 * S, 10 * S,
};

_Static_assert(sizeof(query_duration_le) / sizeof(uint64_t) < HIST_BUCKETS_MAX,
    "raise HIST_BUCKETS_MAX");

const struct hist_layout hist_query_duration = {
	(int)(sizeof(query_duration_le) / sizeof(query_duration_le[0])), query_duration_le
};
const struct hist_layout hist_upstream_rtt = {
	(int)(sizeof(upstream_rtt_le) / sizeof(upstream_rtt_le[0])), upstream_rtt_le
};

void
hist_merge(struct hist *dst, const struct hist *src)
{
	int i;

	for (i = 0; i < HIST_BUCKETS_MAX; i++)
		dst->bucket[i] += src->bucket[i];
	dst->sum_ns += src->sum_ns;
}

uint64_t
hist_count(const struct hist *h, const struct hist_layout *l)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i <= l->n; i++)
		n += h->bucket[i];
	return n;
}
