/*
 * validate.c -- DNSSEC validation of a finished answer (RFC 4033-4035):
 * the engine's side of it. src/dnssec judges signatures and proofs; this
 * file finds what it needs to judge with: the trusted DNSKEY set of the
 * zone that signed each part of the answer, walked down from the closest
 * trust anchor through DS records, each fetched through the engine like
 * any other question (subqueries with CD set: the asker checks them).
 *
 * The walk is restartable: validate_answer either finishes or starts the
 * subqueries for what is missing and returns; when they finish it runs
 * again from the top. Everything it learns is in the cache by then, and
 * key sets once proven are cached as secure, so a rerun costs lookups, not
 * signature checks. ITER_MAX_VAL_FETCHES bounds the reruns.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "iter/response.h"
#include "dnssec/dnssec.h"
#include "util/log.h"

enum fetch_result { FETCH_FOUND, FETCH_NEGATIVE, FETCH_WAIT, FETCH_FAILED };

/* A judgement: a status, and for SEC_SECURE the zone's trusted keys. */
struct keys {
	enum sec_status sec;
	struct rrset *dnskey;
	struct val_result why;
};

struct vctx {
	struct qstate *qs;
	struct val_env ve;
	bool waiting;                /* a subquery was started */
};

static int
sec_rank(enum sec_status s)
{
	switch (s) {
	case SEC_SECURE: return 3;
	case SEC_INSECURE: case SEC_INDETERMINATE: return 2;
	case SEC_UNCHECKED: return 1;
	default: return 0;
	}
}

bool
validate_wanted(const struct qstate *qs)
{
	return qs->cfg->anchors != NULL && !(qs->flags & FLAG_CD) &&
	    (qs->rcode == RCODE_NOERROR || qs->rcode == RCODE_NXDOMAIN ||
	    qs->rcode == RCODE_YXDOMAIN);
}

/* name/type from the cache, or a subquery to get it. For a negative
 * answer, *sets gets its authority section (the denial to check). */
static enum fetch_result
fetch(struct vctx *vc, const uint8_t *name, uint16_t type, struct rrset *out,
    struct rrset **sets, int *nsets)
{
	struct qstate *qs = vc->qs;
	struct iter *it = qs->it;
	time_t now = it->env.now(it->env.io);
	struct cache_answer_info info;
	struct dns_msg msg;
	struct rrset *ans;
	size_t len;
	int n, i;

	if (cache_rrset_lookup(it->cache, name, type, qs->qclass, now, &qs->arena, out) &&
	    out->security != SEC_BOGUS)
		return FETCH_FOUND;
	len = cache_answer_lookup(it->cache, name, type, qs->qclass,
	    CACHE_VARIANT_DO | CACHE_VARIANT_CD, now, 0, 0, it->wire, sizeof(it->wire), &info);
	if (len > 0 && msg_parse(it->wire, len, &msg, &qs->arena) == WIRE_OK) {
		if (msg.rcode != RCODE_NOERROR && msg.rcode != RCODE_NXDOMAIN)
			return FETCH_FAILED;
		n = rrsets_from_section(&msg, SEC_ANSWER, &qs->arena, &ans);
		for (i = 0; i < n; i++)
			if (ans[i].type == type && dname_equal(ans[i].owner, name)) {
				*out = ans[i];
				return FETCH_FOUND;
			}
		*nsets = rrsets_from_section(&msg, SEC_AUTHORITY, &qs->arena, sets);
		if (*nsets < 0)
			return FETCH_FAILED;
		return FETCH_NEGATIVE;
	}
	/* Still being asked (another subquery woke us first): wait on. */
	for (i = 0; i < qs->nchildren; i++)
		if (qs->children[i]->qtype == type && dname_equal(qs->children[i]->qname, name)) {
			vc->waiting = true;
			return FETCH_WAIT;
		}
	/* Asked once already and still not in the cache (not cacheable,
	 * or failed): asking again would only loop. */
	for (i = 0; i < qs->val_fetches; i++)
		if (qs->fetched[i].type == type && dname_equal(qs->fetched[i].name, name))
			return FETCH_FAILED;
	if (qs->val_fetches >= ITER_MAX_VAL_FETCHES)
		return FETCH_FAILED;
	if (!qstate_subquery(qs, name, type, qs->qclass, ITER_SUBQUERY_FLAGS))
		return FETCH_FAILED;
	qs->fetched[qs->val_fetches].name = arena_memdup(&qs->arena, name, dname_len(name));
	qs->fetched[qs->val_fetches].type = type;
	if (qs->fetched[qs->val_fetches].name == NULL)
		return FETCH_FAILED;
	qs->val_fetches++;
	vc->waiting = true;
	return FETCH_WAIT;
}

