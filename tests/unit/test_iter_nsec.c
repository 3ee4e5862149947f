/*
 * test_iter_nsec.c -- aggressive use of validated NSEC (RFC 8198) through
 * the engine: example.com is signed here with ldns (NSEC, a DNSKEY trust
 * anchor), the rest of the world of iter_world.c is not.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dnssec_util.h"
#include "iter_world.h"
#include "unit.h"

static struct tkey key;
static struct rrset *forged;        /* sent along with every denial */
static struct rrset *unsigned_alias; /* answered for its owner */
static struct arena za;
static struct rrset *zone;
static int nzone;

static void
sign_example(void)
{
	char *dnskey = tkey_dnskey_str(&key);
	const char *rrs[] = {
		"example.com. 300 IN SOA ns1.example.com. host.example.com. 1 3600 600 86400 300",
		"example.com. 300 IN NS ns1.example.com.",
		"example.com. 300 IN NS ns2.example.com.",
		"ns1.example.com. 300 IN A 192.0.2.1",
		"ns2.example.com. 300 IN A 192.0.2.9",
		"www.example.com. 300 IN A 192.0.2.80",
		/* an unsigned delegation: NS, no DS */
		"plain.example.com. 300 IN NS ns.plain.example.net.",
		dnskey,
		NULL
	};

	arena_init(&za, 1 << 16);
	nzone = tzone(&za, (struct tkey *[]){ &key, NULL }, rrs, false, 0, 0, NULL, &zone);
	free(dnskey);
}

/* example.com's server: the zone's data, NODATA or NXDOMAIN with its
 * NSEC proof, all signed. */
static size_t
example_server(const struct sent *q, uint8_t *buf, size_t cap)
{
	uint8_t apex[DNAME_MAX], wc[DNAME_MAX];
	struct msg_builder b;
	struct rrset *rs = NULL;
	bool exists = false;
	int i;

	if (strcmp(q->server, "192.0.2.1") != 0 && strcmp(q->server, "192.0.2.9") != 0)
		return 0;
	dname_from_str("example.com", apex);
	if (unsigned_alias != NULL && dname_equal(q->qname, unsigned_alias->owner)) {
		/* a CNAME without its signature, and nothing about its target */
		mb_init(&b, buf, cap);
		mb_header(&b, 0, FLAG_QR | FLAG_AA, RCODE_NOERROR);
		mb_question(&b, q->qname, q->qtype, RR_CLASS_IN);
		mb_rrset(&b, SEC_ANSWER, unsigned_alias, true);
		return mb_finish(&b);
	}
	for (i = 0; i < nzone; i++) {
		if (!dname_equal(zone[i].owner, q->qname))
			continue;
		exists = true;
		if (zone[i].type == q->qtype)
			rs = &zone[i];
	}
	mb_init(&b, buf, cap);
	mb_header(&b, 0, FLAG_QR | FLAG_AA, exists ? RCODE_NOERROR : RCODE_NXDOMAIN);
	mb_question(&b, q->qname, q->qtype, RR_CLASS_IN);
	if (rs != NULL) {
		mb_rrset(&b, SEC_ANSWER, rs, true);
		return mb_finish(&b);
	}
	mb_rrset(&b, SEC_AUTHORITY, tfind(zone, nzone, "example.com.", RR_TYPE_SOA), true);
	if (forged != NULL)
		mb_rrset(&b, SEC_AUTHORITY, forged, true);
	dname_wildcard(apex, wc);
	for (i = 0; i < nzone; i++) {
		const struct rrset *n = &zone[i];
		if (n->type != RR_TYPE_NSEC)
			continue;
		if (dname_equal(n->owner, q->qname) ||
		    (!exists && (val_nsec_covers(n->owner, n->rdata[0].data, q->qname) ||
		    val_nsec_covers(n->owner, n->rdata[0].data, wc))))
			mb_rrset(&b, SEC_AUTHORITY, n, true);
	}
	return mb_finish(&b);
}

static void
signed_setup(void)
{
	char *dnskey = tkey_dnskey_str(&key), err[256];

	setup(false);
	cfg->anchors = val_anchors_new();
	CHECK(val_anchors_add_str(cfg->anchors, dnskey, err, sizeof(err)) == 0);
	free(dnskey);
	world_hook = example_server;
	fake_now = T_NOW;
}

static void
signed_teardown(void)
{
	struct val_anchors *a = cfg->anchors;

	teardown();
	val_anchors_free(a);
}

static bool
has_type(const struct dns_msg *m, enum msg_section sec, uint16_t type, const char *owner)
{
	uint8_t o[DNAME_MAX];
	int i;

	dname_from_str(owner, o);
	for (i = 0; i < m->count[sec]; i++)
		if (m->rr[sec][i].type == type && dname_equal(m->rr[sec][i].owner, o))
			return true;
	return false;
}

/* What one worker learned answers questions on another: the records are
 * kept in the shared cache, not per worker. */
