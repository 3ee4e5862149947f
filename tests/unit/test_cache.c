/*
 * test_cache.c -- unit tests for the shared cache, driven by a fake clock.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache.h"
#include "util/arena.h"
#include "util/dname.h"
#include "util/msgbuild.h"
#include "util/rrset.h"
#include "util/wire.h"
#include "unit.h"

#define T0 1700000000

/* Names for tests; each call uses its own slot so a few can be live at
 * once. */
static const uint8_t *
N(const char *s)
{
	static uint8_t slots[8][DNAME_MAX];
	static int next;
	uint8_t *out = slots[next++ % 8];

	if (dname_from_str(s, out) < 0)
		abort();
	return out;
}

struct answer {
	uint8_t wire[4096];
	size_t len;
	uint16_t offs[64];
	size_t n_ttl;
};

/* A response for qname/A: naddr A records with ttl, and an NS record
 * with ttl * 10 in authority, so TTLs differ per record. */
static void
build_answer(struct answer *a, const uint8_t *qname, uint16_t rcode, int naddr, uint32_t ttl)
{
	struct msg_builder b;
	uint8_t rd[4] = { 192, 0, 2, 0 };
	uint8_t ns[DNAME_MAX], zone[DNAME_MAX];
	int i, nslen = dname_from_str("ns.example.com", ns);

	dname_from_str("example.com", zone);

	mb_init(&b, a->wire, sizeof(a->wire));
	mb_record_ttls(&b, a->offs, 64);
	CHECK(mb_header(&b, 0, FLAG_QR | FLAG_RD | FLAG_RA, rcode) == 0);
	CHECK(mb_question(&b, qname, RR_TYPE_A, RR_CLASS_IN) == 0);
	for (i = 0; i < naddr; i++) {
		rd[3] = (uint8_t)(i + 1);
		CHECK(mb_rr(&b, SEC_ANSWER, qname, RR_TYPE_A, RR_CLASS_IN, ttl, rd, 4) == 0);
	}
	if (naddr > 1)
		CHECK(mb_rr(&b, SEC_AUTHORITY, zone, RR_TYPE_NS, RR_CLASS_IN,
		    ttl * 10, ns, (uint16_t)nslen) == 0);
	a->len = mb_finish(&b);
	a->n_ttl = b.ttl_n;
}

static int
store_answer(struct cache *c, const uint8_t *qname, uint8_t variant, const struct answer *a,
    uint32_t ttl, time_t now)
{
	return cache_answer_store(c, qname, RR_TYPE_A, RR_CLASS_IN, variant, a->wire, a->len,
	    a->offs, a->n_ttl, ttl, EDE_NONE, now);
}

static size_t
lookup_answer(struct cache *c, const uint8_t *qname, time_t now, uint8_t *out,
    struct cache_answer_info *info)
{
	return cache_answer_lookup(c, qname, RR_TYPE_A, RR_CLASS_IN, 0, now, 0, 0, out, 4096, info);
}

/* An RRset of type A (or the given type) with addresses .1 .. .n. */
struct test_rrset {
	struct rrset rs;
	struct rdata rd[8];
	uint8_t bytes[8][4];
};

static void
make_rrset(struct test_rrset *t, const uint8_t *owner, uint16_t type, uint32_t ttl,
    int n, int nsig, uint8_t trust, uint8_t first)
{
	int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < n + nsig; i++) {
		t->bytes[i][0] = i < n ? 10 : 0xee;
		t->bytes[i][1] = 0;
		t->bytes[i][2] = 0;
		t->bytes[i][3] = (uint8_t)(first + i);
		t->rd[i].len = 4;
		t->rd[i].data = t->bytes[i];
	}
	t->rs.owner = owner;
	t->rs.type = type;
	t->rs.rclass = RR_CLASS_IN;
	t->rs.ttl = ttl;
	t->rs.count = (uint16_t)n;
	t->rs.sigcount = (uint16_t)nsig;
	t->rs.rdata = t->rd;
	t->rs.trust = trust;
	t->rs.security = SEC_UNCHECKED;
}

