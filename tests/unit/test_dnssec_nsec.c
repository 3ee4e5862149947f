/*
 * test_dnssec_nsec.c -- the denial-of-existence logic over authentic
 * records (no signatures involved): NSEC over a hand-made chain, NSEC3
 * over the RFC 5155 appendix A zone and its appendix B responses.
 */
#include "config.h"

#include <string.h>

#include "dnssec/dnssec.h"
#include "dnssec_util.h"
#include "unit.h"
#include "util/dname.h"

static struct arena A;
static struct val_result R;

/* ---- NSEC ----
 * The zone "example.":
 *   example          NS SOA              (apex)
 *   a.example        NS DS               (signed delegation)
 *   b.example        NS                  (unsigned delegation)
 *   cname.example    CNAME
 *   d.example        DNAME
 *   host.example     A
 *   *.w.example      MX                  (w.example: empty non-terminal)
 *   x.y.example      TXT                 (y.example: empty non-terminal)
 */
static const char *nsec_chain[] = {
	"example. 300 IN NSEC a.example. NS SOA RRSIG NSEC DNSKEY",
	"a.example. 300 IN NSEC b.example. NS DS RRSIG NSEC",
	"b.example. 300 IN NSEC cname.example. NS RRSIG NSEC",
	"cname.example. 300 IN NSEC d.example. CNAME RRSIG NSEC",
	"d.example. 300 IN NSEC host.example. DNAME RRSIG NSEC",
	"host.example. 300 IN NSEC *.w.example. A RRSIG NSEC",
	"*.w.example. 300 IN NSEC x.y.example. MX RRSIG NSEC",
	"x.y.example. 300 IN NSEC example. TXT RRSIG NSEC",
	NULL
};

static struct rrset *NS;
static int NN;
static const uint8_t *ZONE;

static enum sec_status
nsec(enum val_deny_kind kind, const char *qname, uint16_t qtype, int wc)
{
	return val_nsec_prove(kind, NS, NN, tname(&A, qname), qtype, wc, ZONE, &R);
}

/* Only the records with these owners. */
static enum sec_status
nsec_only(enum val_deny_kind kind, const char *qname, uint16_t qtype, const char *o1, const char *o2)
{
	struct rrset sub[2];
	int n = 0;
	struct rrset *s;

	if ((s = tfind(NS, NN, o1, RR_TYPE_NSEC)) != NULL)
		sub[n++] = *s;
	if (o2 != NULL && (s = tfind(NS, NN, o2, RR_TYPE_NSEC)) != NULL)
		sub[n++] = *s;
	return val_nsec_prove(kind, sub, n, tname(&A, qname), qtype, -1, ZONE, &R);
}

static void
nsec_setup(void)
{
	arena_init(&A, 65536);
	NN = tsets(&A, NULL, &NS, nsec_chain);
	ZONE = tname(&A, "example");
}

static void
test_bitmap(void)
{
	/* A, MX, RRSIG, NSEC; window 1 with type 257 (CAA) */
	const uint8_t bm[] = { 0, 6, 0x40, 0x01, 0, 0, 0, 0x03, 1, 1, 0x40 };
	const uint8_t bad[] = { 0, 0 };
	const uint8_t trunc[] = { 0, 5, 0x40 };

	CHECK(val_bitmap_has(bm, sizeof(bm), RR_TYPE_A));
	CHECK(val_bitmap_has(bm, sizeof(bm), RR_TYPE_MX));
	CHECK(val_bitmap_has(bm, sizeof(bm), RR_TYPE_RRSIG));
	CHECK(val_bitmap_has(bm, sizeof(bm), RR_TYPE_NSEC));
	CHECK(val_bitmap_has(bm, sizeof(bm), 257));
	CHECK(!val_bitmap_has(bm, sizeof(bm), RR_TYPE_NS));
	CHECK(!val_bitmap_has(bm, sizeof(bm), RR_TYPE_AAAA));
	CHECK(!val_bitmap_has(bm, sizeof(bm), 256));
	CHECK(!val_bitmap_has(bm, sizeof(bm), 1000));
	CHECK(!val_bitmap_has(bm, 0, RR_TYPE_A));
	CHECK(!val_bitmap_has(bad, sizeof(bad), 0));
	CHECK(!val_bitmap_has(trunc, sizeof(trunc), RR_TYPE_A));
}

