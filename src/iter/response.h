/*
 * response.h -- classification and storage of upstream replies (engine
 * internal). Everything returned lives in the arena passed in.
 */
#ifndef RESOLVERD_ITER_RESPONSE_H
#define RESOLVERD_ITER_RESPONSE_H

#include "iter/iter_internal.h"

#define RESP_MAX_CHAIN 32

enum resp_type {
	RESP_ANSWER,       /* data of the asked type (after any chain) */
	RESP_CNAME,        /* a chain that must be chased further */
	RESP_NXDOMAIN,
	RESP_NODATA,
	RESP_REFERRAL,     /* delegation to a zone below the one asked */
	RESP_LAME          /* error rcode, or a server not serving the zone */
};

struct resp_info {
	enum resp_type type;
	bool aa;
	bool yxdomain;
	bool loop;                           /* the chain comes back on itself */
	uint16_t rcode;                      /* for RESP_ANSWER: YXDOMAIN */
	struct rrset *chain[RESP_MAX_CHAIN]; /* answer section, in chain order */
	bool synth[RESP_MAX_CHAIN];          /* CNAME made from a DNAME */
	/* for a CNAME made from a DNAME: the CNAME the server sent for the
	 * same name, if any. It is not followed (the DNAME says where the
	 * name goes); the validator checks it against the DNAME. */
	struct rrset *sent[RESP_MAX_CHAIN];
	int nchain;
	const uint8_t *next_name;            /* where the chain ends */
	struct rrset *ns;                    /* RESP_REFERRAL */
	struct rrset *soa;                   /* negative answers, may be NULL */
	struct rrset *apex_ns;               /* the SOA zone's NS set, if sent */
	struct rrset *auth, *add;
	int nauth, nadd;
};

/* Classify msg, the reply to (sent_name, sent_type) from a server of dp.
 * Returns 0, or -1 on allocation failure. */
int response_classify(struct arena *a, const struct delegpt *dp, const struct dns_msg *msg,
    const uint8_t *sent_name, uint16_t sent_type, struct resp_info *ri);

/* Store what the reply taught us: the answer chain, a referral's NS set
 * and its glue (harden-glue permitting). TTLs are clamped in place. */
void response_store(struct cache *c, const struct iter_config *cfg, const struct delegpt *dp,
    struct resp_info *ri, time_t now);

/* name with the DNAME's owner suffix replaced by its target (RFC 6672),
 * in arena; NULL when the result would exceed 255 bytes (YXDOMAIN). */
uint8_t *response_dname_substitute(struct arena *a, const uint8_t *name, const struct rrset *dname);
/* The CNAME a DNAME implies for owner, in arena (owner is copied). */
struct rrset *response_synth_cname(struct arena *a, const uint8_t *owner, const uint8_t *target, uint32_t ttl);

uint32_t response_clamp_ttl(const struct iter_config *cfg, uint32_t ttl);

/* Negative-answer lifetime from an SOA (RFC 2308 section 5), capped by
 * cache-max-negative-ttl. */
uint32_t response_negative_ttl(const struct iter_config *cfg, const struct rrset *soa);

#endif
