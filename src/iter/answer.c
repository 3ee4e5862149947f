/*
 * answer.c -- the engine's answers: from the cache when it already knows,
 * and the canonical wire answer built when a qstate finishes.
 *
 * Answers are minimal (like Unbound's minimal-responses): the answer
 * section, and the SOA in authority for negative answers. Nothing else is
 * needed by stub resolvers, and small answers cost less everywhere.
 */
#include "config.h"

#include <string.h>

#include "iter/response.h"
#include "util/log.h"
#include "util/msgbuild.h"

static bool
rrset_is_wildcard_expansion(const struct rrset *rs)
{
	int j;

	for (j = rs->count; j < rs->count + rs->sigcount; j++)
		if (rs->rdata[j].len > 3 && rs->rdata[j].data[3] < dname_label_count(rs->owner))
			return true;
	return false;
}

/* A cached RRset usable as an answer here. A wildcard expansion is not,
 * for a client that wants DNSSEC records: the NSEC proof that must go
 * with it (RFC 4035 section 3.1.3.3) is not kept with the RRset. */
static bool
usable_answer(const struct qstate *qs, const struct rrset *rs)
{
	if (rs->trust < TRUST_ANS_NONAUTH || rs->security == SEC_BOGUS)
		return false;
	return !(qs->flags & ITER_FLAG_DO) || !rrset_is_wildcard_expansion(rs);
}

static uint8_t
answer_variant(const struct qstate *qs)
{
	uint8_t v = 0;

	if (qs->flags & ITER_FLAG_DO)
		v |= CACHE_VARIANT_DO;
	if (qs->flags & FLAG_CD)
		v |= CACHE_VARIANT_CD;
	return v;
}

bool
answer_push(struct qstate *qs, struct rrset *rs)
{
	if (qs->nanswer >= (int)(sizeof(qs->answer) / sizeof(qs->answer[0])))
		return false;
	qs->answer_sent[qs->nanswer] = NULL;
	qs->answer[qs->nanswer++] = rs;
	return true;
}

static bool
is_denial(const struct rrset *rs)
{
	return rs->type == RR_TYPE_NSEC || rs->type == RR_TYPE_NSEC3;
}

static bool
sets_have(const struct rrset *sets, int n, const struct rrset *rs)
{
	int i;

	for (i = 0; i < n; i++)
		if (sets[i].type == rs->type && dname_equal(sets[i].owner, rs->owner))
			return true;
	return false;
}

void
answer_keep_wildcard_proof(struct qstate *qs, struct rrset *const *chain, int nchain,
    struct rrset *auth, int nauth)
{
	struct rrset *grown;
	int i, n = 0;

	for (i = 0; i < nchain && !rrset_is_wildcard_expansion(chain[i]); i++)
		;
	if (i == nchain)
		return;
	for (i = 0; i < nauth; i++)
		n += is_denial(&auth[i]);
	if (n == 0 || (grown = arena_alloc(&qs->arena,
	    sizeof(*grown) * (size_t)(qs->nwc_proof + n))) == NULL)
		return;
	if (qs->nwc_proof > 0)
		memcpy(grown, qs->wc_proof, sizeof(*grown) * (size_t)qs->nwc_proof);
	for (i = 0; i < nauth; i++)
		if (is_denial(&auth[i]) && !sets_have(grown, qs->nwc_proof, &auth[i]))
			grown[qs->nwc_proof++] = auth[i];
	qs->wc_proof = grown;
}

