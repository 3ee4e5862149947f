/*
 * net_int.h -- what the files of src/net share with each other and nobody
 * else: the loop's libevent base, and the per-transport halves of
 * net_reply_send.
 */
#ifndef RESOLVERD_NET_NET_INT_H
#define RESOLVERD_NET_NET_INT_H

#include <event2/event.h>

#include "net/net.h"

struct event_base *net_loop_base(struct net_loop *loop);

/* Send an answer on the socket the query came in on. */
void udp_sock_send(struct udp_sock *s, const struct net_reply *r, const uint8_t *pkt, size_t len);

/* A held query on c: hold counts it, done uncounts it after optionally
 * queueing an answer (pkt NULL: none), and frees c when it was closed and
 * this was the last one. */
void tcp_conn_hold(struct tcp_conn *c);
void tcp_conn_done(struct tcp_conn *c, const uint8_t *pkt, size_t len);

/* Milliseconds on the monotonic clock. */
uint64_t net_now_ms(void);

#endif
