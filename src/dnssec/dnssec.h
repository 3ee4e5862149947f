/*
 * dnssec.h -- DNSSEC validation building blocks (RFC 4033-4035, 5155,
 * 6840, 8198, 8624, 9276).
 *
 * Pure functions: no I/O, no clock, no cache, no locks. The iterator
 * fetches DS and DNSKEY sets, calls these to judge what it got, and keeps
 * the results (in the cache, with the rrset's security and trust fields).
 *
 * Concepts:
 *  - A trust anchor (struct val_anchor) is a DS and/or DNSKEY set that is
 *    configured, not fetched. A negative trust anchor (domain-insecure)
 *    makes everything at and below its name insecure unless a positive
 *    anchor sits at or below it.
 *  - A zone's DNSKEY set becomes trusted when a key in it matches a
 *    trusted DS (or anchor) and that key's signature over the whole set
 *    verifies (val_verify_dnskey). All keys of a trusted set then sign the
 *    zone's data (val_verify_rrset).
 *  - A DS set is trusted when the parent's trusted keys sign it. No DS at
 *    a delegation, proven by NSEC/NSEC3 from the parent, makes the child
 *    insecure (val_ds_proof does both for a referral or a DS reply).
 *  - Denial of existence is proven with NSEC or NSEC3 records that were
 *    themselves verified. The val_nsec_* and val_nsec3_* functions only do
 *    the set logic and assume the records are authentic: they serve both
 *    fresh replies (after val_deny verified the signatures) and records
 *    taken from the cache (aggressive use, RFC 8198).
 *
 * Results: enum sec_status from util/rrset.h, SEC_SECURE, SEC_INSECURE,
 * SEC_BOGUS or SEC_INDETERMINATE, with a struct val_result that says why
 * (an Extended DNS Error code for bogus, RFC 8914, and a static text for
 * the log). A zone whose DS or anchor lists only algorithms or digests we
 * cannot check is insecure, never bogus (RFC 4035 section 5.2, RFC 6840
 * section 5.2). SEC_INDETERMINATE is only for a name that no trust anchor
 * covers (RFC 4033 section 5); callers answer those like insecure ones.
 *
 * Names are uncompressed wire-format names (util/dname.h) and records are
 * struct rrset with uncompressed RDATA, as the iterator gets them from
 * rrsets_from_section. Times are seconds since the epoch passed in through
 * struct val_env, so tests and faketime control them; RRSIG times compare
 * in serial-number arithmetic (RFC 1982, RFC 4034 section 3.1.5).
 *
 * Ownership: nothing here keeps a pointer to its arguments after it
 * returns, except the anchor set, which owns copies of everything added
 * to it. Anything returned is either static, points into the arguments,
 * or is allocated in the arena of the struct val_env (valid until that
 * arena is freed). Functions that take a non-const struct rrset may write
 * its security and ttl fields, and nothing else. Everything is reentrant;
 * an anchor set is read-only once loaded and may be shared by threads.
 */
#ifndef RESOLVERD_DNSSEC_DNSSEC_H
#define RESOLVERD_DNSSEC_DNSSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/arena.h"
#include "util/rrset.h"
#include "util/wire.h"

/* DNSKEY/RRSIG algorithms (RFC 8624 section 3.1). Those we validate: 5,
 * 7 (RSA/SHA-1: still MUST for validation), 8, 10, 13, 14, 15, 16. DSA
 * (3, 6: MUST NOT) and anything else are unsupported, so zones signed only
 * with them are insecure. */
enum {
	DNSSEC_ALG_RSASHA1 = 5, DNSSEC_ALG_RSASHA1_NSEC3 = 7,
	DNSSEC_ALG_RSASHA256 = 8, DNSSEC_ALG_RSASHA512 = 10,
	DNSSEC_ALG_ECDSAP256SHA256 = 13, DNSSEC_ALG_ECDSAP384SHA384 = 14,
	DNSSEC_ALG_ED25519 = 15, DNSSEC_ALG_ED448 = 16
};

