/*
 * reply.c -- answering a client later, whichever transport it came on.
 */
#include "config.h"

#include "net/net_int.h"

void
net_reply_hold(struct net_reply *r)
{
	if (r->tcp)
		tcp_conn_hold(r->tcp);
}

void
net_reply_send(struct net_reply *r, const uint8_t *pkt, size_t len)
{
	if (r->tcp)
		tcp_conn_done(r->tcp, pkt, len);
	else
		udp_sock_send(r->udp, r, pkt, len);
}

void
net_reply_release(struct net_reply *r)
{
	if (r->tcp)
		tcp_conn_done(r->tcp, NULL, 0);
}
