/*
 * listeners.c -- the list of listening sockets as data.
 *
 * One row per socket to open: (address with port, transport). It is built
 * once, when the configuration is read, and everything that cares about
 * listening reads it: the start-up probe, the workers and the control
 * thread that open the sockets, the reload check (the list cannot change
 * without a restart) and the descriptor budget. A new transport is a new
 * kind of row here and nothing else in this file.
 */
/* Angle brackets: the build's config.h, not daemon/config.h beside us. */
#include <config.h>

#include <sys/types.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/config_int.h"
#include "net/net.h"

int
cfg_add_listener(struct parser *p, const struct netaddr *a, enum transport t, int line)
{
	struct config *cfg = p->cfg;
	struct listener *nl;

	if ((nl = cfg_grow(cfg->listeners, cfg->nlisteners, sizeof(*nl))) == NULL)
		return cfg_nomem(p);
	cfg->listeners = nl;
	memset(&nl[cfg->nlisteners], 0, sizeof(nl[0]));
	nl[cfg->nlisteners].addr = *a;
	nl[cfg->nlisteners].transport = t;
	nl[cfg->nlisteners].line = line;
	cfg->nlisteners++;
	return 0;
}

/* Two rows that would bind the same socket. */
static bool
rows_clash(const struct listener *a, const struct listener *b)
{
	return transport_of(a->transport)->socktype == transport_of(b->transport)->socktype &&
	    netaddr_equal((const struct sockaddr *)&a->addr.ss, (const struct sockaddr *)&b->addr.ss);
}

/* The DNS rows come first (interfaces in file order, UDP before TCP),
 * then the rows added while reading (http-interface). The transport of an
 * interface depends on its port once DNS over TLS and HTTPS exist
 * (tls-port, https-port, as in Unbound); today it is do-udp and do-tcp. */
int
cfg_build_listeners(struct parser *p)
{
	struct config *cfg = p->cfg;
	struct listener *other = cfg->listeners, *cur;
	int nother = cfg->nlisteners, i, j;
	char buf[80], what[32];

	cfg->listeners = NULL;
	cfg->nlisteners = 0;
	for (i = 0; i < cfg->ninterfaces; i++) {
		int line = p->iface_line ? p->iface_line[i] : 0;
		if (cfg->do_udp && cfg_add_listener(p, &cfg->interfaces[i], TRANSPORT_UDP, line) != 0)
			goto fail;
		if (cfg->do_tcp && cfg_add_listener(p, &cfg->interfaces[i], TRANSPORT_TCP, line) != 0)
			goto fail;
	}
	for (i = 0; i < nother; i++) {
		cur = &other[i];
		if (cur->addr.ss.ss_family == AF_INET6 && !cfg->do_ip6) {
			cfg_perr(p, cur->line, "%s is IPv6 but do-ip6 is no",
			    net_addr_str((const struct sockaddr *)&cur->addr.ss, buf, sizeof(buf)));
			goto fail;
		}
		if (cur->addr.ss.ss_family == AF_INET && !cfg->do_ip4) {
			cfg_perr(p, cur->line, "%s is IPv4 but do-ip4 is no",
			    net_addr_str((const struct sockaddr *)&cur->addr.ss, buf, sizeof(buf)));
			goto fail;
		}
		if (cfg_add_listener(p, &cur->addr, cur->transport, cur->line) != 0)
			goto fail;
	}
	free(other);
	for (i = 0; i < cfg->nlisteners; i++)
		for (j = 0; j < i; j++) {
			if (!rows_clash(&cfg->listeners[i], &cfg->listeners[j]))
				continue;
			cur = &cfg->listeners[i];
			snprintf(what, sizeof(what), "%s", cur->transport == TRANSPORT_STATS ?
			    "http-interface" : "interface");
			return cfg_perr(p, cur->line, "%s %s is already used by the %s "
			    "listener of line %d", what,
			    net_addr_str((const struct sockaddr *)&cur->addr.ss, buf, sizeof(buf)),
			    transport_of(cfg->listeners[j].transport)->name, cfg->listeners[j].line);
		}
	return 0;
fail:
	free(other);
	return -1;
}

bool
config_listeners_same(const struct config *a, const struct config *b)
{
	int i;

	if (a->nlisteners != b->nlisteners)
		return false;
	for (i = 0; i < a->nlisteners; i++)
		if (a->listeners[i].transport != b->listeners[i].transport ||
		    !netaddr_equal((const struct sockaddr *)&a->listeners[i].addr.ss,
		    (const struct sockaddr *)&b->listeners[i].addr.ss))
			return false;
	return true;
}

int
config_listeners_probe(const struct config *cfg, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < cfg->nlisteners; i++)
		if (net_listen_probe(&cfg->listeners[i].addr,
		    transport_of(cfg->listeners[i].transport)->socktype, err, errlen) < 0)
			return -1;
	return 0;
}

int
config_listener_fds(const struct config *cfg, bool per_worker)
{
	int i, n = 0;

	for (i = 0; i < cfg->nlisteners; i++)
		if (transport_of(cfg->listeners[i].transport)->per_worker == per_worker)
			n += transport_of(cfg->listeners[i].transport)->fds_per_socket;
	return n;
}

int
config_count_listeners(const struct config *cfg, enum transport t)
{
	int i, n = 0;

	for (i = 0; i < cfg->nlisteners; i++)
		n += cfg->listeners[i].transport == t;
	return n;
}