static void
test_rrset_ttl(void)
{
	struct cache *c = cache_create(1 << 20);
	struct test_rrset t;
	struct arena arena;
	struct rrset out;
	struct cache_stats st;
	int i;

	arena_init(&arena, 4096);
	make_rrset(&t, N("WWW.Example.COM"), RR_TYPE_A, 300, 2, 1, TRUST_ANS_AA, 1);
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0), 1);

	CHECK(cache_rrset_lookup(c, N("www.example.com"), RR_TYPE_A, RR_CLASS_IN, T0 + 7, &arena, &out));
	CHECK_EQ_INT(out.ttl, 293);
	CHECK_EQ_INT(out.count, 2);
	CHECK_EQ_INT(out.sigcount, 1);
	CHECK_EQ_INT(out.trust, TRUST_ANS_AA);
	CHECK_EQ_INT(out.security, SEC_UNCHECKED);
	CHECK_EQ_INT(out.type, RR_TYPE_A);
	CHECK_EQ_INT(out.rclass, RR_CLASS_IN);
	CHECK(memcmp(out.owner, N("www.example.com"), 17) == 0); /* stored lower-cased */
	for (i = 0; i < 3; i++) {
		CHECK_EQ_INT(out.rdata[i].len, 4);
		CHECK(memcmp(out.rdata[i].data, t.bytes[i], 4) == 0);
	}

	CHECK(cache_rrset_lookup(c, N("WwW.eXample.com"), RR_TYPE_A, RR_CLASS_IN, T0 + 299, &arena, &out));
	CHECK_EQ_INT(out.ttl, 1);
	CHECK(!cache_rrset_lookup(c, N("www.example.com"), RR_TYPE_AAAA, RR_CLASS_IN, T0, &arena, &out));
	CHECK(!cache_rrset_lookup(c, N("www.example.com"), RR_TYPE_A, RR_CLASS_CH, T0, &arena, &out));
	CHECK(!cache_rrset_lookup(c, N("example.com"), RR_TYPE_A, RR_CLASS_IN, T0, &arena, &out));

	/* At expiry: a miss, and the entry is reclaimed. */
	CHECK(!cache_rrset_lookup(c, N("www.example.com"), RR_TYPE_A, RR_CLASS_IN, T0 + 300, &arena, &out));
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.rrsets, 0);

	/* TTL 0: not kept. */
	make_rrset(&t, N("zero.example.com"), RR_TYPE_A, 0, 1, 0, TRUST_ANS_AA, 1);
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0), 0);
	CHECK(!cache_rrset_lookup(c, N("zero.example.com"), RR_TYPE_A, RR_CLASS_IN, T0, &arena, &out));

	/* Empty set (count 0) with a signature only: still a valid entry. */
	make_rrset(&t, N("empty.example.com"), RR_TYPE_TXT, 60, 0, 1, TRUST_ANS_AA, 1);
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0), 1);
	CHECK(cache_rrset_lookup(c, N("empty.example.com"), RR_TYPE_TXT, RR_CLASS_IN, T0, &arena, &out));
	CHECK_EQ_INT(out.count, 0);
	CHECK_EQ_INT(out.sigcount, 1);

	arena_free_all(&arena);
	cache_destroy(c);
}

static void
test_rrset_trust(void)
{
	struct cache *c = cache_create(1 << 20);
	struct test_rrset t;
	struct arena arena;
	struct rrset out;
	const uint8_t *ns = N("example.com");

	arena_init(&arena, 4096);
	make_rrset(&t, ns, RR_TYPE_NS, 3600, 1, 0, TRUST_AUTH_NONAUTH, 1);
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0), 1);

	/* Lower trust does not replace a live set. */
	make_rrset(&t, ns, RR_TYPE_NS, 3600, 1, 0, TRUST_ADDITIONAL, 50);
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0 + 10), 0);
	CHECK(cache_rrset_lookup(c, ns, RR_TYPE_NS, RR_CLASS_IN, T0 + 10, &arena, &out));
	CHECK_EQ_INT(out.trust, TRUST_AUTH_NONAUTH);
	CHECK_EQ_INT(out.rdata[0].data[3], 1);
	CHECK_EQ_INT(out.ttl, 3590);

	/* Equal trust replaces (and refreshes the TTL). */
	make_rrset(&t, ns, RR_TYPE_NS, 3600, 1, 0, TRUST_AUTH_NONAUTH, 60);
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0 + 10), 1);
	CHECK(cache_rrset_lookup(c, ns, RR_TYPE_NS, RR_CLASS_IN, T0 + 10, &arena, &out));
	CHECK_EQ_INT(out.rdata[0].data[3], 60);
	CHECK_EQ_INT(out.ttl, 3600);

	/* Higher trust replaces, with a shorter TTL too. */
	make_rrset(&t, ns, RR_TYPE_NS, 100, 2, 0, TRUST_ANS_AA, 70);
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0 + 20), 1);
	CHECK(cache_rrset_lookup(c, ns, RR_TYPE_NS, RR_CLASS_IN, T0 + 20, &arena, &out));
	CHECK_EQ_INT(out.trust, TRUST_ANS_AA);
	CHECK_EQ_INT(out.count, 2);
	CHECK_EQ_INT(out.ttl, 100);

	/* Once expired, anything replaces it (no lookup touched it first). */
	make_rrset(&t, ns, RR_TYPE_NS, 500, 1, 0, TRUST_ADDITIONAL, 80);
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0 + 119), 0);
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0 + 120), 1);
	CHECK(cache_rrset_lookup(c, ns, RR_TYPE_NS, RR_CLASS_IN, T0 + 120, &arena, &out));
	CHECK_EQ_INT(out.trust, TRUST_ADDITIONAL);
	CHECK_EQ_INT(out.rdata[0].data[3], 80);

	arena_free_all(&arena);
	cache_destroy(c);
}

