/*
 * upstats.c -- how often each upstream address was asked, answered and
 * timed out since start: the data of `resolverctl top-upstreams`, the
 * view a packet capture would give of which servers get the traffic.
 *
 * One table per engine (per worker), so no locks. Memory is fixed: at
 * most UPSTATS_MAX addresses. When a new address comes and the table is
 * full, the entry with the fewest queries gives way and the newcomer
 * starts from that count plus one (the Space-Saving algorithm): a server
 * that is asked often always gets and keeps its place, whatever number of
 * one-off servers pass through, at the price that a newcomer's count may
 * be overstated by what it inherited (at most the smallest count in the
 * table). Replies and timeouts are never inherited.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "iter/iter_internal.h"

#define UPSTATS_MAX 1024
#define UPSTATS_BUCKETS 1024            /* power of two */

struct upstats_entry {
	struct netaddr addr;
	int next;                       /* hash chain, -1 at the end */
	uint64_t queries, answers, timeouts;
	uint64_t last_ms;
	uint8_t zone[DNAME_MAX];
};

struct upstats {
	int n;
	int head[UPSTATS_BUCKETS];
	struct upstats_entry e[UPSTATS_MAX];
};

struct upstats *
upstats_create(void)
{
	struct upstats *u = malloc(sizeof(*u));
	int i;

	if (u == NULL)
		return NULL;
	u->n = 0;
	for (i = 0; i < UPSTATS_BUCKETS; i++)
		u->head[i] = -1;
	return u;
}

void
upstats_destroy(struct upstats *u)
{
	free(u);
}

static uint32_t
addr_hash(const struct netaddr *a)
{
	const uint8_t *p;
	size_t n, i;
	uint32_t h = 2166136261u;

	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)&a->ss;
		p = (const uint8_t *)&s->sin6_addr;
		n = 16;
		h ^= s->sin6_port;
	} else {
		const struct sockaddr_in *s = (const void *)&a->ss;
		p = (const uint8_t *)&s->sin_addr;
		n = 4;
		h ^= s->sin_port;
	}
	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h ^ (h >> 16);
}

static int
find(const struct upstats *u, const struct netaddr *a, uint32_t h)
{
	int i;

	for (i = u->head[h & (UPSTATS_BUCKETS - 1)]; i >= 0; i = u->e[i].next)
		if (netaddr_equal((const struct sockaddr *)&u->e[i].addr.ss,
		    (const struct sockaddr *)&a->ss))
			return i;
	return -1;
}

static void
unlink_entry(struct upstats *u, int idx)
{
	int *pp = &u->head[addr_hash(&u->e[idx].addr) & (UPSTATS_BUCKETS - 1)];

	while (*pp >= 0 && *pp != idx)
		pp = &u->e[*pp].next;
	if (*pp == idx)
		*pp = u->e[idx].next;
}

/* The entry with fewest queries (the oldest of them on ties). */
static int
least(const struct upstats *u)
{
	int i, best = 0;

	for (i = 1; i < u->n; i++)
		if (u->e[i].queries < u->e[best].queries ||
		    (u->e[i].queries == u->e[best].queries && u->e[i].last_ms < u->e[best].last_ms))
			best = i;
	return best;
}

void
upstats_query(struct upstats *u, const struct netaddr *a, const uint8_t *zone, uint64_t now_ms)
{
	uint32_t h = addr_hash(a);
	uint64_t inherit = 0;
	int i = find(u, a, h);

	if (i < 0) {
		if (u->n < UPSTATS_MAX) {
			i = u->n++;
		} else {
			i = least(u);
			inherit = u->e[i].queries;
			unlink_entry(u, i);
		}
		memset(&u->e[i], 0, sizeof(u->e[i]));
		u->e[i].addr = *a;
		u->e[i].queries = inherit;
		u->e[i].next = u->head[h & (UPSTATS_BUCKETS - 1)];
		u->head[h & (UPSTATS_BUCKETS - 1)] = i;
	}
	u->e[i].queries++;
	u->e[i].last_ms = now_ms;
	memcpy(u->e[i].zone, zone, dname_len(zone));
}

void
upstats_reply(struct upstats *u, const struct netaddr *a, bool timeout)
{
	int i = find(u, a, addr_hash(a));

	if (i < 0)
		return;                 /* gave way meanwhile */
	if (timeout)
		u->e[i].timeouts++;
	else
		u->e[i].answers++;
}

int
upstats_copy(const struct upstats *u, struct top_entry **out)
{
	int i;

	*out = calloc(u->n > 0 ? (size_t)u->n : 1, sizeof(**out));
	if (*out == NULL)
		return -1;
	for (i = 0; i < u->n; i++) {
		(*out)[i].addr = u->e[i].addr;
		memcpy((*out)[i].zone, u->e[i].zone, dname_len(u->e[i].zone));
		(*out)[i].queries = u->e[i].queries;
		(*out)[i].answers = u->e[i].answers;
		(*out)[i].timeouts = u->e[i].timeouts;
		(*out)[i].last_ms = u->e[i].last_ms;
	}
	return u->n;
}
