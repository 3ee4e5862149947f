/*
 * test_iter.c -- the engine driven without any I/O: a fake environment
 * records the upstream queries, a small in-memory world of authoritative
 * servers answers them, and the clock is a variable.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "iter/iter.h"
#include "util/msgbuild.h"
#include "util/wire.h"
#include "util/log.h"
#include "unit.h"

#define MAXQ 256

struct sent {
	char server[64];
	uint8_t qname[DNAME_MAX];
	uint16_t qtype;
	bool tcp, rd;
	void *token;
	uint64_t due_ms;        /* when its reply (or timeout) comes */
	bool times_out;         /* slower than the timeout it was sent with */
};

static struct sent queue[MAXQ];
static int nqueue;
static struct sent log_sent[4096];
static int nlog;
static time_t fake_now = 1700000000;
static uint64_t fake_ms = 1000;

struct delivered {
	uint8_t wire[4096];
	size_t len;
	uint16_t ede;
	int count;
	uint64_t at_ms;         /* fake clock at delivery */
};
static struct delivered got[64];

static const char *dead_server;     /* never answers */
static const char *dead_server2;    /* neither does this one */
static const char *slow_server;     /* answers after slow_ms */
static const char *slow_server2;
static unsigned slow_ms;
static bool tcp_dead;               /* no TCP query is ever answered */
/* Extra round-trip time of the root addresses 198.41.0.4 .. 198.41.0.7
 * (every server takes 3 ms besides). */
static unsigned root_rtt[4];

static bool
is_dead(const char *server)
{
	return (dead_server != NULL && strcmp(server, dead_server) == 0) ||
	    (dead_server2 != NULL && strcmp(server, dead_server2) == 0);
}

static int
fake_send(void *io, const struct upstream_query *q, void *token)
{
	struct sent *s = &queue[nqueue++];

	(void)io;
	inet_ntop(q->server->ss.ss_family,
	    q->server->ss.ss_family == AF_INET ? (void *)&((struct sockaddr_in *)&q->server->ss)->sin_addr
	    : (void *)&((struct sockaddr_in6 *)&q->server->ss)->sin6_addr, s->server, sizeof(s->server));
	memcpy(s->qname, q->qname, dname_len(q->qname));
	s->qtype = q->qtype;
	s->tcp = q->tcp;
	s->rd = q->rd;
	s->token = token;
	s->due_ms = fake_ms + 3;
	if (strncmp(s->server, "198.41.0.", 9) == 0)
		s->due_ms += root_rtt[atoi(s->server + 9) - 4];
	if (is_dead(s->server) || (tcp_dead && q->tcp))
		s->due_ms = fake_ms + 400;
	s->times_out = false;
	if ((slow_server != NULL && strcmp(s->server, slow_server) == 0) ||
	    (slow_server2 != NULL && strcmp(s->server, slow_server2) == 0)) {
		s->times_out = slow_ms > q->timeout_ms;
		s->due_ms = fake_ms + (s->times_out ? q->timeout_ms : slow_ms);
	}
	if (nlog < 4096)
		log_sent[nlog++] = *s;
	return 0;
}

static void
fake_deliver(void *io, void *client, const uint8_t *wire, size_t len, uint16_t ede)
{
	struct delivered *d = &got[(intptr_t)client - 1];

	(void)io;
	memcpy(d->wire, wire, len < sizeof(d->wire) ? len : sizeof(d->wire));
	d->len = len;
	d->ede = ede;
	d->count++;
	d->at_ms = fake_ms;
}

static time_t fake_time(void *io) { (void)io; return fake_now; }
static uint64_t fake_time_ms(void *io) { (void)io; return fake_ms; }

/* ---- the world ---- */

static struct iter *it;
static struct cache *cache;
static struct iter_config *cfg;
static uint16_t default_explore;    /* the engine's exploration share */

static struct msg_builder rb;
static uint8_t rbuf[4096];
static bool big_answer_tc;          /* 192.0.2.1 truncates big.example.com over UDP */

