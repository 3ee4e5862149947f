/*
 * infra.c -- what one worker knows about each upstream address: smoothed
 * round-trip time and variance (RFC 6298), the retransmission timeout
 * derived from them, timeouts and the holddown they earn, queries
 * outstanding, whether it chokes on EDNS or its TCP fails, and whether it
 * sent bogus data.
 * Also the zones whose every server stopped answering.
 *
 * The host table is set-associative (INFRA_WAYS entries per set, chosen
 * by a seeded hash of the address): a new address replaces an expired or
 * the least recently used entry of its set, so memory is fixed at
 * creation and a flood of new addresses cannot push out more than its
 * share of what we know about, say, the root servers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "iter/iter_internal.h"
#include "util/rand.h"

#define INFRA_WAYS         4
#define INFRA_ZONE_SLOTS   128

struct infra_key {
	uint16_t family;
	uint16_t port;
	uint8_t addr[16];
};

struct infra_entry {
	struct infra_key key;
	bool used;
	bool no_edns;
	uint16_t outstanding;   /* queries in flight to it */
	uint64_t tcp_broken_until; /* a TCP query to it failed */
	uint32_t srtt;          /* ms; 0: never measured */
	uint32_t rttvar;        /* ms */
	uint32_t rto;           /* ms */
	uint32_t timeouts;      /* consecutive, without a reply between */
	uint64_t held_until;    /* ms: not asked before (when down) */
	uint64_t bogus_until;   /* sent data that failed validation */
	uint64_t expires_ms;
	uint64_t used_ms;       /* for replacement within the set */
};

struct infra_zone {
	uint8_t name[DNAME_MAX];
	bool used;
	uint32_t failures;      /* consecutive times every server failed */
	uint64_t held_until;
	uint64_t probe_until;   /* one probe in flight until then */
};

struct infra {
	uint32_t seed;
	uint32_t set_mask;
	uint64_t host_ttl_ms;
	struct infra_entry *slot;
	struct infra_zone zone[INFRA_ZONE_SLOTS];
	int nzones;             /* zones held: skip lookups when none */
};

static uint32_t
round_pow2(uint32_t n)
{
	uint32_t p = 1;

	while (p < n && p < (1u << 24))
		p <<= 1;
	return p;
}

struct infra *
infra_create(uint32_t max_hosts, uint32_t host_ttl_s)
{
	struct infra *inf = calloc(1, sizeof(*inf));
	uint32_t sets = round_pow2((max_hosts + INFRA_WAYS - 1) / INFRA_WAYS);

	if (inf == NULL)
		return NULL;
	inf->slot = calloc((size_t)sets * INFRA_WAYS, sizeof(*inf->slot));
	if (inf->slot == NULL) {
		free(inf);
		return NULL;
	}
	inf->set_mask = sets - 1;
	inf->seed = rand_u32();
	infra_set_host_ttl(inf, host_ttl_s);
	return inf;
}

void
infra_set_host_ttl(struct infra *inf, uint32_t host_ttl_s)
{
	inf->host_ttl_ms = (uint64_t)(host_ttl_s ? host_ttl_s : 1) * 1000;
}

void
infra_destroy(struct infra *inf)
{
	if (inf == NULL)
		return;
	free(inf->slot);
	free(inf);
}

static void
make_key(const struct netaddr *a, struct infra_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = a->ss.ss_family;
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)&a->ss;
		k->port = s->sin_port;
		memcpy(k->addr, &s->sin_addr, 4);
	} else if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&a->ss;
		k->port = s->sin6_port;
		memcpy(k->addr, &s->sin6_addr, 16);
	}
}

static uint32_t
key_hash(const struct infra *inf, const struct infra_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint32_t h = inf->seed;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 16777619u;
	return h ^ (h >> 15);
}

static struct infra_entry *
infra_lookup(struct infra *inf, const struct netaddr *a, uint64_t now_ms, bool create)
{
	struct infra_key k;
	struct infra_entry *set, *victim = NULL;
	int i;

	make_key(a, &k);
	set = &inf->slot[(size_t)(key_hash(inf, &k) & inf->set_mask) * INFRA_WAYS];
	for (i = 0; i < INFRA_WAYS; i++) {
		struct infra_entry *e = &set[i];
		if (e->used && memcmp(&e->key, &k, sizeof(k)) == 0) {
			/* An expired entry with queries in flight is kept:
			 * its outstanding count must stay right. */
			if (e->expires_ms > now_ms || e->outstanding > 0) {
				e->used_ms = now_ms;
				return e;
			}
			victim = e;
			break;
		}
	}
	if (!create)
		return NULL;
	for (i = 0; victim == NULL && i < INFRA_WAYS; i++)
		if (!set[i].used || (set[i].expires_ms <= now_ms && set[i].outstanding == 0))
			victim = &set[i];
	for (i = 0; victim == NULL && i < INFRA_WAYS; i++)
		if (set[i].outstanding == 0 && (victim == NULL || set[i].used_ms < victim->used_ms))
			victim = &set[i];
	if (victim == NULL)
		victim = &set[rand_uniform(INFRA_WAYS)];
	memset(victim, 0, sizeof(*victim));
	victim->key = k;
	victim->used = true;
	victim->rto = INFRA_RTO_INITIAL;
	victim->expires_ms = now_ms + inf->host_ttl_ms;
	victim->used_ms = now_ms;
	return victim;
}

