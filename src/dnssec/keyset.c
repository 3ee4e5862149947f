/*
 * keyset.c -- the chain of trust: a DNSKEY set judged against a DS set
 * or a trust anchor (RFC 4035 section 5.2), and a zone cut judged from the
 * parent's DS set or its proven absence.
 */
#include "config.h"

#include <string.h>

#include "dnssec/val_int.h"
#include "util/dname.h"

/* A DS record we can use: an algorithm and a digest type we support;
 * SHA-1 ones only when the set has nothing stronger that we support (RFC
 * 4509 section 3). Whether the digest is right is for val_ds_matches to
 * say: a usable DS whose digest matches no key (wrong value, or even the
 * wrong length for its type) leaves the zone bogus, not insecure (RFC
 * 4035 section 5.2, RFC 6840 section 5.2). */
static bool
ds_record_usable(const struct rdata *d, bool have_strong)
{
	if (d->len < 5 || !val_algo_supported(d->data[2]) || !val_digest_supported(d->data[3]))
		return false;
	return !(have_strong && d->data[3] == DS_DIGEST_SHA1);
}

static bool
ds_have_strong(const struct rrset *ds)
{
	int i;

	for (i = 0; ds != NULL && i < ds->count; i++)
		if (ds_record_usable(&ds->rdata[i], false) && ds->rdata[i].data[3] != DS_DIGEST_SHA1)
			return true;
	return false;
}

bool
val_ds_usable(const struct rrset *ds)
{
	int i;

	for (i = 0; ds != NULL && i < ds->count; i++)
		if (ds_record_usable(&ds->rdata[i], false))
			return true;
	return false;
}

static bool
anchor_key_usable(const struct rdata *k)
{
	return val_dnskey_usable(k->data, k->len) && val_algo_supported(k->data[3]);
}

/* Whether key is vouched for by a usable DS or is an anchor key. */
static bool
key_trusted(const uint8_t *owner, const struct rdata *key, const struct rrset *ds,
    bool strong, const struct rrset *tkeys)
{
	int i;

	for (i = 0; ds != NULL && i < ds->count; i++)
		if (ds_record_usable(&ds->rdata[i], strong) &&
		    val_ds_matches(owner, ds->rdata[i].data, ds->rdata[i].len, key->data, key->len))
			return true;
	for (i = 0; tkeys != NULL && i < tkeys->count; i++)
		if (anchor_key_usable(&tkeys->rdata[i]) && tkeys->rdata[i].len == key->len &&
		    memcmp(tkeys->rdata[i].data, key->data, key->len) == 0)
			return true;
	return false;
}

