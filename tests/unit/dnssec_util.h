/*
 * dnssec_util.h -- test helpers for src/dnssec: records from presentation
 * form (parsed by ldns, then grouped by our own wire parser, the path real
 * replies take) and keys generated and used for signing with ldns, so
 * signatures come from an implementation other than the one under test.
 */
#ifndef RESOLVERD_TESTS_DNSSEC_UTIL_H
#define RESOLVERD_TESTS_DNSSEC_UTIL_H

#include <stdint.h>
#include <ldns/ldns.h>

#include "dnssec/dnssec.h"

/* The fixed "now" of the tests, and a signature period around it. */
#define T_NOW 1700000000u
#define T_INCEPT (T_NOW - 86400u)
#define T_EXPIRE (T_NOW + 30u * 86400u)

struct tkey {
	ldns_key_list *list;       /* owns key */
	ldns_key *key;
	uint16_t tag;
	uint8_t alg;
};

/* Generate a key for owner with DNSKEY flags, signing with the given
 * inception and expiration. Aborts the test program on failure. */
void tkey_init(struct tkey *t, ldns_signing_algorithm alg, const char *owner,
    uint16_t flags, uint32_t incept, uint32_t expire);
void tkey_free(struct tkey *t);
/* Change the signature period of later signatures. */
void tkey_period(struct tkey *t, uint32_t incept, uint32_t expire);
/* The DNSKEY record of t in presentation form (malloc'd) */
char *tkey_dnskey_str(const struct tkey *t);
/* A DS record for t in presentation form (malloc'd). */
char *tkey_ds_str(const struct tkey *t, ldns_hash h);

/* Parse records (NULL-terminated list of presentation strings) and sign
 * them with each key of keys (NULL-terminated; keys may be NULL for no
 * signatures). Returns all resulting rrsets in *out, RRSIGs attached. */
int tsets(struct arena *a, struct tkey **keys, struct rrset **out, const char *const *rrs);
/* As tsets for records forming exactly one rrset. */
struct rrset *tset(struct arena *a, struct tkey **keys, const char *const *rrs);
/* The DNSKEY rrset of keys, signed by signers. */
struct rrset *tdnskey_set(struct arena *a, struct tkey **keys, struct tkey **signers);

/* Sign a whole zone (presentation text of its records, NULL-terminated)
 * with NSEC, or NSEC3 when nsec3 is true; return all rrsets. */
int tzone(struct arena *a, struct tkey **keys, const char *const *rrs, bool nsec3,
    uint8_t n3flags, uint16_t iterations, const char *salt_hex, struct rrset **out);

/* A name from presentation form, in the arena. */
uint8_t *tname(struct arena *a, const char *s);
/* Find a set in sets by owner text and type. */
struct rrset *tfind(struct rrset *sets, int n, const char *owner, uint16_t type);

#endif