static void
test_rrset_security(void)
{
	struct cache *c = cache_create(1 << 20);
	struct test_rrset t, u;
	struct arena arena;
	struct rrset out;
	struct rdata tmp;
	const uint8_t *owner = N("sec.example.com");

	arena_init(&arena, 4096);
	make_rrset(&t, owner, RR_TYPE_A, 300, 3, 1, TRUST_ANS_AA, 1);
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0), 1);

	/* Different data: no change. */
	make_rrset(&u, owner, RR_TYPE_A, 300, 3, 0, TRUST_ANS_AA, 2);
	cache_rrset_update_security(c, &u.rs, SEC_SECURE, TRUST_VALIDATED);
	CHECK(cache_rrset_lookup(c, owner, RR_TYPE_A, RR_CLASS_IN, T0, &arena, &out));
	CHECK_EQ_INT(out.security, SEC_UNCHECKED);
	CHECK_EQ_INT(out.trust, TRUST_ANS_AA);

	/* Same records in another order, no signatures: updated. */
	make_rrset(&u, owner, RR_TYPE_A, 300, 3, 0, TRUST_ANS_AA, 1);
	tmp = u.rd[0];
	u.rd[0] = u.rd[2];
	u.rd[2] = tmp;
	cache_rrset_update_security(c, &u.rs, SEC_SECURE, TRUST_VALIDATED);
	CHECK(cache_rrset_lookup(c, owner, RR_TYPE_A, RR_CLASS_IN, T0, &arena, &out));
	CHECK_EQ_INT(out.security, SEC_SECURE);
	CHECK_EQ_INT(out.trust, TRUST_VALIDATED);
	CHECK_EQ_INT(out.sigcount, 1);

	/* Now an unvalidated answer cannot displace it. */
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0 + 1), 0);

	/* Absent: nothing happens. */
	make_rrset(&u, N("none.example.com"), RR_TYPE_A, 300, 3, 0, TRUST_ANS_AA, 1);
	cache_rrset_update_security(c, &u.rs, SEC_BOGUS, TRUST_NONE);

	arena_free_all(&arena);
	cache_destroy(c);
}