static void
keys_set(struct keys *k, enum sec_status sec, uint16_t ede, const char *reason)
{
	memset(k, 0, sizeof(*k));
	k->sec = sec;
	val_result_set(&k->why, sec, ede, reason);
}

/* The signer of the first signed set among sets, or NULL. */
static const uint8_t *
first_signer(const struct rrset *sets, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (val_rrset_signer(&sets[i]) != NULL)
			return val_rrset_signer(&sets[i]);
	return NULL;
}

static bool get_keys(struct vctx *vc, const uint8_t *zone, int depth, struct keys *out);

/* The servers that lately answered name/type sent bogus data: avoid them. */
static void
hold_down_sources(struct iter *it, const uint8_t *name, uint16_t type, uint64_t now_ms)
{
	int i;

	for (i = 0; i < it->nsources; i++)
		if (it->sources[i].type == type && dname_equal(it->sources[i].name, name))
			infra_set_bogus(it->infra, &it->sources[i].addr, now_ms, ITER_BOGUS_HOLDDOWN * 1000);
}

/* The answer failed validation: resolve the question again from the
 * start, avoiding the servers of the zone whose data failed, before
 * calling it bogus (RFC 4035 section 5). */
static bool
resolve_again(struct qstate *qs, const struct rrset *bad)
{
	struct iter *it = qs->it;
	uint64_t now = it->env.now_ms(it->env.io);

	if (qs->bogus_retries >= ITER_MAX_BOGUS_RETRY)
		return false;
	qs->bogus_retries++;
	/* The bogus RRsets are marked so in the cache (not used again);
	 * the servers that sent them are avoided for a while. */
	if (bad != NULL)
		hold_down_sources(it, bad->owner, bad->type, now);
	hold_down_sources(it, qs->qname, qs->qtype, now);
	memcpy(qs->cur_name, qs->qname, dname_len(qs->qname));
	qs->nanswer = 0;
	qs->chain_len = 0;
	qs->neg_soa = NULL;
	qs->neg_ns = NULL;
	qs->auth = NULL;
	qs->nauth = 0;
	qs->rcode = RCODE_NOERROR;
	qs->ede = EDE_NONE;
	qs->security = SEC_UNCHECKED;
	qs->referrals = 0;
	qs->no_minimise = false;
	qs->minimise_count = 0;
	qs->val_fetches = 0;
	qs->dp = NULL;
	qs->state = QS_START;
	qstate_schedule(qs);
	return true;
}

/*
 * Key material of zone from the servers of source_zone failed: the
 * servers that answered for source_zone lately are held down, what the
 * cache has at and below zone is dropped, and name/type is fetched again
 * (from another server, if there is one). RFC 4035 section 5: a resolver
 * SHOULD try other servers before it calls data bogus. Returns true when
 * a new fetch was started.
 */
