/*
 * nsec_cache.c -- aggressive use of the DNSSEC-validated cache (RFC 8198):
 * NSEC and NSEC3 records that validation proved authentic are remembered
 * in the shared cache (cache_denial_*), and a later question for a name
 * they cover is answered NXDOMAIN or NODATA without asking anyone.
 *
 * A proof is put together from whatever records the cache holds for the
 * zone, whichever answers brought them: negative answers, wildcard
 * answers (the record covering the next closer name), NODATA after an
 * alias. For NSEC the record at or before the name, and the one at or
 * before the wildcard of its closest encloser; for NSEC3 the records at or
 * before the hash of every ancestor and of each ancestor's wildcard. The
 * proof itself is checked by the same code as a reply's (val_nsec_prove,
 * val_nsec3_prove); opt-out spans prove nothing.
 *
 * A DS lives in the parent zone, so a DS question is proven from the
 * chain of the closest zone strictly above the name.
 */
#include "config.h"

#include <string.h>

#include "iter/response.h"
#include "dnssec/dnssec.h"

#define NSEC_PROOF_MAX 32

/* The validated NSEC/NSEC3 sets among sets, each zone's with its signer
 * (a chain may cross zones: a wildcard link's proof is of its own). */
static void
learn_from(struct qstate *qs, const struct rrset *sets, int n, time_t now)
{
	const uint8_t *done[4];
	struct rrset *mine;
	int i, j, k, ndone = 0;

	if (n == 0 || (mine = arena_alloc(&qs->arena, sizeof(*mine) * (size_t)n)) == NULL)
		return;
	for (i = 0; i < n && ndone < 4; i++) {
		const struct rrset *soa = qs->neg_soa;
		const uint8_t *zone = val_rrset_signer(&sets[i]);
		uint32_t ttl = qs->cfg->cache_max_negative_ttl, soa_ttl = 0;
		if ((sets[i].type != RR_TYPE_NSEC && sets[i].type != RR_TYPE_NSEC3) ||
		    sets[i].security != SEC_SECURE || zone == NULL)
			continue;
		for (j = 0; j < ndone && !dname_equal(done[j], zone); j++)
			;
		if (j < ndone)
			continue;
		done[ndone++] = zone;
		for (j = k = 0; j < n; j++)
			if (val_rrset_signer(&sets[j]) != NULL &&
			    dname_equal(val_rrset_signer(&sets[j]), zone))
				mine[k++] = sets[j];
		/* RFC 9077: a denial lasts no longer than the negative TTL of
		 * its zone; without the zone's SOA (a wildcard answer) the
		 * records' own TTL, capped like any negative answer, and the
		 * zone answers only once an SOA is known. */
		if (soa != NULL && soa->security == SEC_SECURE && dname_equal(soa->owner, zone)) {
			soa_ttl = qs->neg_ttl;
			ttl = qs->neg_ttl;
		} else
			soa = NULL;
		cache_denial_store(qs->it->cache, zone, soa, soa_ttl, mine, k, ttl, now);
	}
}

void
nsec_cache_learn(struct qstate *qs, time_t now)
{
	struct rrset *proof;
	int n = answer_proof_sets(qs, &proof);

	learn_from(qs, qs->auth, qs->nauth, now);
	if (proof != qs->auth)
		learn_from(qs, proof, n, now);
}

/* The remembered record at or before name, into sets (once). */
static const struct rrset *
gather(struct qstate *qs, const uint8_t *zone, const uint8_t *name, time_t now,
    struct rrset *sets, int *n)
{
	struct rrset rs;
	int i;

	if (!cache_denial_lookup(qs->it->cache, zone, name, now, &qs->arena, &rs))
		return NULL;
	for (i = 0; i < *n; i++)
		if (dname_equal(sets[i].owner, rs.owner))
			return &sets[i];
	if (*n == NSEC_PROOF_MAX)
		return NULL;
	sets[*n] = rs;
	return &sets[(*n)++];
}

static bool
proves(const struct qstate *qs, bool nsec3, enum val_deny_kind kind, const uint8_t *zone,
    const struct rrset *sets, int n)
{
	struct val_result r;

	if (nsec3)
		return val_nsec3_prove(kind, sets, n, qs->cur_name, qs->qtype, -1, zone, &r) ==
		    SEC_SECURE && !r.optout;
	return val_nsec_prove(kind, sets, n, qs->cur_name, qs->qtype, -1, zone, &r) == SEC_SECURE;
}

/* Which proof the records make: NXDOMAIN, else NODATA (then the records
 * not needed for it are dropped, so the answer carries the proof and no
 * more). */
static bool
prove(struct qstate *qs, bool nsec3, const uint8_t *zone, struct rrset *sets, int *n)
{
	enum val_deny_kind kind;
	int i;

	if (proves(qs, nsec3, VAL_DENY_NXDOMAIN, zone, sets, *n))
		kind = VAL_DENY_NXDOMAIN;
	else if (proves(qs, nsec3, VAL_DENY_NODATA, zone, sets, *n))
		kind = VAL_DENY_NODATA;
	else
		return false;
	for (i = *n - 1; i >= 0 && *n > 1; i--) {
		struct rrset keep = sets[i];
		sets[i] = sets[*n - 1];
		if (proves(qs, nsec3, kind, zone, sets, *n - 1)) {
			(*n)--;
			continue;
		}
		sets[*n - 1] = sets[i];
		sets[i] = keep;
	}
	qs->rcode = kind == VAL_DENY_NXDOMAIN ? RCODE_NXDOMAIN : RCODE_NOERROR;
	return true;
}

