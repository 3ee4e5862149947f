/*
 * nsec.c -- denial of existence with NSEC (RFC 4035 sections 3.1.3 and
 * 5.4, RFC 6840 section 4, RFC 8198).
 *
 * Everything here works on records already known to be authentic; the
 * signatures are someone else's business (deny.c, or the cache for
 * aggressive use). The NSEC chain is in canonical order, so "covers" is an
 * interval test and the closest encloser of a missing name is the longer
 * of its common suffixes with the two ends of the interval: both ends
 * exist, and a closer existing ancestor would sort inside the interval.
 */
#include "config.h"

#include <string.h>

#include "dnssec/val_int.h"
#include "util/dname.h"

struct nsec {
	const uint8_t *owner;
	const uint8_t *next;
	const uint8_t *bitmap;
	size_t bitmaplen;
};

/* Windows in increasing order, each 1..32 bytes long (RFC 4034 4.1.2). */
static bool
bitmap_valid(const uint8_t *bm, size_t len)
{
	size_t p = 0;
	int last = -1;

	while (p < len) {
		if (len - p < 2 || bm[p] <= last || bm[p + 1] == 0 || bm[p + 1] > 32 ||
		    (size_t)bm[p + 1] > len - p - 2)
			return false;
		last = bm[p];
		p += 2 + (size_t)bm[p + 1];
	}
	return true;
}

bool
val_bitmap_has(const uint8_t *bm, size_t len, uint16_t type)
{
	unsigned window = type >> 8, byte = (type & 0xff) >> 3;
	size_t p = 0;

	while (len - p >= 2) {
		size_t wl = bm[p + 1];

		if (wl == 0 || wl > 32 || wl > len - p - 2)
			return false;
		if (bm[p] == window)
			return byte < wl && (bm[p + 2 + byte] & (0x80 >> (type & 7)));
		p += 2 + wl;
	}
	return false;
}

static bool
nsec_parse(const uint8_t *owner, const uint8_t *rdata, size_t len, struct nsec *n)
{
	int nl = val_name_len(rdata, len);

	if (nl < 0 || !bitmap_valid(rdata + nl, len - (size_t)nl))
		return false;
	n->owner = owner;
	n->next = rdata;
	n->bitmap = rdata + nl;
	n->bitmaplen = len - (size_t)nl;
	return true;
}

static inline bool
nsec_has(const struct nsec *n, uint16_t type)
{
	return val_bitmap_has(n->bitmap, n->bitmaplen, type);
}

bool
val_nsec_covers(const uint8_t *owner, const uint8_t *next, const uint8_t *name)
{
	int lo = dname_canonical_cmp(owner, name), hi = dname_canonical_cmp(name, next);

	if (dname_canonical_cmp(owner, next) < 0)
		return lo < 0 && hi < 0;
	/* The last NSEC of the zone points back to the apex. */
	return lo < 0 || hi < 0;
}

/* An NSEC at a strict ancestor of name that is a delegation (NS without
 * SOA: the parent side) or a DNAME says nothing about name, which lives
 * in another zone or is redirected (RFC 6840 section 4.1, RFC 6672). */
static bool
nsec_ancestor_blocks(const struct nsec *n, const uint8_t *name)
{
	if (!dname_is_strict_subdomain(name, n->owner))
		return false;
	return (nsec_has(n, RR_TYPE_NS) && !nsec_has(n, RR_TYPE_SOA)) ||
	    nsec_has(n, RR_TYPE_DNAME);
}

/* Labels of the closest encloser of name, which n proves absent. */
static int
nsec_closest_encloser(const struct nsec *n, const uint8_t *name)
{
	int a = dname_common_labels(name, n->owner), b = dname_common_labels(name, n->next);

	return a > b ? a : b;
}

/* Whether the NSEC at exactly name proves it has no qtype. */
static bool
nsec_nodata_at(const struct nsec *n, uint16_t qtype, bool *delegation)
{
	if (nsec_has(n, qtype) || nsec_has(n, RR_TYPE_CNAME))
		return false;
	if (qtype == RR_TYPE_DS) {
		/* The child's apex NSEC cannot speak for the parent's DS. */
		if (nsec_has(n, RR_TYPE_SOA) && n->owner[0] != 0)
			return false;
		*delegation = nsec_has(n, RR_TYPE_NS);
		return true;
	}
	/* At a delegation the parent knows nothing of the child's types. */
	return !(nsec_has(n, RR_TYPE_NS) && !nsec_has(n, RR_TYPE_SOA));
}

/* The usable NSEC records of zone among sets, into out (arena-free: the
 * caller gives room for all records). Returns how many. */
static int
collect(const struct rrset *sets, int n, const uint8_t *zone, struct nsec *out, int max)
{
	int i, j, k = 0;

	for (i = 0; i < n; i++) {
		const struct rrset *rs = &sets[i];

		if (rs->type != RR_TYPE_NSEC || !dname_is_subdomain(rs->owner, zone))
			continue;
		for (j = 0; j < rs->count && k < max; j++)
			if (nsec_parse(rs->owner, rs->rdata[j].data, rs->rdata[j].len, &out[k]) &&
			    dname_is_subdomain(out[k].next, zone))
				k++;
	}
	return k;
}

/* Find an NSEC that proves name absent; returns its index or -1. */
static int
find_cover(const struct nsec *ns, int n, const uint8_t *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (val_nsec_covers(ns[i].owner, ns[i].next, name) &&
		    !nsec_ancestor_blocks(&ns[i], name) &&
		    /* a next name below name makes name an empty non-terminal */
		    !dname_is_strict_subdomain(ns[i].next, name))
			return i;
	return -1;
}

