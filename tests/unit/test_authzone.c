/*
 * test_authzone.c -- src/auth: loading and checking zone files, and the
 * responses built from them, parsed back with msg_parse. Zone files are
 * written into a temporary directory; signed zones are made there with
 * ldns-keygen and ldns-signzone (ldnsutils), and their proofs are
 * checked with src/dnssec, so the signatures come from another
 * implementation and the proofs are judged by the validator.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/authzone.h"
#include "dnssec/dnssec.h"
#include "util/arena.h"
#include "util/dname.h"
#include "util/rrset.h"
#include "util/wire.h"
#include "unit.h"

#define LDNS_KEYGEN "/usr/bin/ldns-keygen"
#define LDNS_SIGNZONE "/usr/bin/ldns-signzone"

static char dir[] = "/tmp/test_authzone.XXXXXX";
static struct arena A;
static uint8_t buf[65535];
static struct dns_msg M;

static const char *
path_of(const char *file)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	return p;
}

static const char *
write_file(const char *file, const char *text)
{
	const char *p = path_of(file);
	FILE *fp = fopen(p, "w");

	if (fp == NULL || fputs(text, fp) < 0 || fclose(fp) != 0) {
		perror(p);
		exit(1);
	}
	return p;
}

static const uint8_t *
name(const char *s)
{
	uint8_t n[DNAME_MAX];
	int len = dname_from_str(s, n);

	if (len < 0) {
		fprintf(stderr, "bad name %s\n", s);
		exit(1);
	}
	return arena_memdup(&A, n, (size_t)len);
}

static struct authzone *
load(const char *file, const char *origin, time_t now, char *err, size_t errlen)
{
	return authzone_load(path_of(file), name(origin), now, err, errlen);
}

/* Ask z and parse the response into M; returns the response length. */
static size_t
ask(const struct authzone *z, const char *qname, uint16_t qtype, bool dnssec_ok)
{
	size_t len = authzone_answer(z, name(qname), qtype, RR_CLASS_IN, dnssec_ok, buf, sizeof(buf));

	memset(&M, 0, sizeof(M));
	if (len > 0 && msg_parse(buf, len, &M, &A) != WIRE_OK) {
		fprintf(stderr, "response to %s does not parse\n", qname);
		return 0;
	}
	return len;
}

/* Records in section sec of M with this owner (NULL: any) and type. */
static int
count(enum msg_section sec, const char *owner, uint16_t type)
{
	int i, n = 0;

	for (i = 0; i < M.count[sec]; i++)
		if (M.rr[sec][i].type == type &&
		    (owner == NULL || dname_equal(M.rr[sec][i].owner, name(owner))))
			n++;
	return n;
}

/* Header, question and section sizes of M. */
#define CHECK_MSG(qn, qt, rc, aa, an, ns, ar) do { \
	CHECK_EQ_INT(M.id, 0); \
	CHECK((M.flags & FLAG_QR) != 0); \
	CHECK_EQ_INT((M.flags & FLAG_RD) != 0, 0); \
	CHECK_EQ_INT((M.flags & FLAG_AA) != 0, (aa)); \
	CHECK_EQ_INT(M.rcode, (rc)); \
	CHECK_EQ_INT(M.qdcount, 1); \
	CHECK(dname_equal(M.qname, name(qn))); \
	CHECK_EQ_INT(M.qtype, (qt)); \
	CHECK_EQ_INT(M.count[SEC_ANSWER], (an)); \
	CHECK_EQ_INT(M.count[SEC_AUTHORITY], (ns)); \
	CHECK_EQ_INT(M.count[SEC_ADDITIONAL], (ar)); \
	CHECK(!M.edns.present); \
	} while (0)

/* ---- load-time checks ---- */

static const char *zone_head =
    "$ORIGIN example.\n"
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 7 1800 900 604800 300\n"
    "@ NS ns1\n"
    "ns1 A 192.0.2.1\n";

