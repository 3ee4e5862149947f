/*
 * select.c -- which server of a delegation to ask next.
 *
 * The one with the lowest smoothed RTT: with anycast, that is the nearest
 * instance, and it stays so until routing changes. Such a change can make
 * another address faster without anything timing out, so a small share
 * of choices (explore_permille, default ITER_EXPLORE_PERMILLE) also names a random address to probe:
 * the caller sends it the same question on the side and keeps only the
 * round-trip time, so exploring never makes a client wait for a slow or
 * dead server. Addresses that are down are not asked at all until their
 * holddown ends (infra.c); one that merely timed out lately still may be
 * when nothing better is left, but is not explored.
 *
 * Within one qstate, an address it has not asked yet comes before one it
 * has, whatever the RTTs say: a retry should go elsewhere.
 *
 * The root's addresses (13 letters, two families) are all measured
 * straight away, one probe per choice until none is left unmeasured: so
 * few that it costs nothing, and every question starts there. With
 * probing off (infra-probe-share: 0) there are no side queries at all.
 */
#include "config.h"

#include "iter/iter_internal.h"
#include "util/rand.h"

int
select_server(struct qstate *qs, bool allow_bogus, bool *all_down, int *probe)
{
	struct delegpt *dp = qs->dp;
	struct iter *it = qs->it;
	uint64_t now = it->env.now_ms(it->env.io);
	uint64_t best = UINT64_MAX, score;
	struct infra_view v;
	int i, pick = -1, ties = 0, explore = -1, nexplore = 0, ndown = 0, ncand = 0;
	int unmeasured = -1, nunmeasured = 0;
	unsigned min_sent = ~0u;
	bool exploring = rand_uniform(1000) < qs->cfg->explore_permille;

	for (i = 0; i < dp->naddr; i++) {
		const struct dp_addr *a = &dp->addr[i];
		if (!a->failed && a->sent < min_sent && delegpt_addr_usable(qs->cfg, &a->addr))
			min_sent = a->sent;
	}
	for (i = 0; i < dp->naddr; i++) {
		struct dp_addr *a = &dp->addr[i];
		if (a->failed || a->sent >= ITER_MAX_TRIES_PER_ADDR)
			continue;
		if (!delegpt_addr_usable(qs->cfg, &a->addr))
			continue;
		infra_view(it->infra, &a->addr, now, &v);
		if (!allow_bogus && v.bogus)
			continue;            /* last resort: it sent bogus data */
		if (v.held && !dp->zone_probe) {
			ndown++;
			continue;
		}
		/* A server that stopped answering gets few queries at once
		 * (a flood of retries is the last thing it needs); a healthy
		 * one is capped only against runaway load. */
		if (v.outstanding >= (v.suspect ? INFRA_MAX_OUTSTANDING_SUSPECT : INFRA_MAX_OUTSTANDING))
			continue;
		ncand++;
		if (exploring && a->sent == min_sent && !v.resting &&
		    rand_uniform((uint32_t)++nexplore) == 0)
			explore = i;
		if (v.score == INFRA_RTT_UNKNOWN && !v.resting &&
		    rand_uniform((uint32_t)++nunmeasured) == 0)
			unmeasured = i;
		score = (uint64_t)a->sent * 100000 + v.score;
		if (score < best) {
			best = score;
			pick = i;
			ties = 1;
		} else if (score == best && rand_uniform((uint32_t)++ties) == 0) {
			pick = i;
		}
	}
	*all_down = ncand == 0 && ndown > 0;
	if (dp->zone[0] == 0 && unmeasured >= 0 && qs->cfg->explore_permille > 0)
		explore = unmeasured;
	*probe = explore != pick ? explore : -1;
	return pick;
}