static bool
refetch_after_bogus(struct vctx *vc, struct rrset *bad, const uint8_t *name, uint16_t type)
{
	struct qstate *qs = vc->qs;
	struct iter *it = qs->it;
	uint64_t now = it->env.now_ms(it->env.io);
	struct rrset dummy, *sets;
	int i, nsets;

	if (qs->bogus_retries >= ITER_MAX_BOGUS_RETRY)
		return false;
	qs->bogus_retries++;
	hold_down_sources(it, name, type, now);
	if (bad != NULL)
		cache_rrset_update_security(it->cache, bad, SEC_BOGUS, bad->trust);
	cache_answer_remove(it->cache, name, type, qs->qclass, CACHE_VARIANT_DO | CACHE_VARIANT_CD);
	for (i = 0; i < qs->val_fetches; i++)
		if (qs->fetched[i].type == type && dname_equal(qs->fetched[i].name, name))
			qs->fetched[i].type = 0;        /* may be asked again */
	if (log_verbosity >= 2) {
		char zs[DNAME_STR_MAX];
		log_debug(2, "bogus key material for %s: asking other servers",
		    dname_to_str(name, zs, sizeof(zs)));
	}
	return fetch(vc, name, type, &dummy, &sets, &nsets) == FETCH_WAIT;
}

/* Keys for the zone of something unsigned: the parent's keys decide
 * whether it had to be signed. */
static bool
parent_keys(struct vctx *vc, const uint8_t *zone, int depth, struct keys *out)
{
	if (zone[0] == 0) {
		keys_set(out, SEC_BOGUS, EDE_RRSIGS_MISSING, "unsigned data at the root");
		return true;
	}
	return get_keys(vc, dname_remove_labels(zone, 1), depth + 1, out);
}

/* The DNSKEY set of a zone whose DS set (or anchor) is trusted. */
static bool
zone_dnskey(struct vctx *vc, const uint8_t *zone, const struct rrset *ds,
    const struct val_anchor *ta, struct keys *out)
{
	struct qstate *qs = vc->qs;
	struct rrset dnskey, *sets, *copy;
	int nsets;
	enum sec_status sec;

	switch (fetch(vc, zone, RR_TYPE_DNSKEY, &dnskey, &sets, &nsets)) {
	case FETCH_WAIT:
		return false;
	case FETCH_NEGATIVE:
	case FETCH_FAILED:
		keys_set(out, SEC_BOGUS, EDE_DNSKEY_MISSING, "no DNSKEY set for a signed zone");
		return true;
	case FETCH_FOUND:
		break;
	}
	copy = arena_memdup(&qs->arena, &dnskey, sizeof(dnskey));
	if (copy == NULL) {
		keys_set(out, SEC_BOGUS, EDE_OTHER, "out of memory");
		return true;
	}
	memset(out, 0, sizeof(*out));
	sec = val_verify_dnskey(&vc->ve, copy, ds, ta, &out->why);
	out->sec = sec;
	if (sec == SEC_BOGUS && refetch_after_bogus(vc, copy, zone, RR_TYPE_DNSKEY))
		return false;
	if (sec == SEC_SECURE) {
		out->dnskey = copy;
		cache_rrset_update_security(qs->it->cache, copy, SEC_SECURE, TRUST_VALIDATED);
	}
	return true;
}

/*
 * The trusted keys of zone, walking up to the closest trust anchor: a
 * zone's DS set is signed by its parent, whose keys come the same way.
 * Returns false when it waits for a subquery.
 */
