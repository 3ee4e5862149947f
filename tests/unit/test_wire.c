/*
 * test_wire.c -- message parsing, hostile packets, and a mutation loop.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/wire.h"
#include "unit.h"

/* A packet assembled by hand. */
struct pk {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct pk *p, unsigned v) { p->b[p->n++] = (uint8_t)v; }
static void put16(struct pk *p, unsigned v) { wr16(p->b + p->n, (uint16_t)v); p->n += 2; }
static void put32(struct pk *p, uint32_t v) { wr32(p->b + p->n, v); p->n += 4; }
static void putbytes(struct pk *p, const void *d, size_t n) { if (n) memcpy(p->b + p->n, d, n); p->n += n; }

static void
putname(struct pk *p, const char *s)
{
	uint8_t n[DNAME_MAX];
	int l = dname_from_str(s, n);

	putbytes(p, n, (size_t)l);
}

static void
putptr(struct pk *p, unsigned off)
{
	put16(p, 0xc000 | off);
}

static void
header(struct pk *p, unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
	p->n = 0;
	put16(p, id);
	put16(p, flags);
	put16(p, qd);
	put16(p, an);
	put16(p, ns);
	put16(p, ar);
}

/* Type, class, TTL; returns the offset of rdlength for rdend(). */
static size_t
rrhead(struct pk *p, unsigned type, unsigned cls, uint32_t ttl)
{
	size_t at;

	put16(p, type);
	put16(p, cls);
	put32(p, ttl);
	at = p->n;
	put16(p, 0);
	return at;
}

static void
rdend(struct pk *p, size_t at)
{
	wr16(p->b + at, (uint16_t)(p->n - at - 2));
}

static void
opt(struct pk *p, unsigned size, uint32_t ttl, const uint8_t *opts, size_t olen)
{
	put8(p, 0);
	put16(p, RR_TYPE_OPT);
	put16(p, size);
	put32(p, ttl);
	put16(p, (unsigned)olen);
	if (olen)
		putbytes(p, opts, olen);
}

static void
query(struct pk *p, const char *name, unsigned type, unsigned ar)
{
	header(p, 0x1234, FLAG_RD, 1, 0, 0, ar);
	putname(p, name);
	put16(p, type);
	put16(p, RR_CLASS_IN);
}

