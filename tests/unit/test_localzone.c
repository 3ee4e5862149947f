/*
 * test_localzone.c -- local-zone / local-data / local-data-ptr answers.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/localzone.h"
#include "util/wire.h"
#include "unit.h"

/* RFC 6761 (localhost., test., invalid.), the loopback reverse zones,
 * RFC 6303 (18 RFC 1918 zones, 6 more IPv4, 7 IPv6), RFC 7793 (64),
 * RFC 8375 (home.arpa.), RFC 7686 (onion.) */
#define BUILTIN_ZONES (3 + 2 + 18 + 6 + 7 + 64 + 1 + 1)

static struct local_zones *
make(const struct local_line *lines, int n, char *err)
{
	return localzone_create(lines, n, NULL, "test.conf", err, 256);
}

static enum local_verdict
ask(struct local_zones *lz, const char *name, uint16_t type, struct dns_msg *m, struct arena *a)
{
	uint8_t q[DNAME_MAX], out[1024];
	size_t len = 0;
	enum local_verdict v;

	dname_from_str(name, q);
	v = localzone_answer(lz, q, type, RR_CLASS_IN, out, sizeof(out), &len);
	memset(m, 0, sizeof(*m));
	if (v == LOCAL_ANSWER && msg_parse(out, len, m, a) != WIRE_OK)
		return (enum local_verdict)-1;
	return v;
}

static void
test_implicit_local_data(void)
{
	struct local_line l[] = {
		{ LOCAL_DATA_LINE, "www.nic.cz A 1.2.3.4", 1 },
		{ LOCAL_DATA_PTR_LINE, "1.2.3.4 www.nic.cz", 2 },
		{ LOCAL_DATA_PTR_LINE, "2001:db8::1 v6.example", 3 },
	};
	char err[256];
	struct local_zones *lz = make(l, 3, err);
	struct dns_msg m;
	struct arena a;

	arena_init(&a, 4096);
	CHECK(lz != NULL);
	CHECK_EQ_INT(ask(lz, "WWW.nic.cz", RR_TYPE_A, &m, &a), LOCAL_ANSWER);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 1);
	CHECK(m.count[SEC_ANSWER] == 1 && m.rr[SEC_ANSWER][0].rdlen == 4 &&
	    memcmp(m.rr[SEC_ANSWER][0].rdata, "\1\2\3\4", 4) == 0);
	/* plain local-data stands in for resolution: no AA */
	CHECK(!(m.flags & FLAG_AA));
	CHECK(m.flags & FLAG_RA);
	/* same name, other type: NODATA (transparent) */
	CHECK_EQ_INT(ask(lz, "www.nic.cz", RR_TYPE_AAAA, &m, &a), LOCAL_ANSWER);
	CHECK_EQ_INT(m.rcode, RCODE_NOERROR);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 0);
	/* other names resolve normally */
	CHECK_EQ_INT(ask(lz, "nic.cz", RR_TYPE_A, &m, &a), LOCAL_PASS);
	CHECK_EQ_INT(ask(lz, "x.www.nic.cz", RR_TYPE_A, &m, &a), LOCAL_PASS);
	CHECK_EQ_INT(ask(lz, "4.3.2.1.in-addr.arpa", RR_TYPE_PTR, &m, &a), LOCAL_ANSWER);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 1);
	CHECK_EQ_INT(ask(lz, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
	    RR_TYPE_PTR, &m, &a), LOCAL_ANSWER);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 1);
	localzone_free(lz);
	arena_free_all(&a);
}

