/*
 * textout.c -- the two text forms of the counters.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/textout.h"

#define LABELS_MAX 512

void
textout_init(struct textout *o, enum textout_format fmt)
{
	memset(o, 0, sizeof(*o));
	o->fmt = fmt;
}

void
textout_free(struct textout *o)
{
	free(o->buf);
	memset(o, 0, sizeof(*o));
}

static bool
reserve(struct textout *o, size_t more)
{
	size_t ncap;
	char *nb;

	if (o->failed)
		return false;
	if (o->len + more + 1 <= o->cap)
		return true;
	ncap = o->cap ? o->cap : 4096;
	while (ncap < o->len + more + 1)
		ncap *= 2;
	if ((nb = realloc(o->buf, ncap)) == NULL) {
		o->failed = true;
		return false;
	}
	o->buf = nb;
	o->cap = ncap;
	return true;
}

void
textout_printf(struct textout *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(o, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

char *
textout_escape(const char *s, bool help, char *out, size_t cap)
{
	size_t j = 0;
	const char *rep;

	for (; *s != '\0'; s++) {
		char one[2] = { *s, '\0' };
		if (*s == '\\')
			rep = "\\\\";
		else if (*s == '\n')
			rep = "\\n";
		else if (*s == '"' && !help)
			rep = "\\\"";
		else
			rep = one;
		if (j + strlen(rep) + 1 > cap)
			break;
		memcpy(out + j, rep, strlen(rep));
		j += strlen(rep);
	}
	if (cap > 0)
		out[j < cap ? j : cap - 1] = '\0';
	return out;
}

void
textout_family(struct textout *o, const char *name, const char *type, const char *help)
{
	char esc[1024];

	if (o->fmt != TEXTOUT_PROMETHEUS)
		return;
	textout_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name,
	    textout_escape(help, true, esc, sizeof(esc)), name, type);
}

/* name{a="x",b="y"} or name.x.y, with extra label le appended when
 * given. */
static void
series(struct textout *o, const char *name, const char *const *labels, const char *le,
    char *out, size_t cap)
{
	char esc[128];
	size_t j;
	int i;

	j = (size_t)snprintf(out, cap, "%s", name);
	if (o->fmt == TEXTOUT_FLAT) {
		for (i = 0; labels && labels[i] && j < cap; i += 2)
			j += (size_t)snprintf(out + j, cap - j, ".%s", labels[i + 1]);
		if (le && j < cap)
			snprintf(out + j, cap - j, ".%s", le);
		return;
	}
	if ((!labels || !labels[0]) && !le)
		return;
	if (j < cap)
		j += (size_t)snprintf(out + j, cap - j, "{");
	for (i = 0; labels && labels[i] && j < cap; i += 2)
		j += (size_t)snprintf(out + j, cap - j, "%s%s=\"%s\"", i ? "," : "", labels[i],
		    textout_escape(labels[i + 1], false, esc, sizeof(esc)));
	if (le && j < cap)
		j += (size_t)snprintf(out + j, cap - j, "%sle=\"%s\"",
		    labels && labels[0] ? "," : "", le);
	if (j < cap)
		snprintf(out + j, cap - j, "}");
}

static const char *
sep(const struct textout *o)
{
	return o->fmt == TEXTOUT_FLAT ? "=" : " ";
}

void
textout_u64(struct textout *o, const char *name, const char *const *labels, uint64_t v)
{
	char s[LABELS_MAX];

	series(o, name, labels, NULL, s, sizeof(s));
	textout_printf(o, "%s%s%llu\n", s, sep(o), (unsigned long long)v);
}

void
textout_double(struct textout *o, const char *name, const char *const *labels, double v)
{
	char s[LABELS_MAX];

	series(o, name, labels, NULL, s, sizeof(s));
	textout_printf(o, "%s%s%.10g\n", s, sep(o), v);
}

void
textout_hist(struct textout *o, const char *name, const char *const *labels,
    const struct hist *h, const struct hist_layout *l)
{
	char s[LABELS_MAX], n[128], le[32];
	uint64_t cum = 0;
	int i;

	snprintf(n, sizeof(n), "%s_bucket", name);
	for (i = 0; i <= l->n; i++) {
		cum += h->bucket[i];
		if (i < l->n)
			snprintf(le, sizeof(le), "%g", (double)l->le_ns[i] / 1e9);
		else
			snprintf(le, sizeof(le), "+Inf");
		series(o, n, labels, le, s, sizeof(s));
		textout_printf(o, "%s%s%llu\n", s, sep(o), (unsigned long long)cum);
	}
	snprintf(n, sizeof(n), "%s_sum", name);
	series(o, n, labels, NULL, s, sizeof(s));
	textout_printf(o, "%s%s%.9f\n", s, sep(o), (double)h->sum_ns / 1e9);
	snprintf(n, sizeof(n), "%s_count", name);
	series(o, n, labels, NULL, s, sizeof(s));
	textout_printf(o, "%s%s%llu\n", s, sep(o), (unsigned long long)cum);
}