static void
rr(enum msg_section sec, const char *owner, uint16_t type, uint32_t ttl, const char *data)
{
	uint8_t o[DNAME_MAX], rd[512];
	int rdlen = 0;

	dname_from_str(owner, o);
	switch (type) {
	case RR_TYPE_A:
		inet_pton(AF_INET, data, rd);
		rdlen = 4;
		break;
	case RR_TYPE_NS:
	case RR_TYPE_CNAME:
	case RR_TYPE_DNAME:
		rdlen = dname_from_str(data, rd);
		break;
	case RR_TYPE_SOA: {
		int n = dname_from_str("ns1.example.com", rd);
		n += dname_from_str("host.example.com", rd + n);
		wr32(rd + n, 1); wr32(rd + n + 4, 3600); wr32(rd + n + 8, 600);
		wr32(rd + n + 12, 86400); wr32(rd + n + 16, (uint32_t)atoi(data));
		rdlen = n + 20;
		break;
	}
	case RR_TYPE_TXT: {
		size_t l = strlen(data);
		rd[0] = (uint8_t)l;
		memcpy(rd + 1, data, l);
		rdlen = (int)l + 1;
		break;
	}
	}
	mb_rr(&rb, sec, o, type, RR_CLASS_IN, ttl, rd, (uint16_t)rdlen);
}

static bool
under(const uint8_t *name, const char *zone)
{
	uint8_t z[DNAME_MAX];

	dname_from_str(zone, z);
	return dname_is_subdomain(name, z);
}

static bool
is(const uint8_t *name, const char *s)
{
	uint8_t z[DNAME_MAX];

	dname_from_str(s, z);
	return dname_equal(name, z);
}

