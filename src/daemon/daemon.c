/*
 * daemon.c -- the running resolver's life cycle: start-up, the control
 * thread, reload, status, readiness and the stop.
 *
 * The work that needs every worker (statistics, flushes, health) is in
 * jobs.c.
 */
/* Angle brackets: the build's config.h, not daemon/config.h beside us. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cache/cache.h"
#include "daemon/daemon_int.h"
#include "net/net.h"
#include "util/log.h"

/* Descriptors per worker besides upstream queries and listeners: the
 * loop's own, the mailbox. */
#define FD_PER_WORKER_BASE 8
/* For the process: standard streams, log, configuration and zone files. */
#define FD_RESERVE 64
/* Upstream queries per worker however low the limit. */
#define WORKER_UPSTREAM_MIN 16

struct daemon_settings *
daemon_settings_new(struct config *cfg, struct iter_config *itercfg)
{
	struct daemon_settings *s = malloc(sizeof(*s));

	if (!s) {
		config_free(cfg);
		iter_config_unref(itercfg);
		return NULL;
	}
	atomic_init(&s->refs, 1);
	s->cfg = cfg;
	s->itercfg = itercfg;
	return s;
}

void
daemon_settings_ref(struct daemon_settings *s)
{
	atomic_fetch_add(&s->refs, 1);
}

void
daemon_settings_unref(struct daemon_settings *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	config_free(s->cfg);
	iter_config_unref(s->itercfg);
	free(s);
}

static int
clamp_verbosity(int v)
{
	return v < 0 ? 0 : v > 4 ? 4 : v;
}

/* Raise the descriptor limit as far as allowed and return how many
 * upstream queries each worker may have in flight within it. The
 * listener list says what the sockets cost, per worker and once. When the
 * limit cannot hold tcp-max-connections besides, the TCP connections per
 * worker are lowered in cfg too: idle clients must not take the
 * descriptors resolution needs (every upstream query is a socket). */
static int
upstream_budget(struct config *cfg, int nworkers, bool quiet)
{
	struct rlimit rl;
	long tcp = cfg->tcp_max_connections, per_rest, once, need, reserve, avail, per;

	per_rest = config_listener_fds(cfg, true) + FD_PER_WORKER_BASE;
	once = config_listener_fds(cfg, false) + DAEMON_HTTP_MAX_CONNS + DAEMON_CTL_MAX_CONNS +
	    2 + FD_RESERVE;
	need = (WORKER_UPSTREAM_MAX + tcp + per_rest) * nworkers + once;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return WORKER_UPSTREAM_MAX;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)need) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (rlim_t)need ?
		    (rlim_t)need : rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= (rlim_t)need)
		return WORKER_UPSTREAM_MAX;
	/* A small limit cannot spare the whole reserve. */
	reserve = (long)rl.rlim_cur / 4 < once ? (long)rl.rlim_cur / 4 : once;
	avail = ((long)rl.rlim_cur - reserve) / nworkers - per_rest;
	if (avail >= tcp + WORKER_UPSTREAM_MIN) {
		per = avail - tcp;
	} else {
		per = avail / 2 > WORKER_UPSTREAM_MIN ? avail / 2 : WORKER_UPSTREAM_MIN;
		tcp = avail - per > 1 ? avail - per : 1;
		cfg->tcp_max_connections = (int)tcp;
	}
	if (!quiet)
		log_warn("open file limit %ld is low: at most %ld upstream queries and %ld TCP "
		    "connections per thread", (long)rl.rlim_cur, per, tcp);
	return (int)per;
}

/* The configuration file and what the engine builds from it. */
static struct daemon_settings *
load_settings(const char *path, char *err, size_t errlen)
{
	struct iter_config *ic;
	struct config *cfg;

	if (!(cfg = config_load(path, err, errlen)))
		return NULL;
	if (!(ic = config_build_iter(cfg, err, errlen))) {
		config_free(cfg);
		return NULL;
	}
	return daemon_settings_new(cfg, ic);
}

