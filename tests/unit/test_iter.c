/*
 * test_iter.c -- the engine's resolution in the world of iter_world.c:
 * walks, caching, failures, server selection, budgets.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "iter_world.h"
#include "unit.h"

static void
test_full_walk_and_cache(void)
{
	struct arena a;
	struct dns_msg m;
	int before;
	struct cache_stats st;

	for (int qmin = 0; qmin <= 1; qmin++) {
		setup(qmin);
		arena_init(&a, 4096);
		ask("www.example.com", RR_TYPE_A, 0);
		pump();
		CHECK_EQ_INT(answer_of(0, &m, &a), RCODE_NOERROR);
		CHECK_EQ_INT(m.count[SEC_ANSWER], 1);
		CHECK(has_a(&m, "www.example.com", "192.0.2.80"));
		CHECK_EQ_INT(m.count[SEC_AUTHORITY], 0);
		CHECK(m.flags & FLAG_RA);
		/* priming, then root, com and the example.com server each asked */
		CHECK(sent_to("198.41.0.4") >= 2);
		CHECK(sent_to("192.5.6.30") >= 1);
		CHECK(sent_to("192.0.2.1") + sent_to("192.0.2.9") == 1);
		CHECK(log_sent[0].qname[0] == 0 && log_sent[0].qtype == RR_TYPE_NS);
		if (qmin) {
			/* the root only ever sees "com." */
			for (int i = 1; i < nlog; i++)
				if (strcmp(log_sent[i].server, "198.41.0.4") == 0)
					CHECK_EQ_INT(dname_label_count(log_sent[i].qname), 1);
		}
		/* the same question later: from the cache, no upstream query */
		before = nlog;
		fake_now += 10;
		got[1].count = 0;
		ask("www.example.com", RR_TYPE_A, 1);
		pump();
		CHECK_EQ_INT(nlog, before);
		CHECK_EQ_INT(answer_of(1, &m, &a), RCODE_NOERROR);
		CHECK(m.count[SEC_ANSWER] == 1 && m.rr[SEC_ANSWER][0].ttl == 290);
		cache_get_stats(cache, &st);
		CHECK(st.answers >= 1);
		arena_free_all(&a);
		teardown();
	}
}

static void
test_cname_across_zones_and_oob_ns(void)
{
	struct arena a;
	struct dns_msg m;

	setup(true);
	arena_init(&a, 4096);
	ask("alias.example.com", RR_TYPE_A, 0);
	pump();
	CHECK_EQ_INT(answer_of(0, &m, &a), RCODE_NOERROR);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 2);
	CHECK(m.count[SEC_ANSWER] >= 1 && m.rr[SEC_ANSWER][0].type == RR_TYPE_CNAME);
	/* the real address from other.com's own server, not the planted one */
	CHECK(has_a(&m, "www.other.com", "192.0.2.81"));
	CHECK(!has_a(&m, "www.other.com", "6.6.6.6"));
	/* other.com's server name had to be resolved via example.net */
	CHECK(sent_to("192.0.2.2") >= 1);
	CHECK(sent_to("192.0.2.3") >= 1);
	CHECK(sent_to("6.6.6.6") == 0);
	arena_free_all(&a);
	teardown();
}

static void
test_nxdomain_negative_ttl(void)
{
	struct arena a;
	struct dns_msg m;
	int before;

	setup(false);
	arena_init(&a, 4096);
	ask("nx.example.com", RR_TYPE_A, 0);
	pump();
	CHECK_EQ_INT(answer_of(0, &m, &a), RCODE_NXDOMAIN);
	CHECK_EQ_INT(m.count[SEC_AUTHORITY], 1);
	/* RFC 2308: min(SOA TTL 3600, MINIMUM 60) */
	CHECK(m.count[SEC_AUTHORITY] == 1 && m.rr[SEC_AUTHORITY][0].type == RR_TYPE_SOA &&
	    m.rr[SEC_AUTHORITY][0].ttl == 60);
	before = nlog;
	fake_now += 30;
	ask("nx.example.com", RR_TYPE_A, 1);
	pump();
	CHECK_EQ_INT(nlog, before);
	CHECK_EQ_INT(answer_of(1, &m, &a), RCODE_NXDOMAIN);
	CHECK(m.count[SEC_AUTHORITY] == 1 && m.rr[SEC_AUTHORITY][0].ttl == 30);
	/* NODATA: the name exists, the type does not */
	ask("www.example.com", RR_TYPE_TXT, 2);
	pump();
	CHECK_EQ_INT(answer_of(2, &m, &a), RCODE_NOERROR);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 0);
	CHECK_EQ_INT(m.count[SEC_AUTHORITY], 1);
	arena_free_all(&a);
	teardown();
}

