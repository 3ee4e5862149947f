/*
 * http.c -- a small HTTP/1.1 server on libevent's evhttp, for the
 * statistics endpoint. evhttp does all the parsing; this file adds the
 * limits a server facing unknown clients needs and hands complete
 * requests (path and method) to one callback, which answers now or later.
 *
 * Limits: headers of at most HTTP_MAX_HEADERS bytes and a tiny body
 * (evhttp answers 4xx beyond), a timeout for reading a request and
 * writing a reply, and a cap on connections at once. libevent 2.1's evhttp
 * has no connection cap (2.2 adds evhttp_set_max_connections), so we
 * count connections ourselves: evhttp creates each connection's
 * bufferevent through our callback, where we keep a reference to it. A
 * bufferevent evhttp has let go of has no callbacks left; a sweep every
 * HTTP_SWEEP_MS finds those, drops our reference (which closes the
 * socket) and resumes accepting once below the cap. While at the cap the
 * listening sockets are not read: newcomers wait in the kernel's queue.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "net/net_int.h"
#include "util/log.h"

#define HTTP_MAX_HEADERS 8192
#define HTTP_MAX_BODY 1024
#define HTTP_SWEEP_MS 100
/* Cap on what a connection evhttp let go of may still read. */
#define HTTP_READ_HIGH 65536

struct net_http {
	struct net_loop *loop;
	struct evhttp *http;
	net_http_cb cb;
	void *arg;
	int max_conns, nconns;
	struct bufferevent **conns;     /* ours: one reference each */
	int nbound;
	struct evhttp_bound_socket *bound[16];
	bool paused;
	struct event *sweep;
};

static void
set_accepting(struct net_http *h, bool on)
{
	int i;

	if (h->paused == !on)
		return;
	for (i = 0; i < h->nbound; i++) {
		struct evconnlistener *l = evhttp_bound_socket_get_listener(h->bound[i]);
		if (on)
			evconnlistener_enable(l);
		else
			evconnlistener_disable(l);
	}
	h->paused = !on;
}

/* Drop our reference to the connections evhttp has freed. */
static void
sweep(struct net_http *h)
{
	bufferevent_data_cb rcb, wcb;
	bufferevent_event_cb ecb;
	void *cbarg;
	int i = 0;

	while (i < h->nconns) {
		bufferevent_getcb(h->conns[i], &rcb, &wcb, &ecb, &cbarg);
		if (rcb != NULL || wcb != NULL || ecb != NULL) {
			i++;
			continue;
		}
		bufferevent_disable(h->conns[i], EV_READ | EV_WRITE);
		bufferevent_decref(h->conns[i]);
		h->conns[i] = h->conns[--h->nconns];
	}
	if (h->nconns < h->max_conns)
		set_accepting(h, true);
}

static void
sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net_http *h = arg;
	struct timeval tv = { 0, HTTP_SWEEP_MS * 1000 };

	sweep(h);
	if (h->nconns > 0)
		evtimer_add(h->sweep, &tv);
}

static struct bufferevent *
new_conn_cb(struct event_base *base, void *arg)
{
	struct net_http *h = arg;
	struct timeval tv = { 0, HTTP_SWEEP_MS * 1000 };
	struct bufferevent *bev;

	sweep(h);
	if ((bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)) == NULL)
		return NULL;
	bufferevent_setwatermark(bev, EV_READ, 0, HTTP_READ_HIGH);
	if (h->nconns < h->max_conns) {
		bufferevent_incref(bev);
		h->conns[h->nconns++] = bev;
	}
	if (h->nconns >= h->max_conns)
		set_accepting(h, false);
	if (!evtimer_pending(h->sweep, NULL))
		evtimer_add(h->sweep, &tv);
	return bev;
}

static void
request_cb(struct evhttp_request *req, void *arg)
{
	struct net_http *h = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);

	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
		net_http_reply((struct net_http_req *)req, 405, "text/plain; charset=utf-8",
		    "method not allowed\n", 19);
		return;
	}
	h->cb(h->arg, (struct net_http_req *)req, path && path[0] ? path : "/");
}

struct net_http *
net_http_create(struct net_loop *loop, int max_conns, int timeout_s, net_http_cb cb, void *arg)
{
	struct net_http *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->loop = loop;
	h->cb = cb;
	h->arg = arg;
	h->max_conns = max_conns > 0 ? max_conns : 1;
	h->conns = calloc((size_t)h->max_conns, sizeof(*h->conns));
	h->http = evhttp_new(net_loop_base(loop));
	h->sweep = evtimer_new(net_loop_base(loop), sweep_cb, h);
	if (h->conns == NULL || h->http == NULL || h->sweep == NULL) {
		net_http_destroy(h);
		return NULL;
	}
	evhttp_set_timeout(h->http, timeout_s);
	evhttp_set_max_headers_size(h->http, HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(h->http, HTTP_MAX_BODY);
	/* Every method reaches request_cb, which says 405 to all but GET
	 * and HEAD (evhttp itself would say 501). */
	evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
	    EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(h->http, request_cb, h);
	evhttp_set_bevcb(h->http, new_conn_cb, h);
	return h;
}

int
net_http_add(struct net_http *h, int fd)
{
	struct evhttp_bound_socket *b;

	if (h->nbound >= (int)(sizeof(h->bound) / sizeof(h->bound[0])) ||
	    (b = evhttp_accept_socket_with_handle(h->http, fd)) == NULL) {
		close(fd);
		return -1;
	}
	h->bound[h->nbound++] = b;
	if (h->paused)
		evconnlistener_disable(evhttp_bound_socket_get_listener(b));
	return 0;
}

void
net_http_reply(struct net_http_req *r, int status, const char *ctype, const char *body, size_t len)
{
	struct evhttp_request *req = (struct evhttp_request *)r;
	struct evbuffer *buf = evbuffer_new();
	const char *reason;

	switch (status) {
	case 200: reason = "OK"; break;
	case 404: reason = "Not Found"; break;
	case 405: reason = "Method Not Allowed"; break;
	case 503: reason = "Service Unavailable"; break;
	default: reason = "Error"; break;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", ctype);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		/* The length GET would have; no body (evhttp would send it). */
		char n[32];
		snprintf(n, sizeof(n), "%zu", len);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Length", n);
		len = 0;
	}
	if (buf != NULL && evbuffer_add(buf, body, len) == 0) {
		evhttp_send_reply(req, status, reason, buf);
	} else {
		log_err("http: out of memory");
		evhttp_send_reply(req, 500, "Internal Server Error", NULL);
	}
	if (buf != NULL)
		evbuffer_free(buf);
}

void
net_http_destroy(struct net_http *h)
{
	int i;

	if (h == NULL)
		return;
	if (h->http != NULL)
		evhttp_free(h->http);
	for (i = 0; i < h->nconns; i++)
		bufferevent_decref(h->conns[i]);
	if (h->sweep != NULL)
		event_free(h->sweep);
	free(h->conns);
	free(h);
}