static void
test_query_fast(void)
{
	struct pk p;
	struct dns_msg m;
	uint8_t want[DNAME_MAX];
	static const uint8_t ede[] = { 0, 15, 0, 4, 0, 6, 'h', 'i', 0, 10, 0, 2, 1, 2 };

	query(&p, "WwW.Example.com", RR_TYPE_AAAA, 0);
	CHECK_EQ_INT(msg_parse_query(p.b, p.n, &m), WIRE_OK);
	CHECK_EQ_INT(m.id, 0x1234);
	CHECK_EQ_INT(m.qdcount, 1);
	CHECK_EQ_INT(m.qtype, RR_TYPE_AAAA);
	CHECK_EQ_INT(m.qclass, RR_CLASS_IN);
	dname_from_str("WwW.Example.com", want);
	CHECK_EQ_INT(m.qname_len, 17);
	CHECK(memcmp(m.qname, want, 17) == 0);
	CHECK(!m.edns.present);
	CHECK_EQ_INT(m.edns.ede, EDE_NONE);
	CHECK_EQ_INT(msg_question_end(p.b, p.n), p.n);

	query(&p, "example.com", RR_TYPE_A, 1);
	opt(&p, 4096, 0x01008000, ede, sizeof(ede));
	CHECK_EQ_INT(msg_parse_query(p.b, p.n, &m), WIRE_OK);
	CHECK(m.edns.present);
	CHECK_EQ_INT(m.edns.udp_size, 4096);
	CHECK_EQ_INT(m.edns.flags, EDNS_DO);
	CHECK_EQ_INT(m.edns.version, 0);
	CHECK_EQ_INT(m.edns.ext_rcode, 1);
	CHECK_EQ_INT(m.rcode, 16);
	CHECK_EQ_INT(m.edns.ede, 6);
	CHECK_EQ_INT(m.edns.opts_len, sizeof(ede));
	CHECK(m.edns.opts && memcmp(m.edns.opts, ede, sizeof(ede)) == 0);

	/* Version 1 is reported, not rejected: the caller answers BADVERS. */
	query(&p, "example.com", RR_TYPE_A, 1);
	opt(&p, 512, 0x00010000, NULL, 0);
	CHECK_EQ_INT(msg_parse_query(p.b, p.n, &m), WIRE_OK);
	CHECK_EQ_INT(m.edns.version, 1);

	/* Options running past the OPT rdata. */
	query(&p, "example.com", RR_TYPE_A, 1);
	opt(&p, 512, 0, ede, 5);
	CHECK_EQ_INT(msg_parse_query(p.b, p.n, &m), WIRE_MALFORMED);

	/* rdlength past the end */
	query(&p, "example.com", RR_TYPE_A, 1);
	opt(&p, 512, 0, ede, 4);
	CHECK_EQ_INT(msg_parse_query(p.b, p.n - 1, &m), WIRE_MALFORMED);

	/* Two questions: reported, qname empty. */
	header(&p, 1, 0, 2, 0, 0, 0);
	putname(&p, "a");
	put16(&p, 1);
	put16(&p, 1);
	putname(&p, "b");
	put16(&p, 1);
	put16(&p, 1);
	CHECK_EQ_INT(msg_parse_query(p.b, p.n, &m), WIRE_OK);
	CHECK_EQ_INT(m.qdcount, 2);
	CHECK_EQ_INT(m.qname_len, 0);

	header(&p, 1, 0, 0, 0, 0, 0);
	CHECK_EQ_INT(msg_parse_query(p.b, p.n, &m), WIRE_OK);
	CHECK_EQ_INT(m.qdcount, 0);
	CHECK_EQ_INT(msg_question_end(p.b, p.n), 0);

	CHECK_EQ_INT(msg_parse_query(p.b, 11, &m), WIRE_SHORT);
	CHECK_EQ_INT(msg_parse_query(p.b, 0, &m), WIRE_SHORT);
	query(&p, "example.com", RR_TYPE_A, 0);
	CHECK_EQ_INT(msg_parse_query(p.b, p.n - 1, &m), WIRE_MALFORMED);
	CHECK_EQ_INT(msg_question_end(p.b, p.n - 1), 0);
}

static void
test_query_slow_path(void)
{
	struct pk p;
	struct dns_msg m;
	size_t at;

	/* An answer record before the OPT (e.g. a NOTIFY, or an odd
	 * client): the OPT is still found. */
	header(&p, 1, 0, 1, 1, 0, 2);
	putname(&p, "example.com");
	put16(&p, 1);
	put16(&p, 1);
	putptr(&p, 12);
	at = rrhead(&p, RR_TYPE_A, 1, 60);
	put32(&p, 0x01020304);
	rdend(&p, at);
	putname(&p, "x.example.com");
	at = rrhead(&p, RR_TYPE_TXT, 1, 60);
	put8(&p, 1);
	put8(&p, 'x');
	rdend(&p, at);
	opt(&p, 1232, 0x8000, NULL, 0);
	CHECK_EQ_INT(msg_parse_query(p.b, p.n, &m), WIRE_OK);
	CHECK(m.edns.present);
	CHECK_EQ_INT(m.edns.udp_size, 1232);
	CHECK_EQ_INT(m.edns.flags, EDNS_DO);

	/* OPT in the answer section */
	header(&p, 1, 0, 1, 1, 0, 0);
	putname(&p, "example.com");
	put16(&p, 1);
	put16(&p, 1);
	opt(&p, 512, 0, NULL, 0);
	CHECK_EQ_INT(msg_parse_query(p.b, p.n, &m), WIRE_MALFORMED);

	/* Two OPT records */
	query(&p, "example.com", RR_TYPE_A, 2);
	opt(&p, 512, 0, NULL, 0);
	opt(&p, 512, 0, NULL, 0);
	CHECK_EQ_INT(msg_parse_query(p.b, p.n, &m), WIRE_MALFORMED);

	/* OPT whose owner is not the root */
	query(&p, "example.com", RR_TYPE_A, 1);
	putname(&p, "a");
	p.n--;
	opt(&p, 512, 0, NULL, 0);
	CHECK_EQ_INT(msg_parse_query(p.b, p.n, &m), WIRE_MALFORMED);

	/* Counts larger than the packet */
	query(&p, "example.com", RR_TYPE_A, 0);
	wr16(p.b + 6, 65535);
	CHECK_EQ_INT(msg_parse_query(p.b, p.n, &m), WIRE_MALFORMED);
	wr16(p.b + 4, 65535);
	CHECK_EQ_INT(msg_parse_query(p.b, p.n, &m), WIRE_MALFORMED);
}

