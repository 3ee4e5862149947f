/*
 * test_msgbuild.c -- building messages and parsing them back.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "util/arena.h"
#include "util/msgbuild.h"
#include "util/rrset.h"
#include "util/wire.h"
#include "unit.h"

static uint8_t qn[DNAME_MAX], ns1[DNAME_MAX], ns2[DNAME_MAX], zone[DNAME_MAX];
static uint8_t mx[2 + DNAME_MAX], soa[2 * DNAME_MAX + 20];
static uint16_t mxlen, soalen;

static void
names(void)
{
	int n, m;

	dname_from_str("www.example.com", qn);
	dname_from_str("ns1.example.com", ns1);
	dname_from_str("NS2.example.COM", ns2);
	dname_from_str("example.com", zone);
	mx[0] = 0;
	mx[1] = 10;
	mxlen = (uint16_t)(2 + dname_from_str("mail.example.com", mx + 2));
	n = dname_from_str("ns1.example.com", soa);
	m = dname_from_str("hostmaster.example.com", soa + n);
	memset(soa + n + m, 0, 20);
	soa[n + m + 3] = 42;
	soalen = (uint16_t)(n + m + 20);
}

/* A response: question, CNAME + A answers, NS + SOA authority, glue. */
static size_t
build(uint8_t *buf, size_t cap, uint16_t *ttls, size_t nttl, int *written)
{
	struct msg_builder b;
	static const uint8_t a4[4] = { 192, 0, 2, 1 };
	int w = 0;

	mb_init(&b, buf, cap);
	if (ttls)
		mb_record_ttls(&b, ttls, nttl);
	if (mb_header(&b, 0x4242, FLAG_QR | FLAG_RD | FLAG_RA, RCODE_NOERROR) < 0)
		goto out;
	if (mb_question(&b, qn, RR_TYPE_A, RR_CLASS_IN) < 0)
		goto out;
	w++;
	if (mb_rr(&b, SEC_ANSWER, qn, RR_TYPE_CNAME, RR_CLASS_IN, 300, ns1, (uint16_t)dname_len(ns1)) < 0)
		goto out;
	w++;
	if (mb_rr(&b, SEC_ANSWER, ns1, RR_TYPE_A, RR_CLASS_IN, 301, a4, 4) < 0)
		goto out;
	w++;
	if (mb_rr(&b, SEC_ANSWER, qn, RR_TYPE_MX, RR_CLASS_IN, 302, mx, mxlen) < 0)
		goto out;
	w++;
	if (mb_rr(&b, SEC_AUTHORITY, zone, RR_TYPE_NS, RR_CLASS_IN, 303, ns2, (uint16_t)dname_len(ns2)) < 0)
		goto out;
	w++;
	if (mb_rr(&b, SEC_AUTHORITY, zone, RR_TYPE_SOA, RR_CLASS_IN, 304, soa, soalen) < 0)
		goto out;
	w++;
	if (mb_rr(&b, SEC_ADDITIONAL, ns2, RR_TYPE_A, RR_CLASS_IN, 305, a4, 4) < 0)
		goto out;
	w++;
out:
	if (written)
		*written = w;
	return mb_finish(&b);
}

static void
test_round_trip(void)
{
	uint8_t buf[1024];
	uint16_t ttls[16];
	struct dns_msg m;
	struct arena a;
	size_t len, i, raw;
	int w;

	names();
	arena_init(&a, 4096);
	len = build(buf, sizeof(buf), ttls, 16, &w);
	CHECK_EQ_INT(w, 7);
	CHECK_EQ_INT(msg_parse(buf, len, &m, &a), WIRE_OK);
	CHECK_EQ_INT(m.id, 0x4242);
	CHECK_EQ_INT(m.qtype, RR_TYPE_A);
	CHECK(memcmp(m.qname, qn, dname_len(qn)) == 0);
	CHECK_EQ_INT(m.count[0], 3);
	CHECK_EQ_INT(m.count[1], 2);
	CHECK_EQ_INT(m.count[2], 1);
	CHECK(dname_equal(m.rr[0][0].owner, qn));
	CHECK_EQ_INT(m.rr[0][0].rdlen, dname_len(ns1));
	CHECK(memcmp(m.rr[0][0].rdata, ns1, dname_len(ns1)) == 0);
	CHECK_EQ_INT(m.rr[0][2].rdlen, mxlen);
	CHECK(memcmp(m.rr[0][2].rdata, mx, mxlen) == 0);
	CHECK_EQ_INT(m.rr[1][1].rdlen, soalen);
	CHECK(memcmp(m.rr[1][1].rdata, soa, soalen) == 0);
	/* Case of names is kept even when compressed against other case. */
	CHECK(memcmp(m.rr[1][0].rdata, ns2, 4) == 0);
	CHECK(dname_equal(m.rr[2][0].owner, ns2));

	/* TTL offsets point at each TTL, in order. */
	for (i = 0; i < 6; i++)
		CHECK_EQ_INT(rd32(buf + ttls[i]), 300 + i);

	/* Compression: sum of uncompressed sizes would be far larger. */
	raw = 12 + dname_len(qn) + 4 +
	    (dname_len(qn) + 10 + dname_len(ns1)) + (dname_len(ns1) + 14) +
	    (dname_len(qn) + 10 + mxlen) + (dname_len(zone) + 10 + dname_len(ns2)) +
	    (dname_len(zone) + 10 + soalen) + (dname_len(ns2) + 14);
	CHECK(len < raw - 80);
	arena_free_all(&a);
}