static struct {
	const char *body;          /* appended to zone_head, unless full */
	bool full;
	const char *err;           /* expected message after "<path>:" */
} bad_zones[] = {
	{ "www A not-an-address\n", false, "6: " },
	{ "www.example.org. A 192.0.2.9\n", false,
	  "6: www.example.org. is outside the zone example." },
	{ "www 3600 CH TXT \"x\"\n", false, "6: class 3 is not IN" },
	{ "*.w A 192.0.2.9\n", false, "6: wildcard *.w.example.: wildcards are not supported" },
	{ "d DNAME example.net.\n", false, "6: DNAME records are not supported" },
	{ "@ SOA ns1 hostmaster 8 1800 900 604800 300\n", false,
	  "3: more than one SOA record at the apex" },
	{ "sub SOA ns1 hostmaster 8 1800 900 604800 300\n", false,
	  "6: SOA record at sub.example., which is not the zone apex" },
	{ "sub NS ns.sub\n", false,
	  "6: name server ns.sub.example. of sub.example. has no A or AAAA record in the zone" },
	{ "sub NS ns.elsewhere\n", false,
	  "6: name server ns.elsewhere.example. of sub.example. has no A or AAAA record in the zone" },
	{ "www DS 1 13 2 0000000000000000000000000000000000000000000000000000000000000000\n",
	  false, "6: DS record at www.example., which is not a delegation" },
	{ "www CNAME ns1\nwww TXT \"x\"\n", false, "6: CNAME at www.example. alongside other data" },
	{ "$INCLUDE other.zone\n", false, "6: $INCLUDE is not supported" },
	{ "www AXFR\n", false, "6: " },
	{ "$ORIGIN example.\n@ 3600 NS ns1\nns1 3600 A 192.0.2.1\n", true,
	  " no SOA record at the apex" },
	{ "$ORIGIN example.\n@ 3600 SOA ns1 hostmaster 7 1800 900 604800 300\nns1 3600 A 192.0.2.1\n",
	  true, " no NS records at the apex" },
	{ "$ORIGIN example.\n@ 3600 SOA ns1 hostmaster 7 1800 900 604800 300\n@ 3600 NS ns9\n",
	  true, "3: name server ns9.example. of example. has no A or AAAA record in the zone" },
	{ "", true, " no records" },
	/* Lines are counted where the record starts, past comments, blank
	 * lines and parentheses. */
	{ "; c\n\n$ORIGIN example.\n$TTL 3600\n@ SOA ns1 hostmaster (\n 1 ; serial\n"
	  " 1800 900 604800 300 )\n\n; more\n@ NS ns1\nns1 A 192.0.2.1\n\n; x\n"
	  "www.example.org. A 192.0.2.9\n", true, "14: www.example.org. is outside" },
};

static void
test_load_errors(void)
{
	char text[1024], err[512], want[1024];
	struct authzone *z;
	size_t i;

	for (i = 0; i < sizeof(bad_zones) / sizeof(bad_zones[0]); i++) {
		if (bad_zones[i].full)
			snprintf(text, sizeof(text), "%s", bad_zones[i].body);
		else
			snprintf(text, sizeof(text), "%s%s", zone_head, bad_zones[i].body);
		write_file("bad.zone", text);
		err[0] = '\0';
		z = load("bad.zone", "example", time(NULL), err, sizeof(err));
		CHECK(z == NULL);
		authzone_free(z);
		snprintf(want, sizeof(want), "%s:%s", path_of("bad.zone"), bad_zones[i].err);
		if (strncmp(err, want, strlen(want)) != 0) {
			fprintf(stderr, "zone %zu: got \"%s\", want \"%s...\"\n", i, err, want);
			CHECK(0);
		}
	}
	z = load("missing.zone", "example", time(NULL), err, sizeof(err));
	CHECK(z == NULL);
	CHECK(strstr(err, "missing.zone: No such file") != NULL);
}

/* Name servers below a sibling delegation need no glue; the zone's own
 * name servers do, even below the apex. */
