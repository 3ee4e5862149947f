/*
 * daemon_int.h -- what daemon.c (life cycle, reload) and jobs.c (work
 * spread over the workers) share. Not for use outside src/daemon.
 */
#ifndef RESOLVERD_DAEMON_DAEMON_INT_H
#define RESOLVERD_DAEMON_DAEMON_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "daemon/daemon.h"
#include "daemon/worker.h"

struct daemon {
	char *path;                    /* the configuration file */
	int vflag;                     /* -v on the command line */
	pthread_mutex_t lock;          /* settings; one reload at a time */
	struct daemon_settings *settings;   /* in use now */
	struct daemon_settings *boot;  /* what the sockets were opened with */
	struct cache *cache;
	int nworkers;
	struct worker **workers;
	int started;                   /* workers whose thread runs */
	struct net_loop *loop;         /* the control thread's */
	pthread_t thread;
	bool thread_started;
	double start_time;             /* seconds since the epoch */
	atomic_bool ready;             /* sticky: see daemon_ready */
};

#endif
