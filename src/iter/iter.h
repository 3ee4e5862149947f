/*
 * iter.h -- the iterative resolution engine.
 *
 * The engine walks from the root (or a configured stub/forward zone) down
 * to the authoritative servers for a question, following referrals, CNAME
 * and DNAME, resolving name server addresses it lacks, and fills the shared
 * cache as it goes. It is sans-I/O: it never touches a socket, a timer or
 * libevent. It asks its environment (struct iter_env) to send upstream
 * queries and to deliver answers, and reads the clock only through it, so
 * unit tests drive it with canned replies and a fake clock.
 *
 * One struct iter per worker thread; it is not thread-safe. Identical
 * questions in flight on one iter are resolved once (the "mesh"): every
 * waiting client gets the same answer.
 *
 * Answers are delivered in canonical form: a complete wire message with
 * QR and RA set, the client's RD and CD echoed, the question as the first
 * client wrote it, no OPT record, ID 0. The front end patches ID, the
 * question's letter case, EDNS and truncation for each client: the same
 * path as a cache hit.
 */
#ifndef RESOLVERD_ITER_ITER_H
#define RESOLVERD_ITER_ITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/dname.h"
#include "util/netaddr.h"
#include "cache/cache.h"
#include "stats/hist.h"
#include "stats/top.h"

struct iter;
struct val_anchors;
struct authzone;

/* A configured delegation: stub-zone (authoritative servers) or
 * forward-zone (recursive upstreams, asked with RD=1). */
struct iter_zone {
	uint8_t name[DNAME_MAX];
	bool forward;
	int naddrs;
	struct netaddr *addrs;
	struct iter_zone *next;
};

/* Root hints: the root's NS names and their addresses. */
struct iter_hint_server {
	uint8_t name[DNAME_MAX];
	int naddrs;
	struct netaddr addrs[4];
};
struct iter_hints {
	int count;
	struct iter_hint_server *servers;
};

/* Engine configuration. Built by the daemon from resolver.conf; immutable
 * once handed to iter_create / iter_set_config, and shared by all workers
 * (reference counted: iter_config_ref / iter_config_unref). */
struct iter_config {
	int refcount;                 /* atomic; starts at 1 */
	bool qname_minimisation;      /* RFC 9156 */
	bool harden_glue;             /* drop glue outside the delegation's bailiwick */
	bool do_ip4, do_ip6;
	bool do_not_query_localhost;
	uint32_t cache_min_ttl;
	uint32_t cache_max_ttl;
	uint32_t cache_max_negative_ttl;
	uint16_t edns_buffer_size;    /* advertised upstream (default 1232) */
	struct netaddr *outgoing;     /* source addresses; NULL/0 = any */
	int noutgoing;
	struct iter_hints hints;
	struct iter_zone *zones;      /* stub and forward zones */
	struct val_anchors *anchors;  /* DNSSEC trust anchors; NULL: no validation */
	struct authzone *root_zone;   /* root-zone-file (RFC 8806); NULL: ask the roots */
	uint32_t infra_host_ttl;      /* seconds an upstream's RTT is remembered */
	uint32_t infra_cache_numhosts;/* upstream addresses remembered (at iter_create) */
	uint16_t explore_permille;    /* server choices that also probe another (select.c) */
	bool serve_expired;           /* RFC 8767: keep expired answers for serving */
	uint32_t serve_expired_ttl;   /* how long past expiry */
	void (*free_extra)(struct iter_config *cfg); /* releases the above */
};

struct iter_config *iter_config_new(void);   /* defaults, refcount 1 */
void iter_config_ref(struct iter_config *cfg);
void iter_config_unref(struct iter_config *cfg);

/* Load root hints from a zone file (NS and A/AAAA records, as IANA
 * publishes named.root). Returns 0, or -1 with a message in err. */
int iter_hints_load(struct iter_hints *hints, const char *path, char *err, size_t errlen);
void iter_hints_clear(struct iter_hints *hints);

/* An upstream query the engine wants sent. The I/O layer builds the
 * packet (random ID, random source port, EDNS as asked), sends it, accepts
 * only a reply matching ID, server address, port and question, and then
 * calls iter_upstream_reply or iter_upstream_failed exactly once with the
 * token. The struct is only valid during send_query: copy what you need. */
struct upstream_query {
	const struct netaddr *server;
	const struct netaddr *source;  /* NULL: any */
	const uint8_t *qname;
	uint16_t qtype;
	uint16_t qclass;
	bool rd;                       /* forwarding */
	bool cd;
	bool tcp;
	bool edns;
	bool dnssec_ok;
	uint16_t edns_bufsize;
	uint32_t timeout_ms;
};

enum upstream_failure {
	UPSTREAM_TIMEOUT = 1,
	UPSTREAM_NETERR = 2,           /* unreachable, refused, reset */
	UPSTREAM_MALFORMED = 3         /* TCP stream broken, packet unparseable */
};

