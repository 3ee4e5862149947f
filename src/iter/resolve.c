/*
 * resolve.c -- the iterative algorithm (RFC 1034 section 5.3.3) as a state
 * machine over one qstate: look in the cache, find the closest delegation,
 * ask one of its servers, and act on the reply; repeat until there is an
 * answer, a negative answer, or nothing left to try.
 *
 * QNAME minimisation (RFC 9156): towards authoritative servers we ask for
 * the next label only (type NS) until we reach the zone holding the name.
 * Any sign that a server cannot cope (an error rcode, NXDOMAIN for an
 * empty non-terminal, an alias) makes this qstate fall back to the full
 * name, as the RFC's section 2.3 allows.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "auth/authzone.h"
#include "iter/response.h"
#include "dnssec/dnssec.h"
#include "util/log.h"
#include "util/rand.h"

static void
resolve_fail(struct qstate *qs, uint16_t ede)
{
	qs->rcode = RCODE_SERVFAIL;
	qs->ede = ede;
	qs->nanswer = 0;
	qs->neg_soa = NULL;
	qstate_finish(qs);
}

/* The answer is complete: validate it if that is wanted, then finish. */
static void
resolve_done(struct qstate *qs)
{
	if (validate_wanted(qs)) {
		qs->state = QS_VALIDATE;
		qstate_schedule(qs);
		return;
	}
	qstate_finish(qs);
}

static void
trace(struct qstate *qs, const char *what, const uint8_t *name, uint16_t type, const struct netaddr *a)
{
	char n[DNAME_STR_MAX], q[DNAME_STR_MAX], t[16], ab[64] = "";

	if (log_verbosity < 3)
		return;
	if (a != NULL)
		netaddr_str((const struct sockaddr *)&a->ss, ab, sizeof(ab));
	log_debug(3, "[%s %s] %s %s %s %s", dname_to_str(qs->qname, q, sizeof(q)),
	    rr_type_str(qs->qtype, t), what, name ? dname_to_str(name, n, sizeof(n)) : "",
	    name ? rr_type_str(type, t) : "", ab);
}

/* Start address lookups for name servers that have none. One at a time:
 * a delegation rarely needs more than one working server, and this keeps
 * what one referral can make us do small (NXNSAttack). */
static bool
start_ns_lookup(struct qstate *qs)
{
	struct delegpt *dp = qs->dp;
	int i, j, started = 0;

	for (i = 0; i < dp->nns && dp->ns_lookups < ITER_MAX_NS_LOOKUPS; i++) {
		struct dp_ns *ns = &dp->ns[i];
		bool has_addr = false;
		if (ns->lookup_started || ns->lookup_done)
			continue;
		/* Only names with no address at all: one whose addresses
		 * failed is not likely to get better ones by asking again. */
		for (j = 0; j < dp->naddr; j++)
			if (dp->addr[j].ns_name == ns->name)
				has_addr = true;
		ns->lookup_started = true;
		if (has_addr)
			continue;
		/* Names inside the zone itself are tried too: the lookup may
		 * find them cached, or via the parent's glue; asking this very
		 * qstate is ruled out by the subquery cycle check. */
		if (qs->cfg->do_ip4 && qstate_subquery(qs, ns->name, RR_TYPE_A, qs->qclass, FLAG_CD))
			started++;
		if (qs->cfg->do_ip6 && qstate_subquery(qs, ns->name, RR_TYPE_AAAA, qs->qclass, FLAG_CD))
			started++;
		if (started > 0) {
			dp->ns_lookups++;
			trace(qs, "resolving name server", ns->name, RR_TYPE_A, NULL);
			return true;
		}
	}
	return false;
}

/* Every server of a delegation from the cache failed: ask the parent
 * zone again, whose referral carries the current servers and fresh glue
 * (the cached set may be stale, e.g. after its glue expired). */
static bool
parent_fallback(struct qstate *qs)
{
	struct delegpt *dp = qs->dp, *parent;
	bool need_prime;

	int i, j;
	bool addrless = false;

	if (dp->configured || dp->from_hints || dp->zone[0] == 0 ||
	    qs->parent_fallbacks >= ITER_MAX_PARENT_FALLBACK)
		return false;
	/* Servers that only time out will not do better for being found
	 * again: the parent helps only with stale or missing addresses. */
	for (i = 0; i < dp->nns && !addrless; i++) {
		addrless = true;
		for (j = 0; j < dp->naddr; j++)
			if (dp->addr[j].ns_name == dp->ns[i].name)
				addrless = false;
	}
	if (!addrless && !qs->dp_saw_lame)
		return false;
	parent = delegpt_find(qs, dname_remove_labels(dp->zone, 1), &need_prime);
	if (parent == NULL)
		return false;
	qs->parent_fallbacks++;
	trace(qs, "asking the parent again for", dp->zone, RR_TYPE_NS, NULL);
	qs->dp = parent;
	qs->dp_saw_lame = false;
	qs->minimise_labels = dname_label_count(parent->zone);
	return true;
}