/* DS digest types. SHA-1 DS are still accepted (RFC 8624 section 3.3:
 * MUST for validation) but ignored when the same set offers a digest we
 * support that is not SHA-1 (RFC 4509 section 3). */
enum { DS_DIGEST_SHA1 = 1, DS_DIGEST_SHA256 = 2, DS_DIGEST_SHA384 = 4 };

#define DNSKEY_FLAG_ZONE   0x0100
#define DNSKEY_FLAG_REVOKE 0x0080   /* RFC 5011: never used to validate */
#define DNSKEY_FLAG_SEP    0x0001
#define DNSKEY_PROTOCOL    3

/* Clock skew allowed on both ends of an RRSIG validity period: 10% of the
 * period, but at least VAL_SKEW_MIN and at most VAL_SKEW_MAX seconds.
 * Signers start signatures in the past and our clock may be off; the cap
 * keeps a long-lived signature from staying valid for days after it
 * expired. */
#define VAL_SKEW_MIN 300
#define VAL_SKEW_MAX 3600

/* NSEC3 iteration counts above this make a proof insecure (RFC 9276
 * section 3.2, the limit Unbound and BIND use); the hashes are then not
 * computed at all. */
#define VAL_NSEC3_MAX_ITERATIONS 150

/* Signature verifications one struct val_env may perform (KeyTrap,
 * CVE-2023-50387): a hostile zone can make every RRSIG match many keys.
 * A verification that would exceed it makes the result bogus. */
#define VAL_DEFAULT_BUDGET 64
/* Keys tried for one RRSIG (key tags collide), and RRSIGs tried for one
 * rrset, before giving up on it. */
#define VAL_MAX_KEYS_PER_SIG 4
#define VAL_MAX_SIGS_PER_SET 8
/* RSA moduli above this are refused (RFC 3110 limit; bounds CPU). */
#define VAL_RSA_MAX_BITS 4096

/* Per-validation context: the caller's clock, scratch memory, work bound.
 * One per query (or per qstate); not shared between threads. */
struct val_env {
	time_t now;
	struct arena *arena;
	int budget;                /* signature verifications still allowed */
	int verified;              /* verifications done, for statistics */
};

/* What a check concluded and why. */
struct val_result {
	enum sec_status sec;
	uint16_t ede;              /* EDE_* (util/wire.h); EDE_NONE unless bogus */
	const char *reason;        /* static text for the log, never NULL */
	/* val_verify_rrset: the rrset was synthesised from a wildcard; the
	 * wildcard's closest encloser has this many labels (the RRSIG labels
	 * field) and the caller must prove the name itself does not exist
	 * (val_deny with VAL_DENY_WILDCARD). -1 when not a wildcard. */
	int wc_labels;
	/* val_ds_proof / val_deny with qtype DS: the proof showed a
	 * delegation (NS bit) at the name, or an opt-out span that may hold
	 * one. Without it a proven "no DS" means "no zone cut here". */
	bool delegation;
	/* An NSEC3 opt-out span was used: the answer cannot be secure. */
	bool optout;
};

/* Start a context: now is the wall clock, arena receives everything
 * returned (and scratch), budget is VAL_DEFAULT_BUDGET. */
void val_env_init(struct val_env *ve, time_t now, struct arena *arena);

/* Set res to the given status with ede and reason (static string). */
void val_result_set(struct val_result *res, enum sec_status sec, uint16_t ede, const char *reason);

/* ---- Trust anchors (anchor.c) ---- */

struct val_anchor {
	const uint8_t *name;       /* lower case */
	struct rrset *ds;          /* NULL, or the configured DS records */
	struct rrset *dnskey;      /* NULL, or the configured DNSKEY records */
	bool insecure;             /* domain-insecure at this name */
};

struct val_anchors;

