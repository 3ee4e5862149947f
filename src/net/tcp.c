/*
 * tcp.c -- the TCP front end (RFC 7766).
 *
 * Queries on a connection are framed by a 2-byte length and handled as
 * soon as each is complete, several at a time; answers are written in the
 * order they become ready. libevent's bufferevents do the partial reads
 * and writes.
 *
 * A connection ends when the client closes it (after the answers still
 * owed are written, so a client may half-close), on error, when it has
 * been idle (nothing pending) for idle_ms, or when a new connection needs
 * its place. A closed connection with queries still held by the engine
 * stays allocated, without socket, until the last one is released.
 *
 * Reading pauses when a connection has too many queries in flight or too
 * many unsent answers, so one client cannot take all the memory.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "net/net_int.h"
#include "util/log.h"

#define TCP_PIPELINE_MAX 64
#define TCP_OUTPUT_MAX (256 * 1024)
#define TCP_ACCEPT_PER_EVENT 32
/* After running out of descriptors, wait this long before accepting. */
#define TCP_ACCEPT_RETRY_MS 200

struct tcp_listener {
	struct tcp_front *front;
	int fd;
	struct event *ev;
	struct tcp_listener *next;
};

struct tcp_conn {
	struct tcp_front *front;       /* NULL once closed */
	struct bufferevent *bev;       /* NULL once closed */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int pending;                   /* queries held for a later answer */
	bool eof;                      /* client sent all it will send */
	bool read_paused;
	struct tcp_conn *prev, *next;  /* open connections, least recently active first */
};

struct tcp_front {
	struct net_loop *loop;
	net_query_cb cb;
	net_sent_cb sent;
	void *arg;
	struct tcp_listener *listeners;
	int nlisteners;
	struct tcp_conn *head, *tail;
	int nconns;
	int max_conns;
	uint32_t idle_ms;
	bool accept_paused;
	struct event *retry;           /* resumes accepting after EMFILE */
	struct net_counters cnt;
	uint8_t qbuf[NET_ANSWER_MAX];
	uint8_t abuf[2 + NET_ANSWER_MAX];  /* answer with its length prefix */
};

static void
conn_unlink(struct tcp_front *f, struct tcp_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		f->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		f->tail = c->prev;
	c->prev = c->next = NULL;
}

static void
conn_link_tail(struct tcp_front *f, struct tcp_conn *c)
{
	c->prev = f->tail;
	c->next = NULL;
	if (f->tail)
		f->tail->next = c;
	else
		f->head = c;
	f->tail = c;
}

static void
accept_pause(struct tcp_front *f)
{
	struct tcp_listener *l;

	if (f->accept_paused)
		return;
	for (l = f->listeners; l; l = l->next)
		event_del(l->ev);
	f->accept_paused = true;
}

static void
accept_resume(struct tcp_front *f)
{
	struct tcp_listener *l;

	if (!f->accept_paused)
		return;
	for (l = f->listeners; l; l = l->next)
		event_add(l->ev, NULL);
	f->accept_paused = false;
}

static void accept_if_room(struct tcp_front *f);

static void
conn_close(struct tcp_conn *c)
{
	struct tcp_front *f = c->front;

	conn_unlink(f, c);
	f->nconns--;
	bufferevent_free(c->bev);
	c->bev = NULL;
	c->front = NULL;
	if (c->pending == 0)
		free(c);
	accept_if_room(f);
}

static bool
conn_output_empty(struct tcp_conn *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev)) == 0;
}

static void
conn_close_if_done(struct tcp_conn *c)
{
	if (c->eof && c->pending == 0 && conn_output_empty(c))
		conn_close(c);
}

static bool
conn_busy(struct tcp_conn *c)
{
	return c->pending >= TCP_PIPELINE_MAX ||
	    evbuffer_get_length(bufferevent_get_output(c->bev)) > TCP_OUTPUT_MAX;
}

/* Deferred, not a direct call: we may be inside the engine delivering an
 * answer, and reading the next query would re-enter it. */
static void
conn_maybe_resume(struct tcp_conn *c)
{
	if (!c->read_paused || c->eof || conn_busy(c))
		return;
	c->read_paused = false;
	bufferevent_enable(c->bev, EV_READ);
	bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
}