/* The name and type to send, applying QNAME minimisation. */
static void
choose_question(struct qstate *qs)
{
	int zl = dname_label_count(qs->dp->zone);
	int nl = dname_label_count(qs->cur_name);
	int next;

	qs->sent_name = qs->cur_name;
	qs->sent_type = qs->qtype;
	if (qs->dp->forward || !qs->cfg->qname_minimisation || qs->no_minimise)
		return;
	if (qs->qtype == RR_TYPE_DS)
		nl--;     /* the DS is asked of the parent, by its full name */
	if (qs->minimise_labels < zl)
		qs->minimise_labels = zl;
	next = qs->minimise_labels + 1;
	/* Past the first few labels, jump so that a name with many labels
	 * still costs at most ITER_MINIMISE_MAX queries. */
	if (qs->minimise_count >= ITER_MINIMISE_ONE_LAB) {
		int left = nl - qs->minimise_labels;
		int rounds = ITER_MINIMISE_MAX - qs->minimise_count;
		if (rounds <= 1)
			next = nl;
		else if (left / rounds > 1)
			next = qs->minimise_labels + left / rounds;
	}
	if (next >= nl || qs->minimise_count >= ITER_MINIMISE_MAX)
		return;
	qs->sent_name = dname_suffix_labels(qs->cur_name, next);
	qs->sent_type = RR_TYPE_NS;
}

static bool
is_minimised(const struct qstate *qs)
{
	return qs->sent_name != qs->cur_name;
}

static const struct netaddr *
pick_source(const struct qstate *qs, const struct netaddr *server)
{
	const struct iter_config *cfg = qs->cfg;
	int i, n = 0, pick = -1;

	for (i = 0; i < cfg->noutgoing; i++)
		if (cfg->outgoing[i].ss.ss_family == server->ss.ss_family &&
		    rand_uniform((uint32_t)++n) == 0)
			pick = i;
	return pick >= 0 ? &cfg->outgoing[pick] : NULL;
}

/* Hand qs's current question for address idx to the I/O layer, on
 * behalf of p (a pending already linked). False if it could not go. */
static bool
send_query_to(struct qstate *qs, struct pending *p, int idx, bool tcp, uint64_t now)
{
	struct iter *it = qs->it;
	struct dp_addr *a = &qs->dp->addr[idx];
	struct upstream_query q;
	struct infra_view v;

	infra_view(it->infra, &a->addr, now, &v);
	memset(&q, 0, sizeof(q));
	q.server = &a->addr;
	q.source = pick_source(qs, &a->addr);
	q.qname = qs->sent_name;
	q.qtype = qs->sent_type;
	q.qclass = qs->qclass;
	q.rd = qs->dp->forward;
	q.cd = (qs->flags & FLAG_CD) != 0;
	q.tcp = tcp;
	q.edns = !a->no_edns && !v.no_edns;
	q.dnssec_ok = qs->cfg->anchors != NULL;   /* signatures to validate */
	q.edns_bufsize = qs->cfg->edns_buffer_size;
	/* TCP needs a handshake first: give it a few round trips. */
	q.timeout_ms = tcp ? (v.rto * 3 > 1500 ? v.rto * 3 : 1500) : v.rto;
	p->addr_index = idx;
	p->server = a->addr;
	p->tcp = tcp;
	p->edns = q.edns;
	p->sent_ms = now;
	it->stats.upstream_queries++;
	if (tcp)
		it->stats.upstream_tcp++;
	if (it->env.send_query(it->env.io, &q, p) != 0)
		return false;
	infra_on_send(it->infra, &a->addr, now);
	return true;
}

static bool
send_to(struct qstate *qs, int idx, bool tcp)
{
	struct iter *it = qs->it;
	struct dp_addr *a = &qs->dp->addr[idx];
	struct pending *p = pending_new(it, qs);

	if (p == NULL)
		return false;
	a->sent++;
	qs->upstream_sent++;
	qs->budget->upstream++;
	trace(qs, tcp ? "ask (tcp)" : "ask", qs->sent_name, qs->sent_type, &a->addr);
	if (!send_query_to(qs, p, idx, tcp, it->env.now_ms(it->env.io))) {
		pending_free(it, p);
		a->failed = true;
		return false;
	}
	qs->pending = p;
	qs->state = QS_WAIT_REPLY;
	return true;
}

