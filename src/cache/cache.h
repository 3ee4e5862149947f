/*
 * cache.h -- the shared DNS cache: RRsets and whole answers.
 *
 * One cache serves all worker threads. It is split into shards, each with
 * its own mutex, hash table and LRU list, so the hit path takes one shard
 * lock for a few hundred nanoseconds and there is no global lock. The byte
 * bound (cache-size) is divided between the shards and is hard: storing an
 * entry first evicts least recently used entries of its shard until it
 * fits; an entry larger than a shard's budget is not stored. Bytes counted
 * are everything malloc'd for an entry, key and header included.
 *
 * Two kinds of entry share the shards:
 *  - RRsets, keyed by (owner, type, class), with their RRSIGs, trust rank
 *    and DNSSEC state; the iterator's working knowledge (delegations, glue,
 *    CNAMEs, DS/DNSKEY).
 *  - Answers, keyed by (qname, qtype, qclass, variant): a complete wire
 *    response as built for the first client, plus the offsets of its TTL
 *    fields. A hit copies it into the caller's buffer and subtracts the
 *    entry's age from each TTL: no parsing, no allocation. Negative answers
 *    (NXDOMAIN, NODATA, with the SOA in authority; RFC 2308) and cached
 *    failures are answers too.
 * Beside the shards, validated NSEC/NSEC3 records for aggressive negative
 * caching (RFC 8198) are kept per zone in canonical order (see below).
 *
 * Time is passed in by the caller (seconds, the environment's clock), so
 * tests drive the cache with a fake clock.
 *
 * Ownership: store functions copy what they are given. Lookups copy out:
 * into an arena (RRsets) or into the caller's buffer (answers). No pointer
 * into the cache is ever handed out.
 */
#ifndef RESOLVERD_CACHE_CACHE_H
#define RESOLVERD_CACHE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/arena.h"
#include "util/rrset.h"

struct cache;

struct cache_stats {
	uint64_t bytes;           /* bytes currently held (NSEC records too) */
	uint64_t max_bytes;
	uint64_t rrsets;          /* entries of each kind */
	uint64_t answers;
	uint64_t hits;            /* answer lookups that hit */
	uint64_t misses;
	uint64_t evictions;       /* entries dropped to make room */
	uint64_t denials;         /* NSEC/NSEC3 records kept for aggressive use */
};

/* Answer-cache variants: answers differ by what the client asked. */
#define CACHE_VARIANT_DO 0x01  /* includes RRSIGs */
#define CACHE_VARIANT_CD 0x02  /* checking disabled: unvalidated data */

/* Create a cache bounded by max_bytes (at least 64 KiB is enforced).
 * Returns NULL on allocation failure. */
struct cache *cache_create(size_t max_bytes);
void cache_destroy(struct cache *c);

/* Change the bound (on reload); evicts immediately if the cache shrank. */
void cache_set_max_bytes(struct cache *c, size_t max_bytes);

/* Drop everything. Each flush returns the number of entries dropped. */
uint64_t cache_flush(struct cache *c);

/* Drop every entry whose owner/qname is at or below name. */
uint64_t cache_flush_zone(struct cache *c, const uint8_t *name);

/* Drop every entry whose owner/qname is name (any type), and the
 * validated NSEC/NSEC3 zones that could deny it (aggressive use). */
uint64_t cache_flush_name(struct cache *c, const uint8_t *name);

/* Drop what failed DNSSEC validation: RRsets marked bogus, and answers
 * remembered as SERVFAIL for a DNSSEC reason (EDE 6-12). */
uint64_t cache_flush_bogus(struct cache *c);

void cache_get_stats(struct cache *c, struct cache_stats *out);

/* ---- RRsets ---- */

/* Store rs (its ttl is the lifetime from now). Replaces an existing set of
 * the same key only if rs->trust >= the stored trust, or the stored one
 * has expired. Returns 1 stored, 0 kept the old one, -1 no memory/too big. */
int cache_rrset_store(struct cache *c, const struct rrset *rs, time_t now);

/* Look up a live RRset; on success fills *out with a copy allocated in
 * arena, its ttl the remaining lifetime, and returns true. */
bool cache_rrset_lookup(struct cache *c, const uint8_t *owner, uint16_t type,
    uint16_t rclass, time_t now, struct arena *arena, struct rrset *out);

