/*
 * deny.c -- proving a negative reply or a wildcard answer from its
 * authority section: verify the records, then hand them to the NSEC or
 * NSEC3 logic.
 */
#include "config.h"

#include "dnssec/val_int.h"
#include "util/dname.h"

enum sec_status
val_deny(struct val_env *ve, enum val_deny_kind kind, struct rrset *sets, int n,
    const uint8_t *qname, uint16_t qtype, int wc_labels, const struct rrset *keys,
    struct val_result *res)
{
	const uint8_t *zone, *signer;
	struct rrset *ok = NULL;
	struct val_result r;
	enum sec_status sec = SEC_BOGUS;
	bool nsec = false, nsec3 = false;
	int i, nok = 0;

	res->wc_labels = -1;
	res->delegation = false;
	res->optout = false;
	if (keys == NULL || keys->count == 0) {
		val_result_set(res, SEC_BOGUS, EDE_DNSKEY_MISSING, "no trusted DNSKEY for the zone");
		return SEC_BOGUS;
	}
	zone = keys->owner;
	if (n > 0 && (ok = arena_alloc(ve->arena, (size_t)n * sizeof(*ok))) == NULL) {
		val_result_set(res, SEC_BOGUS, EDE_DNSSEC_BOGUS, "out of memory");
		return SEC_BOGUS;
	}
	for (i = 0; i < n; i++) {
		struct rrset *rs = &sets[i];

		if (rs->type != RR_TYPE_NSEC && rs->type != RR_TYPE_NSEC3 && rs->type != RR_TYPE_SOA)
			continue;
		/* Records of other zones, and unsigned ones, cannot take part;
		 * if they were needed the proof fails below. */
		if (!dname_is_subdomain(rs->owner, zone) || (signer = val_rrset_signer(rs)) == NULL ||
		    !dname_equal(signer, zone))
			continue;
		/* A set the caller already verified (e.g. from the cache) is
		 * not checked again. A bad one spoils the whole reply. */
		if (rs->security != SEC_SECURE && val_verify_rrset(ve, rs, keys, &r) != SEC_SECURE) {
			*res = r;
			return SEC_BOGUS;
		}
		if (rs->type == RR_TYPE_SOA)
			continue;
		nsec |= rs->type == RR_TYPE_NSEC;
		nsec3 |= rs->type == RR_TYPE_NSEC3;
		ok[nok++] = *rs;
	}
	/* A zone changing from NSEC to NSEC3 may send both. */
	if (nsec && (sec = val_nsec_prove(kind, ok, nok, qname, qtype, wc_labels, zone, res)) != SEC_BOGUS)
		return sec;
	if (nsec3)
		return val_nsec3_prove(kind, ok, nok, qname, qtype, wc_labels, zone, res);
	if (!nsec)
		val_result_set(res, SEC_BOGUS, EDE_NSEC_MISSING, "no signed NSEC or NSEC3 records");
	return SEC_BOGUS;
}
