/*
 * textout.h -- writing counters as text: the Prometheus text exposition
 * format (version 0.0.4) for /metrics, or name=value lines for
 * `resolverctl stats`, from the same calls.
 *
 * In the flat form a sample's name is the metric name followed by its
 * label values, each after a dot (resolverd_queries_total.udp=12; a
 * histogram bucket's last value is its bound: ..._bucket.cache_hit.0.001).
 * Label values come from fixed sets, so neither form needs more than the
 * escaping the Prometheus format asks for.
 *
 * Output accumulates in a malloc'd buffer owned by the struct; after an
 * allocation failure further writes are ignored and failed is set.
 */
#ifndef RESOLVERD_STATS_TEXTOUT_H
#define RESOLVERD_STATS_TEXTOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats/hist.h"

enum textout_format { TEXTOUT_PROMETHEUS, TEXTOUT_FLAT };

struct textout {
	enum textout_format fmt;
	char *buf;                     /* NUL-terminated when len > 0 */
	size_t len, cap;
	bool failed;
};

void textout_init(struct textout *o, enum textout_format fmt);
void textout_free(struct textout *o);

/* Raw text (no escaping). */
void textout_printf(struct textout *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* # HELP and # TYPE lines (Prometheus form only); type is "counter",
 * "gauge" or "histogram". help is escaped as the format asks. */
void textout_family(struct textout *o, const char *name, const char *type, const char *help);

/* One sample. labels: name, value, name, value, ..., NULL (or NULL for
 * none). Values are escaped. */
void textout_u64(struct textout *o, const char *name, const char *const *labels, uint64_t v);
void textout_double(struct textout *o, const char *name, const char *const *labels, double v);

/* The _bucket (cumulative, with le), _sum (seconds) and _count samples
 * of a histogram of nanoseconds. */
void textout_hist(struct textout *o, const char *name, const char *const *labels,
    const struct hist *h, const struct hist_layout *l);

/* Escape s for a label value (\\, \", \n) or, with help, for a HELP
 * line (\\, \n) into out (cap bytes, NUL-terminated; cut short if it does
 * not fit). Returns out. */
char *textout_escape(const char *s, bool help, char *out, size_t cap);

#endif