/* Change the DNSSEC state (and trust) of a stored RRset whose data equals
 * rs's, e.g. after validation. No effect if absent. */
void cache_rrset_update_security(struct cache *c, const struct rrset *rs, uint8_t security, uint8_t trust);

/* ---- Answers ---- */

struct cache_answer_info {
	uint16_t ede;             /* EDE to attach (EDE_NONE for none) */
	uint16_t rcode;
	bool stale;               /* served past expiry (serve-stale) */
	bool recheck;             /* stale, and a refresh failed lately: do not
	                           * try again yet (RFC 8767 failure recheck) */
	uint32_t orig_ttl;        /* lifetime the entry was stored with */
	uint32_t remaining;       /* seconds left (0 when stale) */
};

/* Store a built response. wire holds a complete message (any ID; the hit
 * path rewrites it) without an OPT record; ttl_offs lists every TTL field
 * in it. ttl is the entry's lifetime: normally the smallest TTL in it.
 * ede is remembered and reported on hits. Returns 0, or -1 if not stored. */
int cache_answer_store(struct cache *c, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass, uint8_t variant, const uint8_t *wire, size_t len,
    const uint16_t *ttl_offs, size_t n_ttl, uint32_t ttl, uint16_t ede, time_t now);

/* Copy the answer for this question into out (cap bytes) with each TTL
 * reduced by the entry's age. stale_window > 0 also returns an entry that
 * expired less than that many seconds ago, with TTLs set to stale_ttl and
 * info->stale true. Returns the length, or 0 on a miss (or if cap is too
 * small). Allocates nothing; takes one shard lock. */
size_t cache_answer_lookup(struct cache *c, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass, uint8_t variant, time_t now, uint32_t stale_window,
    uint32_t stale_ttl, uint8_t *out, size_t cap, struct cache_answer_info *info);

/* A fresh answer to this question could not be had. Returns true when
 * the entry held must not be replaced by the failure: it is still fresh
 * (a prefetch failed), or it expired less than stale_window seconds ago
 * and can be served stale (then lookups report info->recheck for the
 * next recheck seconds). False when there is nothing worth keeping. */
bool cache_answer_keep_on_failure(struct cache *c, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass, uint8_t variant, time_t now, uint32_t stale_window, uint32_t recheck);

/* Remove one answer entry (e.g. when a fresher answer is being fetched). */
void cache_answer_remove(struct cache *c, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass, uint8_t variant);

/* ---- Validated denial of existence (RFC 8198) ----
 *
 * NSEC and NSEC3 records that validation proved authentic, per zone in
 * canonical order, with the zone's SOA, so that a proof for another name
 * can be put together from them later, by any worker. Apart from the
 * shards (its own lock), within an eighth of cache-size beyond its 64 KiB
 * minimum, which the shards do not get: least recently used zones go
 * first. Counted in the stats' bytes; flushed with the rest. */

/* Remember the NSEC or NSEC3 sets among sets that are SEC_SECURE, have
 * one record and are owned at or below zone, each for the lesser of its
 * TTL and ttl; and soa (zone's SOA, may be NULL) for soa_ttl. */
void cache_denial_store(struct cache *c, const uint8_t *zone, const struct rrset *soa,
    uint32_t soa_ttl, const struct rrset *sets, int n, uint32_t ttl, time_t now);

/* The zone to prove name from: the closest enclosing one held here (with
 * parent_side, the closest strictly above name: where a DS lives). False
 * unless it has records and a live SOA; else its name goes to zone
 * (DNAME_MAX bytes), its chain kind to *nsec3 and a copy of its SOA (in
 * arena, ttl the time left) to *soa. */
bool cache_denial_zone(struct cache *c, const uint8_t *name, bool parent_side, time_t now,
    struct arena *a, uint8_t *zone, bool *nsec3, struct rrset *soa);

/* The live record of zone's chain whose owner is the last at or before
 * name in canonical order (the last of the zone when name sorts first),
 * copied into arena with ttl the time left. */
bool cache_denial_lookup(struct cache *c, const uint8_t *zone, const uint8_t *name, time_t now,
    struct arena *a, struct rrset *out);

#endif
