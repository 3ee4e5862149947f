/*
 * log.h -- logging to stderr (or syslog later).
 *
 * log_err / log_warn / log_info always print (info only at verbosity >= 1);
 * log_debug(level, ...) prints when verbosity >= level (2..4).
 * fatal() is for start-up failures and broken invariants only: it logs and
 * exits with status 1.
 */
#ifndef RESOLVERD_UTIL_LOG_H
#define RESOLVERD_UTIL_LOG_H

#include <stdarg.h>
#include <stdatomic.h>

/* 0: errors only, 1: operational info, 2: per-query details
 * (validation failures, SERVFAIL reasons), 3: iterator trace, 4: wire.
 * Atomic: the control channel changes it while workers log. */
extern _Atomic int log_verbosity;

/* Identity printed in each line, e.g. "resolverd". Not copied. */
void log_set_ident(const char *ident);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug_(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Avoid evaluating arguments when the level is off. */
#define log_debug(level, ...) \
	do { if (log_verbosity >= (level)) log_debug_((level), __VA_ARGS__); } while (0)

#endif