static int
find_match(const struct nsec *ns, int n, const uint8_t *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (dname_equal(ns[i].owner, name))
			return i;
	return -1;
}

/* "*." + the suffix of name with labels labels, into out (DNAME_MAX
 * bytes); false when that would be longer than a name may be. */
static bool
wildcard_of(const uint8_t *name, int labels, uint8_t *out)
{
	return dname_wildcard(dname_suffix_labels(name, labels), out) > 0;
}

static enum sec_status
not_proven(struct val_result *res, const char *why)
{
	val_result_set(res, SEC_BOGUS, EDE_NSEC_MISSING, why);
	return SEC_BOGUS;
}

static enum sec_status
proven(struct val_result *res, const char *why)
{
	val_result_set(res, SEC_SECURE, EDE_NONE, why);
	return SEC_SECURE;
}

#define NSEC_MAX 64

enum sec_status
val_nsec_prove(enum val_deny_kind kind, const struct rrset *sets, int n,
    const uint8_t *qname, uint16_t qtype, int wc_labels, const uint8_t *zone,
    struct val_result *res)
{
	struct nsec ns[NSEC_MAX];
	uint8_t wc[DNAME_MAX];
	const char *why;
	int cnt, i, k, ce;
	bool deleg = false;

	res->wc_labels = -1;
	res->delegation = false;
	res->optout = false;
	if (!dname_is_subdomain(qname, zone))
		return not_proven(res, "name outside the zone of the NSEC records");
	cnt = collect(sets, n, zone, ns, NSEC_MAX);
	if (cnt == 0)
		return not_proven(res, "no NSEC records");

	switch (kind) {
	case VAL_DENY_NXDOMAIN:
		if (find_match(ns, cnt, qname) >= 0)
			return not_proven(res, "NSEC shows the name exists");
		why = "no NSEC covers the name";
		for (i = 0; i < cnt; i++) {
			if (find_cover(&ns[i], 1, qname) < 0)
				continue;
			ce = nsec_closest_encloser(&ns[i], qname);
			if (ce < dname_label_count(zone))
				continue;
			if (!wildcard_of(qname, ce, wc))
				continue;
			if (find_match(ns, cnt, wc) < 0 && find_cover(ns, cnt, wc) >= 0)
				return proven(res, "NSEC proves name and wildcard absent");
			why = "no NSEC proves the wildcard absent";
		}
		return not_proven(res, why);

	case VAL_DENY_NODATA:
		if ((k = find_match(ns, cnt, qname)) >= 0) {
			if (!nsec_nodata_at(&ns[k], qtype, &deleg))
				return not_proven(res, "NSEC at the name does not deny the type");
			res->delegation = deleg;
			return proven(res, "NSEC proves the type absent");
		}
		for (i = 0; i < cnt; i++) {
			if (!val_nsec_covers(ns[i].owner, ns[i].next, qname) ||
			    nsec_ancestor_blocks(&ns[i], qname))
				continue;
			if (dname_is_strict_subdomain(ns[i].next, qname))
				return proven(res, "NSEC proves an empty non-terminal");
			/* The name is absent: a wildcard without the type must
			 * be what answered (RFC 4035 section 3.1.3.4). */
			ce = nsec_closest_encloser(&ns[i], qname);
			if (ce < dname_label_count(zone))
				continue;
			if (!wildcard_of(qname, ce, wc))
				continue;
			if ((k = find_match(ns, cnt, wc)) >= 0 && nsec_nodata_at(&ns[k], qtype, &deleg) &&
			    !(qtype == RR_TYPE_DS && deleg))
				return proven(res, "NSEC proves the wildcard lacks the type");
			return not_proven(res, "name absent but no wildcard NODATA proof");
		}
		return not_proven(res, "no NSEC for the name");

	case VAL_DENY_WILDCARD:
		if (wc_labels < 0 || wc_labels >= dname_label_count(qname) ||
		    wc_labels < dname_label_count(zone))
			return not_proven(res, "bad wildcard label count");
		for (i = 0; i < cnt; i++)
			if (find_cover(&ns[i], 1, qname) >= 0 &&
			    nsec_closest_encloser(&ns[i], qname) == wc_labels)
				return proven(res, "NSEC proves no closer match than the wildcard");
		return not_proven(res, "no NSEC proves the wildcard expansion");
	}
	return not_proven(res, "unknown proof");
}

enum val_nsec_says
val_nsec_check(const uint8_t *owner, const uint8_t *rdata, size_t len,
    const uint8_t *qname, uint16_t qtype, uint8_t *wildcard)
{
	struct nsec n;
	bool deleg = false;

	if (!nsec_parse(owner, rdata, len, &n))
		return VAL_NSEC_NOTHING;
	if (dname_equal(owner, qname))
		return nsec_nodata_at(&n, qtype, &deleg) ? VAL_NSEC_NODATA : VAL_NSEC_NOTHING;
	if (!val_nsec_covers(owner, n.next, qname) || nsec_ancestor_blocks(&n, qname))
		return VAL_NSEC_NOTHING;
	if (dname_is_strict_subdomain(n.next, qname))
		return VAL_NSEC_NODATA;
	if (!wildcard_of(qname, nsec_closest_encloser(&n, qname), wildcard))
		return VAL_NSEC_NOTHING;
	return VAL_NSEC_NOTNAME;
}
