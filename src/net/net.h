/*
 * net.h -- sockets and the event loop: client front ends (UDP, TCP) and
 * the outgoing transport for upstream queries.
 *
 * This module is the only place that knows about libevent. It carries
 * bytes; it does not interpret DNS beyond what transport needs (TCP
 * length framing, and matching an upstream reply to its query). What a
 * client query means and how it is answered is the caller's business,
 * reached through one callback (net_query_cb).
 *
 * Threads: everything hangs off a struct net_loop, and every object made
 * for a loop is used only from that loop's thread. The exceptions are
 * net_loop_call and net_loop_stop, which any thread may call.
 *
 * Answers: the query callback may answer at once by writing into q->out
 * and returning the length (the UDP front end then sends a whole batch of
 * such answers in one sendmmsg). Or it returns 0 and, to answer later,
 * copies *q->reply, calls net_reply_hold on the copy, and eventually calls
 * net_reply_send or net_reply_release on it exactly once. A TCP connection
 * that the client closes meanwhile stays allocated until that happens.
 */
#ifndef RESOLVERD_NET_NET_H
#define RESOLVERD_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>            /* in6_pktinfo: needs config.h's _GNU_SOURCE first */

#include "util/netaddr.h"
#include "net/transport.h"
#include "iter/iter.h"

/* Room for any DNS message (TCP maximum). */
#define NET_ANSWER_MAX 65535

/* ---- event loop ---- */

struct net_loop;

/* Once per process, before any loop is created and before threads start:
 * makes libevent thread-aware. 0 or -1. */
int net_init(void);

/* A loop for one thread. NULL on allocation failure. */
struct net_loop *net_loop_create(void);

/* Free the loop. Everything made for it must be destroyed first. */
void net_loop_destroy(struct net_loop *loop);

/* Run until net_loop_stop (which may come before this is called). May be
 * run again afterwards. Returns 0, or -1 on an event-layer error. */
int net_loop_run(struct net_loop *loop);

/* Make net_loop_run return. Any thread. */
void net_loop_stop(struct net_loop *loop);

/* Run fn(arg) in the loop's thread, soon. Any thread. A call still queued
 * when the loop is destroyed runs drop(arg) instead (if drop is not NULL),
 * so arg is never leaked. 0, or -1 on allocation failure (neither runs). */
int net_loop_call(struct net_loop *loop, void (*fn)(void *arg), void (*drop)(void *arg), void *arg);

/* A one-shot timer on loop: fn(arg) runs in the loop's thread ms after
 * net_timer_start (which re-arms a pending timer). Free it (pending or
 * not) with net_timer_free; after that fn never runs. NULL / -1 on
 * failure. */
struct net_timer;
struct net_timer *net_timer_new(struct net_loop *loop, void (*fn)(void *arg), void *arg);
int net_timer_start(struct net_timer *t, uint32_t ms);
void net_timer_free(struct net_timer *t);

/* ---- listening sockets ---- */

/* Open a listening socket on addr: SOCK_DGRAM or SOCK_STREAM, non-blocking,
 * IPV6_V6ONLY on IPv6, SO_REUSEPORT when reuseport (one socket per worker).
 * Returns the descriptor, or -1 with a sentence for the operator in err
 * (e.g. "cannot listen on 127.0.0.1@53: address already in use (...)"). */
int net_listen(const struct netaddr *addr, int socktype, bool reuseport, char *err, size_t errlen);

/* Whether nobody else listens on addr: binds once without SO_REUSEPORT
 * (which would silently share the port with another of our kind) and
 * closes. 0, or -1 with err as for net_listen. */
int net_listen_probe(const struct netaddr *addr, int socktype, char *err, size_t errlen);

/* Open l's socket: the transport says which kind; reuseport as for
 * net_listen. The descriptor, or -1 with err as for net_listen. */
int net_listen_on(const struct listener *l, bool reuseport, char *err, size_t errlen);

/* "127.0.0.1@53" (the config's notation) into buf (>= 64 bytes). */
char *net_addr_str(const struct sockaddr *sa, char *buf, size_t buflen);

