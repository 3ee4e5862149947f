/*
 * netaddr.h -- socket addresses and netblocks as the config writes them.
 */
#ifndef RESOLVERD_UTIL_NETADDR_H
#define RESOLVERD_UTIL_NETADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

struct netaddr {
	struct sockaddr_storage ss;
	socklen_t len;
};

struct netblock {
	struct sockaddr_storage ss;   /* network address, host bits zero */
	int prefix;                   /* bits */
};

/* Parse "192.0.2.1", "2001:db8::1", "192.0.2.1@5353" or "::1@53" (also
 * "ip#port" as Unbound writes it). default_port applies when none given.
 * Returns 0 or -1. */
int netaddr_parse(const char *str, uint16_t default_port, struct netaddr *out);

/* "192.0.2.1#53"-style text into buf (>= 64 bytes). Returns buf. */
char *netaddr_str(const struct sockaddr *sa, char *buf, size_t buflen);

/* Parse "10.0.0.0/8", "::1", "2001:db8::/32" (no prefix = host). 0 or -1. */
int netblock_parse(const char *str, struct netblock *out);

/* True if addr lies inside block. */
bool netblock_contains(const struct netblock *block, const struct sockaddr *addr);

/* True for 127.0.0.0/8, ::1, and ::ffff:127.0.0.0/104. */
bool netaddr_is_loopback(const struct sockaddr *sa);

/* Same address and port. */
bool netaddr_equal(const struct sockaddr *a, const struct sockaddr *b);

uint16_t netaddr_port(const struct sockaddr *sa);

#endif