static void
test_zone_types(void)
{
	struct local_line l[] = {
		{ LOCAL_ZONE_LINE, "example.cz always_nxdomain", 1 },
		{ LOCAL_ZONE_LINE, "drop.test deny", 2 },
		{ LOCAL_ZONE_LINE, "ref.test refuse", 3 },
		{ LOCAL_ZONE_LINE, "static.test static", 4 },
		{ LOCAL_DATA_LINE, "static.test SOA ns.static.test. h.static.test. 1 2 3 4 300", 5 },
		{ LOCAL_DATA_LINE, "a.static.test 60 A 192.0.2.1", 6 },
		{ LOCAL_ZONE_LINE, "tt.test typetransparent", 7 },
		{ LOCAL_DATA_LINE, "tt.test A 192.0.2.2", 8 },
		{ LOCAL_ZONE_LINE, "redir.test redirect", 9 },
		{ LOCAL_DATA_LINE, "redir.test A 192.0.2.3", 10 },
		{ LOCAL_DATA_LINE, "ok.drop.test A 192.0.2.4", 11 },
		/* test. is used as a real TLD here: say so */
		{ LOCAL_ZONE_LINE, "test. nodefault", 12 },
	};
	char err[256];
	struct local_zones *lz = make(l, 12, err);
	struct dns_msg m;
	struct arena a;
	int zones, builtin, sets;

	arena_init(&a, 4096);
	CHECK(lz != NULL);
	localzone_counts(lz, &zones, &builtin, &sets);
	CHECK_EQ_INT(zones, 6);
	CHECK_EQ_INT(builtin, BUILTIN_ZONES - 1);
	CHECK_EQ_INT(ask(lz, "dummy.example.cz", RR_TYPE_A, &m, &a), LOCAL_ANSWER);
	CHECK_EQ_INT(m.rcode, RCODE_NXDOMAIN);
	CHECK(m.flags & FLAG_AA);
	CHECK_EQ_INT(ask(lz, "x.drop.test", RR_TYPE_A, &m, &a), LOCAL_DROP);
	CHECK_EQ_INT(ask(lz, "ok.drop.test", RR_TYPE_A, &m, &a), LOCAL_ANSWER);
	CHECK_EQ_INT(ask(lz, "ref.test", RR_TYPE_MX, &m, &a), LOCAL_REFUSE);
	CHECK_EQ_INT(ask(lz, "nx.static.test", RR_TYPE_A, &m, &a), LOCAL_ANSWER);
	CHECK_EQ_INT(m.rcode, RCODE_NXDOMAIN);
	CHECK_EQ_INT(m.count[SEC_AUTHORITY], 1);
	CHECK_EQ_INT(ask(lz, "a.static.test", RR_TYPE_AAAA, &m, &a), LOCAL_ANSWER);
	CHECK_EQ_INT(m.rcode, RCODE_NOERROR);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 0);
	CHECK_EQ_INT(ask(lz, "a.static.test", RR_TYPE_A, &m, &a), LOCAL_ANSWER);
	CHECK(m.count[SEC_ANSWER] == 1 && m.rr[SEC_ANSWER][0].ttl == 60);
	CHECK_EQ_INT(ask(lz, "tt.test", RR_TYPE_AAAA, &m, &a), LOCAL_PASS);
	CHECK_EQ_INT(ask(lz, "tt.test", RR_TYPE_A, &m, &a), LOCAL_ANSWER);
	CHECK_EQ_INT(ask(lz, "deep.under.redir.test", RR_TYPE_A, &m, &a), LOCAL_ANSWER);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 1);
	CHECK_EQ_INT(ask(lz, "unrelated.test", RR_TYPE_A, &m, &a), LOCAL_PASS);
	localzone_free(lz);
	arena_free_all(&a);
}

static void
test_errors(void)
{
	struct local_line bad_type[] = { { LOCAL_ZONE_LINE, "x.test nonsense", 7 } };
	struct local_line twice[] = { { LOCAL_ZONE_LINE, "x.test static", 3 }, { LOCAL_ZONE_LINE, "X.test. deny", 4 } };
	struct local_line bad_rr[] = { { LOCAL_DATA_LINE, "x.test A not-an-address", 9 } };
	struct local_line bad_ptr[] = { { LOCAL_DATA_PTR_LINE, "300.1.1.1 x.test", 12 } };
	char err[256];

	CHECK(make(bad_type, 1, err) == NULL);
	CHECK(strncmp(err, "test.conf:7: local-zone: unknown type 'nonsense'", 48) == 0);
	CHECK(make(twice, 2, err) == NULL);
	CHECK(strstr(err, "test.conf:4:") == err);
	CHECK(make(bad_rr, 1, err) == NULL);
	CHECK(strstr(err, "test.conf:9: local-data:") == err);
	CHECK(make(bad_ptr, 1, err) == NULL);
	CHECK(strstr(err, "test.conf:12: local-data-ptr: bad address") == err);
}

/* Ask name/type of a table built from lines (and setup); the verdict. */
static enum local_verdict
ask_with(const struct local_line *l, int n, const struct localzone_setup *setup,
    const char *name, uint16_t type)
{
	char err[256];
	struct local_zones *lz = localzone_create(l, n, setup, "test.conf", err, sizeof(err));
	struct dns_msg m;
	struct arena a;
	enum local_verdict v;

	CHECK(lz != NULL);
	if (lz == NULL)
		return (enum local_verdict)-1;
	arena_init(&a, 4096);
	v = ask(lz, name, type, &m, &a);
	localzone_free(lz);
	arena_free_all(&a);
	return v;
}