/* Exploration without making a client wait: the same question goes to
 * another address on the side, and only its round-trip time (or its
 * timeout) is kept; the reply goes nowhere (the pending has no qstate). */
static void
send_probe(struct qstate *qs, int idx)
{
	struct iter *it = qs->it;
	struct pending *p = pending_new(it, NULL);

	if (p == NULL)
		return;
	trace(qs, "probe", qs->sent_name, qs->sent_type, &qs->dp->addr[idx].addr);
	if (!send_query_to(qs, p, idx, false, it->env.now_ms(it->env.io))) {
		pending_free(it, p);
		return;
	}
	it->stats.probes++;
}

/* RFC 8806: with a copy of the root zone loaded, what the root servers
 * would say comes from it, as long as the copy is not stale. */
static bool
local_root_usable(struct qstate *qs)
{
	const struct iter_config *cfg = qs->cfg;
	struct iter *it = qs->it;

	if (cfg->root_zone == NULL || qs->dp->zone[0] != 0 || qs->dp->forward ||
	    qs->dp->configured || qs->local_root_failed)
		return false;
	if (it->env.now(it->env.io) >= authzone_expires(cfg->root_zone)) {
		if (!it->local_root_stale_logged)
			log_warn("root-zone-file: the copy is past its SOA expire; "
			    "asking the root servers until it is replaced (reload)");
		it->local_root_stale_logged = true;
		return false;
	}
	return true;
}

static void
local_root_ask(struct qstate *qs)
{
	struct iter *it = qs->it;
	struct pending local;
	size_t len = 0;

	if (it->local_buf == NULL)
		it->local_buf = malloc(ITER_ANSWER_MAX);
	choose_question(qs);
	if (it->local_buf != NULL)
		len = authzone_answer(qs->cfg->root_zone, qs->sent_name, qs->sent_type,
		    qs->qclass, qs->cfg->anchors != NULL, it->local_buf, ITER_ANSWER_MAX);
	qs->upstream_sent++;
	trace(qs, "ask (local root)", qs->sent_name, qs->sent_type, NULL);
	if (len == 0) {
		qs->local_root_failed = true;
		qs->state = QS_SEND;
		qstate_schedule(qs);
		return;
	}
	it->stats.local_root++;
	memset(&local, 0, sizeof(local));
	local.addr_index = -1;
	local.tcp = true;      /* never truncated: nothing to retry */
	resolve_on_reply(qs, &local, it->local_buf, len);
}

/* Whether the delegation's zone is held down because none of its
 * servers answered lately (asked once per delegation and qstate). */
static bool
zone_held(struct qstate *qs)
{
	struct iter *it = qs->it;
	struct delegpt *dp = qs->dp;
	bool probe;

	if (dp->hold_checked)
		return false;
	dp->hold_checked = true;
	if (infra_zone_held(it->infra, dp->zone, it->env.now_ms(it->env.io), &probe))
		return true;
	dp->zone_probe = probe;
	return false;
}

static void
step_send(struct qstate *qs)
{
	struct iter *it = qs->it;
	bool all_down;
	int idx, probe;

	for (;;) {
		if (qs->upstream_sent >= ITER_MAX_UPSTREAM ||
		    qs->budget->upstream >= ITER_MAX_WORK) {
			log_debug(2, "query exceeded its upstream query budget (%d, %d with subqueries)",
			    ITER_MAX_UPSTREAM, ITER_MAX_WORK);
			resolve_fail(qs, EDE_OTHER);
			return;
		}
		if (local_root_usable(qs)) {
			local_root_ask(qs);
			return;
		}
		if (zone_held(qs)) {
			trace(qs, "servers not answering lately for", qs->dp->zone, RR_TYPE_NS, NULL);
			resolve_fail(qs, EDE_NO_REACHABLE_AUTHORITY);
			return;
		}
		idx = select_server(qs, false, &all_down, &probe);
		if (idx < 0) {
			if (qs->nchildren > 0 || start_ns_lookup(qs)) {
				qs->state = QS_WAIT_SUBQ;
				return;
			}
			idx = select_server(qs, true, &all_down, &probe);
		}
		if (idx < 0) {
			struct delegpt *dp = qs->dp;
			if (parent_fallback(qs))
				continue;
			/* Nobody answered: spare the servers the retries of
			 * every client until the holddown is over. */
			if (dp->replies == 0 && (all_down || dp->unanswered > 0))
				infra_zone_down(it->infra, dp->zone, it->env.now_ms(it->env.io));
			trace(qs, "no server left for", dp->zone, RR_TYPE_NS, NULL);
			resolve_fail(qs, EDE_NO_REACHABLE_AUTHORITY);
			return;
		}
		choose_question(qs);
		if (send_to(qs, idx, false)) {
			if (probe >= 0)
				send_probe(qs, probe);
			return;
		}
	}
}