int
answer_proof_sets(struct qstate *qs, struct rrset **out)
{
	struct rrset *all;
	int i, n = qs->nauth;

	*out = qs->auth;
	if (qs->nwc_proof == 0)
		return qs->nauth;
	if (qs->proof != NULL && qs->proof_auth == qs->auth && qs->proof_nwc == qs->nwc_proof) {
		*out = qs->proof;
		return qs->nproof;
	}
	if ((all = arena_alloc(&qs->arena, sizeof(*all) * (size_t)(qs->nauth + qs->nwc_proof))) == NULL)
		return qs->nauth;
	if (qs->nauth > 0)
		memcpy(all, qs->auth, sizeof(*all) * (size_t)qs->nauth);
	for (i = 0; i < qs->nwc_proof; i++)
		if (!sets_have(all, n, &qs->wc_proof[i]))
			all[n++] = qs->wc_proof[i];
	qs->proof = all;
	qs->proof_auth = qs->auth;
	qs->proof_nwc = qs->nwc_proof;
	qs->nproof = n;
	*out = all;
	return n;
}

/* A whole answer cached for (cur_name, qtype), e.g. a negative one for the
 * target of an alias, or an answer whose RRsets were evicted. */
static bool
from_answer_cache(struct qstate *qs, time_t now)
{
	struct iter *it = qs->it;
	struct cache_answer_info info;
	struct dns_msg msg;
	struct rrset *sets;
	size_t len;
	int n, i;

	len = cache_answer_lookup(it->cache, qs->cur_name, qs->qtype, qs->qclass,
	    answer_variant(qs), now, 0, 0, it->wire, sizeof(it->wire), &info);
	if (len == 0 || msg_parse(it->wire, len, &msg, &qs->arena) != WIRE_OK)
		return false;
	if (msg.rcode != RCODE_NOERROR && msg.rcode != RCODE_NXDOMAIN)
		return false;    /* a cached failure is for clients, not us */
	n = rrsets_from_section(&msg, SEC_ANSWER, &qs->arena, &sets);
	for (i = 0; i < n; i++)
		if (!answer_push(qs, &sets[i]))
			return false;
	qs->rcode = msg.rcode;
	/* stored again under qs's question: no longer than it has left */
	qs->cached_left = info.remaining;
	if (msg.flags & FLAG_AD)
		qs->security = SEC_SECURE;     /* validated when it was stored */
	if (msg.count[SEC_AUTHORITY] > 0) {
		n = rrsets_from_section(&msg, SEC_AUTHORITY, &qs->arena, &sets);
		if (n > 0) {
			qs->auth = sets;
			qs->nauth = n;
		}
		for (i = 0; i < n; i++)
			if (sets[i].type == RR_TYPE_SOA) {
				qs->neg_soa = &sets[i];
				qs->neg_ttl = sets[i].ttl;
			} else if (sets[i].type == RR_TYPE_NS)
				qs->neg_ns = &sets[i];
	}
	return true;
}

/* Whether name already owns a CNAME of the chain (or is the question):
 * following it again would loop. */
bool
answer_alias_seen(const struct qstate *qs, const uint8_t *name)
{
	int i;

	if (dname_equal(name, qs->qname))
		return true;
	for (i = 0; i < qs->nanswer; i++)
		if (qs->answer[i]->type == RR_TYPE_CNAME && dname_equal(qs->answer[i]->owner, name))
			return true;
	return false;
}

/* A cached DNAME above cur_name: push it and the CNAME it implies, and
 * move cur_name to the target. Returns false when there is none; sets
 * *stop when the chain must end here. */
static bool
follow_cached_dname(struct qstate *qs, time_t now, bool *stop)
{
	struct iter *it = qs->it;
	int labels = dname_label_count(qs->cur_name), l;
	struct rrset rs, *dn, *cn;
	uint8_t *target;

	*stop = false;
	for (l = labels - 1; l >= 1; l--) {
		const uint8_t *owner = dname_suffix_labels(qs->cur_name, l);
		if (!cache_rrset_lookup(it->cache, owner, RR_TYPE_DNAME, qs->qclass, now, &qs->arena, &rs) ||
		    !usable_answer(qs, &rs) || rs.count != 1)
			continue;
		*stop = true;
		dn = arena_memdup(&qs->arena, &rs, sizeof(rs));
		if (dn == NULL || !answer_push(qs, dn))
			return true;
		target = response_dname_substitute(&qs->arena, qs->cur_name, dn);
		if (target == NULL) {
			qs->rcode = RCODE_YXDOMAIN;   /* RFC 6672 section 2.2 */
			return true;
		}
		cn = response_synth_cname(&qs->arena, qs->cur_name, target, dn->ttl);
		if (cn == NULL || !answer_push(qs, cn))
			return true;
		if (qs->qtype == RR_TYPE_CNAME)
			return true;            /* the CNAME asked for: done */
		if (++qs->chain_len > ITER_MAX_CNAME_CHAIN || answer_alias_seen(qs, target)) {
			qs->rcode = RCODE_SERVFAIL;
			return true;
		}
		memcpy(qs->cur_name, target, dname_len(target));
		*stop = false;
		return true;
	}
	return false;
}

