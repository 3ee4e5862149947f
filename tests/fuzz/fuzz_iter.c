/*
 * fuzz_iter.c -- the engine against a hostile upstream: one client
 * question resolved from the root, every upstream query answered with
 * the input (or timing out), then the answer fitted to the client.
 *
 * Input: a DNS message, the reply every upstream query gets. Its
 * question section is replaced by the question sent (the transport drops
 * replies to other questions), so one input can serve as referral,
 * answer and key set alike; the rest stays as it is, compression
 * pointers included. Its question is the client's question (www.example.com
 * A without one). Its ID picks the configuration (qname minimisation,
 * validation with a root trust anchor), the client's DO and CD, and which
 * upstream queries time out or cannot be sent.
 *
 * Checked for every input: the client gets exactly one answer, and when
 * every upstream query was dealt with it already has it (no question is
 * left hanging); the work per question is bounded; the answer parses, is
 * for the question asked, and fits a client through respond_patch; what
 * the answer cache returns parses.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "cache/cache.h"
#include "daemon/respond.h"
#include "dnssec/dnssec.h"
#include "iter/iter.h"
#include "util/msgbuild.h"
#include "util/wire.h"

#define MAXQ 512
/* Upstream queries one client question may cost, all included: the
 * engine's own per-question budget (ITER_MAX_WORK, 100) plus priming,
 * key fetches and side probes, with room to spare. */
#define MAX_SENDS 400
#define ROOT_DS ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"

struct sent {
	void *token;
	uint8_t qname[DNAME_MAX];
	uint16_t qtype, qclass;
};

static struct sent queue[MAXQ];
static int qhead, qtail, nsends;
static uint16_t sel;
static uint64_t fake_ms;
static time_t fake_now;

static int delivered;
static uint8_t answer[65536];
static size_t answer_len;
static uint8_t reply[65536 + DNAME_MAX + 4];
static uint8_t buf[65536];

static int
fake_send(void *io, const struct upstream_query *q, void *token)
{
	struct sent *s;

	nsends++;
	if ((sel & 0x8000) && nsends % 3 == 0)
		return -1;
	FUZZ_ASSERT(qtail - qhead < MAXQ);
	s = &queue[qtail++ % MAXQ];
	s->token = token;
	memcpy(s->qname, q->qname, dname_len(q->qname));
	s->qtype = q->qtype;
	s->qclass = q->qclass;
	return 0;
}

static void
fake_deliver(void *io, void *client, const uint8_t *wire, size_t len, uint16_t ede)
{
	delivered++;
	FUZZ_ASSERT(len <= sizeof(answer));
	memcpy(answer, wire, len);
	answer_len = len;
}

static time_t fake_time(void *io) { return fake_now; }
static uint64_t fake_time_ms(void *io) { return fake_ms; }

static struct iter_config *
make_config(bool qmin, bool validate)
{
	struct iter_config *cfg = iter_config_new();
	struct sockaddr_in *sin;
	char err[256];

	cfg->qname_minimisation = qmin;
	cfg->do_ip6 = false;
	cfg->infra_cache_numhosts = 64;
	cfg->hints.count = 1;
	cfg->hints.servers = calloc(1, sizeof(*cfg->hints.servers));
	dname_from_str("a.root-servers.net", cfg->hints.servers[0].name);
	cfg->hints.servers[0].naddrs = 1;
	sin = (struct sockaddr_in *)&cfg->hints.servers[0].addrs[0].ss;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(53);
	inet_pton(AF_INET, "198.41.0.4", &sin->sin_addr);
	cfg->hints.servers[0].addrs[0].len = sizeof(*sin);
	if (validate) {
		cfg->anchors = val_anchors_new();
		if (cfg->anchors == NULL || val_anchors_add_str(cfg->anchors, ROOT_DS, err, sizeof(err)) != 0)
			abort();
	}
	return cfg;
}

/* The input turned into a reply to s: its header, s's question, then
 * whatever followed its own question. */
static size_t
make_reply(const uint8_t *data, size_t size, const struct sent *s)
{
	struct msg_builder b;
	size_t qend, rest, len;

	if (size < DNS_HEADER_SIZE)
		return size;
	if (rd16(data + 4) == 0 && (data[3] & 0xf) != RCODE_NOERROR) {
		/* No question, an error: the transport passes that on. */
		memcpy(reply, data, size);
		return size;
	}
	qend = msg_question_end(data, size);
	if (qend == 0)
		qend = DNS_HEADER_SIZE;
	mb_init(&b, reply, sizeof(reply));
	mb_header(&b, 0, 0, 0);
	mb_question(&b, s->qname, s->qtype, s->qclass);
	len = b.len;
	memcpy(reply, data, DNS_HEADER_SIZE);
	wr16(reply + 4, 1);
	rest = size - qend;
	memcpy(reply + len, data + qend, rest);
	return len + rest;
}