static void
test_answer_ttl(void)
{
	struct cache *c = cache_create(1 << 20);
	static struct answer a;
	uint8_t out[4096];
	struct cache_answer_info info;
	struct cache_stats st;
	const uint8_t *q = N("Www.Example.com");
	size_t len, i;

	build_answer(&a, q, RCODE_NOERROR, 3, 300);
	CHECK_EQ_INT(a.n_ttl, 4);
	CHECK_EQ_INT(store_answer(c, q, 0, &a, 300, T0), 0);

	memset(&info, 0, sizeof(info));
	len = lookup_answer(c, N("www.example.COM"), T0 + 7, out, &info);
	CHECK_EQ_INT(len, a.len);
	for (i = 0; i < a.n_ttl; i++)
		CHECK_EQ_INT(rd32(out + a.offs[i]), rd32(a.wire + a.offs[i]) - 7);
	/* Everything else is byte for byte what was stored. */
	for (i = 0; i < a.n_ttl; i++)
		memcpy(out + a.offs[i], a.wire + a.offs[i], 4);
	CHECK(memcmp(out, a.wire, a.len) == 0);
	CHECK_EQ_INT(info.rcode, RCODE_NOERROR);
	CHECK_EQ_INT(info.ede, EDE_NONE);
	CHECK(!info.stale);
	CHECK_EQ_INT(info.orig_ttl, 300);
	CHECK_EQ_INT(info.remaining, 293);

	/* Other variant, type or class: misses. */
	CHECK_EQ_INT(cache_answer_lookup(c, q, RR_TYPE_A, RR_CLASS_IN, CACHE_VARIANT_DO, T0,
	    0, 0, out, sizeof(out), &info), 0);
	CHECK_EQ_INT(cache_answer_lookup(c, q, RR_TYPE_AAAA, RR_CLASS_IN, 0, T0,
	    0, 0, out, sizeof(out), &info), 0);
	/* Too small a buffer: a miss, not a truncated copy. */
	CHECK_EQ_INT(cache_answer_lookup(c, q, RR_TYPE_A, RR_CLASS_IN, 0, T0,
	    0, 0, out, a.len - 1, &info), 0);

	len = lookup_answer(c, q, T0 + 299, out, NULL);
	CHECK_EQ_INT(len, a.len);
	CHECK_EQ_INT(rd32(out + a.offs[0]), 1);
	CHECK_EQ_INT(rd32(out + a.offs[3]), 3000 - 299);
	CHECK_EQ_INT(lookup_answer(c, q, T0 + 300, out, &info), 0);

	/* TTLs in the message below the entry's age stop at 0. */
	build_answer(&a, q, RCODE_NOERROR, 1, 5);
	CHECK_EQ_INT(store_answer(c, q, 0, &a, 50, T0), 0);
	CHECK_EQ_INT(lookup_answer(c, q, T0 + 20, out, &info), a.len);
	CHECK_EQ_INT(rd32(out + a.offs[0]), 0);

	/* A negative answer with its EDE. */
	build_answer(&a, N("nx.example.com"), RCODE_NXDOMAIN, 0, 0);
	CHECK_EQ_INT(cache_answer_store(c, N("nx.example.com"), RR_TYPE_A, RR_CLASS_IN, 0,
	    a.wire, a.len, a.offs, a.n_ttl, 60, EDE_CACHED_ERROR, T0), 0);
	CHECK_EQ_INT(lookup_answer(c, N("nx.example.com"), T0 + 1, out, &info), a.len);
	CHECK_EQ_INT(info.rcode, RCODE_NXDOMAIN);
	CHECK_EQ_INT(info.ede, EDE_CACHED_ERROR);

	/* Refused: zero TTL, bad offsets, not a message. */
	CHECK_EQ_INT(store_answer(c, q, 0, &a, 0, T0), -1);
	a.offs[0] = (uint16_t)(a.len - 3);
	CHECK_EQ_INT(cache_answer_store(c, q, RR_TYPE_A, RR_CLASS_IN, 0, a.wire, a.len,
	    a.offs, 1, 60, EDE_NONE, T0), -1);
	CHECK_EQ_INT(cache_answer_store(c, q, RR_TYPE_A, RR_CLASS_IN, 0, a.wire, 11,
	    NULL, 0, 60, EDE_NONE, T0), -1);

	cache_get_stats(c, &st);
	CHECK(st.hits >= 4);
	CHECK(st.misses >= 4);
	cache_destroy(c);
}

static void
test_answer_stale(void)
{
	struct cache *c = cache_create(1 << 20);
	static struct answer a;
	uint8_t out[4096];
	struct cache_answer_info info;
	struct cache_stats st;
	const uint8_t *q = N("stale.example.com");
	size_t i;

	build_answer(&a, q, RCODE_NOERROR, 2, 60);
	CHECK_EQ_INT(store_answer(c, q, 0, &a, 60, T0), 0);

	/* Still fresh: stale window makes no difference. */
	CHECK_EQ_INT(cache_answer_lookup(c, q, RR_TYPE_A, RR_CLASS_IN, 0, T0 + 59, 100, 30,
	    out, sizeof(out), &info), a.len);
	CHECK(!info.stale);
	CHECK_EQ_INT(rd32(out + a.offs[0]), 1);

	/* Expired, no window: miss, but the entry stays for stale use. */
	CHECK_EQ_INT(lookup_answer(c, q, T0 + 70, out, &info), 0);
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.answers, 1);

	memset(&info, 0, sizeof(info));
	CHECK_EQ_INT(cache_answer_lookup(c, q, RR_TYPE_A, RR_CLASS_IN, 0, T0 + 70, 100, 30,
	    out, sizeof(out), &info), a.len);
	CHECK(info.stale);
	CHECK_EQ_INT(info.remaining, 0);
	CHECK_EQ_INT(info.orig_ttl, 60);
	for (i = 0; i < a.n_ttl; i++)
		CHECK_EQ_INT(rd32(out + a.offs[i]), 30);

	/* Last second of the window, then past it: miss and reclaimed. */
	CHECK_EQ_INT(cache_answer_lookup(c, q, RR_TYPE_A, RR_CLASS_IN, 0, T0 + 159, 100, 30,
	    out, sizeof(out), &info), a.len);
	CHECK_EQ_INT(cache_answer_lookup(c, q, RR_TYPE_A, RR_CLASS_IN, 0, T0 + 160, 100, 30,
	    out, sizeof(out), &info), 0);
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.answers, 0);

	/* A fresh store replaces an expired entry. */
	CHECK_EQ_INT(store_answer(c, q, 0, &a, 60, T0), 0);
	CHECK_EQ_INT(store_answer(c, q, 0, &a, 60, T0 + 200), 0);
	CHECK_EQ_INT(lookup_answer(c, q, T0 + 210, out, &info), a.len);
	CHECK_EQ_INT(info.remaining, 50);
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.answers, 1);
	cache_destroy(c);
}

