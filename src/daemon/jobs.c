/*
 * jobs.c -- work that needs every worker: statistics, health, flushes,
 * the per-server table and lookups.
 *
 * A job goes to each worker through its loop (worker_call); the worker
 * does its part in its own thread and writes only its own slot. The last
 * worker to finish hands the job back to the control thread's loop, which
 * puts the slots together and calls the caller's done. So no thread reads
 * another's memory while it runs, and the query path pays nothing.
 *
 * A job is reference counted: one reference per worker call still to run
 * (or to be dropped, when a worker goes away first) and one for the step
 * in the control thread. A job with a deadline (health) finishes at the
 * deadline with what it has; a slot counts only once its worker set its
 * done flag.
 */
/* Angle brackets: the build's config.h, not daemon/config.h beside us. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "daemon/daemon_int.h"
#include "net/net.h"
#include "util/log.h"

struct job;

struct job_slot {
	struct job *job;
	int idx;
	atomic_bool done;              /* the worker did its part */
};

struct job {
	atomic_int refs;
	atomic_int left;               /* workers still to report */
	struct daemon *d;
	int n;
	struct job_slot *slots;
	/* in the worker's thread: its part, into slot idx */
	void (*work)(struct job *j, int idx, struct worker *w);
	/* in the control thread, once */
	void (*finish)(struct job *j);
	/* with the last reference: what the slots still hold (optional) */
	void (*release)(struct job *j);
	bool finished;                 /* control thread only */
	struct net_timer *timer;       /* control thread only */
	void (*done)(void);            /* the caller's, cast back by finish */
	void *arg;
	/* what the kind of job needs */
	void *data;                    /* n elements of the kind's slot type */
	const uint8_t *name;           /* points into name_buf */
	uint8_t name_buf[DNAME_MAX];
	struct netaddr addr;
	bool have_addr;
	enum daemon_flush flush;
	uint64_t removed;
	int expect_sockets;
};

static void
job_unref(struct job *j)
{
	if (atomic_fetch_sub(&j->refs, 1) != 1)
		return;
	if (j->release != NULL)
		j->release(j);
	free(j->data);
	free(j->slots);
	free(j);
}

static void
finish_cb(void *arg)
{
	struct job *j = arg;

	if (!j->finished) {
		j->finished = true;
		net_timer_free(j->timer);
		j->timer = NULL;
		j->finish(j);
	}
	job_unref(j);
}

/* The control loop is being destroyed with the job's last step queued. */
static void
finish_drop(void *arg)
{
	struct job *j = arg;

	net_timer_free(j->timer);
	j->timer = NULL;
	job_unref(j);
}

/* A worker is through with its slot (or will never get to it). When the
 * job cannot be handed back (no memory), it is leaked rather than freed
 * under a deadline timer that may still fire. */
static void
report(struct job *j)
{
	if (atomic_fetch_sub(&j->left, 1) == 1 &&
	    net_loop_call(j->d->loop, finish_cb, finish_drop, j) < 0)
		log_err("control: out of memory; a request stays unanswered");
	job_unref(j);
}

static void
work_cb(void *arg)
{
	struct job_slot *s = arg;
	struct job *j = s->job;

	j->work(j, s->idx, j->d->workers[s->idx]);
	atomic_store(&s->done, true);
	report(j);
}

static void
work_drop(void *arg)
{
	report(((struct job_slot *)arg)->job);
}

static void
deadline_cb(void *arg)
{
	struct job *j = arg;

	if (j->finished)
		return;
	j->finished = true;
	j->finish(j);
	/* the timer is freed with the job's last step, not from its own
	 * callback */
}

static struct job *
job_new(struct daemon *d, size_t slot_size)
{
	struct job *j = calloc(1, sizeof(*j));
	int i;

	if (j == NULL)
		return NULL;
	j->d = d;
	j->n = d->nworkers;
	j->slots = calloc((size_t)j->n, sizeof(*j->slots));
	j->data = slot_size ? calloc((size_t)j->n, slot_size) : NULL;
	if (j->slots == NULL || (slot_size && j->data == NULL)) {
		free(j->slots);
		free(j->data);
		free(j);
		return NULL;
	}
	for (i = 0; i < j->n; i++) {
		j->slots[i].job = j;
		j->slots[i].idx = i;
		atomic_init(&j->slots[i].done, false);
	}
	return j;
}