static void
test_nsec_covers(void)
{
	arena_init(&A, 4096);
	CHECK(val_nsec_covers(tname(&A, "a.example"), tname(&A, "c.example"), tname(&A, "b.example")));
	CHECK(val_nsec_covers(tname(&A, "a.example"), tname(&A, "c.example"), tname(&A, "x.a.example")));
	CHECK(!val_nsec_covers(tname(&A, "a.example"), tname(&A, "c.example"), tname(&A, "a.example")));
	CHECK(!val_nsec_covers(tname(&A, "a.example"), tname(&A, "c.example"), tname(&A, "c.example")));
	CHECK(!val_nsec_covers(tname(&A, "a.example"), tname(&A, "c.example"), tname(&A, "d.example")));
	/* The last NSEC wraps to the apex. */
	CHECK(val_nsec_covers(tname(&A, "z.example"), tname(&A, "example"), tname(&A, "zz.example")));
	CHECK(!val_nsec_covers(tname(&A, "z.example"), tname(&A, "example"), tname(&A, "b.example")));
	/* A zone with one name covers all others in it. */
	CHECK(val_nsec_covers(tname(&A, "example"), tname(&A, "example"), tname(&A, "b.example")));
	CHECK(!val_nsec_covers(tname(&A, "example"), tname(&A, "example"), tname(&A, "example")));
	arena_free_all(&A);
}

static void
test_nsec_nxdomain(void)
{
	nsec_setup();
	/* Covered by host.example, wildcard *.example by the apex NSEC. */
	CHECK_EQ_INT(nsec(VAL_DENY_NXDOMAIN, "nope.example", RR_TYPE_A, -1), SEC_SECURE);
	CHECK_EQ_INT(nsec_only(VAL_DENY_NXDOMAIN, "nope.example", RR_TYPE_A, "host.example", "example"),
	    SEC_SECURE);
	/* Either half alone is not enough. */
	CHECK_EQ_INT(nsec_only(VAL_DENY_NXDOMAIN, "nope.example", RR_TYPE_A, "host.example", NULL),
	    SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_NSEC_MISSING);
	CHECK_EQ_INT(nsec_only(VAL_DENY_NXDOMAIN, "nope.example", RR_TYPE_A, "example", NULL),
	    SEC_BOGUS);
	/* Closest encloser y.example (an empty non-terminal): the wildcard
	 * to deny is *.y.example. */
	CHECK_EQ_INT(nsec(VAL_DENY_NXDOMAIN, "q.y.example", RR_TYPE_A, -1), SEC_SECURE);
	/* Below the wildcard's parent: *.w.example exists, so no NXDOMAIN. */
	CHECK_EQ_INT(nsec(VAL_DENY_NXDOMAIN, "q.w.example", RR_TYPE_A, -1), SEC_BOGUS);
	/* Existing names and empty non-terminals exist. */
	CHECK_EQ_INT(nsec(VAL_DENY_NXDOMAIN, "host.example", RR_TYPE_A, -1), SEC_BOGUS);
	CHECK_EQ_INT(nsec(VAL_DENY_NXDOMAIN, "y.example", RR_TYPE_A, -1), SEC_BOGUS);
	CHECK_EQ_INT(nsec(VAL_DENY_NXDOMAIN, "w.example", RR_TYPE_A, -1), SEC_BOGUS);
	/* Below a delegation or a DNAME the parent cannot deny names. */
	CHECK_EQ_INT(nsec(VAL_DENY_NXDOMAIN, "x.b.example", RR_TYPE_A, -1), SEC_BOGUS);
	CHECK_EQ_INT(nsec(VAL_DENY_NXDOMAIN, "x.a.example", RR_TYPE_A, -1), SEC_BOGUS);
	CHECK_EQ_INT(nsec(VAL_DENY_NXDOMAIN, "x.d.example", RR_TYPE_A, -1), SEC_BOGUS);
	/* After the last name (wrap-around). */
	CHECK_EQ_INT(nsec(VAL_DENY_NXDOMAIN, "zzz.example", RR_TYPE_A, -1), SEC_SECURE);
	/* Outside the zone. */
	CHECK_EQ_INT(nsec(VAL_DENY_NXDOMAIN, "nope.example.org", RR_TYPE_A, -1), SEC_BOGUS);
	CHECK_EQ_INT(val_nsec_prove(VAL_DENY_NXDOMAIN, NS, 0, tname(&A, "nope.example"), 1, -1,
	    ZONE, &R), SEC_BOGUS);
	arena_free_all(&A);
}

