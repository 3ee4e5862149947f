/*
 * localzone.h -- answers the operator configured: local-zone, local-data
 * and local-data-ptr, with Unbound's meanings.
 *
 * A local zone decides what happens to every query at or below its name:
 * answered from its local data, refused, dropped, answered NXDOMAIN/NODATA,
 * or passed on to normal resolution. local-data without an enclosing
 * local-zone gets an implicit "transparent" zone at its own name, which
 * overrides just that name. The most specific zone wins.
 *
 * Deviation from Unbound, on purpose: answers from implicit zones (plain
 * local-data, e.g. static host entries) do not set AA; they stand in for
 * resolution rather than claim authority. Explicit local-zone answers set
 * AA as Unbound does.
 *
 * Built-in zones: the table also holds the locally served zones every
 * peer has by default (localhost., the loopback reverse zones, RFC 6303's
 * reverse zones, home.arpa., onion., test., invalid.; the list and their
 * contents are in localzone_defaults.c). A built-in zone is left out when
 * the configuration has a local-zone of the same name (any type, including
 * "nodefault", which does nothing else), when a stub-zone or forward-zone
 * has that name (one below it gets a "transparent" zone of its own, so the
 * operator's servers are asked), and, for RFC 6303's reverse zones, with
 * unblock-lan-zones.
 *
 * Built once per configuration (start-up, reload) and read-only after, so
 * workers share it without locks. Lookups allocate nothing; a question
 * whose top-level label no zone has is passed after comparing that label
 * with the table's few top-level labels.
 */
#ifndef RESOLVERD_DAEMON_LOCALZONE_H
#define RESOLVERD_DAEMON_LOCALZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/dname.h"

enum local_kind { LOCAL_ZONE_LINE = 1, LOCAL_DATA_LINE, LOCAL_DATA_PTR_LINE };

/* One configuration line, as config.c collected it. */
struct local_line {
	enum local_kind kind;
	char *text;                 /* the value, quotes removed */
	int line;
};

struct local_zones;

/* What besides the lines shapes the table (NULL: the built-in zones,
 * nothing else). */
struct localzone_setup {
	bool unblock_lan_zones;         /* leave out RFC 6303's reverse zones */
	int nserved;                    /* stub-zone and forward-zone names */
	const uint8_t *const *served;
};

/* Build the table from config lines and the built-in zones. NULL with
 * "file:line: reason" in err when a line is wrong (or on allocation
 * failure). Caller frees with localzone_free. */
struct local_zones *localzone_create(const struct local_line *lines, int n,
    const struct localzone_setup *setup, const char *file, char *err, size_t errlen);
void localzone_free(struct local_zones *lz);

enum local_verdict {
	LOCAL_PASS,                 /* not ours: resolve normally */
	LOCAL_ANSWER,               /* a canonical answer is in out */
	LOCAL_DROP,
	LOCAL_REFUSE
};

/* What to do with a question. On LOCAL_ANSWER, out (cap bytes) holds a
 * canonical answer (ID 0, no OPT, RA set, never AD) of *outlen bytes for
 * the front end to fit to the client. A DS question is decided by the
 * zone above its name, where the DS lives (as in Unbound): DS for
 * 10.in-addr.arpa is resolved, so that validators can prove it insecure. */
enum local_verdict localzone_answer(const struct local_zones *lz, const uint8_t *qname,
    uint16_t qtype, uint16_t qclass, uint8_t *out, size_t cap, size_t *outlen);

/* The built-in zones, for i = 0, 1, ... until it returns false. Each is
 * entered with an SOA (RFC 6303 section 3: "@ 10800 SOA @ nobody.invalid.
 * 1 3600 1200 604800 10800") and "@ 10800 NS @", plus the loopback data
 * below. */
struct localzone_builtin {
	uint8_t name[DNAME_MAX];
	const char *type;           /* a local-zone type: "redirect" or "static" */
	bool lan;                   /* an RFC 6303 reverse zone (unblock-lan-zones) */
	bool address;               /* A 127.0.0.1 and AAAA ::1 at the name */
	uint8_t ptr[DNAME_MAX];     /* owner of "PTR localhost.", or the root: none */
	const char *rfc;            /* where it comes from, for documentation */
};
bool localzone_builtin(int i, struct localzone_builtin *out);

/* Zones from the configuration (implicit ones not counted), built-in
 * zones in use, and RRsets, for logs and tests. */
void localzone_counts(const struct local_zones *lz, int *zones, int *builtin, int *rrsets);

/* Write "NAME TYPE" for every zone, in canonical order, with " built-in"
 * or " implicit" after those (resolverd -l; Unbound's list_local_zones
 * has the same first two columns). -1 when out of memory. */
int localzone_print(const struct local_zones *lz, FILE *out);

#endif