/* INFRA_HOLDDOWN_MIN doubled `failures` times, up to INFRA_HOLDDOWN_MAX:
 * the backoff of addresses and zones alike. */
static uint64_t
backoff_ms(uint32_t failures)
{
	uint64_t ms = (uint64_t)INFRA_HOLDDOWN_MIN << (failures < 16 ? failures : 16);

	return ms > INFRA_HOLDDOWN_MAX ? INFRA_HOLDDOWN_MAX : ms;
}

/* Rest after n consecutive timeouts. Before the address counts as down
 * (one lost packet says little) it only keeps exploration away; once
 * down, nothing but the probe goes there, and the rest doubles. */
static uint64_t
holddown_ms(uint32_t n)
{
	if (n < INFRA_DOWN_TIMEOUTS)
		return n == 0 ? 0 : INFRA_HOLDDOWN_MIN;
	return backoff_ms(n - INFRA_DOWN_TIMEOUTS);
}

void
infra_view(struct infra *inf, const struct netaddr *a, uint64_t now_ms, struct infra_view *v)
{
	struct infra_entry *e = infra_lookup(inf, a, now_ms, false);

	memset(v, 0, sizeof(*v));
	if (e == NULL) {
		v->score = INFRA_RTT_UNKNOWN;
		v->rto = INFRA_RTO_INITIAL;
		return;
	}
	v->score = e->srtt ? e->srtt : INFRA_RTT_UNKNOWN;
	v->srtt = e->srtt;
	v->rto = e->rto;
	v->outstanding = e->outstanding;
	v->suspect = e->timeouts > 0;
	v->down = e->timeouts >= INFRA_DOWN_TIMEOUTS;
	v->resting = e->held_until > now_ms;
	v->held = v->down && v->resting;
	v->no_edns = e->no_edns;
	v->bogus = e->bogus_until > now_ms;
}

void
infra_on_send(struct infra *inf, const struct netaddr *a, uint64_t now_ms)
{
	struct infra_entry *e = infra_lookup(inf, a, now_ms, true);

	if (e->outstanding < UINT16_MAX)
		e->outstanding++;
	/* A query to a server that is down is its probe: no other query
	 * goes there until the holddown it would earn by failing is over. */
	if (e->timeouts >= INFRA_DOWN_TIMEOUTS)
		e->held_until = now_ms + holddown_ms(e->timeouts + 1);
}

void
infra_on_done(struct infra *inf, const struct netaddr *a, uint64_t now_ms)
{
	struct infra_entry *e = infra_lookup(inf, a, now_ms, false);

	if (e != NULL && e->outstanding > 0)
		e->outstanding--;
}

void
infra_report_rtt(struct infra *inf, const struct netaddr *a, uint32_t rtt_ms, uint64_t now_ms)
{
	struct infra_entry *e = infra_lookup(inf, a, now_ms, true);
	uint32_t diff, rto;

	if (e->srtt == 0 || e->timeouts > 0) {
		/* First measurement, or the first after timeouts inflated
		 * the estimate: start afresh (RFC 6298 2.2). */
		e->srtt = rtt_ms + 1;
		e->rttvar = rtt_ms / 2 + 1;
	} else {
		diff = e->srtt > rtt_ms ? e->srtt - rtt_ms : rtt_ms - e->srtt;
		e->rttvar = (3 * e->rttvar + diff) / 4;
		/* A reply in less than half the usual time is rarely luck:
		 * an anycast route moved to a nearer instance. Close half the
		 * gap at once, or the selector would need dozens of samples
		 * (only probes bring them) to notice. */
		if (rtt_ms < e->srtt / 2)
			e->srtt = (e->srtt + rtt_ms) / 2;
		else
			e->srtt = (7 * e->srtt + rtt_ms) / 8;
		if (e->srtt == 0)
			e->srtt = 1;
	}
	rto = e->srtt + 4 * e->rttvar;
	if (rto < INFRA_RTO_MIN)
		rto = INFRA_RTO_MIN;
	if (rto > INFRA_RTO_MAX)
		rto = INFRA_RTO_MAX;
	e->rto = rto;
	e->timeouts = 0;
	e->held_until = 0;
	e->expires_ms = now_ms + inf->host_ttl_ms;
}