/* A typical response with compression everywhere. */
static void
build_response(struct pk *p)
{
	size_t at, ns1;

	header(p, 0xbeef, FLAG_QR | FLAG_AA | FLAG_RD | 3, 1, 3, 2, 2);
	putname(p, "www.example.com");          /* 12 */
	put16(p, RR_TYPE_A);
	put16(p, RR_CLASS_IN);
	putptr(p, 12);
	at = rrhead(p, RR_TYPE_CNAME, 1, 300);
	put8(p, 3);
	putbytes(p, "WEB", 3);
	putptr(p, 16);                          /* web.example.com */
	rdend(p, at);
	putptr(p, 12);
	at = rrhead(p, RR_TYPE_MX, 1, 100);
	put16(p, 10);
	put8(p, 4);
	putbytes(p, "mail", 4);
	putptr(p, 16);
	rdend(p, at);
	putptr(p, 12);
	at = rrhead(p, RR_TYPE_SRV, 1, 0x80000001);  /* top bit: TTL 0 */
	put16(p, 1);
	put16(p, 2);
	put16(p, 53);
	putptr(p, 16);                          /* compressed SRV: tolerated */
	rdend(p, at);
	putptr(p, 16);
	at = rrhead(p, RR_TYPE_SOA, 1, 3600);
	put8(p, 2);
	putbytes(p, "ns", 2);
	putptr(p, 16);
	put8(p, 5);
	putbytes(p, "admin", 5);
	putptr(p, 16);
	put32(p, 1);
	put32(p, 2);
	put32(p, 3);
	put32(p, 4);
	put32(p, 5);
	rdend(p, at);
	putptr(p, 16);
	at = rrhead(p, RR_TYPE_NS, 1, 3600);
	ns1 = p->n;
	put8(p, 3);
	putbytes(p, "ns1", 3);
	putptr(p, 16);
	rdend(p, at);
	putptr(p, (unsigned)ns1);
	at = rrhead(p, RR_TYPE_A, 1, 3600);
	put32(p, 0xc0000201);
	rdend(p, at);
	opt(p, 1232, 0x00008000, NULL, 0);
}

