/*
 * worker.c -- one thread serving clients: the glue between the front ends,
 * the cache, the engine and the upstream transport.
 *
 * The cache-hit path is worker_query: parse, access control, cache lookup
 * straight into the front end's answer slot, patch for the client, return
 * the length; the front end sends it with the rest of its batch. Nothing
 * on it allocates. A miss allocates one struct waiting_client, which
 * remembers how to reach and how to answer the client until the engine
 * delivers.
 *
 * Counting: plain increments of the worker's own struct stats_frontend.
 * Latency: the front end reads the clock once per batch when it arrives
 * (q->arrival_ns); answers given at once are noted (their outcome) until
 * the batch has been handed to the kernel (sent_cb), when one more clock
 * read times them all. An answer the engine delivers later is timed when
 * it is sent.
 */
/* Angle brackets: the build's config.h, not daemon/config.h beside us. */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/respond.h"
#include "daemon/worker.h"
#include "net/net.h"
#include "util/log.h"

/* Immediate answers of one batch awaiting their send time; more than
 * this and the earlier ones are timed at once. */
#define WORKER_PENDING_TIMES 64

struct waiting_client {
	struct net_reply reply;
	struct respond_client rc;
	struct worker *w;
	uint64_t arrival_ns;
	/* serve-expired-client-timeout, when a stale answer is there to
	 * fall back on; NULL otherwise */
	struct net_timer *stale_timer;
	bool answered;                 /* stale already sent: nothing more */
};

struct worker {
	int id;
	pthread_t thread;
	bool started;
	struct cache *cache;
	struct daemon_settings *settings;
	_Atomic(struct daemon_settings *) next_settings;  /* from worker_apply */
	struct net_loop *loop;
	struct udp_front *udp;
	struct tcp_front *tcp;
	struct outnet *out;
	struct iter *iter;
	struct iter_env env;           /* the engine keeps a pointer to it */
	struct stats_frontend fe;
	uint64_t waiting;              /* clients waiting for the engine */
	int npend;                     /* immediate answers not yet timed */
	uint64_t pend_arrival;         /* their batch's arrival */
	uint8_t pend[WORKER_PENDING_TIMES];   /* their enum stats_outcome */
	uint8_t abuf[NET_ANSWER_MAX];  /* answers the engine delivers */
};

/* SERVFAIL and REFUSED are outcomes of their own, whatever gave them. */
static enum stats_outcome
outcome_of(const uint8_t *pkt, enum stats_outcome how)
{
	switch (pkt[3] & 0x0f) {
	case RCODE_SERVFAIL:
		return OUTCOME_SERVFAIL;
	case RCODE_REFUSED:
		return OUTCOME_REFUSED;
	default:
		return how;
	}
}

static void
observe(struct worker *w, enum stats_outcome o, uint64_t arrival_ns, uint64_t now_ns)
{
	/* A clock moved by libfaketime may run backwards in tests. */
	hist_observe(&w->fe.duration[o], &hist_query_duration,
	    now_ns > arrival_ns ? now_ns - arrival_ns : 0);
}

/* The batch's answers are with the kernel: time them (one clock read). */
static void
worker_sent(void *arg)
{
	struct worker *w = arg;
	uint64_t now;
	int i;

	if (w->npend == 0)
		return;
	now = net_clock_ns();
	for (i = 0; i < w->npend; i++)
		observe(w, (enum stats_outcome)w->pend[i], w->pend_arrival, now);
	w->npend = 0;
}

/* An answer in q->out, to be sent with the batch. */
static size_t
answered_now(struct worker *w, const struct net_query *q, enum stats_outcome how, size_t len)
{
	w->fe.responses[q->out[3] & 0x0f]++;
	if (w->npend > 0 && (w->npend == WORKER_PENDING_TIMES || w->pend_arrival != q->arrival_ns))
		worker_sent(w);
	w->pend_arrival = q->arrival_ns;
	w->pend[w->npend++] = (uint8_t)outcome_of(q->out, how);
	return len;
}

/* An answer for a client that waited: send and time it. */
static void
answer_later(struct worker *w, struct waiting_client *wc, const uint8_t *pkt, size_t len,
    enum stats_outcome how)
{
	w->fe.responses[pkt[3] & 0x0f]++;
	net_reply_send(&wc->reply, pkt, len);
	observe(w, outcome_of(pkt, how), wc->arrival_ns, net_clock_ns());
}