void
infra_report_timeout(struct infra *inf, const struct netaddr *a, uint64_t now_ms)
{
	struct infra_entry *e = infra_lookup(inf, a, now_ms, true);

	/* Rank it as slow as the wait it just cost, so the selector prefers
	 * others at once; the timeout for the next query backs off. */
	if (e->srtt < e->rto)
		e->srtt = e->rto;
	e->rto = e->rto * 2 > INFRA_RTO_MAX ? INFRA_RTO_MAX : e->rto * 2;
	e->timeouts++;
	e->held_until = now_ms + holddown_ms(e->timeouts);
	e->expires_ms = now_ms + inf->host_ttl_ms;
}

void
infra_report_tcp(struct infra *inf, const struct netaddr *a, bool works, uint64_t now_ms)
{
	struct infra_entry *e = infra_lookup(inf, a, now_ms, !works);

	if (e != NULL)
		e->tcp_broken_until = works ? 0 : now_ms + INFRA_TCP_BROKEN_MS;
}

bool
infra_tcp_broken(struct infra *inf, const struct netaddr *a, uint64_t now_ms)
{
	struct infra_entry *e = infra_lookup(inf, a, now_ms, false);

	return e != NULL && e->tcp_broken_until > now_ms;
}

void
infra_set_no_edns(struct infra *inf, const struct netaddr *a, uint64_t now_ms)
{
	infra_lookup(inf, a, now_ms, true)->no_edns = true;
}

void
infra_set_bogus(struct infra *inf, const struct netaddr *a, uint64_t now_ms, uint32_t ms)
{
	infra_lookup(inf, a, now_ms, true)->bogus_until = now_ms + ms;
}

/* ---- zones with no server answering ---- */

static struct infra_zone *
zone_slot(struct infra *inf, const uint8_t *zone)
{
	return &inf->zone[dname_hash(zone, inf->seed) & (INFRA_ZONE_SLOTS - 1)];
}

bool
infra_zone_held(struct infra *inf, const uint8_t *zone, uint64_t now_ms, bool *probe)
{
	struct infra_zone *z;

	*probe = false;
	if (inf->nzones == 0)
		return false;
	z = zone_slot(inf, zone);
	if (!z->used || !dname_equal(z->name, zone))
		return false;
	if (z->held_until > now_ms || z->probe_until > now_ms)
		return true;
	/* Holddown over: this query is the probe; others keep failing fast
	 * until it has had time to find out. */
	z->probe_until = now_ms + INFRA_ZONE_PROBE_MS;
	*probe = true;
	return false;
}

void
infra_zone_down(struct infra *inf, const uint8_t *zone, uint64_t now_ms)
{
	struct infra_zone *z = zone_slot(inf, zone);

	if (!z->used || !dname_equal(z->name, zone)) {
		if (!z->used)
			inf->nzones++;
		memset(z, 0, sizeof(*z));
		z->used = true;
		memcpy(z->name, zone, dname_len(zone));
	}
	/* Questions in flight when the servers went silent fail together:
	 * one outage. Only a failure once the holddown is over (the probe's)
	 * backs off further. */
	if (z->held_until > now_ms)
		return;
	z->held_until = now_ms + backoff_ms(z->failures++);
	z->probe_until = 0;
}

void
infra_zone_up(struct infra *inf, const uint8_t *zone)
{
	struct infra_zone *z;

	if (inf->nzones == 0)
		return;
	z = zone_slot(inf, zone);
	if (z->used && dname_equal(z->name, zone)) {
		z->used = false;
		inf->nzones--;
	}
}

/* ---- for the operator ---- */

void
infra_flush(struct infra *inf, const struct netaddr *a)
{
	struct infra_key k;
	size_t i, n = (size_t)(inf->set_mask + 1) * INFRA_WAYS;
	uint16_t outstanding;

	if (a != NULL)
		make_key(a, &k);
	for (i = 0; i < n; i++) {
		struct infra_entry *e = &inf->slot[i];
		if (!e->used || (a != NULL && memcmp(&e->key, &k, sizeof(k)) != 0))
			continue;
		/* A fresh start, but queries in flight still come back and
		 * must find their count. */
		outstanding = e->outstanding;
		if (outstanding == 0) {
			e->used = false;
			continue;
		}
		k = e->key;
		memset(e, 0, sizeof(*e));
		e->key = k;
		e->used = true;
		e->outstanding = outstanding;
		e->rto = INFRA_RTO_INITIAL;
		e->expires_ms = 0;      /* goes once nothing is in flight */
		if (a != NULL)
			make_key(a, &k);
	}
	if (a == NULL) {
		memset(inf->zone, 0, sizeof(inf->zone));
		inf->nzones = 0;
	}
}

void
infra_flush_bogus(struct infra *inf)
{
	size_t i, n = (size_t)(inf->set_mask + 1) * INFRA_WAYS;

	for (i = 0; i < n; i++)
		inf->slot[i].bogus_until = 0;
}
