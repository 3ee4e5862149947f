/*
 * outnet.c -- sending the engine's queries upstream and matching replies.
 *
 * Every query gets its own socket, connected to the server: the kernel
 * picks a random ephemeral port and drops datagrams from any other
 * address or port, so what reaches us only has to match ID and question.
 * A datagram that does not match is ignored and we keep waiting: an
 * off-path forger must not be able to end a query early.
 *
 * Each query is freed exactly once, before its callback runs, so the
 * callback may send new queries. Destroying the outnet frees the rest
 * without calling back (the engine is gone by then).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/net_int.h"
#include "util/dname.h"
#include "util/log.h"
#include "util/msgbuild.h"
#include "util/rand.h"
#include "util/wire.h"

/* Header, longest name, question, OPT: well below this. */
#define OUT_QUERY_MAX 512

struct out_query {
	struct outnet *o;
	void *token;
	int fd;
	struct event *ev;
	bool tcp;
	bool connected;                /* TCP: connect finished */
	uint16_t id, qtype, qclass;
	uint8_t qname[DNAME_MAX];
	uint64_t deadline;             /* monotonic ms */
	uint8_t qbuf[2 + OUT_QUERY_MAX];  /* TCP length prefix, then the query */
	size_t qlen;                   /* query length without prefix */
	size_t sent;                   /* TCP: bytes of qbuf written */
	uint8_t lenbuf[2];             /* TCP: reply length */
	size_t lengot;
	uint8_t *rbuf;                 /* TCP: reply */
	size_t rlen, rgot;
	struct out_query *prev, *next;
};

struct outnet {
	struct net_loop *loop;
	int max_pending, npending;
	outnet_cb cb;
	void *arg;
	struct out_query *list;
	uint8_t rbuf[NET_ANSWER_MAX];  /* UDP replies */
};

enum match { MATCH_OK, MATCH_IGNORE, MATCH_BAD };

static void
oq_free(struct out_query *oq)
{
	struct outnet *o = oq->o;

	if (oq->prev)
		oq->prev->next = oq->next;
	else
		o->list = oq->next;
	if (oq->next)
		oq->next->prev = oq->prev;
	o->npending--;
	event_free(oq->ev);
	close(oq->fd);
	free(oq->rbuf);
	free(oq);
}

/* The query ends: free it, then tell the engine. */
static void
oq_finish(struct out_query *oq, int err, const uint8_t *pkt, size_t len)
{
	struct outnet *o = oq->o;
	void *token = oq->token;
	uint8_t *keep = oq->rbuf;

	/* A TCP reply lives in rbuf: keep it past the free. */
	if (pkt)
		oq->rbuf = NULL;
	oq_free(oq);
	o->cb(o->arg, token, err, pkt, len);
	if (pkt)
		free(keep);
}

static enum match
oq_match(const struct out_query *oq, const uint8_t *pkt, size_t len)
{
	uint8_t name[DNAME_MAX];
	size_t pos = DNS_HEADER_SIZE;

	if (len < DNS_HEADER_SIZE || rd16(pkt) != oq->id || !(rd16(pkt + 2) & FLAG_QR))
		return MATCH_IGNORE;
	if (rd16(pkt + 4) == 0) {
		/* Servers that choke on EDNS often answer FORMERR without a
		 * question; the engine needs to see that to fall back. */
		return (pkt[3] & 0xf) != RCODE_NOERROR ? MATCH_OK : MATCH_BAD;
	}
	if (dname_unpack(pkt, len, &pos, name) < 0 || pos + 4 > len)
		return MATCH_BAD;
	if (!dname_equal(name, oq->qname) || rd16(pkt + pos) != oq->qtype ||
	    rd16(pkt + pos + 2) != oq->qclass)
		return MATCH_IGNORE;
	return MATCH_OK;
}

/* Wait for what on the socket until the deadline; false if it passed. */
static bool
oq_wait(struct out_query *oq, short what, event_callback_fn cb)
{
	uint64_t now = net_now_ms();
	struct timeval tv;

	if (now >= oq->deadline)
		return false;
	tv.tv_sec = (time_t)((oq->deadline - now) / 1000);
	tv.tv_usec = (suseconds_t)((oq->deadline - now) % 1000 * 1000);
	event_assign(oq->ev, net_loop_base(oq->o->loop), oq->fd, what, cb, oq);
	return event_add(oq->ev, &tv) == 0;
}