/* Send j to every worker. A worker that cannot take it counts as done
 * without its part. deadline_ms > 0 finishes it then at the latest. */
static int
job_start(struct job *j, uint32_t deadline_ms)
{
	int i;

	atomic_init(&j->refs, j->n + 1);
	atomic_init(&j->left, j->n);
	if (deadline_ms > 0) {
		if ((j->timer = net_timer_new(j->d->loop, deadline_cb, j)) == NULL ||
		    net_timer_start(j->timer, deadline_ms) < 0) {
			net_timer_free(j->timer);
			free(j->data);
			free(j->slots);
			free(j);
			return -1;
		}
	}
	for (i = 0; i < j->n; i++)
		if (worker_call(j->d->workers[i], work_cb, work_drop, &j->slots[i]) < 0)
			work_drop(&j->slots[i]);
	return 0;
}

/* Fill in what every kind sets and start it (see job_start). */
static int
launch(struct job *j, void (*work)(struct job *, int, struct worker *),
    void (*finish)(struct job *), void (*done)(void), void *arg, uint32_t deadline_ms)
{
	j->work = work;
	j->finish = finish;
	j->done = done;
	j->arg = arg;
	return job_start(j, deadline_ms);
}

/* ---- statistics ---- */

static void
stats_work(struct job *j, int idx, struct worker *w)
{
	worker_snapshot(w, &((struct worker_snapshot *)j->data)[idx]);
}

static void
engine_from_iter(struct stats_engine *e, const struct iter_stats *it)
{
	int i;

	_Static_assert((int)UPSTREAM_CLASSES == STATS_UPSTREAM_CLASSES, "upstream classes");
	_Static_assert((int)ITER_DNSSEC_RESULTS == STATS_DNSSEC_RESULTS, "dnssec results");
	memset(e, 0, sizeof(*e));
	for (i = 0; i < STATS_UPSTREAM_CLASSES; i++)
		e->upstream_queries[i] = it->upstream_class[i];
	for (i = 0; i < STATS_RCODES; i++)
		e->upstream_responses[i] = it->upstream_rcode[i];
	e->upstream_timeouts = it->upstream_timeouts;
	e->upstream_tcp = it->upstream_tcp;
	e->local_root = it->local_root;
	e->aggressive_nsec = it->aggressive_nsec;
	e->prefetches = it->prefetch;
	for (i = 0; i < STATS_DNSSEC_RESULTS; i++)
		e->dnssec[i] = it->dnssec[i];
	e->upstream_rtt = it->upstream_rtt;
}

static void
stats_finish(struct job *j)
{
	struct worker_snapshot *ws = j->data;
	struct stats_snapshot *s = calloc(1, sizeof(*s));
	struct stats_engine e;
	struct cache_stats cs;
	int i;

	if (s == NULL) {
		log_err("statistics: out of memory");
		return;
	}
	s->version = PACKAGE_VERSION;
	s->start_time = j->d->start_time;
	s->workers = j->n;
	for (i = 0; i < j->n; i++) {
		stats_frontend_add(&s->fe, &ws[i].fe);
		engine_from_iter(&e, &ws[i].it);
		stats_engine_add(&s->eng, &e);
		s->questions_in_flight += ws[i].it.in_flight;
		s->clients_waiting += ws[i].clients_waiting;
		s->upstream_in_flight += ws[i].upstream_in_flight;
		s->tcp_open += ws[i].tcp_open;
		s->tcp_accepted += ws[i].tcp_accepted;
	}
	cache_get_stats(j->d->cache, &cs);
	s->cache_bytes = cs.bytes;
	s->cache_max_bytes = cs.max_bytes;
	s->cache_rrsets = cs.rrsets;
	s->cache_answers = cs.answers;
	s->cache_evictions = cs.evictions;
	stats_process_read(&s->proc);
	((void (*)(void *, const struct stats_snapshot *))j->done)(j->arg, s);
	free(s);
}

