/*
 * metrics.c -- the names, labels and help texts of every metric, and
 * adding per-worker copies together. doc/metrics.md documents each
 * metric; keep the two in step.
 */
#include "config.h"

#include <string.h>

#include "stats/metrics.h"

static const char *const outcome_names[STATS_OUTCOMES] = {
	"cache_hit", "resolved", "stale", "local", "servfail", "refused"
};
static const char *const class_names[STATS_UPSTREAM_CLASSES] = { "root", "tld", "other" };
static const char *const dnssec_names[STATS_DNSSEC_RESULTS] = { "secure", "insecure", "bogus" };
static const char *const rcode_names[STATS_RCODES] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
	"RCODE12", "RCODE13", "RCODE14", "RCODE15"
};
/* Always shown, so that rate() has a series from the start; the others
 * appear once they happen. */
#define RCODES_ALWAYS 6

const char *
stats_rcode_name(int rcode)
{
	return rcode >= 0 && rcode < STATS_RCODES ? rcode_names[rcode] : "RCODE?";
}

void
stats_frontend_add(struct stats_frontend *dst, const struct stats_frontend *src)
{
	int i;

	for (i = 0; i < TRANSPORT_DNS_COUNT; i++)
		dst->queries[i] += src->queries[i];
	for (i = 0; i < STATS_RCODES; i++)
		dst->responses[i] += src->responses[i];
	dst->cache_hits += src->cache_hits;
	dst->cache_misses += src->cache_misses;
	dst->stale_answers += src->stale_answers;
	dst->dropped += src->dropped;
	for (i = 0; i < STATS_OUTCOMES; i++)
		hist_merge(&dst->duration[i], &src->duration[i]);
}

void
stats_engine_add(struct stats_engine *dst, const struct stats_engine *src)
{
	int i;

	for (i = 0; i < STATS_UPSTREAM_CLASSES; i++)
		dst->upstream_queries[i] += src->upstream_queries[i];
	for (i = 0; i < STATS_RCODES; i++)
		dst->upstream_responses[i] += src->upstream_responses[i];
	dst->upstream_timeouts += src->upstream_timeouts;
	dst->upstream_tcp += src->upstream_tcp;
	dst->local_root += src->local_root;
	dst->aggressive_nsec += src->aggressive_nsec;
	dst->prefetches += src->prefetches;
	for (i = 0; i < STATS_DNSSEC_RESULTS; i++)
		dst->dnssec[i] += src->dnssec[i];
	hist_merge(&dst->upstream_rtt, &src->upstream_rtt);
}

static void
counter(struct textout *o, const char *name, const char *help, uint64_t v)
{
	textout_family(o, name, "counter", help);
	textout_u64(o, name, NULL, v);
}

static void
gauge(struct textout *o, const char *name, const char *help, uint64_t v)
{
	textout_family(o, name, "gauge", help);
	textout_u64(o, name, NULL, v);
}

static void
by_rcode(struct textout *o, const char *name, const char *help, const uint64_t *v)
{
	int i;

	textout_family(o, name, "counter", help);
	for (i = 0; i < STATS_RCODES; i++)
		if (i < RCODES_ALWAYS || v[i] > 0)
			textout_u64(o, name, (const char *[]){ "rcode", rcode_names[i], NULL }, v[i]);
}

static void
render_clients(const struct stats_snapshot *s, struct textout *o)
{
	const char *n;
	int i;

	n = "resolverd_queries_total";
	textout_family(o, n, "counter", "Client queries received, by transport.");
	for (i = 0; i < TRANSPORT_DNS_COUNT; i++)
		textout_u64(o, n, (const char *[]){ "transport", transport_of(i)->name, NULL },
		    s->fe.queries[i]);
	by_rcode(o, "resolverd_responses_total", "Answers sent to clients, by the rcode in "
	    "their header.", s->fe.responses);
	n = "resolverd_query_duration_seconds";
	textout_family(o, n, "histogram", "Time from a query's arrival to its answer being "
	    "handed to the kernel, by how the answer came about.");
	for (i = 0; i < STATS_OUTCOMES; i++)
		textout_hist(o, n, (const char *[]){ "outcome", outcome_names[i], NULL },
		    &s->fe.duration[i], &hist_query_duration);
	counter(o, "resolverd_queries_dropped_total", "Client queries not answered at all "
	    "(access control deny, limits).", s->fe.dropped);
	counter(o, "resolverd_cache_hits_total", "Client questions answered from the cache.",
	    s->fe.cache_hits);
	counter(o, "resolverd_cache_misses_total", "Client questions the cache could not "
	    "answer, handed to the resolution engine.", s->fe.cache_misses);
	counter(o, "resolverd_stale_answers_total", "Answers served from expired cache "
	    "entries (serve-stale, RFC 8767).", s->fe.stale_answers);
	gauge(o, "resolverd_clients_waiting", "Client queries waiting for resolution now.",
	    s->clients_waiting);
	counter(o, "resolverd_tcp_connections_total", "Client TCP connections accepted.",
	    s->tcp_accepted);
	gauge(o, "resolverd_tcp_connections", "Client TCP connections open now.", s->tcp_open);
}

