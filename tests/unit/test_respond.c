/*
 * test_respond.c -- answers fitted to clients: ID, letter case, flags,
 * EDNS and EDE, truncation; and the queries answered without the engine.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "daemon/respond.h"
#include "cache/cache.h"
#include "util/msgbuild.h"
#include "util/wire.h"

#define MAX_UDP 1232

static uint8_t out[65536];
static struct arena arena;

/* A query for name/type with the given header flags; edns_size 0 means
 * no OPT. Returns its length (in buf). */
static size_t
make_query(uint8_t *buf, uint16_t id, uint16_t flags, const char *name, uint16_t qtype,
    uint16_t qclass, uint16_t edns_size, uint16_t edns_flags)
{
	struct msg_builder b;
	uint8_t qname[DNAME_MAX];

	CHECK(dname_from_str(name, qname) > 0);
	mb_init(&b, buf, 512);
	mb_header(&b, id, flags, 0);
	mb_question(&b, qname, qtype, qclass);
	if (edns_size)
		mb_opt(&b, edns_size, 0, edns_flags, EDE_NONE, NULL);
	return mb_finish(&b);
}

/* A canonical answer (ID 0, no OPT): n A records, then nadd records in
 * the additional section. */
static size_t
make_answer(uint8_t *buf, size_t cap, uint16_t flags, const char *name, int n, int nadd)
{
	struct msg_builder b;
	uint8_t qname[DNAME_MAX], rdata[4] = { 192, 0, 2, 0 };
	int i;

	CHECK(dname_from_str(name, qname) > 0);
	mb_init(&b, buf, cap);
	mb_header(&b, 0, FLAG_QR | FLAG_RA | flags, RCODE_NOERROR);
	mb_question(&b, qname, RR_TYPE_A, RR_CLASS_IN);
	for (i = 0; i < n; i++) {
		rdata[3] = (uint8_t)i;
		CHECK(mb_rr(&b, SEC_ANSWER, qname, RR_TYPE_A, RR_CLASS_IN, 300, rdata, 4) == 0);
	}
	for (i = 0; i < nadd; i++) {
		rdata[3] = (uint8_t)i;
		CHECK(mb_rr(&b, SEC_ADDITIONAL, qname, RR_TYPE_A, RR_CLASS_IN, 300, rdata, 4) == 0);
	}
	return mb_finish(&b);
}

/* Parse q as a client query and fill c, expecting it to need resolving. */
static void
client_for(const uint8_t *q, size_t qlen, bool tcp, struct respond_client *c)
{
	struct dns_msg m;
	size_t n = 0;

	CHECK_EQ_INT(respond_query(q, qlen, ACL_ALLOW, tcp, MAX_UDP, &m, c, out, sizeof(out), &n),
	    RESPOND_RESOLVE);
}

static void
parse(const uint8_t *pkt, size_t len, struct dns_msg *m)
{
	arena_free_all(&arena);
	arena_init(&arena, 4096);
	CHECK_EQ_INT(msg_parse(pkt, len, m, &arena), WIRE_OK);
}

static void
test_patch_plain(void)
{
	uint8_t q[512], a[4096];
	struct respond_client c;
	struct dns_msg m;
	size_t qlen, alen, n;

	qlen = make_query(q, 0x1234, FLAG_RD, "wWw.ExAmple.COM", RR_TYPE_A, RR_CLASS_IN, 0, 0);
	client_for(q, qlen, false, &c);
	CHECK_EQ_INT(c.limit, 512);
	CHECK(!c.edns);
	alen = make_answer(a, sizeof(a), FLAG_RD, "www.example.com", 2, 0);
	n = respond_patch(a, alen, sizeof(a), &c, EDE_NONE);
	CHECK_EQ_INT(n, alen);
	CHECK_EQ_INT(rd16(a), 0x1234);
	/* the client's letter case, byte for byte */
	CHECK(memcmp(a + DNS_HEADER_SIZE, q + DNS_HEADER_SIZE, qlen - DNS_HEADER_SIZE) == 0);
	parse(a, n, &m);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 2);
	CHECK(!m.edns.present);
	CHECK(m.flags & FLAG_RD);
	CHECK(!(m.flags & FLAG_TC));
}

