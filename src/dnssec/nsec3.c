/*
 * nsec3.c -- denial of existence with NSEC3 (RFC 5155 section 8, RFC
 * 9276).
 *
 * As in nsec.c the records are taken as authentic. Hashes are compared in
 * binary: the owner's first label is decoded from base32hex once, rather
 * than every computed hash being encoded. A response normally carries one
 * chain; records with other parameters (a chain being replaced) are tried
 * as a separate group, and a proof must come from a single group.
 */
#include "config.h"

#include <string.h>

#include <openssl/sha.h>

#include "dnssec/val_int.h"
#include "util/dname.h"

#define NSEC3_MAX 64
#define NSEC3_GROUPS_MAX 4
#define SHA1_LEN 20

struct n3 {
	const uint8_t *owner;
	uint8_t hash[NSEC3_HASH_MAX];  /* decoded owner label */
	struct val_nsec3_params p;
};

bool
val_nsec3_parse(const uint8_t *rdata, size_t len, struct val_nsec3_params *p)
{
	size_t off;

	if (len < 5)
		return false;
	p->alg = rdata[0];
	p->flags = rdata[1];
	p->iterations = rd16(rdata + 2);
	p->saltlen = rdata[4];
	off = 5;
	if (p->saltlen > len - off)
		return false;
	p->salt = rdata + off;
	off += p->saltlen;
	if (off >= len)
		return false;
	p->hashlen = rdata[off++];
	if (p->hashlen == 0 || p->hashlen > len - off)
		return false;
	p->next = rdata + off;
	off += p->hashlen;
	p->bitmap = rdata + off;
	p->bitmaplen = len - off;
	return true;
}

int
val_nsec3_hash(const uint8_t *name, uint8_t alg, uint16_t iterations,
    const uint8_t *salt, size_t saltlen, uint8_t *out)
{
	uint8_t buf[DNAME_MAX + 255];
	size_t n;
	unsigned i;

	if (alg != NSEC3_HASH_SHA1 || saltlen > 255)
		return -1;
	n = dname_copy_lower(buf, name);
	memcpy(buf + n, salt, saltlen);
	SHA1(buf, n + saltlen, out);
	for (i = 0; i < iterations; i++) {
		memcpy(buf, out, SHA1_LEN);
		memcpy(buf + SHA1_LEN, salt, saltlen);
		SHA1(buf, SHA1_LEN + saltlen, out);
	}
	return SHA1_LEN;
}

int
val_nsec3_owner_hash(const uint8_t *owner, uint8_t *out)
{
	unsigned acc = 0, bits = 0, v, i;
	int n = 0;
	uint8_t c;

	for (i = 1; i <= owner[0]; i++) {
		c = owner[i];
		if (c >= '0' && c <= '9')
			v = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'v')
			v = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'V')
			v = (unsigned)(c - 'A' + 10);
		else
			return -1;
		acc = (acc << 5) | v;
		bits += 5;
		if (bits >= 8) {
			if (n == NSEC3_HASH_MAX)
				return -1;
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Leftover bits are padding and must be zero (RFC 4648 section 7). */
	if (bits >= 5 || acc != 0 || n == 0)
		return -1;
	return n;
}

/* One chain's records and the hashes computed for it so far. */
struct chain {
	struct n3 *r[NSEC3_MAX];
	int n;
	const struct val_nsec3_params *p;  /* parameters the group shares */
	int nhash;
	struct {
		const uint8_t *name;
		uint8_t h[SHA1_LEN];
	} cache[DNAME_LABELS_MAX + 2];
};

static const uint8_t *
chain_hash(struct chain *c, const uint8_t *name)
{
	int i;

	for (i = 0; i < c->nhash; i++)
		if (dname_equal(c->cache[i].name, name))
			return c->cache[i].h;
	if (c->nhash == (int)(sizeof(c->cache) / sizeof(c->cache[0])))
		return NULL;
	i = c->nhash++;
	c->cache[i].name = name;
	val_nsec3_hash(name, c->p->alg, c->p->iterations, c->p->salt, c->p->saltlen, c->cache[i].h);
	return c->cache[i].h;
}

static struct n3 *
chain_match(struct chain *c, const uint8_t *name)
{
	const uint8_t *h = chain_hash(c, name);
	int i;

	for (i = 0; h != NULL && i < c->n; i++)
		if (memcmp(c->r[i]->hash, h, SHA1_LEN) == 0)
			return c->r[i];
	return NULL;
}

static struct n3 *
chain_cover(struct chain *c, const uint8_t *name)
{
	const uint8_t *h = chain_hash(c, name);
	int i, lo, hi;

	for (i = 0; h != NULL && i < c->n; i++) {
		const struct n3 *r = c->r[i];

		lo = memcmp(r->hash, h, SHA1_LEN);
		hi = memcmp(h, r->p.next, SHA1_LEN);
		if (memcmp(r->hash, r->p.next, SHA1_LEN) < 0 ? (lo < 0 && hi < 0) : (lo < 0 || hi < 0))
			return c->r[i];
	}
	return NULL;
}