static void
check_answer(struct cache *cache, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
    uint16_t cflags)
{
	static struct arena a;
	static int init;
	struct respond_client c;
	struct cache_answer_info info;
	struct dns_msg m, qm;
	struct msg_builder b;
	uint8_t q[512];
	size_t qlen, len;
	int v;

	if (!init) {
		arena_init(&a, 16384);
		init = 1;
	}
	FUZZ_ASSERT(msg_parse(answer, answer_len, &m, &a) == WIRE_OK);
	FUZZ_ASSERT(m.flags & FLAG_QR);
	FUZZ_ASSERT(m.qdcount == 1 && dname_equal(m.qname, qname) && m.qtype == qtype);
	/* The same client's query, and the answer fitted to it. */
	mb_init(&b, q, sizeof(q));
	mb_header(&b, 0x1234, cflags & (FLAG_RD | FLAG_CD), 0);
	mb_question(&b, qname, qtype, qclass);
	mb_opt(&b, 1232, 0, (cflags & 1) ? EDNS_DO : 0, EDE_NONE, NULL);
	qlen = mb_finish(&b);
	FUZZ_ASSERT(respond_query(q, qlen, ACL_ALLOW, false, 1232, &qm, &c, buf, sizeof(buf),
	    &len) == RESPOND_RESOLVE);
	memcpy(buf, answer, answer_len);
	len = respond_patch(buf, answer_len, sizeof(buf), &c, EDE_NONE);
	FUZZ_ASSERT(len > 0 && len <= 1232);
	FUZZ_ASSERT(msg_parse(buf, len, &m, &a) == WIRE_OK);
	/* Whatever the answer cache keeps for it. */
	for (v = 0; v < 4; v++) {
		len = cache_answer_lookup(cache, qname, qtype, qclass, (uint8_t)v, fake_now, 86400, 30,
		    buf, sizeof(buf), &info);
		if (len > 0)
			FUZZ_ASSERT(msg_parse(buf, len, &m, &a) == WIRE_OK);
	}
	arena_free_all(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t fixed_name[] = { 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		3, 'c', 'o', 'm', 0 };
	static struct iter_config *cfgs[4];
	static struct cache *cache;
	struct iter_env env = { NULL, fake_send, fake_deliver, fake_time, fake_time_ms };
	struct dns_msg qm;
	struct iter *it;
	uint8_t qname[DNAME_MAX];
	uint16_t qtype = RR_TYPE_A, qclass = RR_CLASS_IN, cflags;
	int steps = 0;

	if (cfgs[0] == NULL) {
		fuzz_quiet();
		cfgs[0] = make_config(true, false);
		cfgs[1] = make_config(false, false);
		cfgs[2] = make_config(true, true);
		cfgs[3] = make_config(false, true);
		cache = cache_create(1 << 20);
		FUZZ_ASSERT(cache != NULL);
	}
	if (size > 65535)
		return 0;
	sel = size >= 2 ? rd16(data) : 0;
	memcpy(qname, fixed_name, sizeof(fixed_name));
	if (msg_parse_query(data, size, &qm) == WIRE_OK && qm.qdcount == 1) {
		memcpy(qname, qm.qname, qm.qname_len);
		qtype = qm.qtype;
		if (qtype == RR_TYPE_OPT || qtype == RR_TYPE_AXFR || qtype == RR_TYPE_IXFR ||
		    qtype == RR_TYPE_MAILA || qtype == RR_TYPE_MAILB || qtype == RR_TYPE_ANY)
			qtype = RR_TYPE_A;      /* respond_query answers those itself */
	}
	cflags = FLAG_RD | (sel & 0x10 ? FLAG_CD : 0) | (sel & 0x20 ? ITER_FLAG_DO : 0);
	qhead = qtail = nsends = 0;
	delivered = 0;
	fake_ms = 1000;
	fake_now = 1700000000;

	it = iter_create(&env, cache, cfgs[sel & 3]);
	FUZZ_ASSERT(it != NULL);
	iter_resolve(it, qname, qtype, qclass, cflags, (void *)1);
	while (qhead < qtail) {
		struct sent s = queue[qhead++ % MAXQ];
		fake_ms += 7;
		if (fake_ms % 1000 < 7)
			fake_now++;
		if ((sel >> 8) & (1u << (steps++ % 7)))
			iter_upstream_failed(it, s.token, UPSTREAM_TIMEOUT);
		else
			iter_upstream_reply(it, s.token, reply, make_reply(data, size, &s));
		FUZZ_ASSERT(nsends <= MAX_SENDS);
	}
	/* Every query dealt with: the client has its answer. */
	FUZZ_ASSERT(delivered == 1);
	check_answer(cache, qname, qtype, qclass, cflags);
	iter_destroy(it);
	FUZZ_ASSERT(delivered == 1);
	cache_flush(cache);
	return 0;
}