static void stale_timeout(void *arg);

static uint16_t
stale_ede(uint16_t rcode)
{
	return rcode == RCODE_NXDOMAIN ? EDE_STALE_NXDOMAIN : EDE_STALE_ANSWER;
}

/* A miss: hand the client to the engine. With stale_ms, an expired answer
 * is in the cache: if the engine has nothing better within stale_ms, the
 * client gets that (RFC 8767). */
static void
resolve(struct worker *w, const struct net_query *q, const struct respond_client *c,
    uint32_t stale_ms)
{
	struct waiting_client *wc;

	if (w->waiting >= WORKER_WAITING_MAX || !(wc = malloc(sizeof(*wc)))) {
		w->fe.dropped++;
		return;
	}
	wc->reply = *q->reply;
	net_reply_hold(&wc->reply);
	wc->rc = *c;
	wc->w = w;
	wc->arrival_ns = q->arrival_ns;
	wc->answered = false;
	wc->stale_timer = NULL;
	if (stale_ms > 0 && (wc->stale_timer = net_timer_new(w->loop, stale_timeout, wc)) != NULL &&
	    net_timer_start(wc->stale_timer, stale_ms) != 0) {
		net_timer_free(wc->stale_timer);
		wc->stale_timer = NULL;
	}
	w->waiting++;
	w->fe.cache_misses++;
	/* May deliver before it returns. */
	iter_resolve(w->iter, c->qname, c->qtype, c->qclass, respond_iter_flags(c), wc);
}

static size_t
worker_query(void *arg, const struct net_query *q)
{
	struct worker *w = arg;
	const struct config *cfg = w->settings->cfg;
	struct cache_answer_info info;
	struct respond_client c;
	struct dns_msg msg;
	size_t len = 0;

	w->fe.queries[q->transport]++;
	switch (respond_query(q->pkt, q->len, config_acl_lookup(cfg, q->addr),
	    q->transport != TRANSPORT_UDP, cfg->max_udp_size, &msg, &c, q->out, q->outcap, &len)) {
	case RESPOND_DROP:
		w->fe.dropped++;
		return 0;
	case RESPOND_ANSWERED:
		return answered_now(w, q, OUTCOME_LOCAL, len);
	case RESPOND_RESOLVE:
		break;
	}
	if (cfg->local != NULL) {
		switch (localzone_answer(cfg->local, c.qname, c.qtype, c.qclass,
		    q->out, q->outcap, &len)) {
		case LOCAL_PASS:
			break;
		case LOCAL_DROP:
			w->fe.dropped++;
			return 0;
		case LOCAL_REFUSE:
			len = respond_error(q->out, q->outcap, &c, RCODE_REFUSED, EDE_PROHIBITED);
			return answered_now(w, q, OUTCOME_LOCAL, len);
		case LOCAL_ANSWER:
			if (!(len = respond_patch(q->out, len, q->outcap, &c, EDE_NONE)))
				len = respond_error(q->out, q->outcap, &c, RCODE_SERVFAIL, EDE_NONE);
			return answered_now(w, q, OUTCOME_LOCAL, len);
		}
	}
	len = cache_answer_lookup(w->cache, c.qname, c.qtype, c.qclass,
	    respond_cache_variant(&c), time(NULL), cfg->serve_expired ? cfg->serve_expired_ttl : 0,
	    cfg->serve_expired_reply_ttl, q->out, q->outcap, &info);
	if (!len) {
		resolve(w, q, &c, 0);
		return 0;
	}
	if (info.stale) {
		/* Try upstream first, unless it failed a moment ago, the
		 * operator wants stale answers at once, or too many clients
		 * wait already. */
		if (!info.recheck && cfg->serve_expired_client_timeout > 0 &&
		    w->waiting < WORKER_WAITING_MAX) {
			resolve(w, q, &c, cfg->serve_expired_client_timeout);
			return 0;
		}
		if (!info.recheck)
			iter_refresh(w->iter, c.qname, c.qtype, c.qclass, respond_iter_flags(&c));
		w->fe.stale_answers++;
		info.ede = stale_ede(info.rcode);
	} else if (cfg->prefetch && info.remaining <= info.orig_ttl / 10) {
		/* Still asked for near its end: refresh it before it expires,
		 * so that nobody waits for it then. */
		iter_refresh(w->iter, c.qname, c.qtype, c.qclass, respond_iter_flags(&c));
	}
	w->fe.cache_hits++;
	if (!(len = respond_patch(q->out, len, q->outcap, &c, info.ede)))
		len = respond_error(q->out, q->outcap, &c, RCODE_SERVFAIL, EDE_NONE);
	return answered_now(w, q, info.stale ? OUTCOME_STALE : OUTCOME_CACHE_HIT, len);
}