/* RFC 8767 around a failed refresh: a fresh entry is never replaced by the
 * failure; an expired one within the window is kept and marked for
 * recheck; nothing stale is kept for failures themselves. */
static void
test_answer_keep_on_failure(void)
{
	struct cache *c = cache_create(1 << 20);
	static struct answer a, f;
	uint8_t out[4096];
	struct cache_answer_info info;
	const uint8_t *q = N("keep.example.com");
	const uint8_t *nx = N("none.example.com");

	CHECK(!cache_answer_keep_on_failure(c, q, RR_TYPE_A, RR_CLASS_IN, 0, T0, 100, 5));
	build_answer(&a, q, RCODE_NOERROR, 2, 60);
	CHECK_EQ_INT(store_answer(c, q, 0, &a, 60, T0), 0);
	/* fresh: kept, not marked */
	CHECK(cache_answer_keep_on_failure(c, q, RR_TYPE_A, RR_CLASS_IN, 0, T0 + 10, 100, 5));
	CHECK_EQ_INT(lookup_answer(c, q, T0 + 10, out, &info), a.len);
	CHECK(!info.recheck);
	/* expired within the window: kept and marked for 5 s */
	CHECK(cache_answer_keep_on_failure(c, q, RR_TYPE_A, RR_CLASS_IN, 0, T0 + 70, 100, 5));
	CHECK_EQ_INT(cache_answer_lookup(c, q, RR_TYPE_A, RR_CLASS_IN, 0, T0 + 74, 100, 30,
	    out, sizeof(out), &info), a.len);
	CHECK(info.stale && info.recheck);
	CHECK_EQ_INT(cache_answer_lookup(c, q, RR_TYPE_A, RR_CLASS_IN, 0, T0 + 75, 100, 30,
	    out, sizeof(out), &info), a.len);
	CHECK(info.stale && !info.recheck);
	/* without a window (serve-expired off) an expired entry is not kept */
	CHECK(!cache_answer_keep_on_failure(c, q, RR_TYPE_A, RR_CLASS_IN, 0, T0 + 76, 0, 5));
	/* past the window: not kept */
	CHECK(!cache_answer_keep_on_failure(c, q, RR_TYPE_A, RR_CLASS_IN, 0, T0 + 161, 100, 5));

	/* a cached SERVFAIL is neither kept against a failure nor served stale */
	build_answer(&f, nx, RCODE_SERVFAIL, 0, 5);
	CHECK_EQ_INT(store_answer(c, nx, 0, &f, 5, T0), 0);
	CHECK(!cache_answer_keep_on_failure(c, nx, RR_TYPE_A, RR_CLASS_IN, 0, T0 + 1, 100, 5));
	CHECK_EQ_INT(cache_answer_lookup(c, nx, RR_TYPE_A, RR_CLASS_IN, 0, T0 + 6, 100, 30,
	    out, sizeof(out), &info), 0);
	cache_destroy(c);
}

static void
test_answer_remove_and_key(void)
{
	struct cache *c = cache_create(1 << 20);
	static struct answer a;
	uint8_t out[4096];
	struct cache_stats st;
	const uint8_t *q = N("www.example.net");

	build_answer(&a, q, RCODE_NOERROR, 1, 60);
	CHECK_EQ_INT(store_answer(c, q, 0, &a, 60, T0), 0);
	CHECK_EQ_INT(store_answer(c, q, CACHE_VARIANT_DO | CACHE_VARIANT_CD, &a, 60, T0), 0);
	cache_answer_remove(c, q, RR_TYPE_A, RR_CLASS_IN, 0);
	CHECK_EQ_INT(lookup_answer(c, q, T0, out, NULL), 0);
	CHECK_EQ_INT(cache_answer_lookup(c, q, RR_TYPE_A, RR_CLASS_IN,
	    CACHE_VARIANT_DO | CACHE_VARIANT_CD, T0, 0, 0, out, sizeof(out), NULL), a.len);
	cache_answer_remove(c, N("absent.example.net"), RR_TYPE_A, RR_CLASS_IN, 0);

	/* A message whose question is not the key still works (the key is
	 * then kept beside it), including for flush_zone. */
	CHECK_EQ_INT(store_answer(c, N("other.example.org"), 0, &a, 60, T0), 0);
	CHECK_EQ_INT(lookup_answer(c, N("OTHER.example.org"), T0, out, NULL), a.len);
	CHECK(memcmp(out, a.wire, a.len) == 0);
	cache_flush_zone(c, N("example.org"));
	CHECK_EQ_INT(lookup_answer(c, N("other.example.org"), T0, out, NULL), 0);
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.answers, 1);
	cache_destroy(c);
}