static bool
is_neterr(int e)
{
	return e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH ||
	    e == EHOSTDOWN || e == ECONNRESET || e == ENETDOWN || e == EPIPE;
}

static void
udp_reply_cb(evutil_socket_t fd, short what, void *arg)
{
	struct out_query *oq = arg;
	struct outnet *o = oq->o;
	ssize_t n;

	if (what & EV_TIMEOUT) {
		oq_finish(oq, UPSTREAM_TIMEOUT, NULL, 0);
		return;
	}
	for (;;) {
		n = recv(fd, o->rbuf, sizeof(o->rbuf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			oq_finish(oq, UPSTREAM_NETERR, NULL, 0);
			return;
		}
		switch (oq_match(oq, o->rbuf, (size_t)n)) {
		case MATCH_OK:
			oq_finish(oq, 0, o->rbuf, (size_t)n);
			return;
		case MATCH_BAD:
			oq_finish(oq, UPSTREAM_MALFORMED, NULL, 0);
			return;
		case MATCH_IGNORE:
			log_debug(3, "upstream: ignored a datagram not matching query %u", oq->id);
			break;
		}
	}
	if (!oq_wait(oq, EV_READ, udp_reply_cb))
		oq_finish(oq, UPSTREAM_TIMEOUT, NULL, 0);
}

/* Read into buf up to want bytes; 1 complete, 0 wait, -1 failed (err set). */
static int
tcp_read_some(struct out_query *oq, uint8_t *buf, size_t want, size_t *got, int *err)
{
	ssize_t n;

	while (*got < want) {
		n = recv(oq->fd, buf + *got, want - *got, 0);
		if (n == 0) {
			*err = UPSTREAM_MALFORMED;   /* closed mid-message */
			return -1;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			*err = is_neterr(errno) ? UPSTREAM_NETERR : UPSTREAM_MALFORMED;
			return -1;
		}
		*got += (size_t)n;
	}
	return 1;
}

static void
tcp_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct out_query *oq = arg;
	int r, err = 0;

	if (what & EV_TIMEOUT) {
		oq_finish(oq, UPSTREAM_TIMEOUT, NULL, 0);
		return;
	}
	if (oq->lengot < 2) {
		r = tcp_read_some(oq, oq->lenbuf, 2, &oq->lengot, &err);
		if (r < 0)
			goto fail;
		if (r == 0)
			goto wait;
		oq->rlen = rd16(oq->lenbuf);
		if (oq->rlen < DNS_HEADER_SIZE || !(oq->rbuf = malloc(oq->rlen))) {
			err = UPSTREAM_MALFORMED;
			goto fail;
		}
	}
	r = tcp_read_some(oq, oq->rbuf, oq->rlen, &oq->rgot, &err);
	if (r < 0)
		goto fail;
	if (r == 0)
		goto wait;
	/* On a stream of our own, anything but our answer means it is broken. */
	if (oq_match(oq, oq->rbuf, oq->rlen) != MATCH_OK) {
		err = UPSTREAM_MALFORMED;
		goto fail;
	}
	oq_finish(oq, 0, oq->rbuf, oq->rlen);
	return;
wait:
	if (oq_wait(oq, EV_READ, tcp_read_cb))
		return;
	err = UPSTREAM_TIMEOUT;
fail:
	oq_finish(oq, err, NULL, 0);
}

static void
tcp_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct out_query *oq = arg;
	size_t total = 2 + oq->qlen;
	ssize_t n;
	int e = 0;
	socklen_t el = sizeof(e);

	if (what & EV_TIMEOUT) {
		oq_finish(oq, UPSTREAM_TIMEOUT, NULL, 0);
		return;
	}
	if (!oq->connected) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
			e = errno;
		if (e) {
			oq_finish(oq, UPSTREAM_NETERR, NULL, 0);
			return;
		}
		oq->connected = true;
	}
	while (oq->sent < total) {
		n = send(fd, oq->qbuf + oq->sent, total - oq->sent, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			oq_finish(oq, UPSTREAM_NETERR, NULL, 0);
			return;
		}
		oq->sent += (size_t)n;
	}
	if (!oq_wait(oq, oq->sent < total ? EV_WRITE : EV_READ,
	    oq->sent < total ? tcp_write_cb : tcp_read_cb))
		oq_finish(oq, UPSTREAM_TIMEOUT, NULL, 0);
}

