/*
 * fuzz_query.c -- a client's query: parsing it, deciding what to do with
 * it (respond_query), and fitting answers to the client (respond_patch,
 * respond_error), as the cache-hit path and the engine's answers do.
 *
 * Input: one query as received over UDP or TCP. Its ID, which nothing
 * else looks at, picks the access-control verdict, the transport and
 * max-udp-size. Checked for every input: what we send back parses, has
 * the client's ID and question, and fits the client's size limit.
 */
#include "config.h"

#include <string.h>

#include "fuzz_util.h"
#include "daemon/respond.h"
#include "util/msgbuild.h"
#include "util/wire.h"

static uint8_t out[65536];
static uint8_t ans[65536];

/* What goes back to the client: the client's ID, QR, parses, fits. */
static void
check_reply(const uint8_t *pkt, size_t len, size_t limit)
{
	static struct arena a;
	static int init;
	struct dns_msg m;

	if (!init) {
		arena_init(&a, 8192);
		init = 1;
	}
	FUZZ_ASSERT(len >= DNS_HEADER_SIZE && len <= limit);
	FUZZ_ASSERT(memcmp(out, pkt, 2) == 0);
	FUZZ_ASSERT(rd16(out + 2) & FLAG_QR);
	FUZZ_ASSERT(msg_parse(out, len, &m, &a) == WIRE_OK);
	arena_free_all(&a);
}

/* A canonical answer to c's question, as the engine or the cache would
 * hand it over: a CNAME, n A records, a big TXT and some additional data,
 * so that fitting has something to drop. */
static size_t
canonical(const struct respond_client *c, unsigned n)
{
	static const uint8_t target[] = { 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
	static uint8_t txt[1000];
	struct msg_builder b;
	uint8_t a4[4] = { 192, 0, 2, 0 };
	unsigned i;

	mb_init(&b, ans, sizeof(ans));
	mb_header(&b, 0, FLAG_QR | FLAG_RA | FLAG_AD | (c->flags & (FLAG_RD | FLAG_CD)), RCODE_NOERROR);
	mb_question(&b, c->qname, c->qtype, c->qclass);
	mb_rr(&b, SEC_ANSWER, c->qname, RR_TYPE_CNAME, RR_CLASS_IN, 300, target, sizeof(target));
	for (i = 0; i < n; i++) {
		a4[3] = (uint8_t)i;
		mb_rr(&b, SEC_ANSWER, target, RR_TYPE_A, RR_CLASS_IN, 300, a4, 4);
	}
	if (n & 1) {
		memset(txt, 'x', sizeof(txt));
		txt[0] = 255;
		mb_rr(&b, SEC_AUTHORITY, target, RR_TYPE_TXT, RR_CLASS_IN, 300, txt, 256 * (n & 3));
	}
	for (i = 0; i < n / 4; i++)
		mb_rr(&b, SEC_ADDITIONAL, target, RR_TYPE_A, RR_CLASS_IN, 300, a4, 4);
	return mb_finish(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t max_udp[4] = { 512, 1232, 4096, 65535 };
	static const uint16_t edes[4] = { EDE_NONE, EDE_DNSSEC_BOGUS, EDE_STALE_ANSWER, EDE_PROHIBITED };
	struct respond_client c;
	struct dns_msg msg;
	enum respond_verdict v;
	enum acl_action acl;
	uint16_t sel;
	size_t len = 0, alen;
	bool tcp;

	if (size > 65535)
		return 0;
	sel = size >= 2 ? rd16(data) : 0;
	acl = sel % 8 == 0 ? ACL_REFUSE : sel % 8 == 1 ? ACL_DENY : ACL_ALLOW;
	tcp = sel & 0x100;
	memset(&c, 0, sizeof(c));
	v = respond_query(data, size, acl, tcp, max_udp[(sel >> 9) & 3], &msg, &c, out,
	    sizeof(out), &len);
	switch (v) {
	case RESPOND_DROP:
		return 0;
	case RESPOND_ANSWERED:
		/* c.limit is set once the question was read */
		check_reply(data, len, c.limit ? c.limit : 65535);
		return 0;
	case RESPOND_RESOLVE:
		break;
	}
	FUZZ_ASSERT(acl == ACL_ALLOW);
	FUZZ_ASSERT(c.limit >= 512);
	FUZZ_ASSERT(c.qname_len == dname_len(c.qname));
	(void)respond_cache_variant(&c);
	(void)respond_iter_flags(&c);
	/* The engine's failure answer, with and without an EDE. */
	len = respond_error(out, sizeof(out), &c, RCODE_SERVFAIL, edes[sel & 3]);
	check_reply(data, len, c.limit);
	/* A cached answer fitted to this client. */
	alen = canonical(&c, (sel >> 4) & 63);
	memcpy(out, ans, alen);
	len = respond_patch(out, alen, sizeof(out), &c, edes[(sel >> 2) & 3]);
	FUZZ_ASSERT(len > 0);
	check_reply(data, len, c.limit);
	FUZZ_ASSERT(memcmp(out + DNS_HEADER_SIZE, c.qname, c.qname_len) == 0);
	/* The query itself parsed whole, as the engine parses replies. */
	{
		static struct arena a;
		static int init;
		if (!init) {
			arena_init(&a, 8192);
			init = 1;
		}
		(void)msg_parse(data, size, &msg, &a);
		arena_free_all(&a);
	}
	return 0;
}