int
daemon_stats(struct daemon *d, void (*done)(void *arg, const struct stats_snapshot *s), void *arg)
{
	struct job *j = job_new(d, sizeof(struct worker_snapshot));

	if (j == NULL)
		return -1;
	return launch(j, stats_work, stats_finish, (void (*)(void))done, arg, 0);
}

/* ---- health ---- */

static void
health_work(struct job *j, int idx, struct worker *w)
{
	struct worker_snapshot *ws = malloc(sizeof(*ws));

	((int *)j->data)[idx] = -1;
	if (ws == NULL)
		return;
	worker_snapshot(w, ws);
	((int *)j->data)[idx] = ws->sockets;
	free(ws);
}

static void
health_finish(struct job *j)
{
	char why[128] = "";
	int i, sockets;

	for (i = 0; i < j->n && !why[0]; i++) {
		if (!atomic_load(&j->slots[i].done)) {
			snprintf(why, sizeof(why), "worker %d does not respond", i);
			continue;
		}
		sockets = ((int *)j->data)[i];
		if (sockets != j->expect_sockets)
			snprintf(why, sizeof(why), "worker %d serves %d of its %d listening sockets",
			    i, sockets < 0 ? 0 : sockets, j->expect_sockets);
	}
	((void (*)(void *, bool, const char *))j->done)(j->arg, !why[0], why);
}

int
daemon_health(struct daemon *d, uint32_t timeout_ms,
    void (*done)(void *arg, bool ok, const char *why), void *arg)
{
	struct job *j = job_new(d, sizeof(int));
	const struct config *boot = d->boot->cfg;
	int t;

	if (j == NULL)
		return -1;
	for (t = 0; t < TRANSPORT_COUNT; t++)
		if (transport_of((enum transport)t)->per_worker)
			j->expect_sockets += config_count_listeners(boot, (enum transport)t);
	return launch(j, health_work, health_finish, (void (*)(void))done, arg, timeout_ms ? timeout_ms : 1);
}

/* ---- flushes ---- */

static void
flush_work(struct job *j, int idx, struct worker *w)
{
	struct iter *it = worker_iter(w);

	switch (j->flush) {
	case FLUSH_NAME:
	case FLUSH_ZONE:
	case FLUSH_ALL:
		/* Only shared state: the cache flush (with its NSEC store)
		 * happens once, not per worker. */
		break;
	case FLUSH_INFRA:
		iter_flush_infra(it, j->have_addr ? &j->addr : NULL);
		break;
	case FLUSH_BOGUS:
		iter_flush_bogus(it);
		break;
	}
}

static void
flush_finish(struct job *j)
{
	((void (*)(void *, uint64_t))j->done)(j->arg, j->removed);
}

int
daemon_flush(struct daemon *d, enum daemon_flush what, const uint8_t *name,
    const struct netaddr *addr, void (*done)(void *arg, uint64_t removed), void *arg)
{
	struct job *j = job_new(d, 0);

	if (j == NULL)
		return -1;
	j->flush = what;
	if (name != NULL) {
		dname_copy_lower(j->name_buf, name);
		j->name = j->name_buf;
	}
	if (addr != NULL) {
		j->addr = *addr;
		j->have_addr = true;
	}
	/* The shared cache here, the workers' own memory in their threads. */
	switch (what) {
	case FLUSH_NAME:
		j->removed = cache_flush_name(d->cache, j->name);
		break;
	case FLUSH_ZONE:
		j->removed = cache_flush_zone(d->cache, j->name);
		break;
	case FLUSH_ALL:
		j->removed = cache_flush(d->cache);
		break;
	case FLUSH_BOGUS:
		j->removed = cache_flush_bogus(d->cache);
		break;
	case FLUSH_INFRA:
		break;
	}
	return launch(j, flush_work, flush_finish, (void (*)(void))done, arg, 0);
}

/* ---- the servers asked most ---- */

struct top_slot {
	struct top_entry *e;
	int n;
};

static void
top_work(struct job *j, int idx, struct worker *w)
{
	struct top_slot *s = &((struct top_slot *)j->data)[idx];

	s->n = iter_upstream_table(worker_iter(w), &s->e);
}

