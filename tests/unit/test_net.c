/*
 * test_net.c -- the transport on the loopback interface: upstream queries
 * (matching, timeouts, errors, TCP framing, the in-flight cap) and the
 * client front ends (UDP batches, TCP pipelining, answers held for later,
 * clients that leave before their answer).
 *
 * Everything runs in one thread: a test does some client I/O with plain
 * blocking sockets, then runs the loop for a moment.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "unit.h"
#include "net/net_int.h"
#include "util/msgbuild.h"
#include "util/wire.h"

static struct net_loop *loop;

static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	net_loop_stop(arg);
}

/* Run the loop until something stops it, or ms passed. */
static void
run_for(int ms)
{
	struct event *t = evtimer_new(net_loop_base(loop), stop_cb, loop);
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(t, &tv);
	net_loop_run(loop);
	event_free(t);
}

static void
loopback(struct netaddr *a, uint16_t port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)&a->ss;

	memset(a, 0, sizeof(*a));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->len = sizeof(*s);
}

static uint16_t
local_port(int fd)
{
	struct sockaddr_in s;
	socklen_t sl = sizeof(s);

	getsockname(fd, (struct sockaddr *)&s, &sl);
	return ntohs(s.sin_port);
}

static int
bound_socket(int type, uint16_t *port)
{
	struct netaddr a;
	int fd = socket(AF_INET, type, 0);
	struct timeval tv = { 1, 0 };

	loopback(&a, 0);
	CHECK(bind(fd, (struct sockaddr *)&a.ss, a.len) == 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	*port = local_port(fd);
	return fd;
}

static size_t
make_query(uint8_t *buf, uint16_t id, const char *name)
{
	struct msg_builder b;
	uint8_t qname[DNAME_MAX];

	dname_from_str(name, qname);
	mb_init(&b, buf, 512);
	mb_header(&b, id, FLAG_RD, 0);
	mb_question(&b, qname, RR_TYPE_A, RR_CLASS_IN);
	return mb_finish(&b);
}

/* ---- upstream ---- */

struct outcome {
	int calls;
	int err;
	size_t len;
	uint16_t id;
	void *token;
};

static void
out_cb(void *arg, void *token, int err, const uint8_t *pkt, size_t len)
{
	struct outcome *o = arg;

	o->calls++;
	o->err = err;
	o->len = len;
	o->id = pkt ? rd16(pkt) : 0;
	o->token = token;
	net_loop_stop(loop);
}

static void
upstream(struct upstream_query *q, const struct netaddr *server, const uint8_t *qname)
{
	memset(q, 0, sizeof(*q));
	q->server = server;
	q->qname = qname;
	q->qtype = RR_TYPE_A;
	q->qclass = RR_CLASS_IN;
	q->edns = true;
	q->edns_bufsize = 1232;
	q->timeout_ms = 2000;
}

static void
test_outnet_udp_match(void)
{
	struct outcome oc = { 0 };
	struct outnet *on = outnet_create(loop, 10, out_cb, &oc);
	struct upstream_query q;
	struct netaddr server;
	struct dns_msg m;
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	uint8_t qname[DNAME_MAX], pkt[512], bad[512];
	uint16_t port;
	int sfd = bound_socket(SOCK_DGRAM, &port);
	ssize_t n;
	int tok;

	dname_from_str("www.Example.com", qname);
	loopback(&server, port);
	upstream(&q, &server, qname);
	q.rd = true;
	CHECK_EQ_INT(outnet_send(on, &q, &tok), 0);
	CHECK_EQ_INT(outnet_pending(on), 1);
	n = recvfrom(sfd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &fl);
	CHECK(n > DNS_HEADER_SIZE);
	CHECK_EQ_INT(msg_parse_query(pkt, (size_t)n, &m), WIRE_OK);
	CHECK(m.flags & FLAG_RD);
	CHECK(m.edns.present);
	CHECK_EQ_INT(m.edns.udp_size, 1232);
	CHECK(!(m.edns.flags & EDNS_DO));
	wr16(pkt + 2, rd16(pkt + 2) | FLAG_QR);
	/* Wrong ID, then the right ID for another name: both ignored. */
	memcpy(bad, pkt, (size_t)n);
	wr16(bad, rd16(pkt) ^ 1);
	sendto(sfd, bad, (size_t)n, 0, (struct sockaddr *)&from, fl);
	memcpy(bad, pkt, (size_t)n);
	bad[DNS_HEADER_SIZE + 1] = 'x';
	sendto(sfd, bad, (size_t)n, 0, (struct sockaddr *)&from, fl);
	run_for(200);
	CHECK_EQ_INT(oc.calls, 0);
	/* The answer, its name in another case. */
	pkt[DNS_HEADER_SIZE + 1] = 'W';
	sendto(sfd, pkt, (size_t)n, 0, (struct sockaddr *)&from, fl);
	run_for(1000);
	CHECK_EQ_INT(oc.calls, 1);
	CHECK_EQ_INT(oc.err, 0);
	CHECK_EQ_INT(oc.len, n);
	CHECK_EQ_INT(oc.id, rd16(pkt));
	CHECK(oc.token == &tok);
	CHECK_EQ_INT(outnet_pending(on), 0);
	outnet_destroy(on);
	close(sfd);
}

static void
test_outnet_timeout_and_refused(void)
{
	struct outcome oc = { 0 };
	struct outnet *on = outnet_create(loop, 10, out_cb, &oc);
	struct upstream_query q;
	struct netaddr server;
	uint8_t qname[DNAME_MAX];
	uint16_t port;
	int sfd = bound_socket(SOCK_DGRAM, &port);
	uint64_t t0;

	dname_from_str("example.com", qname);
	loopback(&server, port);
	upstream(&q, &server, qname);
	q.timeout_ms = 100;
	t0 = net_now_ms();
	CHECK_EQ_INT(outnet_send(on, &q, NULL), 0);
	run_for(2000);
	CHECK_EQ_INT(oc.calls, 1);
	CHECK_EQ_INT(oc.err, UPSTREAM_TIMEOUT);
	CHECK(net_now_ms() - t0 >= 100);
	/* Nobody on the port: ICMP port unreachable. */
	close(sfd);
	q.timeout_ms = 2000;
	CHECK_EQ_INT(outnet_send(on, &q, NULL), 0);
	run_for(2000);
	CHECK_EQ_INT(oc.calls, 2);
	CHECK_EQ_INT(oc.err, UPSTREAM_NETERR);
	outnet_destroy(on);
}

static void
test_outnet_cap_and_destroy(void)
{
	struct outcome oc = { 0 };
	struct outnet *on = outnet_create(loop, 2, out_cb, &oc);
	struct upstream_query q;
	struct netaddr server;
	uint8_t qname[DNAME_MAX];
	uint16_t port;
	int sfd = bound_socket(SOCK_DGRAM, &port);

	dname_from_str("example.com", qname);
	loopback(&server, port);
	upstream(&q, &server, qname);
	CHECK_EQ_INT(outnet_send(on, &q, NULL), 0);
	q.tcp = true;
	CHECK_EQ_INT(outnet_send(on, &q, NULL), 0);
	CHECK_EQ_INT(outnet_send(on, &q, NULL), -1);
	CHECK_EQ_INT(outnet_pending(on), 2);
	/* Outstanding queries go without callbacks (and without leaks). */
	outnet_destroy(on);
	CHECK_EQ_INT(oc.calls, 0);
	close(sfd);
}

static void
test_outnet_tcp(void)
{
	struct outcome oc = { 0 };
	struct outnet *on = outnet_create(loop, 10, out_cb, &oc);
	struct upstream_query q;
	struct netaddr server;
	uint8_t qname[DNAME_MAX], pkt[2 + 512], q_in[2 + 512];
	uint16_t port, len;
	int lfd = bound_socket(SOCK_STREAM, &port), cfd;
	size_t got = 0;
	ssize_t n;

	CHECK(listen(lfd, 4) == 0);
	dname_from_str("example.com", qname);
	loopback(&server, port);
	upstream(&q, &server, qname);
	q.tcp = true;
	q.dnssec_ok = true;
	CHECK_EQ_INT(outnet_send(on, &q, NULL), 0);
	run_for(100);                      /* connect and write */
	cfd = accept(lfd, NULL, NULL);
	CHECK(cfd >= 0);
	while (got < 2 || got < 2u + rd16(pkt)) {
		if ((n = recv(cfd, pkt + got, sizeof(pkt) - got, 0)) <= 0)
			break;
		got += (size_t)n;
	}
	len = rd16(pkt);
	CHECK_EQ_INT(got, 2 + len);
	wr16(pkt + 4, rd16(pkt + 4) | FLAG_QR);
	/* The reply in pieces, the length prefix split too. */
	send(cfd, pkt, 1, 0);
	run_for(50);
	send(cfd, pkt + 1, 10, 0);
	run_for(50);
	CHECK_EQ_INT(oc.calls, 0);
	send(cfd, pkt + 11, got - 11, 0);
	run_for(1000);
	CHECK_EQ_INT(oc.calls, 1);
	CHECK_EQ_INT(oc.err, 0);
	CHECK_EQ_INT(oc.len, len);
	/* A stream that ends early is broken. */
	CHECK_EQ_INT(outnet_send(on, &q, NULL), 0);
	run_for(100);
	close(cfd);
	cfd = accept(lfd, NULL, NULL);
	/* read the query first, or close would send a reset */
	CHECK_EQ_INT(recv(cfd, q_in, sizeof(q_in), 0), got);
	send(cfd, pkt, 5, 0);
	close(cfd);
	run_for(1000);
	CHECK_EQ_INT(oc.calls, 2);
	CHECK_EQ_INT(oc.err, UPSTREAM_MALFORMED);
	outnet_destroy(on);
	close(lfd);
}

/* ---- client front ends ---- */

#define HELD_MAX 8

struct front_state {
	int queries;
	int nheld;
	struct net_reply held[HELD_MAX];
	uint8_t heldq[HELD_MAX][512];
	size_t heldlen[HELD_MAX];
	bool hold_all;
};

/* Echo the query as an answer: at once for even IDs, later for odd. */
static size_t
front_cb(void *arg, const struct net_query *q)
{
	struct front_state *st = arg;

	st->queries++;
	if (q->len < DNS_HEADER_SIZE || q->len > 512)
		return 0;
	if (st->hold_all || (rd16(q->pkt) & 1)) {
		CHECK(st->nheld < HELD_MAX);
		st->held[st->nheld] = *q->reply;
		net_reply_hold(&st->held[st->nheld]);
		memcpy(st->heldq[st->nheld], q->pkt, q->len);
		wr16(st->heldq[st->nheld] + 2, rd16(q->pkt + 2) | FLAG_QR);
		st->heldlen[st->nheld++] = q->len;
		return 0;
	}
	memcpy(q->out, q->pkt, q->len);
	wr16(q->out + 2, rd16(q->pkt + 2) | FLAG_QR);
	return q->len;
}

static void
answer_held(struct front_state *st, bool reverse)
{
	int i, k;

	for (k = 0; k < st->nheld; k++) {
		i = reverse ? st->nheld - 1 - k : k;
		net_reply_send(&st->held[i], st->heldq[i], st->heldlen[i]);
	}
	st->nheld = 0;
}

static int
front_socket(int type, uint16_t *port)
{
	struct netaddr a;
	char err[256];
	int fd;

	loopback(&a, 0);
	fd = net_listen(&a, type, true, err, sizeof(err));
	CHECK(fd >= 0);
	*port = local_port(fd);
	return fd;
}

static void
test_udp_front(void)
{
	struct front_state st = { 0 };
	struct udp_front *f = udp_front_create(loop, front_cb, &st);
	struct netaddr a;
	struct net_counters nc;
	uint8_t q[512], r[512];
	uint16_t port, seen = 0;
	int cfd, i;
	size_t qlen;
	struct timeval tv = { 1, 0 };

	CHECK_EQ_INT(udp_front_add(f, front_socket(SOCK_DGRAM, &port)), 0);
	loopback(&a, port);
	cfd = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	connect(cfd, (struct sockaddr *)&a.ss, a.len);
	for (i = 0; i < 6; i++) {
		qlen = make_query(q, (uint16_t)i, "example.com");
		send(cfd, q, qlen, 0);
	}
	send(cfd, q, 5, 0);                /* too short: the callback sees it */
	run_for(100);
	CHECK_EQ_INT(st.queries, 7);
	CHECK_EQ_INT(st.nheld, 3);
	answer_held(&st, false);
	for (i = 0; i < 6; i++) {
		CHECK_EQ_INT(recv(cfd, r, sizeof(r), 0), qlen);
		CHECK(rd16(r + 2) & FLAG_QR);
		seen |= (uint16_t)(1 << rd16(r));
	}
	CHECK_EQ_INT(seen, 0x3f);
	udp_front_counters(f, &nc);
	CHECK_EQ_INT(nc.udp_recv, 7);
	close(cfd);
	udp_front_destroy(f);
}

static int
tcp_client(uint16_t port)
{
	struct netaddr a;
	struct timeval tv = { 1, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	loopback(&a, port);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	CHECK(connect(fd, (struct sockaddr *)&a.ss, a.len) == 0);
	return fd;
}

/* Read one framed message; its ID, or -1. */
static int
tcp_read_id(int fd)
{
	uint8_t buf[2 + 512];
	size_t got = 0;
	ssize_t n;

	while (got < 2 || got < 2u + rd16(buf)) {
		n = recv(fd, buf + got, got < 2 ? 2 - got : 2u + rd16(buf) - got, 0);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return rd16(buf + 2);
}

static void
test_tcp_front(void)
{
	struct front_state st = { 0 };
	struct tcp_front *f = tcp_front_create(loop, front_cb, &st, 300, 10);
	struct net_counters nc;
	uint8_t q[3 * 514];
	uint16_t port;
	size_t len = 0, n;
	int cfd, i;
	char c;

	CHECK_EQ_INT(tcp_front_add(f, front_socket(SOCK_STREAM, &port)), 0);
	cfd = tcp_client(port);
	/* Three pipelined queries in one write: 2 answered at once; 1 and 3
	 * held and answered in reverse order. */
	for (i = 1; i <= 3; i++) {
		n = make_query(q + len + 2, (uint16_t)i, "example.com");
		wr16(q + len, (uint16_t)n);
		len += 2 + n;
	}
	send(cfd, q, len, 0);
	run_for(100);
	CHECK_EQ_INT(st.queries, 3);
	CHECK_EQ_INT(tcp_read_id(cfd), 2);
	answer_held(&st, true);
	run_for(100);
	CHECK_EQ_INT(tcp_read_id(cfd), 3);
	CHECK_EQ_INT(tcp_read_id(cfd), 1);
	/* Idle for longer than 300 ms: closed. */
	run_for(600);
	CHECK_EQ_INT(recv(cfd, &c, 1, 0), 0);
	close(cfd);

	/* A client that leaves with a query held: the answer comes later
	 * and goes nowhere. */
	st.hold_all = true;
	cfd = tcp_client(port);
	send(cfd, q, 2 + rd16(q), 0);
	run_for(100);
	CHECK_EQ_INT(st.nheld, 1);
	close(cfd);
	run_for(100);
	answer_held(&st, false);

	/* Half-close: the answer still arrives. */
	cfd = tcp_client(port);
	send(cfd, q, 2 + rd16(q), 0);
	shutdown(cfd, SHUT_WR);
	run_for(100);
	answer_held(&st, false);
	run_for(100);
	CHECK_EQ_INT(tcp_read_id(cfd), 1);
	CHECK_EQ_INT(recv(cfd, &c, 1, 0), 0);
	close(cfd);

	tcp_front_counters(f, &nc);
	CHECK_EQ_INT(nc.tcp_accepted, 3);
	CHECK_EQ_INT(nc.tcp_queries, 5);

	/* Destroyed with a query held: freed when released. */
	cfd = tcp_client(port);
	send(cfd, q, 2 + rd16(q), 0);
	run_for(100);
	CHECK_EQ_INT(st.nheld, 1);
	tcp_front_destroy(f);
	net_reply_release(&st.held[0]);
	close(cfd);
}

static void
test_tcp_limit(void)
{
	struct front_state st = { .hold_all = true };
	struct tcp_front *f = tcp_front_create(loop, front_cb, &st, 5000, 2);
	struct net_counters nc;
	uint8_t q[514];
	uint16_t port;
	int a, b, c, d;
	char ch;

	CHECK_EQ_INT(tcp_front_add(f, front_socket(SOCK_STREAM, &port)), 0);
	wr16(q, (uint16_t)make_query(q + 2, 1, "example.com"));
	a = tcp_client(port);
	run_for(50);
	b = tcp_client(port);
	run_for(50);
	send(a, q, 2 + rd16(q), 0);        /* a owes an answer, b is idle */
	run_for(50);
	c = tcp_client(port);
	run_for(100);
	CHECK_EQ_INT(recv(b, &ch, 1, 0), 0);  /* b made room */
	/* Both owe answers: a newcomer waits in the backlog... */
	send(c, q, 2 + rd16(q), 0);
	run_for(50);
	CHECK_EQ_INT(st.nheld, 2);
	d = tcp_client(port);
	run_for(100);
	tcp_front_counters(f, &nc);
	CHECK_EQ_INT(nc.tcp_accepted, 3);
	CHECK(nc.tcp_full >= 1);
	/* ...until they are answered, then takes the idle-most's place. */
	answer_held(&st, false);
	run_for(100);
	tcp_front_counters(f, &nc);
	CHECK_EQ_INT(nc.tcp_accepted, 4);
	CHECK_EQ_INT(tcp_read_id(a), 1);
	CHECK_EQ_INT(tcp_read_id(c), 1);
	CHECK_EQ_INT(recv(a, &ch, 1, 0), 0);  /* a was active least recently */
	close(a);
	close(b);
	close(c);
	close(d);
	tcp_front_destroy(f);
}

/* Whether 127.0.0.1 works here (not in a fresh network namespace, where
 * the address exists but lo is down and sending fails). */
static bool
have_loopback(void)
{
	struct netaddr a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	bool ok;

	loopback(&a, 0);
	ok = fd >= 0 && bind(fd, (struct sockaddr *)&a.ss, a.len) == 0;
	if (ok) {
		loopback(&a, local_port(fd));
		ok = sendto(fd, "", 1, 0, (struct sockaddr *)&a.ss, a.len) == 1;
	}
	if (fd >= 0)
		close(fd);
	return ok;
}

int
main(void)
{
	if (!have_loopback()) {
		printf("SKIP: no usable loopback interface\n");
		return 77;
	}
	net_init();
	loop = net_loop_create();
	RUN(test_outnet_udp_match);
	RUN(test_outnet_timeout_and_refused);
	RUN(test_outnet_cap_and_destroy);
	RUN(test_outnet_tcp);
	RUN(test_udp_front);
	RUN(test_tcp_front);
	RUN(test_tcp_limit);
	net_loop_destroy(loop);
	return unit_summary();
}
