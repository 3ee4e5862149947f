/*
 * test_netaddr.c -- address and netblock parsing and matching.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "util/netaddr.h"
#include "unit.h"

static const struct sockaddr *
sa(const char *s)
{
	static struct netaddr a[4];
	static int i;
	struct netaddr *n = &a[i++ % 4];

	if (netaddr_parse(s, 53, n) < 0)
		memset(n, 0, sizeof(*n));
	return (const struct sockaddr *)&n->ss;
}

static void
test_parse(void)
{
	struct netaddr a;
	char buf[64];

	CHECK_EQ_INT(netaddr_parse("192.0.2.1", 53, &a), 0);
	CHECK_EQ_INT(a.ss.ss_family, AF_INET);
	CHECK_EQ_INT(a.len, sizeof(struct sockaddr_in));
	CHECK_EQ_INT(netaddr_port((struct sockaddr *)&a.ss), 53);
	CHECK_STR(netaddr_str((struct sockaddr *)&a.ss, buf, sizeof(buf)), "192.0.2.1#53");
	CHECK_EQ_INT(netaddr_parse("192.0.2.1@5353", 53, &a), 0);
	CHECK_EQ_INT(netaddr_port((struct sockaddr *)&a.ss), 5353);
	CHECK_EQ_INT(netaddr_parse("192.0.2.1#853", 53, &a), 0);
	CHECK_EQ_INT(netaddr_port((struct sockaddr *)&a.ss), 853);
	CHECK_EQ_INT(netaddr_parse("2001:db8::1", 53, &a), 0);
	CHECK_EQ_INT(a.ss.ss_family, AF_INET6);
	CHECK_EQ_INT(a.len, sizeof(struct sockaddr_in6));
	CHECK_EQ_INT(netaddr_parse("::1@0", 53, &a), 0);
	CHECK_EQ_INT(netaddr_port((struct sockaddr *)&a.ss), 0);
	CHECK_STR(netaddr_str((struct sockaddr *)&a.ss, buf, sizeof(buf)), "::1#0");

	CHECK_EQ_INT(netaddr_parse("", 53, &a), -1);
	CHECK_EQ_INT(netaddr_parse("1.2.3", 53, &a), -1);
	CHECK_EQ_INT(netaddr_parse("1.2.3.4@", 53, &a), -1);
	CHECK_EQ_INT(netaddr_parse("1.2.3.4@65536", 53, &a), -1);
	CHECK_EQ_INT(netaddr_parse("1.2.3.4@-1", 53, &a), -1);
	CHECK_EQ_INT(netaddr_parse("1.2.3.4@53x", 53, &a), -1);
	CHECK_EQ_INT(netaddr_parse("example.com", 53, &a), -1);
	CHECK_EQ_INT(netaddr_parse("::g", 53, &a), -1);
	CHECK_EQ_INT(netaddr_parse("1.2.3.4 ", 53, &a), -1);
}

static void
test_blocks(void)
{
	struct netblock b;

	CHECK_EQ_INT(netblock_parse("10.0.0.0/8", &b), 0);
	CHECK_EQ_INT(b.prefix, 8);
	CHECK(netblock_contains(&b, sa("10.1.2.3")));
	CHECK(!netblock_contains(&b, sa("11.1.2.3")));
	CHECK(netblock_contains(&b, sa("::ffff:10.9.9.9")));
	CHECK(!netblock_contains(&b, sa("::ffff:11.9.9.9")));
	CHECK(!netblock_contains(&b, sa("2001:db8::1")));

	/* Host bits are cleared. */
	CHECK_EQ_INT(netblock_parse("192.168.1.77/24", &b), 0);
	CHECK(netblock_contains(&b, sa("192.168.1.1")));
	CHECK(((struct sockaddr_in *)&b.ss)->sin_addr.s_addr == inet_addr("192.168.1.0"));

	CHECK_EQ_INT(netblock_parse("192.0.2.1", &b), 0);
	CHECK_EQ_INT(b.prefix, 32);
	CHECK(netblock_contains(&b, sa("192.0.2.1")));
	CHECK(!netblock_contains(&b, sa("192.0.2.2")));

	CHECK_EQ_INT(netblock_parse("0.0.0.0/0", &b), 0);
	CHECK(netblock_contains(&b, sa("203.0.113.9")));
	CHECK(netblock_contains(&b, sa("::ffff:1.2.3.4")));
	CHECK(!netblock_contains(&b, sa("::1")));

	CHECK_EQ_INT(netblock_parse("2001:db8::/32", &b), 0);
	CHECK(netblock_contains(&b, sa("2001:db8:ffff::1")));
	CHECK(!netblock_contains(&b, sa("2001:db9::1")));
	CHECK(!netblock_contains(&b, sa("10.0.0.1")));
	CHECK_EQ_INT(netblock_parse("2001:db8::/33", &b), 0);
	CHECK(netblock_contains(&b, sa("2001:db8:7fff::1")));
	CHECK(!netblock_contains(&b, sa("2001:db8:8000::1")));

	CHECK_EQ_INT(netblock_parse("::/0", &b), 0);
	CHECK(netblock_contains(&b, sa("2001:db8::1")));
	CHECK_EQ_INT(netblock_parse("::1", &b), 0);
	CHECK_EQ_INT(b.prefix, 128);
	CHECK(netblock_contains(&b, sa("::1")));
	CHECK(!netblock_contains(&b, sa("::2")));

	/* A v4-mapped block matches IPv4 addresses. */
	CHECK_EQ_INT(netblock_parse("::ffff:10.0.0.0/104", &b), 0);
	CHECK(netblock_contains(&b, sa("10.2.3.4")));
	CHECK(!netblock_contains(&b, sa("11.2.3.4")));

	CHECK_EQ_INT(netblock_parse("10.0.0.0/33", &b), -1);
	CHECK_EQ_INT(netblock_parse("10.0.0.0/", &b), -1);
	CHECK_EQ_INT(netblock_parse("10.0.0.0/-1", &b), -1);
	CHECK_EQ_INT(netblock_parse("::/129", &b), -1);
	CHECK_EQ_INT(netblock_parse("/8", &b), -1);
	CHECK_EQ_INT(netblock_parse("10.0.0.0/8x", &b), -1);
}

static void
test_loopback_equal(void)
{
	CHECK(netaddr_is_loopback(sa("127.0.0.1")));
	CHECK(netaddr_is_loopback(sa("127.200.0.1")));
	CHECK(netaddr_is_loopback(sa("::1")));
	CHECK(netaddr_is_loopback(sa("::ffff:127.0.0.1")));
	CHECK(!netaddr_is_loopback(sa("128.0.0.1")));
	CHECK(!netaddr_is_loopback(sa("::2")));
	CHECK(!netaddr_is_loopback(sa("::ffff:10.0.0.1")));

	CHECK(netaddr_equal(sa("192.0.2.1"), sa("192.0.2.1@53")));
	CHECK(!netaddr_equal(sa("192.0.2.1"), sa("192.0.2.1@54")));
	CHECK(!netaddr_equal(sa("192.0.2.1"), sa("192.0.2.2")));
	CHECK(netaddr_equal(sa("2001:db8::1"), sa("2001:db8::1#53")));
	CHECK(!netaddr_equal(sa("2001:db8::1"), sa("2001:db8::2")));
	CHECK(!netaddr_equal(sa("::ffff:1.2.3.4"), sa("1.2.3.4")));
}

int
main(void)
{
	RUN(test_parse);
	RUN(test_blocks);
	RUN(test_loopback_equal);
	return unit_summary();
}