static void
test_response(void)
{
	struct pk p;
	struct dns_msg m;
	struct arena a;
	uint8_t n[DNAME_MAX];
	const struct dns_rr *rr;

	arena_init(&a, 4096);
	build_response(&p);
	CHECK_EQ_INT(msg_parse(p.b, p.n, &m, &a), WIRE_OK);
	CHECK_EQ_INT(m.id, 0xbeef);
	CHECK_EQ_INT(m.rcode, 3);
	CHECK(m.flags & FLAG_AA);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 3);
	CHECK_EQ_INT(m.count[SEC_AUTHORITY], 2);
	CHECK_EQ_INT(m.count[SEC_ADDITIONAL], 1);   /* OPT is not a record */
	CHECK(m.edns.present);
	CHECK_EQ_INT(m.edns.flags, EDNS_DO);

	rr = &m.rr[SEC_ANSWER][0];
	dname_from_str("www.example.com", n);
	CHECK(dname_equal(rr->owner, n));
	CHECK_EQ_INT(rr->type, RR_TYPE_CNAME);
	CHECK_EQ_INT(rr->ttl, 300);
	dname_from_str("WEB.example.com", n);
	CHECK_EQ_INT(rr->rdlen, 17);
	CHECK(memcmp(rr->rdata, n, 17) == 0);

	rr = &m.rr[SEC_ANSWER][1];
	CHECK_EQ_INT(rr->rdlen, 2 + 18);
	CHECK_EQ_INT(rd16(rr->rdata), 10);
	dname_from_str("mail.example.com", n);
	CHECK(memcmp(rr->rdata + 2, n, 18) == 0);

	rr = &m.rr[SEC_ANSWER][2];
	CHECK_EQ_INT(rr->type, RR_TYPE_SRV);
	CHECK_EQ_INT(rr->ttl, 0);
	CHECK_EQ_INT(rr->rdlen, 6 + 13);

	rr = &m.rr[SEC_AUTHORITY][0];
	CHECK_EQ_INT(rr->type, RR_TYPE_SOA);
	CHECK_EQ_INT(rr->rdlen, 16 + 19 + 20);
	dname_from_str("ns.example.com", n);
	CHECK(memcmp(rr->rdata, n, 16) == 0);
	dname_from_str("admin.example.com", n);
	CHECK(memcmp(rr->rdata + 16, n, 19) == 0);
	CHECK_EQ_INT(rd32(rr->rdata + 35 + 16), 5);

	rr = &m.rr[SEC_ADDITIONAL][0];
	dname_from_str("ns1.example.com", n);
	CHECK(dname_equal(rr->owner, n));
	CHECK_EQ_INT(rr->rdlen, 4);
	CHECK_EQ_INT(rd32(rr->rdata), 0xc0000201);

	/* The query path accepts a full response too. */
	CHECK_EQ_INT(msg_parse_query(p.b, p.n, &m), WIRE_OK);
	CHECK(m.edns.present);
	arena_free_all(&a);
}

/* Each case is a response with one answer record whose RDATA the
 * callback writes; all must be rejected. */
static void
one_answer(struct pk *p, unsigned type, const uint8_t *rd, size_t rdlen)
{
	size_t at;

	header(p, 1, FLAG_QR, 1, 1, 0, 0);
	putname(p, "example.com");
	put16(p, 1);
	put16(p, 1);
	putptr(p, 12);
	at = rrhead(p, type, 1, 60);
	putbytes(p, rd, rdlen);
	rdend(p, at);
}

static int
parse_status(const struct pk *p)
{
	struct dns_msg m;
	struct arena a;
	enum wire_status st;

	arena_init(&a, 1024);
	st = msg_parse(p->b, p->n, &m, &a);
	arena_free_all(&a);
	return st;
}