static void
test_nsec_nodata(void)
{
	nsec_setup();
	CHECK_EQ_INT(nsec(VAL_DENY_NODATA, "host.example", RR_TYPE_AAAA, -1), SEC_SECURE);
	CHECK(!R.delegation);
	CHECK_EQ_INT(nsec(VAL_DENY_NODATA, "host.example", RR_TYPE_A, -1), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_NSEC_MISSING);
	/* A CNAME would have been the answer. */
	CHECK_EQ_INT(nsec(VAL_DENY_NODATA, "cname.example", RR_TYPE_A, -1), SEC_BOGUS);
	/* Empty non-terminal: the NSEC's next name is below qname. */
	CHECK_EQ_INT(nsec(VAL_DENY_NODATA, "y.example", RR_TYPE_A, -1), SEC_SECURE);
	CHECK_EQ_INT(nsec(VAL_DENY_NODATA, "w.example", RR_TYPE_A, -1), SEC_SECURE);
	/* Wildcard NODATA: a.w.example matches *.w.example, which has no A. */
	CHECK_EQ_INT(nsec(VAL_DENY_NODATA, "a.w.example", RR_TYPE_A, -1), SEC_SECURE);
	CHECK_EQ_INT(nsec(VAL_DENY_NODATA, "a.w.example", RR_TYPE_MX, -1), SEC_BOGUS);
	CHECK_EQ_INT(nsec_only(VAL_DENY_NODATA, "a.w.example", RR_TYPE_A, "*.w.example", NULL),
	    SEC_SECURE);   /* the same NSEC both covers and matches */
	CHECK_EQ_INT(nsec_only(VAL_DENY_NODATA, "nope.example", RR_TYPE_A, "host.example", NULL),
	    SEC_BOGUS);    /* absent name, no wildcard match */
	/* The parent side of a delegation says nothing about the child's
	 * types... */
	CHECK_EQ_INT(nsec(VAL_DENY_NODATA, "b.example", RR_TYPE_A, -1), SEC_BOGUS);
	/* ...but does prove the DS absent: an insecure delegation. */
	CHECK_EQ_INT(nsec(VAL_DENY_NODATA, "b.example", RR_TYPE_DS, -1), SEC_SECURE);
	CHECK(R.delegation);
	CHECK_EQ_INT(nsec(VAL_DENY_NODATA, "a.example", RR_TYPE_DS, -1), SEC_BOGUS);
	/* No DS at a name without NS: no zone cut there. */
	CHECK_EQ_INT(nsec(VAL_DENY_NODATA, "host.example", RR_TYPE_DS, -1), SEC_SECURE);
	CHECK(!R.delegation);
	/* The apex NSEC (child side) cannot deny the zone's own DS. */
	CHECK_EQ_INT(nsec(VAL_DENY_NODATA, "example", RR_TYPE_DS, -1), SEC_BOGUS);
	/* ...but denies other types at the apex. */
	CHECK_EQ_INT(nsec(VAL_DENY_NODATA, "example", RR_TYPE_A, -1), SEC_SECURE);
	arena_free_all(&A);
}

static void
test_nsec_wildcard_answer(void)
{
	nsec_setup();
	CHECK_EQ_INT(nsec(VAL_DENY_WILDCARD, "a.w.example", RR_TYPE_MX, 2), SEC_SECURE);
	CHECK_EQ_INT(nsec(VAL_DENY_WILDCARD, "a.b.c.w.example", RR_TYPE_MX, 2), SEC_SECURE);
	/* A wildcard closer to the root than the NSEC shows: wrong. */
	CHECK_EQ_INT(nsec(VAL_DENY_WILDCARD, "a.w.example", RR_TYPE_MX, 1), SEC_BOGUS);
	/* The name exists, so it cannot have been synthesised. */
	CHECK_EQ_INT(nsec(VAL_DENY_WILDCARD, "host.example", RR_TYPE_MX, 1), SEC_BOGUS);
	CHECK_EQ_INT(nsec(VAL_DENY_WILDCARD, "a.w.example", RR_TYPE_MX, 3), SEC_BOGUS);
	CHECK_EQ_INT(nsec(VAL_DENY_WILDCARD, "a.w.example", RR_TYPE_MX, -1), SEC_BOGUS);
	CHECK_EQ_INT(nsec_only(VAL_DENY_WILDCARD, "a.w.example", RR_TYPE_MX, "host.example", NULL),
	    SEC_BOGUS);
	arena_free_all(&A);
}