static void
test_patch_flags(void)
{
	uint8_t q[512], a[4096];
	struct respond_client c;
	size_t qlen, alen;

	/* Stored for an RD=1 CD=0 client with AD; this one asks RD=0 CD=1. */
	qlen = make_query(q, 7, FLAG_CD, "example.com", RR_TYPE_A, RR_CLASS_IN, 0, 0);
	client_for(q, qlen, false, &c);
	alen = make_answer(a, sizeof(a), FLAG_RD | FLAG_AD, "example.com", 1, 0);
	CHECK(respond_patch(a, alen, sizeof(a), &c, EDE_NONE) > 0);
	CHECK(!(rd16(a + 2) & FLAG_RD));
	CHECK(rd16(a + 2) & FLAG_CD);
	CHECK(!(rd16(a + 2) & FLAG_AD));   /* neither DO nor AD asked */

	qlen = make_query(q, 7, FLAG_RD, "example.com", RR_TYPE_A, RR_CLASS_IN, 1232, EDNS_DO);
	client_for(q, qlen, false, &c);
	alen = make_answer(a, sizeof(a), FLAG_AD, "example.com", 1, 0);
	CHECK(respond_patch(a, alen, sizeof(a), &c, EDE_NONE) > 0);
	CHECK(rd16(a + 2) & FLAG_AD);
	CHECK(rd16(a + 2) & FLAG_RD);
	CHECK(!(rd16(a + 2) & FLAG_CD));
}

static void
test_patch_edns(void)
{
	uint8_t q[512], a[4096];
	struct respond_client c;
	struct dns_msg m;
	size_t qlen, alen, n;

	qlen = make_query(q, 99, FLAG_RD, "example.com", RR_TYPE_A, RR_CLASS_IN, 4096, EDNS_DO);
	client_for(q, qlen, false, &c);
	CHECK(c.edns);
	CHECK(c.dnssec_ok);
	CHECK_EQ_INT(c.limit, MAX_UDP);    /* 4096 asked, capped */
	alen = make_answer(a, sizeof(a), 0, "example.com", 1, 0);
	n = respond_patch(a, alen, sizeof(a), &c, EDE_NONE);
	CHECK_EQ_INT(n, alen + 11);
	parse(a, n, &m);
	CHECK(m.edns.present);
	CHECK_EQ_INT(m.edns.version, 0);
	CHECK_EQ_INT(m.edns.udp_size, MAX_UDP);
	CHECK(m.edns.flags & EDNS_DO);
	CHECK_EQ_INT(m.edns.ede, EDE_NONE);
	CHECK_EQ_INT(m.rcode, RCODE_NOERROR);

	/* A small EDNS size still allows 512. */
	qlen = make_query(q, 99, 0, "example.com", RR_TYPE_A, RR_CLASS_IN, 100, 0);
	client_for(q, qlen, false, &c);
	CHECK_EQ_INT(c.limit, 512);
	CHECK(!c.dnssec_ok);
	/* TCP takes anything. */
	client_for(q, qlen, true, &c);
	CHECK_EQ_INT(c.limit, 65535);
}

static void
test_patch_ede(void)
{
	uint8_t q[512], a[4096];
	struct respond_client c;
	struct dns_msg m;
	size_t qlen, alen, n;

	qlen = make_query(q, 5, FLAG_RD, "example.com", RR_TYPE_A, RR_CLASS_IN, 1232, 0);
	client_for(q, qlen, false, &c);
	alen = make_answer(a, sizeof(a), 0, "example.com", 1, 0);
	n = respond_patch(a, alen, sizeof(a), &c, EDE_STALE_ANSWER);
	CHECK_EQ_INT(n, alen + 11 + 6);
	parse(a, n, &m);
	CHECK(m.edns.present);
	CHECK_EQ_INT(m.edns.ede, EDE_STALE_ANSWER);

	/* No EDNS, no place for EDE. */
	qlen = make_query(q, 5, FLAG_RD, "example.com", RR_TYPE_A, RR_CLASS_IN, 0, 0);
	client_for(q, qlen, false, &c);
	alen = make_answer(a, sizeof(a), 0, "example.com", 1, 0);
	n = respond_patch(a, alen, sizeof(a), &c, EDE_STALE_ANSWER);
	CHECK_EQ_INT(n, alen);
	parse(a, n, &m);
	CHECK(!m.edns.present);
}