static void
test_flush(void)
{
	struct cache *c = cache_create(1 << 20);
	static struct answer a;
	struct test_rrset t;
	struct cache_stats st, empty;
	struct arena arena;
	struct rrset out;
	uint8_t buf[4096];
	const char *names[] = { "example.com", "www.example.com", "a.b.example.com",
	    "example.org", "com", "xexample.com", "www.example.org" };
	size_t i;

	arena_init(&arena, 4096);
	cache_get_stats(c, &empty);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		make_rrset(&t, N(names[i]), RR_TYPE_A, 300, 1, 0, TRUST_ANS_AA, 1);
		CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0), 1);
		build_answer(&a, N(names[i]), RCODE_NOERROR, 1, 300);
		CHECK_EQ_INT(store_answer(c, N(names[i]), 0, &a, 300, T0), 0);
	}
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.rrsets, 7);
	CHECK_EQ_INT(st.answers, 7);

	cache_flush_zone(c, N("EXAMPLE.com"));
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.rrsets, 4);
	CHECK_EQ_INT(st.answers, 4);
	CHECK(!cache_rrset_lookup(c, N("a.b.example.com"), RR_TYPE_A, RR_CLASS_IN, T0, &arena, &out));
	CHECK(cache_rrset_lookup(c, N("xexample.com"), RR_TYPE_A, RR_CLASS_IN, T0, &arena, &out));
	CHECK(cache_rrset_lookup(c, N("com"), RR_TYPE_A, RR_CLASS_IN, T0, &arena, &out));
	CHECK_EQ_INT(lookup_answer(c, N("www.example.com"), T0, buf, NULL), 0);
	CHECK(lookup_answer(c, N("www.example.org"), T0, buf, NULL) > 0);

	cache_flush(c);
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.rrsets, 0);
	CHECK_EQ_INT(st.answers, 0);
	CHECK_EQ_INT(st.bytes, empty.bytes);
	CHECK(!cache_rrset_lookup(c, N("com"), RR_TYPE_A, RR_CLASS_IN, T0, &arena, &out));

	/* Flushing the root drops everything too. */
	make_rrset(&t, N("example.net"), RR_TYPE_A, 300, 1, 0, TRUST_ANS_AA, 1);
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0), 1);
	cache_flush_zone(c, N("."));
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.rrsets, 0);
	arena_free_all(&arena);
	cache_destroy(c);
}

static void
name_i(uint8_t *out, const char *fmt, unsigned i)
{
	char s[64];

	snprintf(s, sizeof(s), fmt, i);
	if (dname_from_str(s, out) < 0)
		abort();
}

static void
test_eviction(void)
{
	const size_t max = 256 * 1024;
	struct cache *c = cache_create(max);
	static struct answer a;
	uint8_t name[DNAME_MAX], hot[DNAME_MAX], buf[4096];
	struct cache_stats st;
	unsigned i, n = 20000, over = 0, live = 0;

	dname_from_str("hot.example", hot);
	build_answer(&a, hot, RCODE_NOERROR, 2, 300);
	CHECK_EQ_INT(store_answer(c, hot, 0, &a, 300, T0), 0);
	for (i = 0; i < n; i++) {
		name_i(name, "name%u.example", i);
		build_answer(&a, name, RCODE_NOERROR, 2, 300);
		CHECK_EQ_INT(store_answer(c, name, 0, &a, 300, T0), 0);
		if (i % 16 == 0)
			CHECK(lookup_answer(c, hot, T0, buf, NULL) > 0);
		cache_get_stats(c, &st);
		if (st.bytes > max)
			over++;
	}
	CHECK_EQ_INT(over, 0);
	cache_get_stats(c, &st);
	CHECK(st.evictions > 0);
	CHECK(st.answers < n);
	CHECK_EQ_INT(st.answers + st.evictions, n + 1);
	/* Most of the budget is in use. */
	CHECK(st.bytes > max * 3 / 4);
	printf("eviction: %llu answers in %llu bytes, %llu evicted\n",
	    (unsigned long long)st.answers, (unsigned long long)st.bytes,
	    (unsigned long long)st.evictions);

	/* The hot entry and the newest survive, the oldest went. */
	CHECK(lookup_answer(c, hot, T0, buf, NULL) > 0);
	for (i = n - 10; i < n; i++) {
		name_i(name, "name%u.example", i);
		CHECK(lookup_answer(c, name, T0, buf, NULL) > 0);
	}
	for (i = 0; i < 100; i++) {
		name_i(name, "name%u.example", i);
		if (lookup_answer(c, name, T0, buf, NULL) > 0)
			live++;
	}
	CHECK_EQ_INT(live, 0);

	/* Shrinking the bound evicts at once; the bound is at least 64 KiB. */
	cache_set_max_bytes(c, 100 * 1024);
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.max_bytes, 100 * 1024);
	CHECK(st.bytes <= 100 * 1024);
	CHECK(st.answers > 0);
	cache_set_max_bytes(c, 1000);
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.max_bytes, 64 * 1024);
	CHECK(st.bytes <= 64 * 1024);
	cache_destroy(c);
}