struct iter_env {
	void *io;
	/* Returns 0, or -1 if the query could not be sent (then no callback
	 * will come: the engine treats it as an immediate failure). */
	int (*send_query)(void *io, const struct upstream_query *q, void *token);
	/* Exactly once per client passed to iter_resolve. wire is only valid
	 * during the call. */
	void (*deliver)(void *io, void *client, const uint8_t *wire, size_t len, uint16_t ede);
	time_t (*now)(void *io);       /* wall clock, seconds: TTLs */
	uint64_t (*now_ms)(void *io);  /* monotonic milliseconds: RTT, timeouts */
};

/* Upstream queries by the zone asked: the root, a TLD, or below. */
enum upstream_class { UPSTREAM_ROOT = 0, UPSTREAM_TLD, UPSTREAM_OTHER, UPSTREAM_CLASSES };
/* Validation results of client questions. */
enum iter_dnssec { ITER_SECURE = 0, ITER_INSECURE, ITER_BOGUS, ITER_DNSSEC_RESULTS };

struct iter_stats {
	uint64_t client_queries;       /* iter_resolve calls */
	uint64_t coalesced;            /* joined an identical question in flight */
	uint64_t upstream_queries;     /* probes included */
	uint64_t probes;               /* exploration on the side (select.c) */
	uint64_t upstream_timeouts;
	uint64_t upstream_tcp;
	uint64_t servfail;
	uint64_t aggressive_nsec;      /* negative answers from cached NSEC ranges */
	uint64_t local_root;           /* questions answered by the local root copy */
	uint64_t prefetch;             /* refreshes started (iter_refresh) */
	uint64_t in_flight;            /* now */
	uint64_t upstream_class[UPSTREAM_CLASSES];  /* upstream_queries, split */
	uint64_t upstream_rcode[16];   /* replies by header rcode */
	uint64_t dnssec[ITER_DNSSEC_RESULTS];      /* client questions validated */
	struct hist upstream_rtt;      /* UDP replies (hist_upstream_rtt) */
};

/* Create an engine for one worker. Takes a reference on cfg. NULL on
 * allocation failure. */
struct iter *iter_create(const struct iter_env *env, struct cache *cache, struct iter_config *cfg);

/* Release the engine. Clients still waiting are delivered SERVFAIL first. */
void iter_destroy(struct iter *it);

/* Use cfg for queries started from now on (reload). */
void iter_set_config(struct iter *it, struct iter_config *cfg);

/* Resolve a question for a client. flags: the client's RD and CD header
 * bits, and ITER_FLAG_DO when the client set EDNS DO. env->deliver is
 * called exactly once for client, possibly before this returns. */
void iter_resolve(struct iter *it, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass, uint16_t flags, void *client);

/* Fetch the answer to a question afresh, without a client, ignoring
 * what the cache holds for it (prefetch, stale refresh); the result goes
 * into the cache. Nothing happens when the question is being resolved
 * already. */
void iter_refresh(struct iter *it, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass, uint16_t flags);

/* I/O layer callbacks for a query previously handed to send_query. */
void iter_upstream_reply(struct iter *it, void *token, const uint8_t *pkt, size_t len);
void iter_upstream_failed(struct iter *it, void *token, enum upstream_failure why);

void iter_get_stats(const struct iter *it, struct iter_stats *out);

/* ---- for the operator (resolverctl); the engine's own thread only ---- */

/* The servers asked most: a copy of this engine's per-server table
 * (bounded; see upstats.c), with each one's smoothed RTT. *out is
 * malloc'd (the caller frees it). Returns the count, -1 without memory. */
int iter_upstream_table(struct iter *it, struct top_entry **out);

/* Forget what was learned about server addr (RTT, timeouts, holddown,
 * EDNS and TCP trouble); NULL: about every server, and every zone held
 * down. */
void iter_flush_infra(struct iter *it, const struct netaddr *addr);

/* Forget which servers sent data that failed validation. */
void iter_flush_bogus(struct iter *it);


#define ITER_LOOKUP_NS_MAX 32
#define ITER_LOOKUP_ADDRS_MAX 64

enum iter_lookup_source { LOOKUP_CACHE, LOOKUP_HINTS, LOOKUP_STUB, LOOKUP_FORWARD };

struct iter_lookup_server {
	struct netaddr addr;
	int ns;                        /* index into ns[], -1: configured address */
	uint32_t srtt_ms;              /* 0: never measured */
	uint32_t score_ms;             /* what server selection ranks by: the
	                                * smoothed RTT, or a guess when unmeasured */
	uint32_t rto_ms;
	bool down;                     /* held down after timeouts */
	bool bogus;                    /* sent bogus data lately */
	bool unusable;                 /* do-ip4/do-ip6, do-not-query-localhost */
	bool no_edns;
};

/* The delegation a question for name would start from, and its servers
 * with what this engine knows of them, in no particular order. */
struct iter_lookup {
	uint8_t zone[DNAME_MAX];
	enum iter_lookup_source source;
	int nns;
	uint8_t ns[ITER_LOOKUP_NS_MAX][DNAME_MAX];
	int naddrs;
	struct iter_lookup_server addrs[ITER_LOOKUP_ADDRS_MAX];
};

/* Fill *out for name. 0, or -1 without memory. */
int iter_lookup(struct iter *it, const uint8_t *name, struct iter_lookup *out);

/* Flag bit for iter_resolve: the client's DO bit. */
#define ITER_FLAG_DO 0x0001

#endif