static void
test_truncate(void)
{
	uint8_t q[512], a[8192];
	struct respond_client c;
	struct dns_msg m;
	size_t qlen, alen, n;

	/* 40 A records: about 670 bytes, over 512. */
	qlen = make_query(q, 1, FLAG_RD, "Example.com", RR_TYPE_A, RR_CLASS_IN, 0, 0);
	client_for(q, qlen, false, &c);
	alen = make_answer(a, sizeof(a), FLAG_RD, "example.com", 40, 0);
	CHECK(alen > 512);
	n = respond_patch(a, alen, sizeof(a), &c, EDE_NONE);
	CHECK_EQ_INT(n, qlen);
	CHECK(rd16(a + 2) & FLAG_TC);
	CHECK_EQ_INT(rd16(a + 6), 0);
	CHECK_EQ_INT(rd16(a + 10), 0);
	CHECK(memcmp(a + DNS_HEADER_SIZE, q + DNS_HEADER_SIZE, qlen - DNS_HEADER_SIZE) == 0);

	/* EDNS 1232 takes it whole. */
	qlen = make_query(q, 1, FLAG_RD, "example.com", RR_TYPE_A, RR_CLASS_IN, 1232, 0);
	client_for(q, qlen, false, &c);
	alen = make_answer(a, sizeof(a), FLAG_RD, "example.com", 40, 0);
	n = respond_patch(a, alen, sizeof(a), &c, EDE_NONE);
	CHECK_EQ_INT(n, alen + 11);
	CHECK(!(rd16(a + 2) & FLAG_TC));

	/* 100 records do not fit 1232: TC, question and OPT. */
	alen = make_answer(a, sizeof(a), FLAG_RD, "example.com", 100, 0);
	n = respond_patch(a, alen, sizeof(a), &c, EDE_NONE);
	CHECK(rd16(a + 2) & FLAG_TC);
	parse(a, n, &m);
	CHECK(m.edns.present);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 0);
	CHECK_EQ_INT(n, qlen);             /* the query had an OPT of the same size */

	/* ...but over TCP it goes whole. */
	client_for(q, qlen, true, &c);
	alen = make_answer(a, sizeof(a), FLAG_RD, "example.com", 100, 0);
	n = respond_patch(a, alen, sizeof(a), &c, EDE_NONE);
	CHECK_EQ_INT(n, alen + 11);
	CHECK(!(rd16(a + 2) & FLAG_TC));

	/* A buffer smaller than the client's limit also truncates. */
	client_for(q, qlen, true, &c);
	alen = make_answer(a, sizeof(a), FLAG_RD, "example.com", 100, 0);
	n = respond_patch(a, alen, 600, &c, EDE_NONE);
	CHECK(n <= 600);
	CHECK(rd16(a + 2) & FLAG_TC);
}

static void
test_truncate_additional(void)
{
	uint8_t q[512], a[8192];
	struct respond_client c;
	struct dns_msg m;
	size_t qlen, alen, n;

	/* The answer fits 512, the additional section does not: dropped
	 * without TC. */
	qlen = make_query(q, 1, FLAG_RD, "example.com", RR_TYPE_A, RR_CLASS_IN, 0, 0);
	client_for(q, qlen, false, &c);
	alen = make_answer(a, sizeof(a), FLAG_RD, "example.com", 3, 40);
	n = respond_patch(a, alen, sizeof(a), &c, EDE_NONE);
	CHECK(n <= 512);
	CHECK(!(rd16(a + 2) & FLAG_TC));
	parse(a, n, &m);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 3);
	CHECK_EQ_INT(m.count[SEC_ADDITIONAL], 0);
}

