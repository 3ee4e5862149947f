/*
 * transport.h -- the ways clients reach resolverd, and the list of
 * listening sockets built from the configuration.
 *
 * Shared by the configuration (which builds the list), the front ends
 * (which open what it names), the statistics (which count queries per
 * transport) and the reload check. Plain data and one table, in this
 * header so that using it links nothing.
 *
 * Adding a transport (DNS over TLS, DNS over HTTPS) is one more enum
 * value before TRANSPORT_DNS_COUNT, one more row in transport_info, one
 * more kind of net_reply in net/, and the config rows that name it; the
 * query path does not change.
 */
#ifndef RESOLVERD_NET_TRANSPORT_H
#define RESOLVERD_NET_TRANSPORT_H

#include <stdbool.h>
#include <sys/socket.h>

#include "util/netaddr.h"

enum transport {
	TRANSPORT_UDP = 0,
	TRANSPORT_TCP,
	/* TRANSPORT_DOT, TRANSPORT_DOH: next */
	TRANSPORT_DNS_COUNT,                    /* DNS transports are below this */
	/* Not DNS: the HTTP statistics endpoint (http-interface). */
	TRANSPORT_STATS = TRANSPORT_DNS_COUNT,
	TRANSPORT_COUNT
};

struct transport_info {
	const char *name;        /* label value and log text: "udp", "tcp" */
	int socktype;            /* SOCK_DGRAM or SOCK_STREAM */
	bool per_worker;         /* every worker opens its own (SO_REUSEPORT);
	                          * otherwise one socket, for the control thread */
	int fds_per_socket;      /* descriptors a listening socket costs */
};

static inline const struct transport_info *
transport_of(enum transport t)
{
	static const struct transport_info info[TRANSPORT_COUNT] = {
		[TRANSPORT_UDP] = { "udp", SOCK_DGRAM, true, 1 },
		[TRANSPORT_TCP] = { "tcp", SOCK_STREAM, true, 1 },
		[TRANSPORT_STATS] = { "stats-http", SOCK_STREAM, false, 1 },
	};

	return &info[t];
}

/* One listening socket to open (per worker when the transport says so). */
struct listener {
	struct netaddr addr;     /* with its port */
	enum transport transport;
	int line;                /* where the config named it; 0: built in */
};

#endif
