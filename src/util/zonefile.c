/*
 * zonefile.c -- zone files through ldns, with honest line numbers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/dname.h"
#include "util/zonefile.h"

int
zonefile_read(const char *path, size_t max, char **text, size_t *len,
    struct stat *st, char *err, size_t errlen)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	*text = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto err;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto err;
	}
	if ((size_t)st->st_size > max) {
		snprintf(err, errlen, "%s: larger than %zu MiB", path, max >> 20);
		goto err;
	}
	if ((*text = malloc((size_t)st->st_size + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto err;
	}
	while (got < (size_t)st->st_size) {
		n = read(fd, *text + got, (size_t)st->st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s: %s", path,
			    n < 0 ? strerror(errno) : "file shrank while being read");
			goto err;
		}
		got += (size_t)n;
	}
	close(fd);
	(*text)[got] = '\0';
	*len = got;
	return 0;
err:
	if (fd >= 0)
		close(fd);
	free(*text);
	*text = NULL;
	return -1;
}

/* The line the next record starts on: skip blank lines and comments
 * from pos, counting newlines. */
static uint32_t
record_line(const char *text, size_t len, size_t pos, uint32_t line)
{
	while (pos < len) {
		if (text[pos] == ';') {
			while (pos < len && text[pos] != '\n')
				pos++;
			continue;
		}
		if (text[pos] == '\n')
			line++;
		else if (text[pos] != ' ' && text[pos] != '\t' && text[pos] != '\r')
			break;
		pos++;
	}
	return line;
}

static uint32_t
count_lines(const char *p, size_t n)
{
	const char *end = p + n;
	uint32_t lines = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		lines++;
		p++;
	}
	return lines;
}

long
zonefile_parse(const char *path, const char *text, size_t len, const uint8_t *origin_name,
    zonefile_record_cb cb, void *arg, char *err, size_t errlen)
{
	ldns_rdf *origin, *prev = NULL;
	uint32_t default_ttl = 3600, line = 1, at;
	int ldns_line = 1, rc = 0;
	long count = 0, pos, next;
	ldns_status st;
	FILE *fp;

	origin = ldns_dname_new_frm_data((uint16_t)dname_len(origin_name), origin_name);
	fp = len > 0 ? fmemopen((void *)text, len, "r") : NULL;
	if (origin == NULL || (len > 0 && fp == NULL)) {
		snprintf(err, errlen, "%s: out of memory", path);
		rc = -1;
	}
	while (rc == 0 && fp != NULL && !feof(fp)) {
		ldns_rr *rr = NULL;

		if ((pos = ftell(fp)) < 0 || (size_t)pos > len) {
			snprintf(err, errlen, "%s: read error", path);
			rc = -1;
			break;
		}
		at = record_line(text, len, (size_t)pos, line);
		st = ldns_rr_new_frm_fp_l(&rr, fp, &default_ttl, &origin, &prev, &ldns_line);
		if ((next = ftell(fp)) < pos || (size_t)next > len)
			next = (long)len;
		line += count_lines(text + pos, (size_t)(next - pos));
		switch (st) {
		case LDNS_STATUS_OK:
			if (cb(arg, rr, at) != 0)
				rc = -1;
			else
				count++;
			break;
		case LDNS_STATUS_SYNTAX_EMPTY:
		case LDNS_STATUS_SYNTAX_TTL:
		case LDNS_STATUS_SYNTAX_ORIGIN:
			break;
		case LDNS_STATUS_SYNTAX_INCLUDE:
			snprintf(err, errlen, "%s:%u: $INCLUDE is not supported", path, at);
			rc = -1;
			break;
		default:
			snprintf(err, errlen, "%s:%u: %s", path, at, ldns_get_errorstr_by_id(st));
			rc = -1;
			break;
		}
		ldns_rr_free(rr);
	}
	if (fp != NULL)
		fclose(fp);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return rc == 0 ? count : -1;
}
