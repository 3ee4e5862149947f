/*
 * main.c -- resolverd: command line, start-up, signals, reload, shutdown.
 *
 * The main thread starts num-threads workers and then only waits for
 * signals (blocked in every thread and taken with sigwait, so no handler
 * runs in the middle of anything): SIGHUP reloads the configuration,
 * SIGTERM and SIGINT stop. Start-up problems are printed plainly on stderr
 * and exit 1.
 */
/* Angle brackets: the build's config.h, not daemon/config.h beside us. */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cache/cache.h"
#include "daemon/config.h"
#include "daemon/daemon.h"
#include "net/net.h"
#include "util/log.h"

#ifndef DEFAULT_CONFIG
#define DEFAULT_CONFIG SYSCONFDIR "/resolverd/resolver.conf"
#endif

/* Descriptors per worker besides upstream queries: listeners, loop. */
#define FD_PER_WORKER_BASE 16
#define FD_RESERVE 64
/* Upstream queries per worker however low the limit. */
#define WORKER_UPSTREAM_MIN 16

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: resolverd [-htVv] [-c file]\n"
	    "  -c file  configuration file (default %s)\n"
	    "  -t       check the configuration and exit\n"
	    "  -v       more verbose (repeatable)\n"
	    "  -V       print the version and exit\n"
	    "  -h       this help\n"
	    "Runs in the foreground and logs to stderr. SIGHUP reloads the\n"
	    "configuration, SIGTERM or SIGINT stops.\n", DEFAULT_CONFIG);
}

static int
clamp_verbosity(int v)
{
	return v < 0 ? 0 : v > 4 ? 4 : v;
}

/* Raise the descriptor limit as far as allowed and return how many
 * upstream queries each worker may have in flight within it. When the
 * limit cannot hold tcp-max-connections besides, the TCP connections per
 * worker are lowered in cfg too: idle clients must not take the
 * descriptors resolution needs (every upstream query is a socket). */
