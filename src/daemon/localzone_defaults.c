/*
 * localzone_defaults.c -- the built-in local zones: the one list of the
 * names a resolver answers itself, whatever its configuration says,
 * unless told otherwise (see localzone.h for how each is turned off).
 *
 * The same zones as Unbound's defaults (unbound.conf(5), 1.17): names no
 * public server can answer usefully, so that questions about them neither
 * leak to the root or AS112 servers nor wait for them. "local." is not
 * among them, on purpose: see doc/design.md.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "daemon/localzone.h"

enum builtin_kind {
	EMPTY,          /* static: NXDOMAIN below the name, NODATA at it */
	LAN,            /* EMPTY, and left out with unblock-lan-zones */
	LOCALHOST,      /* redirect: every name in it is 127.0.0.1 and ::1 */
	LOOPBACK_REV    /* EMPTY, except the loopback address's PTR */
};

static const struct {
	const char *name;       /* with first..last: one zone "N.name" for each N */
	int first, last;
	enum builtin_kind kind;
	const char *rfc;
} builtins[] = {
	{ "localhost.", 0, 0, LOCALHOST, "RFC 6761 section 6.3" },
	{ "127.in-addr.arpa.", 0, 0, LOOPBACK_REV, "RFC 6303 section 4.2" },
	{ "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.", 0, 0,
	    LOOPBACK_REV, "RFC 6303 section 4.6" },
	{ "home.arpa.", 0, 0, EMPTY, "RFC 8375" },
	{ "onion.", 0, 0, EMPTY, "RFC 7686" },
	{ "test.", 0, 0, EMPTY, "RFC 6761 section 6.2" },
	{ "invalid.", 0, 0, EMPTY, "RFC 6761 section 6.4" },
	{ "10.in-addr.arpa.", 0, 0, LAN, "RFC 6303 section 4.1" },
	{ "172.in-addr.arpa.", 16, 31, LAN, "RFC 6303 section 4.1" },
	{ "168.192.in-addr.arpa.", 0, 0, LAN, "RFC 6303 section 4.1" },
	{ "0.in-addr.arpa.", 0, 0, LAN, "RFC 6303 section 4.2" },
	{ "254.169.in-addr.arpa.", 0, 0, LAN, "RFC 6303 section 4.2" },
	{ "2.0.192.in-addr.arpa.", 0, 0, LAN, "RFC 6303 section 4.2" },
	{ "100.51.198.in-addr.arpa.", 0, 0, LAN, "RFC 6303 section 4.2" },
	{ "113.0.203.in-addr.arpa.", 0, 0, LAN, "RFC 6303 section 4.2" },
	{ "255.255.255.255.in-addr.arpa.", 0, 0, LAN, "RFC 6303 section 4.2" },
	{ "100.in-addr.arpa.", 64, 127, LAN, "RFC 7793" },
	{ "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.", 0, 0,
	    LAN, "RFC 6303 section 4.6" },
	{ "d.f.ip6.arpa.", 0, 0, LAN, "RFC 6303 section 4.3" },
	{ "8.e.f.ip6.arpa.", 0, 0, LAN, "RFC 6303 section 4.4" },
	{ "9.e.f.ip6.arpa.", 0, 0, LAN, "RFC 6303 section 4.4" },
	{ "a.e.f.ip6.arpa.", 0, 0, LAN, "RFC 6303 section 4.4" },
	{ "b.e.f.ip6.arpa.", 0, 0, LAN, "RFC 6303 section 4.4" },
	{ "8.b.d.0.1.0.0.2.ip6.arpa.", 0, 0, LAN, "RFC 6303 section 4.5" },
};

bool
localzone_builtin(int i, struct localzone_builtin *out)
{
	size_t k;
	char name[DNAME_STR_MAX];

	if (i < 0)
		return false;
	for (k = 0; k < sizeof(builtins) / sizeof(builtins[0]); k++) {
		int count = builtins[k].last - builtins[k].first + 1;
		if (i >= count) {
			i -= count;
			continue;
		}
		memset(out, 0, sizeof(*out));
		if (builtins[k].last > 0) {
			snprintf(name, sizeof(name), "%d.%s", builtins[k].first + i, builtins[k].name);
			dname_from_str(name, out->name);
		} else
			dname_from_str(builtins[k].name, out->name);
		out->type = builtins[k].kind == LOCALHOST ? "redirect" : "static";
		out->lan = builtins[k].kind == LAN;
		out->address = builtins[k].kind == LOCALHOST;
		if (builtins[k].kind == LOOPBACK_REV) {
			/* 127.0.0.1 has its own name in 127.in-addr.arpa; ::1's
			 * zone is the one name */
			if (dname_label_count(out->name) == 3)
				dname_from_str("1.0.0.127.in-addr.arpa.", out->ptr);
			else
				memcpy(out->ptr, out->name, dname_len(out->name));
		}
		out->rfc = builtins[k].rfc;
		return true;
	}
	return false;
}