static void
test_dead_server_and_coalescing(void)
{
	struct arena a;
	struct dns_msg m;

	setup(false);
	arena_init(&a, 4096);
	dead_server = "192.0.2.9";
	/* three clients, one question: one resolution */
	ask("www.example.com", RR_TYPE_A, 0);
	ask("www.example.com", RR_TYPE_A, 1);
	ask("WWW.Example.COM", RR_TYPE_A, 2);
	pump();
	for (int c = 0; c < 3; c++) {
		CHECK_EQ_INT(answer_of(c, &m, &a), RCODE_NOERROR);
		CHECK(has_a(&m, "www.example.com", "192.0.2.80"));
	}
	CHECK(sent_to("192.0.2.1") == 1);
	CHECK(sent_to("192.0.2.9") <= 1);
	arena_free_all(&a);
	teardown();
}

static void
test_all_dead_servfail_ede(void)
{
	setup(false);
	dead_server = "198.41.0.4";
	ask("www.example.com", RR_TYPE_A, 0);
	pump();
	CHECK_EQ_INT(got[0].count, 1);
	CHECK(got[0].len >= 12 && (got[0].wire[3] & 0xf) == RCODE_SERVFAIL);
	CHECK_EQ_INT(got[0].ede, EDE_NO_REACHABLE_AUTHORITY);
	/* bounded: a handful of tries, not a storm */
	CHECK(nlog <= 6);
	teardown();
}

static void
test_tc_retries_over_tcp(void)
{
	struct arena a;
	struct dns_msg m;
	int i, tcp = 0;

	setup(false);
	arena_init(&a, 4096);
	big_answer_tc = true;
	ask("big.example.com", RR_TYPE_TXT, 0);
	pump();
	CHECK_EQ_INT(answer_of(0, &m, &a), RCODE_NOERROR);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 1);
	for (i = 0; i < nlog; i++)
		if (log_sent[i].tcp)
			tcp++;
	CHECK_EQ_INT(tcp, 1);
	arena_free_all(&a);
	teardown();
}


/* With several root addresses of different speed, nearly all queries go
 * to the fastest two once each has been measured. */
static void
test_selection_prefers_fastest(void)
{
	char name[64];
	int i, fast = 0, total, before[4];
	const char *ips[4] = { "198.41.0.4", "198.41.0.5", "198.41.0.6", "198.41.0.7" };

	setup(false);
	cfg->explore_permille = default_explore;
	add_root_addrs();
	root_rtt[0] = 200;    /* 198.41.0.4 */
	root_rtt[1] = 1;      /* .5: the fastest */
	root_rtt[2] = 5;      /* .6: second */
	root_rtt[3] = 80;     /* .7 */
	/* every root address is measured at once: a short warm-up will do */
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "warm%d", i);
		ask(name, RR_TYPE_A, 0);
		pump();
		got[0].count = 0;
	}
	for (i = 0; i < 4; i++)
		before[i] = sent_to(ips[i]);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "tld%d", i);
		ask(name, RR_TYPE_A, 0);
		pump();
		CHECK_EQ_INT(got[0].count, 1);
		got[0].count = 0;
	}
	fast = sent_to(ips[1]) - before[1] + sent_to(ips[2]) - before[2];
	total = fast + sent_to(ips[0]) - before[0] + sent_to(ips[3]) - before[3];
	fprintf(stderr, "  root queries after warm-up: %d to the fastest two of %d\n", fast, total);
	CHECK(total >= 300);
	CHECK(fast * 100 >= total * 90);
	/* but the others are still measured now and then */
	CHECK(sent_to(ips[0]) + sent_to(ips[3]) > 0);
	/* the fastest turns slow (anycast moved): traffic follows at once */
	root_rtt[1] = 300;
	before[1] = sent_to(ips[1]);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "moved%d", i);
		ask(name, RR_TYPE_A, 0);
		pump();
		got[0].count = 0;
	}
	fprintf(stderr, "  after it slowed down: %d of 100 to the former fastest\n",
	    sent_to(ips[1]) - before[1]);
	CHECK(sent_to(ips[1]) - before[1] <= 10);
	/* a slow one turns fastest (its anycast route moved): the probes
	 * notice, and traffic follows within a few hundred questions */
	root_rtt[3] = 0;
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "faster%d", i);
		ask(name, RR_TYPE_A, 0);
		pump();
		got[0].count = 0;
	}
	before[3] = sent_to(ips[3]);
	total = nlog;
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "after%d", i);
		ask(name, RR_TYPE_A, 0);
		pump();
		got[0].count = 0;
	}
	fprintf(stderr, "  after 198.41.0.7 turned fastest: %d of the next %d root queries went to it\n",
	    sent_to(ips[3]) - before[3], nlog - total);
	CHECK((sent_to(ips[3]) - before[3]) * 100 >= (nlog - total) * 80);
	teardown();
}

