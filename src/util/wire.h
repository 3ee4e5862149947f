/*
 * wire.h -- the DNS message model, and parsing it from wire format.
 *
 * A parsed message keeps every record with its owner and the names inside
 * its RDATA decompressed, so records can be compared, cached and written
 * into another message without the original packet. Parsing never trusts a
 * count or a length: any inconsistency makes the whole message malformed.
 *
 * Memory: msg_parse allocates everything it returns from the arena given;
 * nothing points into the packet, which may be freed afterwards.
 */
#ifndef RESOLVERD_UTIL_WIRE_H
#define RESOLVERD_UTIL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/dname.h"

/* Types and classes used by the code (not a complete registry). */
enum {
	RR_TYPE_A = 1, RR_TYPE_NS = 2, RR_TYPE_CNAME = 5, RR_TYPE_SOA = 6,
	RR_TYPE_PTR = 12, RR_TYPE_HINFO = 13, RR_TYPE_MX = 15, RR_TYPE_TXT = 16,
	RR_TYPE_AAAA = 28, RR_TYPE_SRV = 33, RR_TYPE_NAPTR = 35, RR_TYPE_DNAME = 39,
	RR_TYPE_OPT = 41, RR_TYPE_DS = 43, RR_TYPE_RRSIG = 46, RR_TYPE_NSEC = 47,
	RR_TYPE_DNSKEY = 48, RR_TYPE_NSEC3 = 50, RR_TYPE_NSEC3PARAM = 51,
	RR_TYPE_SVCB = 64, RR_TYPE_HTTPS = 65,
	RR_TYPE_IXFR = 251, RR_TYPE_AXFR = 252, RR_TYPE_MAILB = 253,
	RR_TYPE_MAILA = 254, RR_TYPE_ANY = 255,
	RR_CLASS_IN = 1, RR_CLASS_CH = 3, RR_CLASS_ANY = 255
};

enum {
	RCODE_NOERROR = 0, RCODE_FORMERR = 1, RCODE_SERVFAIL = 2,
	RCODE_NXDOMAIN = 3, RCODE_NOTIMP = 4, RCODE_REFUSED = 5,
	RCODE_YXDOMAIN = 6, RCODE_BADVERS = 16
};

/* Header flag bits as they sit in bytes 2-3 of the header. */
#define FLAG_QR 0x8000
#define FLAG_AA 0x0400
#define FLAG_TC 0x0200
#define FLAG_RD 0x0100
#define FLAG_RA 0x0080
#define FLAG_AD 0x0020
#define FLAG_CD 0x0010
#define OPCODE_OF(flags) (((flags) >> 11) & 0xf)
#define OPCODE_QUERY 0

#define EDNS_DO 0x8000
/* Extended DNS Errors (RFC 8914) that the resolver emits. */
enum {
	EDE_NONE = 0xffff, EDE_OTHER = 0, EDE_STALE_ANSWER = 3,
	EDE_STALE_NXDOMAIN = 19,
	EDE_DNSSEC_BOGUS = 6, EDE_SIG_EXPIRED = 7, EDE_SIG_NOT_YET = 8,
	EDE_DNSKEY_MISSING = 9, EDE_RRSIGS_MISSING = 10, EDE_NSEC_MISSING = 12,
	EDE_CACHED_ERROR = 13, EDE_NOT_READY = 14, EDE_BLOCKED = 15,
	EDE_PROHIBITED = 18, EDE_NO_REACHABLE_AUTHORITY = 22,
	EDE_NETWORK_ERROR = 23, EDE_INVALID_DATA = 24
};

#define DNS_HEADER_SIZE 12
/* What we advertise and accept over UDP upstream (DNS flag day 2020). */
#define EDNS_UPSTREAM_BUFSIZE 1232

enum msg_section { SEC_ANSWER = 0, SEC_AUTHORITY = 1, SEC_ADDITIONAL = 2 };

/* One resource record. owner and rdata are uncompressed; names inside
 * rdata of the types whose layout we know (RFC 3597 section 4 plus RRSIG,
 * NSEC, SRV, NAPTR) are decompressed too. */
struct dns_rr {
	const uint8_t *owner;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rdata;
};

struct dns_edns {
	bool present;
	uint8_t version;
	uint8_t ext_rcode;      /* upper 8 bits of the 12-bit rcode */
	uint16_t udp_size;      /* as sent, not clamped */
	uint16_t flags;         /* DO is EDNS_DO */
	uint16_t ede;           /* first Extended DNS Error, EDE_NONE if absent */
	uint16_t opts_len;      /* raw options, for options we pass through */
	const uint8_t *opts;
};

struct dns_msg {
	uint16_t id;
	uint16_t flags;         /* QR AA TC RD RA AD CD, opcode; rcode bits too */
	uint16_t rcode;         /* full rcode including EDNS extension */
	uint16_t qdcount;
	uint8_t qname[DNAME_MAX];  /* as received, case preserved */
	uint16_t qname_len;
	uint16_t qtype;
	uint16_t qclass;
	struct dns_rr *rr[3];   /* indexed by enum msg_section */
	uint16_t count[3];
	struct dns_edns edns;
};

/* Outcomes of parsing. */
enum wire_status {
	WIRE_OK = 0,
	WIRE_SHORT = -1,        /* not even a header: drop silently */
	WIRE_MALFORMED = -2     /* header readable, rest not: FORMERR */
};

/* Parse only header and question (the cache-hit path). qdcount other than 1
 * is reported in msg->qdcount and qname is left empty. The EDNS record is
 * located and parsed when an additional section is announced, without
 * parsing the rest (it must be the only record there and the last record,
 * which is what every client sends; otherwise falls back to a full parse).
 * No allocation: msg->edns.opts points into pkt. */
enum wire_status msg_parse_query(const uint8_t *pkt, size_t len, struct dns_msg *msg);

/* Parse a whole message into msg; records come from arena. */
enum wire_status msg_parse(const uint8_t *pkt, size_t len, struct dns_msg *msg, struct arena *arena);

/* Offset just past the question section of a packet whose header and
 * question parsed; 0 if none. */
size_t msg_question_end(const uint8_t *pkt, size_t len);

/* Whether names in this type's RDATA may be compressed when written. */
bool rr_type_rdata_compressible(uint16_t type);

/* Layout of the RDATA of types whose names we know about, NULL for other
 * types (their RDATA is opaque). One character per field:
 * '1'..'9' that many fixed bytes; 'S' a <character-string>; 'N' a domain
 * name that a sender may have compressed; 'n' a domain name that must not
 * be compressed (RRSIG, NSEC); 'R' the rest of the RDATA, possibly empty.
 * Without a final 'R' the fields must fill the RDATA exactly. */
const char *rr_rdata_layout(uint16_t type);

/* Compare two rdata in canonical form (RFC 4034 section 6.2: embedded
 * names lower-cased for the types listed there). <0, 0, >0. */
int rdata_canonical_cmp(uint16_t type, const uint8_t *a, uint16_t alen, const uint8_t *b, uint16_t blen);

/* Name of a type or class for logs ("A", "TYPE65280"); buf >= 16 bytes. */
const char *rr_type_str(uint16_t type, char *buf);
const char *rcode_str(uint16_t rcode);

/* Big-endian helpers. */
static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p)
{ return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static inline void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void wr32(uint8_t *p, uint32_t v)
{ p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v; }

#endif