static void
conn_write(struct tcp_conn *c, const uint8_t *pkt, size_t len)
{
	uint8_t pfx[2] = { (uint8_t)(len >> 8), (uint8_t)len };

	if (bufferevent_write(c->bev, pfx, 2) < 0 || bufferevent_write(c->bev, pkt, len) < 0)
		log_debug(2, "tcp: cannot queue answer");
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct tcp_conn *c = arg;
	struct tcp_front *f = c->front;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct net_reply r;
	struct net_query q;
	uint8_t pfx[2];
	size_t mlen, alen;
	bool answered = false;

	if (c->read_paused || c->eof)
		return;
	conn_unlink(f, c);
	conn_link_tail(f, c);
	memset(&r, 0, sizeof(r));
	r.transport = TRANSPORT_TCP;
	r.via.tcp = c;
	memcpy(&r.addr, &c->addr, c->addrlen);
	r.addrlen = c->addrlen;
	q.addr = (const struct sockaddr *)&r.addr;
	q.transport = TRANSPORT_TCP;
	q.arrival_ns = net_clock_ns();
	q.out = f->abuf + 2;
	q.outcap = NET_ANSWER_MAX;
	q.reply = &r;
	while (evbuffer_copyout(in, pfx, 2) == 2) {
		mlen = (size_t)pfx[0] << 8 | pfx[1];
		if (evbuffer_get_length(in) < 2 + mlen)
			break;
		evbuffer_drain(in, 2);
		evbuffer_remove(in, f->qbuf, mlen);
		f->cnt.tcp_queries++;
		q.pkt = f->qbuf;
		q.len = mlen;
		alen = f->cb(f->arg, &q);
		if (alen) {
			conn_write(c, f->abuf + 2, alen);
			answered = true;
		}
		if (conn_busy(c)) {
			c->read_paused = true;
			bufferevent_disable(bev, EV_READ);
			break;
		}
	}
	if (answered && f->sent)
		f->sent(f->arg);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct tcp_conn *c = arg;

	if (c->eof) {
		conn_close_if_done(c);
		return;
	}
	conn_maybe_resume(c);
	accept_if_room(c->front);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tcp_conn *c = arg;

	if (what & BEV_EVENT_EOF) {
		c->eof = true;
		bufferevent_disable(bev, EV_READ);
		conn_close_if_done(c);
	} else if (what & BEV_EVENT_ERROR) {
		conn_close(c);
	} else if (what & BEV_EVENT_TIMEOUT) {
		/* A write timeout: the client stopped reading. A read timeout
		 * only counts as idle when nothing is owed. */
		if ((what & BEV_EVENT_WRITING) || (c->pending == 0 && conn_output_empty(c))) {
			c->front->cnt.tcp_idle_closed++;
			conn_close(c);
		} else if (!c->read_paused) {
			bufferevent_enable(bev, EV_READ);
		}
	}
}

/* The least recently active connection that owes nothing, or NULL. */
static struct tcp_conn *
idle_most(struct tcp_front *f)
{
	struct tcp_conn *c;

	for (c = f->head; c; c = c->next)
		if (c->pending == 0 && conn_output_empty(c))
			return c;
	return NULL;
}

/* Accept again if paused and a newcomer could get a place. */
static void
accept_if_room(struct tcp_front *f)
{
	if (f->accept_paused && !event_pending(f->retry, EV_TIMEOUT, NULL) &&
	    (f->nconns < f->max_conns || idle_most(f)))
		accept_resume(f);
}