static bool
get_keys(struct vctx *vc, const uint8_t *zone, int depth, struct keys *out)
{
	struct qstate *qs = vc->qs;
	struct iter *it = qs->it;
	time_t now = it->env.now(it->env.io);
	const struct val_anchor *ta = val_anchors_lookup(qs->cfg->anchors, zone);
	struct rrset cached, ds, *sets = NULL, *dsp = NULL, *found_ds = NULL;
	const uint8_t *signer;
	struct keys pk;
	int nsets = 0;
	enum fetch_result f;
	enum sec_status sec;

	if (ta == NULL) {
		keys_set(out, SEC_INDETERMINATE, EDE_NONE, "no trust anchor above the zone");
		return true;
	}
	if (ta->insecure) {
		keys_set(out, SEC_INSECURE, EDE_NONE, "negative trust anchor");
		return true;
	}
	if (cache_rrset_lookup(it->cache, zone, RR_TYPE_DNSKEY, qs->qclass, now, &qs->arena, &cached) &&
	    cached.security == SEC_SECURE) {
		memset(out, 0, sizeof(*out));
		out->sec = SEC_SECURE;
		out->dnskey = arena_memdup(&qs->arena, &cached, sizeof(cached));
		if (out->dnskey == NULL)
			keys_set(out, SEC_BOGUS, EDE_OTHER, "out of memory");
		return true;
	}
	if (depth > ITER_MAX_KEY_DEPTH) {
		keys_set(out, SEC_BOGUS, EDE_DNSSEC_BOGUS, "chain of trust too long");
		return true;
	}
	if (dname_equal(zone, ta->name))
		return zone_dnskey(vc, zone, NULL, ta, out);

	f = fetch(vc, zone, RR_TYPE_DS, &ds, &sets, &nsets);
	if (f == FETCH_WAIT)
		return false;
	if (f == FETCH_FAILED) {
		keys_set(out, SEC_BOGUS, EDE_DNSSEC_BOGUS, "DS lookup failed");
		return true;
	}
	if (f == FETCH_FOUND) {
		dsp = arena_memdup(&qs->arena, &ds, sizeof(ds));
		if (dsp == NULL) {
			keys_set(out, SEC_BOGUS, EDE_OTHER, "out of memory");
			return true;
		}
		sets = dsp;
		nsets = 1;
	}
	signer = first_signer(sets, nsets);
	if (signer == NULL || !dname_is_strict_subdomain(zone, signer)) {
		/* An unsigned DS or denial: fine only under an insecure
		 * parent. */
		if (!parent_keys(vc, zone, depth, &pk))
			return false;
		if (pk.sec == SEC_SECURE)
			keys_set(out, SEC_BOGUS, f == FETCH_FOUND ? EDE_RRSIGS_MISSING : EDE_NSEC_MISSING,
			    "unsigned DS or DS denial in a signed zone");
		else
			*out = pk;
		return true;
	}
	if (!get_keys(vc, signer, depth + 1, &pk))
		return false;
	if (pk.sec != SEC_SECURE) {
		*out = pk;
		return true;
	}
	memset(out, 0, sizeof(*out));
	sec = val_ds_proof(&vc->ve, sets, nsets, zone, pk.dnskey, &found_ds, &out->why);
	out->sec = sec;
	if (sec == SEC_BOGUS && refetch_after_bogus(vc, dsp, zone, RR_TYPE_DS))
		return false;
	if (sec != SEC_SECURE)
		return true;
	if (found_ds == NULL) {
		*out = pk;           /* not a zone cut: the parent's keys sign it */
		return true;
	}
	if (dsp != NULL)
		cache_rrset_update_security(it->cache, found_ds, SEC_SECURE, TRUST_VALIDATED);
	return zone_dnskey(vc, zone, found_ds, NULL, out);
}

/* The zone an unsigned RRset belongs to, as far as the cache knows: the
 * closest delegation at or above its owner (for DS, above it). */
static const uint8_t *
closest_zone(struct qstate *qs, const uint8_t *owner, uint16_t type)
{
	struct iter *it = qs->it;
	time_t now = it->env.now(it->env.io);
	int l = dname_label_count(owner);
	struct rrset ns;

	if (type == RR_TYPE_DS && l > 0)
		l--;
	for (; l > 0; l--) {
		const uint8_t *s = dname_suffix_labels(owner, l);
		if (cache_rrset_lookup(it->cache, s, RR_TYPE_NS, qs->qclass, now, &qs->arena, &ns))
			return s;
	}
	return (const uint8_t *)"";
}

/*
 * Unsigned data at owner: acceptable only under an insecure zone cut.
 * Walk down from the closest zone we know of, one label at a time, asking
 * for the DS of each name (a name that is no cut is proven so by its
 * parent and the walk goes on) until a cut is proven insecure, or we reach
 * the owner still inside a signed zone: then the data needed signatures.
 */
static bool
prove_unsigned(struct vctx *vc, const uint8_t *owner, uint16_t type, uint16_t ede,
    const char *why, struct keys *res)
{
	struct qstate *qs = vc->qs;
	const uint8_t *zone = closest_zone(qs, owner, type);
	int l = dname_label_count(zone), last = dname_label_count(owner);
	struct keys k;

	if (type == RR_TYPE_DS && last > 0)
		last--;                  /* a DS belongs to the parent */
	for (;;) {
		if (!get_keys(vc, dname_suffix_labels(owner, l), 0, &k))
			return false;
		if (k.sec != SEC_SECURE) {
			*res = k;
			return true;
		}
		if (++l > last)
			break;
	}
	keys_set(res, SEC_BOGUS, ede, why);
	return true;
}