static bool
owner_is(const struct dns_rr *rr, const char *name)
{
	uint8_t w[DNAME_MAX];

	return dname_from_str(name, w) > 0 && dname_equal(rr->owner, w);
}

/* The negative answer of a built-in zone: NXDOMAIN (or NODATA), AA, no AD,
 * and the zone's SOA as RFC 6303 section 3 has it. */
static void
check_negative(const struct dns_msg *m, uint16_t rcode, const uint8_t *zone)
{
	static const uint8_t tail[] = "\006nobody\007invalid\0\0\0\0\1\0\0\x0e\x10\0\0\x04\xb0"
	    "\0\x09\x3a\x80\0\0\x2a\x30";
	size_t zl = dname_len(zone);
	const struct dns_rr *soa = m->rr[SEC_AUTHORITY];

	CHECK_EQ_INT(m->rcode, rcode);
	CHECK((m->flags & FLAG_AA) && !(m->flags & FLAG_AD));
	CHECK_EQ_INT(m->count[SEC_ANSWER], 0);
	CHECK_EQ_INT(m->count[SEC_AUTHORITY], 1);
	if (m->count[SEC_AUTHORITY] != 1)
		return;
	CHECK(soa->type == RR_TYPE_SOA && soa->ttl == 10800 && dname_equal(soa->owner, zone));
	CHECK(soa->rdlen == zl + sizeof(tail) - 1 && memcmp(soa->rdata, zone, zl) == 0 &&
	    memcmp(soa->rdata + zl, tail, sizeof(tail) - 1) == 0);
}

/* Every built-in zone, with the configuration silent: a name below it
 * gets NXDOMAIN with its SOA (localhost.: the loopback addresses), its
 * name NODATA, its SOA and NS from here; no query leaves. */