static void
conn_new(struct tcp_front *f, int fd, const struct sockaddr_storage *ss, socklen_t sl)
{
	struct tcp_conn *c = calloc(1, sizeof(*c));
	struct timeval tv = { f->idle_ms / 1000, (f->idle_ms % 1000) * 1000 };
	int on = 1;

	if (!c) {
		close(fd);
		return;
	}
	/* Answers are whole messages; do not hold them back. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	c->bev = bufferevent_socket_new(net_loop_base(f->loop), fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev) {
		close(fd);
		free(c);
		return;
	}
	c->front = f;
	memcpy(&c->addr, ss, sl);
	c->addrlen = sl;
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	/* Room for one whole message beyond a partial one. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, 2 * (2 + NET_ANSWER_MAX));
	bufferevent_enable(c->bev, EV_READ);
	conn_link_tail(f, c);
	f->nconns++;
	f->cnt.tcp_accepted++;
}

static void
accept_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	accept_if_room(arg);
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct tcp_listener *l = arg;
	struct tcp_front *f = l->front;
	struct tcp_conn *victim;
	struct sockaddr_storage ss;
	socklen_t sl;
	int i, fd;

	for (i = 0; i < TCP_ACCEPT_PER_EVENT; i++) {
		/* Full and every connection owes answers: leave newcomers in
		 * the backlog until one is idle or gone. */
		if (f->nconns >= f->max_conns && !idle_most(f)) {
			f->cnt.tcp_full++;
			accept_pause(f);
			return;
		}
		sl = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				struct timeval tv = { 0, TCP_ACCEPT_RETRY_MS * 1000 };
				log_warn("tcp accept: %s; pausing", strerror(errno));
				accept_pause(f);
				event_add(f->retry, &tv);
			}
			return;
		}
		/* Someone is waiting: make room by closing the idle-most. */
		while (f->nconns >= f->max_conns && (victim = idle_most(f))) {
			f->cnt.tcp_idle_closed++;
			conn_close(victim);
		}
		if (f->nconns >= f->max_conns) {
			close(fd);
			continue;
		}
		conn_new(f, fd, &ss, sl);
	}
}

void
tcp_conn_hold(struct tcp_conn *c)
{
	c->pending++;
}

void
tcp_conn_done(struct tcp_conn *c, const uint8_t *pkt, size_t len)
{
	c->pending--;
	if (!c->bev) {
		if (c->pending == 0)
			free(c);
		return;
	}
	if (pkt)
		conn_write(c, pkt, len);
	if (c->eof) {
		conn_close_if_done(c);
		return;
	}
	conn_maybe_resume(c);
	accept_if_room(c->front);
}

struct tcp_front *
tcp_front_create(struct net_loop *loop, net_query_cb cb, void *arg, uint32_t idle_ms, int max_conns)
{
	struct tcp_front *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->loop = loop;
	f->cb = cb;
	f->arg = arg;
	f->idle_ms = idle_ms;
	f->max_conns = max_conns > 0 ? max_conns : 1;
	f->retry = evtimer_new(net_loop_base(loop), accept_retry_cb, f);
	if (!f->retry) {
		free(f);
		return NULL;
	}
	return f;
}

int
tcp_front_add(struct tcp_front *f, int fd)
{
	struct tcp_listener *l = calloc(1, sizeof(*l));

	if (!l) {
		close(fd);
		return -1;
	}
	l->front = f;
	l->fd = fd;
	l->ev = event_new(net_loop_base(f->loop), fd, EV_READ | EV_PERSIST, accept_cb, l);
	if (!l->ev || (!f->accept_paused && event_add(l->ev, NULL) < 0)) {
		if (l->ev)
			event_free(l->ev);
		close(fd);
		free(l);
		return -1;
	}
	l->next = f->listeners;
	f->listeners = l;
	f->nlisteners++;
	return 0;
}

void
tcp_front_set_sent_cb(struct tcp_front *f, net_sent_cb sent)
{
	f->sent = sent;
}

int
tcp_front_sockets(const struct tcp_front *f)
{
	return f->nlisteners;
}

int
tcp_front_connections(const struct tcp_front *f)
{
	return f->nconns;
}

void
tcp_front_set_limits(struct tcp_front *f, uint32_t idle_ms, int max_conns)
{
	f->idle_ms = idle_ms;
	f->max_conns = max_conns > 0 ? max_conns : 1;
	accept_if_room(f);
}

void
tcp_front_counters(const struct tcp_front *f, struct net_counters *out)
{
	*out = f->cnt;
}

void
tcp_front_destroy(struct tcp_front *f)
{
	struct tcp_listener *l, *next;

	if (!f)
		return;
	while (f->head)
		conn_close(f->head);
	for (l = f->listeners; l; l = next) {
		next = l->next;
		event_free(l->ev);
		close(l->fd);
		free(l);
	}
	event_free(f->retry);
	free(f);
}