static inline bool
n3_has(const struct n3 *r, uint16_t type)
{
	return val_bitmap_has(r->p.bitmap, r->p.bitmaplen, type);
}

/* Closest encloser proof (RFC 5155 section 8.3) for a qname that has no
 * matching NSEC3. Returns the closest encloser's label count (and the
 * record covering the next closer name in *nc), or -1. */
static int
closest_encloser(struct chain *c, const uint8_t *qname, int zlabels, struct n3 **nc)
{
	int qlabels = dname_label_count(qname), l;
	struct n3 *m;

	for (l = qlabels - 1; l >= zlabels; l--) {
		if ((m = chain_match(c, dname_suffix_labels(qname, l))) == NULL)
			continue;
		/* Names below a delegation or a DNAME are not this zone's to
		 * deny. */
		if (n3_has(m, RR_TYPE_DNAME) || (n3_has(m, RR_TYPE_NS) && !n3_has(m, RR_TYPE_SOA)))
			return -1;
		*nc = chain_cover(c, dname_suffix_labels(qname, l + 1));
		return *nc != NULL ? l : -1;
	}
	return -1;
}

/* "*." + the suffix of name with labels labels, into out (DNAME_MAX
 * bytes); false when that would be longer than a name may be. */
static bool
wildcard_of(const uint8_t *name, int labels, uint8_t *out)
{
	return dname_wildcard(dname_suffix_labels(name, labels), out) > 0;
}

static bool
nodata_at(const struct n3 *m, uint16_t qtype, bool *delegation)
{
	if (n3_has(m, qtype) || n3_has(m, RR_TYPE_CNAME))
		return false;
	if (qtype == RR_TYPE_DS) {
		/* The child's apex record cannot speak for the parent. */
		if (n3_has(m, RR_TYPE_SOA))
			return false;
		*delegation = n3_has(m, RR_TYPE_NS);
		return true;
	}
	return !(n3_has(m, RR_TYPE_NS) && !n3_has(m, RR_TYPE_SOA));
}

static enum sec_status
done(struct val_result *res, enum sec_status sec, const char *why)
{
	val_result_set(res, sec, EDE_NSEC_MISSING, why);
	return sec;
}

/* The proof within one chain. */
static enum sec_status
prove_chain(struct chain *c, enum val_deny_kind kind, const uint8_t *qname,
    uint16_t qtype, int wc_labels, int zlabels, struct val_result *res)
{
	uint8_t wc[DNAME_MAX];
	struct n3 *m, *nc = NULL;
	bool deleg = false;
	int ce;

	switch (kind) {
	case VAL_DENY_NXDOMAIN:
		if (chain_match(c, qname) != NULL)
			return done(res, SEC_BOGUS, "NSEC3 shows the name exists");
		if ((ce = closest_encloser(c, qname, zlabels, &nc)) < 0)
			return done(res, SEC_BOGUS, "no NSEC3 closest encloser proof");
		if (!wildcard_of(qname, ce, wc) || chain_cover(c, wc) == NULL)
			return done(res, SEC_BOGUS, "no NSEC3 proves the wildcard absent");
		if (nc->p.flags & NSEC3_FLAG_OPTOUT) {
			res->optout = true;
			return done(res, SEC_INSECURE, "NXDOMAIN in an NSEC3 opt-out span");
		}
		return done(res, SEC_SECURE, "NSEC3 proves name and wildcard absent");

	case VAL_DENY_NODATA:
		if ((m = chain_match(c, qname)) != NULL) {
			if (!nodata_at(m, qtype, &deleg))
				return done(res, SEC_BOGUS, "NSEC3 at the name does not deny the type");
			res->delegation = deleg;
			return done(res, SEC_SECURE, "NSEC3 proves the type absent");
		}
		if ((ce = closest_encloser(c, qname, zlabels, &nc)) < 0)
			return done(res, SEC_BOGUS, "no NSEC3 for the name");
		if (nc->p.flags & NSEC3_FLAG_OPTOUT) {
			/* RFC 5155 sections 8.6 and 9.2: an unsigned
			 * delegation may hide in the span, and the name may be
			 * under it: nothing can be proven, the answer is
			 * insecure (as Unbound has it for every type). */
			res->optout = true;
			res->delegation = qtype == RR_TYPE_DS;
			return done(res, SEC_INSECURE, "no matching NSEC3: opt-out span");
		}
		if (!wildcard_of(qname, ce, wc) || (m = chain_match(c, wc)) == NULL ||
		    !nodata_at(m, qtype, &deleg) ||
		    (qtype == RR_TYPE_DS && deleg))
			return done(res, SEC_BOGUS, "name absent but no NSEC3 wildcard NODATA proof");
		if (nc->p.flags & NSEC3_FLAG_OPTOUT) {
			res->optout = true;
			return done(res, SEC_INSECURE, "wildcard NODATA in an NSEC3 opt-out span");
		}
		return done(res, SEC_SECURE, "NSEC3 proves the wildcard lacks the type");

	case VAL_DENY_WILDCARD:
		if (wc_labels < zlabels || wc_labels >= dname_label_count(qname))
			return done(res, SEC_BOGUS, "bad wildcard label count");
		/* Only the next closer name needs denying (section 8.8).
		 * When an opt-out span covers it, an unsigned delegation
		 * could own the name instead of the wildcard: insecure, as
		 * RFC 5155 appendix B.4 shows (no AD). */
		if ((m = chain_cover(c, dname_suffix_labels(qname, wc_labels + 1))) == NULL)
			return done(res, SEC_BOGUS, "no NSEC3 proves the wildcard expansion");
		if (m->p.flags & NSEC3_FLAG_OPTOUT) {
			res->optout = true;
			return done(res, SEC_INSECURE, "wildcard expansion in an NSEC3 opt-out span");
		}
		return done(res, SEC_SECURE, "NSEC3 proves no closer match than the wildcard");
	}
	return done(res, SEC_BOGUS, "unknown proof");
}

