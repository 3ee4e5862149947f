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
 * Built once per configuration (start-up, reload) and read-only after, so
 * workers share it without locks. Lookups allocate nothing.
 */
#ifndef RESOLVERD_DAEMON_LOCALZONE_H
#define RESOLVERD_DAEMON_LOCALZONE_H

#include <stddef.h>
#include <stdint.h>

enum local_kind { LOCAL_ZONE_LINE = 1, LOCAL_DATA_LINE, LOCAL_DATA_PTR_LINE };

/* One configuration line, as config.c collected it. */
struct local_line {
	enum local_kind kind;
	char *text;                 /* the value, quotes removed */
	int line;
};

struct local_zones;

/* Build the table from config lines. NULL with "file:line: reason" in err
 * when a line is wrong (or on allocation failure). Caller frees with
 * localzone_free. */
struct local_zones *localzone_create(const struct local_line *lines, int n,
    const char *file, char *err, size_t errlen);
void localzone_free(struct local_zones *lz);

enum local_verdict {
	LOCAL_PASS,                 /* not ours: resolve normally */
	LOCAL_ANSWER,               /* a canonical answer is in out */
	LOCAL_DROP,
	LOCAL_REFUSE
};

/* What to do with a question. On LOCAL_ANSWER, out (cap bytes) holds a
 * canonical answer (ID 0, no OPT, RA set) of *outlen bytes for the
 * front end to fit to the client. */
enum local_verdict localzone_answer(const struct local_zones *lz, const uint8_t *qname,
    uint16_t qtype, uint16_t qclass, uint8_t *out, size_t cap, size_t *outlen);

/* Number of zones and RRsets, for logs. */
void localzone_counts(const struct local_zones *lz, int *zones, int *rrsets);

#endif
