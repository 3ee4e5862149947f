/*
 * netaddr.c -- addresses and netblocks from configuration text.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/netaddr.h"

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* Parse a bare address (no port) into ss; returns the sockaddr length or 0. */
static socklen_t
parse_ip(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, &sin6->sin6_addr) != 1)
			return 0;
		sin6->sin6_family = AF_INET6;
		return sizeof(*sin6);
	}
	if (inet_pton(AF_INET, s, &sin->sin_addr) != 1)
		return 0;
	sin->sin_family = AF_INET;
	return sizeof(*sin);
}

static int
parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int
netaddr_parse(const char *str, uint16_t default_port, struct netaddr *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *sep;
	uint16_t port = default_port;
	size_t n;

	sep = strpbrk(str, "@#");
	n = sep ? (size_t)(sep - str) : strlen(str);
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, str, n);
	buf[n] = '\0';
	if (sep != NULL && parse_port(sep + 1, &port) < 0)
		return -1;
	out->len = parse_ip(buf, &out->ss);
	if (out->len == 0)
		return -1;
	if (out->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&out->ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&out->ss)->sin6_port = htons(port);
	return 0;
}

char *
netaddr_str(const struct sockaddr *sa, char *buf, size_t buflen)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof(ip));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof(ip));
	else {
		snprintf(buf, buflen, "(family %d)", (int)sa->sa_family);
		return buf;
	}
	snprintf(buf, buflen, "%s#%u", ip, (unsigned)netaddr_port(sa));
	return buf;
}

/* Address bytes of sa, with v4-mapped IPv6 reduced to IPv4 so that
 * "::ffff:10.1.2.3" matches 10.0.0.0/8. */
static const uint8_t *
addr_bytes(const struct sockaddr *sa, int *family, int *bits)
{
	if (sa->sa_family == AF_INET) {
		*family = AF_INET;
		*bits = 32;
		return (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	}
	if (sa->sa_family == AF_INET6) {
		const uint8_t *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		if (memcmp(a, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0) {
			*family = AF_INET;
			*bits = 32;
			return a + 12;
		}
		*family = AF_INET6;
		*bits = 128;
		return a;
	}
	return NULL;
}

static void
mask_bits(uint8_t *a, int nbytes, int prefix)
{
	int i;

	for (i = 0; i < nbytes; i++) {
		int keep = prefix - i * 8;
		if (keep >= 8)
			continue;
		a[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

int
netblock_parse(const char *str, struct netblock *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(str, '/');
	size_t n = slash ? (size_t)(slash - str) : strlen(str);
	int max;
	char *end;
	long v;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, str, n);
	buf[n] = '\0';
	if (parse_ip(buf, &out->ss) == 0)
		return -1;
	max = out->ss.ss_family == AF_INET ? 32 : 128;
	out->prefix = max;
	if (slash != NULL) {
		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		v = strtol(slash + 1, &end, 10);
		if (*end != '\0' || v > max)
			return -1;
		out->prefix = (int)v;
	}
	if (out->ss.ss_family == AF_INET)
		mask_bits((uint8_t *)&((struct sockaddr_in *)&out->ss)->sin_addr, 4, out->prefix);
	else
		mask_bits(((struct sockaddr_in6 *)&out->ss)->sin6_addr.s6_addr, 16, out->prefix);
	return 0;
}

static bool
prefix_match(const uint8_t *a, const uint8_t *b, int prefix)
{
	int full = prefix / 8, rest = prefix % 8;
	uint8_t m;

	if (memcmp(a, b, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	m = (uint8_t)(0xff << (8 - rest));
	return (a[full] & m) == (b[full] & m);
}

bool
netblock_contains(const struct netblock *block, const struct sockaddr *addr)
{
	int bf = 0, af = 0, bbits, abits, prefix = block->prefix;
	const uint8_t *bb = addr_bytes((const struct sockaddr *)&block->ss, &bf, &bbits);
	const uint8_t *ab = addr_bytes(addr, &af, &abits);

	if (bb == NULL || ab == NULL)
		return false;
	/* A block written as ::ffff:a.b.c.d/n was reduced to IPv4 above. */
	if (block->ss.ss_family == AF_INET6 && bf == AF_INET)
		prefix -= 96;
	if (bf != af)
		return false;
	if (prefix < 0)
		prefix = 0;
	return prefix_match(bb, ab, prefix);
}

bool
netaddr_is_loopback(const struct sockaddr *sa)
{
	static const uint8_t v6_loop[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	int fam, bits;
	const uint8_t *a = addr_bytes(sa, &fam, &bits);

	if (a == NULL)
		return false;
	if (fam == AF_INET)
		return a[0] == 127;
	return memcmp(a, v6_loop, 16) == 0;
}

bool
netaddr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0 &&
		    x->sin6_scope_id == y->sin6_scope_id;
	}
	return false;
}

uint16_t
netaddr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}