/* RFC 8198: one cached NSEC at a time. */
static void
test_nsec_aggressive(void)
{
	uint8_t wc[DNAME_MAX], wc2[DNAME_MAX];
	struct rrset *host, *apex, *star;

	nsec_setup();
	host = tfind(NS, NN, "host.example", RR_TYPE_NSEC);
	apex = tfind(NS, NN, "example", RR_TYPE_NSEC);
	star = tfind(NS, NN, "*.w.example", RR_TYPE_NSEC);
	CHECK(host && apex && star);
	if (!host || !apex || !star)
		return;
	/* nope.example: covered; then *.example is covered too: NXDOMAIN. */
	CHECK_EQ_INT(val_nsec_check(host->owner, host->rdata[0].data, host->rdata[0].len,
	    tname(&A, "nope.example"), RR_TYPE_A, wc), VAL_NSEC_NOTNAME);
	CHECK(dname_equal(wc, tname(&A, "*.example")));
	CHECK_EQ_INT(val_nsec_check(apex->owner, apex->rdata[0].data, apex->rdata[0].len,
	    wc, RR_TYPE_A, wc2), VAL_NSEC_NOTNAME);
	/* host.example AAAA: NODATA; A: nothing to say. */
	CHECK_EQ_INT(val_nsec_check(host->owner, host->rdata[0].data, host->rdata[0].len,
	    tname(&A, "host.example"), RR_TYPE_AAAA, wc), VAL_NSEC_NODATA);
	CHECK_EQ_INT(val_nsec_check(host->owner, host->rdata[0].data, host->rdata[0].len,
	    tname(&A, "host.example"), RR_TYPE_A, wc), VAL_NSEC_NOTHING);
	/* a.w.example: absent, closest encloser w.example; the wildcard
	 * exists with MX only: NODATA for A. */
	CHECK_EQ_INT(val_nsec_check(star->owner, star->rdata[0].data, star->rdata[0].len,
	    tname(&A, "a.w.example"), RR_TYPE_A, wc), VAL_NSEC_NOTNAME);
	CHECK(dname_equal(wc, tname(&A, "*.w.example")));
	CHECK_EQ_INT(val_nsec_check(star->owner, star->rdata[0].data, star->rdata[0].len,
	    wc, RR_TYPE_A, wc2), VAL_NSEC_NODATA);
	/* Empty non-terminal. */
	CHECK_EQ_INT(val_nsec_check(star->owner, star->rdata[0].data, star->rdata[0].len,
	    tname(&A, "y.example"), RR_TYPE_A, wc), VAL_NSEC_NODATA);
	/* Unrelated. */
	CHECK_EQ_INT(val_nsec_check(host->owner, host->rdata[0].data, host->rdata[0].len,
	    tname(&A, "b.example"), RR_TYPE_A, wc), VAL_NSEC_NOTHING);
	/* Malformed RDATA. */
	CHECK_EQ_INT(val_nsec_check(host->owner, (const uint8_t *)"\005ab", 3,
	    tname(&A, "host.example"), RR_TYPE_AAAA, wc), VAL_NSEC_NOTHING);
	arena_free_all(&A);
}

/* ---- NSEC3: RFC 5155 appendix A ---- */

