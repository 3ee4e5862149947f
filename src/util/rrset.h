/*
 * rrset.h -- an RRset with its signatures: the unit the cache stores and
 * the iterator reasons about.
 *
 * The rdata array holds `count` data records followed by `sigcount` RRSIGs
 * that cover this RRset. Memory is owned by whoever made the struct: an
 * arena for parsed or looked-up RRsets, the cache for stored ones (the
 * cache hands out copies only).
 */
#ifndef RESOLVERD_UTIL_RRSET_H
#define RESOLVERD_UTIL_RRSET_H

#include <stdbool.h>
#include <stdint.h>
#include "util/arena.h"
#include "util/wire.h"

/* How much an RRset is believed, RFC 2181 section 5.4.1. A stored RRset
 * is only replaced by one of equal or higher trust, or once it expired. */
enum rrset_trust {
	TRUST_NONE = 0,
	TRUST_ADDITIONAL = 1,     /* glue and other additional-section data */
	TRUST_AUTH_NONAUTH = 2,   /* authority section of a referral */
	TRUST_ANS_NONAUTH = 3,    /* answer without AA (e.g. from a forwarder) */
	TRUST_AUTH_AA = 4,        /* authority section of an authoritative answer */
	TRUST_ANS_AA = 5,         /* answer section of an authoritative answer */
	TRUST_VALIDATED = 6,      /* DNSSEC secure */
	TRUST_LOCAL = 7           /* configured: hints, local-data, root zone */
};

/* DNSSEC state; validation itself is the validator's business. */
enum sec_status {
	SEC_UNCHECKED = 0, SEC_BOGUS, SEC_INDETERMINATE, SEC_INSECURE, SEC_SECURE
};

struct rdata {
	uint16_t len;
	const uint8_t *data;
};

struct rrset {
	const uint8_t *owner;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;             /* remaining TTL of the set (min over records) */
	uint16_t count;
	uint16_t sigcount;
	struct rdata *rdata;      /* count + sigcount entries */
	uint8_t trust;            /* enum rrset_trust */
	uint8_t security;         /* enum sec_status */
};

/* Group the records of one section of msg into RRsets (records of the same
 * owner, type and class; RRSIGs attached to the set they cover by type
 * covered and owner). Duplicated records are dropped. Returns the number
 * of sets written to *out (allocated in arena), -1 on allocation failure.
 * TTL of a set is the minimum of its records' TTLs. */
int rrsets_from_section(const struct dns_msg *msg, enum msg_section sec,
    struct arena *arena, struct rrset **out);

/* Find the first RRset in sets with this owner (case-insensitive) and type. */
struct rrset *rrset_find(struct rrset *sets, int n, const uint8_t *owner, uint16_t type);

/* Deep copy into arena. */
struct rrset *rrset_copy(const struct rrset *rs, struct arena *arena);

/* True if a and b hold the same records (ignoring TTL, order, signatures). */
bool rrset_equal_data(const struct rrset *a, const struct rrset *b);

#endif