/* Nanoseconds on the monotonic clock: query latency. */
uint64_t net_clock_ns(void);

/* ---- client queries ---- */

struct udp_sock;
struct tcp_conn;

/* The way back to a client. Plain data: may be copied. */
struct net_reply {
	enum transport transport;      /* which member of via is set */
	union {
		struct udp_sock *udp;
		struct tcp_conn *tcp;
	} via;
	struct sockaddr_storage addr;  /* the client */
	socklen_t addrlen;
	/* The address the client sent to, for sockets bound to a wildcard
	 * address, so the answer leaves from it; family 0 when not needed. */
	union {
		struct in_pktinfo v4;
		struct in6_pktinfo v6;
	} dst;
	sa_family_t dst_family;
};

struct net_query {
	const uint8_t *pkt;            /* the query as received */
	size_t len;
	const struct sockaddr *addr;   /* the client (inside *reply) */
	enum transport transport;
	uint64_t arrival_ns;           /* net_clock_ns() when its batch was read */
	uint8_t *out;                  /* room for an immediate answer */
	size_t outcap;                 /* NET_ANSWER_MAX */
	const struct net_reply *reply;
};

/* Handle one query; returns the length of an answer written to q->out, or
 * 0 for none now. All pointers in q are valid only during the call. */
typedef size_t (*net_query_cb)(void *arg, const struct net_query *q);

/* Optional: the answers a batch of query callbacks returned have just
 * been handed to the kernel (UDP: after the batch's sendmmsg; TCP: after
 * the answers to one read were queued). Called with the query callback's
 * arg, once per batch that answered anything. */
typedef void (*net_sent_cb)(void *arg);

/* Keep r valid for a later answer (a TCP connection is kept until then). */
void net_reply_hold(struct net_reply *r);

/* Send pkt (len bytes) to the client of a held reply and release it. A
 * closed TCP connection drops the answer silently. */
void net_reply_send(struct net_reply *r, const uint8_t *pkt, size_t len);

/* Release a held reply without answering. */
void net_reply_release(struct net_reply *r);

/* Transport counters, per front end; read from the loop's thread, or
 * after it stopped. */
struct net_counters {
	uint64_t udp_recv;             /* datagrams received */
	uint64_t udp_send_err;         /* answers the kernel refused */
	uint64_t tcp_accepted;
	uint64_t tcp_queries;
	uint64_t tcp_idle_closed;      /* idle timeout or made room for a new one */
	uint64_t tcp_full;             /* times accepting paused: limit reached */
};

/* ---- UDP front end ---- */

struct udp_front;

/* A UDP front end on loop: reads batches (recvmmsg) from its sockets and
 * calls cb for each datagram. NULL on allocation failure. */
struct udp_front *udp_front_create(struct net_loop *loop, net_query_cb cb, void *arg);

/* Serve fd (from net_listen; the front end takes ownership and closes it
 * on destroy). 0, or -1 on failure (fd is closed). */
int udp_front_add(struct udp_front *f, int fd);

void udp_front_counters(const struct udp_front *f, struct net_counters *out);

/* Call sent after each batch of immediate answers (NULL: nothing). */
void udp_front_set_sent_cb(struct udp_front *f, net_sent_cb sent);

/* Listening sockets served. */
int udp_front_sockets(const struct udp_front *f);

/* Close every socket. Held replies on them must be released first. */
void udp_front_destroy(struct udp_front *f);

/* ---- TCP front end (RFC 7766) ---- */

struct tcp_front;

/* Accepts connections on its sockets; each carries 2-byte length-framed
 * queries, several at a time (answers go out as they are ready, in any
 * order). idle_ms: close a connection quiet for that long with nothing
 * pending; max_conns: connections at once, after which the idle-most one
 * is closed, or accepting pauses. NULL on allocation failure. */
struct tcp_front *tcp_front_create(struct net_loop *loop, net_query_cb cb, void *arg,
    uint32_t idle_ms, int max_conns);