/* A signed CNAME chain too big for the client: TC, and the answer keeps
 * the whole RRsets that fit (RFC 2181 section 9), never part of one. */
static void
test_truncate_whole_sets(void)
{
	uint8_t q[512], a[8192], owner[DNAME_MAX], target[DNAME_MAX], sig[300], rd[4] = { 192, 0, 2, 0 };
	struct msg_builder b;
	struct respond_client c;
	struct dns_msg m;
	size_t qlen, alen, n;
	int i;

	memset(sig, 0, sizeof(sig));
	wr16(sig, RR_TYPE_CNAME);
	dname_from_str("www.alpha", owner);
	dname_from_str("www.omega", target);
	qlen = make_query(q, 7, FLAG_RD, "www.alpha", RR_TYPE_A, RR_CLASS_IN, 1232, EDNS_DO);
	client_for(q, qlen, false, &c);
	mb_init(&b, a, sizeof(a));
	mb_header(&b, 0, FLAG_QR | FLAG_RA | FLAG_RD | FLAG_AD, RCODE_NOERROR);
	mb_question(&b, owner, RR_TYPE_A, RR_CLASS_IN);
	CHECK(mb_rr(&b, SEC_ANSWER, owner, RR_TYPE_CNAME, RR_CLASS_IN, 300, target,
	    (uint16_t)dname_len(target)) == 0);
	CHECK(mb_rr(&b, SEC_ANSWER, owner, RR_TYPE_RRSIG, RR_CLASS_IN, 300, sig, sizeof(sig)) == 0);
	/* the target's set: 60 addresses (960 bytes) and two signatures */
	for (i = 0; i < 60; i++) {
		rd[3] = (uint8_t)i;
		CHECK(mb_rr(&b, SEC_ANSWER, target, RR_TYPE_A, RR_CLASS_IN, 300, rd, 4) == 0);
	}
	wr16(sig, RR_TYPE_A);
	for (i = 0; i < 2; i++) {
		sig[20] = (uint8_t)i;
		CHECK(mb_rr(&b, SEC_ANSWER, target, RR_TYPE_RRSIG, RR_CLASS_IN, 300, sig, sizeof(sig)) == 0);
	}
	alen = mb_finish(&b);
	CHECK(alen > 1232);
	n = respond_patch(a, alen, sizeof(a), &c, EDE_NONE);
	CHECK(n <= 1232);
	CHECK(rd16(a + 2) & FLAG_TC);
	parse(a, n, &m);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 2);
	CHECK(m.count[SEC_ANSWER] == 2 && m.rr[SEC_ANSWER][0].type == RR_TYPE_CNAME &&
	    m.rr[SEC_ANSWER][1].type == RR_TYPE_RRSIG);
	CHECK_EQ_INT(m.count[SEC_AUTHORITY], 0);
	CHECK(m.edns.present && (m.edns.flags & EDNS_DO));

	/* The target's signatures alone do not fit: its records go too,
	 * rather than a set without its signatures. */
	mb_init(&b, a, sizeof(a));
	mb_header(&b, 0, FLAG_QR | FLAG_RA | FLAG_RD, RCODE_NOERROR);
	mb_question(&b, owner, RR_TYPE_A, RR_CLASS_IN);
	for (i = 0; i < 5; i++) {
		rd[3] = (uint8_t)i;
		CHECK(mb_rr(&b, SEC_ANSWER, owner, RR_TYPE_A, RR_CLASS_IN, 300, rd, 4) == 0);
	}
	for (i = 0; i < 5; i++) {
		sig[20] = (uint8_t)i;
		CHECK(mb_rr(&b, SEC_ANSWER, owner, RR_TYPE_RRSIG, RR_CLASS_IN, 300, sig, sizeof(sig)) == 0);
	}
	alen = mb_finish(&b);
	n = respond_patch(a, alen, sizeof(a), &c, EDE_NONE);
	CHECK(rd16(a + 2) & FLAG_TC);
	parse(a, n, &m);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 0);

	/* Whole answer, the authority's proofs do not fit: the answer stays,
	 * with TC. */
	mb_init(&b, a, sizeof(a));
	mb_header(&b, 0, FLAG_QR | FLAG_RA | FLAG_RD, RCODE_NOERROR);
	mb_question(&b, owner, RR_TYPE_A, RR_CLASS_IN);
	CHECK(mb_rr(&b, SEC_ANSWER, owner, RR_TYPE_A, RR_CLASS_IN, 300, rd, 4) == 0);
	wr16(sig, RR_TYPE_NSEC);
	for (i = 0; i < 5; i++) {
		sig[20] = (uint8_t)i;
		CHECK(mb_rr(&b, SEC_AUTHORITY, target, RR_TYPE_RRSIG, RR_CLASS_IN, 300, sig, sizeof(sig)) == 0);
	}
	alen = mb_finish(&b);
	n = respond_patch(a, alen, sizeof(a), &c, EDE_NONE);
	CHECK(rd16(a + 2) & FLAG_TC);
	parse(a, n, &m);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 1);
	CHECK_EQ_INT(m.count[SEC_AUTHORITY], 0);
}

