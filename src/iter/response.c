/*
 * response.c -- making sense of an upstream reply: what kind of answer it
 * is, which of its records we may believe, and storing those in the cache.
 *
 * Bailiwick: a server asked as an authority for zone Z is believed only
 * about names at or below Z. Everything else in its reply is ignored, so a
 * server cannot plant data for names it does not serve. Forwarders are
 * recursive and believed about everything (that is what forwarding means).
 */
#include "config.h"

#include <string.h>

#include "iter/response.h"
#include "util/log.h"

static bool
in_bailiwick(const struct delegpt *dp, const uint8_t *name)
{
	return dp->forward || dname_is_subdomain(name, dp->zone);
}

/* A DNAME whose owner is a strict ancestor of name, in bailiwick. */
static struct rrset *
find_dname(const struct delegpt *dp, struct rrset *sets, int n, const uint8_t *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (sets[i].type == RR_TYPE_DNAME && sets[i].count == 1 &&
		    dname_is_strict_subdomain(name, sets[i].owner) &&
		    in_bailiwick(dp, sets[i].owner))
			return &sets[i];
	return NULL;
}

/* name with its suffix `owner` replaced by the DNAME target. NULL if the
 * result would exceed 255 bytes (YXDOMAIN, RFC 6672 section 2.2). */
uint8_t *
response_dname_substitute(struct arena *a, const uint8_t *name, const struct rrset *dname)
{
	uint8_t buf[DNAME_MAX];
	int len = dname_substitute(name, dname->owner, dname->rdata[0].data, buf);

	return len < 0 ? NULL : arena_memdup(a, buf, (size_t)len);
}

struct rrset *
response_synth_cname(struct arena *a, const uint8_t *owner, const uint8_t *target, uint32_t ttl)
{
	struct rrset *rs = arena_zalloc(a, sizeof(*rs));
	struct rdata *rd = arena_zalloc(a, sizeof(*rd));

	if (rs == NULL || rd == NULL)
		return NULL;
	/* owner may be the qstate's current name, which changes as the
	 * chain is followed: keep a copy */
	rs->owner = arena_memdup(a, owner, dname_len(owner));
	if (rs->owner == NULL)
		return NULL;
	rs->type = RR_TYPE_CNAME;
	rs->rclass = RR_CLASS_IN;
	rs->ttl = ttl;
	rs->count = 1;
	rd->len = (uint16_t)dname_len(target);
	rd->data = target;
	rs->rdata = rd;
	return rs;
}

/* The SOA that proves a negative answer for name: in bailiwick and at or
 * above the name. */
static struct rrset *
find_soa(const struct delegpt *dp, struct rrset *auth, int nauth, const uint8_t *name)
{
	int i;

	for (i = 0; i < nauth; i++)
		if (auth[i].type == RR_TYPE_SOA && auth[i].count == 1 &&
		    in_bailiwick(dp, auth[i].owner) && dname_is_subdomain(name, auth[i].owner))
			return &auth[i];
	return NULL;
}

static bool
chain_owns(const struct resp_info *ri, const uint8_t *sent_name, const uint8_t *name)
{
	int i;

	if (dname_equal(name, sent_name))
		return true;
	for (i = 0; i < ri->nchain; i++)
		if (ri->chain[i]->type == RR_TYPE_CNAME && dname_equal(ri->chain[i]->owner, name))
			return true;
	return false;
}

/* Follow the answer section from sent_name through CNAMEs and DNAMEs.
 * Returns the name the chain ends at; *final set when it ends in data of
 * the asked type. */
static const uint8_t *
walk_chain(struct arena *a, const struct delegpt *dp, struct rrset *ans, int nans,
    const uint8_t *sent_name, uint16_t sent_type, struct resp_info *ri, bool *final)
{
	const uint8_t *name = sent_name;
	struct rrset *rs, *dn;

	*final = false;
	while (ri->nchain < RESP_MAX_CHAIN - 2) {
		if (!in_bailiwick(dp, name))
			break;
		dn = find_dname(dp, ans, nans, name);
		rs = rrset_find(ans, nans, name, sent_type);
		/* Data of the asked type ends the chain; but below a DNAME
		 * the CNAME asked for is the one the DNAME makes (below). */
		if (rs != NULL && rs->count > 0 && (sent_type != RR_TYPE_CNAME || dn == NULL)) {
			ri->chain[ri->nchain++] = rs;
			*final = true;
			break;
		}
		if (sent_type == RR_TYPE_CNAME && dn == NULL)
			break;
		/* A DNAME above the name wins over the CNAME the server made
		 * from it (RFC 6672 section 3.2): we make our own, and keep
		 * the server's for the validator to compare. */
		rs = dn;
		if (rs != NULL) {
			uint8_t *target = response_dname_substitute(a, name, rs);
			struct rrset *cn;
			ri->chain[ri->nchain++] = rs;
			if (target == NULL) {
				ri->yxdomain = true;
				break;
			}
			cn = response_synth_cname(a, name, target, rs->ttl);
			if (cn == NULL)
				break;
			ri->synth[ri->nchain] = true;
			ri->sent[ri->nchain] = rrset_find(ans, nans, name, RR_TYPE_CNAME);
			ri->chain[ri->nchain++] = cn;
			if (sent_type == RR_TYPE_CNAME) {
				*final = true;      /* the CNAME asked for */
				break;
			}
			if (chain_owns(ri, sent_name, target) && ri->nchain > 2) {
				ri->loop = true;
				break;
			}
			if (dname_equal(target, name)) {
				ri->loop = true;
				break;
			}
			name = target;
			continue;
		}
		rs = rrset_find(ans, nans, name, RR_TYPE_CNAME);
		if (rs != NULL && rs->count == 1) {
			const uint8_t *target = rs->rdata[0].data;
			ri->chain[ri->nchain++] = rs;
			if (chain_owns(ri, sent_name, target) || ri->nchain > RESP_MAX_CHAIN / 2) {
				ri->loop = true;
				break;
			}
			name = target;
			continue;
		}
		break;
	}
	return name;
}

