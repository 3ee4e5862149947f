/*
 * test_infra.c -- what the engine remembers about upstream addresses and
 * zones (src/iter/infra.c): RTT smoothing, timeouts and holddown, the
 * probe that re-arms it, expiry, the bound on entries, and zone holddown.
 * White-box: it uses the engine's internal header.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "iter/iter_internal.h"
#include "unit.h"

static struct netaddr
addr(const char *ip)
{
	struct netaddr a;
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;

	memset(&a, 0, sizeof(a));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(53);
	inet_pton(AF_INET, ip, &sin->sin_addr);
	a.len = sizeof(*sin);
	return a;
}

static void
test_rtt_and_rto(void)
{
	struct infra *inf = infra_create(100, 900);
	struct netaddr a = addr("192.0.2.1");
	struct infra_view v;
	int i;

	infra_view(inf, &a, 1000, &v);
	CHECK_EQ_INT(v.score, INFRA_RTT_UNKNOWN);
	CHECK_EQ_INT(v.rto, INFRA_RTO_INITIAL);
	for (i = 0; i < 20; i++)
		infra_report_rtt(inf, &a, 30, 1000 + i);
	infra_view(inf, &a, 1100, &v);
	CHECK(v.score >= 29 && v.score <= 32);
	CHECK_EQ_INT(v.rto, INFRA_RTO_MIN);        /* 30 ms + variance, floored */
	/* a slow sample moves the estimate, not all the way */
	infra_report_rtt(inf, &a, 300, 1200);
	infra_view(inf, &a, 1200, &v);
	CHECK(v.score > 50 && v.score < 100);
	/* a reply in under half the usual time (a nearer anycast instance)
	 * closes half the gap at once */
	infra_report_rtt(inf, &a, 4, 1300);
	infra_view(inf, &a, 1300, &v);
	CHECK(v.score > 25 && v.score < 55);
	infra_destroy(inf);
}

static void
test_timeouts_holddown_probe(void)
{
	struct infra *inf = infra_create(100, 900);
	struct netaddr a = addr("192.0.2.1");
	struct infra_view v;
	uint64_t t = 10000;

	infra_report_rtt(inf, &a, 10, t);
	/* one timeout: suspect and resting, not down, ranked as slow as it cost */
	infra_report_timeout(inf, &a, t);
	infra_view(inf, &a, t, &v);
	CHECK(v.suspect && v.resting && !v.down && !v.held);
	CHECK(v.score >= INFRA_RTO_MIN);
	CHECK_EQ_INT(v.rto, 2 * INFRA_RTO_MIN);
	infra_view(inf, &a, t + INFRA_HOLDDOWN_MIN, &v);
	CHECK(!v.resting);
	/* three in a row: down, held for INFRA_HOLDDOWN_MIN */
	infra_report_timeout(inf, &a, t);
	infra_report_timeout(inf, &a, t);
	infra_view(inf, &a, t + 1, &v);
	CHECK(v.down && v.held);
	infra_view(inf, &a, t + INFRA_HOLDDOWN_MIN, &v);
	CHECK(v.down && !v.held);
	/* the probe re-arms the holddown (doubled) for everyone else */
	t += INFRA_HOLDDOWN_MIN;
	infra_on_send(inf, &a, t);
	infra_view(inf, &a, t + 1, &v);
	CHECK(v.held);
	CHECK_EQ_INT(v.outstanding, 1);
	infra_view(inf, &a, t + 2 * INFRA_HOLDDOWN_MIN - 1, &v);
	CHECK(v.held);
	infra_view(inf, &a, t + 2 * INFRA_HOLDDOWN_MIN, &v);
	CHECK(!v.held);
	/* failed probes double the holddown up to the maximum */
	for (int i = 0; i < 12; i++)
		infra_report_timeout(inf, &a, t);
	infra_view(inf, &a, t + INFRA_HOLDDOWN_MAX - 1, &v);
	CHECK(v.held);
	infra_view(inf, &a, t + INFRA_HOLDDOWN_MAX, &v);
	CHECK(!v.held);
	/* a reply makes it healthy at once, with a fresh estimate */
	infra_on_done(inf, &a, t);
	infra_report_rtt(inf, &a, 12, t + 5);
	infra_view(inf, &a, t + 5, &v);
	CHECK(!v.suspect && !v.down && !v.held && !v.resting);
	CHECK_EQ_INT(v.score, 13);
	CHECK_EQ_INT(v.outstanding, 0);
	infra_destroy(inf);
}

