/*
 * metrics.h -- resolverd's numbers: what each worker counts, the summed
 * snapshot the control thread makes of them, and its text forms.
 *
 * Counting: each worker owns a struct stats_frontend (and its engine the
 * engine's counters) and bumps them with plain increments, in its own
 * thread only. Reading: the control thread asks each worker, through its
 * loop, for a copy, and adds the copies up (stats_frontend_add). Nothing
 * on the query path locks or uses atomic read-modify-write.
 *
 * Names, labels and help texts are in metrics.c; doc/metrics.md explains
 * each one. Labels take values from small fixed sets only.
 */
#ifndef RESOLVERD_STATS_METRICS_H
#define RESOLVERD_STATS_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "net/transport.h"
#include "stats/hist.h"
#include "stats/textout.h"

/* How a client's answer came about: the label of
 * resolverd_query_duration_seconds. An answer with rcode SERVFAIL or
 * REFUSED is that outcome whatever produced it. */
enum stats_outcome {
	OUTCOME_CACHE_HIT = 0,         /* fresh from the answer cache */
	OUTCOME_RESOLVED,              /* the engine resolved it */
	OUTCOME_STALE,                 /* served expired (RFC 8767) */
	OUTCOME_LOCAL,                 /* local-zone data, or answered by
	                                * resolverd itself (FORMERR, NOTIMP...) */
	OUTCOME_SERVFAIL,
	OUTCOME_REFUSED,
	STATS_OUTCOMES
};

#define STATS_RCODES 16                /* the header's 4 bits */
#define STATS_UPSTREAM_CLASSES 3       /* root, tld, other: the zone asked */
#define STATS_DNSSEC_RESULTS 3         /* secure, insecure, bogus */

/* Counted by a worker on the query path. */
struct stats_frontend {
	uint64_t queries[TRANSPORT_DNS_COUNT];
	uint64_t responses[STATS_RCODES];
	uint64_t cache_hits;           /* answered from the answer cache (stale too) */
	uint64_t cache_misses;         /* handed to the engine */
	uint64_t stale_answers;
	uint64_t dropped;              /* no answer: access control, limits */
	struct hist duration[STATS_OUTCOMES];
};

/* Counted by a worker's engine. */
struct stats_engine {
	uint64_t upstream_queries[STATS_UPSTREAM_CLASSES];
	uint64_t upstream_responses[STATS_RCODES];
	uint64_t upstream_timeouts;
	uint64_t upstream_tcp;
	uint64_t local_root;           /* answered by the root-zone-file copy */
	uint64_t aggressive_nsec;      /* RFC 8198 */
	uint64_t prefetches;
	uint64_t dnssec[STATS_DNSSEC_RESULTS];
	struct hist upstream_rtt;
};

/* The process, as Prometheus client libraries report it. */
struct stats_process {
	bool ok;                       /* read from /proc */
	double cpu_seconds;
	uint64_t resident_bytes;
	uint64_t virtual_bytes;
	uint64_t open_fds;
	uint64_t max_fds;
};

struct stats_snapshot {
	const char *version;
	double start_time;             /* seconds since the epoch */
	int workers;
	struct stats_frontend fe;      /* summed over workers */
	struct stats_engine eng;       /* summed over workers */
	/* gauges, summed over workers */
	uint64_t questions_in_flight;  /* the engines' questions, subqueries too */
	uint64_t clients_waiting;      /* clients waiting for an engine */
	uint64_t upstream_in_flight;
	uint64_t tcp_open;
	uint64_t tcp_accepted;
	/* the shared cache */
	uint64_t cache_bytes, cache_max_bytes, cache_rrsets, cache_answers, cache_evictions;
	struct stats_process proc;
};

void stats_frontend_add(struct stats_frontend *dst, const struct stats_frontend *src);
void stats_engine_add(struct stats_engine *dst, const struct stats_engine *src);

/* Fill p for this process (Linux /proc); p->ok false when unreadable. */
void stats_process_read(struct stats_process *p);

/* Every metric of s, in o's form. */
void stats_render(const struct stats_snapshot *s, struct textout *o);

/* "NOERROR", ..., "RCODE12" for values without a name. */
const char *stats_rcode_name(int rcode);

#endif
