/*
 * worker.h -- one thread serving clients, inside the daemon module (the
 * rest of the program uses daemon.h).
 *
 * A worker is one thread with its own event loop, its own listening
 * sockets (SO_REUSEPORT: the kernel spreads clients over workers), its own
 * engine (struct iter) and upstream transport. All workers share the
 * cache. Other threads reach a worker only through its loop
 * (worker_call): no thread touches another worker's data while it runs.
 *
 * Settings (config + engine config) are immutable and reference counted;
 * each worker holds one reference to the settings it uses.
 */
#ifndef RESOLVERD_DAEMON_WORKER_H
#define RESOLVERD_DAEMON_WORKER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/cache.h"
#include "daemon/config.h"
#include "iter/iter.h"
#include "stats/metrics.h"

struct daemon_settings {
	atomic_int refs;
	struct config *cfg;
	struct iter_config *itercfg;
};

/* Wrap cfg and itercfg (both taken over), one reference. NULL on
 * allocation failure (then both are freed). */
struct daemon_settings *daemon_settings_new(struct config *cfg, struct iter_config *itercfg);
void daemon_settings_ref(struct daemon_settings *s);
/* Any thread; the last reference frees config and engine config. */
void daemon_settings_unref(struct daemon_settings *s);

/* Upstream queries in flight per worker, at most. */
#define WORKER_UPSTREAM_MAX 4096
/* Clients waiting for the engine per worker, at most; beyond, dropped. */
#define WORKER_WAITING_MAX 20000

/* A copy of one worker's numbers, made in its thread. */
struct worker_snapshot {
	struct stats_frontend fe;
	struct iter_stats it;
	uint64_t clients_waiting;
	uint64_t upstream_in_flight;
	uint64_t tcp_open;
	uint64_t tcp_accepted;
	int sockets;                   /* listening sockets it serves */
};

struct worker;

/* A worker for the given settings (a reference is taken) and shared
 * cache: opens its sockets (the per-worker rows of the listener list),
 * creates its loop, transport and engine. It does not run until
 * worker_start. max_upstream caps upstream queries in flight (descriptor
 * budget). NULL with a sentence in err on failure. */
struct worker *worker_create(int id, struct cache *cache, struct daemon_settings *s,
    int max_upstream, char *err, size_t errlen);

/* Start the worker's thread. 0, or -1. */
int worker_start(struct worker *w);

/* Ask the worker to stop (any thread), then wait for it. */
void worker_stop(struct worker *w);
void worker_join(struct worker *w);

/* Use s from now on (any thread; a reference is taken). The worker
 * switches between two events: engine config, access control, sizes and
 * TCP limits. Listening sockets are not changed. 0, or -1. */
int worker_apply(struct worker *w, struct daemon_settings *s);

/* Run fn(arg) in the worker's thread, soon (any thread). If the worker
 * is destroyed first, drop(arg) runs instead. 0, or -1 (neither runs). */
int worker_call(struct worker *w, void (*fn)(void *arg), void (*drop)(void *arg), void *arg);

/* In the worker's own thread (from worker_call), or once it stopped: */
void worker_snapshot(struct worker *w, struct worker_snapshot *out);
struct iter *worker_iter(struct worker *w);

/* Free a stopped worker: clients still waiting get SERVFAIL, then all
 * sockets are closed. */
void worker_destroy(struct worker *w);

#endif