/* The delegation in a reply: an NS set strictly below the zone we asked,
 * at or above the name we asked. */
static struct rrset *
find_referral(const struct delegpt *dp, struct rrset *auth, int nauth, const uint8_t *sent_name)
{
	struct rrset *best = NULL;
	int i;

	for (i = 0; i < nauth; i++) {
		struct rrset *rs = &auth[i];
		if (rs->type != RR_TYPE_NS || rs->count == 0)
			continue;
		if (!dname_is_strict_subdomain(rs->owner, dp->zone))
			continue;
		if (!dname_is_subdomain(sent_name, rs->owner))
			continue;
		if (best == NULL || dname_label_count(rs->owner) > dname_label_count(best->owner))
			best = rs;
	}
	return best;
}

/* A reply without data or SOA whose authority names servers of the zone
 * we asked (without AA) or of a zone above or beside it: the server does
 * not serve the zone and points back or up. */
static bool
is_lame_referral(const struct delegpt *dp, struct rrset *auth, int nauth, bool aa)
{
	int i;

	for (i = 0; i < nauth; i++) {
		if (auth[i].type != RR_TYPE_NS || dname_is_strict_subdomain(auth[i].owner, dp->zone))
			continue;
		if (!aa || !dname_equal(auth[i].owner, dp->zone))
			return true;
	}
	return false;
}

/* The NS set of the zone an SOA belongs to, passed on with negative
 * answers as the authority sent it. */
static struct rrset *
find_apex_ns(struct rrset *auth, int nauth, const struct rrset *soa)
{
	int i;

	for (i = 0; soa != NULL && i < nauth; i++)
		if (auth[i].type == RR_TYPE_NS && dname_equal(auth[i].owner, soa->owner))
			return &auth[i];
	return NULL;
}

int
response_classify(struct arena *a, const struct delegpt *dp, const struct dns_msg *msg,
    const uint8_t *sent_name, uint16_t sent_type, struct resp_info *ri)
{
	struct rrset *ans, *auth, *add;
	int nans, nauth, nadd;
	const uint8_t *end;
	bool final;
	uint16_t rcode = msg->rcode;

	memset(ri, 0, sizeof(*ri));
	nans = rrsets_from_section(msg, SEC_ANSWER, a, &ans);
	nauth = rrsets_from_section(msg, SEC_AUTHORITY, a, &auth);
	nadd = rrsets_from_section(msg, SEC_ADDITIONAL, a, &add);
	if (nans < 0 || nauth < 0 || nadd < 0)
		return -1;
	ri->add = add;
	ri->nadd = nadd;
	ri->auth = auth;
	ri->nauth = nauth;
	ri->aa = (msg->flags & FLAG_AA) != 0;

	if (rcode != RCODE_NOERROR && rcode != RCODE_NXDOMAIN && rcode != RCODE_YXDOMAIN) {
		ri->type = RESP_LAME;
		return 0;
	}
	end = walk_chain(a, dp, ans, nans, sent_name, sent_type, ri, &final);
	ri->next_name = end;
	if (ri->loop) {
		ri->type = RESP_ANSWER;
		ri->rcode = RCODE_SERVFAIL;
		return 0;
	}
	if (final) {
		ri->type = RESP_ANSWER;
		return 0;
	}
	if (ri->yxdomain || rcode == RCODE_YXDOMAIN) {
		ri->type = RESP_ANSWER;
		ri->rcode = RCODE_YXDOMAIN;
		return 0;
	}
	if (rcode == RCODE_NXDOMAIN) {
		/* RFC 6604: the rcode speaks of the last name in the chain, but
		 * only a server of that name's zone may say it. */
		if (ri->nchain > 0 && !in_bailiwick(dp, end)) {
			ri->type = RESP_CNAME;
			return 0;
		}
		ri->type = RESP_NXDOMAIN;
		ri->soa = find_soa(dp, auth, nauth, end);
		ri->apex_ns = find_apex_ns(auth, nauth, ri->soa);
		return 0;
	}
	if (ri->nchain > 0) {
		/* An alias without the target's data: ask for the target
		 * itself rather than read this reply's authority section as
		 * a NODATA for it (it may speak of another name). */
		ri->soa = find_soa(dp, auth, nauth, end);
		ri->apex_ns = find_apex_ns(auth, nauth, ri->soa);
		ri->type = dp->forward ? RESP_NODATA : RESP_CNAME;
		return 0;
	}
	if (!dp->forward) {
		ri->ns = find_referral(dp, auth, nauth, sent_name);
		if (ri->ns != NULL) {
			ri->type = RESP_REFERRAL;
			return 0;
		}
	}
	ri->soa = find_soa(dp, auth, nauth, sent_name);
	if (!dp->forward && ri->soa == NULL && is_lame_referral(dp, auth, nauth, ri->aa)) {
		ri->type = RESP_LAME;
		return 0;
	}
	ri->type = RESP_NODATA;
	ri->apex_ns = find_apex_ns(auth, nauth, ri->soa);
	return 0;
}

