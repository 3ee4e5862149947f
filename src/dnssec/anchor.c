/*
 * anchor.c -- trust anchors (trust-anchor, trust-anchor-file) and
 * negative trust anchors (domain-insecure).
 *
 * ldns parses the presentation form, so every DS/DNSKEY spelling a zone
 * file may use is accepted; the records are then kept in our own struct
 * rrset form, like fetched ones. Anchors are few and loaded once, so they
 * sit in a sorted array searched once per label of the name looked up.
 *
 * Not done: RFC 5011 key states. An unbound-anchor (autotrust) file loads,
 * but every key in it that is not revoked is trusted, including keys
 * still in their add hold-down.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dnssec/val_int.h"
#include "util/dname.h"
#include "util/zonefile.h"

struct anchor_point {
	struct val_anchor a;
	bool negative;            /* domain-insecure named this point */
	uint16_t ds_cap, key_cap;
};

struct val_anchors {
	struct arena arena;       /* names, records and rrsets */
	struct anchor_point *pts; /* sorted in canonical order of name */
	int n, cap;
};

struct val_anchors *
val_anchors_new(void)
{
	struct val_anchors *as = calloc(1, sizeof(*as));

	if (as != NULL)
		arena_init(&as->arena, 4096);
	return as;
}

void
val_anchors_free(struct val_anchors *as)
{
	if (as == NULL)
		return;
	arena_free_all(&as->arena);
	free(as->pts);
	free(as);
}

int
val_anchors_count(const struct val_anchors *as)
{
	return as->n;
}

/* Index of name in the sorted array, or -(insertion point) - 1. */
static int
point_search(const struct val_anchors *as, const uint8_t *name)
{
	int lo = 0, hi = as->n - 1, mid, c;

	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		c = dname_canonical_cmp(as->pts[mid].a.name, name);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -lo - 1;
}

static struct anchor_point *
point_get(struct val_anchors *as, const uint8_t *name)
{
	struct anchor_point *pt;
	uint8_t *copy;
	int i = point_search(as, name);

	if (i >= 0)
		return &as->pts[i];
	i = -i - 1;
	if (as->n == as->cap) {
		int cap = as->cap ? as->cap * 2 : 8;
		struct anchor_point *np = realloc(as->pts, (size_t)cap * sizeof(*np));

		if (np == NULL)
			return NULL;
		as->pts = np;
		as->cap = cap;
	}
	if ((copy = arena_alloc(&as->arena, dname_len(name))) == NULL)
		return NULL;
	dname_copy_lower(copy, name);
	memmove(&as->pts[i + 1], &as->pts[i], (size_t)(as->n - i) * sizeof(*as->pts));
	as->n++;
	pt = &as->pts[i];
	memset(pt, 0, sizeof(*pt));
	pt->a.name = copy;
	return pt;
}

/* Append one record to the point's DS or DNSKEY set. The array grows in
 * the arena; the few bytes left behind are not worth a free list. */
static int
point_add_rdata(struct val_anchors *as, struct anchor_point *pt, uint16_t type,
    const uint8_t *rdata, size_t len)
{
	struct rrset **rsp = type == RR_TYPE_DS ? &pt->a.ds : &pt->a.dnskey;
	uint16_t *cap = type == RR_TYPE_DS ? &pt->ds_cap : &pt->key_cap;
	struct rrset *rs = *rsp;
	struct rdata *nr;
	uint8_t *copy;
	int i;

	if (rs == NULL) {
		if ((rs = arena_zalloc(&as->arena, sizeof(*rs))) == NULL)
			return -1;
		rs->owner = pt->a.name;
		rs->type = type;
		rs->rclass = RR_CLASS_IN;
		rs->ttl = UINT32_MAX;
		rs->trust = TRUST_LOCAL;
		rs->security = SEC_SECURE;
		*rsp = rs;
	}
	for (i = 0; i < rs->count; i++)
		if (rs->rdata[i].len == len && memcmp(rs->rdata[i].data, rdata, len) == 0)
			return 0;
	if (rs->count == UINT16_MAX)
		return -1;
	if (rs->count == *cap) {
		uint16_t ncap = *cap ? (uint16_t)(*cap < 16384 ? *cap * 2 : UINT16_MAX) : 4;

		if ((nr = arena_alloc(&as->arena, ncap * sizeof(*nr))) == NULL)
			return -1;
		if (rs->count)
			memcpy(nr, rs->rdata, rs->count * sizeof(*nr));
		rs->rdata = nr;
		*cap = ncap;
	}
	if ((copy = arena_memdup(&as->arena, rdata, len)) == NULL)
		return -1;
	rs->rdata[rs->count].data = copy;
	rs->rdata[rs->count].len = (uint16_t)len;
	rs->count++;
	pt->a.insecure = false;
	return 0;
}

static const char *
digest_name(uint8_t digest)
{
	switch (digest) {
	case DS_DIGEST_SHA1: return "SHA-1";
	case DS_DIGEST_SHA256: return "SHA-256";
	case DS_DIGEST_SHA384: return "SHA-384";
	default: return "unknown";
	}
}

