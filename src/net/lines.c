/*
 * lines.c -- the control socket's transport: a Unix stream socket where
 * each connection carries one request line and gets one reply, after
 * which the server closes it.
 *
 * Limits: a line longer than max_line, or no line within timeout_ms, ends
 * the connection with a one-line error; at most max_conns connections at
 * once (accepting pauses meanwhile). A reply may come later than the
 * request callback (the daemon asks its workers first); if the client
 * went away meanwhile, the reply is dropped.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "net/net_int.h"
#include "util/log.h"

struct net_lines_req {
	struct net_lines *srv;          /* NULL once the server is gone */
	struct bufferevent *bev;        /* NULL once the client is gone */
	bool asked;                     /* the line went to the callback */
	bool replied;
	bool refused;                   /* an error is being sent: read and
	                                 * discard until the client closes */
	struct net_lines_req *prev, *next;
};

struct net_lines {
	struct net_loop *loop;
	int fd;
	struct event *ev;
	size_t max_line;
	int max_conns, nconns;
	uint32_t timeout_ms;
	bool paused;
	net_lines_cb cb;
	void *arg;
	struct net_lines_req *reqs;     /* open connections */
};

int
net_unix_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, probe, r;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket %s: path too long", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	/* A socket file someone answers on belongs to a running server: do
	 * not take it over. One nobody answers on is left from a crash. */
	if ((probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0) {
		r = connect(probe, (struct sockaddr *)&sun, sizeof(sun));
		close(probe);
		if (r == 0) {
			snprintf(err, errlen, "control socket %s is in use (another resolverd?)", path);
			return -1;
		}
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		return -1;
	}
	(void)unlink(path);
	/* The mode comes from the umask at bind time; callers bind before
	 * any other thread exists, so changing it briefly is safe. */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r < 0 || chmod(path, 0600) < 0 || listen(fd, 16) < 0) {
		snprintf(err, errlen, "cannot listen on control socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void accept_cb(evutil_socket_t fd, short what, void *arg);

static void
set_accepting(struct net_lines *s, bool on)
{
	if (s->paused == !on)
		return;
	if (on)
		event_add(s->ev, NULL);
	else
		event_del(s->ev);
	s->paused = !on;
}

/* The connection is over for us; the request stays while the callback
 * still owes its reply. */
static void
conn_close(struct net_lines_req *q)
{
	struct net_lines *s = q->srv;

	if (q->bev != NULL) {
		bufferevent_free(q->bev);
		q->bev = NULL;
	}
	if (s != NULL) {
		if (q->prev)
			q->prev->next = q->next;
		else
			s->reqs = q->next;
		if (q->next)
			q->next->prev = q->prev;
		s->nconns--;
		set_accepting(s, true);
	}
	q->srv = NULL;
	if (!q->asked || q->replied)
		free(q);
}

/* Close once the reply has been written. */
static void
flushed_cb(struct bufferevent *bev, void *arg)
{
	conn_close(arg);
}

static void event_cb(struct bufferevent *bev, short what, void *arg);

/* A client that sent more than we read must still see the error:
 * closing with unread input would reset the connection and lose it. So
 * the rest is read and dropped until the client closes, or the timeout. */
static void
discard_cb(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);

	evbuffer_drain(in, evbuffer_get_length(in));
}

static void
refused_flushed_cb(struct bufferevent *bev, void *arg)
{
	(void)shutdown(bufferevent_getfd(bev), SHUT_WR);
}

static void
fail(struct net_lines_req *q, const char *msg)
{
	q->refused = true;
	bufferevent_setcb(q->bev, discard_cb, refused_flushed_cb, event_cb, q);
	bufferevent_setwatermark(q->bev, EV_READ, 0, 0);
	discard_cb(q->bev, q);
	bufferevent_write(q->bev, msg, strlen(msg));
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct net_lines_req *q = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n;
	char *line;

	if (q->asked)
		return;
	if ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) == NULL) {
		if (evbuffer_get_length(in) > q->srv->max_line)
			fail(q, "error line too long\n");
		return;
	}
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	if (n > q->srv->max_line) {
		free(line);
		fail(q, "error line too long\n");
		return;
	}
	q->asked = true;
	bufferevent_disable(bev, EV_READ);
	q->srv->cb(q->srv->arg, q, line);
	free(line);
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct net_lines_req *q = arg;

	if ((what & BEV_EVENT_TIMEOUT) && !q->asked && !q->refused) {
		fail(q, "error no command within the time limit\n");
		bufferevent_enable(bev, EV_READ);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		conn_close(q);
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct net_lines *s = arg;
	struct timeval tv = { s->timeout_ms / 1000, (s->timeout_ms % 1000) * 1000 };
	struct net_lines_req *q;
	int fd;

	while (s->nconns < s->max_conns) {
		if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		if ((q = calloc(1, sizeof(*q))) == NULL ||
		    (q->bev = bufferevent_socket_new(net_loop_base(s->loop), fd,
		    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
			free(q);
			close(fd);
			return;
		}
		q->srv = s;
		q->next = s->reqs;
		if (s->reqs)
			s->reqs->prev = q;
		s->reqs = q;
		s->nconns++;
		bufferevent_setcb(q->bev, read_cb, NULL, event_cb, q);
		bufferevent_set_timeouts(q->bev, &tv, &tv);
		bufferevent_setwatermark(q->bev, EV_READ, 0, s->max_line + 2);
		bufferevent_enable(q->bev, EV_READ);
	}
	set_accepting(s, false);
}

struct net_lines *
net_lines_create(struct net_loop *loop, int fd, size_t max_line, int max_conns,
    uint32_t timeout_ms, net_lines_cb cb, void *arg)
{
	struct net_lines *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		close(fd);
		return NULL;
	}
	s->loop = loop;
	s->fd = fd;
	s->max_line = max_line;
	s->max_conns = max_conns > 0 ? max_conns : 1;
	s->timeout_ms = timeout_ms;
	s->cb = cb;
	s->arg = arg;
	s->ev = event_new(net_loop_base(loop), fd, EV_READ | EV_PERSIST, accept_cb, s);
	if (s->ev == NULL || event_add(s->ev, NULL) < 0) {
		net_lines_destroy(s);
		return NULL;
	}
	return s;
}

void
net_lines_reply(struct net_lines_req *q, const char *text, size_t len)
{
	q->replied = true;
	if (q->bev == NULL) {
		free(q);                /* the client left meanwhile */
		return;
	}
	bufferevent_setcb(q->bev, NULL, flushed_cb, event_cb, q);
	if (len == 0 || bufferevent_write(q->bev, text, len) < 0)
		conn_close(q);
}

void
net_lines_destroy(struct net_lines *s)
{
	struct net_lines_req *q, *next;

	if (s == NULL)
		return;
	for (q = s->reqs; q; q = next) {
		next = q->next;
		/* Replies still owed never come: the caller stopped what
		 * would have sent them before destroying the server. */
		bufferevent_free(q->bev);
		free(q);
	}
	if (s->ev != NULL)
		event_free(s->ev);
	close(s->fd);
	free(s);
}