static void
top_finish(struct job *j)
{
	struct top_slot *s = j->data;
	struct top_entry *all;
	size_t total = 0;
	int i, n = 0;

	for (i = 0; i < j->n; i++)
		if (s[i].n > 0)
			total += (size_t)s[i].n;
	all = calloc(total ? total : 1, sizeof(*all));
	for (i = 0; i < j->n; i++) {
		if (all != NULL && s[i].n > 0) {
			memcpy(all + n, s[i].e, (size_t)s[i].n * sizeof(*all));
			n += s[i].n;
		}
		free(s[i].e);
		s[i].e = NULL;
	}
	if (all == NULL)
		log_err("top-upstreams: out of memory");
	n = top_merge(all, all ? n : 0);
	((void (*)(void *, const struct top_entry *, int))j->done)(j->arg, all, n);
	free(all);
}

static void
top_release(struct job *j)
{
	struct top_slot *s = j->data;
	int i;

	for (i = 0; s != NULL && i < j->n; i++)
		free(s[i].e);
}

int
daemon_top_upstreams(struct daemon *d,
    void (*done)(void *arg, const struct top_entry *e, int n), void *arg)
{
	struct job *j = job_new(d, sizeof(struct top_slot));

	if (j == NULL)
		return -1;
	j->release = top_release;
	return launch(j, top_work, top_finish, (void (*)(void))done, arg, 0);
}

/* ---- lookup ---- */

static void
lookup_work(struct job *j, int idx, struct worker *w)
{
	struct iter_lookup *l = &((struct iter_lookup *)j->data)[idx];

	if (iter_lookup(worker_iter(w), j->name, l) < 0)
		l->naddrs = -1;
}

/* Usable, not down, not bogus, then fastest: the order of asking. */
static int
server_order(const void *pa, const void *pb)
{
	const struct iter_lookup_server *a = pa, *b = pb;
	int ra = a->unusable * 4 + a->down * 2 + a->bogus;
	int rb = b->unusable * 4 + b->down * 2 + b->bogus;

	if (ra != rb)
		return ra - rb;
	return a->score_ms < b->score_ms ? -1 : a->score_ms > b->score_ms;
}

static void
lookup_finish(struct job *j)
{
	struct iter_lookup *l = j->data, *m = &l[0];
	int i, k, a;

	/* The delegation comes from the shared cache, the same for all;
	 * what each worker knows of the servers is merged. */
	for (a = 0; m->naddrs > 0 && a < m->naddrs; a++) {
		struct iter_lookup_server *s = &m->addrs[a];
		uint64_t srtt = s->srtt_ms, nsrtt = s->srtt_ms > 0, score = s->score_ms;
		int nscore = 1;
		for (i = 1; i < j->n; i++) {
			for (k = 0; k < l[i].naddrs; k++) {
				struct iter_lookup_server *o = &l[i].addrs[k];
				if (!netaddr_equal((const struct sockaddr *)&o->addr.ss,
				    (const struct sockaddr *)&s->addr.ss))
					continue;
				if (o->srtt_ms > 0) {
					srtt += o->srtt_ms;
					nsrtt++;
				}
				score += o->score_ms;
				nscore++;
				s->down |= o->down;
				s->bogus |= o->bogus;
				s->no_edns |= o->no_edns;
				if (o->rto_ms > s->rto_ms)
					s->rto_ms = o->rto_ms;
			}
		}
		s->srtt_ms = nsrtt ? (uint32_t)(srtt / nsrtt) : 0;
		s->score_ms = (uint32_t)(score / (uint64_t)nscore);
	}
	if (m->naddrs > 0)
		qsort(m->addrs, (size_t)m->naddrs, sizeof(m->addrs[0]), server_order);
	((void (*)(void *, const struct iter_lookup *))j->done)(j->arg, m->naddrs < 0 ? NULL : m);
}

int
daemon_lookup(struct daemon *d, const uint8_t *name,
    void (*done)(void *arg, const struct iter_lookup *l), void *arg)
{
	struct job *j = job_new(d, sizeof(struct iter_lookup));

	if (j == NULL)
		return -1;
	dname_copy_lower(j->name_buf, name);
	j->name = j->name_buf;
	return launch(j, lookup_work, lookup_finish, (void (*)(void))done, arg, 0);
}