/* Build the reply of server `srv` to q into rbuf. Returns the length. */
static size_t
world_answer(const struct sent *q)
{
	const char *s = q->server;
	const uint8_t *n = q->qname;
	uint16_t flags = FLAG_QR | FLAG_AA, rcode = RCODE_NOERROR;

	mb_init(&rb, rbuf, sizeof(rbuf));
	if (strncmp(s, "198.41.0.", 9) == 0) {              /* the root */
		if (n[0] == 0 && q->qtype == RR_TYPE_NS) {
			mb_header(&rb, 0, flags, 0);
			mb_question(&rb, n, q->qtype, RR_CLASS_IN);
			rr(SEC_ANSWER, ".", RR_TYPE_NS, 518400, "a.root-servers.net");
			rr(SEC_ADDITIONAL, "a.root-servers.net", RR_TYPE_A, 518400, "198.41.0.4");
			if (cfg->hints.servers[0].naddrs > 1) {
				rr(SEC_ADDITIONAL, "a.root-servers.net", RR_TYPE_A, 518400, "198.41.0.5");
				rr(SEC_ADDITIONAL, "a.root-servers.net", RR_TYPE_A, 518400, "198.41.0.6");
				rr(SEC_ADDITIONAL, "a.root-servers.net", RR_TYPE_A, 518400, "198.41.0.7");
			}
		} else if (under(n, "com") || under(n, "net")) {
			mb_header(&rb, 0, FLAG_QR, 0);
			mb_question(&rb, n, q->qtype, RR_CLASS_IN);
			rr(SEC_AUTHORITY, under(n, "com") ? "com" : "net", RR_TYPE_NS, 172800, "a.gtld-servers.net");
			rr(SEC_ADDITIONAL, "a.gtld-servers.net", RR_TYPE_A, 172800, "192.5.6.30");
		} else {
			mb_header(&rb, 0, flags, RCODE_NXDOMAIN);
			mb_question(&rb, n, q->qtype, RR_CLASS_IN);
			rr(SEC_AUTHORITY, ".", RR_TYPE_SOA, 86400, "86400");
		}
		return mb_finish(&rb);
	}
	if (strcmp(s, "192.5.6.30") == 0) {                 /* com and net */
		mb_header(&rb, 0, FLAG_QR, 0);
		mb_question(&rb, n, q->qtype, RR_CLASS_IN);
		if (under(n, "example.com")) {
			rr(SEC_AUTHORITY, "example.com", RR_TYPE_NS, 172800, "ns1.example.com");
			rr(SEC_AUTHORITY, "example.com", RR_TYPE_NS, 172800, "ns2.example.com");
			rr(SEC_ADDITIONAL, "ns1.example.com", RR_TYPE_A, 172800, "192.0.2.1");
			rr(SEC_ADDITIONAL, "ns2.example.com", RR_TYPE_A, 172800, "192.0.2.9");
			/* out-of-bailiwick glue a hardened resolver must ignore */
			rr(SEC_ADDITIONAL, "www.example.org", RR_TYPE_A, 172800, "6.6.6.6");
		} else if (under(n, "example.net")) {
			rr(SEC_AUTHORITY, "example.net", RR_TYPE_NS, 172800, "ns1.example.net");
			rr(SEC_ADDITIONAL, "ns1.example.net", RR_TYPE_A, 172800, "192.0.2.2");
		} else if (under(n, "deep.com") && dname_label_count(n) > 2) {
			/* Every zone below deep.com names 20 servers, each in
			 * another such zone: lookups that would never end. */
			char zone[DNAME_STR_MAX], ns[DNAME_STR_MAX + 16];
			const uint8_t *z = dname_suffix_labels(n, 3);
			dname_to_str(z, zone, sizeof(zone));
			for (int i = 0; i < 20; i++) {
				snprintf(ns, sizeof(ns), "a.%.*s%d.deep.com", (int)z[0], (const char *)z + 1, i);
				rr(SEC_AUTHORITY, zone, RR_TYPE_NS, 172800, ns);
			}
		} else if (under(n, "nxns.com")) {
			/* NXNSAttack: many name servers, none resolvable */
			for (int i = 0; i < 20; i++) {
				char ns[64];
				snprintf(ns, sizeof(ns), "ns%d.victim.example.net", i);
				rr(SEC_AUTHORITY, "nxns.com", RR_TYPE_NS, 172800, ns);
			}
		} else if (under(n, "other.com")) {
			/* only out-of-bailiwick name servers, no glue */
			rr(SEC_AUTHORITY, "other.com", RR_TYPE_NS, 172800, "ns.example.net");
		} else {
			rb.buf[3] = RCODE_NXDOMAIN;
			rr(SEC_AUTHORITY, "com", RR_TYPE_SOA, 900, "900");
		}
		return mb_finish(&rb);
	}
	if (strcmp(s, "192.0.2.1") == 0 || strcmp(s, "192.0.2.9") == 0) {   /* example.com */
		if (is(n, "nx.example.com") || !under(n, "example.com"))
			rcode = RCODE_NXDOMAIN;
		if (big_answer_tc && (is(n, "big.example.com") || is(n, "big2.example.com")) && !q->tcp)
			flags |= FLAG_TC;
		mb_header(&rb, 0, flags, rcode);
		mb_question(&rb, n, q->qtype, RR_CLASS_IN);
		if (flags & FLAG_TC)
			return mb_finish(&rb);
		if (is(n, "www.example.com") && q->qtype == RR_TYPE_A)
			rr(SEC_ANSWER, "www.example.com", RR_TYPE_A, 300, "192.0.2.80");
		else if (is(n, "big.example.com") && q->qtype == RR_TYPE_TXT)
			rr(SEC_ANSWER, "big.example.com", RR_TYPE_TXT, 300, "big answer that only came over TCP");
		else if (is(n, "alias.example.com")) {
			rr(SEC_ANSWER, "alias.example.com", RR_TYPE_CNAME, 600, "www.other.com");
			/* a server may not speak for other.com: must be ignored */
			rr(SEC_ANSWER, "www.other.com", RR_TYPE_A, 600, "6.6.6.6");
		} else if (is(n, "example.com") && q->qtype == RR_TYPE_NS) {
			rr(SEC_ANSWER, "example.com", RR_TYPE_NS, 172800, "ns1.example.com");
			rr(SEC_ANSWER, "example.com", RR_TYPE_NS, 172800, "ns2.example.com");
		} else
			rr(SEC_AUTHORITY, "example.com", RR_TYPE_SOA, 3600, "60");
		return mb_finish(&rb);
	}
	if (strcmp(s, "192.0.2.2") == 0) {                  /* example.net */
		mb_header(&rb, 0, flags, 0);
		mb_question(&rb, n, q->qtype, RR_CLASS_IN);
		if (is(n, "ns.example.net") && q->qtype == RR_TYPE_A)
			rr(SEC_ANSWER, "ns.example.net", RR_TYPE_A, 3600, "192.0.2.3");
		else
			rr(SEC_AUTHORITY, "example.net", RR_TYPE_SOA, 3600, "60");
		return mb_finish(&rb);
	}
	if (strcmp(s, "192.0.2.3") == 0) {                  /* other.com */
		mb_header(&rb, 0, flags, 0);
		mb_question(&rb, n, q->qtype, RR_CLASS_IN);
		if (is(n, "www.other.com") && q->qtype == RR_TYPE_A)
			rr(SEC_ANSWER, "www.other.com", RR_TYPE_A, 120, "192.0.2.81");
		else
			rr(SEC_AUTHORITY, "other.com", RR_TYPE_SOA, 3600, "60");
		return mb_finish(&rb);
	}
	mb_header(&rb, 0, FLAG_QR, RCODE_REFUSED);
	mb_question(&rb, n, q->qtype, RR_CLASS_IN);
	return mb_finish(&rb);
}


