/*
 * answer.c -- the response the zone's authoritative server would send
 * (RFC 1034 section 4.3.2, with the DNSSEC records of RFC 4035 section
 * 3.1 and RFC 5155 section 7.2).
 *
 * The walk from the apex (az_walk) says which of three cases a question
 * is: a referral, a name that exists, or one that does not. Each case
 * writes its sections in order into one msg_builder; any write that does
 * not fit makes the whole answer 0, since a partial referral or a proof
 * with a record missing would mislead the engine.
 */
#include "config.h"

#include <string.h>

#include "auth/auth_int.h"
#include "dnssec/dnssec.h"
#include "util/msgbuild.h"

/* A denial needs at most three NSEC3 records (RFC 5155 section 7.2.2). */
#define PROOF_MAX 4

/* The NSEC or NSEC3 sets of one denial, each once. */
struct proof {
	const struct rrset *set[PROOF_MAX];
	int n;
};

static void
proof_add(struct proof *p, const struct rrset *rs)
{
	int i;

	if (rs == NULL)
		return;
	for (i = 0; i < p->n; i++)
		if (p->set[i] == rs)
			return;
	if (p->n < PROOF_MAX)
		p->set[p->n++] = rs;
}

static void
proof_add_cover(struct proof *p, const struct authzone *z, const uint8_t *name)
{
	const struct az_nsec3 *n3;
	uint8_t h[AZ_NSEC3_HASHLEN];

	az_nsec3_hash(z, name, h);
	if ((n3 = az_nsec3_cover(z, h)) != NULL)
		proof_add(p, n3->set);
}

/* Closest provable encloser proof for name (RFC 5155 section 7.2.1):
 * the NSEC3 of the longest ancestor that has one, trying those with at
 * most `from` labels, and the NSEC3 covering the next closer name. With
 * wildcard, also the NSEC3 covering the wildcard at that encloser
 * (section 7.2.2). Under opt-out the provable encloser may sit above
 * the real one, which is what the proof then says. */
static void
nsec3_encloser_proof(const struct authzone *z, const uint8_t *name, int from, bool wildcard,
    struct proof *p)
{
	const struct az_nsec3 *match = NULL;
	uint8_t h[AZ_NSEC3_HASHLEN], wild[DNAME_MAX];
	int labels = dname_label_count(name), l;
	const uint8_t *encloser = name;

	for (l = from; l >= z->origin_labels; l--) {
		encloser = dname_remove_labels(name, labels - l);
		az_nsec3_hash(z, encloser, h);
		if ((match = az_nsec3_match(z, h)) != NULL)
			break;
	}
	/* Without an NSEC3 for the apex the chain is broken; say nothing. */
	if (match == NULL)
		return;
	proof_add(p, match->set);
	if (l < labels)
		proof_add_cover(p, z, dname_remove_labels(name, labels - l - 1));
	if (wildcard && dname_wildcard(encloser, wild) > 0)
		proof_add_cover(p, z, wild);
}

/* name exists (possibly as an empty non-terminal) without the type
 * asked for: its own NSEC or NSEC3 (RFC 4035 section 3.1.3.1, RFC 5155
 * section 7.2.3). An empty non-terminal has no NSEC; the one before it
 * covers it and shows names below it (RFC 4035 section 3.1.3.2). An
 * empty non-terminal or unsigned delegation in an opt-out span has no
 * NSEC3, and gets the closest provable encloser proof (section 7.2.4). */
static void
deny_type(const struct authzone *z, const uint8_t *name, struct proof *p)
{
	const struct az_nsec3 *match;
	uint8_t h[AZ_NSEC3_HASHLEN];

	if (z->nnsec3 == 0) {
		proof_add(p, az_nsec_for(z, name));
		return;
	}
	az_nsec3_hash(z, name, h);
	if ((match = az_nsec3_match(z, h)) != NULL)
		proof_add(p, match->set);
	else
		nsec3_encloser_proof(z, name, dname_label_count(name) - 1, false, p);
}

/* name does not exist; encloser is its closest encloser. The NSEC that
 * covers name and the one that covers the wildcard at the encloser
 * (RFC 4035 section 3.1.3.2), or the NSEC3 proof of RFC 5155 section
 * 7.2.2. */