static const struct { const char *name, *hash; } rfc5155_hashes[] = {
	{ "example", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom" },
	{ "a.example", "35mthgpgcu1qg68fab165klnsnk3dpvl" },
	{ "ai.example", "gjeqe526plbf1g8mklp59enfd789njgi" },
	{ "ns1.example", "2t7b4g4vsa5smi47k61mv5bv1a22bojr" },
	{ "ns2.example", "q04jkcevqvmu85r014c7dkba38o0ji5r" },
	{ "w.example", "k8udemvp1j2f7eg6jebps17vp3n8i58h" },
	{ "*.w.example", "r53bq7cc2uvmubfu5ocmm6pers9tk9en" },
	{ "x.w.example", "b4um86eghhds6nea196smvmlo4ors995" },
	{ "y.w.example", "ji6neoaepv8b5o6k4ev33abha8ht9fgc" },
	{ "x.y.w.example", "2vptu5timamqttgl4luu9kg21e0aor3s" },
	{ "xx.example", "t644ebqk9bibcna874givr6joj62mlhv" },
	{ "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example", "kohar7mbb8dc2ce8a9qvl8hon4k53uhi" },
	{ "A.C.X.W.EXAMPLE", "06pjpo0bna507odhmdh856ignbmhtjf3" },
};

/* The zone's NSEC3 chain (hash 1, opt-out set, 12 iterations, salt
 * aabbccdd). %d is replaced by the flags under test. */
static const char *rfc5155_chain[] = {
	"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. NSEC3 1 %d 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA MX RRSIG DNSKEY NSEC3PARAM",
	"2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. NSEC3 1 %d 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG",
	"2vptu5timamqttgl4luu9kg21e0aor3s.example. NSEC3 1 %d 12 aabbccdd 35mthgpgcu1qg68fab165klnsnk3dpvl MX RRSIG",
	"35mthgpgcu1qg68fab165klnsnk3dpvl.example. NSEC3 1 %d 12 aabbccdd b4um86eghhds6nea196smvmlo4ors995 NS DS RRSIG",
	"b4um86eghhds6nea196smvmlo4ors995.example. NSEC3 1 %d 12 aabbccdd gjeqe526plbf1g8mklp59enfd789njgi MX RRSIG",
	"gjeqe526plbf1g8mklp59enfd789njgi.example. NSEC3 1 %d 12 aabbccdd ji6neoaepv8b5o6k4ev33abha8ht9fgc A HINFO AAAA RRSIG",
	"ji6neoaepv8b5o6k4ev33abha8ht9fgc.example. NSEC3 1 %d 12 aabbccdd k8udemvp1j2f7eg6jebps17vp3n8i58h",
	"k8udemvp1j2f7eg6jebps17vp3n8i58h.example. NSEC3 1 %d 12 aabbccdd kohar7mbb8dc2ce8a9qvl8hon4k53uhi",
	"kohar7mbb8dc2ce8a9qvl8hon4k53uhi.example. NSEC3 1 %d 12 aabbccdd q04jkcevqvmu85r014c7dkba38o0ji5r A RRSIG",
	"q04jkcevqvmu85r014c7dkba38o0ji5r.example. NSEC3 1 %d 12 aabbccdd r53bq7cc2uvmubfu5ocmm6pers9tk9en A RRSIG",
	"r53bq7cc2uvmubfu5ocmm6pers9tk9en.example. NSEC3 1 %d 12 aabbccdd t644ebqk9bibcna874givr6joj62mlhv MX RRSIG",
	"t644ebqk9bibcna874givr6joj62mlhv.example. NSEC3 1 %d 12 aabbccdd 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A HINFO AAAA RRSIG",
	NULL
};

static struct rrset *N3;
static int N3N;

/* Load the chain with the given flags, iterations and hash algorithm. */
static void
n3_setup(int flags, int iterations, int alg)
{
	const char *strs[16];
	char buf[16][256];
	int i;

	arena_init(&A, 65536);
	for (i = 0; rfc5155_chain[i] != NULL; i++) {
		char fmt[256];
		const char *p = strstr(rfc5155_chain[i], "NSEC3 1 %d 12");

		/* "NSEC3 <alg> <flags> <iterations>" */
		snprintf(fmt, sizeof(fmt), "%.*sNSEC3 %d %d %d%s", (int)(p - rfc5155_chain[i]),
		    rfc5155_chain[i], alg, flags, iterations, p + strlen("NSEC3 1 %d 12"));
		snprintf(buf[i], sizeof(buf[i]), "%s", fmt);
		strs[i] = buf[i];
	}
	strs[i] = NULL;
	N3N = tsets(&A, NULL, &N3, strs);
	ZONE = tname(&A, "example");
}

static enum sec_status
n3(enum val_deny_kind kind, const char *qname, uint16_t qtype, int wc)
{
	return val_nsec3_prove(kind, N3, N3N, tname(&A, qname), qtype, wc, ZONE, &R);
}

static void
test_nsec3_hash(void)
{
	const uint8_t salt[] = { 0xaa, 0xbb, 0xcc, 0xdd };
	uint8_t h[20], owner[DNAME_MAX], dec[NSEC3_HASH_MAX];
	char label[80];
	size_t i;

	arena_init(&A, 4096);
	for (i = 0; i < sizeof(rfc5155_hashes) / sizeof(rfc5155_hashes[0]); i++) {
		CHECK_EQ_INT(val_nsec3_hash(tname(&A, rfc5155_hashes[i].name), 1, 12, salt, 4, h), 20);
		snprintf(label, sizeof(label), "%s.example", rfc5155_hashes[i].hash);
		CHECK(dname_from_str(label, owner) > 0);
		CHECK_EQ_INT(val_nsec3_owner_hash(owner, dec), 20);
		if (memcmp(h, dec, 20) != 0)
			fprintf(stderr, "hash mismatch for %s\n", rfc5155_hashes[i].name);
		CHECK(memcmp(h, dec, 20) == 0);
	}
	CHECK_EQ_INT(val_nsec3_hash(tname(&A, "example"), 2, 12, salt, 4, h), -1);
	/* Upper case base32hex decodes too; other letters do not. */
	CHECK(dname_from_str("0P9MHAVEQVM6T7VBL5LOP2U3T2RP3TOM.example", owner) > 0);
	CHECK_EQ_INT(val_nsec3_owner_hash(owner, dec), 20);
	CHECK(dname_from_str("0p9mhaveqvm6t7vbl5lop2u3t2rp3toz.example", owner) > 0);
	CHECK_EQ_INT(val_nsec3_owner_hash(owner, dec), -1);
	/* Non-zero padding bits. */
	CHECK(dname_from_str("01.example", owner) > 0);
	CHECK_EQ_INT(val_nsec3_owner_hash(owner, dec), -1);
	arena_free_all(&A);
}

static void
test_nsec3_rfc5155_optout(void)
{
	/* As published: every record has the opt-out flag. */
	n3_setup(1, 12, 1);
	/* B.1: name error. The next closer c.x.w.example lies in an opt-out
	 * span, so the answer is insecure (RFC 5155 section 9.2). */
	CHECK_EQ_INT(n3(VAL_DENY_NXDOMAIN, "a.c.x.w.example", RR_TYPE_A, -1), SEC_INSECURE);
	CHECK(R.optout);
	/* B.2: no data. */
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "ns1.example", RR_TYPE_MX, -1), SEC_SECURE);
	CHECK(!R.optout);
	/* B.2.1: no data at an empty non-terminal. */
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "y.w.example", RR_TYPE_A, -1), SEC_SECURE);
	/* B.3: referral to the unsigned c.example inside an opt-out span. */
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "c.example", RR_TYPE_DS, -1), SEC_INSECURE);
	CHECK(R.optout && R.delegation);
	/* B.4: wildcard expansion a.z.w.example from *.w.example; the
	 * NSEC3 covering the next closer name z.w.example has opt-out, so
	 * an unsigned delegation could own the name: insecure (no AD, as
	 * the B.4 conformance scenario expects). */
	CHECK_EQ_INT(n3(VAL_DENY_WILDCARD, "a.z.w.example", RR_TYPE_MX, 2), SEC_INSECURE);
	CHECK(R.optout);
	/* B.5: wildcard no data; the closest encloser proof has opt-out. */
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "a.z.w.example", RR_TYPE_AAAA, -1), SEC_INSECURE);
	/* B.6: the apex record of the child cannot deny its DS. */
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "example", RR_TYPE_DS, -1), SEC_BOGUS);
	arena_free_all(&A);
}