/* An empty set of anchors; NULL on allocation failure. */
struct val_anchors *val_anchors_new(void);
void val_anchors_free(struct val_anchors *as);

/* Add one DS or DNSKEY record in presentation form ("trust-anchor:",
 * e.g. ". IN DS 20326 8 2 E06D...", TTL and class optional, class IN
 * only). Returns 0, or -1 with a message in err. */
int val_anchors_add_str(struct val_anchors *as, const char *rr, char *err, size_t errlen);

/* Add every DS and DNSKEY record of a zone-file-form file
 * ("trust-anchor-file:"; $ORIGIN, $TTL and comments as in zone files, so
 * both a root.key and unbound-anchor's autotrust file load). Any other
 * record type is an error. Returns the number of records added (0 is an
 * error too: an anchor file that anchors nothing is a mistake), or -1
 * with a message in err. */
int val_anchors_add_file(struct val_anchors *as, const char *path, char *err, size_t errlen);

/* Add a negative trust anchor ("domain-insecure:"). Returns 0, or -1 on
 * allocation failure. */
int val_anchors_add_insecure(struct val_anchors *as, const uint8_t *name);

/* Number of anchor points (names with an anchor of either kind). */
int val_anchors_count(const struct val_anchors *as);

/* The closest anchor point at or above name (NULL: none, the name is
 * SEC_INDETERMINATE). A point with positive records is returned with
 * insecure false even when domain-insecure names it too: configured keys
 * win. The result lives as long as as. */
const struct val_anchor *val_anchors_lookup(const struct val_anchors *as, const uint8_t *name);

/* ---- Keys, digests and signatures (verify.c) ---- */

bool val_algo_supported(uint8_t alg);
bool val_digest_supported(uint8_t digest);

/* Key tag of a DNSKEY RDATA (RFC 4034 appendix B, including the
 * algorithm 1 special case). */
uint16_t val_keytag(const uint8_t *rdata, size_t len);

/* Whether a DNSKEY RDATA may verify signatures at all: well formed,
 * protocol 3, zone key bit set, not revoked. */
bool val_dnskey_usable(const uint8_t *rdata, size_t len);

/* Whether the DS RDATA ds is the digest of DNSKEY RDATA key owned by
 * owner (tag, algorithm and digest all match). False for a digest type
 * we do not support. */
bool val_ds_matches(const uint8_t *owner, const uint8_t *ds, size_t dslen,
    const uint8_t *key, size_t keylen);

/* The signer name of the first well-formed RRSIG of rs, pointing into
 * rs's RDATA; NULL when rs carries none. It names the zone whose keys the
 * caller needs before it can call val_verify_rrset. */
const uint8_t *val_rrset_signer(const struct rrset *rs);

/* Verify rs with keys, the trusted DNSKEY set of the zone that signed
 * it (keys->owner must equal the RRSIG signer name). SEC_SECURE when one
 * RRSIG verifies under a usable key and is inside its validity period;
 * then rs->ttl is lowered to the RRSIG original TTL and to the time left
 * until its expiry (0 when it expired within the skew allowance), and
 * res->wc_labels tells whether rs was expanded from a wildcard. SEC_BOGUS otherwise, with EDE RRSIGs Missing (no RRSIG from
 * this zone), DNSKEY Missing (no key matches), Signature Expired / Not
 * Yet Valid (all candidates out of their period) or DNSSEC Bogus.
 * rs->security is set to the result. Scratch memory from ve->arena. */
enum sec_status val_verify_rrset(struct val_env *ve, struct rrset *rs,
    const struct rrset *keys, struct val_result *res);

/* ---- Chain of trust (keyset.c) ---- */

/* Whether a (trusted) DS set has at least one record we could use. When
 * not, the child zone is insecure and its DNSKEY set need not be
 * fetched. */
bool val_ds_usable(const struct rrset *ds);