static void
test_builtin_answers(void)
{
	static const char *const listed[] = {   /* from the RFCs, by hand */
		"localhost", "127.in-addr.arpa",
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
		"0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
		"home.arpa", "onion", "test", "invalid", "10.in-addr.arpa",
		"168.192.in-addr.arpa", "0.in-addr.arpa", "254.169.in-addr.arpa",
		"2.0.192.in-addr.arpa", "100.51.198.in-addr.arpa", "113.0.203.in-addr.arpa",
		"255.255.255.255.in-addr.arpa", "d.f.ip6.arpa", "8.e.f.ip6.arpa", "9.e.f.ip6.arpa",
		"a.e.f.ip6.arpa", "b.e.f.ip6.arpa", "8.b.d.0.1.0.0.2.ip6.arpa",
	};
	static const char *const not_ours[] = {
		"15.172.in-addr.arpa", "32.172.in-addr.arpa", "63.100.in-addr.arpa",
		"128.100.in-addr.arpa", "169.254.in-addr.arpa", "in-addr.arpa", "arpa",
		"c.f.ip6.arpa", "c.e.f.ip6.arpa", "7.e.f.ip6.arpa", "local", "example",
		"localhost.example", "test.example", "onion.example", "com",
	};
	struct localzone_builtin b;
	char err[256], name[DNAME_STR_MAX], below[DNAME_STR_MAX + 8];
	struct local_zones *lz = make(NULL, 0, err);
	struct dns_msg m;
	struct arena a;
	int i, n, nexp = 0, zones, builtin, sets;
	uint8_t w[DNAME_MAX], expect[BUILTIN_ZONES + 1][DNAME_MAX];
	bool seen[BUILTIN_ZONES + 1] = { false };

	for (n = 0; n < (int)(sizeof(listed) / sizeof(listed[0])); n++)
		dname_from_str(listed[n], expect[nexp++]);
	for (n = 16; n <= 31; n++) {            /* 172.16.0.0/12 */
		snprintf(name, sizeof(name), "%d.172.in-addr.arpa", n);
		dname_from_str(name, expect[nexp++]);
	}
	for (n = 64; n <= 127; n++) {           /* 100.64.0.0/10 */
		snprintf(name, sizeof(name), "%d.100.in-addr.arpa", n);
		dname_from_str(name, expect[nexp++]);
	}
	CHECK_EQ_INT(nexp, BUILTIN_ZONES);
	arena_init(&a, 4096);
	CHECK(lz != NULL);
	localzone_counts(lz, &zones, &builtin, &sets);
	CHECK_EQ_INT(zones, 0);
	CHECK_EQ_INT(builtin, BUILTIN_ZONES);
	for (i = 0; localzone_builtin(i, &b); i++) {
		bool found = false;
		dname_to_str(b.name, name, sizeof(name));
		for (n = 0; n < nexp; n++)
			if (!seen[n] && dname_equal(expect[n], b.name))
				found = seen[n] = true;
		snprintf(below, sizeof(below), "x.%s", name);
		CHECK_EQ_INT(ask(lz, below, RR_TYPE_PTR, &m, &a), LOCAL_ANSWER);
		if (b.address) {
			CHECK_EQ_INT(m.rcode, RCODE_NOERROR);
			CHECK_EQ_INT(m.count[SEC_ANSWER], 0);
			check_negative(&m, RCODE_NOERROR, b.name);
		} else
			check_negative(&m, RCODE_NXDOMAIN, b.name);
		CHECK_EQ_INT(ask(lz, name, RR_TYPE_SOA, &m, &a), LOCAL_ANSWER);
		CHECK(m.rcode == RCODE_NOERROR && m.count[SEC_ANSWER] == 1 &&
		    m.rr[SEC_ANSWER][0].type == RR_TYPE_SOA && (m.flags & FLAG_AA));
		CHECK_EQ_INT(ask(lz, name, RR_TYPE_NS, &m, &a), LOCAL_ANSWER);
		CHECK(m.count[SEC_ANSWER] == 1 && m.rr[SEC_ANSWER][0].rdlen == dname_len(b.name) &&
		    dname_equal(m.rr[SEC_ANSWER][0].rdata, b.name));
		CHECK_EQ_INT(ask(lz, name, RR_TYPE_TXT, &m, &a), LOCAL_ANSWER);
		check_negative(&m, RCODE_NOERROR, b.name);
		/* the DS of the zone is its parent's: resolved */
		CHECK_EQ_INT(ask(lz, name, RR_TYPE_DS, &m, &a), LOCAL_PASS);
		if (!found)
			fprintf(stderr, "built-in zone %s not in the RFC list of this test\n", name);
		CHECK(found);
	}
	CHECK_EQ_INT(i, BUILTIN_ZONES);
	for (n = 0; n < nexp; n++)
		CHECK(seen[n]);
	for (n = 0; n < (int)(sizeof(not_ours) / sizeof(not_ours[0])); n++) {
		snprintf(below, sizeof(below), "x.%s", not_ours[n]);
		CHECK_EQ_INT(ask(lz, below, RR_TYPE_PTR, &m, &a), LOCAL_PASS);
		CHECK_EQ_INT(ask(lz, not_ours[n], RR_TYPE_A, &m, &a), LOCAL_PASS);
	}
	CHECK_EQ_INT(ask(lz, ".", RR_TYPE_NS, &m, &a), LOCAL_PASS);
	/* RFC 6761 section 6.3: every name in localhost. is the loopback */
	CHECK_EQ_INT(ask(lz, "a.b.LocalHost", RR_TYPE_A, &m, &a), LOCAL_ANSWER);
	CHECK(m.rcode == RCODE_NOERROR && m.count[SEC_ANSWER] == 1 && m.rr[SEC_ANSWER][0].rdlen == 4 &&
	    memcmp(m.rr[SEC_ANSWER][0].rdata, "\177\0\0\1", 4) == 0 && owner_is(&m.rr[SEC_ANSWER][0],
	    "a.b.localhost") && !(m.flags & FLAG_AD));
	CHECK_EQ_INT(ask(lz, "localhost", RR_TYPE_AAAA, &m, &a), LOCAL_ANSWER);
	CHECK(m.count[SEC_ANSWER] == 1 && m.rr[SEC_ANSWER][0].rdlen == 16 &&
	    memcmp(m.rr[SEC_ANSWER][0].rdata, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0);
	CHECK_EQ_INT(ask(lz, "1.0.0.127.in-addr.arpa", RR_TYPE_PTR, &m, &a), LOCAL_ANSWER);
	CHECK(m.rcode == RCODE_NOERROR && m.count[SEC_ANSWER] == 1 &&
	    owner_is(&m.rr[SEC_ANSWER][0], "1.0.0.127.in-addr.arpa") &&
	    dname_from_str("localhost", w) > 0 && dname_equal(m.rr[SEC_ANSWER][0].rdata, w));
	CHECK_EQ_INT(ask(lz, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
	    RR_TYPE_PTR, &m, &a), LOCAL_ANSWER);
	CHECK(m.rcode == RCODE_NOERROR && m.count[SEC_ANSWER] == 1 && dname_equal(m.rr[SEC_ANSWER][0].rdata, w));
	CHECK_EQ_INT(ask(lz, "2.0.0.127.in-addr.arpa", RR_TYPE_PTR, &m, &a), LOCAL_ANSWER);
	dname_from_str("127.in-addr.arpa", w);
	check_negative(&m, RCODE_NXDOMAIN, w);
	/* below a zone, a DS question is the zone's own */
	CHECK_EQ_INT(ask(lz, "x.10.in-addr.arpa", RR_TYPE_DS, &m, &a), LOCAL_ANSWER);
	CHECK_EQ_INT(m.rcode, RCODE_NXDOMAIN);
	CHECK_EQ_INT(ask(lz, "WWW.Example.Onion", RR_TYPE_A, &m, &a), LOCAL_ANSWER);
	CHECK_EQ_INT(m.rcode, RCODE_NXDOMAIN);
	localzone_free(lz);
	arena_free_all(&a);
}

/* local-zone NAME transparent and NAME nodefault turn each one off. */
static void
test_builtin_off(void)
{
	struct localzone_builtin b;
	char name[DNAME_STR_MAX], below[DNAME_STR_MAX + 8], text[DNAME_STR_MAX + 32];
	struct local_line l[1] = { { LOCAL_ZONE_LINE, text, 1 } };
	int i;

	for (i = 0; localzone_builtin(i, &b); i++) {
		dname_to_str(b.name, name, sizeof(name));
		snprintf(below, sizeof(below), "x.%s", name);
		snprintf(text, sizeof(text), "%s transparent", name);
		CHECK_EQ_INT(ask_with(l, 1, NULL, below, RR_TYPE_A), LOCAL_PASS);
		CHECK_EQ_INT(ask_with(l, 1, NULL, name, RR_TYPE_SOA), LOCAL_PASS);
		snprintf(text, sizeof(text), "%s nodefault", name);
		CHECK_EQ_INT(ask_with(l, 1, NULL, below, RR_TYPE_A), LOCAL_PASS);
		CHECK_EQ_INT(ask_with(l, 1, NULL, name, RR_TYPE_NS), LOCAL_PASS);
		/* any other type replaces it too */
		snprintf(text, sizeof(text), "%s refuse", name);
		CHECK_EQ_INT(ask_with(l, 1, NULL, below, RR_TYPE_A), LOCAL_REFUSE);
	}
	/* case and the final dot do not matter; the others stay */
	snprintf(text, sizeof(text), "TEST nodefault");
	CHECK_EQ_INT(ask_with(l, 1, NULL, "x.test.", RR_TYPE_A), LOCAL_PASS);
	CHECK_EQ_INT(ask_with(l, 1, NULL, "x.invalid.", RR_TYPE_A), LOCAL_ANSWER);
	/* nodefault is exact: below a built-in zone it changes nothing; a
	 * name that is no built-in zone is accepted and does nothing */
	snprintf(text, sizeof(text), "5.10.in-addr.arpa nodefault");
	CHECK_EQ_INT(ask_with(l, 1, NULL, "1.5.10.in-addr.arpa", RR_TYPE_PTR), LOCAL_ANSWER);
	snprintf(text, sizeof(text), "example.com nodefault");
	CHECK_EQ_INT(ask_with(l, 1, NULL, "www.example.com", RR_TYPE_A), LOCAL_PASS);
	/* a transparent zone below one lets just that part through */
	snprintf(text, sizeof(text), "5.10.in-addr.arpa transparent");
	CHECK_EQ_INT(ask_with(l, 1, NULL, "1.5.10.in-addr.arpa", RR_TYPE_PTR), LOCAL_PASS);
	CHECK_EQ_INT(ask_with(l, 1, NULL, "1.6.10.in-addr.arpa", RR_TYPE_PTR), LOCAL_ANSWER);
	/* a zone above one does not hide it: the most specific wins */
	snprintf(text, sizeof(text), "in-addr.arpa refuse");
	CHECK_EQ_INT(ask_with(l, 1, NULL, "1.2.3.10.in-addr.arpa", RR_TYPE_PTR), LOCAL_ANSWER);
	CHECK_EQ_INT(ask_with(l, 1, NULL, "4.3.2.1.in-addr.arpa", RR_TYPE_PTR), LOCAL_REFUSE);
}

/* unblock-lan-zones leaves out RFC 6303's reverse zones, nothing else. */
static void
test_builtin_unblock_lan(void)
{
	struct localzone_setup setup = { .unblock_lan_zones = true };
	struct localzone_builtin b;
	char name[DNAME_STR_MAX], below[DNAME_STR_MAX + 8];
	int i, lan = 0;

	for (i = 0; localzone_builtin(i, &b); i++) {
		dname_to_str(b.name, name, sizeof(name));
		snprintf(below, sizeof(below), "x.%s", name);
		CHECK_EQ_INT(ask_with(NULL, 0, &setup, below, RR_TYPE_A),
		    b.lan ? LOCAL_PASS : LOCAL_ANSWER);
		lan += b.lan;
	}
	CHECK_EQ_INT(lan, BUILTIN_ZONES - 7);
	CHECK_EQ_INT(ask_with(NULL, 0, &setup, "1.0.0.127.in-addr.arpa", RR_TYPE_PTR), LOCAL_ANSWER);
	CHECK_EQ_INT(ask_with(NULL, 0, &setup, "x.home.arpa", RR_TYPE_A), LOCAL_ANSWER);
}

/* A stub-zone or forward-zone of a built-in zone's name takes its place;
 * one below it gets through; one above it (".") changes nothing. */
static void
test_builtin_served(void)
{
	uint8_t names[5][DNAME_MAX];
	const uint8_t *served[5];
	struct localzone_setup setup = { .nserved = 5, .served = served };
	struct localzone_builtin b;
	char name[DNAME_STR_MAX], below[DNAME_STR_MAX + 8];
	int i;

	dname_from_str("10.in-addr.arpa", names[0]);
	dname_from_str("Onion.", names[1]);
	dname_from_str("5.168.192.in-addr.arpa", names[2]);
	dname_from_str(".", names[3]);
	dname_from_str("in-addr.arpa", names[4]);
	for (i = 0; i < 5; i++)
		served[i] = names[i];
	CHECK_EQ_INT(ask_with(NULL, 0, &setup, "1.2.3.10.in-addr.arpa", RR_TYPE_PTR), LOCAL_PASS);
	CHECK_EQ_INT(ask_with(NULL, 0, &setup, "www.example.onion", RR_TYPE_A), LOCAL_PASS);
	CHECK_EQ_INT(ask_with(NULL, 0, &setup, "1.5.168.192.in-addr.arpa", RR_TYPE_PTR), LOCAL_PASS);
	CHECK_EQ_INT(ask_with(NULL, 0, &setup, "1.6.168.192.in-addr.arpa", RR_TYPE_PTR), LOCAL_ANSWER);
	CHECK_EQ_INT(ask_with(NULL, 0, &setup, "1.1.16.172.in-addr.arpa", RR_TYPE_PTR), LOCAL_ANSWER);
	CHECK_EQ_INT(ask_with(NULL, 0, &setup, "x.test", RR_TYPE_A), LOCAL_ANSWER);
	CHECK_EQ_INT(ask_with(NULL, 0, &setup, "localhost", RR_TYPE_A), LOCAL_ANSWER);
	/* each built-in zone, with a stub or forward zone of its name */
	setup.nserved = 1;
	for (i = 0; localzone_builtin(i, &b); i++) {
		served[0] = b.name;
		dname_to_str(b.name, name, sizeof(name));
		snprintf(below, sizeof(below), "x.%s", name);
		CHECK_EQ_INT(ask_with(NULL, 0, &setup, below, RR_TYPE_A), LOCAL_PASS);
	}
	/* an operator's own local-zone below it still counts */
	{
		struct local_line l[] = { { LOCAL_ZONE_LINE, "5.168.192.in-addr.arpa refuse", 1 } };
		served[0] = names[2];
		CHECK_EQ_INT(ask_with(l, 1, &setup, "1.5.168.192.in-addr.arpa", RR_TYPE_PTR),
		    LOCAL_REFUSE);
	}
}

/* local-data below a built-in zone joins it, as in Unbound. */
static void
test_builtin_with_data(void)
{
	struct local_line l[] = {
		{ LOCAL_DATA_LINE, "printer.home.arpa. 300 IN A 192.168.1.20", 1 },
		{ LOCAL_DATA_PTR_LINE, "192.168.1.20 printer.home.arpa.", 2 },
		{ LOCAL_DATA_LINE, "localhost. A 127.0.0.1", 3 },
		{ LOCAL_DATA_LINE, "localhost. A 127.0.0.2", 4 },
		{ LOCAL_ZONE_LINE, "onion. static", 5 },
		{ LOCAL_DATA_LINE, "x.onion. A 192.0.2.1", 6 },
	};
	char err[256];
	struct local_zones *lz = make(l, 6, err);
	struct dns_msg m;
	struct arena a;
	uint8_t w[DNAME_MAX];

	arena_init(&a, 4096);
	CHECK(lz != NULL);
	CHECK_EQ_INT(ask(lz, "printer.home.arpa", RR_TYPE_A, &m, &a), LOCAL_ANSWER);
	CHECK(m.rcode == RCODE_NOERROR && m.count[SEC_ANSWER] == 1 && (m.flags & FLAG_AA));
	CHECK_EQ_INT(ask(lz, "printer.home.arpa", RR_TYPE_AAAA, &m, &a), LOCAL_ANSWER);
	dname_from_str("home.arpa", w);
	check_negative(&m, RCODE_NOERROR, w);
	CHECK_EQ_INT(ask(lz, "scanner.home.arpa", RR_TYPE_A, &m, &a), LOCAL_ANSWER);
	check_negative(&m, RCODE_NXDOMAIN, w);
	CHECK_EQ_INT(ask(lz, "20.1.168.192.in-addr.arpa", RR_TYPE_PTR, &m, &a), LOCAL_ANSWER);
	CHECK(m.rcode == RCODE_NOERROR && m.count[SEC_ANSWER] == 1);
	CHECK_EQ_INT(ask(lz, "21.1.168.192.in-addr.arpa", RR_TYPE_PTR, &m, &a), LOCAL_ANSWER);
	CHECK_EQ_INT(m.rcode, RCODE_NXDOMAIN);
	/* the same record again is one record; another one joins */
	CHECK_EQ_INT(ask(lz, "localhost", RR_TYPE_A, &m, &a), LOCAL_ANSWER);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 2);
	/* the operator's onion. zone replaces the built-in one: no SOA */
	CHECK_EQ_INT(ask(lz, "x.onion", RR_TYPE_A, &m, &a), LOCAL_ANSWER);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 1);
	CHECK_EQ_INT(ask(lz, "y.onion", RR_TYPE_A, &m, &a), LOCAL_ANSWER);
	CHECK(m.rcode == RCODE_NXDOMAIN && m.count[SEC_AUTHORITY] == 0);
	localzone_free(lz);
	arena_free_all(&a);
}

