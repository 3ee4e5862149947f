/*
 * iter.c -- the engine's public face: the mesh of questions in flight, the
 * run queue, delivery to clients and the upstream callbacks.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "iter/iter_internal.h"
#include "util/log.h"
#include "util/rand.h"

#define MESH_INITIAL_BUCKETS 1024

struct iter_config *
iter_config_new(void)
{
	struct iter_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	cfg->refcount = 1;
	cfg->qname_minimisation = true;
	cfg->harden_glue = true;
	cfg->do_ip4 = true;
	cfg->do_ip6 = true;
	cfg->do_not_query_localhost = true;
	cfg->cache_min_ttl = 0;
	cfg->cache_max_ttl = 86400;
	cfg->cache_max_negative_ttl = 3600;
	cfg->edns_buffer_size = EDNS_UPSTREAM_BUFSIZE;
	cfg->infra_host_ttl = 900;
	cfg->infra_cache_numhosts = 10000;
	cfg->explore_permille = ITER_EXPLORE_PERMILLE;
	cfg->serve_expired = true;
	cfg->serve_expired_ttl = 86400;
	return cfg;
}

void
iter_config_ref(struct iter_config *cfg)
{
	__atomic_add_fetch(&cfg->refcount, 1, __ATOMIC_RELAXED);
}

void
iter_config_unref(struct iter_config *cfg)
{
	if (cfg == NULL)
		return;
	if (__atomic_sub_fetch(&cfg->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (cfg->free_extra != NULL)
		cfg->free_extra(cfg);
	iter_hints_clear(&cfg->hints);
	free(cfg);
}

static uint32_t
mesh_hash(const struct iter *it, const uint8_t *name, uint16_t type, uint16_t qclass, uint16_t flags)
{
	uint32_t h = dname_hash(name, it->hash_seed);

	h ^= ((uint32_t)type << 16 | qclass) * 0x9e3779b1u;
	h ^= flags * 0x85ebca6bu;
	return h;
}

/* Flags that make two questions different answers: CD and DO. RD is
 * echoed per client by the front end and does not matter here. */
static uint16_t
mesh_flags(uint16_t flags)
{
	return flags & (FLAG_CD | ITER_FLAG_DO);
}

static struct qstate *
mesh_find(struct iter *it, uint32_t h, const uint8_t *name, uint16_t type, uint16_t qclass, uint16_t flags)
{
	struct qstate *qs;

	for (qs = it->mesh[h & (it->mesh_size - 1)]; qs != NULL; qs = qs->mesh_next)
		if (qs->hash == h && qs->qtype == type && qs->qclass == qclass &&
		    qs->flags == flags && qs->state != QS_DONE && dname_equal(qs->qname, name))
			return qs;
	return NULL;
}

static void
mesh_grow(struct iter *it)
{
	uint32_t nsize = it->mesh_size * 2, i;
	struct qstate **n = calloc(nsize, sizeof(*n));

	if (n == NULL)
		return;     /* keep the longer chains; correctness is unaffected */
	for (i = 0; i < it->mesh_size; i++) {
		struct qstate *qs = it->mesh[i], *next;
		for (; qs != NULL; qs = next) {
			next = qs->mesh_next;
			qs->mesh_next = n[qs->hash & (nsize - 1)];
			n[qs->hash & (nsize - 1)] = qs;
		}
	}
	free(it->mesh);
	it->mesh = n;
	it->mesh_size = nsize;
}

static void
mesh_remove(struct iter *it, struct qstate *qs)
{
	struct qstate **pp = &it->mesh[qs->hash & (it->mesh_size - 1)];

	for (; *pp != NULL; pp = &(*pp)->mesh_next)
		if (*pp == qs) {
			*pp = qs->mesh_next;
			it->mesh_count--;
			return;
		}
}