static void
test_hostile(void)
{
	struct pk p;
	size_t at;
	uint8_t rd[600];
	static const uint8_t loop_ptr[] = { 0xc0, 0x00 };

	/* Sanity: the helper makes a good packet. */
	one_answer(&p, RR_TYPE_NS, (const uint8_t *)"\1a\0", 3);
	CHECK_EQ_INT(parse_status(&p), WIRE_OK);

	/* Pointer forward, pointer to itself, pointer past the end. */
	one_answer(&p, RR_TYPE_NS, (const uint8_t *)"\xc0\x30", 2);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	header(&p, 1, FLAG_QR, 1, 0, 0, 0);
	put16(&p, 0xc00c);
	put16(&p, 1);
	put16(&p, 1);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	one_answer(&p, RR_TYPE_NS, (const uint8_t *)"\xff\xff", 2);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	/* Pointer into the header: offset 0 holds 0x00 (ID 1), a valid
	 * root label; offset 2 holds the flags, 0x80: a bad label type. */
	one_answer(&p, RR_TYPE_NS, loop_ptr, 2);
	CHECK_EQ_INT(parse_status(&p), WIRE_OK);
	one_answer(&p, RR_TYPE_NS, (const uint8_t *)"\xc0\x02", 2);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);

	/* Compression loop through two pointers: 29 -> 31 -> 29. */
	header(&p, 1, FLAG_QR, 1, 1, 0, 0);
	putname(&p, "example.com");
	put16(&p, 1);
	put16(&p, 1);
	putptr(&p, 31);
	putptr(&p, 29);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);

	/* Label > 63 (types 0x40 and 0x80). */
	one_answer(&p, RR_TYPE_NS, (const uint8_t *)"\x41" "a\0", 3);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	one_answer(&p, RR_TYPE_CNAME, (const uint8_t *)"\x81" "a\0", 3);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);

	/* Name > 255 bytes in RDATA. */
	memset(rd, 0, sizeof(rd));
	for (at = 0; at < 5; at++) {
		rd[at * 64] = 63;
		memset(rd + at * 64 + 1, 'x', 63);
	}
	one_answer(&p, RR_TYPE_NS, rd, 5 * 64 + 1);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);

	/* Truncated RDATA: name does not end inside rdlength. */
	one_answer(&p, RR_TYPE_NS, (const uint8_t *)"\3abc", 4);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	/* trailing junk after the name inside RDATA */
	one_answer(&p, RR_TYPE_NS, (const uint8_t *)"\1a\0\0", 4);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	/* MX too short for its preference */
	one_answer(&p, RR_TYPE_MX, (const uint8_t *)"\0", 1);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	/* SOA missing its numbers */
	one_answer(&p, RR_TYPE_SOA, (const uint8_t *)"\0\0\0\0\0\0", 6);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	/* empty NS */
	one_answer(&p, RR_TYPE_NS, NULL, 0);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	/* A with 5 bytes, AAAA with 4 */
	one_answer(&p, RR_TYPE_A, (const uint8_t *)"\1\2\3\4\5", 5);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	one_answer(&p, RR_TYPE_AAAA, (const uint8_t *)"\1\2\3\4", 4);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	/* NAPTR string running past rdata */
	one_answer(&p, RR_TYPE_NAPTR, (const uint8_t *)"\0\1\0\2\5ab", 7);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);

	/* rdlength running past the packet */
	one_answer(&p, RR_TYPE_TXT, (const uint8_t *)"\2hi", 3);
	wr16(p.b + p.n - 5, 4);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	/* record cut inside its fixed part */
	one_answer(&p, RR_TYPE_TXT, (const uint8_t *)"\2hi", 3);
	CHECK_EQ_INT(parse_status(&p), WIRE_OK);
	p.n -= 8;
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);

	/* Counts larger than the packet. */
	one_answer(&p, RR_TYPE_TXT, (const uint8_t *)"\2hi", 3);
	wr16(p.b + 6, 2);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	wr16(p.b + 6, 65535);
	wr16(p.b + 8, 65535);
	wr16(p.b + 10, 65535);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);

	/* Short header */
	CHECK_EQ_INT(parse_status(&(struct pk){ .n = 11 }), WIRE_SHORT);

	/* RRSIG signer compressed: not allowed. */
	memset(rd, 0, 18);
	wr16(rd, RR_TYPE_A);
	rd[18] = 0xc0;
	rd[19] = 12;
	memcpy(rd + 20, "sig", 3);
	one_answer(&p, RR_TYPE_RRSIG, rd, 23);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	rd[18] = 0;                 /* signer "." is fine */
	one_answer(&p, RR_TYPE_RRSIG, rd, 22);
	CHECK_EQ_INT(parse_status(&p), WIRE_OK);
	/* RRSIG shorter than its fixed part */
	one_answer(&p, RR_TYPE_RRSIG, rd, 10);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	/* NSEC next name compressed */
	one_answer(&p, RR_TYPE_NSEC, (const uint8_t *)"\xc0\x0c\0\1\x40", 5);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	one_answer(&p, RR_TYPE_NSEC, (const uint8_t *)"\1a\0\0\1\x40", 6);
	CHECK_EQ_INT(parse_status(&p), WIRE_OK);

	/* OPT in answer / authority, twice in additional, owner not root. */
	header(&p, 1, FLAG_QR, 1, 0, 1, 0);
	putname(&p, "example.com");
	put16(&p, 1);
	put16(&p, 1);
	opt(&p, 512, 0, NULL, 0);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	header(&p, 1, FLAG_QR, 1, 0, 0, 2);
	putname(&p, "example.com");
	put16(&p, 1);
	put16(&p, 1);
	opt(&p, 512, 0, NULL, 0);
	opt(&p, 512, 0, NULL, 0);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	header(&p, 1, FLAG_QR, 1, 0, 0, 1);
	putname(&p, "example.com");
	put16(&p, 1);
	put16(&p, 1);
	putptr(&p, 12);
	rrhead(&p, RR_TYPE_OPT, 512, 0);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
	/* Truncated option header */
	header(&p, 1, FLAG_QR, 1, 0, 0, 1);
	putname(&p, "example.com");
	put16(&p, 1);
	put16(&p, 1);
	opt(&p, 512, 0, (const uint8_t *)"\0\17\0", 3);
	CHECK_EQ_INT(parse_status(&p), WIRE_MALFORMED);
}