static void
test_nsec3_rfc5155_no_optout(void)
{
	n3_setup(0, 12, 1);
	CHECK_EQ_INT(n3(VAL_DENY_NXDOMAIN, "a.c.x.w.example", RR_TYPE_A, -1), SEC_SECURE);
	CHECK(!R.optout);
	CHECK_EQ_INT(n3(VAL_DENY_NXDOMAIN, "nope.example", RR_TYPE_A, -1), SEC_SECURE);
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "a.z.w.example", RR_TYPE_AAAA, -1), SEC_SECURE);
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "a.z.w.example", RR_TYPE_MX, -1), SEC_BOGUS);
	CHECK_EQ_INT(n3(VAL_DENY_WILDCARD, "a.z.w.example", RR_TYPE_MX, 2), SEC_SECURE);
	CHECK_EQ_INT(n3(VAL_DENY_WILDCARD, "a.z.w.example", RR_TYPE_MX, 1), SEC_BOGUS);
	/* Without opt-out, c.example has no unsigned delegation to hide. */
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "c.example", RR_TYPE_DS, -1), SEC_BOGUS);
	CHECK_EQ_INT(R.ede, EDE_NSEC_MISSING);
	/* Wrong claims. */
	CHECK_EQ_INT(n3(VAL_DENY_NXDOMAIN, "ns1.example", RR_TYPE_A, -1), SEC_BOGUS);
	CHECK_EQ_INT(n3(VAL_DENY_NXDOMAIN, "y.w.example", RR_TYPE_A, -1), SEC_BOGUS);
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "ns1.example", RR_TYPE_A, -1), SEC_BOGUS);
	/* a.example is a signed delegation: no NODATA for its types, no
	 * denial of its DS, no NXDOMAIN below it. */
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "a.example", RR_TYPE_A, -1), SEC_BOGUS);
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "a.example", RR_TYPE_DS, -1), SEC_BOGUS);
	CHECK_EQ_INT(n3(VAL_DENY_NXDOMAIN, "x.a.example", RR_TYPE_A, -1), SEC_BOGUS);
	/* No DS, no NS: not a zone cut. */
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "ns1.example", RR_TYPE_DS, -1), SEC_SECURE);
	CHECK(!R.delegation);
	/* Name outside the zone of the records. */
	CHECK_EQ_INT(n3(VAL_DENY_NXDOMAIN, "nope.example.org", RR_TYPE_A, -1), SEC_BOGUS);
	/* Without the record covering the wildcard (*.x.w.example, by
	 * 35mthg...): no proof. */
	{
		struct rrset sub[16];
		int i, k = 0;

		for (i = 0; i < N3N; i++)
			if (memcmp(N3[i].owner + 1, "35mthg", 6) != 0)
				sub[k++] = N3[i];
		CHECK_EQ_INT(val_nsec3_prove(VAL_DENY_NXDOMAIN, sub, k, tname(&A, "a.c.x.w.example"),
		    RR_TYPE_A, -1, ZONE, &R), SEC_BOGUS);
	}
	arena_free_all(&A);
}