struct daemon *
daemon_create(const char *path, int vflag, char *err, size_t errlen)
{
	struct daemon *d = calloc(1, sizeof(*d));
	const struct config *cfg;
	struct timespec ts;
	int i, budget;

	if (!d || !(d->path = strdup(path))) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->vflag = vflag;
	pthread_mutex_init(&d->lock, NULL);
	atomic_init(&d->ready, false);
	clock_gettime(CLOCK_REALTIME, &ts);
	d->start_time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	if (!(d->settings = load_settings(path, err, errlen)))
		goto fail;
	cfg = d->settings->cfg;
	log_verbosity = clamp_verbosity(cfg->verbosity + vflag);
	daemon_settings_ref(d->settings);
	d->boot = d->settings;
	if (net_init() < 0) {
		snprintf(err, errlen, "cannot make libevent thread-aware");
		goto fail;
	}
	if (config_listeners_probe(cfg, err, errlen) < 0)
		goto fail;
	d->nworkers = cfg->num_threads > 0 ? cfg->num_threads : 1;
	budget = upstream_budget(d->settings->cfg, d->nworkers, false);
	d->cache = cache_create(cfg->cache_size);
	d->workers = calloc((size_t)d->nworkers, sizeof(*d->workers));
	d->loop = net_loop_create();
	if (!d->cache || !d->workers || !d->loop) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (i = 0; i < d->nworkers; i++)
		if (!(d->workers[i] = worker_create(i, d->cache, d->settings, budget, err, errlen)))
			goto fail;
	return d;
fail:
	daemon_destroy(d);
	return NULL;
}

const struct config *
daemon_boot_config(const struct daemon *d)
{
	return d->boot->cfg;
}

struct net_loop *
daemon_loop(struct daemon *d)
{
	return d->loop;
}

static void *
control_thread(void *arg)
{
	struct daemon *d = arg;

	if (net_loop_run(d->loop) < 0)
		log_err("control thread: event loop failed");
	return NULL;
}

int
daemon_start(struct daemon *d)
{
	const struct config *cfg = d->boot->cfg;
	int r;

	for (d->started = 0; d->started < d->nworkers; d->started++)
		if (worker_start(d->workers[d->started]) < 0)
			return -1;
	if ((r = pthread_create(&d->thread, NULL, control_thread, d)) != 0) {
		log_err("cannot start the control thread: %s", strerror(r));
		return -1;
	}
	d->thread_started = true;
	log_info("resolverd %s started: %d thread%s, %d listening socket%s per thread", PACKAGE_VERSION,
	    d->nworkers, d->nworkers == 1 ? "" : "s", config_listener_fds(cfg, true),
	    config_listener_fds(cfg, true) == 1 ? "" : "s");
	return 0;
}

void
daemon_stop(struct daemon *d)
{
	int i;

	if (d->thread_started) {
		net_loop_stop(d->loop);
		pthread_join(d->thread, NULL);
		d->thread_started = false;
	}
	for (i = 0; i < d->started; i++)
		worker_stop(d->workers[i]);
	for (i = 0; i < d->started; i++)
		worker_join(d->workers[i]);
}

static void
log_summary(struct daemon *d)
{
	struct worker_snapshot ws;
	char rc[256];
	size_t off;
	int i, r;

	for (i = 0; i < d->nworkers; i++) {
		worker_snapshot(d->workers[i], &ws);
		off = 0;
		rc[0] = '\0';
		for (r = 0; r < STATS_RCODES && off < sizeof(rc); r++)
			if (ws.fe.responses[r])
				off += (size_t)snprintf(rc + off, sizeof(rc) - off, " %s %llu",
				    stats_rcode_name(r), (unsigned long long)ws.fe.responses[r]);
		log_info("thread %d: %llu queries (%llu tcp, %llu tcp connections), "
		    "%llu cache hits, %llu misses, %llu dropped; answers:%s", i,
		    (unsigned long long)(ws.fe.queries[TRANSPORT_UDP] + ws.fe.queries[TRANSPORT_TCP]),
		    (unsigned long long)ws.fe.queries[TRANSPORT_TCP],
		    (unsigned long long)ws.tcp_accepted, (unsigned long long)ws.fe.cache_hits,
		    (unsigned long long)ws.fe.cache_misses, (unsigned long long)ws.fe.dropped,
		    rc[0] ? rc : " none");
		log_info("thread %d: %llu upstream queries (%llu timeouts), %llu from the "
		    "local root, %llu stale answers, %llu prefetches", i,
		    (unsigned long long)ws.it.upstream_queries,
		    (unsigned long long)ws.it.upstream_timeouts,
		    (unsigned long long)ws.it.local_root, (unsigned long long)ws.fe.stale_answers,
		    (unsigned long long)ws.it.prefetch);
	}
}

