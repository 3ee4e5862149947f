/*
 * inspect.c -- what the operator may ask of an engine and tell it: the
 * servers asked most, the delegation a name would start from, and
 * forgetting what was learned about servers. Called in the engine's own
 * thread (the daemon gets there through the worker's loop).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "iter/iter_internal.h"

int
iter_upstream_table(struct iter *it, struct top_entry **out)
{
	uint64_t now = it->env.now_ms(it->env.io);
	struct infra_view v;
	int i, n;

	if ((n = upstats_copy(it->upstats, out)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		infra_view(it->infra, &(*out)[i].addr, now, &v);
		(*out)[i].srtt_ms = v.srtt;
	}
	return n;
}

void
iter_flush_infra(struct iter *it, const struct netaddr *addr)
{
	infra_flush(it->infra, addr);
	if (addr == NULL)
		it->prime_holddown = 0;
}

void
iter_flush_bogus(struct iter *it)
{
	infra_flush_bogus(it->infra);
}

static void
lookup_fill(struct iter *it, const struct qstate *qs, const struct delegpt *dp,
    struct iter_lookup *out)
{
	uint64_t now = it->env.now_ms(it->env.io);
	struct infra_view v;
	int i, j;

	memcpy(out->zone, dp->zone, dname_len(dp->zone));
	out->source = dp->forward ? LOOKUP_FORWARD : dp->configured ? LOOKUP_STUB :
	    dp->from_hints ? LOOKUP_HINTS : LOOKUP_CACHE;
	for (i = 0; i < dp->nns && out->nns < ITER_LOOKUP_NS_MAX; i++)
		memcpy(out->ns[out->nns++], dp->ns[i].name, dname_len(dp->ns[i].name));
	for (i = 0; i < dp->naddr && out->naddrs < ITER_LOOKUP_ADDRS_MAX; i++) {
		struct iter_lookup_server *s = &out->addrs[out->naddrs++];
		s->addr = dp->addr[i].addr;
		s->ns = -1;
		for (j = 0; dp->addr[i].ns_name != NULL && j < out->nns; j++)
			if (dname_equal(out->ns[j], dp->addr[i].ns_name))
				s->ns = j;
		infra_view(it->infra, &s->addr, now, &v);
		s->srtt_ms = v.srtt;
		s->score_ms = v.score;
		s->rto_ms = v.rto;
		s->down = v.held;
		s->bogus = v.bogus;
		s->no_edns = v.no_edns;
		s->unusable = !delegpt_addr_usable(qs->cfg, &s->addr);
	}
}

/* A question that is never asked: just enough of a qstate for
 * delegpt_find, outside the mesh, freed at once. */
int
iter_lookup(struct iter *it, const uint8_t *name, struct iter_lookup *out)
{
	struct qstate *qs = calloc(1, sizeof(*qs));
	struct delegpt *dp;
	bool need_prime;

	memset(out, 0, sizeof(*out));
	if (qs == NULL)
		return -1;
	qs->it = it;
	qs->cfg = it->cfg;
	arena_init(&qs->arena, 8192);
	memcpy(qs->qname, name, dname_len(name));
	memcpy(qs->cur_name, name, dname_len(name));
	qs->qtype = RR_TYPE_A;
	qs->qclass = RR_CLASS_IN;
	qs->prime_tried = true;        /* no cached root: show the hints */
	dp = delegpt_find(qs, name, &need_prime);
	if (dp != NULL)
		lookup_fill(it, qs, dp, out);
	arena_free_all(&qs->arena);
	free(qs);
	return dp != NULL ? 0 : -1;
}