static void
test_load_sibling_glue(void)
{
	char text[1024], err[512];
	struct authzone *z;

	snprintf(text, sizeof(text), "%s%s", zone_head,
	    "a NS ns.b\n"
	    "b NS ns.b\n"
	    "ns.b A 192.0.2.7\n"
	    "c NS ns.d\n"
	    "d NS ns.elsewhere.net.\n");
	write_file("sibling.zone", text);
	z = load("sibling.zone", "example", time(NULL), err, sizeof(err));
	CHECK(z != NULL);
	if (z == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_EQ_INT(authzone_serial(z), 7);
	CHECK(dname_equal(authzone_origin(z), name("example")));
	/* A referral carries the sibling glue it has. */
	CHECK(ask(z, "www.a.example", RR_TYPE_A, false) > 0);
	CHECK_MSG("www.a.example", RR_TYPE_A, RCODE_NOERROR, 0, 0, 1, 1);
	CHECK_EQ_INT(count(SEC_ADDITIONAL, "ns.b.example", RR_TYPE_A), 1);
	CHECK(ask(z, "c.example", RR_TYPE_NS, false) > 0);
	CHECK_MSG("c.example", RR_TYPE_NS, RCODE_NOERROR, 0, 0, 1, 0);
	authzone_free(z);
}

static void
test_load_stale(void)
{
	char err[512];
	struct authzone *z;
	struct stat st;

	write_file("stale.zone", zone_head);
	CHECK(stat(path_of("stale.zone"), &st) == 0);
	z = load("stale.zone", "example", st.st_mtime + 604800, err, sizeof(err));
	CHECK(z != NULL);
	if (z != NULL)
		CHECK_EQ_INT(authzone_expires(z), st.st_mtime + 604800);
	authzone_free(z);
	z = load("stale.zone", "example", st.st_mtime + 604801, err, sizeof(err));
	CHECK(z == NULL);
	CHECK(strstr(err, "stale.zone: zone copy is stale: last written ") != NULL);
	CHECK(strstr(err, " UTC, SOA expire 604800 s passed") != NULL);
}

/* ---- answers from an unsigned zone ---- */

static const char *plain_zone =
    "$ORIGIN example.\n"
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 2024010101 1800 900 604800 300\n"
    "@ NS ns1\n"
    "@ NS ns.other.test.\n"
    "ns1 A 192.0.2.1\n"
    "ns1 AAAA 2001:db8::1\n"
    "www 600 A 192.0.2.10\n"
    "www 300 A 192.0.2.11\n"
    "www A 192.0.2.11\n"
    "alias CNAME www\n"
    "away CNAME www.elsewhere.test.\n"
    "x.y.z TXT \"deep\"\n"
    "mail MX 10 www\n"
    "sub NS ns.sub\n"
    "sub NS ns.other.test.\n"
    "ns.sub A 192.0.2.53\n"
    "deep.sub A 192.0.2.99\n"
    "WWW A 192.0.2.12\n";

static void
test_plain(void)
{
	char err[512];
	struct authzone *z;
	uint8_t small[40];

	write_file("plain.zone", plain_zone);
	z = load("plain.zone", "example", time(NULL), err, sizeof(err));
	CHECK(z != NULL);
	if (z == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	/* Duplicates merge, owner case does not matter, the lowest TTL wins. */
	CHECK(ask(z, "www.example", RR_TYPE_A, false) > 0);
	CHECK_MSG("www.example", RR_TYPE_A, RCODE_NOERROR, 1, 3, 0, 0);
	CHECK_EQ_INT(M.rr[SEC_ANSWER][0].ttl, 300);
	/* The question keeps the asker's case. */
	CHECK(ask(z, "wWw.EXAMPLE", RR_TYPE_A, false) > 0);
	CHECK(memcmp(M.qname, name("wWw.EXAMPLE"), M.qname_len) == 0);
	CHECK_EQ_INT(M.count[SEC_ANSWER], 3);

	/* NODATA: SOA with TTL min(3600, 300); DO adds nothing unsigned. */
	CHECK(ask(z, "www.example", RR_TYPE_AAAA, true) > 0);
	CHECK_MSG("www.example", RR_TYPE_AAAA, RCODE_NOERROR, 1, 0, 1, 0);
	CHECK_EQ_INT(count(SEC_AUTHORITY, "example", RR_TYPE_SOA), 1);
	CHECK_EQ_INT(M.rr[SEC_AUTHORITY][0].ttl, 300);

	CHECK(ask(z, "nope.example", RR_TYPE_A, false) > 0);
	CHECK_MSG("nope.example", RR_TYPE_A, RCODE_NXDOMAIN, 1, 0, 1, 0);
	CHECK_EQ_INT(count(SEC_AUTHORITY, "example", RR_TYPE_SOA), 1);

	/* Empty non-terminals exist; names below them need not. */
	CHECK(ask(z, "z.example", RR_TYPE_A, false) > 0);
	CHECK_MSG("z.example", RR_TYPE_A, RCODE_NOERROR, 1, 0, 1, 0);
	CHECK(ask(z, "y.z.example", RR_TYPE_TXT, false) > 0);
	CHECK_MSG("y.z.example", RR_TYPE_TXT, RCODE_NOERROR, 1, 0, 1, 0);
	CHECK(ask(z, "x.y.z.example", RR_TYPE_TXT, false) > 0);
	CHECK_MSG("x.y.z.example", RR_TYPE_TXT, RCODE_NOERROR, 1, 1, 0, 0);
	CHECK(ask(z, "q.z.example", RR_TYPE_A, false) > 0);
	CHECK_MSG("q.z.example", RR_TYPE_A, RCODE_NXDOMAIN, 1, 0, 1, 0);

	/* Referrals, at and below the cut, with in-domain glue only;
	 * occluded data is not served. */
	CHECK(ask(z, "sub.example", RR_TYPE_NS, false) > 0);
	CHECK_MSG("sub.example", RR_TYPE_NS, RCODE_NOERROR, 0, 0, 2, 1);
	CHECK_EQ_INT(count(SEC_AUTHORITY, "sub.example", RR_TYPE_NS), 2);
	CHECK_EQ_INT(count(SEC_ADDITIONAL, "ns.sub.example", RR_TYPE_A), 1);
	CHECK(ask(z, "deep.sub.example", RR_TYPE_A, true) > 0);
	CHECK_MSG("deep.sub.example", RR_TYPE_A, RCODE_NOERROR, 0, 0, 2, 1);
	CHECK(ask(z, "ns.sub.example", RR_TYPE_A, false) > 0);
	CHECK_MSG("ns.sub.example", RR_TYPE_A, RCODE_NOERROR, 0, 0, 2, 1);
	/* DS at the cut is this zone's to answer: NODATA here. */
	CHECK(ask(z, "sub.example", RR_TYPE_DS, false) > 0);
	CHECK_MSG("sub.example", RR_TYPE_DS, RCODE_NOERROR, 1, 0, 1, 0);
	CHECK_EQ_INT(count(SEC_AUTHORITY, "example", RR_TYPE_SOA), 1);
	/* Below the cut even DS is the child's. */
	CHECK(ask(z, "deep.sub.example", RR_TYPE_DS, false) > 0);
	CHECK_MSG("deep.sub.example", RR_TYPE_DS, RCODE_NOERROR, 0, 0, 2, 1);

	/* CNAMEs are answered, not followed. */
	CHECK(ask(z, "alias.example", RR_TYPE_A, false) > 0);
	CHECK_MSG("alias.example", RR_TYPE_A, RCODE_NOERROR, 1, 1, 0, 0);
	CHECK_EQ_INT(count(SEC_ANSWER, "alias.example", RR_TYPE_CNAME), 1);
	CHECK(ask(z, "away.example", RR_TYPE_AAAA, false) > 0);
	CHECK_MSG("away.example", RR_TYPE_AAAA, RCODE_NOERROR, 1, 1, 0, 0);
	CHECK(ask(z, "alias.example", RR_TYPE_CNAME, false) > 0);
	CHECK_MSG("alias.example", RR_TYPE_CNAME, RCODE_NOERROR, 1, 1, 0, 0);

	/* The apex NS set brings the addresses of the servers in the zone. */
	CHECK(ask(z, "example", RR_TYPE_NS, false) > 0);
	CHECK_MSG("example", RR_TYPE_NS, RCODE_NOERROR, 1, 2, 0, 2);
	CHECK_EQ_INT(count(SEC_ADDITIONAL, "ns1.example", RR_TYPE_A), 1);
	CHECK_EQ_INT(count(SEC_ADDITIONAL, "ns1.example", RR_TYPE_AAAA), 1);
	CHECK(ask(z, "example", RR_TYPE_SOA, false) > 0);
	CHECK_MSG("example", RR_TYPE_SOA, RCODE_NOERROR, 1, 1, 0, 0);
	CHECK_EQ_INT(M.rr[SEC_ANSWER][0].ttl, 3600);
	CHECK(ask(z, "example", RR_TYPE_ANY, false) > 0);
	CHECK_MSG("example", RR_TYPE_ANY, RCODE_NOERROR, 1, 3, 0, 0);
	CHECK(ask(z, "example", RR_TYPE_RRSIG, false) > 0);
	CHECK_MSG("example", RR_TYPE_RRSIG, RCODE_NOERROR, 1, 0, 1, 0);
	CHECK(ask(z, "mail.example", RR_TYPE_MX, false) > 0);
	CHECK_MSG("mail.example", RR_TYPE_MX, RCODE_NOERROR, 1, 1, 0, 0);

	/* No response from this zone. */
	CHECK_EQ_INT(ask(z, "www.example.org", RR_TYPE_A, false), 0);
	CHECK_EQ_INT(ask(z, "org", RR_TYPE_A, false), 0);
	CHECK_EQ_INT(ask(z, "example", RR_TYPE_AXFR, false), 0);
	CHECK_EQ_INT(authzone_answer(z, name("www.example"), RR_TYPE_A, RR_CLASS_CH, false,
	    buf, sizeof(buf)), 0);
	/* Too small for the whole response: nothing. */
	CHECK_EQ_INT(authzone_answer(z, name("example"), RR_TYPE_NS, RR_CLASS_IN, false,
	    small, sizeof(small)), 0);
	authzone_free(z);
}

/* Many delegations: every lookup lands on its own cut, and names between
 * them do not exist. */
static void
test_many_delegations(void)
{
	const int n = 3000;
	char err[512], q[64];
	struct authzone *z;
	FILE *fp;
	int i, bad = 0;

	fp = fopen(path_of("many.zone"), "w");
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	fputs(zone_head, fp);
	for (i = 0; i < n; i++)
		fprintf(fp, "t%d NS ns.t%d\nns.t%d A 192.0.2.%d\n", i * 7, i * 7, i * 7, i % 250);
	fclose(fp);
	z = load("many.zone", "example", time(NULL), err, sizeof(err));
	CHECK(z != NULL);
	if (z == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	for (i = 0; i < n * 7; i++) {
		snprintf(q, sizeof(q), "host.t%d.example", i);
		if (ask(z, q, RR_TYPE_A, false) == 0) {
			bad++;
			continue;
		}
		snprintf(q, sizeof(q), "t%d.example", i);
		if (i % 7 == 0) {
			bad += M.rcode != RCODE_NOERROR || (M.flags & FLAG_AA) ||
			    count(SEC_AUTHORITY, q, RR_TYPE_NS) != 1 || M.count[SEC_ADDITIONAL] != 1;
		} else {
			bad += M.rcode != RCODE_NXDOMAIN || !(M.flags & FLAG_AA);
		}
		arena_free_all(&A);
		arena_init(&A, 65536);
	}
	CHECK_EQ_INT(bad, 0);
	authzone_free(z);
}

/* The lab's unsigned root zone. */
static void
test_lab_root(void)
{
	const char *path = ABS_TOP_SRCDIR "/zones/lab/root.zone";
	char err[512];
	struct authzone *z;
	struct stat st;

	CHECK(stat(path, &st) == 0);
	/* The checkout may be older than the SOA expire: judge it as of
	 * its own modification time. */
	z = authzone_load(path, name("."), st.st_mtime, err, sizeof(err));
	CHECK(z != NULL);
	if (z == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_EQ_INT(authzone_serial(z), 2024010101u);
	CHECK(!authzone_signed(z));
	CHECK(ask(z, "www.lab", RR_TYPE_A, false) > 0);
	CHECK_MSG("www.lab", RR_TYPE_A, RCODE_NOERROR, 0, 0, 1, 2);
	CHECK_EQ_INT(count(SEC_AUTHORITY, "lab", RR_TYPE_NS), 1);
	CHECK(dname_equal(M.rr[SEC_AUTHORITY][0].rdata, name("ns1.nic.lab")));
	CHECK_EQ_INT(count(SEC_ADDITIONAL, "ns1.nic.lab", RR_TYPE_A), 1);
	CHECK_EQ_INT(count(SEC_ADDITIONAL, "ns1.nic.lab", RR_TYPE_AAAA), 1);
	CHECK(ask(z, "nonexistent", RR_TYPE_A, false) > 0);
	CHECK_MSG("nonexistent", RR_TYPE_A, RCODE_NXDOMAIN, 1, 0, 1, 0);
	CHECK_EQ_INT(count(SEC_AUTHORITY, ".", RR_TYPE_SOA), 1);
	CHECK_EQ_INT(M.rr[SEC_AUTHORITY][0].ttl, 600);
	CHECK(ask(z, ".", RR_TYPE_NS, false) > 0);
	CHECK_MSG(".", RR_TYPE_NS, RCODE_NOERROR, 1, 1, 0, 2);
	CHECK_EQ_INT(count(SEC_ADDITIONAL, "a.root.lab", RR_TYPE_A), 1);
	CHECK_EQ_INT(count(SEC_ADDITIONAL, "a.root.lab", RR_TYPE_AAAA), 1);
	/* IPv6-only glue. */
	CHECK(ask(z, "example", RR_TYPE_DS, true) > 0);
	CHECK_MSG("example", RR_TYPE_DS, RCODE_NOERROR, 1, 0, 1, 0);
	CHECK(ask(z, "www.example", RR_TYPE_AAAA, true) > 0);
	CHECK_MSG("www.example", RR_TYPE_AAAA, RCODE_NOERROR, 0, 0, 1, 1);
	CHECK_EQ_INT(count(SEC_ADDITIONAL, "ns1.nic.example", RR_TYPE_AAAA), 1);
	authzone_free(z);

	z = authzone_load(path, name("."), st.st_mtime + 604801, err, sizeof(err));
	CHECK(z == NULL);
	CHECK(strstr(err, "zone copy is stale") != NULL);
}

/* ---- signed zones ---- */

static bool
have_ldnsutils(void)
{
	if (access(LDNS_KEYGEN, X_OK) == 0 && access(LDNS_SIGNZONE, X_OK) == 0)
		return true;
	printf("skipping signed-zone tests: %s or %s missing (Debian: ldnsutils)\n",
	    LDNS_KEYGEN, LDNS_SIGNZONE);
	return false;
}

/* Run a command in dir; its first line of output into out. */
static bool
run(const char *cmd, char *out, size_t outlen)
{
	char full[2048];
	FILE *p;
	bool ok;

	snprintf(full, sizeof(full), "cd '%s' && %s", dir, cmd);
	if ((p = popen(full, "r")) == NULL)
		return false;
	if (out != NULL) {
		out[0] = '\0';
		if (fgets(out, (int)outlen, p) != NULL)
			out[strcspn(out, "\n")] = '\0';
	}
	ok = pclose(p) == 0;
	if (!ok)
		fprintf(stderr, "failed: %s\n", cmd);
	return ok;
}

static const char *signed_body =
    "$ORIGIN example.\n"
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 1 1800 900 604800 300\n"
    "@ NS ns1\n"
    "ns1 A 192.0.2.1\n"
    "www A 192.0.2.10\n"
    "x.y TXT \"deep\"\n"
    "secure NS ns.secure\n"
    "secure DS 12345 13 2 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
    "ns.secure A 192.0.2.2\n";

/* An unsigned delegation; in the opt-out zone it is added after
 * signing, so that no NSEC3 names it. */
static const char *insecure_part =
    "insecure.example. 3600 IN NS ns.insecure.example.\n"
    "ns.insecure.example. 3600 IN A 192.0.2.3\n";

enum chain { CHAIN_NSEC, CHAIN_NSEC3, CHAIN_OPTOUT };

static char ksk[256], zsk[256];

static bool
make_keys(void)
{
	if (ksk[0] != '\0')
		return true;
	return run(LDNS_KEYGEN " -r /dev/urandom -a ECDSAP256SHA256 -k example.", ksk, sizeof(ksk)) &&
	    run(LDNS_KEYGEN " -r /dev/urandom -a ECDSAP256SHA256 example.", zsk, sizeof(zsk)) &&
	    ksk[0] != '\0' && zsk[0] != '\0';
}

static struct authzone *
make_signed(enum chain chain)
{
	char text[2048], cmd[1024], err[512];
	struct authzone *z;
	FILE *fp;

	snprintf(text, sizeof(text), "%s%s", signed_body, chain == CHAIN_OPTOUT ? "" : insecure_part);
	write_file("signed.zone", text);
	snprintf(cmd, sizeof(cmd), LDNS_SIGNZONE " %s -f signed.out signed.zone %s %s 2>&1",
	    chain == CHAIN_NSEC ? "" : chain == CHAIN_NSEC3 ? "-n -a 1 -t 0 -s abcd" :
	    "-n -p -a 1 -t 0 -s abcd", ksk, zsk);
	if (!run(cmd, NULL, 0))
		return NULL;
	if (chain == CHAIN_OPTOUT) {
		if ((fp = fopen(path_of("signed.out"), "a")) == NULL)
			return NULL;
		fputs(insecure_part, fp);
		fclose(fp);
	}
	z = load("signed.out", "example", time(NULL), err, sizeof(err));
	if (z == NULL)
		fprintf(stderr, "%s\n", err);
	return z;
}

static struct rrset *S;
static int NS_;
static struct val_env VE;
static struct val_result R;

static void
auth_sets(void)
{
	NS_ = rrsets_from_section(&M, SEC_AUTHORITY, &A, &S);
}

/* The zone's DNSKEY set, from the zone itself, taken as trusted. */
static struct rrset *
zone_keys(const struct authzone *z)
{
	struct rrset *sets;
	int n;

	if (ask(z, "example", RR_TYPE_DNSKEY, true) == 0)
		return NULL;
	n = rrsets_from_section(&M, SEC_ANSWER, &A, &sets);
	if (n != 1 || sets[0].type != RR_TYPE_DNSKEY || sets[0].count != 2 || sets[0].sigcount < 1)
		return NULL;
	sets[0].security = SEC_SECURE;
	return &sets[0];
}

static enum sec_status
deny(enum val_deny_kind kind, const char *qname, uint16_t qtype, const struct rrset *keys)
{
	val_env_init(&VE, time(NULL), &A);
	auth_sets();
	return val_deny(&VE, kind, S, NS_, name(qname), qtype, -1, keys, &R);
}

static void
check_signed(enum chain chain)
{
	const uint16_t proof = chain == CHAIN_NSEC ? RR_TYPE_NSEC : RR_TYPE_NSEC3;
	struct authzone *z;
	struct rrset *keys, *ds, *ans;
	int n;

	if (!make_keys() || (z = make_signed(chain)) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(authzone_signed(z));
	CHECK((keys = zone_keys(z)) != NULL);
	if (keys == NULL) {
		authzone_free(z);
		return;
	}
	/* Without DO the DNSKEY answer has no RRSIG; explicitly asked
	 * DNSSEC types are still answered. */
	CHECK(ask(z, "example", RR_TYPE_DNSKEY, false) > 0);
	CHECK_MSG("example", RR_TYPE_DNSKEY, RCODE_NOERROR, 1, 2, 0, 0);

	/* Positive answer: RRSIG only with DO, and it verifies. */
	CHECK(ask(z, "www.example", RR_TYPE_A, false) > 0);
	CHECK_MSG("www.example", RR_TYPE_A, RCODE_NOERROR, 1, 1, 0, 0);
	CHECK(ask(z, "www.example", RR_TYPE_A, true) > 0);
	CHECK_MSG("www.example", RR_TYPE_A, RCODE_NOERROR, 1, 2, 0, 0);
	CHECK_EQ_INT(count(SEC_ANSWER, "www.example", RR_TYPE_RRSIG), 1);
	n = rrsets_from_section(&M, SEC_ANSWER, &A, &ans);
	CHECK_EQ_INT(n, 1);
	val_env_init(&VE, time(NULL), &A);
	if (n == 1)
		CHECK_EQ_INT(val_verify_rrset(&VE, &ans[0], keys, &R), SEC_SECURE);

	/* NXDOMAIN: SOA alone, or SOA, proof and their RRSIGs. */
	CHECK(ask(z, "nope.example", RR_TYPE_A, false) > 0);
	CHECK_MSG("nope.example", RR_TYPE_A, RCODE_NXDOMAIN, 1, 0, 1, 0);
	CHECK(ask(z, "nope.example", RR_TYPE_A, true) > 0);
	CHECK_EQ_INT(M.rcode, RCODE_NXDOMAIN);
	CHECK_EQ_INT(count(SEC_AUTHORITY, "example", RR_TYPE_SOA), 1);
	CHECK(count(SEC_AUTHORITY, NULL, proof) >= (chain == CHAIN_NSEC ? 1 : 2));
	CHECK_EQ_INT(count(SEC_AUTHORITY, NULL, RR_TYPE_RRSIG), 1 + count(SEC_AUTHORITY, NULL, proof));
	CHECK_EQ_INT(deny(VAL_DENY_NXDOMAIN, "nope.example", RR_TYPE_A, keys),
	    chain == CHAIN_OPTOUT ? SEC_INSECURE : SEC_SECURE);
	/* Deeper, below an empty non-terminal. */
	CHECK(ask(z, "a.b.y.example", RR_TYPE_A, true) > 0);
	CHECK_EQ_INT(M.rcode, RCODE_NXDOMAIN);
	CHECK_EQ_INT(deny(VAL_DENY_NXDOMAIN, "a.b.y.example", RR_TYPE_A, keys),
	    chain == CHAIN_OPTOUT ? SEC_INSECURE : SEC_SECURE);

	/* NODATA at a name and at an empty non-terminal. */
	CHECK(ask(z, "www.example", RR_TYPE_AAAA, false) > 0);
	CHECK_MSG("www.example", RR_TYPE_AAAA, RCODE_NOERROR, 1, 0, 1, 0);
	CHECK(ask(z, "www.example", RR_TYPE_AAAA, true) > 0);
	CHECK_MSG("www.example", RR_TYPE_AAAA, RCODE_NOERROR, 1, 0, 4, 0);
	CHECK_EQ_INT(count(SEC_AUTHORITY, "www.example", proof), chain == CHAIN_NSEC);
	CHECK_EQ_INT(deny(VAL_DENY_NODATA, "www.example", RR_TYPE_AAAA, keys), SEC_SECURE);
	CHECK(ask(z, "y.example", RR_TYPE_A, true) > 0);
	CHECK_MSG("y.example", RR_TYPE_A, RCODE_NOERROR, 1, 0, 4, 0);
	CHECK_EQ_INT(deny(VAL_DENY_NODATA, "y.example", RR_TYPE_A, keys), SEC_SECURE);

	/* Referral to a signed child: the DS set and its RRSIG with DO. */
	CHECK(ask(z, "www.secure.example", RR_TYPE_A, false) > 0);
	CHECK_MSG("www.secure.example", RR_TYPE_A, RCODE_NOERROR, 0, 0, 1, 1);
	CHECK(ask(z, "www.secure.example", RR_TYPE_A, true) > 0);
	CHECK_MSG("www.secure.example", RR_TYPE_A, RCODE_NOERROR, 0, 0, 3, 1);
	CHECK_EQ_INT(count(SEC_AUTHORITY, "secure.example", RR_TYPE_DS), 1);
	CHECK_EQ_INT(count(SEC_AUTHORITY, "secure.example", RR_TYPE_RRSIG), 1);
	CHECK_EQ_INT(count(SEC_AUTHORITY, NULL, proof), 0);
	val_env_init(&VE, time(NULL), &A);
	auth_sets();
	ds = NULL;
	CHECK_EQ_INT(val_ds_proof(&VE, S, NS_, name("secure.example"), keys, &ds, &R), SEC_SECURE);
	CHECK(ds != NULL);
	/* DS asked at the cut: answered here, with AA. */
	CHECK(ask(z, "secure.example", RR_TYPE_DS, true) > 0);
	CHECK_MSG("secure.example", RR_TYPE_DS, RCODE_NOERROR, 1, 2, 0, 0);

	/* Referral to an unsigned child: the signed proof of no DS. */
	CHECK(ask(z, "insecure.example", RR_TYPE_NS, false) > 0);
	CHECK_MSG("insecure.example", RR_TYPE_NS, RCODE_NOERROR, 0, 0, 1, 1);
	CHECK(ask(z, "www.insecure.example", RR_TYPE_A, true) > 0);
	CHECK_EQ_INT(M.flags & FLAG_AA, 0);
	CHECK_EQ_INT(count(SEC_AUTHORITY, NULL, RR_TYPE_DS), 0);
	CHECK_EQ_INT(count(SEC_AUTHORITY, "insecure.example", RR_TYPE_NSEC), chain == CHAIN_NSEC);
	CHECK_EQ_INT(count(SEC_AUTHORITY, NULL, proof), chain == CHAIN_OPTOUT ? 2 : 1);
	CHECK_EQ_INT(count(SEC_ADDITIONAL, "ns.insecure.example", RR_TYPE_A), 1);
	val_env_init(&VE, time(NULL), &A);
	auth_sets();
	ds = NULL;
	CHECK_EQ_INT(val_ds_proof(&VE, S, NS_, name("insecure.example"), keys, &ds, &R), SEC_INSECURE);
	CHECK(ds == NULL);
	CHECK(ask(z, "insecure.example", RR_TYPE_DS, true) > 0);
	CHECK_EQ_INT(M.flags & FLAG_AA, FLAG_AA);
	CHECK_EQ_INT(M.count[SEC_ANSWER], 0);
	CHECK_EQ_INT(deny(VAL_DENY_NODATA, "insecure.example", RR_TYPE_DS, keys),
	    chain == CHAIN_OPTOUT ? SEC_INSECURE : SEC_SECURE);
	CHECK(R.delegation);

	/* RRSIG and ANY at a signed name. */
	CHECK(ask(z, "www.example", RR_TYPE_RRSIG, false) > 0);
	CHECK_MSG("www.example", RR_TYPE_RRSIG, RCODE_NOERROR, 1, chain == CHAIN_NSEC ? 2 : 1, 0, 0);
	CHECK(ask(z, "www.example", RR_TYPE_ANY, true) > 0);
	CHECK_EQ_INT(count(SEC_ANSWER, "www.example", RR_TYPE_A), 1);
	CHECK_EQ_INT(count(SEC_ANSWER, "www.example", RR_TYPE_RRSIG), chain == CHAIN_NSEC ? 2 : 1);
	/* NSEC3 owners are not names of the zone (RFC 5155 7.2.8). */
	if (chain != CHAIN_NSEC) {
		CHECK(ask(z, "nope.example", RR_TYPE_A, true) > 0);
		if (count(SEC_AUTHORITY, NULL, RR_TYPE_NSEC3) > 0) {
			char owner[DNAME_STR_MAX];
			const struct dns_rr *rr = &M.rr[SEC_AUTHORITY][0];
			int i;

			for (i = 0; i < M.count[SEC_AUTHORITY]; i++)
				if (M.rr[SEC_AUTHORITY][i].type == RR_TYPE_NSEC3)
					rr = &M.rr[SEC_AUTHORITY][i];
			dname_to_str(rr->owner, owner, sizeof(owner));
			CHECK(ask(z, owner, RR_TYPE_NSEC3, false) > 0);
			CHECK_EQ_INT(M.rcode, RCODE_NXDOMAIN);
		}
	}
	authzone_free(z);
}

static void
test_signed_nsec(void)
{
	if (have_ldnsutils())
		check_signed(CHAIN_NSEC);
}

static void
test_signed_nsec3(void)
{
	if (have_ldnsutils())
		check_signed(CHAIN_NSEC3);
}

static void
test_signed_nsec3_optout(void)
{
	if (have_ldnsutils())
		check_signed(CHAIN_OPTOUT);
}

/* A zone with both kinds of chain, or NSEC3 without NSEC3PARAM. */
static void
test_signed_bad(void)
{
	char text[4096], err[512];
	struct authzone *z;

	snprintf(text, sizeof(text), "%s%s", zone_head,
	    "@ NSEC ns1 NS SOA NSEC\n"
	    "ns1 NSEC example. A NSEC\n"
	    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A\n");
	write_file("both.zone", text);
	z = load("both.zone", "example", time(NULL), err, sizeof(err));
	CHECK(z == NULL);
	CHECK(strstr(err, "both NSEC and NSEC3 records") != NULL);
	snprintf(text, sizeof(text), "%s%s", zone_head,
	    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A\n");
	write_file("noparam.zone", text);
	z = load("noparam.zone", "example", time(NULL), err, sizeof(err));
	CHECK(z == NULL);
	CHECK(strstr(err, "NSEC3 records but no NSEC3PARAM at the apex") != NULL);
	snprintf(text, sizeof(text), "%s%s", zone_head,
	    "@ NSEC3PARAM 1 0 500 -\n"
	    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom NSEC3 1 0 500 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A\n");
	write_file("iter.zone", text);
	z = load("iter.zone", "example", time(NULL), err, sizeof(err));
	CHECK(z == NULL);
	CHECK(strstr(err, "iter.zone:6: 500 NSEC3 iterations") != NULL);
	snprintf(text, sizeof(text), "%s%s", zone_head,
	    "www RRSIG A 13 2 3600 20300101000000 20200101000000 1 example. AAAA\n");
	write_file("orphan.zone", text);
	z = load("orphan.zone", "example", time(NULL), err, sizeof(err));
	CHECK(z == NULL);
	CHECK(strstr(err, "orphan.zone:6: RRSIG covering A at www.example., which has no such records") != NULL);
}

int
main(void)
{
	char cmd[600];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	arena_init(&A, 65536);
	RUN(test_load_errors);
	RUN(test_load_sibling_glue);
	RUN(test_load_stale);
	RUN(test_plain);
	RUN(test_many_delegations);
	RUN(test_lab_root);
	RUN(test_signed_nsec);
	RUN(test_signed_nsec3);
	RUN(test_signed_nsec3_optout);
	RUN(test_signed_bad);
	arena_free_all(&A);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_summary();
}
