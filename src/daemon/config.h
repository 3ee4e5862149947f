/*
 * config.h -- resolver.conf: reading, checking and the resulting settings.
 *
 * The file is "key: value" lines, '#' comments, and indented blocks that
 * start with "stub-zone:" or "forward-zone:" (their keys are indented
 * below them). An optional "server:" line is accepted and ignored so that
 * Unbound-style files read naturally. Keys mean what the same key means in
 * Unbound. Any unknown key or bad value makes config_load fail with
 * "file:line: what is wrong" in err.
 *
 * Ownership: config_load returns a struct config the caller frees with
 * config_free. config_build_iter makes an independent struct iter_config
 * (refcount 1) that the caller unrefs.
 */
#ifndef RESOLVERD_DAEMON_CONFIG_H
#define RESOLVERD_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/dname.h"
#include "util/netaddr.h"
#include "iter/iter.h"
#include "net/transport.h"
#include "daemon/localzone.h"

/* Where resolverd listens for resolverctl unless control-socket: says. */
#define CONFIG_DEFAULT_CONTROL_SOCKET "/run/resolverd.sock"

enum acl_action { ACL_DENY = 0, ACL_REFUSE = 1, ACL_ALLOW = 2 };

struct acl_entry {
	struct netblock block;
	enum acl_action action;
};

struct config_zone {            /* a stub-zone: or forward-zone: block */
	uint8_t name[DNAME_MAX];
	bool forward;
	int naddrs;
	struct netaddr *addrs;
	int line;                   /* where it started, for messages */
};

struct config {
	char *file;                 /* path it was read from */
	int verbosity;              /* 0-4, default 1 */
	int num_threads;            /* 0/absent in the file: number of CPUs (resolved) */
	uint16_t port;              /* default 53 */
	int ninterfaces;            /* default 127.0.0.1 and ::1 */
	struct netaddr *interfaces; /* port filled (explicit @port or port:) */
	/* Every socket to open, built from interface:, do-udp:, do-tcp: and
	 * http-interface: (listeners.c): what start-up probes and opens, what
	 * a reload compares and what the descriptor budget counts. */
	int nlisteners;
	struct listener *listeners;
	int noutgoing;
	struct netaddr *outgoing;   /* outgoing-interface: (port 0) */
	int nacl;                   /* most specific match wins */
	struct acl_entry *acl;      /* built in: 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104 allow;
	                             * 0.0.0.0/0, ::/0 refuse. A user entry for the same
	                             * netblock replaces the built-in one(s). */
	bool do_ip4, do_ip6, do_udp, do_tcp;
	uint32_t tcp_idle_timeout_ms;   /* default 10000 */
	int tcp_max_connections;        /* per worker; default 100 */
	char *root_hints;               /* default DATADIR "/named.root"; relative
	                                 * paths resolved against the file's dir */
	size_t cache_size;              /* bytes, default 64m */
	uint32_t cache_min_ttl;         /* default 0 */
	uint32_t cache_max_ttl;         /* default 86400 */
	uint32_t cache_max_negative_ttl;/* default 3600 */
	bool harden_glue;               /* default yes */
	bool qname_minimisation;        /* default yes */
	bool do_not_query_localhost;    /* default yes */
	uint16_t edns_buffer_size;      /* upstream, default 1232 */
	uint16_t max_udp_size;          /* to clients, default 1232 */
	int nzones;
	struct config_zone *zones;
	/* DNSSEC: module-config "validator iterator" (default) validates with
	 * the anchors below, or with DATADIR/root.key when none is given;
	 * "iterator" resolves without validating. */
	bool validation;
	char *module_config;
	int ntrust_anchor_files;
	char **trust_anchor_files;
	int ntrust_anchors;
	char **trust_anchors;           /* one RR in presentation form each */
	int ndomain_insecure;
	uint8_t (*domain_insecure)[DNAME_MAX];
	/* local-zone:, local-data:, local-data-ptr: lines in file order, and
	 * the table built from them and the built-in zones (never NULL after
	 * config_load) */
	int nlocal_lines;
	struct local_line *local_lines;
	struct local_zones *local;
	bool unblock_lan_zones;         /* default no: RFC 6303 zones answered here */
	/* Upstream trouble and freshness */
	bool prefetch;                  /* default yes */
	bool serve_expired;             /* RFC 8767, default yes */
	uint32_t serve_expired_ttl;     /* seconds past expiry, default 86400 */
	uint32_t serve_expired_reply_ttl;       /* TTL of stale answers, default 30 */
	uint32_t serve_expired_client_timeout;  /* ms upstream is tried first, default 1800 */
	uint32_t infra_host_ttl;        /* seconds, default 900 */
	uint32_t infra_cache_numhosts;  /* default 10000 */
	uint32_t infra_probe_share;     /* percent of server choices that probe another; default 5 */
	char *root_zone_file;           /* RFC 8806 local root; NULL: none */
	int root_zone_file_line;
	/* The operator's view */
	char *control_socket;           /* default /run/resolverd.sock */
	bool control_socket_set;        /* given in the file (else failing to
	                                 * open the default is only a warning) */
};

/* Read path. On error returns NULL and writes "path:line: reason" (or
 * "path: reason" when not tied to a line) into err. */
struct config *config_load(const char *path, char *err, size_t errlen);

/* Parse a size with optional k/m/g suffix ("64m"). 0 or -1. */
int config_parse_size(const char *s, size_t *out);

/* Build the engine's view; loads root hints (may fail: NULL + err). */
struct iter_config *config_build_iter(const struct config *cfg, char *err, size_t errlen);

void config_free(struct config *cfg);

/* The listener list (listeners.c). Same rows in the same order: */
bool config_listeners_same(const struct config *a, const struct config *b);
/* Nobody else listens where a row wants to: 0, or -1 with a sentence. */
int config_listeners_probe(const struct config *cfg, char *err, size_t errlen);
/* Descriptors the listening sockets take: per worker, or once. */
int config_listener_fds(const struct config *cfg, bool per_worker);
/* Rows of one transport. */
int config_count_listeners(const struct config *cfg, enum transport t);

/* What access-control says about a client address: the entry with the
 * longest matching prefix wins. As in util/netaddr, ::ffff:a.b.c.d is the
 * IPv4 address a.b.c.d (::ffff:10.0.0.0/104 is 10.0.0.0/8). ACL_REFUSE
 * when nothing matches. */
enum acl_action config_acl_lookup(const struct config *cfg, const struct sockaddr *sa);

#endif
