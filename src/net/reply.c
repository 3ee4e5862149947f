/*
 * reply.c -- answering a client later, whichever transport it came on.
 * A new transport adds its case here, and nothing above net/ changes.
 */
#include "config.h"

#include "net/net_int.h"

void
net_reply_hold(struct net_reply *r)
{
	switch (r->transport) {
	case TRANSPORT_TCP:
		tcp_conn_hold(r->via.tcp);
		break;
	default:
		break;
	}
}

void
net_reply_send(struct net_reply *r, const uint8_t *pkt, size_t len)
{
	switch (r->transport) {
	case TRANSPORT_UDP:
		udp_sock_send(r->via.udp, r, pkt, len);
		break;
	case TRANSPORT_TCP:
		tcp_conn_done(r->via.tcp, pkt, len);
		break;
	default:
		break;
	}
}

void
net_reply_release(struct net_reply *r)
{
	switch (r->transport) {
	case TRANSPORT_TCP:
		tcp_conn_done(r->via.tcp, NULL, 0);
		break;
	default:
		break;
	}
}