static void
test_patch_mismatch(void)
{
	uint8_t q[512], a[4096];
	struct respond_client c;
	size_t qlen, alen;

	qlen = make_query(q, 1, 0, "example.com", RR_TYPE_A, RR_CLASS_IN, 0, 0);
	client_for(q, qlen, false, &c);
	alen = make_answer(a, sizeof(a), 0, "www.example.com", 1, 0);
	CHECK_EQ_INT(respond_patch(a, alen, sizeof(a), &c, EDE_NONE), 0);
	CHECK_EQ_INT(respond_patch(a, 5, sizeof(a), &c, EDE_NONE), 0);
}

static void
test_badvers(void)
{
	uint8_t q[512];
	struct respond_client c;
	struct dns_msg m;
	size_t qlen, n = 0;

	qlen = make_query(q, 0x4242, FLAG_RD, "example.com", RR_TYPE_A, RR_CLASS_IN, 1232, 0);
	q[qlen - 5] = 1;                   /* OPT version */
	CHECK_EQ_INT(respond_query(q, qlen, ACL_ALLOW, false, MAX_UDP, &m, &c, out, sizeof(out), &n),
	    RESPOND_ANSWERED);
	CHECK_EQ_INT(rd16(out), 0x4242);
	CHECK_EQ_INT(out[3] & 0xf, 0);
	parse(out, n, &m);
	CHECK_EQ_INT(m.rcode, RCODE_BADVERS);
	CHECK(m.edns.present);
	CHECK_EQ_INT(m.edns.version, 0);
	CHECK_EQ_INT(m.qtype, RR_TYPE_A);
}

/* The answer respond_query writes for q: returns the verdict, *m parsed. */
static enum respond_verdict
answer(const uint8_t *q, size_t qlen, enum acl_action acl, struct dns_msg *m, size_t *n)
{
	struct respond_client c;
	struct dns_msg qm;
	enum respond_verdict v;

	*n = 0;
	v = respond_query(q, qlen, acl, false, MAX_UDP, &qm, &c, out, sizeof(out), n);
	if (v == RESPOND_ANSWERED) {
		CHECK(*n >= DNS_HEADER_SIZE);
		CHECK(rd16(out + 2) & FLAG_QR);
		CHECK_EQ_INT(rd16(out), rd16(q));
		parse(out, *n, m);
	}
	return v;
}

