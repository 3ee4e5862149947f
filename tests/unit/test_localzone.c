/*
 * test_localzone.c -- local-zone / local-data / local-data-ptr answers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "daemon/localzone.h"
#include "util/wire.h"
#include "unit.h"

static struct local_zones *
make(const struct local_line *lines, int n, char *err)
{
	return localzone_create(lines, n, "test.conf", err, 256);
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
	};
	char err[256];
	struct local_zones *lz = make(l, 11, err);
	struct dns_msg m;
	struct arena a;
	int zones, sets;

	arena_init(&a, 4096);
	CHECK(lz != NULL);
	localzone_counts(lz, &zones, &sets);
	CHECK_EQ_INT(zones, 6);
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

int
main(void)
{
	RUN(test_implicit_local_data);
	RUN(test_zone_types);
	RUN(test_errors);
	return unit_summary();
}
