/*
 * loop.c -- one libevent base per worker thread, plus a mailbox so other
 * threads can hand it work (reload, stop) without sharing its data.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "net/net_int.h"

struct loop_call {
	void (*fn)(void *);
	void (*drop)(void *);
	void *arg;
	struct loop_call *next;
};

struct net_loop {
	struct event_base *base;
	struct event *wake;            /* activated by net_loop_call */
	pthread_mutex_t lock;          /* protects calls */
	struct loop_call *calls, **calls_tail;
	atomic_bool stop;
};

int
net_init(void)
{
	return evthread_use_pthreads();
}

static void
loop_take_calls(struct net_loop *loop, struct loop_call **out)
{
	pthread_mutex_lock(&loop->lock);
	*out = loop->calls;
	loop->calls = NULL;
	loop->calls_tail = &loop->calls;
	pthread_mutex_unlock(&loop->lock);
}

static void
loop_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net_loop *loop = arg;
	struct loop_call *c, *next;

	loop_take_calls(loop, &c);
	for (; c; c = next) {
		next = c->next;
		c->fn(c->arg);
		free(c);
	}
	if (atomic_load(&loop->stop))
		event_base_loopbreak(loop->base);
}

struct net_loop *
net_loop_create(void)
{
	struct net_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	pthread_mutex_init(&loop->lock, NULL);
	loop->calls_tail = &loop->calls;
	loop->base = event_base_new();
	if (!loop->base)
		goto fail;
	/* A user event that is never added: only ever activated, which is
	 * thread-safe and wakes the loop. */
	loop->wake = event_new(loop->base, -1, 0, loop_wake_cb, loop);
	if (!loop->wake)
		goto fail;
	return loop;
fail:
	if (loop->base)
		event_base_free(loop->base);
	pthread_mutex_destroy(&loop->lock);
	free(loop);
	return NULL;
}

void
net_loop_destroy(struct net_loop *loop)
{
	struct loop_call *c, *next;

	if (!loop)
		return;
	loop_take_calls(loop, &c);
	for (; c; c = next) {
		next = c->next;
		if (c->drop)
			c->drop(c->arg);
		free(c);
	}
	event_free(loop->wake);
	event_base_free(loop->base);
	pthread_mutex_destroy(&loop->lock);
	free(loop);
}

int
net_loop_run(struct net_loop *loop)
{
	int r = event_base_loop(loop->base, EVLOOP_NO_EXIT_ON_EMPTY);

	/* The stop is consumed, so the loop can be run again. */
	atomic_store(&loop->stop, false);
	return r < 0 ? -1 : 0;
}

/* Not event_base_loopbreak directly: a break requested before the loop
 * starts would be forgotten when it does. An activated event is not. */
void
net_loop_stop(struct net_loop *loop)
{
	atomic_store(&loop->stop, true);
	event_active(loop->wake, 0, 0);
}

int
net_loop_call(struct net_loop *loop, void (*fn)(void *), void (*drop)(void *), void *arg)
{
	struct loop_call *c = malloc(sizeof(*c));

	if (!c)
		return -1;
	c->fn = fn;
	c->drop = drop;
	c->arg = arg;
	c->next = NULL;
	pthread_mutex_lock(&loop->lock);
	*loop->calls_tail = c;
	loop->calls_tail = &c->next;
	pthread_mutex_unlock(&loop->lock);
	event_active(loop->wake, 0, 0);
	return 0;
}

struct event_base *
net_loop_base(struct net_loop *loop)
{
	return loop->base;
}

uint64_t
net_now_ms(void)
{
	return net_clock_ns() / 1000000;
}

/* Through libc (the vDSO: no system call, but some 40 ns on a kvm-clock
 * VM, so callers read it per batch, not per packet), which also lets
 * libfaketime move it in tests. */
uint64_t
net_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- timers ---- */

struct net_timer {
	struct event *ev;
	void (*fn)(void *arg);
	void *arg;
};

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net_timer *t = arg;

	(void)fd;
	(void)what;
	t->fn(t->arg);
}

struct net_timer *
net_timer_new(struct net_loop *loop, void (*fn)(void *arg), void *arg)
{
	struct net_timer *t = malloc(sizeof(*t));

	if (t == NULL)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	t->ev = evtimer_new(loop->base, timer_cb, t);
	if (t->ev == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

int
net_timer_start(struct net_timer *t, uint32_t ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return evtimer_add(t->ev, &tv) == 0 ? 0 : -1;
}

void
net_timer_free(struct net_timer *t)
{
	if (t == NULL)
		return;
	event_free(t->ev);
	free(t);
}