static void
test_all_or_nothing(void)
{
	uint8_t full[1024], buf[1024];
	uint16_t ttls[16];
	struct dns_msg m;
	struct arena a;
	size_t flen, cap, len;
	int w;

	names();
	flen = build(full, sizeof(full), NULL, 0, &w);
	arena_init(&a, 4096);
	/* Every buffer size gives a valid message holding whole records. */
	for (cap = 0; cap <= flen; cap++) {
		memset(buf, 0xee, sizeof(buf));
		len = build(buf, cap, NULL, 0, &w);
		CHECK(len <= cap);
		CHECK(buf[cap] == 0xee);
		if (cap < 12) {
			CHECK_EQ_INT(len, 0);
			continue;
		}
		CHECK_EQ_INT(msg_parse(buf, len, &m, &a), WIRE_OK);
		CHECK_EQ_INT(m.count[0] + m.count[1] + m.count[2] + m.qdcount, w);
		/* what was written is a prefix of the full message */
		if (w < 7)
			CHECK(memcmp(buf + 12, full + 12, len - 12) == 0);
	}
	/* Too few TTL slots fails like a full buffer. */
	len = build(buf, sizeof(buf), ttls, 3, &w);
	CHECK_EQ_INT(w, 4);
	CHECK_EQ_INT(msg_parse(buf, len, &m, &a), WIRE_OK);
	CHECK_EQ_INT(m.count[0], 3);
	arena_free_all(&a);
}

static void
test_opt_ede(void)
{
	uint8_t buf[512];
	struct msg_builder b;
	struct dns_msg m;
	struct arena a;
	size_t len;

	names();
	arena_init(&a, 1024);
	mb_init(&b, buf, sizeof(buf));
	CHECK_EQ_INT(mb_header(&b, 7, FLAG_QR, RCODE_BADVERS), 0);
	CHECK_EQ_INT(mb_question(&b, qn, RR_TYPE_A, RR_CLASS_IN), 0);
	CHECK_EQ_INT(mb_opt(&b, 1232, RCODE_BADVERS, EDNS_DO, EDE_DNSSEC_BOGUS, "bad sig"), 0);
	len = mb_finish(&b);
	CHECK_EQ_INT(msg_parse(buf, len, &m, &a), WIRE_OK);
	CHECK(m.edns.present);
	CHECK_EQ_INT(m.rcode, RCODE_BADVERS);
	CHECK_EQ_INT(m.flags & 0xf, 0);
	CHECK_EQ_INT(m.edns.udp_size, 1232);
	CHECK_EQ_INT(m.edns.flags, EDNS_DO);
	CHECK_EQ_INT(m.edns.ede, EDE_DNSSEC_BOGUS);
	CHECK_EQ_INT(m.edns.opts_len, 4 + 2 + 7);
	CHECK(memcmp(m.edns.opts + 6, "bad sig", 7) == 0);
	CHECK_EQ_INT(m.count[2], 0);

	/* No EDE: empty rdata. NULL text allowed. */
	mb_init(&b, buf, sizeof(buf));
	mb_header(&b, 7, FLAG_QR, RCODE_SERVFAIL);
	mb_question(&b, qn, RR_TYPE_A, RR_CLASS_IN);
	CHECK_EQ_INT(mb_opt(&b, 512, RCODE_SERVFAIL, 0, EDE_NONE, NULL), 0);
	len = mb_finish(&b);
	CHECK_EQ_INT(msg_parse(buf, len, &m, &a), WIRE_OK);
	CHECK_EQ_INT(m.edns.opts_len, 0);
	CHECK_EQ_INT(m.edns.ede, EDE_NONE);
	CHECK_EQ_INT(m.rcode, RCODE_SERVFAIL);
	mb_init(&b, buf, sizeof(buf));
	mb_header(&b, 7, FLAG_QR, RCODE_SERVFAIL);
	CHECK_EQ_INT(mb_opt(&b, 512, RCODE_SERVFAIL, 0, EDE_STALE_ANSWER, NULL), 0);
	len = mb_finish(&b);
	CHECK_EQ_INT(msg_parse_query(buf, len, &m), WIRE_OK);
	CHECK_EQ_INT(m.edns.ede, EDE_STALE_ANSWER);

	/* OPT that does not fit leaves the message alone. */
	mb_init(&b, buf, 12 + 17 + 10);
	mb_header(&b, 7, FLAG_QR, 0);
	mb_question(&b, qn, RR_TYPE_A, RR_CLASS_IN);
	len = b.len;
	CHECK_EQ_INT(mb_opt(&b, 512, 0, 0, EDE_OTHER, "long text here"), -1);
	CHECK(b.full);
	CHECK_EQ_INT(b.len, len);
	arena_free_all(&a);
}

