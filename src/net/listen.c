/*
 * listen.c -- opening the sockets clients talk to.
 *
 * Each worker has its own socket per address and protocol (SO_REUSEPORT),
 * so the kernel spreads clients over workers without a shared accept lock.
 * Because SO_REUSEPORT also lets a second copy of ourselves share a port
 * silently, start-up first probes each address without it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/net_int.h"

#define TCP_BACKLOG 256
/* Big enough to ride out a burst while the worker is busy. */
#define UDP_RCVBUF (4 * 1024 * 1024)

char *
net_addr_str(const struct sockaddr *sa, char *buf, size_t buflen)
{
	char a[INET6_ADDRSTRLEN];
	const void *p;
	uint16_t port;

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		p = &s6->sin6_addr;
		port = ntohs(s6->sin6_port);
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		p = &s4->sin_addr;
		port = ntohs(s4->sin_port);
	} else {
		snprintf(buf, buflen, "(family %d)", sa->sa_family);
		return buf;
	}
	if (!inet_ntop(sa->sa_family, p, a, sizeof(a)))
		strcpy(a, "?");
	snprintf(buf, buflen, "%s@%u", a, port);
	return buf;
}

static int
listen_fail(const struct netaddr *addr, int socktype, int fd, int e, char *err, size_t errlen)
{
	char a[80];

	net_addr_str((const struct sockaddr *)&addr->ss, a, sizeof(a));
	if (e == EADDRINUSE)
		snprintf(err, errlen, "cannot listen on %s: address already in use "
		    "(is another DNS server, e.g. systemd-resolved, running?)", a);
	else if (e == EACCES)
		snprintf(err, errlen, "cannot listen on %s: permission denied "
		    "(ports below 1024 need root or CAP_NET_BIND_SERVICE)", a);
	else if (e == EADDRNOTAVAIL)
		snprintf(err, errlen, "cannot listen on %s: no such address on this host", a);
	else
		snprintf(err, errlen, "cannot listen on %s (%s): %s", a,
		    socktype == SOCK_STREAM ? "tcp" : "udp", strerror(e));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int
setopt(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val));
}

static int
open_bound(const struct netaddr *addr, int socktype, bool reuseport, char *err, size_t errlen)
{
	int family = addr->ss.ss_family;
	int fd = socket(family, socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return listen_fail(addr, socktype, -1, errno, err, errlen);
	/* Restarting must not wait for old connections in TIME_WAIT. */
	if (socktype == SOCK_STREAM && setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0)
		return listen_fail(addr, socktype, fd, errno, err, errlen);
	if (reuseport && setopt(fd, SOL_SOCKET, SO_REUSEPORT, 1) < 0)
		return listen_fail(addr, socktype, fd, errno, err, errlen);
	/* Otherwise a v6 wildcard would also claim the v4 port. */
	if (family == AF_INET6 && setopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0)
		return listen_fail(addr, socktype, fd, errno, err, errlen);
	if (bind(fd, (const struct sockaddr *)&addr->ss, addr->len) < 0)
		return listen_fail(addr, socktype, fd, errno, err, errlen);
	return fd;
}

static bool
is_wildcard(const struct netaddr *addr)
{
	if (addr->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&addr->ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&addr->ss)->sin6_addr);
}

int
net_listen(const struct netaddr *addr, int socktype, bool reuseport, char *err, size_t errlen)
{
	int fd = open_bound(addr, socktype, reuseport, err, errlen);

	if (fd < 0)
		return -1;
	if (socktype == SOCK_STREAM) {
		if (listen(fd, TCP_BACKLOG) < 0)
			return listen_fail(addr, socktype, fd, errno, err, errlen);
		return fd;
	}
	/* Best effort: the kernel caps it at net.core.rmem_max. */
	(void)setopt(fd, SOL_SOCKET, SO_RCVBUF, UDP_RCVBUF);
#ifdef IP_PMTUDISC_OMIT
	/* Answers are sized for 1232 bytes; forged ICMP "fragmentation
	 * needed" must not make us fragment (RFC 8085 section 3.2). */
	if (addr->ss.ss_family == AF_INET)
		(void)setopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_OMIT);
#endif
	/* A wildcard socket must answer from the address the client asked,
	 * which only the per-packet destination tells. */
	if (is_wildcard(addr)) {
		int r = addr->ss.ss_family == AF_INET ?
		    setopt(fd, IPPROTO_IP, IP_PKTINFO, 1) :
		    setopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
		if (r < 0)
			return listen_fail(addr, socktype, fd, errno, err, errlen);
	}
	return fd;
}

int
net_listen_probe(const struct netaddr *addr, int socktype, char *err, size_t errlen)
{
	int fd = open_bound(addr, socktype, false, err, errlen);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int
net_listen_on(const struct listener *l, bool reuseport, char *err, size_t errlen)
{
	return net_listen(&l->addr, transport_of(l->transport)->socktype,
	    reuseport && transport_of(l->transport)->per_worker, err, errlen);
}