bool
answer_from_cache(struct qstate *qs)
{
	struct iter *it = qs->it;
	time_t now = it->env.now(it->env.io);
	struct rrset rs, *copy;
	bool stop;

	for (;;) {
		if (cache_rrset_lookup(it->cache, qs->cur_name, qs->qtype, qs->qclass, now, &qs->arena, &rs) &&
		    usable_answer(qs, &rs)) {
			copy = arena_memdup(&qs->arena, &rs, sizeof(rs));
			return copy != NULL && answer_push(qs, copy);
		}
		if (qs->qtype != RR_TYPE_CNAME &&
		    cache_rrset_lookup(it->cache, qs->cur_name, RR_TYPE_CNAME, qs->qclass, now, &qs->arena, &rs) &&
		    usable_answer(qs, &rs) && rs.count == 1) {
			const uint8_t *target = rs.rdata[0].data;
			copy = arena_memdup(&qs->arena, &rs, sizeof(rs));
			if (copy == NULL || !answer_push(qs, copy))
				return true;
			if (++qs->chain_len > ITER_MAX_CNAME_CHAIN || answer_alias_seen(qs, target)) {
				qs->rcode = RCODE_SERVFAIL;   /* an alias loop */
				return true;
			}
			memcpy(qs->cur_name, target, dname_len(target));
			continue;
		}
		if (qs->qtype != RR_TYPE_DNAME && follow_cached_dname(qs, now, &stop)) {
			if (stop)
				return true;
			continue;
		}
		return from_answer_cache(qs, now);
	}
}

/* A negative answer without SOA. It may still carry NSEC/NSEC3 records (a
 * DS denial often does): they last as long as their TTL. Without those,
 * nothing says how long it holds: RFC 2308 section 5 says not long, so it
 * is kept ITER_NOSOA_NEG_TTL seconds (or cache-min-ttl, if longer), which
 * spares the server every client's retry. Capped like any negative
 * answer. */
static uint32_t
nosoa_lifetime(const struct qstate *qs)
{
	uint32_t ttl = UINT32_MAX;
	int i;

	for (i = 0; i < qs->nauth; i++)
		if ((qs->auth[i].type == RR_TYPE_NSEC || qs->auth[i].type == RR_TYPE_NSEC3) &&
		    qs->auth[i].ttl < ttl)
			ttl = qs->auth[i].ttl;
	if (ttl == UINT32_MAX)
		ttl = qs->cfg->cache_min_ttl > ITER_NOSOA_NEG_TTL ? qs->cfg->cache_min_ttl :
		    ITER_NOSOA_NEG_TTL;
	return ttl < qs->cfg->cache_max_negative_ttl ? ttl : qs->cfg->cache_max_negative_ttl;
}

/* Lifetime of the whole answer: its shortest TTL. */
static uint32_t
answer_lifetime(const struct qstate *qs)
{
	uint32_t ttl = UINT32_MAX;
	int i;

	for (i = 0; i < qs->nanswer; i++)
		if (qs->answer[i]->ttl < ttl)
			ttl = qs->answer[i]->ttl;
	if (qs->neg_soa != NULL && qs->neg_ttl < ttl)
		ttl = qs->neg_ttl;
	if (ttl == UINT32_MAX)
		ttl = 0;
	return ttl;
}