/* budget: the creator's, shared; NULL for a question of its own. */
static struct qstate *
qstate_new(struct iter *it, const uint8_t *name, uint16_t type, uint16_t qclass, uint16_t flags,
    int depth, uint32_t h, struct work_budget *budget)
{
	struct qstate *qs = calloc(1, sizeof(*qs));

	if (qs == NULL)
		return NULL;
	if (budget == NULL && (budget = calloc(1, sizeof(*budget))) == NULL) {
		free(qs);
		return NULL;
	}
	budget->refs++;
	qs->budget = budget;
	qs->it = it;
	qs->cfg = it->cfg;
	iter_config_ref(qs->cfg);
	arena_init(&qs->arena, 8192);
	memcpy(qs->qname, name, dname_len(name));
	memcpy(qs->cur_name, name, dname_len(name));
	qs->qtype = type;
	qs->qclass = qclass;
	qs->flags = flags;
	qs->depth = depth;
	qs->hash = h;
	qs->state = QS_START;
	qs->rcode = RCODE_NOERROR;
	qs->ede = EDE_NONE;
	qs->mesh_next = it->mesh[h & (it->mesh_size - 1)];
	it->mesh[h & (it->mesh_size - 1)] = qs;
	if (++it->mesh_count > it->mesh_size)
		mesh_grow(it);
	it->stats.in_flight++;
	return qs;
}

void
qstate_schedule(struct qstate *qs)
{
	struct iter *it = qs->it;

	if (qs->on_run_queue)
		return;
	qs->on_run_queue = true;
	qs->run_next = NULL;
	if (it->run_tail != NULL)
		it->run_tail->run_next = qs;
	else
		it->run_head = qs;
	it->run_tail = qs;
}

static void
qstate_free(struct qstate *qs)
{
	struct waiter *w, *next;

	for (w = qs->waiters; w != NULL; w = next) {
		next = w->next;
		free(w);
	}
	if (qs->pending != NULL)
		qs->pending->qs = NULL;      /* the I/O layer still holds it */
	if (--qs->budget->refs == 0)
		free(qs->budget);
	iter_config_unref(qs->cfg);
	arena_free_all(&qs->arena);
	free(qs);
}

struct pending *
pending_new(struct iter *it, struct qstate *qs)
{
	struct pending *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->qs = qs;
	p->it = it;
	p->next = it->pending_head;
	if (p->next != NULL)
		p->next->prev = p;
	it->pending_head = p;
	return p;
}

void
pending_free(struct iter *it, struct pending *p)
{
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		it->pending_head = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	free(p);
}

static void
iter_run(struct iter *it)
{
	struct qstate *qs;

	if (it->running)
		return;
	it->running = true;
	while ((qs = it->run_head) != NULL) {
		it->run_head = qs->run_next;
		if (it->run_head == NULL)
			it->run_tail = NULL;
		qs->on_run_queue = false;
		if (qs->state == QS_DONE) {
			qstate_free(qs);
			continue;
		}
		resolve_step(qs);
	}
	it->running = false;
}

static bool
add_waiter(struct qstate *qs, void *client, struct qstate *parent)
{
	struct waiter *w = malloc(sizeof(*w));

	if (w == NULL)
		return false;
	w->client = client;
	w->parent = parent;
	w->next = qs->waiters;
	qs->waiters = w;
	return true;
}

/* True if (name, type) is being resolved by qs or one of its ancestors:
 * resolving it again would wait on itself. */
static bool
in_ancestry(struct qstate *qs, const uint8_t *name, uint16_t type)
{
	struct waiter *w;

	if (qs->qtype == type && dname_equal(qs->qname, name))
		return true;
	for (w = qs->waiters; w != NULL; w = w->next)
		if (w->parent != NULL && in_ancestry(w->parent, name, type))
			return true;
	return false;
}

bool
qstate_subquery(struct qstate *parent, const uint8_t *name, uint16_t type, uint16_t qclass,
    uint16_t flags)
{
	struct iter *it = parent->it;
	struct qstate *child;
	uint32_t h;

	if (parent->depth >= ITER_MAX_SUBQUERY_DEPTH || in_ancestry(parent, name, type))
		return false;
	flags = mesh_flags(flags);
	h = mesh_hash(it, name, type, qclass, flags);
	child = mesh_find(it, h, name, type, qclass, flags);
	if (child != NULL && in_ancestry(child, parent->qname, parent->qtype))
		return false;
	if (child == NULL) {
		child = qstate_new(it, name, type, qclass, flags, parent->depth + 1, h, parent->budget);
		if (child == NULL)
			return false;
		qstate_schedule(child);
	}
	if (parent->nchildren >= ITER_MAX_CHILDREN || !add_waiter(child, NULL, parent))
		return false;
	parent->children[parent->nchildren++] = child;
	return true;
}

static void
unlink_child(struct qstate *parent, struct qstate *child)
{
	int i;

	for (i = 0; i < parent->nchildren; i++)
		if (parent->children[i] == child) {
			parent->children[i] = parent->children[--parent->nchildren];
			return;
		}
}

