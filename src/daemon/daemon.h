/*
 * daemon.h -- the running resolver, as a whole: the one API through which
 * signals (main.c), the control socket and the HTTP endpoint (src/control)
 * reload it, flush it, read its numbers and stop it.
 *
 * Threads: num-threads workers answer DNS; one control thread runs its
 * own loop (daemon_loop) for the control socket and the HTTP endpoint;
 * the main thread waits for signals. Functions marked "any thread" may be
 * called from each of them. The asynchronous ones (daemon_stats and the
 * like) must be called from the control thread: they reach every worker
 * through its loop and call done back in the control thread once all
 * have answered. If the daemon stops first, done is never called.
 *
 * Memory: results handed to done are valid only during the call.
 */
#ifndef RESOLVERD_DAEMON_DAEMON_H
#define RESOLVERD_DAEMON_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/config.h"
#include "iter/iter.h"
#include "stats/metrics.h"
#include "stats/textout.h"
#include "stats/top.h"

struct daemon;
struct net_loop;

/* Limits of the control thread, counted in the descriptor budget. */
#define DAEMON_HTTP_MAX_CONNS 64       /* HTTP connections at once */
#define DAEMON_HTTP_TIMEOUT_S 10       /* an HTTP request must be read within */
#define DAEMON_CTL_MAX_CONNS 16        /* control socket connections at once */
#define DAEMON_CTL_TIMEOUT_MS 10000    /* a command line must come within */
#define DAEMON_CTL_LINE_MAX 1024       /* longest command line */

/* Read and check the configuration at path (vflag: number of -v), probe
 * the listeners, create the cache, the workers (their sockets open) and
 * the control thread's loop. Threads started later inherit the calling
 * thread's signal mask. NULL with a sentence for the operator in err. */
struct daemon *daemon_create(const char *path, int vflag, char *err, size_t errlen);

/* The configuration the daemon started with: the listeners and the
 * control socket are opened from it and a reload does not change them.
 * Valid until daemon_destroy. */
const struct config *daemon_boot_config(const struct daemon *d);

/* The control thread's loop: servers on it run once daemon_start has
 * started the thread. */
struct net_loop *daemon_loop(struct daemon *d);

/* Start the workers, then the control thread. 0, or -1. */
int daemon_start(struct daemon *d);

/* Stop the control thread and the workers and wait for them. Any thread
 * but those. Then free what runs on the control loop, then
 * daemon_destroy. */
void daemon_stop(struct daemon *d);

/* Free a stopped daemon (logging its counters first). */
void daemon_destroy(struct daemon *d);

/* Any thread. Read the configuration file again and apply it; the cache
 * is kept, and so are the listeners, thread count and control socket
 * (a change there is logged as needing a restart). 0, or -1 with
 * "file:line: what is wrong" in err, the running configuration kept. */
int daemon_reload(struct daemon *d, char *err, size_t errlen);

/* Any thread. Log verbosity 0-4 until the next reload. */
void daemon_set_verbosity(struct daemon *d, int verbosity);

/* Any thread. Version, uptime, threads, listeners, as name: value lines. */
void daemon_status(struct daemon *d, struct textout *o);

/* Any thread. Whether the root is primed (its NS set is in the cache) or
 * needs no priming (a local root copy, or a forward or stub zone for the
 * root); once true, stays true. */
bool daemon_ready(struct daemon *d);

/* ---- asynchronous: from the control thread; 0, or -1 (done never runs) */

/* Every worker's counters, summed, with the cache's and the process's. */
int daemon_stats(struct daemon *d, void (*done)(void *arg, const struct stats_snapshot *s),
    void *arg);

/* Whether every worker's loop turns and serves all its listening sockets,
 * within timeout_ms. why names the first problem when not ok. */
int daemon_health(struct daemon *d, uint32_t timeout_ms,
    void (*done)(void *arg, bool ok, const char *why), void *arg);

enum daemon_flush {
	FLUSH_NAME,        /* name: every type at that name */
	FLUSH_ZONE,        /* name: at and below */
	FLUSH_ALL,
	FLUSH_INFRA,       /* addr, or NULL: every server */
	FLUSH_BOGUS        /* data that failed validation, servers that sent it */
};

/* Drop from the shared cache and from every worker's engine what the
 * kind says. done gets how many cache entries went. */
int daemon_flush(struct daemon *d, enum daemon_flush what, const uint8_t *name,
    const struct netaddr *addr, void (*done)(void *arg, uint64_t removed), void *arg);

/* Upstream servers and their counts, merged over the workers and ordered
 * (top_merge). */
int daemon_top_upstreams(struct daemon *d,
    void (*done)(void *arg, const struct top_entry *e, int n), void *arg);

/* The delegation a question for name starts from, its servers with what
 * the workers know of them (RTTs averaged, a server down or bogus for
 * any worker marked so), in the order they would be asked. */
int daemon_lookup(struct daemon *d, const uint8_t *name,
    void (*done)(void *arg, const struct iter_lookup *l), void *arg);

#endif
