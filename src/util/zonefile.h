/*
 * zonefile.h -- reading zone files (RFC 1035 section 5) with ldns, one
 * record at a time, each with the line it starts on.
 *
 * ldns keeps a line count of its own, but it goes wrong after comments
 * and blank lines; error messages here name the line the record really
 * starts on. $TTL and $ORIGIN are honoured; $INCLUDE is refused.
 *
 * Ownership: zonefile_read's *text is the caller's to free. The records
 * handed to the callback belong to the reader and are freed when the
 * callback returns: copy what you keep.
 */
#ifndef RESOLVERD_UTIL_ZONEFILE_H
#define RESOLVERD_UTIL_ZONEFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <ldns/ldns.h>

/* Called for each record with the line it starts on: 0 to go on, -1 to
 * stop (the callback has said why, wherever its caller looks). */
typedef int (*zonefile_record_cb)(void *arg, const ldns_rr *rr, uint32_t line);

/* Read the regular file at path whole into *text (NUL-terminated, *len
 * bytes without the NUL), refusing files over max bytes; *st gets its
 * status (modification time...). 0, or -1 with "path: reason" in err. */
int zonefile_read(const char *path, size_t max, char **text, size_t *len,
    struct stat *st, char *err, size_t errlen);

/* Parse text (len bytes of zone file read from path, named in messages)
 * with origin (a wire-format name) for relative names, calling cb for
 * every record. Returns the number of records, or -1: stopped by cb, or
 * with "path:line: reason" (or "path: reason") in err for a record the
 * reader itself could not take. */
long zonefile_parse(const char *path, const char *text, size_t len,
    const uint8_t *origin, zonefile_record_cb cb, void *arg, char *err, size_t errlen);

#endif