/* resolverd -l: every zone, in canonical order, built-in ones marked. */
static void
test_print(void)
{
	struct local_line l[] = {
		{ LOCAL_ZONE_LINE, "test. nodefault", 1 },
		{ LOCAL_ZONE_LINE, "ads.example always_nxdomain", 2 },
		{ LOCAL_DATA_LINE, "www.nic.cz A 1.2.3.4", 3 },
	};
	char err[256], *buf = NULL;
	size_t len = 0;
	struct local_zones *lz = make(l, 3, err);
	FILE *f = open_memstream(&buf, &len);
	int lines = 0;
	char *p;

	CHECK(lz != NULL && f != NULL);
	if (lz == NULL || f == NULL)
		return;
	localzone_print(lz, f);
	fclose(f);
	for (p = buf; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	CHECK_EQ_INT(lines, BUILTIN_ZONES - 1 + 2);
	CHECK(strstr(buf, "home.arpa. static built-in\n") == buf);
	CHECK(strstr(buf, "\nlocalhost. redirect built-in\n") != NULL);
	CHECK(strstr(buf, "\nads.example. always_nxdomain\n") != NULL);
	CHECK(strstr(buf, "\nwww.nic.cz. transparent implicit\n") != NULL);
	CHECK(strstr(buf, "test.") == NULL);
	free(buf);
	localzone_free(lz);
}

/* The top-level label check in front of the lookup: exact with a few
 * TLDs, a bitmap with many, everything with a zone at the root. */
static void
test_tld_filter(void)
{
	char text[40][32];
	struct local_line l[40];
	char name[64];
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(text[i], sizeof(text[i]), "blocked.tld%d refuse", i);
		l[i].kind = LOCAL_ZONE_LINE;
		l[i].text = text[i];
		l[i].line = i + 1;
	}
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "www.blocked.TLD%d", i);
		CHECK_EQ_INT(ask_with(l, 40, NULL, name, RR_TYPE_A), LOCAL_REFUSE);
		CHECK_EQ_INT(ask_with(l, 3, NULL, name, RR_TYPE_A), i < 3 ? LOCAL_REFUSE : LOCAL_PASS);
		snprintf(name, sizeof(name), "www.other.tld%d", i);
		CHECK_EQ_INT(ask_with(l, 40, NULL, name, RR_TYPE_A), LOCAL_PASS);
	}
	CHECK_EQ_INT(ask_with(l, 40, NULL, "x.LocalHost", RR_TYPE_A), LOCAL_ANSWER);
	CHECK_EQ_INT(ask_with(l, 40, NULL, "www.example.com", RR_TYPE_A), LOCAL_PASS);
	snprintf(text[0], sizeof(text[0]), ". refuse");
	CHECK_EQ_INT(ask_with(l, 1, NULL, "www.example.com", RR_TYPE_A), LOCAL_REFUSE);
	CHECK_EQ_INT(ask_with(l, 1, NULL, ".", RR_TYPE_NS), LOCAL_REFUSE);
	CHECK_EQ_INT(ask_with(l, 1, NULL, "localhost", RR_TYPE_A), LOCAL_ANSWER);
	CHECK_EQ_INT(ask_with(NULL, 0, NULL, ".", RR_TYPE_NS), LOCAL_PASS);
}