static void
render_cache(const struct stats_snapshot *s, struct textout *o)
{
	const char *n = "resolverd_cache_entries";

	gauge(o, "resolverd_cache_bytes", "Bytes the cache holds, everything allocated for "
	    "its entries included.", s->cache_bytes);
	gauge(o, "resolverd_cache_max_bytes", "The cache's bound (cache-size).",
	    s->cache_max_bytes);
	textout_family(o, n, "gauge", "Entries in the cache, by kind.");
	textout_u64(o, n, (const char *[]){ "kind", "rrset", NULL }, s->cache_rrsets);
	textout_u64(o, n, (const char *[]){ "kind", "answer", NULL }, s->cache_answers);
	counter(o, "resolverd_cache_evictions_total", "Entries dropped to make room.",
	    s->cache_evictions);
}

static void
render_engine(const struct stats_snapshot *s, struct textout *o)
{
	const char *n;
	int i;

	n = "resolverd_upstream_queries_total";
	textout_family(o, n, "counter", "Queries sent to authoritative servers and forwarders, "
	    "by the zone asked: the root, a top-level domain, or below.");
	for (i = 0; i < STATS_UPSTREAM_CLASSES; i++)
		textout_u64(o, n, (const char *[]){ "class", class_names[i], NULL },
		    s->eng.upstream_queries[i]);
	by_rcode(o, "resolverd_upstream_responses_total", "Replies from upstream servers, by "
	    "rcode.", s->eng.upstream_responses);
	counter(o, "resolverd_upstream_timeouts_total", "Upstream queries that got no reply "
	    "in time.", s->eng.upstream_timeouts);
	counter(o, "resolverd_upstream_tcp_queries_total", "Upstream queries sent over TCP "
	    "(also counted in resolverd_upstream_queries_total).", s->eng.upstream_tcp);
	n = "resolverd_upstream_rtt_seconds";
	textout_family(o, n, "histogram", "Round-trip time of upstream queries answered over "
	    "UDP.");
	textout_hist(o, n, NULL, &s->eng.upstream_rtt, &hist_upstream_rtt);
	gauge(o, "resolverd_upstream_queries_in_flight", "Upstream queries waiting for a "
	    "reply now.", s->upstream_in_flight);
	counter(o, "resolverd_local_root_answers_total", "Questions to the root answered "
	    "from the local copy (root-zone-file, RFC 8806) instead of a root server.",
	    s->eng.local_root);
	counter(o, "resolverd_aggressive_nsec_answers_total", "Negative answers made from "
	    "cached validated NSEC/NSEC3 ranges (RFC 8198) without asking upstream.",
	    s->eng.aggressive_nsec);
	n = "resolverd_dnssec_validations_total";
	textout_family(o, n, "counter", "Answers the engine validated, by result.");
	for (i = 0; i < STATS_DNSSEC_RESULTS; i++)
		textout_u64(o, n, (const char *[]){ "result", dnssec_names[i], NULL },
		    s->eng.dnssec[i]);
	counter(o, "resolverd_prefetches_total", "Refreshes of cached answers started before "
	    "they expire (prefetch) or after (serve-stale).", s->eng.prefetches);
	gauge(o, "resolverd_questions_in_flight", "Questions the engines are resolving now, "
	    "their subqueries included.", s->questions_in_flight);
}

static void
render_process(const struct stats_snapshot *s, struct textout *o)
{
	const char *n = "process_cpu_seconds_total";

	textout_family(o, "process_start_time_seconds", "gauge", "Start time of the process "
	    "since unix epoch in seconds.");
	textout_double(o, "process_start_time_seconds", NULL, s->start_time);
	if (!s->proc.ok)
		return;
	textout_family(o, n, "counter", "Total user and system CPU time spent in seconds.");
	textout_double(o, n, NULL, s->proc.cpu_seconds);
	gauge(o, "process_resident_memory_bytes", "Resident memory size in bytes.",
	    s->proc.resident_bytes);
	gauge(o, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
	    s->proc.virtual_bytes);
	gauge(o, "process_open_fds", "Number of open file descriptors.", s->proc.open_fds);
	gauge(o, "process_max_fds", "Maximum number of open file descriptors.",
	    s->proc.max_fds);
}

void
stats_render(const struct stats_snapshot *s, struct textout *o)
{
	const char *n = "resolverd_build_info";

	textout_family(o, n, "gauge", "Always 1; the label says which version runs.");
	textout_u64(o, n, (const char *[]){ "version", s->version ? s->version : "unknown", NULL }, 1);
	gauge(o, "resolverd_workers", "Worker threads answering queries.", (uint64_t)s->workers);
	render_clients(s, o);
	render_cache(s, o);
	render_engine(s, o);
	render_process(s, o);
}
