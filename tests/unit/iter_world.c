/*
 * iter_world.c -- see iter_world.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iter_world.h"

#define MAXQ 256


static struct sent queue[MAXQ];
static int nqueue;
struct sent log_sent[4096];
int nlog;
time_t fake_now = 1700000000;
uint64_t fake_ms = 1000;

struct delivered got[64];

const char *dead_server;
const char *dead_server2;
const char *slow_server;
const char *slow_server2;
unsigned slow_ms;
bool tcp_dead;
/* Extra round-trip time of the root addresses 198.41.0.4 .. 198.41.0.7
 * (every server takes 3 ms besides). */
unsigned root_rtt[4];

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

	s->iter = io != NULL ? it_other : it;
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

struct iter *it;
struct cache *cache;
struct iter_config *cfg;
uint16_t default_explore;

static struct msg_builder rb;
static uint8_t rbuf[4096];
bool big_answer_tc;
size_t (*world_hook)(const struct sent *q, uint8_t *buf, size_t cap);
struct iter *it_other;

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
	case RR_TYPE_RRSIG: {
		/* "<type covered> <signer>": a signature of the right shape
		 * (nothing here validates it) */
		const char *signer = strchr(data, ' ');
		wr16(rd, (uint16_t)atoi(data));
		rd[2] = 13;
		rd[3] = (uint8_t)dname_label_count(o);
		wr32(rd + 4, ttl);
		wr32(rd + 8, (uint32_t)fake_now + 86400);
		wr32(rd + 12, (uint32_t)fake_now - 86400);
		wr16(rd + 16, 4711);
		rdlen = 18 + dname_from_str(signer != NULL ? signer + 1 : ".", rd + 18);
		memset(rd + rdlen, 0x5a, 64);
		rdlen += 64;
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
	size_t len;

	if (world_hook != NULL && (len = world_hook(q, rbuf, sizeof(rbuf))) > 0)
		return len;
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
		if (under(n, "empty.example.com"))
			;     /* a header and the question, nothing else (no SOA) */
		else if (is(n, "sigchain.example.com")) {
			/* a signed alias into other.com, its signature sent twice,
			 * with the zone's NS set and glue a DO client needs not */
			rr(SEC_ANSWER, "sigchain.example.com", RR_TYPE_CNAME, 600, "www.other.com");
			rr(SEC_ANSWER, "sigchain.example.com", RR_TYPE_RRSIG, 600, "5 example.com");
			rr(SEC_ANSWER, "sigchain.example.com", RR_TYPE_RRSIG, 600, "5 example.com");
			rr(SEC_AUTHORITY, "example.com", RR_TYPE_NS, 172800, "ns1.example.com");
			rr(SEC_AUTHORITY, "example.com", RR_TYPE_RRSIG, 172800, "2 example.com");
			rr(SEC_ADDITIONAL, "ns1.example.com", RR_TYPE_A, 172800, "192.0.2.1");
		} else if (is(n, "www.example.com") && q->qtype == RR_TYPE_A)
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
		if (is(n, "www.other.com") && q->qtype == RR_TYPE_A) {
			rr(SEC_ANSWER, "www.other.com", RR_TYPE_A, 120, "192.0.2.81");
			rr(SEC_ANSWER, "www.other.com", RR_TYPE_RRSIG, 120, "1 other.com");
		}
		else
			rr(SEC_AUTHORITY, "other.com", RR_TYPE_SOA, 3600, "60");
		return mb_finish(&rb);
	}
	mb_header(&rb, 0, FLAG_QR, RCODE_REFUSED);
	mb_question(&rb, n, q->qtype, RR_CLASS_IN);
	return mb_finish(&rb);
}


void
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
	it_other = NULL;
	world_hook = NULL;
	nqueue = nlog = 0;
	memset(got, 0, sizeof(got));
	dead_server = dead_server2 = NULL;
	slow_server = slow_server2 = NULL;
	big_answer_tc = false;
	tcp_dead = false;
	memset(root_rtt, 0, sizeof(root_rtt));
}

/* Three more root addresses beside 198.41.0.4 (the hint holds four). */
void
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

struct iter *
add_other_iter(void)
{
	struct iter_env env = { (void *)1, fake_send, fake_deliver, fake_time, fake_time_ms };

	it_other = iter_create(&env, cache, cfg);
	return it_other;
}

void
teardown(void)
{
	iter_destroy(it_other);
	it_other = NULL;
	iter_destroy(it);
	iter_config_unref(cfg);
	cache_destroy(cache);
}

/* Answer queued queries until the engine stops asking, in the order the
 * replies would arrive: each server takes 3 ms (plus root_rtt for the
 * root addresses); a dead one makes the query time out after 400 ms. */
void
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
			iter_upstream_failed(q.iter, q.token, UPSTREAM_TIMEOUT);
			continue;
		}
		len = world_answer(&q);
		/* the real I/O layer puts the query's question in; ID is its business */
		iter_upstream_reply(q.iter, q.token, rbuf, len);
	}
}

void
ask_iter(struct iter *i, const char *name, uint16_t type, uint16_t flags, int client)
{
	uint8_t n[DNAME_MAX];

	dname_from_str(name, n);
	iter_resolve(i, n, type, RR_CLASS_IN, flags, (void *)(intptr_t)(client + 1));
}

void
ask_flags(const char *name, uint16_t type, uint16_t flags, int client)
{
	ask_iter(it, name, type, flags, client);
}

void
ask(const char *name, uint16_t type, int client)
{
	ask_flags(name, type, FLAG_RD, client);
}

int
sent_to(const char *server)
{
	int i, n = 0;

	for (i = 0; i < nlog; i++)
		if (strcmp(log_sent[i].server, server) == 0)
			n++;
	return n;
}

/* Parse delivered answer of client c; returns rcode, fills msg. */
int
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

bool
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