static void
test_rrset_write_and_group(void)
{
	uint8_t buf[2048], sig[64], owner[DNAME_MAX], other[DNAME_MAX];
	struct rdata rd[3];
	struct rrset rs, *sets, *s, *c;
	struct msg_builder b;
	struct dns_msg m;
	struct arena a;
	size_t len;
	int n, siglen;
	static const uint8_t a1[4] = { 1, 1, 1, 1 }, a2[4] = { 2, 2, 2, 2 };

	names();
	arena_init(&a, 4096);
	dname_from_str("host.example.com", owner);
	dname_from_str("HOST.example.com", other);
	memset(sig, 0, 18);
	wr16(sig, RR_TYPE_A);
	siglen = 18 + dname_from_str("Example.com", sig + 18);
	memset(sig + siglen, 0xab, 8);
	siglen += 8;

	rd[0].data = a1; rd[0].len = 4;
	rd[1].data = a2; rd[1].len = 4;
	rd[2].data = sig; rd[2].len = (uint16_t)siglen;
	memset(&rs, 0, sizeof(rs));
	rs.owner = owner;
	rs.type = RR_TYPE_A;
	rs.rclass = RR_CLASS_IN;
	rs.ttl = 600;
	rs.count = 2;
	rs.sigcount = 1;
	rs.rdata = rd;

	mb_init(&b, buf, sizeof(buf));
	mb_header(&b, 1, FLAG_QR, 0);
	mb_question(&b, owner, RR_TYPE_A, RR_CLASS_IN);
	CHECK_EQ_INT(mb_rrset(&b, SEC_ANSWER, &rs, true), 0);
	/* a duplicate record and an orphan signature, and a lower TTL */
	CHECK_EQ_INT(mb_rr(&b, SEC_ANSWER, other, RR_TYPE_A, RR_CLASS_IN, 60, a2, 4), 0);
	wr16(sig, RR_TYPE_AAAA);
	CHECK_EQ_INT(mb_rr(&b, SEC_ANSWER, owner, RR_TYPE_RRSIG, RR_CLASS_IN, 60, sig, (uint16_t)siglen), 0);
	CHECK_EQ_INT(mb_rr(&b, SEC_ANSWER, zone, RR_TYPE_NS, RR_CLASS_IN, 60, ns1, (uint16_t)dname_len(ns1)), 0);
	/* Sections are written in order. */
	CHECK_EQ_INT(mb_rr(&b, SEC_AUTHORITY, zone, RR_TYPE_NS, RR_CLASS_IN, 60, ns1, (uint16_t)dname_len(ns1)), 0);
	CHECK_EQ_INT(mb_rr(&b, SEC_ANSWER, zone, RR_TYPE_NS, RR_CLASS_IN, 60, ns1, (uint16_t)dname_len(ns1)), -1);
	CHECK(!b.full);
	len = mb_finish(&b);
	CHECK_EQ_INT(msg_parse(buf, len, &m, &a), WIRE_OK);
	CHECK_EQ_INT(m.count[0], 6);
	/* the RRSIG signer was not compressed (parse rejects that) */

	n = rrsets_from_section(&m, SEC_ANSWER, &a, &sets);
	CHECK_EQ_INT(n, 3);
	s = rrset_find(sets, n, other, RR_TYPE_A);
	CHECK(s != NULL);
	if (s) {
		CHECK_EQ_INT(s->count, 2);
		CHECK_EQ_INT(s->sigcount, 1);
		CHECK_EQ_INT(s->ttl, 60);
		CHECK_EQ_INT(rd16(s->rdata[2].data), RR_TYPE_A);
		CHECK(rrset_equal_data(s, &rs));
		c = rrset_copy(s, &a);
		CHECK(c != NULL && c->owner != s->owner && rrset_equal_data(c, s));
		if (c)
			CHECK_EQ_INT(c->sigcount, 1);
	}
	s = rrset_find(sets, n, owner, RR_TYPE_RRSIG);
	CHECK(s != NULL);
	if (s) {
		CHECK_EQ_INT(s->count, 1);
		CHECK_EQ_INT(s->sigcount, 0);
		CHECK_EQ_INT(rd16(s->rdata[0].data), RR_TYPE_AAAA);
	}
	CHECK(rrset_find(sets, n, zone, RR_TYPE_NS) != NULL);
	CHECK(rrset_find(sets, n, zone, RR_TYPE_A) == NULL);
	n = rrsets_from_section(&m, SEC_ADDITIONAL, &a, &sets);
	CHECK_EQ_INT(n, 0);

	/* mb_rrset is all or nothing. */
	mb_init(&b, buf, 12 + 22 + 16 + 10);   /* room for one record of two */
	mb_header(&b, 1, FLAG_QR, 0);
	mb_question(&b, owner, RR_TYPE_A, RR_CLASS_IN);
	len = b.len;
	CHECK_EQ_INT(mb_rrset(&b, SEC_ANSWER, &rs, false), -1);
	CHECK_EQ_INT(b.len, len);
	CHECK_EQ_INT(b.count[1], 0);
	arena_free_all(&a);
}