void
daemon_destroy(struct daemon *d)
{
	int i;

	if (!d)
		return;
	daemon_stop(d);
	if (d->workers && d->started == d->nworkers)
		log_summary(d);
	for (i = 0; d->workers && i < d->nworkers; i++)
		worker_destroy(d->workers[i]);
	free(d->workers);
	/* After the workers: calls they queued for this loop are dropped. */
	net_loop_destroy(d->loop);
	if (d->cache)
		cache_destroy(d->cache);
	daemon_settings_unref(d->settings);
	daemon_settings_unref(d->boot);
	pthread_mutex_destroy(&d->lock);
	free(d->path);
	free(d);
}

int
daemon_reload(struct daemon *d, char *err, size_t errlen)
{
	const struct config *boot = d->boot->cfg;
	struct daemon_settings *ns;
	const struct config *cfg;
	int i;

	pthread_mutex_lock(&d->lock);
	if (!(ns = load_settings(d->path, err, errlen))) {
		pthread_mutex_unlock(&d->lock);
		log_err("reload failed, keeping the running configuration: %s", err);
		return -1;
	}
	cfg = ns->cfg;
	/* The descriptors left for TCP, as at start-up (the upstream budget
	 * itself stays what it was). */
	(void)upstream_budget(ns->cfg, d->nworkers, true);
	if (!config_listeners_same(boot, cfg) || cfg->num_threads != boot->num_threads)
		log_warn("listeners (interface, port, http-interface, do-udp, do-tcp) or the "
		    "thread count changed: restart resolverd to apply");
	if (strcmp(cfg->control_socket, boot->control_socket) != 0)
		log_warn("control-socket changed: restart resolverd to apply");
	log_verbosity = clamp_verbosity(cfg->verbosity + d->vflag);
	cache_set_max_bytes(d->cache, cfg->cache_size);
	for (i = 0; i < d->nworkers; i++)
		if (worker_apply(d->workers[i], ns) < 0)
			log_err("worker %d: cannot apply the new configuration", i);
	daemon_settings_unref(d->settings);
	d->settings = ns;
	pthread_mutex_unlock(&d->lock);
	log_info("reloaded %s", d->path);
	return 0;
}

void
daemon_set_verbosity(struct daemon *d, int verbosity)
{
	log_verbosity = clamp_verbosity(verbosity);
	log_info("verbosity %d", (int)log_verbosity);
}

void
daemon_status(struct daemon *d, struct textout *o)
{
	const struct config *boot = d->boot->cfg;
	struct timespec ts;
	char a[80];
	int i;

	clock_gettime(CLOCK_REALTIME, &ts);
	textout_printf(o, "version: %s\n", PACKAGE_VERSION);
	textout_printf(o, "uptime: %.0f seconds\n", (double)ts.tv_sec - d->start_time);
	textout_printf(o, "threads: %d\n", d->nworkers);
	textout_printf(o, "verbosity: %d\n", (int)log_verbosity);
	pthread_mutex_lock(&d->lock);
	textout_printf(o, "config: %s\n", d->settings->cfg->file);
	pthread_mutex_unlock(&d->lock);
	for (i = 0; i < boot->nlisteners; i++)
		textout_printf(o, "listener: %s %s\n", transport_of(boot->listeners[i].transport)->name,
		    net_addr_str((const struct sockaddr *)&boot->listeners[i].addr.ss, a, sizeof(a)));
	textout_printf(o, "control-socket: %s\n", boot->control_socket);
	textout_printf(o, "ready: %s\n", daemon_ready(d) ? "yes" : "no (root not primed yet)");
}

/* Whether questions for the root need no priming: a local copy, or a
 * forward or stub zone for the root itself. */
static bool
root_configured(const struct iter_config *ic)
{
	const struct iter_zone *z;

	if (ic->root_zone != NULL)
		return true;
	for (z = ic->zones; z != NULL; z = z->next)
		if (z->name[0] == 0)
			return true;
	return false;
}

bool
daemon_ready(struct daemon *d)
{
	struct arena arena;
	struct rrset ns;
	bool ready;

	if (atomic_load(&d->ready))
		return true;
	pthread_mutex_lock(&d->lock);
	ready = root_configured(d->settings->itercfg);
	pthread_mutex_unlock(&d->lock);
	if (!ready) {
		arena_init(&arena, 1024);
		ready = cache_rrset_lookup(d->cache, (const uint8_t *)"", RR_TYPE_NS, RR_CLASS_IN,
		    time(NULL), &arena, &ns);
		arena_free_all(&arena);
	}
	if (ready)
		atomic_store(&d->ready, true);
	return ready;
}