enum signer_step { SIGNER_WAIT, SIGNER_DONE, SIGNER_KEYS };

/* The trusted keys of signer for data at name. SIGNER_KEYS: *k holds
 * them. SIGNER_DONE: *res is the verdict already (the signer may not sign
 * for name, or its zone is not secure). SIGNER_WAIT: keys are being
 * fetched. */
static enum signer_step
signer_keys(struct vctx *vc, const uint8_t *name, const uint8_t *signer, const char *foreign,
    struct keys *k, struct keys *res)
{
	if (!dname_is_subdomain(name, signer)) {
		keys_set(res, SEC_BOGUS, EDE_DNSSEC_BOGUS, foreign);
		return SIGNER_DONE;
	}
	if (!get_keys(vc, signer, 0, k))
		return SIGNER_WAIT;
	if (k->sec != SEC_SECURE) {
		*res = *k;
		return SIGNER_DONE;
	}
	return SIGNER_KEYS;
}

/* One RRset of the answer. Returns false when waiting. */
static bool
check_rrset(struct vctx *vc, struct rrset *rs, struct keys *res)
{
	struct qstate *qs = vc->qs;
	const uint8_t *signer = val_rrset_signer(rs);
	struct keys k;

	if (rs->security == SEC_SECURE || rs->security == SEC_INSECURE) {
		keys_set(res, rs->security, EDE_NONE, "validated before");
		return true;
	}
	if (rs->type == RR_TYPE_RRSIG) {
		/* signatures are not signed: asked for as data, they prove
		 * nothing and are passed on as insecure */
		keys_set(res, SEC_INSECURE, EDE_NONE, "RRSIG records are not signed");
		return true;
	}
	if (signer == NULL)
		return prove_unsigned(vc, rs->owner, rs->type, EDE_RRSIGS_MISSING,
		    "unsigned data in a signed zone", res);
	switch (signer_keys(vc, rs->owner, signer, "signer is not above the owner", &k, res)) {
	case SIGNER_WAIT:
		return false;
	case SIGNER_DONE:
		return true;
	case SIGNER_KEYS:
		break;
	}
	memset(res, 0, sizeof(*res));
	res->sec = val_verify_rrset(&vc->ve, rs, k.dnskey, &res->why);
	if (res->sec == SEC_SECURE && res->why.wc_labels >= 0) {
		/* A wildcard expansion: prove the name itself is not there. */
		struct val_result r;
		struct rrset *proof;
		int nproof = answer_proof_sets(qs, &proof);
		if (val_deny(&vc->ve, VAL_DENY_WILDCARD, proof, nproof, rs->owner, rs->type,
		    res->why.wc_labels, k.dnskey, &r) != SEC_SECURE) {
			res->sec = r.sec == SEC_INSECURE ? SEC_INSECURE : SEC_BOGUS;
			res->why = r;
			/* not "validated before" when the check resumes */
			rs->security = (uint8_t)res->sec;
		}
	}
	return true;
}

/* The denial of a negative answer. Returns false when waiting. */
static bool
check_denial(struct vctx *vc, const uint8_t *name, struct keys *res)
{
	struct qstate *qs = vc->qs;
	const uint8_t *signer = first_signer(qs->auth, qs->nauth);
	struct keys k;
	enum val_deny_kind kind = qs->rcode == RCODE_NXDOMAIN ? VAL_DENY_NXDOMAIN : VAL_DENY_NODATA;

	if (signer == NULL)
		return prove_unsigned(vc, qs->neg_soa != NULL ? qs->neg_soa->owner : name,
		    qs->neg_soa != NULL ? RR_TYPE_SOA : qs->qtype, EDE_NSEC_MISSING,
		    "unsigned denial in a signed zone", res);
	switch (signer_keys(vc, name, signer, "denial signed by another zone", &k, res)) {
	case SIGNER_WAIT:
		return false;
	case SIGNER_DONE:
		return true;
	case SIGNER_KEYS:
		break;
	}
	memset(res, 0, sizeof(*res));
	res->sec = val_deny(&vc->ve, kind, qs->auth, qs->nauth, name, qs->qtype, -1, k.dnskey, &res->why);
	return true;
}

