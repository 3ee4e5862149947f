/*
 * hist.h -- histograms with fixed bucket bounds, Prometheus style.
 *
 * A struct hist belongs to one thread and is bumped with plain
 * increments; whoever reads it gets a copy made in that thread and adds
 * copies together (hist_merge). Buckets are stored per interval, not
 * cumulatively: one increment per observation. Values are nanoseconds.
 */
#ifndef RESOLVERD_STATS_HIST_H
#define RESOLVERD_STATS_HIST_H

#include <stdint.h>

/* Bounds of the largest layout, plus the +Inf bucket. */
#define HIST_BUCKETS_MAX 18

struct hist_layout {
	int n;                       /* finite bounds */
	const uint64_t *le_ns;       /* ascending upper bounds, inclusive */
};

struct hist {
	uint64_t bucket[HIST_BUCKETS_MAX];  /* [i]: le_ns[i-1] < v <= le_ns[i]; [n]: above all */
	uint64_t sum_ns;
};

/* Client query latency: 50 us to 10 s. */
extern const struct hist_layout hist_query_duration;
/* Upstream round-trip time: 1 ms to 10 s (the engine measures whole
 * milliseconds, so finer buckets would mean nothing). */
extern const struct hist_layout hist_upstream_rtt;

/* Count v. Short on purpose: a cache hit usually stops at the first or
 * second bound. */
static inline void
hist_observe(struct hist *h, const struct hist_layout *l, uint64_t v_ns)
{
	int i = 0;

	while (i < l->n && v_ns > l->le_ns[i])
		i++;
	h->bucket[i]++;
	h->sum_ns += v_ns;
}

/* dst += src, bucket by bucket. */
void hist_merge(struct hist *dst, const struct hist *src);

/* Observations in all buckets. */
uint64_t hist_count(const struct hist *h, const struct hist_layout *l);

#endif