static void
step_start(struct qstate *qs)
{
	struct delegpt *dp;
	bool need_prime;

	for (;;) {
		/* A refresh wants what the servers say now, not the cache. */
		if (!qs->refresh && answer_from_cache(qs)) {
			resolve_done(qs);
			return;
		}
		if (qs->state == QS_DONE)
			return;
		if (!qs->refresh && qs->cfg->anchors != NULL && !(qs->flags & FLAG_CD) &&
		    nsec_cache_answer(qs->it->nsec, qs, qs->it->env.now(qs->it->env.io))) {
			qstate_finish(qs);     /* proven from validated records */
			return;
		}
		dp = delegpt_find(qs, qs->cur_name, &need_prime);
		if (need_prime) {
			if (qstate_subquery(qs, (const uint8_t *)"", RR_TYPE_NS, qs->qclass, FLAG_CD)) {
				qs->dp = NULL;
				qs->state = QS_WAIT_SUBQ;
				return;
			}
			qs->prime_tried = true;
			continue;
		}
		if (dp == NULL) {
			resolve_fail(qs, EDE_OTHER);
			return;
		}
		qs->dp = dp;
		qs->dp_saw_lame = false;
		qs->minimise_labels = dname_label_count(dp->zone);
		qs->state = QS_SEND;
		step_send(qs);
		return;
	}
}

void
resolve_step(struct qstate *qs)
{
	switch (qs->state) {
	case QS_START:
		step_start(qs);
		break;
	case QS_WAIT_SUBQ:
		if (qs->dp == NULL) {        /* priming finished */
			qs->prime_tried = true;
			qs->state = QS_START;
			step_start(qs);
			break;
		}
		delegpt_refresh_addrs(qs, qs->dp);
		qs->state = QS_SEND;
		step_send(qs);
		break;
	case QS_SEND:
		step_send(qs);
		break;
	case QS_VALIDATE:
		if (validate_answer(qs))
			qstate_finish(qs);
		break;
	case QS_NEED_PRIME:
	case QS_WAIT_REPLY:
	case QS_DONE:
		break;
	}
}

static bool
append_chain(struct qstate *qs, struct resp_info *ri)
{
	int i;

	for (i = 0; i < ri->nchain; i++)
		if (!answer_push(qs, ri->chain[i]))
			return false;
	return true;
}

static void
finish_negative(struct qstate *qs, struct resp_info *ri, uint16_t rcode)
{
	qs->rcode = rcode;
	if (ri->soa != NULL) {
		qs->neg_soa = ri->soa;
		qs->neg_ns = ri->apex_ns;
		qs->neg_ttl = response_negative_ttl(qs->cfg, ri->soa);
	}
	resolve_done(qs);
}

static void
follow_alias(struct qstate *qs, struct resp_info *ri)
{
	const uint8_t *next = ri->next_name;

	qs->chain_len++;
	if (qs->chain_len > ITER_MAX_CNAME_CHAIN || answer_alias_seen(qs, next)) {
		/* Going on cannot end: SERVFAIL, with the chain that shows why. */
		log_debug(2, "alias chain too long or looping");
		qs->rcode = RCODE_SERVFAIL;
		qs->ede = EDE_OTHER;
		qstate_finish(qs);
		return;
	}
	memcpy(qs->cur_name, next, dname_len(next));
	qs->referrals = 0;
	qs->no_minimise = false;
	qs->minimise_count = 0;
	qs->state = QS_START;
	qstate_schedule(qs);
}

static void
mark_failed(struct qstate *qs, struct pending *p)
{
	if (p->addr_index < 0)
		qs->local_root_failed = true;
	else if (qs->dp != NULL && p->addr_index < qs->dp->naddr)
		qs->dp->addr[p->addr_index].failed = true;
}