/* Every server of a zone silent: after the first failure, queries for
 * the zone fail at once without upstream traffic until the holddown is
 * over; then one probe goes out. */
static void
test_dead_zone_held_down(void)
{
	int before, i;

	setup(false);
	dead_server = "192.0.2.1";
	dead_server2 = "192.0.2.9";
	ask("a.example.com", RR_TYPE_A, 0);
	pump();
	CHECK_EQ_INT(got[0].count, 1);
	CHECK((got[0].wire[3] & 0xf) == RCODE_SERVFAIL);
	before = nlog;
	for (i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof(name), "b%d.example.com", i);
		got[1].count = 0;
		ask(name, RR_TYPE_A, 1);
		pump();
		CHECK_EQ_INT(got[1].count, 1);
		CHECK((got[1].wire[3] & 0xf) == RCODE_SERVFAIL);
		CHECK_EQ_INT(got[1].ede, EDE_NO_REACHABLE_AUTHORITY);
	}
	CHECK_EQ_INT(nlog, before);            /* nothing sent meanwhile */
	fake_ms += 60000;                      /* holddown over */
	dead_server = dead_server2 = NULL;     /* and the servers are back */
	got[2].count = 0;
	ask("www.example.com", RR_TYPE_A, 2);
	pump();
	CHECK_EQ_INT(got[2].count, 1);
	CHECK((got[2].wire[3] & 0xf) == RCODE_NOERROR);
	CHECK(nlog > before);
	teardown();
}

/* A burst of questions (the chaos lab's random-subdomain flood) to a
 * zone whose servers answer in 900 ms, more than the first timeouts:
 * every question fails together, each calling the zone down. That is one
 * outage: held for the first step of the backoff, after which the probe,
 * sent with the timeout the timeouts backed off to, gets the slow
 * servers' answer. Counting each failed question held the zone for 30 s
 * at once. */
static void
test_slow_zone_burst(void)
{
	char name[32];
	int i, ok = 0;

	setup(false);
	slow_server = "192.0.2.1";
	slow_server2 = "192.0.2.9";
	slow_ms = 900;
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "b%d.example.com", i);
		ask(name, RR_TYPE_A, i);
	}
	pump();
	for (i = 0; i < 40; i++) {
		CHECK_EQ_INT(got[i].count, 1);
		ok += (got[i].wire[3] & 0xf) == RCODE_NOERROR;
	}
	fprintf(stderr, "  %d of 40 answered in the burst; the slow servers got %d queries\n",
	    ok, sent_to("192.0.2.1") + sent_to("192.0.2.9"));
	CHECK(sent_to("192.0.2.1") + sent_to("192.0.2.9") <= 2 * 40 + 4);
	fake_ms += 3000;
	ask("www.example.com", RR_TYPE_A, 50);
	pump();
	CHECK_EQ_INT(got[50].count, 1);
	CHECK_EQ_INT(got[50].wire[3] & 0xf, RCODE_NOERROR);
	teardown();
}

/* A refresh asks upstream although the cache holds the answer, delivers
 * to nobody, and a failed refresh leaves the cached answer alone. */
static void
test_refresh(void)
{
	uint8_t n[DNAME_MAX], out[4096];
	struct cache_answer_info info;
	int before;

	setup(false);
	ask("www.example.com", RR_TYPE_A, 0);
	pump();
	CHECK_EQ_INT(got[0].count, 1);
	before = sent_to("192.0.2.1") + sent_to("192.0.2.9");
	dname_from_str("www.example.com", n);
	iter_refresh(it, n, RR_TYPE_A, RR_CLASS_IN, FLAG_RD);
	pump();
	CHECK_EQ_INT(sent_to("192.0.2.1") + sent_to("192.0.2.9"), before + 1);
	CHECK_EQ_INT(got[0].count, 1);
	/* now both servers die; the refresh fails, the answer stays */
	dead_server = "192.0.2.1";
	dead_server2 = "192.0.2.9";
	iter_refresh(it, n, RR_TYPE_A, RR_CLASS_IN, FLAG_RD);
	pump();
	CHECK(cache_answer_lookup(cache, n, RR_TYPE_A, RR_CLASS_IN, 0, fake_now, 0, 0,
	    out, sizeof(out), &info) > 0);
	CHECK_EQ_INT(info.rcode, RCODE_NOERROR);
	/* expired, servers still dead: the stale entry is kept and marked
	 * for recheck instead of being replaced by the failure */
	fake_now += 400;
	fake_ms += 120000;
	cfg->serve_expired = true;
	got[1].count = 0;
	ask("www.example.com", RR_TYPE_A, 1);
	pump();
	CHECK_EQ_INT(got[1].count, 1);
	CHECK((got[1].wire[3] & 0xf) == RCODE_SERVFAIL);
	CHECK(cache_answer_lookup(cache, n, RR_TYPE_A, RR_CLASS_IN, 0, fake_now, 3600, 30,
	    out, sizeof(out), &info) > 0);
	CHECK(info.stale && info.recheck);
	CHECK_EQ_INT(info.rcode, RCODE_NOERROR);
	teardown();
}