/* For a client that set DO: the SOA, NSEC and NSEC3 records (with their
 * signatures) that prove a negative answer or a wildcard expansion. Their
 * TTLs are capped by the negative TTL (RFC 9077). */
/* Whether an RRset of the answer was expanded from a wildcard: its
 * RRSIG labels field counts fewer labels than its owner has. */
static bool
has_wildcard_expansion(const struct qstate *qs)
{
	int i;

	for (i = 0; i < qs->nanswer; i++)
		if (rrset_is_wildcard_expansion(qs->answer[i]))
			return true;
	return false;
}

static void
add_proofs(struct qstate *qs, struct msg_builder *b, bool negative)
{
	int i;

	/* a positive answer needs a proof only for a wildcard expansion
	 * (RFC 4035 section 3.1.3.3) */
	if (!negative && !has_wildcard_expansion(qs))
		return;

	for (i = 0; i < qs->nauth && !b->full; i++) {
		struct rrset rs = qs->auth[i];
		if (rs.type == RR_TYPE_NSEC || rs.type == RR_TYPE_NSEC3 ||
		    (negative && rs.type == RR_TYPE_SOA)) {
			if (negative && qs->neg_soa != NULL && rs.ttl > qs->neg_ttl)
				rs.ttl = qs->neg_ttl;
			mb_rrset(b, SEC_AUTHORITY, &rs, true);
		}
	}
	/* the proofs of wildcard links of the chain that came from earlier
	 * replies (their records may be the same as the last reply's) */
	for (i = 0; i < qs->nwc_proof && !b->full; i++)
		if (!sets_have(qs->auth, qs->nauth, &qs->wc_proof[i]))
			mb_rrset(b, SEC_AUTHORITY, &qs->wc_proof[i], true);
	if (negative && qs->nauth == 0 && qs->neg_soa != NULL && !b->full) {
		struct rrset soa = *qs->neg_soa;
		soa.ttl = qs->neg_ttl;
		mb_rrset(b, SEC_AUTHORITY, &soa, true);
	}
}

/* Whether answer[i] is an RRset the answer already holds: a chain that
 * passes one DNAME twice (x. DNAME . for a.x.x.) has it twice, but a
 * message carries an RRset once (RFC 2181 section 5). */
static bool
answer_repeats(const struct qstate *qs, int i)
{
	const struct rrset *rs = qs->answer[i];
	int j;

	for (j = 0; j < i; j++)
		if (qs->answer[j]->type == rs->type && qs->answer[j]->rclass == rs->rclass &&
		    dname_equal(qs->answer[j]->owner, rs->owner))
			return true;
	return false;
}

