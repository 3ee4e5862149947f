/*
 * infra.c -- what one worker knows about each upstream address: smoothed
 * round-trip time and variance (RFC 6298), the retransmission timeout
 * derived from them, timeout backoff, and whether it chokes on EDNS.
 *
 * A fixed-size table, direct-mapped by address hash: a collision simply
 * replaces the older entry, which bounds memory with no eviction logic.
 * Entries older than INFRA_HOST_TTL_MS are forgotten.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "iter/iter_internal.h"
#include "util/rand.h"

#define INFRA_SLOTS        4096
#define INFRA_HOST_TTL_MS  (900 * 1000)
#define INFRA_RTO_INITIAL  400     /* ms, for an address never measured */
#define INFRA_RTO_MIN      200     /* below this, load on the host alone causes timeouts */
#define INFRA_RTO_MAX      4000

struct infra_entry {
	struct netaddr addr;
	bool used;
	bool no_edns;
	uint32_t srtt;          /* ms */
	uint32_t rttvar;        /* ms */
	uint32_t rto;           /* ms */
	uint32_t timeouts;      /* consecutive */
	uint64_t bogus_until;   /* sent data that failed validation */
	uint64_t expires_ms;
};

struct infra {
	uint32_t seed;
	struct infra_entry slot[INFRA_SLOTS];
};

struct infra *
infra_create(void)
{
	struct infra *inf = calloc(1, sizeof(*inf));

	if (inf != NULL)
		inf->seed = rand_u32();
	return inf;
}

void
infra_destroy(struct infra *inf)
{
	free(inf);
}

static uint32_t
addr_hash(const struct infra *inf, const struct netaddr *a)
{
	const uint8_t *p = (const uint8_t *)&a->ss;
	uint32_t h = inf->seed;
	socklen_t i;

	for (i = 0; i < a->len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static struct infra_entry *
infra_lookup(struct infra *inf, const struct netaddr *a, uint64_t now_ms, bool create)
{
	struct infra_entry *e = &inf->slot[addr_hash(inf, a) & (INFRA_SLOTS - 1)];
	bool same = e->used && netaddr_equal((const struct sockaddr *)&e->addr.ss,
	    (const struct sockaddr *)&a->ss);

	if (same && e->expires_ms > now_ms)
		return e;
	if (!create)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->addr = *a;
	e->used = true;
	e->rto = INFRA_RTO_INITIAL;
	e->expires_ms = now_ms + INFRA_HOST_TTL_MS;
	return e;
}

uint32_t
infra_rto_ms(struct infra *inf, const struct netaddr *a, uint64_t now_ms)
{
	struct infra_entry *e = infra_lookup(inf, a, now_ms, false);

	return e != NULL ? e->rto : INFRA_RTO_INITIAL;
}

void
infra_report_rtt(struct infra *inf, const struct netaddr *a, uint32_t rtt_ms, uint64_t now_ms)
{
	struct infra_entry *e = infra_lookup(inf, a, now_ms, true);
	uint32_t diff, rto;

	if (e->srtt == 0 && e->rttvar == 0) {
		e->srtt = rtt_ms + 1;
		e->rttvar = rtt_ms / 2 + 1;
	} else {
		diff = e->srtt > rtt_ms ? e->srtt - rtt_ms : rtt_ms - e->srtt;
		e->rttvar = (3 * e->rttvar + diff) / 4;
		e->srtt = (7 * e->srtt + rtt_ms) / 8;
	}
	rto = e->srtt + 4 * e->rttvar;
	if (rto < INFRA_RTO_MIN)
		rto = INFRA_RTO_MIN;
	if (rto > INFRA_RTO_MAX)
		rto = INFRA_RTO_MAX;
	e->rto = rto;
	e->timeouts = 0;
	e->expires_ms = now_ms + INFRA_HOST_TTL_MS;
}

void
infra_report_timeout(struct infra *inf, const struct netaddr *a, uint64_t now_ms)
{
	struct infra_entry *e = infra_lookup(inf, a, now_ms, true);

	e->timeouts++;
	e->rto = e->rto * 2 > INFRA_RTO_MAX ? INFRA_RTO_MAX : e->rto * 2;
}

bool
infra_no_edns(struct infra *inf, const struct netaddr *a, uint64_t now_ms)
{
	struct infra_entry *e = infra_lookup(inf, a, now_ms, false);

	return e != NULL && e->no_edns;
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

bool
infra_is_bogus(struct infra *inf, const struct netaddr *a, uint64_t now_ms)
{
	struct infra_entry *e = infra_lookup(inf, a, now_ms, false);

	return e != NULL && e->bogus_until > now_ms;
}