static int
add_ldns_rr(struct val_anchors *as, const ldns_rr *rr, char *err, size_t errlen)
{
	ldns_rr_type type = ldns_rr_get_type(rr);
	const ldns_rdf *owner = ldns_rr_owner(rr);
	struct anchor_point *pt;
	ldns_buffer *buf;
	size_t len;
	int rc = -1;

	if (type != LDNS_RR_TYPE_DS && type != LDNS_RR_TYPE_DNSKEY) {
		snprintf(err, errlen, "a trust anchor must be a DS or DNSKEY record");
		return -1;
	}
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		snprintf(err, errlen, "a trust anchor must be of class IN");
		return -1;
	}
	if (owner == NULL || ldns_rdf_get_type(owner) != LDNS_RDF_TYPE_DNAME ||
	    val_name_len(ldns_rdf_data(owner), ldns_rdf_size(owner)) != (int)ldns_rdf_size(owner)) {
		snprintf(err, errlen, "bad owner name");
		return -1;
	}
	if ((buf = ldns_buffer_new(512)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK) {
		snprintf(err, errlen, "cannot encode the record");
		goto out;
	}
	len = ldns_buffer_position(buf);
	/* DS: tag, algorithm, digest type, digest. DNSKEY: flags, protocol,
	 * algorithm, key. Both need at least one byte of the last field. */
	if (len < 5 || len > UINT16_MAX) {
		snprintf(err, errlen, "%s record too short",
		    type == LDNS_RR_TYPE_DS ? "DS" : "DNSKEY");
		goto out;
	}
	/* A digest of the wrong length for its type can match no key: the
	 * zone would be bogus for good. Refuse it while it can be fixed. */
	if (type == LDNS_RR_TYPE_DS && val_digest_len(ldns_buffer_begin(buf)[3]) != 0 &&
	    len - 4 != val_digest_len(ldns_buffer_begin(buf)[3])) {
		snprintf(err, errlen, "DS digest type %u (%s) has %zu bytes, not %zu",
		    ldns_buffer_begin(buf)[3], digest_name(ldns_buffer_begin(buf)[3]), len - 4,
		    val_digest_len(ldns_buffer_begin(buf)[3]));
		goto out;
	}
	if ((pt = point_get(as, ldns_rdf_data(owner))) == NULL ||
	    point_add_rdata(as, pt, type == LDNS_RR_TYPE_DS ? RR_TYPE_DS : RR_TYPE_DNSKEY,
	    ldns_buffer_begin(buf), len) != 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	ldns_buffer_free(buf);
	return rc;
}

int
val_anchors_add_str(struct val_anchors *as, const char *str, char *err, size_t errlen)
{
	ldns_rdf *origin = ldns_dname_new_frm_str(".");
	ldns_rr *rr = NULL;
	ldns_status st;
	int rc;

	if (origin == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	st = ldns_rr_new_frm_str(&rr, str, 3600, origin, NULL);
	ldns_rdf_deep_free(origin);
	if (st != LDNS_STATUS_OK) {
		snprintf(err, errlen, "cannot parse trust anchor '%s': %s", str,
		    ldns_get_errorstr_by_id(st));
		return -1;
	}
	rc = add_ldns_rr(as, rr, err, errlen);
	ldns_rr_free(rr);
	return rc;
}

struct anchor_file {
	struct val_anchors *as;
	const char *path;
	char *err;
	size_t errlen;
};

static int
anchor_record(void *arg, const ldns_rr *rr, uint32_t line)
{
	struct anchor_file *af = arg;
	char why[256];

	if (add_ldns_rr(af->as, rr, why, sizeof(why)) == 0)
		return 0;
	snprintf(af->err, af->errlen, "%s:%u: %s", af->path, line, why);
	return -1;
}

int
val_anchors_add_file(struct val_anchors *as, const char *path, char *err, size_t errlen)
{
	struct anchor_file af = { as, path, err, errlen };
	struct stat st;
	char *text;
	size_t len;
	long added;

	/* An anchor file holds a few records: a big one is a wrong path. */
	if (zonefile_read(path, 1 << 20, &text, &len, &st, err, errlen) != 0)
		return -1;
	added = zonefile_parse(path, text, len, (const uint8_t *)"", anchor_record, &af,
	    err, errlen);
	free(text);
	if (added == 0) {
		snprintf(err, errlen, "%s: no DS or DNSKEY records", path);
		return -1;
	}
	return added < 0 ? -1 : (int)added;
}

int
val_anchors_add_insecure(struct val_anchors *as, const uint8_t *name)
{
	struct anchor_point *pt = point_get(as, name);

	if (pt == NULL)
		return -1;
	pt->negative = true;
	pt->a.insecure = pt->a.ds == NULL && pt->a.dnskey == NULL;
	return 0;
}

const struct val_anchor *
val_anchors_lookup(const struct val_anchors *as, const uint8_t *name)
{
	int l, i;

	if (as == NULL || as->n == 0)
		return NULL;
	for (l = dname_label_count(name); l >= 0; l--)
		if ((i = point_search(as, dname_suffix_labels(name, l))) >= 0)
			return &as->pts[i].a;
	return NULL;
}
