/*
 * log.c -- log lines on stderr.
 *
 * Each line is formatted into a local buffer and written with a single
 * fprintf, so lines from different threads never interleave.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

_Atomic int log_verbosity = 1;
static const char *log_ident = "resolverd";

void
log_set_ident(const char *ident)
{
	log_ident = ident != NULL ? ident : "resolverd";
}

static void
log_vline(const char *level, const char *fmt, va_list ap)
{
	char msg[1024], stamp[32];
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	if (strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		stamp[0] = '\0';
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s.%03d %s[%d]: %s: %s\n", stamp, (int)(tv.tv_usec / 1000),
	    log_ident, (int)getpid(), level, msg);
}

void
log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline("error", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline("warning", fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < 1)
		return;
	va_start(ap, fmt);
	log_vline("info", fmt, ap);
	va_end(ap);
}

void
log_debug_(int level, const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < level)
		return;
	va_start(ap, fmt);
	log_vline("debug", fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline("fatal error", fmt, ap);
	va_end(ap);
	exit(1);
}
