/*
 * iter_internal.h -- what the files of the engine share with each other.
 * Nothing outside src/iter includes this.
 *
 * A question being resolved is a struct qstate. It lives in the iter's
 * mesh (a hash table keyed by name, type, class and flags) so identical
 * questions join it instead of starting another resolution. Its waiters
 * are clients (delivered a wire answer) and parent qstates (resumed when a
 * subquery they need, e.g. the address of a name server, is done).
 *
 * All memory of a qstate, delegation points included, comes from its
 * arena. The only things malloc'd separately are the qstate itself and
 * the pending records of upstream queries, because the I/O layer holds a
 * pointer to those (the token) that may outlive the qstate.
 *
 * Control flow: entry points (iter_resolve, iter_upstream_*) only change
 * state and put qstates on the run queue; iter_run works the queue until it
 * is empty. A qstate therefore never runs inside another's stack frame and
 * re-entrancy is impossible.
 */
#ifndef RESOLVERD_ITER_INTERNAL_H
#define RESOLVERD_ITER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "iter/iter.h"
#include "util/arena.h"
#include "util/rrset.h"
#include "util/wire.h"

/* Limits: every loop the network can drive is bounded here. */
#define ITER_MAX_CNAME_CHAIN   12   /* CNAME/DNAME hops per query */
#define ITER_MAX_REFERRALS     30   /* delegations followed per name */
#define ITER_MAX_UPSTREAM      40   /* upstream queries per qstate */
#define ITER_MAX_WORK         100   /* ... per client question, subqueries included */
#define ITER_MAX_SUBQUERY_DEPTH 6   /* NS-address lookups within lookups */
#define ITER_MAX_NS_LOOKUPS     6   /* NS names resolved per delegation */
#define ITER_MAX_CHILDREN      16   /* subqueries outstanding per qstate */
#define ITER_MAX_PARENT_FALLBACK 2  /* re-asks of a parent for fresh glue */
#define ITER_PRIME_HOLDDOWN    60   /* seconds on hints after priming failed */
#define ITER_MAX_VAL_FETCHES   24   /* DS/DNSKEY lookups for one answer */
#define ITER_MAX_KEY_DEPTH     24   /* zone cuts walked from the anchor */
#define ITER_SOURCES           32   /* recent (zone, server) pairs remembered */
#define ITER_MAX_BOGUS_RETRY    2   /* refetches of key material per question */
#define ITER_BOGUS_HOLDDOWN    60   /* seconds a server that sent bogus data is avoided */
#define ITER_MAX_DP_ADDRS      64   /* addresses kept per delegation */
#define ITER_MAX_TRIES_PER_ADDR 2   /* sends to one address per qstate */
#define ITER_MINIMISE_MAX      10   /* minimised queries before giving up */
#define ITER_MINIMISE_ONE_LAB   4   /* first labels added one at a time */
#define ITER_SERVFAIL_TTL       5   /* seconds a failure answer is kept */
#define ITER_MAX_REFRESH_BACKLOG 1000 /* questions in flight: no refresh above */
#define ITER_ANSWER_MAX     65535
#define ITER_TTL_OFFS_MAX    2048

/* Glue (addresses learned from a referral's additional section) is cached
 * under this private class, apart from the same names' authoritative
 * addresses: neither overwrites the other, so when the child's own view of
 * a name server's address is wrong, the parent's still works (and glue is
 * never handed to clients as an answer). */
#define ITER_CLASS_GLUE 0xfe01

/* One address of a delegation point, with what this qstate learned. */
struct dp_addr {
	struct netaddr addr;
	const uint8_t *ns_name;      /* in the qstate arena; NULL for stub/forward */
	uint8_t sent;                /* queries sent to it by this qstate */
	bool failed;                 /* lame, refused, unreachable: skip */
	bool no_edns;                /* answered FORMERR to EDNS: resend plain */
};

struct dp_ns {
	const uint8_t *name;
	bool lookup_done;            /* address subquery finished (or in cache) */
	bool lookup_started;
};

/* A delegation point: the servers of the closest known enclosing zone. */
struct delegpt {
	const uint8_t *zone;
	bool forward;                /* recursive upstreams: RD=1, no qmin */
	bool from_hints;             /* root hints, not a cached NS set */
	bool configured;             /* stub or forward zone */
	int nns;
	struct dp_ns *ns;
	int ns_lookups;              /* address lookups started (NXNSAttack cap) */
	bool hold_checked;           /* infra_zone_held asked for this qstate */
	bool zone_probe;             /* this qstate probes a zone held down */
	int replies;                 /* replies from its servers to this qstate */
	int unanswered;              /* and queries that got none (timeout, error) */
	int naddr;
	struct dp_addr addr[ITER_MAX_DP_ADDRS];
};