/* Whether the NSEC for name in a reply shows it owns a DNAME or CNAME:
 * names below it are aliases, so minimising further only asks about
 * names that cannot exist. */
static bool
nsec_shows_alias(const struct resp_info *ri, const uint8_t *name)
{
	int i;

	for (i = 0; i < ri->nauth; i++) {
		const struct rrset *rs = &ri->auth[i];
		size_t nl;
		if (rs->type != RR_TYPE_NSEC || rs->count != 1 || !dname_equal(rs->owner, name))
			continue;
		nl = dname_len(rs->rdata[0].data);
		if (nl <= rs->rdata[0].len &&
		    (val_bitmap_has(rs->rdata[0].data + nl, rs->rdata[0].len - nl, RR_TYPE_DNAME) ||
		    val_bitmap_has(rs->rdata[0].data + nl, rs->rdata[0].len - nl, RR_TYPE_CNAME)))
			return true;
	}
	return false;
}

/* A minimised query got an answer that only the full name can clear up. */
static void
minimise_fallback(struct qstate *qs, struct pending *p)
{
	qs->no_minimise = true;
	if (qs->dp != NULL && p->addr_index >= 0 && p->addr_index < qs->dp->naddr)
		qs->dp->addr[p->addr_index].sent--;   /* not the server's fault */
	qs->state = QS_SEND;
	qstate_schedule(qs);
}

static void
handle_minimised(struct qstate *qs, struct pending *p, struct resp_info *ri)
{
	struct iter *it = qs->it;

	switch (ri->type) {
	case RESP_ANSWER:
		/* Data for the minimised name: the server serves it, so keep
		 * asking it (an NS set here may name servers of a zone this
		 * server also holds; a real cut comes as a referral). */
		response_store(it->cache, qs->cfg, qs->dp, ri, it->env.now(it->env.io));
		/* FALLTHROUGH */
	case RESP_NODATA:
	case RESP_LAME:    /* only a NOERROR one gets here: see the caller */
		/* progress, not a failure of the server */
		if (p->addr_index >= 0 && p->addr_index < qs->dp->naddr &&
		    qs->dp->addr[p->addr_index].sent > 0)
			qs->dp->addr[p->addr_index].sent--;
		qs->minimise_labels = dname_label_count(qs->sent_name);
		qs->minimise_count++;
		/* A NODATA without SOA is not a proper negative answer (RFC
		 * 2308 section 2.2): a server that answers minimised names so
		 * gets the full name from now on (RFC 9156 section 2.3). */
		if (ri->type != RESP_ANSWER && (ri->soa == NULL || nsec_shows_alias(ri, qs->sent_name)))
			qs->no_minimise = true;
		qs->state = QS_SEND;
		qstate_schedule(qs);
		return;
	case RESP_NXDOMAIN:
	case RESP_CNAME:
		minimise_fallback(qs, p);
		return;
	case RESP_REFERRAL:
		break;         /* handled like any other reply */
	}
}

static void
handle_referral(struct qstate *qs, struct resp_info *ri, const struct netaddr *from)
{
	struct iter *it = qs->it;
	struct delegpt *dp;

	if (++qs->referrals > ITER_MAX_REFERRALS) {
		resolve_fail(qs, EDE_OTHER);
		return;
	}
	response_store(it->cache, qs->cfg, qs->dp, ri, it->env.now(it->env.io));
	if (qs->cfg->anchors != NULL) {
		answer_store_ds_denial(qs, ri->ns->owner, ri->auth, ri->nauth);
		if (from != NULL)
			resolve_remember_source(it, ri->ns->owner, RR_TYPE_DS, from);
	}
	dp = delegpt_from_ns(qs, ri->ns);
	if (dp == NULL) {
		resolve_fail(qs, EDE_OTHER);
		return;
	}
	/* The referral's own glue too: the cache may hold other addresses
	 * for these names (e.g. the child's view), and those may not work. */
	delegpt_add_glue(qs, dp, ri->add, ri->nadd, qs->dp->zone);
	trace(qs, "referral to", dp->zone, RR_TYPE_NS, NULL);
	qs->dp = dp;
	qs->dp_saw_lame = false;
	qs->minimise_labels = dname_label_count(dp->zone);
	qs->state = QS_SEND;
	qstate_schedule(qs);
}

void
resolve_remember_source(struct iter *it, const uint8_t *name, uint16_t type, const struct netaddr *addr)
{
	int i = it->next_source;

	memcpy(it->sources[i].name, name, dname_len(name));
	it->sources[i].type = type;
	it->sources[i].addr = *addr;
	it->next_source = (i + 1) % ITER_SOURCES;
	if (it->nsources < ITER_SOURCES)
		it->nsources++;
}