static void
unlink_waiter(struct qstate *child, struct qstate *parent)
{
	struct waiter **pp = &child->waiters, *w;

	while ((w = *pp) != NULL) {
		if (w->parent == parent) {
			*pp = w->next;
			free(w);
		} else
			pp = &w->next;
	}
}

void
qstate_finish(struct qstate *qs)
{
	struct iter *it = qs->it;
	struct waiter *w;
	uint16_t ede = EDE_NONE;
	size_t len;

	if (qs->state == QS_DONE)
		return;
	qs->state = QS_DONE;
	mesh_remove(it, qs);
	it->stats.in_flight--;
	/* Subqueries are built too: their answer goes into the cache where a
	 * later client asking the same thing finds it. */
	len = answer_build(qs, &ede);
	if (qs->rcode == RCODE_SERVFAIL) {
		it->stats.servfail++;
		/* A failed priming query is not repeated for every question:
		 * the hints serve meanwhile. */
		if (qs->qname[0] == 0 && qs->qtype == RR_TYPE_NS)
			it->prime_holddown = it->env.now(it->env.io) + ITER_PRIME_HOLDDOWN;
	}
	for (w = qs->waiters; w != NULL; w = w->next) {
		if (w->client != NULL) {
			it->env.deliver(it->env.io, w->client, it->wire, len, ede);
		} else if (w->parent != NULL) {
			unlink_child(w->parent, qs);
			/* any finished subquery may have brought a usable address */
			if (w->parent->state == QS_WAIT_SUBQ || w->parent->state == QS_VALIDATE)
				qstate_schedule(w->parent);
		}
	}
	/* Subqueries still running no longer have this one to wake. */
	while (qs->nchildren > 0)
		unlink_waiter(qs->children[--qs->nchildren], qs);
	qstate_schedule(qs);     /* freed from the run loop, never mid-frame */
}

struct iter *
iter_create(const struct iter_env *env, struct cache *cache, struct iter_config *cfg)
{
	struct iter *it = calloc(1, sizeof(*it));

	if (it == NULL)
		return NULL;
	it->env = *env;
	it->cache = cache;
	it->cfg = cfg;
	iter_config_ref(cfg);
	it->mesh_size = MESH_INITIAL_BUCKETS;
	it->mesh = calloc(it->mesh_size, sizeof(*it->mesh));
	it->infra = infra_create(cfg->infra_cache_numhosts, cfg->infra_host_ttl);
	it->nsec = nsec_cache_create();
	it->hash_seed = rand_u32();
	if (it->mesh == NULL || it->infra == NULL || it->nsec == NULL) {
		iter_destroy(it);
		return NULL;
	}
	return it;
}

void
iter_destroy(struct iter *it)
{
	uint32_t i;

	if (it == NULL)
		return;
	if (it->mesh != NULL) {
		for (i = 0; i < it->mesh_size; i++) {
			while (it->mesh[i] != NULL) {
				struct qstate *qs = it->mesh[i];
				qs->rcode = RCODE_SERVFAIL;
				qs->ede = EDE_OTHER;
				qstate_finish(qs);
			}
		}
		/* Parents woken by the loop above are done too; drain frees. */
		while (it->run_head != NULL) {
			struct qstate *qs = it->run_head;
			it->run_head = qs->run_next;
			if (qs->state != QS_DONE) {
				qs->rcode = RCODE_SERVFAIL;
				qstate_finish(qs);
				continue;
			}
			qstate_free(qs);
		}
	}
	/* The I/O layer drops its queries without calling back. */
	while (it->pending_head != NULL)
		pending_free(it, it->pending_head);
	free(it->mesh);
	infra_destroy(it->infra);
	nsec_cache_destroy(it->nsec);
	free(it->local_buf);
	iter_config_unref(it->cfg);
	free(it);
}

void
iter_set_config(struct iter *it, struct iter_config *cfg)
{
	iter_config_ref(cfg);
	iter_config_unref(it->cfg);
	it->cfg = cfg;
	infra_set_host_ttl(it->infra, cfg->infra_host_ttl);
	it->local_root_stale_logged = false;
}

/* The qstate resolving a question: the one in flight (*started false),
 * or a new one, scheduled (*started true). NULL without memory. */
