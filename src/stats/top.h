/*
 * top.h -- the upstream servers asked most: per-server counts from every
 * worker, merged and ordered for `resolverctl top-upstreams`.
 *
 * Each worker's engine keeps its own table (iter/upstats.c); the control
 * thread gets copies of them as arrays of struct top_entry and calls
 * top_merge on the concatenation. Plain data: nothing here is shared.
 */
#ifndef RESOLVERD_STATS_TOP_H
#define RESOLVERD_STATS_TOP_H

#include <stdint.h>

#include "util/dname.h"
#include "util/netaddr.h"

struct top_entry {
	struct netaddr addr;           /* the server, with its port */
	uint8_t zone[DNAME_MAX];       /* the zone it was last asked about */
	uint64_t queries;              /* sent to it */
	uint64_t answers;              /* replies from it */
	uint64_t timeouts;
	uint32_t srtt_ms;              /* smoothed RTT; 0: not measured */
	uint64_t last_ms;              /* when it was last asked (monotonic):
	                                * whose zone wins a merge */
};

/* Merge the entries of the same address (counts added; the smoothed
 * RTT averaged, weighted by answers; the zone of the latest query), then
 * order them: most queries first, then most timeouts, then by address.
 * Works in place; returns the new count. */
int top_merge(struct top_entry *e, int n);

/* The ordering top_merge leaves: <0 when a comes first. */
int top_order(const struct top_entry *a, const struct top_entry *b);

#endif