size_t
answer_build(struct qstate *qs, uint16_t *ede)
{
	struct iter *it = qs->it;
	struct msg_builder b;
	bool dnssec = (qs->flags & ITER_FLAG_DO) != 0;
	uint16_t flags = FLAG_QR | FLAG_RA | (qs->flags & FLAG_CD);
	bool negative = qs->rcode == RCODE_NXDOMAIN || qs->nanswer == 0 ||
	    (qs->neg_soa != NULL && qs->answer[qs->nanswer - 1]->type == RR_TYPE_CNAME &&
	    qs->qtype != RR_TYPE_CNAME);
	uint32_t ttl;
	size_t len;
	int i;

	*ede = qs->rcode == RCODE_SERVFAIL ? qs->ede : EDE_NONE;
	if (qs->security == SEC_SECURE && qs->rcode != RCODE_SERVFAIL)
		flags |= FLAG_AD;   /* the front end clears it for clients without DO/AD */
	mb_init(&b, it->wire, sizeof(it->wire));
	mb_record_ttls(&b, it->ttl_offs, ITER_TTL_OFFS_MAX);
	if (mb_header(&b, 0, flags, qs->rcode) != 0 ||
	    mb_question(&b, qs->qname, qs->qtype, qs->qclass) != 0)
		return 0;
	for (i = 0; i < qs->nanswer && !b.full; i++)
		if (!answer_repeats(qs, i))
			mb_rrset(&b, SEC_ANSWER, qs->answer[i], dnssec);
	if (dnssec && qs->rcode != RCODE_SERVFAIL)
		add_proofs(qs, &b, negative);
	else if (qs->neg_soa != NULL && !b.full) {
		struct rrset soa = *qs->neg_soa;
		soa.ttl = qs->neg_ttl;
		mb_rrset(&b, SEC_AUTHORITY, &soa, false);
		if (qs->neg_ns != NULL && !b.full)
			mb_rrset(&b, SEC_AUTHORITY, qs->neg_ns, false);
	}
	if (b.full) {
		/* Over 64 KiB: say so rather than hand out half an answer. */
		it->wire[2] |= FLAG_TC >> 8;
	}
	len = mb_finish(&b);
	if (b.full)
		return len;
	if (qs->rcode == RCODE_SERVFAIL) {
		/* RFC 9520: remember failures briefly, but never in place
		 * of an answer still worth serving (RFC 8767). */
		if (cache_answer_keep_on_failure(it->cache, qs->qname, qs->qtype, qs->qclass,
		    answer_variant(qs), it->env.now(it->env.io),
		    qs->cfg->serve_expired ? qs->cfg->serve_expired_ttl : 0, ITER_SERVFAIL_TTL))
			return len;
		ttl = ITER_SERVFAIL_TTL;
	}
	else if ((qs->nanswer == 0 || qs->rcode == RCODE_NXDOMAIN) && qs->neg_soa == NULL)
		ttl = nosoa_lifetime(qs);
	else
		ttl = answer_lifetime(qs);
	if (qs->cached_left > 0 && ttl > qs->cached_left)
		ttl = qs->cached_left;
	if (ttl > 0)
		cache_answer_store(it->cache, qs->qname, qs->qtype, qs->qclass, answer_variant(qs),
		    it->wire, len, it->ttl_offs, b.ttl_n, ttl, *ede, it->env.now(it->env.io));
	return len;
}

void
answer_store_ds_denial(struct qstate *qs, const uint8_t *child, const struct rrset *auth, int nauth)
{
	struct iter *it = qs->it;
	struct msg_builder b;
	uint32_t ttl = UINT32_MAX;
	int i, proofs = 0;

	for (i = 0; i < nauth; i++)
		if (auth[i].type == RR_TYPE_DS && dname_equal(auth[i].owner, child))
			return;          /* a DS set, not a denial */
	mb_init(&b, it->wire, sizeof(it->wire));
	mb_record_ttls(&b, it->ttl_offs, ITER_TTL_OFFS_MAX);
	if (mb_header(&b, 0, FLAG_QR | FLAG_RA | FLAG_CD, RCODE_NOERROR) != 0 ||
	    mb_question(&b, child, RR_TYPE_DS, qs->qclass) != 0)
		return;
	for (i = 0; i < nauth; i++) {
		const struct rrset *rs = &auth[i];
		if ((rs->type != RR_TYPE_NSEC && rs->type != RR_TYPE_NSEC3) || rs->sigcount == 0)
			continue;
		if (mb_rrset(&b, SEC_AUTHORITY, rs, true) != 0)
			return;
		if (rs->ttl < ttl)
			ttl = rs->ttl;
		proofs++;
	}
	if (proofs == 0 || ttl == 0)
		return;
	ttl = response_clamp_ttl(qs->cfg, ttl);
	if (ttl > qs->cfg->cache_max_negative_ttl)
		ttl = qs->cfg->cache_max_negative_ttl;
	cache_answer_store(it->cache, child, RR_TYPE_DS, qs->qclass,
	    CACHE_VARIANT_DO | CACHE_VARIANT_CD, it->wire, mb_finish(&b), it->ttl_offs,
	    b.ttl_n, ttl, EDE_NONE, it->env.now(it->env.io));
}