/* Judge the DNSKEY set of a zone against the trusted DS set for it, or
 * against a trust anchor for it (exactly one of ds and ta non-NULL).
 * SEC_SECURE: dnskey is trusted (security set, ttl capped as by
 * val_verify_rrset) and may be passed as keys to val_verify_rrset.
 * SEC_INSECURE: the DS set or anchor offers no algorithm/digest we
 * support, or ta is a negative anchor. SEC_BOGUS: no key matches
 * (DNSKEY Missing), the matching key did not sign the set (RRSIGs
 * Missing) or its signature fails (expired, not yet valid, bogus). */
enum sec_status val_verify_dnskey(struct val_env *ve, struct rrset *dnskey,
    const struct rrset *ds, const struct val_anchor *ta, struct val_result *res);

/* Judge a zone cut at child from a parent-zone reply, verifying with the
 * parent's trusted keys: sets are the authority section of a referral, or
 * the section of a DS reply that holds the DS set (answer) or its denial
 * (authority). Outcomes:
 *  - SEC_SECURE and *ds_out set: a trusted DS set with usable records;
 *    fetch the child's DNSKEY set and call val_verify_dnskey with it.
 *  - SEC_SECURE and *ds_out NULL: proven that child has no DS and is not
 *    a delegation (res->delegation false): no zone cut, keep using the
 *    parent's keys below it.
 *  - SEC_INSECURE: the child is unsigned (no DS at a delegation, an
 *    opt-out span, or only unsupported DS algorithms/digests).
 *  - SEC_BOGUS: neither a good DS set nor a proof of its absence.
 * *ds_out points into sets. */
enum sec_status val_ds_proof(struct val_env *ve, struct rrset *sets, int n,
    const uint8_t *child, const struct rrset *parent_keys,
    struct rrset **ds_out, struct val_result *res);

/* ---- DNAME synthesis (synth.c) ---- */

/* Whether cname is the CNAME that the DNAME record dname synthesises
 * (RFC 6672 section 2.2): one record, owned by a name strictly below the
 * DNAME's owner, whose target is that name with the owner replaced by the
 * DNAME target. Such a CNAME is unsigned by design and is exactly as
 * secure as the DNAME; a CNAME beside a DNAME that is anything else makes
 * a signed answer bogus (RFC 6672 sections 3.4 and 5.3.1: like a wildcard
 * expansion, RFC 4035 section 5.3.4, synthesised data is checked against
 * its signed source). */
bool val_dname_synthesises(const struct rrset *dname, const struct rrset *cname);

/* ---- Denial of existence (deny.c, nsec.c, nsec3.c) ---- */

enum val_deny_kind {
	VAL_DENY_NXDOMAIN,   /* qname does not exist, nor a wildcard for it */
	VAL_DENY_NODATA,     /* qname, or the wildcard matching it, lacks qtype */
	VAL_DENY_WILDCARD    /* positive wildcard answer: no closer match */
};

/* Prove a negative reply (or a wildcard answer) from its authority
 * section, with keys the trusted DNSKEY set of the zone that answered.
 * Every NSEC, NSEC3 and SOA rrset in sets signed by that zone is verified
 * first, except sets already marked SEC_SECURE (a bogus one makes the
 * reply bogus; unsigned ones are ignored); the proof then uses the
 * verified NSEC records if any, else the NSEC3 records. wc_labels is the
 * wildcard's label count for VAL_DENY_WILDCARD (res->wc_labels from
 * val_verify_rrset), ignored otherwise. SEC_SECURE: proven. SEC_INSECURE:
 * the proof rests on an opt-out span (RFC 5155 section 9.2) or NSEC3
 * iterations above VAL_NSEC3_MAX_ITERATIONS. SEC_BOGUS with NSEC Missing
 * when not proven. For qtype DS, res->delegation tells an unsigned
 * delegation (NS at the name, or opt-out) from a name that is no zone
 * cut. A wildcard answer is secure even under opt-out: RFC 5155 section
 * 8.8 needs no closest encloser proof, so section 9.2 does not apply. */