/* ---- serve-stale ---- */

/* Answer wc from an expired cache entry if there is one. */
static bool
serve_stale(struct worker *w, struct waiting_client *wc)
{
	const struct config *cfg = w->settings->cfg;
	struct cache_answer_info info;
	size_t n;

	if (!cfg->serve_expired)
		return false;
	n = cache_answer_lookup(w->cache, wc->rc.qname, wc->rc.qtype, wc->rc.qclass,
	    respond_cache_variant(&wc->rc), time(NULL), cfg->serve_expired_ttl,
	    cfg->serve_expired_reply_ttl, w->abuf, sizeof(w->abuf), &info);
	if (n == 0 || info.rcode == RCODE_SERVFAIL)
		return false;
	if (!(n = respond_patch(w->abuf, n, sizeof(w->abuf), &wc->rc,
	    info.stale ? stale_ede(info.rcode) : info.ede)))
		return false;
	if (info.stale)
		w->fe.stale_answers++;
	answer_later(w, wc, w->abuf, n, info.stale ? OUTCOME_STALE : OUTCOME_RESOLVED);
	wc->answered = true;
	return true;
}

/* Upstream took serve-expired-client-timeout: the stale answer now; the
 * engine goes on and its answer refreshes the cache. */
static void
stale_timeout(void *arg)
{
	struct waiting_client *wc = arg;

	if (!wc->answered)
		serve_stale(wc->w, wc);
}

static void
client_done(struct worker *w, struct waiting_client *wc)
{
	net_timer_free(wc->stale_timer);
	w->waiting--;
	free(wc);
}

/* ---- the engine's environment ---- */

static void
env_deliver(void *io, void *client, const uint8_t *wire, size_t len, uint16_t ede)
{
	struct worker *w = io;
	struct waiting_client *wc = client;
	size_t n = 0;

	if (wc->answered || (len > 3 && (wire[3] & 0x0f) == RCODE_SERVFAIL && serve_stale(w, wc))) {
		client_done(w, wc);
		return;
	}
	if (len <= sizeof(w->abuf)) {
		memcpy(w->abuf, wire, len);
		n = respond_patch(w->abuf, len, sizeof(w->abuf), &wc->rc, ede);
	}
	if (!n) {
		log_debug(2, "engine answer does not match the question; SERVFAIL");
		n = respond_error(w->abuf, sizeof(w->abuf), &wc->rc, RCODE_SERVFAIL, ede);
	}
	answer_later(w, wc, w->abuf, n, OUTCOME_RESOLVED);
	client_done(w, wc);
}

static int
env_send_query(void *io, const struct upstream_query *q, void *token)
{
	struct worker *w = io;

	return outnet_send(w->out, q, token);
}

static void
upstream_done(void *arg, void *token, int err, const uint8_t *pkt, size_t len)
{
	struct worker *w = arg;

	if (err)
		iter_upstream_failed(w->iter, token, (enum upstream_failure)err);
	else
		iter_upstream_reply(w->iter, token, pkt, len);
}

/* Both clocks through libc, so libfaketime can move them in tests. */
static time_t
env_now(void *io)
{
	return time(NULL);
}

static uint64_t
env_now_ms(void *io)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- life cycle ---- */

/* The per-worker rows of the listener list: each transport's front end
 * takes its sockets. */