/* Labels name shares with the NSEC owner or its next name, whichever
 * shares more: that suffix is the closest encloser of a covered name. */
static const uint8_t *
closest_encloser(const uint8_t *name, const struct rrset *nsec)
{
	int a = dname_common_labels(name, nsec->owner);
	int b = dname_common_labels(name, nsec->rdata[0].data);

	return dname_suffix_labels(name, a > b ? a : b);
}

/* NSEC: the record at or before the name and, unless it matches, the
 * one at or before the closest encloser's wildcard. */
static bool
nsec_answer(struct qstate *qs, const uint8_t *zone, time_t now, struct rrset *sets, int *n)
{
	const struct rrset *s1;
	uint8_t wc[DNAME_MAX];

	if ((s1 = gather(qs, zone, qs->cur_name, now, sets, n)) == NULL)
		return false;
	if (!dname_equal(s1->owner, qs->cur_name) &&
	    dname_wildcard(closest_encloser(qs->cur_name, s1), wc) > 0)
		gather(qs, zone, wc, now, sets, n);
	return prove(qs, false, zone, sets, n);
}

/* "<base32hex of name's NSEC3 hash>.<zone>" in the arena. */
static uint8_t *
nsec3_owner(struct qstate *qs, const uint8_t *zone, const uint8_t *name,
    const struct val_nsec3_params *p)
{
	static const char b32[] = "0123456789abcdefghijklmnopqrstuv";
	uint8_t hash[NSEC3_HASH_MAX], *out;
	size_t zlen = dname_len(zone);
	int hl = val_nsec3_hash(name, p->alg, p->iterations, p->salt, p->saltlen, hash);
	int bits = 0, nch = 0, i;
	uint32_t acc = 0;

	if (hl <= 0 || (hl * 8 + 4) / 5 > 63)
		return NULL;
	if ((out = arena_alloc(&qs->arena, 1 + (size_t)(hl * 8 + 4) / 5 + zlen)) == NULL)
		return NULL;
	for (i = 0; i < hl; i++) {
		acc = acc << 8 | hash[i];
		bits += 8;
		while (bits >= 5) {
			out[1 + nch++] = (uint8_t)b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[1 + nch++] = (uint8_t)b32[(acc << (5 - bits)) & 31];
	out[0] = (uint8_t)nch;
	memcpy(out + 1 + nch, zone, zlen);
	return out;
}

/* NSEC3: the records at or before the hash of each ancestor of the name
 * down from the zone, and of each ancestor's wildcard; then NXDOMAIN,
 * else NODATA. */
static bool
nsec3_answer(struct qstate *qs, const uint8_t *zone, time_t now, struct rrset *sets, int *n)
{
	const uint8_t *name = qs->cur_name;
	struct val_nsec3_params p;
	struct rrset first;
	int zl = dname_label_count(zone), nl = dname_label_count(name), l, w;
	uint8_t wc[DNAME_MAX];

	/* the parameters of the chain, from any record of it */
	if (!cache_denial_lookup(qs->it->cache, zone, zone, now, &qs->arena, &first) ||
	    !val_nsec3_parse(first.rdata[0].data, first.rdata[0].len, &p) ||
	    p.iterations > VAL_NSEC3_MAX_ITERATIONS)
		return false;
	for (l = nl; l >= zl && l > nl - 16; l--) {
		const uint8_t *a = dname_suffix_labels(name, l), *owner;
		for (w = 0; w < 2; w++) {
			const uint8_t *target = a;
			if (w == 1) {
				if (dname_wildcard(a, wc) < 0)
					continue;
				target = wc;
			}
			if ((owner = nsec3_owner(qs, zone, target, &p)) != NULL)
				gather(qs, zone, owner, now, sets, n);
		}
	}
	return *n > 0 && prove(qs, true, zone, sets, n);
}

bool
nsec_cache_answer(struct qstate *qs, time_t now)
{
	struct rrset sets[NSEC_PROOF_MAX], soa, *auth;
	uint8_t zone[DNAME_MAX];
	bool nsec3;
	int i, n = 0;

	if (!cache_denial_zone(qs->it->cache, qs->cur_name, qs->qtype == RR_TYPE_DS, now,
	    &qs->arena, zone, &nsec3, &soa))
		return false;
	if (!(nsec3 ? nsec3_answer(qs, zone, now, sets, &n) : nsec_answer(qs, zone, now, sets, &n)))
		return false;
	if ((auth = arena_alloc(&qs->arena, sizeof(*auth) * (size_t)(n + 1))) == NULL)
		return false;
	auth[0] = soa;
	qs->neg_ttl = soa.ttl;
	qs->nauth = 1;
	for (i = 0; i < n; i++) {
		auth[qs->nauth++] = sets[i];
		if (sets[i].ttl < qs->neg_ttl)
			qs->neg_ttl = sets[i].ttl;
	}
	qs->auth = auth;
	qs->neg_soa = &auth[0];
	qs->security = SEC_SECURE;
	qs->it->stats.aggressive_nsec++;
	return true;
}
