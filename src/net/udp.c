/*
 * udp.c -- the UDP front end: read a batch of queries, answer what can be
 * answered at once into per-slot buffers, and send those answers as one
 * batch. This is the cache-hit path: nothing here allocates per packet.
 *
 * The batch buffers belong to the front end (one per worker), not to a
 * socket: only one socket's callback runs at a time in a thread.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/net_int.h"
#include "util/log.h"

#define UDP_BATCH 32
/* Queries are small; a datagram that does not fit is no query of ours. */
#define UDP_QUERY_MAX 4096
/* Batches read per readiness event before other sockets get a turn. */
#define UDP_ROUNDS 4

union pktinfo_ctl {
	struct cmsghdr align;
	uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
};

struct udp_sock {
	struct udp_front *front;
	int fd;
	bool pktinfo;                  /* wildcard address: track destinations */
	struct event *ev;
	struct udp_sock *next;
};

struct udp_front {
	struct net_loop *loop;
	net_query_cb cb;
	net_sent_cb sent;
	void *arg;
	struct udp_sock *socks;
	int nsocks;
	struct net_counters cnt;
	struct mmsghdr rmsg[UDP_BATCH];
	struct iovec riov[UDP_BATCH];
	union pktinfo_ctl rctl[UDP_BATCH];
	struct net_reply reply[UDP_BATCH];
	struct mmsghdr smsg[UDP_BATCH];
	struct iovec siov[UDP_BATCH];
	union pktinfo_ctl sctl[UDP_BATCH];
	uint8_t *rbuf;                 /* UDP_BATCH * UDP_QUERY_MAX */
	uint8_t *sbuf;                 /* UDP_BATCH * NET_ANSWER_MAX */
};

#ifndef HAVE_RECVMMSG
/* Same contract as the Linux calls, one system call per message. */
static int
recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags, struct timespec *t)
{
	unsigned int i;
	ssize_t r;

	for (i = 0; i < n; i++) {
		if ((r = recvmsg(fd, &v[i].msg_hdr, flags)) < 0)
			return i ? (int)i : -1;
		v[i].msg_len = (unsigned int)r;
	}
	return (int)i;
}

static int
sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	unsigned int i;
	ssize_t r;

	for (i = 0; i < n; i++) {
		if ((r = sendmsg(fd, &v[i].msg_hdr, flags)) < 0)
			return i ? (int)i : -1;
		v[i].msg_len = (unsigned int)r;
	}
	return (int)i;
}
#endif

/* Remember where the client sent to, from the received control data. */
static void
reply_take_dst(struct net_reply *r, struct msghdr *h)
{
	struct cmsghdr *c;

	r->dst_family = 0;
	for (c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			memcpy(&r->dst.v4, CMSG_DATA(c), sizeof(r->dst.v4));
			r->dst_family = AF_INET;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			memcpy(&r->dst.v6, CMSG_DATA(c), sizeof(r->dst.v6));
			r->dst_family = AF_INET6;
		}
	}
}

/* Point h's control data at ctl, saying which source address to use. */
static void
reply_put_src(const struct net_reply *r, struct msghdr *h, union pktinfo_ctl *ctl)
{
	struct cmsghdr *c;

	if (!r->dst_family) {
		h->msg_control = NULL;
		h->msg_controllen = 0;
		return;
	}
	memset(ctl, 0, sizeof(*ctl));
	h->msg_control = ctl->buf;
	c = (struct cmsghdr *)ctl->buf;
	if (r->dst_family == AF_INET) {
		struct in_pktinfo pi = r->dst.v4;
		/* Source address only; let routing pick the interface. */
		pi.ipi_spec_dst = pi.ipi_addr;
		pi.ipi_ifindex = 0;
		h->msg_controllen = CMSG_SPACE(sizeof(pi));
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else {
		/* The interface matters for link-local addresses. */
		h->msg_controllen = CMSG_SPACE(sizeof(r->dst.v6));
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(r->dst.v6));
		memcpy(CMSG_DATA(c), &r->dst.v6, sizeof(r->dst.v6));
	}
}

static void
prepare_recv(struct udp_front *f, struct udp_sock *s)
{
	int i;

	for (i = 0; i < UDP_BATCH; i++) {
		struct msghdr *h = &f->rmsg[i].msg_hdr;
		f->riov[i].iov_base = f->rbuf + (size_t)i * UDP_QUERY_MAX;
		f->riov[i].iov_len = UDP_QUERY_MAX;
		h->msg_name = &f->reply[i].addr;
		h->msg_namelen = sizeof(f->reply[i].addr);
		h->msg_iov = &f->riov[i];
		h->msg_iovlen = 1;
		h->msg_control = s->pktinfo ? f->rctl[i].buf : NULL;
		h->msg_controllen = s->pktinfo ? sizeof(f->rctl[i].buf) : 0;
		h->msg_flags = 0;
	}
}

static void
send_batch(struct udp_front *f, struct udp_sock *s, int n)
{
	int off = 0, r;

	while (off < n) {
		r = sendmmsg(s->fd, f->smsg + off, (unsigned int)(n - off), 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* The first message failed (e.g. unreachable client, or
			 * the send buffer is full): skip it, keep the others. */
			f->cnt.udp_send_err++;
			log_debug(3, "udp send: %s", strerror(errno));
			off++;
			continue;
		}
		off += r;
	}
}

