/*
 * daemon.h -- the running resolver: worker threads, the settings they
 * share, and their counters.
 *
 * A worker is one thread with its own event loop, its own listening
 * sockets (SO_REUSEPORT: the kernel spreads clients over workers), its own
 * engine (struct iter) and upstream transport. All workers share the cache.
 * The main thread creates the workers, handles signals, and on reload
 * hands each worker new settings through its loop's mailbox: no thread
 * touches another worker's data while it runs.
 *
 * Settings (config + engine config) are immutable and reference counted;
 * each worker holds one reference to the settings it uses.
 */
#ifndef RESOLVERD_DAEMON_DAEMON_H
#define RESOLVERD_DAEMON_DAEMON_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/cache.h"
#include "daemon/config.h"
#include "iter/iter.h"

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

/* Answers by the rcode in their header (BADVERS counts as NOERROR). */
#define WORKER_RCODES 16

struct worker_stats {
	uint64_t queries;              /* client queries, UDP and TCP */
	uint64_t queries_tcp;
	uint64_t cache_hits;
	uint64_t cache_misses;         /* handed to the engine */
	uint64_t stale_answers;        /* served expired (RFC 8767) */
	uint64_t prefetches;           /* refreshes started (prefetch, stale) */
	uint64_t upstream_queries;     /* sent to servers */
	uint64_t upstream_timeouts;
	uint64_t local_root;           /* answered by the root-zone-file copy */
	uint64_t answers[WORKER_RCODES];
	uint64_t dropped;              /* denied, unanswerable, over limits */
	uint64_t malformed;            /* answered FORMERR */
	uint64_t waiting;              /* clients waiting for the engine now */
	uint64_t tcp_connections;      /* accepted */
	uint64_t upstream_pending;     /* upstream queries in flight now */
};

struct worker;

/* A worker for the given settings (a reference is taken) and shared
 * cache: opens its sockets on every configured interface, creates its
 * loop, transport and engine. It does not run until worker_start.
 * max_upstream caps upstream queries in flight (descriptor budget).
 * NULL with a sentence in err on failure. */
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

/* Counters; exact once the worker stopped, approximate while it runs. */
void worker_get_stats(const struct worker *w, struct worker_stats *out);

/* Free a stopped worker: clients still waiting get SERVFAIL, then all
 * sockets are closed. */
void worker_destroy(struct worker *w);

#endif
