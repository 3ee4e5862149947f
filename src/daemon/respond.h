/*
 * respond.h -- the DNS side of answering a client.
 *
 * Two things: deciding which queries are answered without resolving
 * (malformed, refused, unsupported, RFC 8482 ANY), and fitting a canonical
 * answer to one client. A canonical answer is what the cache stores and
 * the engine delivers: a complete message with ID 0, no OPT record, the
 * first asker's RD/CD and letter case. Fitting it sets the client's ID,
 * question bytes (the same name, so the same length: this restores the
 * client's case, e.g. 0x20 randomisation), RD and CD, appends an OPT (with
 * an Extended DNS Error when there is one) if the client sent EDNS, and
 * truncates to what the client takes: 512 bytes without EDNS, its EDNS size
 * within [512, max-udp-size], 65535 over TCP. The cache-hit path and the
 * engine's answers share this code.
 *
 * Nothing here allocates or does I/O.
 */
#ifndef RESOLVERD_DAEMON_RESPOND_H
#define RESOLVERD_DAEMON_RESPOND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/config.h"
#include "util/wire.h"

/* What an answer must look like for one client; small enough to keep with
 * each query that waits for the engine. */
struct respond_client {
	uint16_t id;
	uint16_t flags;                /* the query's header flags */
	uint16_t qtype, qclass;
	uint16_t qname_len;
	uint16_t limit;                /* largest answer the client takes */
	uint16_t our_udp_size;         /* advertised in our OPT */
	bool edns;
	bool dnssec_ok;
	uint8_t qname[DNAME_MAX];      /* as the client wrote it */
};

enum respond_verdict {
	RESPOND_DROP,                  /* say nothing */
	RESPOND_ANSWERED,              /* an answer is in out */
	RESPOND_RESOLVE                /* answer from the cache or the engine */
};

/* TTL of the synthesized RFC 8482 answer to ANY. */
#define RESPOND_ANY_TTL 3600

/* Decide what to do with a query of len bytes from a client whose
 * access-control verdict is acl. On RESPOND_RESOLVE, *msg holds the parsed
 * header and question and *c the client's needs. On RESPOND_ANSWERED the
 * answer is in out (cap bytes, at least 512) and *outlen is its length.
 * tcp and max_udp (the max-udp-size setting) set the client's size limit.
 * Nothing is kept: all buffers are the caller's. */
enum respond_verdict respond_query(const uint8_t *pkt, size_t len, enum acl_action acl,
    bool tcp, uint16_t max_udp, struct dns_msg *msg, struct respond_client *c,
    uint8_t *out, size_t cap, size_t *outlen);

/* The answer-cache variant (CACHE_VARIANT_*) for the client's question. */
uint8_t respond_cache_variant(const struct respond_client *c);

/* The flags for iter_resolve: the client's RD and CD, ITER_FLAG_DO. */
uint16_t respond_iter_flags(const struct respond_client *c);

/* Fit the canonical answer in buf (len bytes; the buffer holds cap) to
 * client c, in place, attaching ede (EDE_NONE for none) when the client
 * has EDNS. Returns the new length, or 0 when buf is not an answer to c's
 * question (the caller then sends respond_error SERVFAIL). */
size_t respond_patch(uint8_t *buf, size_t len, size_t cap,
    const struct respond_client *c, uint16_t ede);

/* Write an answer with no records and the given rcode (BADVERS included)
 * to c's question into buf (cap >= 512). Returns its length. */
size_t respond_error(uint8_t *buf, size_t cap, const struct respond_client *c,
    uint16_t rcode, uint16_t ede);

#endif