static bool
same_params(const struct val_nsec3_params *a, const struct val_nsec3_params *b)
{
	return a->alg == b->alg && a->iterations == b->iterations && a->saltlen == b->saltlen &&
	    memcmp(a->salt, b->salt, a->saltlen) == 0;
}

enum sec_status
val_nsec3_prove(enum val_deny_kind kind, const struct rrset *sets, int n,
    const uint8_t *qname, uint16_t qtype, int wc_labels, const uint8_t *zone,
    struct val_result *res)
{
	struct n3 recs[NSEC3_MAX];
	struct chain c;
	const struct val_nsec3_params *groups[NSEC3_GROUPS_MAX];
	int zlabels = dname_label_count(zone), nrec = 0, ngroups = 0, i, j, g;
	bool too_costly = false, failed = false;
	struct val_result r, first_fail;
	enum sec_status sec;

	res->wc_labels = -1;
	res->delegation = false;
	res->optout = false;
	if (!dname_is_subdomain(qname, zone))
		return done(res, SEC_BOGUS, "name outside the zone of the NSEC3 records");
	for (i = 0; i < n; i++) {
		const struct rrset *rs = &sets[i];
		uint8_t h[NSEC3_HASH_MAX];

		if (rs->type != RR_TYPE_NSEC3 || dname_label_count(rs->owner) != zlabels + 1 ||
		    !dname_is_subdomain(rs->owner, zone) || val_nsec3_owner_hash(rs->owner, h) != SHA1_LEN)
			continue;
		for (j = 0; j < rs->count && nrec < NSEC3_MAX; j++) {
			struct n3 *rec = &recs[nrec];

			/* RFC 5155 sections 8.1, 8.2: unknown hash or flags
			 * mean the record is ignored. */
			if (!val_nsec3_parse(rs->rdata[j].data, rs->rdata[j].len, &rec->p) ||
			    rec->p.alg != NSEC3_HASH_SHA1 || (rec->p.flags & ~NSEC3_FLAG_OPTOUT) != 0 ||
			    rec->p.hashlen != SHA1_LEN)
				continue;
			rec->owner = rs->owner;
			memcpy(rec->hash, h, SHA1_LEN);
			nrec++;
			for (g = 0; g < ngroups; g++)
				if (same_params(groups[g], &rec->p))
					break;
			if (g == ngroups && ngroups < NSEC3_GROUPS_MAX)
				groups[ngroups++] = &rec->p;
		}
	}
	for (g = 0; g < ngroups; g++) {
		/* Checked before hashing: the cost is what the limit avoids. */
		if (groups[g]->iterations > VAL_NSEC3_MAX_ITERATIONS) {
			too_costly = true;
			continue;
		}
		c.n = 0;
		c.nhash = 0;
		c.p = groups[g];
		for (i = 0; i < nrec; i++)
			if (same_params(groups[g], &recs[i].p))
				c.r[c.n++] = &recs[i];
		r.wc_labels = -1;
		r.delegation = r.optout = false;
		if ((sec = prove_chain(&c, kind, qname, qtype, wc_labels, zlabels, &r)) != SEC_BOGUS) {
			*res = r;
			return sec;
		}
		if (!failed) {
			first_fail = r;
			failed = true;
		}
	}
	if (too_costly)
		return done(res, SEC_INSECURE, "NSEC3 iterations above the limit");
	if (failed) {
		*res = first_fail;
		return SEC_BOGUS;
	}
	return done(res, SEC_BOGUS, "no usable NSEC3 records");
}