/* One batch; returns the number of datagrams read, or -1 when drained. */
static int
udp_read_batch(struct udp_front *f, struct udp_sock *s)
{
	struct net_query q;
	int n, i, nsend = 0;

	prepare_recv(f, s);
	n = recvmmsg(s->fd, f->rmsg, UDP_BATCH, 0, NULL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			log_debug(2, "udp recv: %s", strerror(errno));
		return -1;
	}
	f->cnt.udp_recv += (uint64_t)n;
	q.transport = TRANSPORT_UDP;
	q.arrival_ns = net_clock_ns();
	q.outcap = NET_ANSWER_MAX;
	for (i = 0; i < n; i++) {
		struct msghdr *h = &f->rmsg[i].msg_hdr;
		struct net_reply *r = &f->reply[i];
		size_t alen;

		if (h->msg_flags & MSG_TRUNC)
			continue;
		r->transport = TRANSPORT_UDP;
		r->via.udp = s;
		r->addrlen = h->msg_namelen;
		if (s->pktinfo)
			reply_take_dst(r, h);
		else
			r->dst_family = 0;
		q.pkt = f->riov[i].iov_base;
		q.len = f->rmsg[i].msg_len;
		q.addr = (const struct sockaddr *)&r->addr;
		q.out = f->sbuf + (size_t)i * NET_ANSWER_MAX;
		q.reply = r;
		alen = f->cb(f->arg, &q);
		if (!alen)
			continue;
		h = &f->smsg[nsend].msg_hdr;
		f->siov[nsend].iov_base = q.out;
		f->siov[nsend].iov_len = alen;
		h->msg_name = &r->addr;
		h->msg_namelen = r->addrlen;
		h->msg_iov = &f->siov[nsend];
		h->msg_iovlen = 1;
		h->msg_flags = 0;
		reply_put_src(r, h, &f->sctl[nsend]);
		nsend++;
	}
	if (nsend) {
		send_batch(f, s, nsend);
		if (f->sent)
			f->sent(f->arg);
	}
	return n;
}

static void
udp_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct udp_sock *s = arg;
	int round;

	for (round = 0; round < UDP_ROUNDS; round++)
		if (udp_read_batch(s->front, s) < UDP_BATCH)
			break;
}

void
udp_sock_send(struct udp_sock *s, const struct net_reply *r, const uint8_t *pkt, size_t len)
{
	struct msghdr h;
	struct iovec iov;
	union pktinfo_ctl ctl;

	memset(&h, 0, sizeof(h));
	iov.iov_base = (void *)pkt;
	iov.iov_len = len;
	h.msg_name = (void *)&r->addr;
	h.msg_namelen = r->addrlen;
	h.msg_iov = &iov;
	h.msg_iovlen = 1;
	reply_put_src(r, &h, &ctl);
	if (sendmsg(s->fd, &h, 0) < 0) {
		s->front->cnt.udp_send_err++;
		log_debug(3, "udp send: %s", strerror(errno));
	}
}

struct udp_front *
udp_front_create(struct net_loop *loop, net_query_cb cb, void *arg)
{
	struct udp_front *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->loop = loop;
	f->cb = cb;
	f->arg = arg;
	/* Only the pages answers are written to get touched. */
	f->rbuf = malloc((size_t)UDP_BATCH * UDP_QUERY_MAX);
	f->sbuf = malloc((size_t)UDP_BATCH * NET_ANSWER_MAX);
	if (!f->rbuf || !f->sbuf) {
		udp_front_destroy(f);
		return NULL;
	}
	return f;
}

int
udp_front_add(struct udp_front *f, int fd)
{
	struct udp_sock *s = calloc(1, sizeof(*s));
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int on = 0;
	socklen_t ol = sizeof(on);

	if (!s) {
		close(fd);
		return -1;
	}
	s->front = f;
	s->fd = fd;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			getsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, &ol);
		else
			getsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, &ol);
	}
	s->pktinfo = on != 0;
	s->ev = event_new(net_loop_base(f->loop), fd, EV_READ | EV_PERSIST, udp_read_cb, s);
	if (!s->ev || event_add(s->ev, NULL) < 0) {
		if (s->ev)
			event_free(s->ev);
		close(fd);
		free(s);
		return -1;
	}
	s->next = f->socks;
	f->socks = s;
	f->nsocks++;
	return 0;
}

void
udp_front_set_sent_cb(struct udp_front *f, net_sent_cb sent)
{
	f->sent = sent;
}

int
udp_front_sockets(const struct udp_front *f)
{
	return f->nsocks;
}

void
udp_front_counters(const struct udp_front *f, struct net_counters *out)
{
	*out = f->cnt;
}

void
udp_front_destroy(struct udp_front *f)
{
	struct udp_sock *s, *next;

	if (!f)
		return;
	for (s = f->socks; s; s = next) {
		next = s->next;
		event_free(s->ev);
		close(s->fd);
		free(s);
	}
	free(f->rbuf);
	free(f->sbuf);
	free(f);
}
