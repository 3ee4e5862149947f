/*
 * delegpt.c -- delegation points: which servers to ask for a name.
 *
 * The closest enclosing zone cut comes from, in order of preference: a
 * configured forward zone (it covers everything below it), the most
 * specific NS set in the cache, a configured stub zone (a floor: cached
 * delegations below it are followed), and finally the root, which is
 * primed from the hints before it is first used (RFC 8109).
 */
#include "config.h"

#include <string.h>
#include <netinet/in.h>

#include "iter/iter_internal.h"
#include "util/log.h"

bool
delegpt_addr_usable(const struct iter_config *cfg, const struct netaddr *a)
{
	int fam = a->ss.ss_family;

	if (fam == AF_INET && !cfg->do_ip4)
		return false;
	if (fam == AF_INET6 && !cfg->do_ip6)
		return false;
	if (cfg->do_not_query_localhost && netaddr_is_loopback((const struct sockaddr *)&a->ss))
		return false;
	return true;
}

static void
dp_add_addr(struct delegpt *dp, const struct netaddr *a, const uint8_t *ns_name)
{
	int i;

	for (i = 0; i < dp->naddr; i++)
		if (netaddr_equal((const struct sockaddr *)&dp->addr[i].addr.ss,
		    (const struct sockaddr *)&a->ss))
			return;
	if (dp->naddr >= ITER_MAX_DP_ADDRS)
		return;
	memset(&dp->addr[dp->naddr], 0, sizeof(dp->addr[0]));
	dp->addr[dp->naddr].addr = *a;
	dp->addr[dp->naddr].ns_name = ns_name;
	dp->naddr++;
}

/* Add the addresses in an A or AAAA RRset. */
static void
dp_add_rrset_addrs(struct delegpt *dp, const struct rrset *rs, const uint8_t *ns_name)
{
	struct netaddr a;
	int i;

	for (i = 0; i < rs->count; i++) {
		memset(&a, 0, sizeof(a));
		if (rs->type == RR_TYPE_A && rs->rdata[i].len == 4) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;
			sin->sin_family = AF_INET;
			sin->sin_port = htons(53);
			memcpy(&sin->sin_addr, rs->rdata[i].data, 4);
			a.len = sizeof(*sin);
		} else if (rs->type == RR_TYPE_AAAA && rs->rdata[i].len == 16) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a.ss;
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons(53);
			memcpy(&sin6->sin6_addr, rs->rdata[i].data, 16);
			a.len = sizeof(*sin6);
		} else
			continue;
		dp_add_addr(dp, &a, ns_name);
	}
}

/* Addresses of ns_name from the cache. An NS name should not be an alias
 * (RFC 2181 section 10.3) but some are: follow a few CNAMEs. */
static void
dp_add_cached_addrs(struct qstate *qs, struct delegpt *dp, const uint8_t *ns_name)
{
	struct iter *it = qs->it;
	time_t now = it->env.now(it->env.io);
	const uint8_t *name = ns_name;
	struct rrset rs, glue[2];
	bool found;
	int hops, i, nglue = 0;

	/* the parent's glue, after the child's own view (added first) */
	if (cache_rrset_lookup(it->cache, ns_name, RR_TYPE_A, ITER_CLASS_GLUE, now, &qs->arena, &rs))
		glue[nglue++] = rs;
	if (cache_rrset_lookup(it->cache, ns_name, RR_TYPE_AAAA, ITER_CLASS_GLUE, now, &qs->arena, &rs))
		glue[nglue++] = rs;
	for (hops = 0; hops < 4; hops++) {
		found = false;
		if (cache_rrset_lookup(it->cache, name, RR_TYPE_A, qs->qclass, now, &qs->arena, &rs)) {
			dp_add_rrset_addrs(dp, &rs, ns_name);
			found = true;
		}
		if (cache_rrset_lookup(it->cache, name, RR_TYPE_AAAA, qs->qclass, now, &qs->arena, &rs)) {
			dp_add_rrset_addrs(dp, &rs, ns_name);
			found = true;
		}
		if (found || !cache_rrset_lookup(it->cache, name, RR_TYPE_CNAME, qs->qclass, now,
		    &qs->arena, &rs) || rs.count != 1)
			break;
		name = rs.rdata[0].data;
	}
	for (i = 0; i < nglue; i++)
		dp_add_rrset_addrs(dp, &glue[i], ns_name);
}

void
delegpt_add_glue(const struct qstate *qs, struct delegpt *dp, const struct rrset *sets,
    int n, const uint8_t *bailiwick)
{
	int i, j;

	for (i = 0; i < n; i++) {
		const struct rrset *rs = &sets[i];
		if (rs->type != RR_TYPE_A && rs->type != RR_TYPE_AAAA)
			continue;
		if (qs->cfg->harden_glue && !dname_is_subdomain(rs->owner, bailiwick))
			continue;
		for (j = 0; j < dp->nns; j++)
			if (dname_equal(dp->ns[j].name, rs->owner)) {
				dp_add_rrset_addrs(dp, rs, dp->ns[j].name);
				break;
			}
	}
}

static struct delegpt *
dp_new(struct qstate *qs, const uint8_t *zone)
{
	struct delegpt *dp = arena_zalloc(&qs->arena, sizeof(*dp));

	if (dp == NULL)
		return NULL;
	dp->zone = arena_memdup(&qs->arena, zone, dname_len(zone));
	if (dp->zone == NULL)
		return NULL;
	return dp;
}