enum sec_status
val_verify_dnskey(struct val_env *ve, struct rrset *dnskey, const struct rrset *ds,
    const struct val_anchor *ta, struct val_result *res)
{
	const struct rrset *tkeys = NULL;
	struct rrset one;
	bool strong, any = false;
	int i, tried = 0;

	res->wc_labels = -1;
	res->delegation = false;
	res->optout = false;
	if ((ds == NULL) == (ta == NULL)) {
		val_result_set(res, SEC_BOGUS, EDE_DNSSEC_BOGUS, "internal: need a DS set or an anchor");
		return dnskey->security = SEC_BOGUS;
	}
	if (ta != NULL) {
		if (ta->ds == NULL && ta->dnskey == NULL) {
			val_result_set(res, SEC_INSECURE, EDE_NONE, "domain-insecure");
			return dnskey->security = SEC_INSECURE;
		}
		ds = ta->ds;
		tkeys = ta->dnskey;
		if (!dname_equal(ta->name, dnskey->owner)) {
			val_result_set(res, SEC_BOGUS, EDE_DNSSEC_BOGUS, "DNSKEY set is not the anchor's");
			return dnskey->security = SEC_BOGUS;
		}
	} else if (ds->count > 0 && !dname_equal(ds->owner, dnskey->owner)) {
		val_result_set(res, SEC_BOGUS, EDE_DNSSEC_BOGUS, "DNSKEY set is not the DS set's");
		return dnskey->security = SEC_BOGUS;
	}

	any = val_ds_usable(ds);
	for (i = 0; tkeys != NULL && i < tkeys->count; i++)
		any |= anchor_key_usable(&tkeys->rdata[i]);
	if (!any) {
		val_result_set(res, SEC_INSECURE, EDE_NONE,
		    "no supported algorithm or digest in the DS set or anchor");
		return dnskey->security = SEC_INSECURE;
	}

	strong = ds_have_strong(ds);
	one.owner = dnskey->owner;
	one.type = RR_TYPE_DNSKEY;
	one.rclass = dnskey->rclass;
	one.count = 1;
	one.sigcount = 0;
	val_result_set(res, SEC_BOGUS, EDE_DNSKEY_MISSING,
	    ta != NULL ? "no DNSKEY matches the trust anchor" : "no DNSKEY matches the DS set");
	for (i = 0; i < dnskey->count; i++) {
		struct rdata *k = &dnskey->rdata[i];

		if (!val_dnskey_usable(k->data, k->len) || !val_algo_supported(k->data[3]) ||
		    !key_trusted(dnskey->owner, k, ds, strong, tkeys))
			continue;
		if (tried++ == VAL_MAX_KEYS_PER_SIG)
			break;
		/* Only the trusted key may vouch for the set, so verify with
		 * it alone. */
		one.rdata = k;
		if (val_verify_rrset(ve, dnskey, &one, res) == SEC_SECURE)
			return SEC_SECURE;
		/* The key exists; what is missing is its signature. */
		if (res->ede == EDE_DNSKEY_MISSING || res->ede == EDE_RRSIGS_MISSING)
			val_result_set(res, SEC_BOGUS, EDE_RRSIGS_MISSING,
			    "no signature over the DNSKEY set by the key the DS or anchor names");
	}
	return dnskey->security = SEC_BOGUS;
}

enum sec_status
val_ds_proof(struct val_env *ve, struct rrset *sets, int n, const uint8_t *child,
    const struct rrset *parent_keys, struct rrset **ds_out, struct val_result *res)
{
	struct rrset *ds = NULL;
	enum sec_status sec;
	int i;

	*ds_out = NULL;
	for (i = 0; i < n; i++)
		if (sets[i].type == RR_TYPE_DS && dname_equal(sets[i].owner, child)) {
			ds = &sets[i];
			break;
		}
	if (ds != NULL) {
		if (val_verify_rrset(ve, ds, parent_keys, res) != SEC_SECURE)
			return SEC_BOGUS;
		res->delegation = true;
		if (!val_ds_usable(ds)) {
			val_result_set(res, SEC_INSECURE, EDE_NONE,
			    "DS set has no supported algorithm or digest");
			return SEC_INSECURE;
		}
		*ds_out = ds;
		val_result_set(res, SEC_SECURE, EDE_NONE, "DS set verified");
		return SEC_SECURE;
	}
	sec = val_deny(ve, VAL_DENY_NODATA, sets, n, child, RR_TYPE_DS, -1, parent_keys, res);
	if (sec == SEC_BOGUS) {
		/* A DS query for a name that does not exist at all: no cut. */
		struct val_result r;

		switch (val_deny(ve, VAL_DENY_NXDOMAIN, sets, n, child, RR_TYPE_DS, -1,
		    parent_keys, &r)) {
		case SEC_SECURE:
			*res = r;
			return SEC_SECURE;
		case SEC_INSECURE:
			/* An opt-out span may hide an unsigned delegation. */
			*res = r;
			res->delegation = true;
			return SEC_INSECURE;
		default:
			return SEC_BOGUS;
		}
	}
	if (sec == SEC_SECURE && res->delegation) {
		val_result_set(res, SEC_INSECURE, EDE_NONE, "no DS at the delegation");
		return SEC_INSECURE;
	}
	return sec;
}