/* The DNAME of the answer (before index i) whose owner is above the owner
 * of answer[i], or -1. An unsigned CNAME below it is what it stands for. */
static int
covering_dname(const struct qstate *qs, int i)
{
	int j;

	for (j = i - 1; j >= 0; j--)
		if (qs->answer[j]->type == RR_TYPE_DNAME &&
		    dname_is_strict_subdomain(qs->answer[i]->owner, qs->answer[j]->owner))
			return j;
	return -1;
}

/* answer[i] is an unsigned CNAME below the DNAME answer[d]: whether it,
 * and the CNAME the server sent beside the DNAME if it sent one, are
 * exactly the DNAME's synthesis. When not, *why says so. */
static bool
synthesis_holds(const struct qstate *qs, int d, int i, struct keys *why)
{
	const struct rrset *dname = qs->answer[d], *sent = qs->answer_sent[i];

	if (val_dname_synthesises(dname, qs->answer[i]) &&
	    (sent == NULL || val_dname_synthesises(dname, sent)))
		return true;
	keys_set(why, SEC_BOGUS, EDE_DNSSEC_BOGUS, "a CNAME beside a signed DNAME is not its synthesis");
	return false;
}

static void
combine(struct keys *total, const struct keys *part)
{
	if (sec_rank(part->sec) < sec_rank(total->sec))
		*total = *part;
}

/* Whether the root trust anchor holds a key with this tag (configured
 * as DNSKEY, or as DS whose key tag field names it). */
static bool
root_anchor_has_tag(const struct qstate *qs, uint16_t tag)
{
	const struct val_anchor *ta = val_anchors_lookup(qs->cfg->anchors, (const uint8_t *)"");
	int i;

	if (ta == NULL || ta->name[0] != 0)
		return false;
	for (i = 0; ta->ds != NULL && i < ta->ds->count; i++)
		if (ta->ds->rdata[i].len >= 2 && rd16(ta->ds->rdata[i].data) == tag)
			return true;
	for (i = 0; ta->dnskey != NULL && i < ta->dnskey->count; i++)
		if (val_keytag(ta->dnskey->rdata[i].data, ta->dnskey->rdata[i].len) == tag)
			return true;
	return false;
}

/* RFC 8509: a secure A/AAAA answer for root-key-sentinel-is-ta-NNNNN
 * (or -not-ta-NNNNN) becomes SERVFAIL when the root anchor does not
 * (does) hold key NNNNN, so a client can tell which root keys its
 * resolver trusts. */
static bool
sentinel_fails(const struct qstate *qs)
{
	static const char is_ta[] = "root-key-sentinel-is-ta-";
	static const char not_ta[] = "root-key-sentinel-not-ta-";
	const char *label = (const char *)qs->qname + 1;
	size_t len = qs->qname[0], plen;
	bool is;
	unsigned tag = 0;
	size_t i;

	if (qs->qtype != RR_TYPE_A && qs->qtype != RR_TYPE_AAAA)
		return false;
	if (len == sizeof(is_ta) - 1 + 5 && strncasecmp(label, is_ta, sizeof(is_ta) - 1) == 0) {
		is = true;
		plen = sizeof(is_ta) - 1;
	} else if (len == sizeof(not_ta) - 1 + 5 && strncasecmp(label, not_ta, sizeof(not_ta) - 1) == 0) {
		is = false;
		plen = sizeof(not_ta) - 1;
	} else
		return false;
	for (i = plen; i < len; i++) {
		if (label[i] < '0' || label[i] > '9')
			return false;
		tag = tag * 10 + (unsigned)(label[i] - '0');
	}
	if (tag > 65535)
		return false;
	return root_anchor_has_tag(qs, (uint16_t)tag) != is;
}