enum sec_status val_deny(struct val_env *ve, enum val_deny_kind kind,
    struct rrset *sets, int n, const uint8_t *qname, uint16_t qtype,
    int wc_labels, const struct rrset *keys, struct val_result *res);

/* The same proofs over records already known to be authentic (verified,
 * or validated ones from the cache), without signature checks. zone is
 * the zone they belong to; records of other zones and NSEC/NSEC3 of the
 * other kind are ignored. Return and res as for val_deny. For aggressive
 * use (RFC 8198) only SEC_SECURE counts: an opt-out proof is not one. */
enum sec_status val_nsec_prove(enum val_deny_kind kind, const struct rrset *sets, int n,
    const uint8_t *qname, uint16_t qtype, int wc_labels, const uint8_t *zone,
    struct val_result *res);
enum sec_status val_nsec3_prove(enum val_deny_kind kind, const struct rrset *sets, int n,
    const uint8_t *qname, uint16_t qtype, int wc_labels, const uint8_t *zone,
    struct val_result *res);

/* Whether a type bitmap (RFC 4034 section 4.1.2) has type set. A
 * malformed bitmap has nothing set. */
bool val_bitmap_has(const uint8_t *bitmap, size_t len, uint16_t type);

/* ---- NSEC helpers, also for aggressive use (nsec.c) ---- */

/* Canonical-order interval test with wrap-around at the end of the zone:
 * whether name falls strictly between owner and next. */
bool val_nsec_covers(const uint8_t *owner, const uint8_t *next, const uint8_t *name);

/* What one authentic NSEC record (owner and RDATA) says about
 * (qname, qtype), for RFC 8198 lookups from the cache. */
enum val_nsec_says {
	VAL_NSEC_NOTHING = 0,  /* unrelated, or qtype (or CNAME) exists */
	VAL_NSEC_NODATA,       /* qname exists without qtype (incl. empty
	                        * non-terminal): a complete NODATA proof */
	VAL_NSEC_NOTNAME       /* qname does not exist: wildcard (DNAME_MAX
	                        * bytes) is set to "*.<closest encloser>";
	                        * check that name in turn with the NSEC that
	                        * covers or matches it: NOTNAME then means
	                        * NXDOMAIN, NODATA means a wildcard NODATA */
};
enum val_nsec_says val_nsec_check(const uint8_t *owner, const uint8_t *rdata, size_t len,
    const uint8_t *qname, uint16_t qtype, uint8_t *wildcard);

/* ---- NSEC3 helpers (nsec3.c) ---- */

#define NSEC3_HASH_SHA1 1
#define NSEC3_FLAG_OPTOUT 0x01
#define NSEC3_HASH_MAX 64          /* hash field is one length byte; SHA-1 is 20 */

struct val_nsec3_params {
	uint8_t alg;
	uint8_t flags;
	uint16_t iterations;
	uint8_t saltlen;
	const uint8_t *salt;       /* points into the RDATA */
	uint8_t hashlen;
	const uint8_t *next;       /* next hashed owner, binary */
	const uint8_t *bitmap;
	size_t bitmaplen;
};

/* Parse NSEC3 RDATA; false when malformed. Pointers go into rdata. */
bool val_nsec3_parse(const uint8_t *rdata, size_t len, struct val_nsec3_params *p);

/* The NSEC3 hash of name (RFC 5155 section 5) into out (20 bytes for
 * SHA-1). Returns its length, or -1 for an unknown algorithm. Does not
 * check the iteration limit. */
int val_nsec3_hash(const uint8_t *name, uint8_t alg, uint16_t iterations,
    const uint8_t *salt, size_t saltlen, uint8_t *out);

/* Decode the base32hex first label of an NSEC3 owner into out
 * (NSEC3_HASH_MAX bytes). Returns the length, or -1 if it is not base32hex. */
int val_nsec3_owner_hash(const uint8_t *owner, uint8_t *out);

#endif