static void
test_too_big(void)
{
	struct cache *c = cache_create(64 * 1024);
	static uint8_t big[65535];
	struct test_rrset t;
	struct cache_stats st;
	struct arena arena;
	struct rrset out;

	arena_init(&arena, 4096);
	make_rrset(&t, N("big.example"), RR_TYPE_TXT, 300, 1, 0, TRUST_ANS_AA, 1);
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0), 1);
	/* Larger than the whole cache: refused, and the old set stays. */
	make_rrset(&t, N("big.example"), RR_TYPE_TXT, 300, 2, 0, TRUST_ANS_AA, 1);
	t.rd[0].data = big;
	t.rd[0].len = 40000;
	t.rd[1].data = big;
	t.rd[1].len = 39999;
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0), -1);
	CHECK(cache_rrset_lookup(c, N("big.example"), RR_TYPE_TXT, RR_CLASS_IN, T0, &arena, &out));
	CHECK_EQ_INT(out.count, 1);
	CHECK_EQ_INT(out.rdata[0].len, 4);

	/* One that fits alone pushes everything else out. */
	make_rrset(&t, N("small.example"), RR_TYPE_A, 300, 1, 0, TRUST_ANS_AA, 1);
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0), 1);
	make_rrset(&t, N("big.example"), RR_TYPE_TXT, 300, 1, 0, TRUST_ANS_AA, 1);
	t.rd[0].data = big;
	t.rd[0].len = 65300;
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0), 1);
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.rrsets, 1);
	CHECK_EQ_INT(st.evictions, 1);
	CHECK(st.bytes <= 64 * 1024);
	CHECK(cache_rrset_lookup(c, N("big.example"), RR_TYPE_TXT, RR_CLASS_IN, T0, &arena, &out));
	CHECK_EQ_INT(out.rdata[0].len, 65300);
	arena_free_all(&arena);
	cache_destroy(c);
}

/* Sizes per cached name are a product target: keep them from creeping. */
static void
test_entry_sizes(void)
{
	struct cache *c = cache_create(1 << 20);
	static struct answer a;
	struct test_rrset t;
	struct cache_stats s0, s1, s2;
	const uint8_t *q = N("www.example.com");
	uint64_t ans, rr;

	build_answer(&a, q, RCODE_NOERROR, 1, 300);
	cache_get_stats(c, &s0);
	CHECK_EQ_INT(store_answer(c, q, 0, &a, 300, T0), 0);
	cache_get_stats(c, &s1);
	make_rrset(&t, q, RR_TYPE_A, 300, 1, 0, TRUST_ANS_AA, 1);
	CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0), 1);
	cache_get_stats(c, &s2);
	/* The allocator's chunk header is not visible to malloc_usable_size:
	 * add it to get the true footprint. */
	ans = s1.bytes - s0.bytes + sizeof(size_t);
	rr = s2.bytes - s1.bytes + sizeof(size_t);
	printf("entry sizes: answer www.example.com A (wire %zu, %zu TTL) %llu bytes, "
	    "A rrset %llu bytes (malloc overhead included)\n", a.len, a.n_ttl,
	    (unsigned long long)ans, (unsigned long long)rr);
	CHECK(ans <= 160);
	CHECK(rr <= 128);
	cache_destroy(c);
}

/* Many names with few entries each: the tables grow and all stay found. */
static void
test_many(void)
{
	struct cache *c = cache_create(64 << 20);
	struct test_rrset t;
	struct arena arena;
	struct rrset out;
	uint8_t name[DNAME_MAX];
	struct cache_stats st;
	unsigned i, n = 50000, found = 0;

	arena_init(&arena, 4096);
	for (i = 0; i < n; i++) {
		name_i(name, "h%u.many.example", i);
		make_rrset(&t, name, RR_TYPE_AAAA, 600, 1, 0, TRUST_ANS_AA, (uint8_t)i);
		CHECK_EQ_INT(cache_rrset_store(c, &t.rs, T0), 1);
	}
	for (i = 0; i < n; i++) {
		name_i(name, "H%u.MANY.example", i);
		if (cache_rrset_lookup(c, name, RR_TYPE_AAAA, RR_CLASS_IN, T0 + 1, &arena, &out) &&
		    out.rdata[0].data[3] == (uint8_t)i)
			found++;
		if (i % 1000 == 0) {
			arena_free_all(&arena);
			arena_init(&arena, 4096);
		}
	}
	CHECK_EQ_INT(found, n);
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.rrsets, n);
	CHECK_EQ_INT(st.evictions, 0);
	printf("many: %u rrsets in %llu bytes (%.1f per entry, tables included)\n", n,
	    (unsigned long long)st.bytes, (double)st.bytes / n);
	arena_free_all(&arena);
	cache_destroy(c);
}

