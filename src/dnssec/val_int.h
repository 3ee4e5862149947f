/*
 * val_int.h -- what the files of src/dnssec share with each other.
 * Nothing outside src/dnssec includes this.
 */
#ifndef RESOLVERD_DNSSEC_VAL_INT_H
#define RESOLVERD_DNSSEC_VAL_INT_H

#include "dnssec/dnssec.h"

/* Fixed part of RRSIG RDATA before the signer name. */
#define RRSIG_FIXED 18

/* A parsed RRSIG RDATA; pointers go into the RDATA. */
struct rrsig {
	uint16_t covered;
	uint8_t alg;
	uint8_t labels;
	uint32_t origttl;
	uint32_t expire;
	uint32_t incept;
	uint16_t keytag;
	const uint8_t *signer;
	size_t signerlen;
	const uint8_t *sig;
	size_t siglen;
};

/* Length of the uncompressed name at p if it lies within max bytes and
 * is well formed; -1 otherwise. RDATA handed to us came through the wire
 * parser, but the anchor file and the cache are other sources, so every
 * name read from RDATA is bounded again. */
int val_name_len(const uint8_t *p, size_t max);

/* Digest length of a DS digest type we support, 0 for one we do not. */
size_t val_digest_len(uint8_t digest);

bool val_rrsig_parse(const uint8_t *rdata, size_t len, struct rrsig *s);

/* Whether rs, an NSEC or NSEC3 set, belongs to zone: an NSEC owner is
 * at or below the zone, an NSEC3 owner exactly one label below it. */
bool val_in_zone(const struct rrset *rs, const uint8_t *zone);

#endif