static void
test_drop(void)
{
	uint8_t q[512];
	struct dns_msg m;
	size_t qlen, n;

	qlen = make_query(q, 1, FLAG_RD, "example.com", RR_TYPE_A, RR_CLASS_IN, 0, 0);
	CHECK_EQ_INT(answer(q, 11, ACL_ALLOW, &m, &n), RESPOND_DROP);
	CHECK_EQ_INT(answer(q, qlen, ACL_DENY, &m, &n), RESPOND_DROP);
	wr16(q + 2, FLAG_QR);
	CHECK_EQ_INT(answer(q, qlen, ACL_ALLOW, &m, &n), RESPOND_DROP);
}

static void
test_malformed(void)
{
	uint8_t q[512];
	struct dns_msg m;
	size_t qlen, n;

	/* Question cut short: header readable, so FORMERR. */
	qlen = make_query(q, 77, FLAG_RD, "example.com", RR_TYPE_A, RR_CLASS_IN, 0, 0);
	CHECK_EQ_INT(answer(q, qlen - 3, ACL_ALLOW, &m, &n), RESPOND_ANSWERED);
	CHECK_EQ_INT(m.rcode, RCODE_FORMERR);
	CHECK_EQ_INT(n, DNS_HEADER_SIZE);
	CHECK(m.flags & FLAG_RD);

	/* No question, or two. */
	wr16(q + 4, 0);
	CHECK_EQ_INT(answer(q, DNS_HEADER_SIZE, ACL_ALLOW, &m, &n), RESPOND_ANSWERED);
	CHECK_EQ_INT(m.rcode, RCODE_FORMERR);
	qlen = make_query(q, 77, 0, "example.com", RR_TYPE_A, RR_CLASS_IN, 0, 0);
	memcpy(q + qlen, q + DNS_HEADER_SIZE, qlen - DNS_HEADER_SIZE);
	wr16(q + 4, 2);
	CHECK_EQ_INT(answer(q, 2 * qlen - DNS_HEADER_SIZE, ACL_ALLOW, &m, &n), RESPOND_ANSWERED);
	CHECK_EQ_INT(m.rcode, RCODE_FORMERR);

	/* A malformed query from a refused client is refused. */
	qlen = make_query(q, 77, FLAG_RD, "example.com", RR_TYPE_A, RR_CLASS_IN, 0, 0);
	CHECK_EQ_INT(answer(q, qlen - 3, ACL_REFUSE, &m, &n), RESPOND_ANSWERED);
	CHECK_EQ_INT(m.rcode, RCODE_REFUSED);
}

static void
test_unsupported(void)
{
	uint8_t q[512];
	struct dns_msg m;
	size_t qlen, n;

	/* NOTIFY (opcode 4) */
	qlen = make_query(q, 3, 4 << 11, "example.com", RR_TYPE_SOA, RR_CLASS_IN, 0, 0);
	CHECK_EQ_INT(answer(q, qlen, ACL_ALLOW, &m, &n), RESPOND_ANSWERED);
	CHECK_EQ_INT(m.rcode, RCODE_NOTIMP);
	CHECK_EQ_INT(OPCODE_OF(m.flags), 4);

	qlen = make_query(q, 3, FLAG_RD, "example.com", RR_TYPE_AXFR, RR_CLASS_IN, 0, 0);
	CHECK_EQ_INT(answer(q, qlen, ACL_ALLOW, &m, &n), RESPOND_ANSWERED);
	CHECK_EQ_INT(m.rcode, RCODE_REFUSED);
	CHECK_EQ_INT(m.qtype, RR_TYPE_AXFR);

	qlen = make_query(q, 3, FLAG_RD, "example.com", RR_TYPE_IXFR, RR_CLASS_IN, 0, 0);
	CHECK_EQ_INT(answer(q, qlen, ACL_ALLOW, &m, &n), RESPOND_ANSWERED);
	CHECK_EQ_INT(m.rcode, RCODE_REFUSED);

	qlen = make_query(q, 3, FLAG_RD, "version.bind", RR_TYPE_TXT, RR_CLASS_CH, 0, 0);
	CHECK_EQ_INT(answer(q, qlen, ACL_ALLOW, &m, &n), RESPOND_ANSWERED);
	CHECK_EQ_INT(m.rcode, RCODE_REFUSED);
}