static void
test_large_set_dedup(void)
{
	uint8_t buf[16384];
	struct msg_builder b;
	struct dns_msg m;
	struct arena a;
	struct rrset *sets;
	uint8_t rd[4];
	int i, n;

	names();
	arena_init(&a, 4096);
	mb_init(&b, buf, sizeof(buf));
	mb_header(&b, 1, FLAG_QR, 0);
	mb_question(&b, qn, RR_TYPE_A, RR_CLASS_IN);
	for (i = 0; i < 500; i++) {
		wr32(rd, (uint32_t)(i % 100));
		CHECK_EQ_INT(mb_rr(&b, SEC_ANSWER, qn, RR_TYPE_A, RR_CLASS_IN, 1000 - (uint32_t)i, rd, 4), 0);
	}
	CHECK_EQ_INT(msg_parse(buf, mb_finish(&b), &m, &a), WIRE_OK);
	n = rrsets_from_section(&m, SEC_ANSWER, &a, &sets);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(sets[0].count, 100);
	CHECK_EQ_INT(sets[0].ttl, 501);
	arena_free_all(&a);
}

static void
test_compress_rdata_only_rfc1035(void)
{
	uint8_t buf[512], srv[6 + DNAME_MAX];
	struct msg_builder b;
	size_t len, before;
	int sl;

	names();
	memset(srv, 0, 6);
	sl = 6 + dname_from_str("ns1.example.com", srv + 6);
	mb_init(&b, buf, sizeof(buf));
	mb_header(&b, 1, FLAG_QR, 0);
	mb_question(&b, ns1, RR_TYPE_SRV, RR_CLASS_IN);
	before = b.len;
	mb_rr(&b, SEC_ANSWER, ns1, RR_TYPE_SRV, RR_CLASS_IN, 5, srv, (uint16_t)sl);
	len = mb_finish(&b);
	/* owner compressed (2), rdata copied as is */
	CHECK_EQ_INT(len - before, 2 + 10 + (size_t)sl);
	CHECK(memcmp(buf + len - (size_t)sl, srv, (size_t)sl) == 0);
	mb_rr(&b, SEC_ANSWER, ns1, RR_TYPE_CNAME, RR_CLASS_IN, 5, ns1, (uint16_t)dname_len(ns1));
	CHECK_EQ_INT(mb_finish(&b) - len, 2 + 10 + 2);
}

int
main(void)
{
	RUN(test_round_trip);
	RUN(test_all_or_nothing);
	RUN(test_opt_ede);
	RUN(test_rrset_write_and_group);
	RUN(test_large_set_dedup);
	RUN(test_compress_rdata_only_rfc1035);
	return unit_summary();
}