bool
validate_answer(struct qstate *qs)
{
	struct vctx vc;
	struct keys total, part;
	enum sec_status verdict[sizeof(qs->answer) / sizeof(qs->answer[0])];
	const uint8_t *last = qs->qname;
	const struct rrset *bad = NULL;
	char name[DNAME_STR_MAX], type[16];
	int i;

	memset(&vc, 0, sizeof(vc));
	vc.qs = qs;
	val_env_init(&vc.ve, qs->it->env.now(qs->it->env.io), &qs->arena);
	keys_set(&total, SEC_SECURE, EDE_NONE, "");
	if (val_anchors_lookup(qs->cfg->anchors, qs->qname) == NULL) {
		qs->security = SEC_INDETERMINATE;
		return true;
	}
	for (i = 0; i < qs->nanswer; i++) {
		struct rrset *rs = qs->answer[i];
		int d = rs->type == RR_TYPE_CNAME && val_rrset_signer(rs) == NULL ?
		    covering_dname(qs, i) : -1;
		if (d >= 0) {
			/* The unsigned CNAME a DNAME of the answer stands
			 * for: as good as that DNAME, if it is exactly its
			 * synthesis and the server did not claim another.
			 * If not, the DNAME came in a bogus reply: it is
			 * not used again (marked below). */
			verdict[i] = verdict[d];
			if (verdict[d] == SEC_SECURE && !synthesis_holds(qs, d, i, &part)) {
				verdict[i] = SEC_BOGUS;
				if (bad == NULL)
					bad = qs->answer[d];
				combine(&total, &part);
			}
			last = rs->rdata[0].data;
			continue;
		}
		if (!check_rrset(&vc, rs, &part))
			return false;
		verdict[i] = part.sec;
		if (part.sec == SEC_BOGUS && bad == NULL)
			bad = rs;
		if (part.sec == SEC_SECURE || part.sec == SEC_INSECURE || part.sec == SEC_BOGUS)
			cache_rrset_update_security(qs->it->cache, rs, (uint8_t)part.sec,
			    part.sec == SEC_SECURE ? TRUST_VALIDATED : rs->trust);
		combine(&total, &part);
		if (rs->type == RR_TYPE_CNAME && rs->count == 1)
			last = rs->rdata[0].data;
	}
	if (qs->rcode == RCODE_NXDOMAIN || qs->nanswer == 0 ||
	    (qs->answer[qs->nanswer - 1]->type == RR_TYPE_CNAME && qs->qtype != RR_TYPE_CNAME &&
	    qs->neg_soa != NULL)) {
		if (!check_denial(&vc, last, &part))
			return false;
		combine(&total, &part);
	}
	if (bad != NULL)
		cache_rrset_update_security(qs->it->cache, bad, SEC_BOGUS, bad->trust);
	if (total.sec == SEC_BOGUS && total.why.ede != EDE_NONE) {
		if (resolve_again(qs, bad))
			return false;
	}
	if (total.sec == SEC_SECURE && sentinel_fails(qs))
		keys_set(&total, SEC_BOGUS, EDE_NONE, "root key sentinel (RFC 8509)");
	qs->security = (uint8_t)total.sec;
	/* Proven gaps serve other names in them later (RFC 8198). */
	if (total.sec == SEC_SECURE)
		nsec_cache_learn(qs, qs->it->env.now(qs->it->env.io));
	if (total.sec == SEC_BOGUS) {
		log_debug(2, "validation failed for %s %s: %s (EDE %u)",
		    dname_to_str(qs->qname, name, sizeof(name)), rr_type_str(qs->qtype, type),
		    total.why.reason, total.why.ede);
		qs->rcode = RCODE_SERVFAIL;
		qs->ede = total.why.ede != EDE_NONE ? total.why.ede : EDE_DNSSEC_BOGUS;
		qs->nanswer = 0;
		qs->neg_soa = NULL;
		qs->neg_ns = NULL;
		qs->nauth = 0;
	}
	return true;
}