static void
test_expiry_and_bound(void)
{
	struct infra *inf = infra_create(16, 900);
	struct netaddr a = addr("192.0.2.1");
	struct infra_view v;
	char ip[32];
	int i, known = 0;

	infra_report_rtt(inf, &a, 20, 0);
	infra_view(inf, &a, 899999, &v);
	CHECK(v.score != INFRA_RTT_UNKNOWN);
	infra_view(inf, &a, 900000, &v);
	CHECK_EQ_INT(v.score, INFRA_RTT_UNKNOWN);     /* infra-host-ttl passed */
	/* 1000 addresses into room for 16: at most 16 are remembered */
	for (i = 0; i < 1000; i++) {
		struct netaddr b;
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 250, i % 250);
		b = addr(ip);
		infra_report_rtt(inf, &b, 20, 1000000 + (uint64_t)i);
	}
	for (i = 0; i < 1000; i++) {
		struct netaddr b;
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 250, i % 250);
		b = addr(ip);
		infra_view(inf, &b, 1002000, &v);
		if (v.score != INFRA_RTT_UNKNOWN)
			known++;
	}
	CHECK(known > 0 && known <= 16);
	infra_destroy(inf);
}

static void
test_zone_holddown(void)
{
	struct infra *inf = infra_create(100, 900);
	const uint8_t zone[] = "\7example\3com";
	const uint8_t other[] = "\5other\3com";
	bool probe;
	uint64_t t = 5000;

	CHECK(!infra_zone_held(inf, zone, t, &probe) && !probe);
	infra_zone_down(inf, zone, t);
	CHECK(infra_zone_held(inf, zone, t + 1, &probe));
	CHECK(!infra_zone_held(inf, other, t + 1, &probe));
	/* holddown over: exactly one question passes, as the probe */
	CHECK(!infra_zone_held(inf, zone, t + INFRA_HOLDDOWN_MIN, &probe) && probe);
	CHECK(infra_zone_held(inf, zone, t + INFRA_HOLDDOWN_MIN + 1, &probe));
	/* it failed: held twice as long */
	infra_zone_down(inf, zone, t + INFRA_HOLDDOWN_MIN);
	CHECK(infra_zone_held(inf, zone, t + 3 * INFRA_HOLDDOWN_MIN - 1, &probe));
	CHECK(!infra_zone_held(inf, zone, t + 3 * INFRA_HOLDDOWN_MIN, &probe) && probe);
	/* a server answered: not held any more */
	infra_zone_up(inf, zone);
	CHECK(!infra_zone_held(inf, zone, t + 3 * INFRA_HOLDDOWN_MIN + 1, &probe) && !probe);
	infra_destroy(inf);
}

/* A burst of questions for a zone whose servers went silent fails all
 * at once, each question calling infra_zone_down: that is one outage,
 * held down for the first step of the backoff, not one step per
 * question (100 questions held the zone for INFRA_HOLDDOWN_MAX at once;
 * found by the chaos lab's random-subdomain flood). */
static void
test_zone_burst_one_outage(void)
{
	struct infra *inf = infra_create(100, 900);
	const uint8_t zone[] = "\7example\3com";
	bool probe;
	uint64_t t = 5000;
	int i;

	for (i = 0; i < 100; i++)
		infra_zone_down(inf, zone, t + (uint64_t)i);
	CHECK(infra_zone_held(inf, zone, t + 100, &probe));
	CHECK(!infra_zone_held(inf, zone, t + INFRA_HOLDDOWN_MIN, &probe) && probe);
	/* the probe failed: now it doubles */
	infra_zone_down(inf, zone, t + INFRA_HOLDDOWN_MIN);
	CHECK(infra_zone_held(inf, zone, t + 3 * INFRA_HOLDDOWN_MIN - 1, &probe));
	CHECK(!infra_zone_held(inf, zone, t + 3 * INFRA_HOLDDOWN_MIN, &probe) && probe);
	infra_destroy(inf);
}

int
main(void)
{
	RUN(test_rtt_and_rto);
	RUN(test_timeouts_holddown_probe);
	RUN(test_expiry_and_bound);
	RUN(test_zone_holddown);
	RUN(test_zone_burst_one_outage);
	return unit_summary();
}