static void
test_shared_by_workers(void)
{
	struct iter_stats st;
	struct dns_msg m;
	struct arena a;
	int before;

	signed_setup();
	arena_init(&a, 4096);
	add_other_iter();
	ask_flags("nx1.example.com", RR_TYPE_A, FLAG_RD | ITER_FLAG_DO, 0);
	pump();
	CHECK_EQ_INT(answer_of(0, &m, &a), RCODE_NXDOMAIN);
	CHECK(m.flags & FLAG_AD);
	before = nlog;
	/* nx2 is in the same gap (ns2 .. plain), asked on the other worker */
	ask_iter(it_other, "nx2.example.com", RR_TYPE_A, FLAG_RD | ITER_FLAG_DO, 1);
	pump();
	CHECK_EQ_INT(nlog, before);
	CHECK_EQ_INT(answer_of(1, &m, &a), RCODE_NXDOMAIN);
	CHECK(m.flags & FLAG_AD);
	CHECK(has_type(&m, SEC_AUTHORITY, RR_TYPE_SOA, "example.com"));
	CHECK(has_type(&m, SEC_AUTHORITY, RR_TYPE_NSEC, "ns2.example.com"));
	CHECK(has_type(&m, SEC_AUTHORITY, RR_TYPE_NSEC, "example.com"));
	iter_get_stats(it_other, &st);
	CHECK_EQ_INT(st.aggressive_nsec, 1);
	arena_free_all(&a);
	signed_teardown();
}

/* A DS question is proven from the parent's chain: a name in a gap is
 * NXDOMAIN, an unsigned delegation's own NSEC (NS, no DS) is NODATA. */
static void
test_ds_from_store(void)
{
	struct dns_msg m;
	struct arena a;
	int before;

	signed_setup();
	arena_init(&a, 4096);
	ask_flags("nx1.example.com", RR_TYPE_A, FLAG_RD | ITER_FLAG_DO, 0);
	pump();
	CHECK_EQ_INT(answer_of(0, &m, &a), RCODE_NXDOMAIN);
	/* plainx sorts after plain: its proof brings plain's NSEC */
	ask_flags("plainx.example.com", RR_TYPE_A, FLAG_RD | ITER_FLAG_DO, 1);
	pump();
	CHECK_EQ_INT(answer_of(1, &m, &a), RCODE_NXDOMAIN);
	before = nlog;
	ask_flags("nx3.example.com", RR_TYPE_DS, FLAG_RD | ITER_FLAG_DO, 2);
	pump();
	CHECK_EQ_INT(answer_of(2, &m, &a), RCODE_NXDOMAIN);
	CHECK(m.flags & FLAG_AD);
	ask_flags("plain.example.com", RR_TYPE_DS, FLAG_RD | ITER_FLAG_DO, 3);
	pump();
	CHECK_EQ_INT(answer_of(3, &m, &a), RCODE_NOERROR);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 0);
	CHECK(m.flags & FLAG_AD);
	CHECK(has_type(&m, SEC_AUTHORITY, RR_TYPE_NSEC, "plain.example.com"));
	CHECK_EQ_INT(nlog, before);
	arena_free_all(&a);
	signed_teardown();
}

/* An NSEC without a signature, sent along with a proof that holds without
 * it, is not kept: it would deny names that exist. */
static void
test_unsigned_nsec_not_kept(void)
{
	const char *fake[] = { "w.example.com. 300 IN NSEC zz.example.com. A RRSIG NSEC", NULL };
	struct dns_msg m;
	struct arena a;

	signed_setup();
	arena_init(&a, 4096);
	forged = tset(&a, NULL, fake);
	ask_flags("nx1.example.com", RR_TYPE_A, FLAG_RD | ITER_FLAG_DO, 0);
	pump();
	CHECK_EQ_INT(answer_of(0, &m, &a), RCODE_NXDOMAIN);
	CHECK(m.flags & FLAG_AD);
	/* www sorts between w and zz */
	ask_flags("www.example.com", RR_TYPE_A, FLAG_RD | ITER_FLAG_DO, 1);
	pump();
	CHECK_EQ_INT(answer_of(1, &m, &a), RCODE_NOERROR);
	CHECK(has_type(&m, SEC_ANSWER, RR_TYPE_A, "www.example.com"));
	forged = NULL;
	arena_free_all(&a);
	signed_teardown();
}

/* The store proves the end of a chain, not the chain: an alias before it
 * is validated like any other (here it has no signature: bogus). */
static void
test_chain_before_store_validated(void)
{
	const char *alias[] = { "www.example.com. 300 IN CNAME nx2.example.com.", NULL };
	struct dns_msg m;
	struct arena a;

	signed_setup();
	arena_init(&a, 4096);
	unsigned_alias = tset(&a, NULL, alias);
	ask_flags("nx1.example.com", RR_TYPE_A, FLAG_RD | ITER_FLAG_DO, 0);
	pump();
	CHECK_EQ_INT(answer_of(0, &m, &a), RCODE_NXDOMAIN);
	ask_flags("www.example.com", RR_TYPE_A, FLAG_RD | ITER_FLAG_DO, 1);
	pump();
	CHECK_EQ_INT(answer_of(1, &m, &a), RCODE_SERVFAIL);
	CHECK(!(m.flags & FLAG_AD));
	unsigned_alias = NULL;
	arena_free_all(&a);
	signed_teardown();
}

int
main(void)
{
	if (getenv("TEST_VERBOSE"))
		log_verbosity = 4;
	tkey_init(&key, LDNS_SIGN_ECDSAP256SHA256, "example.com.", 257, T_INCEPT, T_EXPIRE);
	sign_example();
	RUN(test_shared_by_workers);
	RUN(test_ds_from_store);
	RUN(test_unsigned_nsec_not_kept);
	RUN(test_chain_before_store_validated);
	tkey_free(&key);
	arena_free_all(&za);
	return unit_summary();
}