/* Through resolver.conf: stub and forward zones reach the table, and so
 * do unblock-lan-zones and nodefault. */
static enum local_verdict
ask_conf(const char *text, const char *name, uint16_t type)
{
	char path[] = "/tmp/test_localzone.XXXXXX", err[1024];
	int fd = mkstemp(path);
	struct config *cfg;
	struct dns_msg m;
	struct arena a;
	enum local_verdict v = (enum local_verdict)-1;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(path);
		exit(2);
	}
	close(fd);
	cfg = config_load(path, err, sizeof(err));
	unlink(path);
	CHECK(cfg != NULL && cfg->local != NULL);
	if (cfg == NULL) {
		fprintf(stderr, "%s\n", err);
		return v;
	}
	arena_init(&a, 4096);
	v = ask(cfg->local, name, type, &m, &a);
	arena_free_all(&a);
	config_free(cfg);
	return v;
}

static void
test_config_wiring(void)
{
	static const char zones[] =
	    "server:\n"
	    "stub-zone:\n  name: \"10.in-addr.arpa.\"\n  stub-addr: 192.0.2.1\n"
	    "forward-zone:\n  name: onion\n  forward-addr: 192.0.2.2\n"
	    "forward-zone:\n  name: \".\"\n  forward-addr: 192.0.2.3\n";

	CHECK_EQ_INT(ask_conf("server:\n", "localhost", RR_TYPE_A), LOCAL_ANSWER);
	CHECK_EQ_INT(ask_conf("server:\n", "1.2.3.10.in-addr.arpa", RR_TYPE_PTR), LOCAL_ANSWER);
	CHECK_EQ_INT(ask_conf(zones, "1.2.3.10.in-addr.arpa", RR_TYPE_PTR), LOCAL_PASS);
	CHECK_EQ_INT(ask_conf(zones, "x.onion", RR_TYPE_A), LOCAL_PASS);
	CHECK_EQ_INT(ask_conf(zones, "x.test", RR_TYPE_A), LOCAL_ANSWER);
	CHECK_EQ_INT(ask_conf(zones, "1.1.168.192.in-addr.arpa", RR_TYPE_PTR), LOCAL_ANSWER);
	CHECK_EQ_INT(ask_conf("unblock-lan-zones: yes\n", "1.1.168.192.in-addr.arpa", RR_TYPE_PTR),
	    LOCAL_PASS);
	CHECK_EQ_INT(ask_conf("unblock-lan-zones: yes\n", "x.invalid", RR_TYPE_A), LOCAL_ANSWER);
	CHECK_EQ_INT(ask_conf("local-zone: \"test.\" nodefault\n", "x.test", RR_TYPE_A), LOCAL_PASS);
	CHECK_EQ_INT(ask_conf("local-zone: test transparent\n", "x.test", RR_TYPE_A), LOCAL_PASS);
}

int
main(void)
{
	RUN(test_implicit_local_data);
	RUN(test_zone_types);
	RUN(test_errors);
	RUN(test_builtin_answers);
	RUN(test_builtin_off);
	RUN(test_builtin_unblock_lan);
	RUN(test_builtin_served);
	RUN(test_builtin_with_data);
	RUN(test_print);
	RUN(test_tld_filter);
	RUN(test_config_wiring);
	return unit_summary();
}