/* Serve listening socket fd (taken over as for udp_front_add). */
int tcp_front_add(struct tcp_front *f, int fd);

/* New limits for connections accepted from now on (reload). */
void tcp_front_set_limits(struct tcp_front *f, uint32_t idle_ms, int max_conns);

void tcp_front_counters(const struct tcp_front *f, struct net_counters *out);

/* As for udp_front_set_sent_cb. */
void tcp_front_set_sent_cb(struct tcp_front *f, net_sent_cb sent);

/* Listening sockets served, connections open now. */
int tcp_front_sockets(const struct tcp_front *f);
int tcp_front_connections(const struct tcp_front *f);

/* Close every socket and connection. Connections with held replies stay
 * allocated until those are released. */
void tcp_front_destroy(struct tcp_front *f);

/* ---- HTTP server (the statistics endpoint; evhttp does the parsing) ---- */

struct net_http;
struct net_http_req;

/* A complete GET or HEAD request for path (other methods get 405 without
 * reaching it). Answer it now or later with net_http_reply, exactly once
 * (unless the server is destroyed first). */
typedef void (*net_http_cb)(void *arg, struct net_http_req *req, const char *path);

/* An HTTP server on loop: at most max_conns connections at once, a
 * request read and a reply written within timeout_s each, headers of at
 * most 8 KiB. NULL on allocation failure. */
struct net_http *net_http_create(struct net_loop *loop, int max_conns, int timeout_s,
    net_http_cb cb, void *arg);

/* Serve listening socket fd (from net_listen; taken over). 0 or -1. */
int net_http_add(struct net_http *h, int fd);

void net_http_reply(struct net_http_req *req, int status, const char *content_type,
    const char *body, size_t len);

/* Close everything; requests not yet answered are dropped. */
void net_http_destroy(struct net_http *h);

/* ---- one-line requests on a Unix socket (the control socket) ---- */

/* A listening Unix stream socket at path, mode 0600. A socket file
 * nobody answers on is replaced; one in use is an error. Call before
 * other threads exist (it sets the umask briefly). The descriptor, or -1
 * with a sentence in err. */
int net_unix_listen(const char *path, char *err, size_t errlen);

struct net_lines;
struct net_lines_req;

/* One request line (without its newline; valid during the call). Reply
 * now or later with net_lines_reply, exactly once, unless the server is
 * destroyed first. */
typedef void (*net_lines_cb)(void *arg, struct net_lines_req *req, char *line);

/* Serve fd (taken over): at most max_conns connections at once, lines of
 * at most max_line bytes, the line due within timeout_ms. NULL on
 * allocation failure. */
struct net_lines *net_lines_create(struct net_loop *loop, int fd, size_t max_line,
    int max_conns, uint32_t timeout_ms, net_lines_cb cb, void *arg);

/* Send text and close the connection. */
void net_lines_reply(struct net_lines_req *req, const char *text, size_t len);

/* Close everything (the socket file stays; the caller unlinks it). */
void net_lines_destroy(struct net_lines *s);

/* ---- outgoing queries ---- */

struct outnet;

/* Outcome of an upstream query: err 0 with the reply (valid only during
 * the call), or an enum upstream_failure with pkt NULL. */
typedef void (*outnet_cb)(void *arg, void *token, int err, const uint8_t *pkt, size_t len);

/* Upstream transport on loop, at most max_pending queries outstanding.
 * NULL on allocation failure. */
struct outnet *outnet_create(struct net_loop *loop, int max_pending, outnet_cb cb, void *arg);

/* Send q (see struct upstream_query for the contract: fresh socket on a
 * kernel-chosen port, connected to the server; random ID; reply accepted
 * only when ID and question match). cb is called exactly once for token,
 * never before this returns. Returns 0, or -1 when nothing was sent (no
 * callback will come): too many outstanding, no socket, send failed. */
int outnet_send(struct outnet *o, const struct upstream_query *q, void *token);

/* Queries outstanding now. */
int outnet_pending(const struct outnet *o);

/* Close every outstanding query without calling back. */
void outnet_destroy(struct outnet *o);

#endif
