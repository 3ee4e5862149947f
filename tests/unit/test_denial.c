/*
 * test_denial.c -- the cache's validated NSEC/NSEC3 records for aggressive
 * use (cache_denial_*): lookups at or before a name, zones and their SOA,
 * what is not kept, flushing, and the memory bound.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "util/wire.h"
#include "unit.h"

#define NOW 1700000000

static struct arena arena;

/* An NSEC at owner pointing to next (type bitmap: A), validated. */
static struct rrset *
nsec(const char *owner, const char *next, uint32_t ttl)
{
	struct rrset *rs = arena_zalloc(&arena, sizeof(*rs));
	struct rdata *rd = arena_zalloc(&arena, sizeof(*rd));
	uint8_t *o = arena_alloc(&arena, DNAME_MAX), *d = arena_alloc(&arena, DNAME_MAX + 3);
	int n;

	dname_from_str(owner, o);
	n = dname_from_str(next, d);
	d[n] = 0;          /* window 0 */
	d[n + 1] = 1;
	d[n + 2] = 0x40;   /* A */
	rd->data = d;
	rd->len = (uint16_t)(n + 3);
	rs->owner = o;
	rs->type = RR_TYPE_NSEC;
	rs->rclass = RR_CLASS_IN;
	rs->ttl = ttl;
	rs->count = 1;
	rs->rdata = rd;
	rs->security = SEC_SECURE;
	return rs;
}

static struct rrset *
soa(const char *zone)
{
	static const uint8_t fixed[22] = { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 60 };
	struct rrset *rs = arena_zalloc(&arena, sizeof(*rs));
	struct rdata *rd = arena_zalloc(&arena, sizeof(*rd));
	uint8_t *o = arena_alloc(&arena, DNAME_MAX);

	dname_from_str(zone, o);
	rd->data = fixed;    /* two root names, then the numbers */
	rd->len = sizeof(fixed);
	rs->owner = o;
	rs->type = RR_TYPE_SOA;
	rs->rclass = RR_CLASS_IN;
	rs->ttl = 60;
	rs->count = 1;
	rs->rdata = rd;
	rs->security = SEC_SECURE;
	return rs;
}

static const uint8_t *
name(const char *s)
{
	uint8_t *n = arena_alloc(&arena, DNAME_MAX);

	dname_from_str(s, n);
	return n;
}

/* The owner of the record at or before s in zone, or "" for none. */
static const char *
at_or_before(struct cache *c, const char *zone, const char *s, time_t now)
{
	static char buf[DNAME_STR_MAX];
	struct rrset out;

	if (!cache_denial_lookup(c, name(zone), name(s), now, &arena, &out))
		return "";
	return dname_to_str(out.owner, buf, sizeof(buf));
}

static void
test_lookup(void)
{
	struct cache *c = cache_create(1 << 20);
	struct rrset sets[3], soa_out;
	uint8_t zone[DNAME_MAX];
	bool nsec3 = true;

	arena_init(&arena, 4096);
	sets[0] = *nsec("example.", "b.example.", 300);
	sets[1] = *nsec("b.example.", "m.example.", 300);
	sets[2] = *nsec("m.example.", "example.", 100);
	cache_denial_store(c, name("example."), soa("example."), 60, sets, 3, 3600, NOW);
	CHECK_STR(at_or_before(c, "example.", "c.example.", NOW), "b.example.");
	CHECK_STR(at_or_before(c, "example.", "b.example.", NOW), "b.example.");
	CHECK_STR(at_or_before(c, "example.", "z.example.", NOW), "m.example.");
	/* before the first owner the last one wraps around */
	CHECK_STR(at_or_before(c, "example.", "a.b.c", NOW), "m.example.");
	/* each record lives its own TTL */
	CHECK_STR(at_or_before(c, "example.", "z.example.", NOW + 150), "");
	CHECK_STR(at_or_before(c, "example.", "c.example.", NOW + 150), "b.example.");
	/* the zone: closest enclosing, or strictly above for a DS */
	CHECK(cache_denial_zone(c, name("x.b.example."), false, NOW, &arena, zone, &nsec3, &soa_out));
	CHECK(dname_equal(zone, name("example.")) && !nsec3);
	CHECK(soa_out.type == RR_TYPE_SOA && soa_out.ttl == 60);
	CHECK(!cache_denial_zone(c, name("example."), true, NOW, &arena, zone, &nsec3, &soa_out));
	CHECK(cache_denial_zone(c, name("example."), false, NOW, &arena, zone, &nsec3, &soa_out));
	/* no live SOA: the zone proves nothing */
	CHECK(!cache_denial_zone(c, name("x.example."), false, NOW + 61, &arena, zone, &nsec3,
	    &soa_out));
	cache_destroy(c);
	arena_free_all(&arena);
}

/* A child zone held with its parent: names in the child are the child's,
 * its DS is the parent's. */