static struct qstate *
mesh_find_or_start(struct iter *it, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
    uint16_t flags, bool *started)
{
	uint16_t mf = mesh_flags(flags);
	uint32_t h = mesh_hash(it, qname, qtype, qclass, mf);
	struct qstate *qs = mesh_find(it, h, qname, qtype, qclass, mf);

	*started = qs == NULL;
	if (qs == NULL && (qs = qstate_new(it, qname, qtype, qclass, mf, 0, h, NULL)) != NULL)
		qstate_schedule(qs);
	return qs;
}

void
iter_resolve(struct iter *it, const uint8_t *qname, uint16_t qtype, uint16_t qclass, uint16_t flags, void *client)
{
	struct qstate *qs;
	bool started;

	it->stats.client_queries++;
	qs = mesh_find_or_start(it, qname, qtype, qclass, flags, &started);
	if (qs == NULL)
		goto fail;
	if (!started)
		it->stats.coalesced++;
	if (!add_waiter(qs, client, NULL))
		goto fail;
	iter_run(it);
	return;
fail:
	/* Out of memory: answer a bare SERVFAIL so the client is not left
	 * waiting; the front end adds ID and EDNS. */
	{
		uint8_t hdr[DNS_HEADER_SIZE + DNAME_MAX + 4];
		size_t n = dname_len(qname);
		memset(hdr, 0, DNS_HEADER_SIZE);
		wr16(hdr + 2, FLAG_QR | FLAG_RA | RCODE_SERVFAIL);
		wr16(hdr + 4, 1);
		memcpy(hdr + DNS_HEADER_SIZE, qname, n);
		wr16(hdr + DNS_HEADER_SIZE + n, qtype);
		wr16(hdr + DNS_HEADER_SIZE + n + 2, qclass);
		it->env.deliver(it->env.io, client, hdr, DNS_HEADER_SIZE + n + 4, EDE_OTHER);
	}
}

void
iter_refresh(struct iter *it, const uint8_t *qname, uint16_t qtype, uint16_t qclass, uint16_t flags)
{
	struct qstate *qs;
	bool started;

	/* A refresh is a favour: it waits for no client, so it never adds
	 * to a backlog; one already in flight will do. */
	if (it->stats.in_flight >= ITER_MAX_REFRESH_BACKLOG)
		return;
	qs = mesh_find_or_start(it, qname, qtype, qclass, flags, &started);
	if (qs == NULL || !started)
		return;
	qs->refresh = true;
	it->stats.prefetch++;
	iter_run(it);
}

void
iter_upstream_reply(struct iter *it, void *token, const uint8_t *pkt, size_t len)
{
	struct pending *p = token;
	struct qstate *qs = p->qs;
	uint64_t now = it->env.now_ms(it->env.io);

	/* Measured even when nobody waits for the answer any more; not over
	 * TCP, whose handshake would count as the server's slowness. */
	infra_on_done(it->infra, &p->server, now);
	if (!p->tcp)
		infra_report_rtt(it->infra, &p->server, (uint32_t)(now - p->sent_ms), now);
	else
		infra_report_tcp(it->infra, &p->server, true, now);
	if (qs == NULL) {
		pending_free(it, p);
		return;
	}
	qs->pending = NULL;
	resolve_on_reply(qs, p, pkt, len);
	pending_free(it, p);
	iter_run(it);
}

void
iter_upstream_failed(struct iter *it, void *token, enum upstream_failure why)
{
	struct pending *p = token;
	struct qstate *qs = p->qs;

	uint64_t now = it->env.now_ms(it->env.io);

	infra_on_done(it->infra, &p->server, now);
	if (p->tcp)
		infra_report_tcp(it->infra, &p->server, false, now);
	/* Silence and "unreachable" alike count against the server's
	 * health; a TCP failure says nothing about it over UDP. */
	if (why == UPSTREAM_TIMEOUT)
		it->stats.upstream_timeouts++;
	if ((why == UPSTREAM_TIMEOUT || why == UPSTREAM_NETERR) && !p->tcp)
		infra_report_timeout(it->infra, &p->server, now);
	if (qs == NULL) {
		pending_free(it, p);
		return;
	}
	qs->pending = NULL;
	resolve_on_failure(qs, p, why);
	pending_free(it, p);
	iter_run(it);
}

void
iter_get_stats(const struct iter *it, struct iter_stats *out)
{
	*out = it->stats;
}