enum qs_state {
	QS_START = 0,        /* look in cache, find a delegation */
	QS_NEED_PRIME,       /* waiting for the root priming subquery */
	QS_SEND,             /* pick a server and send */
	QS_WAIT_REPLY,       /* one upstream query out */
	QS_WAIT_SUBQ,        /* waiting for NS address subqueries */
	QS_VALIDATE,         /* answer complete; DNSSEC check, may wait for keys */
	QS_DONE
};

struct waiter {
	struct waiter *next;
	void *client;                /* non-NULL: a client of the I/O layer */
	struct qstate *parent;       /* else: a qstate waiting on this one */
};

struct pending {                     /* one upstream query: the token */
	struct pending *prev, *next; /* every outstanding one, in the iter */
	struct qstate *qs;           /* NULL once the qstate is gone */
	struct iter *it;
	struct netaddr server;       /* for infra, even after qs is gone */
	int addr_index;
	bool tcp;
	bool edns;
	uint64_t sent_ms;
};

/* What one client question may cost upstream, shared by the qstates it
 * started (subqueries it created take a reference). */
struct work_budget {
	int refs;
	int upstream;                /* queries sent on its behalf */
};

struct qstate {
	struct qstate *mesh_next;
	struct qstate *run_next;
	bool on_run_queue;
	uint32_t hash;
	struct iter *it;
	struct iter_config *cfg;
	struct arena arena;

	/* the question, as first asked */
	uint8_t qname[DNAME_MAX];
	uint16_t qtype, qclass, flags;
	int depth;                   /* 0 for client questions */
	struct work_budget *budget;  /* never NULL */
	struct waiter *waiters;
	/* subqueries this one waits for; each side unlinks itself from the
	 * other when it finishes first, so no pointer dangles */
	struct qstate *children[ITER_MAX_CHILDREN];
	int nchildren;

	enum qs_state state;
	struct pending *pending;

	/* progress: the name currently chased (after CNAMEs) */
	uint8_t cur_name[DNAME_MAX];
	int chain_len;
	struct rrset *answer[ITER_MAX_CNAME_CHAIN * 2 + 2];
	int nanswer;
	struct rrset *neg_soa;       /* for NXDOMAIN / NODATA */
	struct rrset *neg_ns;        /* the zone's NS, as the authority sent it */
	struct rrset *auth;          /* authority section of the final reply: */
	int nauth;                   /* NSEC/NSEC3 proofs for the validator */
	uint8_t security;            /* enum sec_status of the answer */
	int val_fetches;             /* DS/DNSKEY subqueries started */
	int bogus_retries;           /* key material fetched again after bogus */
	struct { const uint8_t *name; uint16_t type; } fetched[ITER_MAX_VAL_FETCHES];
	uint16_t rcode;
	uint16_t ede;
	uint32_t neg_ttl;

	struct delegpt *dp;
	int referrals;
	int parent_fallbacks;        /* times we went back to a parent zone */
	bool dp_saw_lame;            /* a server of this dp answered wrongly */
	int upstream_sent;
	bool prime_tried;
	bool refresh;                /* prefetch or stale refresh: skip the cache */
	bool local_root_failed;      /* the local root copy could not answer */
	bool no_minimise;            /* fell back to the full name */
	int minimise_labels;         /* labels in the last minimised qname */
	int minimise_count;
	const uint8_t *sent_name;    /* what the outstanding query asked */
	uint16_t sent_type;
};

struct infra;
struct nsec_cache;

struct iter {
	struct iter_env env;
	struct cache *cache;
	struct iter_config *cfg;
	struct infra *infra;
	struct nsec_cache *nsec;        /* validated NSEC ranges (RFC 8198) */
	struct iter_stats stats;
	struct qstate **mesh;
	uint32_t mesh_size;          /* buckets, power of two */
	uint32_t mesh_count;
	uint32_t hash_seed;
	struct qstate *run_head, *run_tail;
	struct pending *pending_head;   /* freed by iter_destroy if still out */
	time_t prime_holddown;          /* no priming before this: it failed */
	/* which server answered which question lately: when the data turns
	 * out bogus, that server is the suspect */
	struct { uint8_t name[DNAME_MAX]; uint16_t type; struct netaddr addr; } sources[ITER_SOURCES];
	int nsources, next_source;
	bool running;
	bool local_root_stale_logged;
	uint8_t *local_buf;             /* answers of the local root copy */
	uint8_t wire[ITER_ANSWER_MAX];
	uint16_t ttl_offs[ITER_TTL_OFFS_MAX];
};