static void
deny_name(const struct authzone *z, const uint8_t *name, const uint8_t *encloser,
    struct proof *p)
{
	uint8_t wild[DNAME_MAX];

	if (z->nnsec3 > 0) {
		nsec3_encloser_proof(z, name, dname_label_count(encloser), true, p);
		return;
	}
	proof_add(p, az_nsec_for(z, name));
	if (dname_wildcard(encloser, wild) > 0)
		proof_add(p, az_nsec_for(z, wild));
}

static int
start(struct msg_builder *b, uint16_t flags, uint16_t rcode, const uint8_t *qname,
    uint16_t qtype, uint16_t qclass)
{
	if (mb_header(b, 0, (uint16_t)(FLAG_QR | flags), rcode) != 0 ||
	    mb_question(b, qname, qtype, qclass) != 0)
		return -1;
	return 0;
}

/* The addresses the zone has for the name servers in ns: glue in a
 * referral, the root servers' addresses with the apex NS set. */
static int
put_addresses(struct msg_builder *b, const struct authzone *z, const struct rrset *ns,
    bool dnssec_ok)
{
	const struct az_node *node;
	const struct rrset *rs;
	uint32_t at;
	uint16_t i;

	for (i = 0; i < ns->count; i++) {
		if (!dname_is_subdomain(ns->rdata[i].data, z->origin) ||
		    (at = az_search(z, ns->rdata[i].data, NULL)) == AZ_NO_NODE)
			continue;
		node = &z->nodes[at];
		if ((rs = az_set(node, RR_TYPE_A)) != NULL &&
		    mb_rrset(b, SEC_ADDITIONAL, rs, dnssec_ok) != 0)
			return -1;
		if ((rs = az_set(node, RR_TYPE_AAAA)) != NULL &&
		    mb_rrset(b, SEC_ADDITIONAL, rs, dnssec_ok) != 0)
			return -1;
	}
	return 0;
}

static int
put_proof(struct msg_builder *b, const struct proof *p)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (mb_rrset(b, SEC_AUTHORITY, p->set[i], true) != 0)
			return -1;
	return 0;
}

/* NXDOMAIN and NODATA: the SOA, with the negative TTL of RFC 2308
 * section 3, then the proof. */
static int
put_negative(struct msg_builder *b, const struct authzone *z, const struct proof *p,
    bool dnssec_ok)
{
	struct rrset soa = *z->soa;

	soa.ttl = z->neg_ttl;
	if (mb_rrset(b, SEC_AUTHORITY, &soa, dnssec_ok) != 0)
		return -1;
	return dnssec_ok ? put_proof(b, p) : 0;
}

static int
referral(struct msg_builder *b, const struct authzone *z, const struct az_node *cut,
    const uint8_t *qname, uint16_t qtype, bool dnssec_ok)
{
	const struct rrset *ns = az_set(cut, RR_TYPE_NS), *ds;
	struct proof p = { .n = 0 };

	if (start(b, 0, RCODE_NOERROR, qname, qtype, RR_CLASS_IN) != 0 ||
	    mb_rrset(b, SEC_AUTHORITY, ns, false) != 0)
		return -1;
	if (dnssec_ok) {
		/* RFC 4035 section 3.1.4: the DS set, or proof that the
		 * child is unsigned. */
		if ((ds = az_set(cut, RR_TYPE_DS)) != NULL) {
			if (mb_rrset(b, SEC_AUTHORITY, ds, true) != 0)
				return -1;
		} else {
			deny_type(z, cut->name, &p);
			if (put_proof(b, &p) != 0)
				return -1;
		}
	}
	return put_addresses(b, z, ns, dnssec_ok);
}

static int
nodata(struct msg_builder *b, const struct authzone *z, const struct az_node *node,
    const uint8_t *qname, uint16_t qtype, bool dnssec_ok)
{
	struct proof p = { .n = 0 };

	if (dnssec_ok)
		deny_type(z, node->name, &p);
	if (start(b, FLAG_AA, RCODE_NOERROR, qname, qtype, RR_CLASS_IN) != 0)
		return -1;
	return put_negative(b, z, &p, dnssec_ok);
}