static void
test_nsec3_params(void)
{
	/* RFC 9276: above the limit the proof is insecure, whatever it says. */
	n3_setup(0, VAL_NSEC3_MAX_ITERATIONS + 1, 1);
	CHECK_EQ_INT(n3(VAL_DENY_NXDOMAIN, "a.c.x.w.example", RR_TYPE_A, -1), SEC_INSECURE);
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "ns1.example", RR_TYPE_A, -1), SEC_INSECURE);
	arena_free_all(&A);
	/* At the limit: computed (the hashes then do not match the owners,
	 * so nothing is proven). */
	n3_setup(0, VAL_NSEC3_MAX_ITERATIONS, 1);
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "ns1.example", RR_TYPE_MX, -1), SEC_BOGUS);
	arena_free_all(&A);
	/* Unknown hash algorithm: the records are ignored. */
	n3_setup(0, 12, 2);
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "ns1.example", RR_TYPE_MX, -1), SEC_BOGUS);
	CHECK(strstr(R.reason, "usable") != NULL);
	arena_free_all(&A);
	/* Unknown flags: ignored too. */
	n3_setup(2, 12, 1);
	CHECK_EQ_INT(n3(VAL_DENY_NODATA, "ns1.example", RR_TYPE_MX, -1), SEC_BOGUS);
	arena_free_all(&A);
	/* Records of two chains: the one that proves wins. */
	{
		struct rrset *other, *all;
		int no, i;
		const char *alt[] = {
			"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. NSEC3 1 0 3 ff 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A",
			NULL
		};

		n3_setup(0, 12, 1);
		no = tsets(&A, NULL, &other, alt);
		all = arena_alloc(&A, (size_t)(N3N + no) * sizeof(*all));
		all[0] = other[0];
		for (i = 0; i < N3N; i++)
			all[i + no] = N3[i];
		CHECK_EQ_INT(val_nsec3_prove(VAL_DENY_NODATA, all, N3N + no, tname(&A, "ns1.example"),
		    RR_TYPE_MX, -1, ZONE, &R), SEC_SECURE);
		arena_free_all(&A);
	}
}

int
main(void)
{
	RUN(test_bitmap);
	RUN(test_nsec_covers);
	RUN(test_nsec_nxdomain);
	RUN(test_nsec_nodata);
	RUN(test_nsec_wildcard_answer);
	RUN(test_nsec_aggressive);
	RUN(test_nsec3_hash);
	RUN(test_nsec3_rfc5155_optout);
	RUN(test_nsec3_rfc5155_no_optout);
	RUN(test_nsec3_params);
	return unit_summary();
}