void
resolve_on_reply(struct qstate *qs, struct pending *p, const uint8_t *pkt, size_t len)
{
	struct iter *it = qs->it;
	uint64_t now = it->env.now_ms(it->env.io);
	/* NULL for the local root copy */
	struct dp_addr *a = p->addr_index >= 0 ? &qs->dp->addr[p->addr_index] : NULL;
	const struct netaddr *from = a != NULL ? &a->addr : NULL;
	struct dns_msg msg;
	struct resp_info ri;

	if (from != NULL) {
		resolve_remember_source(it, qs->sent_name, qs->sent_type, from);
		qs->dp->replies++;
		infra_zone_up(it->infra, qs->dp->zone);
	}
	qs->state = QS_SEND;
	if (msg_parse(pkt, len, &msg, &qs->arena) != WIRE_OK) {
		mark_failed(qs, p);
		qstate_schedule(qs);
		return;
	}
	/* A server that does not know EDNS: try it once more without. */
	if (a != NULL && p->edns && !msg.edns.present &&
	    (msg.rcode == RCODE_FORMERR || msg.rcode == RCODE_NOTIMP)) {
		a->no_edns = true;
		infra_set_no_edns(it->infra, &a->addr, now);
		a->sent--;
		qstate_schedule(qs);
		return;
	}
	if ((msg.flags & FLAG_TC) && !p->tcp) {
		/* Over TCP, unless TCP to this server failed lately: then
		 * another server may do better than a truncated answer. */
		if (infra_tcp_broken(it->infra, &a->addr, now) ||
		    !send_to(qs, p->addr_index, true)) {
			mark_failed(qs, p);
			qstate_schedule(qs);
		}
		return;
	}
	if (response_classify(&qs->arena, qs->dp, &msg, qs->sent_name, qs->sent_type, &ri) != 0) {
		resolve_fail(qs, EDE_OTHER);
		return;
	}
	if (is_minimised(qs)) {
		if (ri.type == RESP_LAME && (msg.rcode != RCODE_NOERROR)) {
			minimise_fallback(qs, p);
			return;
		}
		/* A minimised name is often an empty non-terminal or a name
		 * the server does not delegate: a NOERROR reply without data,
		 * even one pointing back at the zone, means "go deeper". */
		if (ri.type != RESP_REFERRAL) {
			handle_minimised(qs, p, &ri);
			return;
		}
	}
	switch (ri.type) {
	case RESP_LAME:
		trace(qs, "lame", qs->dp->zone, RR_TYPE_NS, from);
		qs->dp_saw_lame = true;
		mark_failed(qs, p);
		qstate_schedule(qs);
		return;
	case RESP_REFERRAL:
		handle_referral(qs, &ri, from);
		return;
	default:
		break;
	}
	response_store(it->cache, qs->cfg, qs->dp, &ri, it->env.now(it->env.io));
	if (!append_chain(qs, &ri)) {
		resolve_fail(qs, EDE_OTHER);
		return;
	}
	qs->auth = ri.auth;          /* proofs for the validator */
	qs->nauth = ri.nauth;
	switch (ri.type) {
	case RESP_ANSWER:
		if (ri.rcode != 0)
			qs->rcode = ri.rcode;
		if (ri.loop)
			qs->ede = EDE_OTHER;
		resolve_done(qs);
		return;
	case RESP_CNAME:
		follow_alias(qs, &ri);
		return;
	case RESP_NXDOMAIN:
		finish_negative(qs, &ri, RCODE_NXDOMAIN);
		return;
	case RESP_NODATA:
		finish_negative(qs, &ri, RCODE_NOERROR);
		return;
	default:
		return;
	}
}

void
resolve_on_failure(struct qstate *qs, struct pending *p, enum upstream_failure why)
{
	struct dp_addr *a = &qs->dp->addr[p->addr_index];

	qs->dp->unanswered++;
	if (why == UPSTREAM_TIMEOUT) {
		trace(qs, "timeout", qs->sent_name, qs->sent_type, &a->addr);
		if (p->tcp)
			a->failed = true;
	} else {
		trace(qs, "network error", qs->sent_name, qs->sent_type, &a->addr);
		a->failed = true;
	}
	if (qs->ede == EDE_NONE)
		qs->ede = EDE_NO_REACHABLE_AUTHORITY;
	qs->state = QS_SEND;
	qstate_schedule(qs);
}