static void
test_unknown_type_copied(void)
{
	struct pk p;
	struct dns_msg m;
	struct arena a;
	static const uint8_t rd[] = { 0xc0, 0x0c, 1, 2, 3 };

	arena_init(&a, 1024);
	one_answer(&p, 65280, rd, sizeof(rd));
	CHECK_EQ_INT(msg_parse(p.b, p.n, &m, &a), WIRE_OK);
	CHECK_EQ_INT(m.rr[0][0].rdlen, sizeof(rd));
	CHECK(memcmp(m.rr[0][0].rdata, rd, sizeof(rd)) == 0);
	one_answer(&p, RR_TYPE_TXT, NULL, 0);
	CHECK_EQ_INT(msg_parse(p.b, p.n, &m, &a), WIRE_OK);
	CHECK_EQ_INT(m.rr[0][0].rdlen, 0);
	CHECK(m.rr[0][0].rdata != NULL);
	arena_free_all(&a);
}

static void
test_canonical_rdata(void)
{
	uint8_t a[64], b[64];
	int la, lb;

	la = dname_from_str("NS1.Example.com", a);
	lb = dname_from_str("ns1.example.COM", b);
	CHECK_EQ_INT(rdata_canonical_cmp(RR_TYPE_NS, a, (uint16_t)la, b, (uint16_t)lb), 0);
	/* RFC 6840 5.1: NSEC names keep their case. */
	CHECK(rdata_canonical_cmp(RR_TYPE_NSEC, a, (uint16_t)la, b, (uint16_t)lb) != 0);
	/* Opaque types compare bytewise. */
	CHECK(rdata_canonical_cmp(RR_TYPE_TXT, a, (uint16_t)la, b, (uint16_t)lb) < 0);
	/* Shorter prefix sorts first. */
	CHECK(rdata_canonical_cmp(RR_TYPE_TXT, a, 3, a, 4) < 0);
	CHECK(rdata_canonical_cmp(RR_TYPE_TXT, a, 0, a, 0) == 0);
	/* MX: name after the preference. */
	a[0] = 0; a[1] = 10;
	b[0] = 0; b[1] = 10;
	la = dname_from_str("MAIL.x", a + 2) + 2;
	lb = dname_from_str("mail.X", b + 2) + 2;
	CHECK_EQ_INT(rdata_canonical_cmp(RR_TYPE_MX, a, (uint16_t)la, b, (uint16_t)lb), 0);
	b[1] = 9;
	CHECK(rdata_canonical_cmp(RR_TYPE_MX, a, (uint16_t)la, b, (uint16_t)lb) > 0);
}