uint32_t
response_clamp_ttl(const struct iter_config *cfg, uint32_t ttl)
{
	if (ttl > cfg->cache_max_ttl)
		ttl = cfg->cache_max_ttl;
	if (ttl < cfg->cache_min_ttl)
		ttl = cfg->cache_min_ttl;
	return ttl;
}

uint32_t
response_negative_ttl(const struct iter_config *cfg, const struct rrset *soa)
{
	uint32_t ttl = soa->ttl, minimum;

	/* RFC 2308 section 5: the lesser of the SOA's TTL and MINIMUM. */
	if (soa->count > 0 && soa->rdata[0].len >= 20) {
		minimum = rd32(soa->rdata[0].data + soa->rdata[0].len - 4);
		if (minimum < ttl)
			ttl = minimum;
	}
	if (ttl > cfg->cache_max_negative_ttl)
		ttl = cfg->cache_max_negative_ttl;
	return ttl;
}

static bool
is_ns_name(const struct rrset *ns, const uint8_t *name)
{
	int i;

	for (i = 0; i < ns->count; i++)
		if (dname_equal(ns->rdata[i].data, name))
			return true;
	return false;
}

void
response_store(struct cache *c, const struct iter_config *cfg, const struct delegpt *dp,
    struct resp_info *ri, time_t now)
{
	uint8_t trust_ans = ri->aa ? TRUST_ANS_AA : TRUST_ANS_NONAUTH;
	const struct rrset *nsset;
	int i;

	for (i = 0; i < ri->nchain; i++) {
		struct rrset *rs = ri->chain[i];
		rs->ttl = response_clamp_ttl(cfg, rs->ttl);
		if (ri->synth[i])
			continue;      /* made from the DNAME: not stored */
		rs->trust = trust_ans;
		cache_rrset_store(c, rs, now);
	}
	if (ri->type == RESP_REFERRAL && ri->ns != NULL) {
		ri->ns->ttl = response_clamp_ttl(cfg, ri->ns->ttl);
		ri->ns->trust = TRUST_AUTH_NONAUTH;
		cache_rrset_store(c, ri->ns, now);
		/* The DS set sits in the parent zone: a referral carries it
		 * with the parent's authority (RFC 4035 section 3.1.4). */
		for (i = 0; i < ri->nauth; i++)
			if (ri->auth[i].type == RR_TYPE_DS && dname_equal(ri->auth[i].owner, ri->ns->owner)) {
				ri->auth[i].ttl = response_clamp_ttl(cfg, ri->auth[i].ttl);
				ri->auth[i].trust = TRUST_AUTH_AA;
				cache_rrset_store(c, &ri->auth[i], now);
			}
	}
	/* Glue: addresses of the name servers of a referral (or of an NS
	 * answer, as in priming) only, and with harden-glue only when the
	 * server that sent them serves those names. */
	nsset = ri->type == RESP_REFERRAL ? ri->ns : NULL;
	if (ri->type == RESP_ANSWER && ri->nchain > 0 && ri->chain[ri->nchain - 1]->type == RR_TYPE_NS)
		nsset = ri->chain[ri->nchain - 1];
	if (nsset != NULL) {
		for (i = 0; i < ri->nadd; i++) {
			struct rrset *rs = &ri->add[i];
			if (rs->type != RR_TYPE_A && rs->type != RR_TYPE_AAAA)
				continue;
			if (!is_ns_name(nsset, rs->owner))
				continue;
			if (cfg->harden_glue && !in_bailiwick(dp, rs->owner))
				continue;
			rs->ttl = response_clamp_ttl(cfg, rs->ttl);
			rs->trust = TRUST_ADDITIONAL;
			rs->rclass = ITER_CLASS_GLUE;
			cache_rrset_store(c, rs, now);
			rs->rclass = RR_CLASS_IN;
		}
	}
}
