/*
 * top.c -- merging and ordering per-server counts.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "stats/top.h"

/* Family, then address bytes, then port: a total order for grouping. */
static int
addr_cmp(const struct netaddr *a, const struct netaddr *b)
{
	const struct sockaddr_storage *x = &a->ss, *y = &b->ss;

	if (x->ss_family != y->ss_family)
		return x->ss_family < y->ss_family ? -1 : 1;
	if (x->ss_family == AF_INET) {
		const struct sockaddr_in *p = (const void *)x, *q = (const void *)y;
		int c = memcmp(&p->sin_addr, &q->sin_addr, 4);
		if (c)
			return c;
		return (int)ntohs(p->sin_port) - (int)ntohs(q->sin_port);
	}
	if (x->ss_family == AF_INET6) {
		const struct sockaddr_in6 *p = (const void *)x, *q = (const void *)y;
		int c = memcmp(&p->sin6_addr, &q->sin6_addr, 16);
		if (c)
			return c;
		return (int)ntohs(p->sin6_port) - (int)ntohs(q->sin6_port);
	}
	return 0;
}

static int
by_addr(const void *a, const void *b)
{
	return addr_cmp(&((const struct top_entry *)a)->addr, &((const struct top_entry *)b)->addr);
}

int
top_order(const struct top_entry *a, const struct top_entry *b)
{
	if (a->queries != b->queries)
		return a->queries > b->queries ? -1 : 1;
	if (a->timeouts != b->timeouts)
		return a->timeouts > b->timeouts ? -1 : 1;
	return addr_cmp(&a->addr, &b->addr);
}

static int
by_order(const void *a, const void *b)
{
	return top_order(a, b);
}

/* b into a: the same server seen by another worker. */
static void
combine(struct top_entry *a, const struct top_entry *b)
{
	uint64_t wa = a->srtt_ms ? a->answers + 1 : 0, wb = b->srtt_ms ? b->answers + 1 : 0;

	if (wa + wb > 0)
		a->srtt_ms = (uint32_t)((a->srtt_ms * wa + b->srtt_ms * wb) / (wa + wb));
	if (b->last_ms > a->last_ms) {
		memcpy(a->zone, b->zone, sizeof(a->zone));
		a->last_ms = b->last_ms;
	}
	a->queries += b->queries;
	a->answers += b->answers;
	a->timeouts += b->timeouts;
}

int
top_merge(struct top_entry *e, int n)
{
	int i, out = 0;

	if (n <= 0)
		return 0;
	qsort(e, (size_t)n, sizeof(*e), by_addr);
	for (i = 1; i < n; i++) {
		if (by_addr(&e[out], &e[i]) == 0)
			combine(&e[out], &e[i]);
		else
			e[++out] = e[i];
	}
	n = out + 1;
	qsort(e, (size_t)n, sizeof(*e), by_order);
	return n;
}