static void
test_misc(void)
{
	char buf[16];

	CHECK(rr_type_rdata_compressible(RR_TYPE_NS));
	CHECK(rr_type_rdata_compressible(RR_TYPE_SOA));
	CHECK(rr_type_rdata_compressible(RR_TYPE_MX));
	CHECK(!rr_type_rdata_compressible(RR_TYPE_SRV));
	CHECK(!rr_type_rdata_compressible(RR_TYPE_RRSIG));
	CHECK(!rr_type_rdata_compressible(RR_TYPE_NSEC));
	CHECK(!rr_type_rdata_compressible(RR_TYPE_DNAME));
	CHECK_STR(rr_type_str(RR_TYPE_AAAA, buf), "AAAA");
	CHECK_STR(rr_type_str(65280, buf), "TYPE65280");
	CHECK_STR(rcode_str(RCODE_NXDOMAIN), "NXDOMAIN");
	CHECK_STR(rcode_str(RCODE_BADVERS), "BADVERS");
}

/* xorshift: deterministic, so a failure can be reproduced. */
static uint32_t fuzz_state = 2463534242u;

static uint32_t
fuzz_rand(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 17;
	fuzz_state ^= fuzz_state << 5;
	return fuzz_state;
}

static void
test_fuzz(void)
{
	struct pk seeds[3], p;
	struct dns_msg m;
	struct arena a;
	uint8_t *copy;
	int s, i, k, ok = 0, bad = 0;
	static const uint8_t ede[] = { 0, 15, 0, 3, 0, 6, 'x' };

	build_response(&seeds[0]);
	query(&seeds[1], "www.example.com", RR_TYPE_A, 1);
	opt(&seeds[1], 1232, 0x8000, ede, sizeof(ede));
	one_answer(&seeds[2], RR_TYPE_RRSIG, (const uint8_t *)"\0\2\10\2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\3sig\0\1\2\3", 27);

	arena_init(&a, 4096);
	for (i = 0; i < 200000; i++) {
		size_t len;

		s = i % 3;
		p = seeds[s];
		len = p.n;
		for (k = (int)(fuzz_rand() % 4); k >= 0; k--) {
			uint32_t r = fuzz_rand();
			switch (r % 4) {
			case 0:
				p.b[(r >> 8) % len] = (uint8_t)(r >> 24);
				break;
			case 1:
				p.b[(r >> 8) % len] ^= (uint8_t)(1u << ((r >> 24) % 8));
				break;
			case 2:
				len = (r >> 8) % (len + 1);
				if (len == 0)
					len = 1;
				break;
			default:
				/* plausible pointer anywhere */
				if (len >= 2) {
					size_t at = (r >> 8) % (len - 1);
					p.b[at] = (uint8_t)(0xc0 | ((r >> 24) & 1));
					p.b[at + 1] = (uint8_t)(r >> 16);
				}
				break;
			}
		}
		/* An exact-size heap copy lets ASan see any overread. */
		copy = malloc(len);
		memcpy(copy, p.b, len);
		if (msg_parse(copy, len, &m, &a) == WIRE_OK) {
			int sec;
			unsigned j;
			ok++;
			for (sec = 0; sec < 3; sec++)
				for (j = 0; j < m.count[sec]; j++)
					CHECK(dname_len(m.rr[sec][j].owner) <= DNAME_MAX);
		} else {
			bad++;
		}
		(void)msg_parse_query(copy, len, &m);
		(void)msg_question_end(copy, len);
		free(copy);
		if (i % 1000 == 999) {
			arena_free_all(&a);
			arena_init(&a, 4096);
		}
	}
	arena_free_all(&a);
	fprintf(stderr, "     fuzz: %d parsed, %d rejected\n", ok, bad);
	CHECK(ok > 0);
	CHECK(bad > 0);
}

int
main(void)
{
	RUN(test_query_fast);
	RUN(test_query_slow_path);
	RUN(test_response);
	RUN(test_hostile);
	RUN(test_unknown_type_copied);
	RUN(test_canonical_rdata);
	RUN(test_misc);
	RUN(test_fuzz);
	return unit_summary();
}
