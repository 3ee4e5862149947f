/*
 * test_iter_answer.c -- what the engine answers and keeps, in the world of
 * iter_world.c: negative answers without SOA, DO answers of alias chains.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "iter_world.h"
#include "unit.h"

/* An authoritative NODATA of nothing but the header: cached 5 s (or
 * cache-min-ttl, if longer), not asked again meanwhile; after that the
 * same empty reply from the same server is again an answer, not a lame
 * server. With qname minimisation the minimised name's empty reply means
 * "ask the full name". */
static void
test_nodata_without_soa(void)
{
	struct arena a;
	struct dns_msg m;
	int before, qmin;

	for (qmin = 0; qmin <= 1; qmin++) {
		setup(qmin);
		arena_init(&a, 4096);
		ask("a.b.empty.example.com", RR_TYPE_TXT, 0);
		pump();
		CHECK_EQ_INT(answer_of(0, &m, &a), RCODE_NOERROR);
		CHECK_EQ_INT(m.count[SEC_ANSWER] + m.count[SEC_AUTHORITY], 0);
		before = nlog;
		fake_now += 4;
		got[1].count = 0;
		ask("a.b.empty.example.com", RR_TYPE_TXT, 1);
		pump();
		CHECK_EQ_INT(nlog, before);                 /* from the cache */
		CHECK_EQ_INT(answer_of(1, &m, &a), RCODE_NOERROR);
		fake_now += 2;                              /* 6 s: expired */
		got[2].count = 0;
		ask("a.b.empty.example.com", RR_TYPE_TXT, 2);
		pump();
		CHECK(nlog > before);
		CHECK_EQ_INT(answer_of(2, &m, &a), RCODE_NOERROR);
		CHECK_EQ_INT(got[2].ede, EDE_NONE);
		/* cache-min-ttl above 5 s lengthens it */
		cfg->cache_min_ttl = 30;
		ask("c.empty.example.com", RR_TYPE_A, 3);
		pump();
		CHECK_EQ_INT(answer_of(3, &m, &a), RCODE_NOERROR);
		before = nlog;
		fake_now += 20;
		got[3].count = 0;
		ask("c.empty.example.com", RR_TYPE_A, 3);
		pump();
		CHECK_EQ_INT(nlog, before);
		CHECK_EQ_INT(answer_of(3, &m, &a), RCODE_NOERROR);
		/* but never past cache-max-negative-ttl */
		cfg->cache_max_negative_ttl = 0;
		got[0].count = 0;
		ask("d.empty.example.com", RR_TYPE_A, 0);
		pump();
		before = nlog;
		got[0].count = 0;
		ask("d.empty.example.com", RR_TYPE_A, 0);
		pump();
		CHECK(nlog > before);
		arena_free_all(&a);
		teardown();
	}
}

static int
count_type(const struct dns_msg *m, enum msg_section sec, uint16_t type)
{
	int i, n = 0;

	for (i = 0; i < m->count[sec]; i++)
		n += m->rr[sec][i].type == type;
	return n;
}

/* A DO answer of an alias chain over two zones carries the chain and its
 * signatures, each once, and nothing else (minimal responses): not the
 * zone's NS set, its signature or glue the server sent along. */
static void
test_do_chain_is_minimal(void)
{
	struct arena a;
	struct dns_msg m;

	setup(true);
	arena_init(&a, 4096);
	ask_flags("sigchain.example.com", RR_TYPE_A, FLAG_RD | ITER_FLAG_DO, 0);
	pump();
	CHECK_EQ_INT(answer_of(0, &m, &a), RCODE_NOERROR);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 4);
	CHECK_EQ_INT(count_type(&m, SEC_ANSWER, RR_TYPE_CNAME), 1);
	CHECK_EQ_INT(count_type(&m, SEC_ANSWER, RR_TYPE_A), 1);
	CHECK_EQ_INT(count_type(&m, SEC_ANSWER, RR_TYPE_RRSIG), 2);
	CHECK_EQ_INT(m.count[SEC_AUTHORITY], 0);
	CHECK_EQ_INT(m.count[SEC_ADDITIONAL], 0);
	/* the same from the cache, and without DO no signatures */
	ask_flags("sigchain.example.com", RR_TYPE_A, FLAG_RD, 1);
	pump();
	CHECK_EQ_INT(answer_of(1, &m, &a), RCODE_NOERROR);
	CHECK_EQ_INT(m.count[SEC_ANSWER], 2);
	CHECK_EQ_INT(m.count[SEC_AUTHORITY] + m.count[SEC_ADDITIONAL], 0);
	arena_free_all(&a);
	teardown();
}

int
main(void)
{
	if (getenv("TEST_VERBOSE"))
		log_verbosity = 4;
	RUN(test_nodata_without_soa);
	RUN(test_do_chain_is_minimal);
	return unit_summary();
}