static int
build_query(struct out_query *oq, const struct upstream_query *q)
{
	struct msg_builder b;
	uint16_t flags = (q->rd ? FLAG_RD : 0) | (q->cd ? FLAG_CD : 0);

	mb_init(&b, oq->qbuf + 2, OUT_QUERY_MAX);
	if (mb_header(&b, oq->id, flags, RCODE_NOERROR) < 0 ||
	    mb_question(&b, q->qname, q->qtype, q->qclass) < 0)
		return -1;
	if (q->edns && mb_opt(&b, q->edns_bufsize, RCODE_NOERROR,
	    q->dnssec_ok ? EDNS_DO : 0, EDE_NONE, NULL) < 0)
		return -1;
	oq->qlen = mb_finish(&b);
	wr16(oq->qbuf, (uint16_t)oq->qlen);
	return 0;
}

static int
open_socket(const struct upstream_query *q)
{
	const struct sockaddr *sa = (const struct sockaddr *)&q->server->ss;
	int fd = socket(sa->sa_family, (q->tcp ? SOCK_STREAM : SOCK_DGRAM) |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (q->source && q->source->ss.ss_family == sa->sa_family) {
		struct netaddr src = *q->source;
		/* Port 0: the kernel picks a random one for each query. */
		if (src.ss.ss_family == AF_INET)
			((struct sockaddr_in *)&src.ss)->sin_port = 0;
		else
			((struct sockaddr_in6 *)&src.ss)->sin6_port = 0;
		if (bind(fd, (struct sockaddr *)&src.ss, src.len) < 0)
			goto fail;
	}
	if (connect(fd, sa, q->server->len) < 0 && !(q->tcp && errno == EINPROGRESS))
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

int
outnet_send(struct outnet *o, const struct upstream_query *q, void *token)
{
	struct out_query *oq;
	char a[80];
	int e;

	if (o->npending >= o->max_pending) {
		log_debug(2, "upstream: %d queries outstanding, refusing more", o->npending);
		return -1;
	}
	if (!(oq = calloc(1, sizeof(*oq))))
		return -1;
	oq->o = o;
	oq->token = token;
	oq->tcp = q->tcp;
	oq->id = rand_u16();
	oq->qtype = q->qtype;
	oq->qclass = q->qclass;
	memcpy(oq->qname, q->qname, dname_len(q->qname));
	oq->deadline = net_now_ms() + q->timeout_ms;
	if (build_query(oq, q) < 0)
		goto fail_free;
	if ((oq->fd = open_socket(q)) < 0)
		goto fail_log;
	if (!q->tcp && send(oq->fd, oq->qbuf + 2, oq->qlen, 0) < 0)
		goto fail_close;
	oq->ev = event_new(net_loop_base(o->loop), -1, 0, udp_reply_cb, oq);
	if (!oq->ev)
		goto fail_close;
	if (!oq_wait(oq, q->tcp ? EV_WRITE : EV_READ, q->tcp ? tcp_write_cb : udp_reply_cb)) {
		event_free(oq->ev);
		goto fail_close;
	}
	oq->next = o->list;
	if (o->list)
		o->list->prev = oq;
	o->list = oq;
	o->npending++;
	return 0;
fail_close:
	e = errno;
	close(oq->fd);
	errno = e;
fail_log:
	log_debug(2, "upstream %s: %s", net_addr_str((const struct sockaddr *)&q->server->ss,
	    a, sizeof(a)), strerror(errno));
fail_free:
	free(oq);
	return -1;
}

struct outnet *
outnet_create(struct net_loop *loop, int max_pending, outnet_cb cb, void *arg)
{
	struct outnet *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->loop = loop;
	o->max_pending = max_pending;
	o->cb = cb;
	o->arg = arg;
	return o;
}

int
outnet_pending(const struct outnet *o)
{
	return o->npending;
}

void
outnet_destroy(struct outnet *o)
{
	if (!o)
		return;
	while (o->list)
		oq_free(o->list);
	free(o);
}