/* iter.c */
void qstate_schedule(struct qstate *qs);
/* A token for one upstream query, linked into the iter; NULL if no memory. */
struct pending *pending_new(struct iter *it, struct qstate *qs);
void pending_free(struct iter *it, struct pending *p);
/* Start (or join) a subquery on behalf of parent. Returns false when it
 * would create a cycle or exceed the depth limit. */
bool qstate_subquery(struct qstate *parent, const uint8_t *name, uint16_t type,
    uint16_t qclass, uint16_t flags);
/* Flags of the engine's own subqueries: not validated (the asker checks
 * what it needs), and with DNSSEC records. */
#define ITER_SUBQUERY_FLAGS (FLAG_CD | ITER_FLAG_DO)
/* Finish a qstate: deliver, wake parents, free. */
void qstate_finish(struct qstate *qs);

/* resolve.c: advance a qstate as far as it can go without waiting. */
void resolve_step(struct qstate *qs);
void resolve_on_reply(struct qstate *qs, struct pending *p, const uint8_t *pkt, size_t len);
void resolve_on_failure(struct qstate *qs, struct pending *p, enum upstream_failure why);

/* Remember that addr answered name/type (for blame if it turns out bogus). */
void resolve_remember_source(struct iter *it, const uint8_t *name, uint16_t type, const struct netaddr *addr);

/* delegpt.c */
/* Closest delegation for name from config zones, cache and hints.
 * Returns NULL and sets *need_prime when the root must be primed first. */
struct delegpt *delegpt_find(struct qstate *qs, const uint8_t *name, bool *need_prime);
/* Delegation from a referral's NS set; addresses from the cache. */
struct delegpt *delegpt_from_ns(struct qstate *qs, const struct rrset *ns);
/* Add the addresses in sets (a reply's additional section) that belong to
 * the dp's name servers; with harden-glue only those at or below
 * bailiwick, the zone of the server that sent them. */
void delegpt_add_glue(const struct qstate *qs, struct delegpt *dp, const struct rrset *sets,
    int n, const uint8_t *bailiwick);
/* Add cached addresses of the dp's NS names (after a subquery). */
void delegpt_refresh_addrs(struct qstate *qs, struct delegpt *dp);
/* Whether an address may be queried under this config. */
bool delegpt_addr_usable(const struct iter_config *cfg, const struct netaddr *a);

/* validate.c: DNSSEC for a complete answer. Returns true when done (the
 * qstate's security, rcode and ede are set), false when it waits for
 * DS/DNSKEY subqueries (it is resumed when they finish). */
bool validate_answer(struct qstate *qs);
/* Whether qs's answer must be validated at all. */
bool validate_wanted(const struct qstate *qs);

/* nsec_cache.c: aggressive use of validated NSEC (RFC 8198). */
struct nsec_cache *nsec_cache_create(void);
void nsec_cache_destroy(struct nsec_cache *nc);
/* Remember the NSEC sets among sets (validated, of zone), with the zone's
 * SOA, for at most ttl seconds. Copies what it keeps. */
void nsec_cache_add(struct nsec_cache *nc, const uint8_t *zone, const struct rrset *soa,
    const struct rrset *sets, int n, uint32_t ttl, time_t now);
/* Answer qs's current name from remembered ranges: on true, rcode,
 * neg_soa, neg_ttl, auth and security are set (secure). */
bool nsec_cache_answer(struct nsec_cache *nc, struct qstate *qs, time_t now);

/* answer.c */
/* Build the canonical answer for qs into it->wire, cache it, and return
 * its length (0 when it could not be built). */
size_t answer_build(struct qstate *qs, uint16_t *ede);
/* Answer from the rrset cache alone if possible (positive data and
 * CNAME chains). Returns true when qs is complete. */
bool answer_from_cache(struct qstate *qs);

/* A referral to child without a DS set but with signed NSEC/NSEC3
 * records proves the child has none: cache that as the answer to "child
 * DS" so the validator need not ask (the proof is checked when used). */
void answer_store_ds_denial(struct qstate *qs, const uint8_t *child, const struct rrset *auth, int nauth);