static int
upstream_budget(struct config *cfg, int nworkers, bool quiet)
{
	struct rlimit rl;
	long per, need, reserve, avail, tcp = cfg->tcp_max_connections;

	per = WORKER_UPSTREAM_MAX + tcp + 2L * cfg->ninterfaces + FD_PER_WORKER_BASE;
	need = per * nworkers + FD_RESERVE;
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
	reserve = (long)rl.rlim_cur / 4 < FD_RESERVE ? (long)rl.rlim_cur / 4 : FD_RESERVE;
	avail = ((long)rl.rlim_cur - reserve) / nworkers - (2L * cfg->ninterfaces + FD_PER_WORKER_BASE);
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

/* Fail early and plainly if something already listens where we want to. */
static int
probe_interfaces(const struct config *cfg, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < cfg->ninterfaces; i++) {
		const struct netaddr *a = &cfg->interfaces[i];
		if (!(a->ss.ss_family == AF_INET ? cfg->do_ip4 : cfg->do_ip6))
			continue;
		if (cfg->do_udp && net_listen_probe(a, SOCK_DGRAM, err, errlen) < 0)
			return -1;
		if (cfg->do_tcp && net_listen_probe(a, SOCK_STREAM, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int
nthreads(const struct config *cfg)
{
	return cfg->num_threads > 0 ? cfg->num_threads : 1;
}

/* What a reload cannot change without a restart. */
static bool
listening_changed(const struct config *a, const struct config *b)
{
	int i;

	if (a->ninterfaces != b->ninterfaces || nthreads(a) != nthreads(b) ||
	    a->do_udp != b->do_udp || a->do_tcp != b->do_tcp ||
	    a->do_ip4 != b->do_ip4 || a->do_ip6 != b->do_ip6)
		return true;
	for (i = 0; i < a->ninterfaces; i++)
		if (!netaddr_equal((const struct sockaddr *)&a->interfaces[i].ss,
		    (const struct sockaddr *)&b->interfaces[i].ss))
			return true;
	return false;
}

/* Read the configuration again and hand it to the workers; the cache is
 * kept. boot is what the sockets were opened with. On any error the
 * running settings stay. Returns the settings now in use (the caller's
 * reference to cur moves to the result). */
static struct daemon_settings *
reload(struct daemon_settings *cur, const struct config *boot, const char *path, int vflag,
    struct cache *cache, struct worker **workers, int n)
{
	struct daemon_settings *ns;
	struct iter_config *ic;
	struct config *cfg;
	char err[512];
	int i;

	if (!(cfg = config_load(path, err, sizeof(err)))) {
		log_err("reload failed, keeping the running configuration: %s", err);
		return cur;
	}
	if (!(ic = config_build_iter(cfg, err, sizeof(err)))) {
		log_err("reload failed, keeping the running configuration: %s", err);
		config_free(cfg);
		return cur;
	}
	if (listening_changed(boot, cfg))
		log_warn("interfaces, ports or thread count changed: restart resolverd to apply");
	/* The descriptors left for TCP, as at start-up (the upstream budget
	 * itself stays what it was). */
	(void)upstream_budget(cfg, nthreads(boot), true);
	if (!(ns = daemon_settings_new(cfg, ic))) {
		log_err("reload failed: out of memory");
		return cur;
	}
	log_verbosity = clamp_verbosity(cfg->verbosity + vflag);
	cache_set_max_bytes(cache, cfg->cache_size);
	for (i = 0; i < n; i++)
		if (worker_apply(workers[i], ns) < 0)
			log_err("worker %d: cannot apply the new configuration", i);
	daemon_settings_unref(cur);
	log_info("reloaded %s", path);
	return ns;
}

static void
log_summary(struct worker **workers, int n)
{
	static const char *names[WORKER_RCODES] = { "NOERROR", "FORMERR", "SERVFAIL",
	    "NXDOMAIN", "NOTIMP", "REFUSED" };
	struct worker_stats st;
	char rc[256];
	size_t off;
	int i, r;

	for (i = 0; i < n; i++) {
		worker_get_stats(workers[i], &st);
		off = 0;
		rc[0] = '\0';
		for (r = 0; r < WORKER_RCODES && off < sizeof(rc); r++) {
			if (!st.answers[r])
				continue;
			if (names[r])
				off += (size_t)snprintf(rc + off, sizeof(rc) - off, " %s %llu",
				    names[r], (unsigned long long)st.answers[r]);
			else
				off += (size_t)snprintf(rc + off, sizeof(rc) - off, " RCODE%d %llu",
				    r, (unsigned long long)st.answers[r]);
		}
		log_info("thread %d: %llu queries (%llu tcp, %llu tcp connections), "
		    "%llu cache hits, %llu misses, %llu dropped, %llu malformed; answers:%s",
		    i, (unsigned long long)st.queries, (unsigned long long)st.queries_tcp,
		    (unsigned long long)st.tcp_connections, (unsigned long long)st.cache_hits,
		    (unsigned long long)st.cache_misses, (unsigned long long)st.dropped,
		    (unsigned long long)st.malformed, rc[0] ? rc : " none");
		log_info("thread %d: %llu upstream queries (%llu timeouts), %llu from the "
		    "local root, %llu stale answers, %llu prefetches", i,
		    (unsigned long long)st.upstream_queries, (unsigned long long)st.upstream_timeouts,
		    (unsigned long long)st.local_root, (unsigned long long)st.stale_answers,
		    (unsigned long long)st.prefetches);
	}
}

/* Wait for signals until told to stop. */
static struct daemon_settings *
serve(struct daemon_settings *s, const sigset_t *sigs, const char *path, int vflag,
    struct cache *cache, struct worker **workers, int n)
{
	struct daemon_settings *boot = s;
	int sig;

	daemon_settings_ref(boot);

	for (;;) {
		if (sigwait(sigs, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_info("SIGHUP: reloading %s", path);
			s = reload(s, boot->cfg, path, vflag, cache, workers, n);
			continue;
		}
		log_info("%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
		daemon_settings_unref(boot);
		return s;
	}
}

static int
check_config(const char *path)
{
	struct iter_config *ic;
	struct config *cfg;
	char err[512];

	if (!(cfg = config_load(path, err, sizeof(err)))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	ic = config_build_iter(cfg, err, sizeof(err));
	config_free(cfg);
	if (!ic) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	iter_config_unref(ic);
	printf("resolverd: no errors in %s\n", path);
	return 0;
}

static int
run(const char *path, int vflag)
{
	struct daemon_settings *s;
	struct worker **workers;
	struct iter_config *ic;
	struct config *cfg;
	struct cache *cache;
	sigset_t sigs;
	char err[512];
	int i, n, budget, started = 0, rc = 1;

	if (!(cfg = config_load(path, err, sizeof(err)))) {
		fprintf(stderr, "resolverd: %s\n", err);
		return 1;
	}
	log_verbosity = clamp_verbosity(cfg->verbosity + vflag);
	if (!(ic = config_build_iter(cfg, err, sizeof(err)))) {
		fprintf(stderr, "resolverd: %s\n", err);
		config_free(cfg);
		return 1;
	}
	if (!(s = daemon_settings_new(cfg, ic)) || net_init() < 0) {
		fprintf(stderr, "resolverd: out of memory\n");
		daemon_settings_unref(s);
		return 1;
	}
	if (probe_interfaces(cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "resolverd: %s\n", err);
		daemon_settings_unref(s);
		return 1;
	}
	/* Blocked before any thread exists, so every thread inherits it and
	 * only sigwait below sees these signals. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	n = nthreads(cfg);
	budget = upstream_budget(cfg, n, false);
	cache = cache_create(cfg->cache_size);
	workers = calloc((size_t)n, sizeof(*workers));
	if (!cache || !workers) {
		fprintf(stderr, "resolverd: out of memory\n");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!(workers[i] = worker_create(i, cache, s, budget, err, sizeof(err)))) {
			fprintf(stderr, "resolverd: %s\n", err);
			goto out;
		}
	}
	for (started = 0; started < n; started++)
		if (worker_start(workers[started]) < 0)
			goto out;
	log_info("resolverd %s started: %d thread%s, %d interface%s", PACKAGE_VERSION,
	    n, n == 1 ? "" : "s", cfg->ninterfaces, cfg->ninterfaces == 1 ? "" : "s");
	s = serve(s, &sigs, path, vflag, cache, workers, n);
	rc = 0;
out:
	for (i = 0; i < started; i++)
		worker_stop(workers[i]);
	for (i = 0; i < started; i++)
		worker_join(workers[i]);
	if (started == n)
		log_summary(workers, n);
	for (i = 0; workers && i < n; i++)
		worker_destroy(workers[i]);
	free(workers);
	if (cache)
		cache_destroy(cache);
	daemon_settings_unref(s);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG;
	int c, check = 0, vflag = 0;

	log_set_ident("resolverd");
	while ((c = getopt(argc, argv, "c:htVv")) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 't':
			check = 1;
			break;
		case 'v':
			vflag++;
			break;
		case 'V':
			printf("resolverd %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	if (check)
		return check_config(path);
	return run(path, vflag);
}