struct delegpt *
delegpt_from_ns(struct qstate *qs, const struct rrset *ns)
{
	struct delegpt *dp = dp_new(qs, ns->owner);
	int i;

	if (dp == NULL)
		return NULL;
	dp->ns = arena_zalloc(&qs->arena, sizeof(*dp->ns) * (ns->count ? ns->count : 1));
	if (dp->ns == NULL)
		return NULL;
	for (i = 0; i < ns->count; i++) {
		const uint8_t *name = ns->rdata[i].data;
		if (ns->rdata[i].len == 0 || dname_len(name) != ns->rdata[i].len)
			continue;
		dp->ns[dp->nns].name = name;
		dp_add_cached_addrs(qs, dp, name);
		dp->nns++;
	}
	return dp;
}

void
delegpt_refresh_addrs(struct qstate *qs, struct delegpt *dp)
{
	int i;

	for (i = 0; i < dp->nns; i++)
		dp_add_cached_addrs(qs, dp, dp->ns[i].name);
}

static struct delegpt *
dp_from_zone_config(struct qstate *qs, const struct iter_zone *z)
{
	struct delegpt *dp = dp_new(qs, z->name);
	int i;

	if (dp == NULL)
		return NULL;
	dp->forward = z->forward;
	dp->configured = true;
	for (i = 0; i < z->naddrs; i++)
		dp_add_addr(dp, &z->addrs[i], NULL);
	return dp;
}

static struct delegpt *
dp_from_hints(struct qstate *qs)
{
	const struct iter_hints *h = &qs->cfg->hints;
	struct delegpt *dp = dp_new(qs, (const uint8_t *)"");
	int i, j;

	if (dp == NULL)
		return NULL;
	dp->from_hints = true;
	dp->ns = arena_zalloc(&qs->arena, sizeof(*dp->ns) * (h->count ? h->count : 1));
	if (dp->ns == NULL)
		return NULL;
	for (i = 0; i < h->count; i++) {
		const uint8_t *name = arena_memdup(&qs->arena, h->servers[i].name,
		    dname_len(h->servers[i].name));
		if (name == NULL)
			return NULL;
		dp->ns[dp->nns].name = name;
		dp->ns[dp->nns].lookup_done = true;   /* never chase root names */
		dp->nns++;
		for (j = 0; j < h->servers[i].naddrs; j++)
			dp_add_addr(dp, &h->servers[i].addrs[j], name);
	}
	return dp;
}

/* Whether a cached delegation can lead anywhere: it has an address we may
 * use, or an NS name we could resolve without asking this very zone. */
static bool
dp_is_viable(const struct qstate *qs, const struct delegpt *dp)
{
	int i;

	for (i = 0; i < dp->naddr; i++)
		if (delegpt_addr_usable(qs->cfg, &dp->addr[i].addr))
			return true;
	for (i = 0; i < dp->nns; i++)
		if (!dname_is_subdomain(dp->ns[i].name, dp->zone))
			return true;
	return false;
}

static const struct iter_zone *
config_zone_for(const struct iter_config *cfg, const uint8_t *name)
{
	const struct iter_zone *z, *best = NULL;
	int best_labels = -1;

	for (z = cfg->zones; z != NULL; z = z->next) {
		int l = dname_label_count(z->name);
		if (l > best_labels && dname_is_subdomain(name, z->name)) {
			best = z;
			best_labels = l;
		}
	}
	return best;
}

struct delegpt *
delegpt_find(struct qstate *qs, const uint8_t *name, bool *need_prime)
{
	struct iter *it = qs->it;
	const struct iter_zone *z = config_zone_for(qs->cfg, name);
	int zlabels = z != NULL ? dname_label_count(z->name) : -1;
	int labels = dname_label_count(name);
	time_t now = it->env.now(it->env.io);
	struct rrset ns;
	int l;

	*need_prime = false;
	if (z != NULL && z->forward)
		return dp_from_zone_config(qs, z);
	/* A DS record lives in the parent zone: start looking above the name. */
	if (qs->qtype == RR_TYPE_DS && dname_equal(name, qs->cur_name) && labels > 0)
		labels--;
	for (l = labels; l >= 0; l--) {
		const uint8_t *s = dname_suffix_labels(name, l);
		/* a stub zone is a floor: only delegations below it win */
		if (z != NULL && zlabels >= l)
			return dp_from_zone_config(qs, z);
		if (l == 0)
			break;
		if (cache_rrset_lookup(it->cache, s, RR_TYPE_NS, qs->qclass, now, &qs->arena, &ns)) {
			struct delegpt *dp = delegpt_from_ns(qs, &ns);
			if (dp != NULL && dp_is_viable(qs, dp))
				return dp;
		}
	}
	if (z != NULL)
		return dp_from_zone_config(qs, z);
	if (cache_rrset_lookup(it->cache, (const uint8_t *)"", RR_TYPE_NS, qs->qclass, now, &qs->arena, &ns)) {
		struct delegpt *dp = delegpt_from_ns(qs, &ns);
		if (dp != NULL && dp_is_viable(qs, dp))
			return dp;
	}
	/* The priming query itself, or priming already failed: use hints. */
	if (qs->prime_tried || (qs->qtype == RR_TYPE_NS && name[0] == 0) ||
	    now < it->prime_holddown)
		return dp_from_hints(qs);
	*need_prime = true;
	return NULL;
}
