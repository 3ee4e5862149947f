/*
 * config_int.h -- shared by the two halves of the resolver.conf reader:
 * config.c (lines, blocks, whole-file checks) and config_keys.c (the keys
 * and their values). Not for use outside src/daemon/config*.c.
 */
#ifndef RESOLVERD_DAEMON_CONFIG_INT_H
#define RESOLVERD_DAEMON_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/config.h"

#define CONFIG_MAX_KEYS 64

struct parser {
	const char *path;
	int line;
	char *err;
	size_t errlen;
	struct config *cfg;
	struct config_zone *zone;       /* block being read, or NULL */
	int zone_name_line;             /* its name: line, 0 if none yet */
	/* Parallel to cfg->interfaces: where each came from and whether it
	 * names its own port (so port: can apply to the others at the end). */
	int *iface_line;
	bool *iface_port;
	int *acl_line;                  /* parallel to cfg->acl; 0 = built in */
	int keyline[CONFIG_MAX_KEYS];                /* where each single-valued key was set */
};

/* Writes "path:line: message" (or "path: message" for line 0) into the
 * parser's error buffer and returns -1. */
int cfg_perr(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int cfg_nomem(struct parser *p);
/* Room for element n (arrays grow one at a time: files are small). NULL on
 * failure, the old array still valid. */
void *cfg_grow(void *arr, int n, size_t size);
char *cfg_trim(char *s);

int cfg_handle_key(struct parser *p, const char *key, char *val);
/* Line a single-valued key was set on, 0 if it was not. */
int cfg_key_line(const struct parser *p, const char *name);
int cfg_add_interface(struct parser *p, const char *val, int line);
int cfg_acl_set(struct parser *p, const char *text, enum acl_action action, int line);

/* listeners.c: a listener row (http-interface: adds them while reading),
 * and the DNS rows for every interface once the file is read. */
int cfg_add_listener(struct parser *p, const struct netaddr *a, enum transport t, int line);
int cfg_build_listeners(struct parser *p);

#endif