static int
open_listeners(struct worker *w, const struct config *cfg, char *err, size_t errlen)
{
	int i, fd, r;

	for (i = 0; i < cfg->nlisteners; i++) {
		const struct listener *l = &cfg->listeners[i];
		if (!transport_of(l->transport)->per_worker)
			continue;
		if ((fd = net_listen_on(l, true, err, errlen)) < 0)
			return -1;
		switch (l->transport) {
		case TRANSPORT_UDP:
			r = udp_front_add(w->udp, fd);
			break;
		case TRANSPORT_TCP:
			r = tcp_front_add(w->tcp, fd);
			break;
		default:
			snprintf(err, errlen, "%s listeners are not served by workers",
			    transport_of(l->transport)->name);
			return -1;
		}
		if (r < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

struct worker *
worker_create(int id, struct cache *cache, struct daemon_settings *s, int max_upstream,
    char *err, size_t errlen)
{
	struct worker *w = calloc(1, sizeof(*w));
	const struct config *cfg = s->cfg;

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->id = id;
	w->cache = cache;
	daemon_settings_ref(s);
	w->settings = s;
	atomic_init(&w->next_settings, NULL);
	if (!(w->loop = net_loop_create()) ||
	    !(w->udp = udp_front_create(w->loop, worker_query, w)) ||
	    !(w->tcp = tcp_front_create(w->loop, worker_query, w,
	    cfg->tcp_idle_timeout_ms, cfg->tcp_max_connections)) ||
	    !(w->out = outnet_create(w->loop, max_upstream, upstream_done, w))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	udp_front_set_sent_cb(w->udp, worker_sent);
	tcp_front_set_sent_cb(w->tcp, worker_sent);
	if (open_listeners(w, cfg, err, errlen) < 0)
		goto fail;
	w->env.io = w;
	w->env.send_query = env_send_query;
	w->env.deliver = env_deliver;
	w->env.now = env_now;
	w->env.now_ms = env_now_ms;
	if (!(w->iter = iter_create(&w->env, cache, s->itercfg))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return w;
fail:
	worker_destroy(w);
	return NULL;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	if (net_loop_run(w->loop) < 0)
		log_err("worker %d: event loop failed", w->id);
	return NULL;
}

int
worker_start(struct worker *w)
{
	int r = pthread_create(&w->thread, NULL, worker_main, w);

	if (r) {
		log_err("cannot start worker %d: %s", w->id, strerror(r));
		return -1;
	}
	w->started = true;
	return 0;
}

void
worker_stop(struct worker *w)
{
	net_loop_stop(w->loop);
}

void
worker_join(struct worker *w)
{
	if (w->started)
		pthread_join(w->thread, NULL);
	w->started = false;
}

/* In the worker's thread. */
static void
apply_cb(void *arg)
{
	struct worker *w = arg;
	struct daemon_settings *s = atomic_exchange(&w->next_settings, NULL);

	if (!s)
		return;
	iter_set_config(w->iter, s->itercfg);
	tcp_front_set_limits(w->tcp, s->cfg->tcp_idle_timeout_ms, s->cfg->tcp_max_connections);
	daemon_settings_unref(w->settings);
	w->settings = s;
}

int
worker_apply(struct worker *w, struct daemon_settings *s)
{
	daemon_settings_ref(s);
	/* Settings not yet picked up are simply superseded. */
	daemon_settings_unref(atomic_exchange(&w->next_settings, s));
	return net_loop_call(w->loop, apply_cb, NULL, w);
}

int
worker_call(struct worker *w, void (*fn)(void *arg), void (*drop)(void *arg), void *arg)
{
	return net_loop_call(w->loop, fn, drop, arg);
}

void
worker_snapshot(struct worker *w, struct worker_snapshot *out)
{
	struct net_counters nc;

	memset(out, 0, sizeof(*out));
	worker_sent(w);                /* nothing pending stays untimed */
	out->fe = w->fe;
	out->clients_waiting = w->waiting;
	if (w->tcp) {
		tcp_front_counters(w->tcp, &nc);
		out->tcp_accepted = nc.tcp_accepted;
		out->tcp_open = (uint64_t)tcp_front_connections(w->tcp);
		out->sockets += tcp_front_sockets(w->tcp);
	}
	if (w->udp)
		out->sockets += udp_front_sockets(w->udp);
	if (w->out)
		out->upstream_in_flight = (uint64_t)outnet_pending(w->out);
	if (w->iter)
		iter_get_stats(w->iter, &out->it);
}

struct iter *
worker_iter(struct worker *w)
{
	return w->iter;
}

void
worker_destroy(struct worker *w)
{
	if (!w)
		return;
	/* Order matters: the engine answers its waiting clients through the
	 * front ends and forgets its upstream queries; then the transport
	 * can close them without calling back. */
	if (w->iter)
		iter_destroy(w->iter);
	outnet_destroy(w->out);
	tcp_front_destroy(w->tcp);
	udp_front_destroy(w->udp);
	net_loop_destroy(w->loop);
	daemon_settings_unref(atomic_exchange(&w->next_settings, NULL));
	daemon_settings_unref(w->settings);
	free(w);
}