static int
nxdomain(struct msg_builder *b, const struct authzone *z, const struct az_node *encloser,
    const uint8_t *qname, uint16_t qtype, bool dnssec_ok)
{
	struct proof p = { .n = 0 };

	if (dnssec_ok)
		deny_name(z, qname, encloser->name, &p);
	if (start(b, FLAG_AA, RCODE_NXDOMAIN, qname, qtype, RR_CLASS_IN) != 0)
		return -1;
	return put_negative(b, z, &p, dnssec_ok);
}

static int
answer_any(struct msg_builder *b, const struct az_node *node, bool dnssec_ok)
{
	uint16_t i;

	for (i = 0; i < node->nsets; i++)
		if (mb_rrset(b, SEC_ANSWER, &node->sets[i], dnssec_ok) != 0)
			return -1;
	return 0;
}

static int
answer_rrsig(struct msg_builder *b, const struct az_node *node)
{
	const struct rrset *rs;
	uint16_t i, j;

	for (i = 0; i < node->nsets; i++) {
		rs = &node->sets[i];
		for (j = rs->count; j < rs->count + rs->sigcount; j++)
			if (mb_rr(b, SEC_ANSWER, rs->owner, RR_TYPE_RRSIG, rs->rclass, rs->ttl,
			    rs->rdata[j].data, rs->rdata[j].len) != 0)
				return -1;
	}
	return 0;
}

static bool
has_rrsig(const struct az_node *node)
{
	uint16_t i;

	for (i = 0; i < node->nsets; i++)
		if (node->sets[i].sigcount > 0)
			return true;
	return false;
}

static int
found(struct msg_builder *b, const struct authzone *z, const struct az_node *node,
    const uint8_t *qname, uint16_t qtype, bool dnssec_ok)
{
	const struct rrset *rs;

	if (qtype == RR_TYPE_ANY || qtype == RR_TYPE_RRSIG) {
		if (qtype == RR_TYPE_ANY ? node->nsets == 0 : !has_rrsig(node))
			return nodata(b, z, node, qname, qtype, dnssec_ok);
		if (start(b, FLAG_AA, RCODE_NOERROR, qname, qtype, RR_CLASS_IN) != 0)
			return -1;
		return qtype == RR_TYPE_ANY ? answer_any(b, node, dnssec_ok) : answer_rrsig(b, node);
	}
	/* The loader let a CNAME share its name only with NSEC and RRSIG,
	 * which are answered for themselves. */
	if ((rs = az_set(node, qtype)) == NULL && (rs = az_set(node, RR_TYPE_CNAME)) == NULL)
		return nodata(b, z, node, qname, qtype, dnssec_ok);
	if (start(b, FLAG_AA, RCODE_NOERROR, qname, qtype, RR_CLASS_IN) != 0 ||
	    mb_rrset(b, SEC_ANSWER, rs, dnssec_ok) != 0)
		return -1;
	if (rs->type == RR_TYPE_NS && node == &z->nodes[0])
		return put_addresses(b, z, rs, dnssec_ok);
	return 0;
}

size_t
authzone_answer(const struct authzone *z, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass, bool dnssec_ok, uint8_t *out, size_t cap)
{
	struct msg_builder b;
	enum az_where where;
	uint32_t at;
	int rc = -1;

	if (qclass != RR_CLASS_IN || qtype == RR_TYPE_OPT || qtype == RR_TYPE_IXFR ||
	    qtype == RR_TYPE_AXFR || qtype == RR_TYPE_MAILA || qtype == RR_TYPE_MAILB ||
	    !dname_is_subdomain(qname, z->origin))
		return 0;
	/* DS at a delegation is the parent's data (RFC 4035 section 3.1.4.1). */
	where = az_walk(z, qname, qtype != RR_TYPE_DS, &at);
	mb_init(&b, out, cap);
	switch (where) {
	case AZ_REFERRAL:
		rc = referral(&b, z, &z->nodes[at], qname, qtype, dnssec_ok);
		break;
	case AZ_NXDOMAIN:
		rc = nxdomain(&b, z, &z->nodes[at], qname, qtype, dnssec_ok);
		break;
	case AZ_FOUND:
		rc = found(&b, z, &z->nodes[at], qname, qtype, dnssec_ok);
		break;
	}
	if (rc != 0)
		return 0;
	return mb_finish(&b);
}
