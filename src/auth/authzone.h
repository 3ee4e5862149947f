/*
 * authzone.h -- a local, read-only authoritative copy of one zone, in
 * practice the root zone (RFC 8806 "local root").
 *
 * authzone_load reads a zone file once and checks it; authzone_answer
 * then produces, for a question the resolver would have sent upstream,
 * the response the zone's authoritative server would send, so the
 * engine can take it as if it came from the network.
 *
 * Ownership: struct authzone owns everything it holds; nothing keeps a
 * pointer to the arguments of any call. Pointers it returns
 * (authzone_origin) live until authzone_free. A loaded zone is never
 * modified, so any number of threads may call authzone_answer and the
 * accessors on it at once, without locks. Answering does not allocate,
 * takes O(labels * log n) and never touches ldns (ldns only parses the
 * file at load).
 *
 * What a zone file may hold:
 *  - class IN only; every owner at or below the origin; exactly one SOA,
 *    at the apex; an NS set at the apex; DS records only at delegations
 *    (names below the apex with an NS set).
 *  - Every name server of a delegation that lies below that delegation,
 *    and every name server (of the apex or of a delegation) that lies in
 *    the zone's own authoritative data, needs an A or AAAA record in the
 *    file. Name servers below some other delegation ("sibling glue") may
 *    come without one: the resolver can look them up there.
 *  - Signed zones with NSEC or with NSEC3 (RFC 5155, SHA-1, the
 *    parameters of the apex NSEC3PARAM on every NSEC3 record, at most
 *    VAL_NSEC3_MAX_ITERATIONS iterations), not both. Proofs are served as
 *    they are in the file; a zone whose chain has gaps gets incomplete
 *    proofs, which a validator will call bogus.
 *  - Not supported, refused at load: wildcard owners ("*" as first label)
 *    and DNAME records (a root zone has neither, and synthesising from
 *    them is out of scope); $INCLUDE; more than AUTHZONE_MAX_RECORDS
 *    records or AUTHZONE_MAX_NAMES names (empty non-terminals included).
 *  - Data below a delegation other than addresses (occluded data) is kept
 *    out of answers, as a server does; it is not an error.
 *  - Duplicate records are merged; an RRset's TTL is the lowest TTL of
 *    its records.
 */
#ifndef RESOLVERD_AUTH_AUTHZONE_H
#define RESOLVERD_AUTH_AUTHZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Far above the root zone's ~22,000 records: a file that big is a
 * mistake, not a zone we were meant to serve. */
#define AUTHZONE_MAX_RECORDS 1000000
#define AUTHZONE_MAX_NAMES 1000000

struct authzone;

/* Load and check the zone file at path, whose origin is origin (a
 * wire-format name; the root is the single byte 0). now is the wall
 * clock. Returns NULL on any problem, with one sentence in err:
 * "path:line: reason" when a line is to blame, "path: reason" otherwise.
 * A zone copy whose file modification time plus SOA EXPIRE lies before
 * now is refused as stale. */
struct authzone *authzone_load(const char *path, const uint8_t *origin, time_t now,
    char *err, size_t errlen);

/* Free z and everything it owns. NULL is allowed. */
void authzone_free(struct authzone *z);

/* Seconds since the epoch after which the copy must no longer be used:
 * the file's modification time plus SOA EXPIRE (RFC 8806 section 3). */
time_t authzone_expires(const struct authzone *z);

/* The zone's origin, lower case, valid until authzone_free. */
const uint8_t *authzone_origin(const struct authzone *z);

uint32_t authzone_serial(const struct authzone *z);

/* Whether the zone is signed: a DNSKEY set at the apex, with RRSIGs. */
bool authzone_signed(const struct authzone *z);

/*
 * Write into out (cap bytes) the response the zone's authoritative server
 * would send to qname/qtype/qclass: ID 0, QR set, RD clear, opcode QUERY,
 * the question as given (case kept), no OPT record.
 *  - At or below a delegation: a referral without AA. Authority: the NS
 *    set; with dnssec_ok also the DS set and its RRSIGs, or the signed
 *    NSEC/NSEC3 records proving there is none. Additional: the A and
 *    AAAA records the zone has for the delegation's name servers.
 *    Qtype DS at exactly the delegation is answered from this side of
 *    the cut instead, with AA (the DS set, or NODATA).
 *  - Data of qtype at qname: AA answer. A CNAME at qname answers any
 *    other qtype with the CNAME alone; it is not followed. An answer
 *    with the apex NS set carries the name servers' addresses in
 *    additional. ANY gets every RRset at the name; RRSIG gets every
 *    signature at the name.
 *  - qname exists (or is an empty non-terminal) without qtype: NODATA,
 *    AA, the SOA in authority with TTL min(SOA TTL, SOA MINIMUM).
 *  - qname does not exist: NXDOMAIN, AA, the SOA as for NODATA.
 * With dnssec_ok, records carry their RRSIGs and negative answers carry
 * their proofs (RFC 4035 section 3.1.3, RFC 5155 section 7.2): for
 * NXDOMAIN the NSEC covering qname and the one covering the wildcard at
 * the closest encloser, or the NSEC3 closest encloser proof plus the
 * NSEC3 covering that wildcard. Explicitly asked types (DS, NSEC,
 * DNSKEY, RRSIG) are answered whatever dnssec_ok says.
 *
 * Returns the message length, or 0 when there is no such response from
 * this zone: qname not at or below the origin, qclass not IN, qtype a
 * meta type (OPT, IXFR, AXFR, MAILA, MAILB), or the whole response does
 * not fit in cap (65535 bytes always fits a root zone's responses).
 * Never allocates.
 */
size_t authzone_answer(const struct authzone *z, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass, bool dnssec_ok, uint8_t *out, size_t cap);

#endif