/* ---- threads ---- */

struct thread_arg {
	struct cache *c;
	unsigned seed;
	unsigned ops, hits;
	int errors;
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *
thread_main(void *p)
{
	struct thread_arg *ta = p;
	static const size_t max = 512 * 1024;
	struct answer *a = malloc(sizeof(*a));
	uint8_t name[DNAME_MAX], buf[4096];
	struct test_rrset t;
	struct arena arena;
	struct rrset out;
	struct cache_stats st;
	uint64_t end = mono_ms() + 1000;
	unsigned r, k, rounds = 0;
	time_t now;
	size_t len;

	arena_init(&arena, 4096);
	while (mono_ms() < end) {
		for (k = 0; k < 64; k++) {
			r = (unsigned)rand_r(&ta->seed);
			name_i(name, "n%u.threads.example", r % 4000);
			now = T0 + (r >> 20) % 8;
			switch ((r >> 12) % 8) {
			case 0:
				build_answer(a, name, RCODE_NOERROR, 1 + (int)(r % 3), 300);
				if (store_answer(ta->c, name, 0, a, 300, now) != 0)
					ta->errors++;
				break;
			case 1:
				make_rrset(&t, name, RR_TYPE_A, 300, 1 + (int)(r % 4), (int)(r % 2),
				    (uint8_t)(r % 8), 1);
				if (cache_rrset_store(ta->c, &t.rs, now) < 0)
					ta->errors++;
				break;
			case 2:
			case 3:
				if (cache_rrset_lookup(ta->c, name, RR_TYPE_A, RR_CLASS_IN, now,
				    &arena, &out)) {
					ta->hits++;
					if (out.count < 1 || out.count > 4 || !dname_equal(out.owner, name))
						ta->errors++;
				}
				break;
			case 4:
				cache_answer_remove(ta->c, name, RR_TYPE_A, RR_CLASS_IN, 0);
				break;
			case 5:
				cache_get_stats(ta->c, &st);
				if (st.bytes > max)
					ta->errors++;
				break;
			default:
				len = lookup_answer(ta->c, name, now, buf, NULL);
				if (len) {
					ta->hits++;
					if (len < DNS_HEADER_SIZE || !dname_equal(buf + 12, name))
						ta->errors++;
				}
				break;
			}
			ta->ops++;
		}
		arena_free_all(&arena);
		arena_init(&arena, 4096);
		/* Now and then walk every shard while the others work. */
		if (++rounds % 256 == 0) {
			name_i(name, "n%u.threads.example", (unsigned)rand_r(&ta->seed) % 4000);
			cache_flush_zone(ta->c, name);
		}
	}
	arena_free_all(&arena);
	free(a);
	return NULL;
}

static void
test_threads(void)
{
	struct cache *c = cache_create(512 * 1024);
	struct thread_arg ta[4];
	pthread_t th[4];
	struct cache_stats st;
	unsigned ops = 0, hits = 0;
	int i;

	for (i = 0; i < 4; i++) {
		memset(&ta[i], 0, sizeof(ta[i]));
		ta[i].c = c;
		ta[i].seed = (unsigned)i * 7919 + 1;
		CHECK(pthread_create(&th[i], NULL, thread_main, &ta[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ_INT(ta[i].errors, 0);
		ops += ta[i].ops;
		hits += ta[i].hits;
	}
	cache_get_stats(c, &st);
	CHECK(st.bytes <= 512 * 1024);
	printf("threads: %u ops, %u hits, %llu entries, %llu evictions\n", ops, hits,
	    (unsigned long long)(st.answers + st.rrsets), (unsigned long long)st.evictions);
	CHECK(hits > 0);
	cache_destroy(c);
}

int
main(void)
{
	RUN(test_rrset_ttl);
	RUN(test_rrset_trust);
	RUN(test_rrset_security);
	RUN(test_answer_ttl);
	RUN(test_answer_stale);
	RUN(test_answer_keep_on_failure);
	RUN(test_answer_remove_and_key);
	RUN(test_flush);
	RUN(test_eviction);
	RUN(test_too_big);
	RUN(test_entry_sizes);
	RUN(test_many);
	RUN(test_threads);
	return unit_summary();
}