/* One of a zone's two servers dead: after the first question or two,
 * answers come without waiting for it (probes of it go on the side). */
static void
test_one_dead_server_no_waiting(void)
{
	char name[64];
	int i, slow = 0;

	setup(false);
	cfg->explore_permille = default_explore;
	dead_server = "192.0.2.9";
	for (i = 0; i < 200; i++) {
		uint64_t start = fake_ms;
		snprintf(name, sizeof(name), "n%d.example.com", i);
		got[0].count = 0;
		ask(name, RR_TYPE_A, 0);
		pump();
		CHECK_EQ_INT(got[0].count, 1);
		if (got[0].at_ms - start >= 400)
			slow++;
		fake_ms += 50;        /* 20 questions a second */
	}
	fprintf(stderr, "  %d of 200 answers waited for the dead server; it got %d queries\n",
	    slow, sent_to("192.0.2.9"));
	CHECK(slow <= 1);
	CHECK(sent_to("192.0.2.9") <= 12);
	teardown();
}

/* A referral naming 20 name servers without addresses (NXNSAttack): only
 * a few are looked up before the question fails. */
static void
test_nxns_bounded(void)
{
	uint8_t victim[DNAME_MAX];
	int i, lookups = 0;

	setup(false);
	dname_from_str("victim.example.net", victim);
	ask("www.nxns.com", RR_TYPE_A, 0);
	pump();
	CHECK_EQ_INT(got[0].count, 1);
	CHECK((got[0].wire[3] & 0xf) == RCODE_SERVFAIL);
	for (i = 0; i < nlog; i++) {
		bool seen = false;
		if (!dname_is_subdomain(log_sent[i].qname, victim))
			continue;
		for (int j = 0; j < i; j++)
			if (dname_equal(log_sent[j].qname, log_sent[i].qname))
				seen = true;
		if (!seen)
			lookups++;
	}
	fprintf(stderr, "  %d of the 20 name server names looked up\n", lookups);
	CHECK(lookups >= 1 && lookups <= 6);
	teardown();
}

/* TCP to the servers fails: once it has, a truncated reply is not chased
 * over TCP to the same server again for a while. */
static void
test_tcp_failure_remembered(void)
{
	int i, tcp = 0, before;

	setup(false);
	big_answer_tc = true;
	tcp_dead = true;
	ask("big.example.com", RR_TYPE_TXT, 0);
	pump();
	CHECK_EQ_INT(got[0].count, 1);
	CHECK((got[0].wire[3] & 0xf) == RCODE_SERVFAIL);
	before = nlog;
	ask("big2.example.com", RR_TYPE_TXT, 1);
	pump();
	CHECK_EQ_INT(got[1].count, 1);
	for (i = before; i < nlog; i++)
		if (log_sent[i].tcp)
			tcp++;
	CHECK_EQ_INT(tcp, 0);
	CHECK(nlog > before);        /* it did try, over UDP */
	teardown();
}

/* Name server lookups that breed more lookups without end: the client
 * question's budget (subqueries included) stops them. */
static void
test_work_budget(void)
{
	int queries;

	setup(false);
	ask("www.x.deep.com", RR_TYPE_A, 0);
	pump();
	CHECK_EQ_INT(got[0].count, 1);
	CHECK((got[0].wire[3] & 0xf) == RCODE_SERVFAIL);
	queries = sent_to("192.5.6.30");
	fprintf(stderr, "  %d upstream queries for one question (budget 100)\n", nlog);
	CHECK(queries > 20);
	CHECK(nlog <= 110);
	teardown();
}

int
main(void)
{
	if (getenv("TEST_VERBOSE"))
		log_verbosity = 4;
	RUN(test_full_walk_and_cache);
	RUN(test_cname_across_zones_and_oob_ns);
	RUN(test_nxdomain_negative_ttl);
	RUN(test_dead_server_and_coalescing);
	RUN(test_all_dead_servfail_ede);
	RUN(test_tc_retries_over_tcp);
	RUN(test_selection_prefers_fastest);
	RUN(test_dead_zone_held_down);
	RUN(test_slow_zone_burst);
	RUN(test_refresh);
	RUN(test_one_dead_server_no_waiting);
	RUN(test_nxns_bounded);
	RUN(test_tcp_failure_remembered);
	RUN(test_work_budget);
	return unit_summary();
}