static void
test_parent_side(void)
{
	struct cache *c = cache_create(1 << 20);
	struct rrset *p, *k, soa_out;
	uint8_t zone[DNAME_MAX];
	bool nsec3;

	arena_init(&arena, 4096);
	p = nsec("sub.example.", "z.example.", 300);
	k = nsec("sub.example.", "a.sub.example.", 300);
	cache_denial_store(c, name("example."), soa("example."), 60, p, 1, 3600, NOW);
	cache_denial_store(c, name("sub.example."), soa("sub.example."), 60, k, 1, 3600, NOW);
	CHECK(cache_denial_zone(c, name("sub.example."), false, NOW, &arena, zone, &nsec3, &soa_out));
	CHECK(dname_equal(zone, name("sub.example.")));
	CHECK(cache_denial_zone(c, name("sub.example."), true, NOW, &arena, zone, &nsec3, &soa_out));
	CHECK(dname_equal(zone, name("example.")));
	CHECK(cache_denial_zone(c, name("x.sub.example."), true, NOW, &arena, zone, &nsec3, &soa_out));
	CHECK(dname_equal(zone, name("sub.example.")));
	cache_destroy(c);
	arena_free_all(&arena);
}

/* Only what validation proved, of the zone, one record a set. */
static void
test_not_kept(void)
{
	struct cache *c = cache_create(1 << 20);
	struct rrset sets[4];
	struct cache_stats st;

	arena_init(&arena, 4096);
	sets[0] = *nsec("a.example.", "c.example.", 300);
	sets[0].security = SEC_UNCHECKED;     /* sent along, never verified */
	sets[1] = *nsec("d.example.", "e.example.", 300);
	sets[1].security = SEC_BOGUS;
	sets[2] = *nsec("f.other.", "g.other.", 300);   /* not of the zone */
	sets[3] = *nsec("h.example.", "i.example.", 0);
	cache_denial_store(c, name("example."), soa("example."), 60, sets, 4, 3600, NOW);
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.denials, 0);
	CHECK_STR(at_or_before(c, "example.", "b.example.", NOW), "");
	cache_destroy(c);
	arena_free_all(&arena);
}

static void
test_flush(void)
{
	struct cache *c = cache_create(1 << 20);
	struct cache_stats st;
	struct rrset sets[2];

	arena_init(&arena, 4096);
	sets[0] = *nsec("a.example.", "c.example.", 300);
	sets[1] = *nsec("sub.example.", "x.example.", 300);
	cache_denial_store(c, name("example."), soa("example."), 60, sets, 2, 3600, NOW);
	sets[0] = *nsec("a.sub.example.", "b.sub.example.", 300);
	cache_denial_store(c, name("sub.example."), soa("sub.example."), 60, sets, 1, 3600, NOW);
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.denials, 3);
	/* the zone below goes, and the parent's record at the cut */
	cache_flush_zone(c, name("sub.example."));
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.denials, 1);
	CHECK_STR(at_or_before(c, "example.", "b.example.", NOW), "a.example.");
	cache_flush(c);
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.denials, 0);
	CHECK_STR(at_or_before(c, "example.", "b.example.", NOW), "");
	cache_destroy(c);
	arena_free_all(&arena);
}

/* Bounded by an eighth of cache-size (past its 64 KiB minimum): zones used
 * lately stay, the least recently used go; a zone used all along survives
 * many others. */
static void
test_bound_lru(void)
{
	struct cache *c = cache_create(1 << 20);    /* 128 KiB for denials */
	struct rrset *rs, soa_out;
	struct cache_stats st;
	uint8_t zone[DNAME_MAX];
	char z[64], o[64], nx[64];
	uint64_t kept;
	bool nsec3;
	int i, j;

	arena_init(&arena, 1 << 16);
	rs = nsec("a.popular.", "c.popular.", 3600);
	cache_denial_store(c, name("popular."), soa("popular."), 3600, rs, 1, 3600, NOW);
	for (i = 0; i < 400; i++) {
		snprintf(z, sizeof(z), "zone%d.", i);
		for (j = 0; j < 10; j++) {
			snprintf(o, sizeof(o), "n%d.zone%d.", j, i);
			snprintf(nx, sizeof(nx), "n%dx.zone%d.", j, i);
			rs = nsec(o, nx, 3600);
			cache_denial_store(c, name(z), soa(z), 3600, rs, 1, 3600, NOW);
		}
		/* the popular zone is asked about all the time */
		CHECK(cache_denial_zone(c, name("b.popular."), false, NOW, &arena, zone, &nsec3,
		    &soa_out));
		if (i % 50 == 0)
			arena_free_all(&arena);
	}
	cache_get_stats(c, &st);
	fprintf(stderr, "  %llu records kept after 4000 in 400 zones\n", (unsigned long long)st.denials);
	CHECK(st.denials < 4000);
	CHECK(st.denials > 100);
	CHECK_STR(at_or_before(c, "popular.", "b.popular.", NOW), "a.popular.");
	CHECK_STR(at_or_before(c, "zone399.", "n5a.zone399.", NOW), "n5.zone399.");
	CHECK_STR(at_or_before(c, "zone0.", "n5a.zone0.", NOW), "");
	/* shrinking the cache shrinks the share, down to nothing for the
	 * smallest cache (64 KiB, all of it for one largest answer) */
	kept = st.denials;
	cache_set_max_bytes(c, 256 * 1024);
	cache_get_stats(c, &st);
	CHECK(st.denials > 0 && st.denials * 3 < kept * 2);
	CHECK(st.bytes <= 256 * 1024);
	cache_set_max_bytes(c, 64 * 1024);
	cache_get_stats(c, &st);
	CHECK_EQ_INT(st.denials, 0);
	cache_destroy(c);
	arena_free_all(&arena);
}

int
main(void)
{
	RUN(test_lookup);
	RUN(test_parent_side);
	RUN(test_not_kept);
	RUN(test_flush);
	RUN(test_bound_lru);
	return unit_summary();
}