static void
setup(bool qmin)
{
	struct iter_env env = { NULL, fake_send, fake_deliver, fake_time, fake_time_ms };
	struct sockaddr_in *sin;

	cfg = iter_config_new();
	cfg->qname_minimisation = qmin;
	/* Exact query counts below: no random exploration unless a test
	 * is about it. */
	default_explore = cfg->explore_permille;
	cfg->explore_permille = 0;
	cfg->do_ip6 = false;
	cfg->hints.count = 1;
	cfg->hints.servers = calloc(1, sizeof(*cfg->hints.servers));
	dname_from_str("a.root-servers.net", cfg->hints.servers[0].name);
	cfg->hints.servers[0].naddrs = 1;
	sin = (struct sockaddr_in *)&cfg->hints.servers[0].addrs[0].ss;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(53);
	inet_pton(AF_INET, "198.41.0.4", &sin->sin_addr);
	cfg->hints.servers[0].addrs[0].len = sizeof(*sin);
	cache = cache_create(4 * 1024 * 1024);
	it = iter_create(&env, cache, cfg);
	nqueue = nlog = 0;
	memset(got, 0, sizeof(got));
	dead_server = dead_server2 = NULL;
	slow_server = slow_server2 = NULL;
	big_answer_tc = false;
	tcp_dead = false;
	memset(root_rtt, 0, sizeof(root_rtt));
}

/* Three more root addresses beside 198.41.0.4 (the hint holds four). */
static void
add_root_addrs(void)
{
	int i;

	for (i = 1; i < 4; i++) {
		struct netaddr *na = &cfg->hints.servers[0].addrs[i];
		struct sockaddr_in *sin = (struct sockaddr_in *)&na->ss;
		char ip[32];
		snprintf(ip, sizeof(ip), "198.41.0.%d", 4 + i);
		sin->sin_family = AF_INET;
		sin->sin_port = htons(53);
		inet_pton(AF_INET, ip, &sin->sin_addr);
		na->len = sizeof(*sin);
	}
	cfg->hints.servers[0].naddrs = 4;
}

static void
teardown(void)
{
	iter_destroy(it);
	iter_config_unref(cfg);
	cache_destroy(cache);
}

/* Answer queued queries until the engine stops asking, in the order the
 * replies would arrive: each server takes 3 ms (plus root_rtt for the
 * root addresses); a dead one makes the query time out after 400 ms. */
static void
pump(void)
{
	int guard = 0, i, first;

	while (nqueue > 0 && guard++ < 500) {
		struct sent q;
		size_t len;
		for (first = 0, i = 1; i < nqueue; i++)
			if (queue[i].due_ms < queue[first].due_ms)
				first = i;
		q = queue[first];
		memmove(queue + first, queue + first + 1, sizeof(queue[0]) * (size_t)(nqueue - first - 1));
		nqueue--;
		if (q.due_ms > fake_ms)
			fake_ms = q.due_ms;
		if (is_dead(q.server) || (tcp_dead && q.tcp) || q.times_out) {
			iter_upstream_failed(it, q.token, UPSTREAM_TIMEOUT);
			continue;
		}
		len = world_answer(&q);
		/* the real I/O layer puts the query's question in; ID is its business */
		iter_upstream_reply(it, q.token, rbuf, len);
	}
}

static void
ask(const char *name, uint16_t type, int client)
{
	uint8_t n[DNAME_MAX];

	dname_from_str(name, n);
	iter_resolve(it, n, type, RR_CLASS_IN, FLAG_RD, (void *)(intptr_t)(client + 1));
}

static int
sent_to(const char *server)
{
	int i, n = 0;

	for (i = 0; i < nlog; i++)
		if (strcmp(log_sent[i].server, server) == 0)
			n++;
	return n;
}

/* Parse delivered answer of client c; returns rcode, fills msg. */
static int
answer_of(int c, struct dns_msg *msg, struct arena *a)
{
	int r;

	if (got[c].count != 1) {
		fprintf(stderr, "client %d: %d answers\n", c, got[c].count);
		return -1;
	}
	r = msg_parse(got[c].wire, got[c].len, msg, a);
	if (r != WIRE_OK) {
		fprintf(stderr, "client %d: answer of %zu bytes does not parse (%d)\n", c, got[c].len, r);
		return -1;
	}
	return msg->rcode;
}

static bool
has_a(const struct dns_msg *m, const char *owner, const char *addr)
{
	uint8_t o[DNAME_MAX], ip[4];
	int i;

	dname_from_str(owner, o);
	inet_pton(AF_INET, addr, ip);
	for (i = 0; i < m->count[SEC_ANSWER]; i++) {
		const struct dns_rr *r = &m->rr[SEC_ANSWER][i];
		if (r->type == RR_TYPE_A && dname_equal(r->owner, o) && r->rdlen == 4 && memcmp(r->rdata, ip, 4) == 0)
			return true;
	}
	return false;
}

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