static void
test_any(void)
{
	uint8_t q[512];
	struct dns_msg m;
	size_t qlen, n;

	qlen = make_query(q, 3, FLAG_RD, "ExAmple.com", RR_TYPE_ANY, RR_CLASS_IN, 1232, 0);
	CHECK_EQ_INT(answer(q, qlen, ACL_ALLOW, &m, &n), RESPOND_ANSWERED);
	CHECK_EQ_INT(m.rcode, RCODE_NOERROR);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 1);
	CHECK_EQ_INT(m.rr[SEC_ANSWER][0].type, RR_TYPE_HINFO);
	CHECK_EQ_INT(m.rr[SEC_ANSWER][0].ttl, RESPOND_ANY_TTL);
	CHECK(m.rr[SEC_ANSWER][0].rdlen == 9 && memcmp(m.rr[SEC_ANSWER][0].rdata, "\7RFC8482\0", 9) == 0);
	CHECK(m.edns.present);
	CHECK(memcmp(out + DNS_HEADER_SIZE, q + DNS_HEADER_SIZE, m.qname_len) == 0);
}

static void
test_acl_refuse(void)
{
	uint8_t q[512];
	struct dns_msg m;
	size_t qlen, n;

	qlen = make_query(q, 3, FLAG_RD, "example.com", RR_TYPE_A, RR_CLASS_IN, 1232, 0);
	CHECK_EQ_INT(answer(q, qlen, ACL_REFUSE, &m, &n), RESPOND_ANSWERED);
	CHECK_EQ_INT(m.rcode, RCODE_REFUSED);
	CHECK_EQ_INT(m.edns.ede, EDE_PROHIBITED);
	CHECK_EQ_INT(m.qtype, RR_TYPE_A);
}

static void
test_error_and_flags(void)
{
	uint8_t q[512];
	struct respond_client c;
	struct dns_msg m;
	size_t qlen, n;

	qlen = make_query(q, 9, FLAG_RD | FLAG_CD, "example.org", RR_TYPE_AAAA, RR_CLASS_IN, 1232, EDNS_DO);
	client_for(q, qlen, false, &c);
	CHECK_EQ_INT(respond_cache_variant(&c), CACHE_VARIANT_DO | CACHE_VARIANT_CD);
	CHECK_EQ_INT(respond_iter_flags(&c), FLAG_RD | FLAG_CD | ITER_FLAG_DO);
	n = respond_error(out, sizeof(out), &c, RCODE_SERVFAIL, EDE_NO_REACHABLE_AUTHORITY);
	parse(out, n, &m);
	CHECK_EQ_INT(rd16(out), 9);
	CHECK_EQ_INT(m.rcode, RCODE_SERVFAIL);
	CHECK_EQ_INT(m.edns.ede, EDE_NO_REACHABLE_AUTHORITY);
	CHECK(m.flags & FLAG_RA);

	qlen = make_query(q, 9, 0, "example.org", RR_TYPE_AAAA, RR_CLASS_IN, 0, 0);
	client_for(q, qlen, false, &c);
	CHECK_EQ_INT(respond_cache_variant(&c), 0);
	CHECK_EQ_INT(respond_iter_flags(&c), 0);
}

int
main(void)
{
	arena_init(&arena, 4096);
	RUN(test_patch_plain);
	RUN(test_patch_flags);
	RUN(test_patch_edns);
	RUN(test_patch_ede);
	RUN(test_truncate);
	RUN(test_truncate_additional);
	RUN(test_truncate_whole_sets);
	RUN(test_patch_mismatch);
	RUN(test_badvers);
	RUN(test_drop);
	RUN(test_malformed);
	RUN(test_unsupported);
	RUN(test_any);
	RUN(test_acl_refuse);
	RUN(test_error_and_flags);
	arena_free_all(&arena);
	return unit_summary();
}