/* Append rs to qs's answer chain; false when the chain is full. */
bool answer_push(struct qstate *qs, struct rrset *rs);

/* Whether name already owns a CNAME of qs's chain, or is its question:
 * following it would loop. */
bool answer_alias_seen(const struct qstate *qs, const uint8_t *name);

/* infra.c: what one worker knows about upstream addresses and zones. */
#define INFRA_RTT_UNKNOWN    376    /* ms: the score of an address never measured */
#define INFRA_RTO_INITIAL    400    /* ms, for an address never measured */
#define INFRA_RTO_MIN        200    /* below this, load on the host alone causes timeouts */
#define INFRA_RTO_MAX       4000
#define INFRA_DOWN_TIMEOUTS    3    /* consecutive timeouts: the address is down */
#define INFRA_HOLDDOWN_MIN  1000    /* ms held down after that, doubling per timeout */
#define INFRA_HOLDDOWN_MAX 30000
#define INFRA_ZONE_PROBE_MS 5000    /* a zone's probe query may take this long */
#define INFRA_TCP_BROKEN_MS 60000   /* a server's TCP failed: not tried again for this long */
#define INFRA_MAX_OUTSTANDING 1000  /* queries in flight to one address */
#define INFRA_MAX_OUTSTANDING_SUSPECT 16 /* ... while it is timing out */
#define ITER_EXPLORE_PERMILLE  50   /* choices that try a server not the fastest */

struct infra_view {
	uint32_t score;              /* smoothed RTT in ms, INFRA_RTT_UNKNOWN if none */
	uint32_t rto;                /* timeout for the next query */
	uint32_t outstanding;
	bool suspect;                /* timed out since its last reply */
	bool down;                   /* INFRA_DOWN_TIMEOUTS of them */
	bool resting;                /* timed out lately: no exploring it */
	bool held;                   /* down and not to be asked now */
	bool no_edns;
	bool bogus;                  /* sent data that failed validation lately */
};

/* Fixed memory: max_hosts addresses (rounded up to a power of two);
 * entries unused for host_ttl_s are forgotten. */
struct infra *infra_create(uint32_t max_hosts, uint32_t host_ttl_s);
void infra_destroy(struct infra *inf);
void infra_set_host_ttl(struct infra *inf, uint32_t host_ttl_s);
void infra_view(struct infra *inf, const struct netaddr *a, uint64_t now_ms, struct infra_view *v);
/* A query goes to a (counted until infra_on_done); to an address that is
 * down it is the probe, and re-arms the holddown for everyone else. */
void infra_on_send(struct infra *inf, const struct netaddr *a, uint64_t now_ms);
void infra_on_done(struct infra *inf, const struct netaddr *a, uint64_t now_ms);
void infra_report_rtt(struct infra *inf, const struct netaddr *a, uint32_t rtt_ms, uint64_t now_ms);
void infra_report_timeout(struct infra *inf, const struct netaddr *a, uint64_t now_ms);
/* A server that sent data failing validation: avoided while others
 * remain, until now_ms + ms. */
void infra_set_bogus(struct infra *inf, const struct netaddr *a, uint64_t now_ms, uint32_t ms);
void infra_set_no_edns(struct infra *inf, const struct netaddr *a, uint64_t now_ms);
/* Whether TCP to a works: a failure is remembered for INFRA_TCP_BROKEN_MS,
 * in which a truncated reply from it sends us to another server. */
void infra_report_tcp(struct infra *inf, const struct netaddr *a, bool works, uint64_t now_ms);
bool infra_tcp_broken(struct infra *inf, const struct netaddr *a, uint64_t now_ms);
/* Zones whose every server stopped answering are held down, with the
 * same backoff as addresses: queries for them fail at once instead of
 * each client retry costing upstream queries. When the holddown is over
 * one query passes as the probe (*probe set) and may ask every server,
 * held down or not. */
bool infra_zone_held(struct infra *inf, const uint8_t *zone, uint64_t now_ms, bool *probe);
void infra_zone_down(struct infra *inf, const uint8_t *zone, uint64_t now_ms);
void infra_zone_up(struct infra *inf, const uint8_t *zone);

/* select.c: which address of qs's delegation to ask next; -1 if none.
 * Sets *all_down when addresses were skipped only for being down, and
 * *probe to another address to measure on the side (exploration), or -1. */
int select_server(struct qstate *qs, bool allow_bogus, bool *all_down, int *probe);

#endif
