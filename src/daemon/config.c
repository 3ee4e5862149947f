/*
 * config.c -- reading resolver.conf: lines, blocks and the checks that need
 * the whole file. The keys themselves are in config_keys.c.
 *
 * The reader is strict on purpose: a typing mistake in a resolver's
 * configuration should stop it at start-up (and fail "resolverd -t") with
 * the file and line, rather than quietly change how it behaves.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/config_int.h"
#include "auth/authzone.h"
#include "dnssec/dnssec.h"

#ifndef DATADIR
#define DATADIR "/usr/local/share/resolverd"
#endif

int
cfg_perr(struct parser *p, int line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(p->err, p->errlen, "%s:%d: %s", p->path, line, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->path, msg);
	return -1;
}

int
cfg_nomem(struct parser *p)
{
	return cfg_perr(p, p->line, "out of memory");
}

/* Room for one more element; the old array stays valid on failure. */
void *
cfg_grow(void *arr, int n, size_t size)
{
	return realloc(arr, ((size_t)n + 1) * size);
}

char *
cfg_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	return s;
}

/*
 * A '#' starts a comment only at the start of a line or after blank
 * space, and never inside quotes, so that "192.0.2.1#53" keeps its port.
 */
static void
strip_comment(char *s)
{
	char quote = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (quote) {
			if (s[i] == quote)
				quote = 0;
		} else if (s[i] == '"' || s[i] == '\'') {
			quote = s[i];
		} else if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' ||
		    s[i - 1] == '\t')) {
			s[i] = '\0';
			return;
		}
	}
}

static int
dequote(struct parser *p, char **valp)
{
	char *v = *valp, *end;

	if (v[0] != '"' && v[0] != '\'')
		return 0;
	if ((end = strchr(v + 1, v[0])) == NULL)
		return cfg_perr(p, p->line, "missing closing quote");
	/* Unbound writes local-zone: "name" type: the quotes cover only the
	 * first word. Drop them and keep the rest for the key to check. */
	memmove(end, end + 1, strlen(end + 1) + 1);
	*valp = v + 1;
	return 0;
}

static void
set_port(struct netaddr *a, uint16_t port)
{
	struct sockaddr_in *sin = (void *)&a->ss;
	struct sockaddr_in6 *sin6 = (void *)&a->ss;

	if (a->ss.ss_family == AF_INET)
		sin->sin_port = htons(port);
	else if (a->ss.ss_family == AF_INET6)
		sin6->sin6_port = htons(port);
}

static const char *
addr_str(const struct netaddr *a, char *buf, size_t len)
{
	return netaddr_str((const struct sockaddr *)&a->ss, buf, len);
}

static const char *
zone_kind(const struct config_zone *z)
{
	return z->forward ? "forward-zone" : "stub-zone";
}

static int
finish_zone(struct parser *p)
{
	struct config_zone *z = p->zone;
	char name[DNAME_STR_MAX];

	p->zone = NULL;
	if (p->zone_name_line == 0)
		return cfg_perr(p, z->line, "%s block has no name", zone_kind(z));
	if (z->naddrs == 0)
		return cfg_perr(p, z->line, "%s '%s' has no %s", zone_kind(z),
		    dname_to_str(z->name, name, sizeof(name)),
		    z->forward ? "forward-addr" : "stub-addr");
	return 0;
}

static int
start_zone(struct parser *p, bool forward)
{
	struct config *cfg = p->cfg;
	struct config_zone *nz;

	if (p->zone != NULL && finish_zone(p) != 0)
		return -1;
	if ((nz = cfg_grow(cfg->zones, cfg->nzones, sizeof(*nz))) == NULL)
		return cfg_nomem(p);
	cfg->zones = nz;
	p->zone = &nz[cfg->nzones++];
	memset(p->zone, 0, sizeof(*p->zone));
	p->zone->forward = forward;
	p->zone->line = p->line;
	p->zone_name_line = 0;
	return 0;
}

static bool
is_zone_key(const char *key)
{
	static const char *const zk[] = { "name", "stub-addr", "forward-addr",
	    "stub-host", "forward-host", NULL };
	int i;

	for (i = 0; zk[i] != NULL; i++)
		if (strcmp(key, zk[i]) == 0)
			return true;
	return false;
}

static int
zone_name(struct parser *p, struct config_zone *z, const char *val)
{
	struct config *cfg = p->cfg;
	uint8_t name[DNAME_MAX];
	char buf[DNAME_STR_MAX];
	int i;

	if (p->zone_name_line != 0)
		return cfg_perr(p, p->line, "name already set on line %d",
		    p->zone_name_line);
	if (dname_from_str(val, name) < 0)
		return cfg_perr(p, p->line, "name must be a domain name, got '%s'",
		    val);
	for (i = 0; i < cfg->nzones && &cfg->zones[i] != z; i++)
		if (dname_equal(cfg->zones[i].name, name))
			return cfg_perr(p, p->line, "duplicate zone '%s' (first "
			    "defined on line %d)",
			    dname_to_str(name, buf, sizeof(buf)),
			    cfg->zones[i].line);
	dname_copy_lower(z->name, name);
	p->zone_name_line = p->line;
	return 0;
}

static int
zone_key(struct parser *p, const char *key, const char *val)
{
	struct config_zone *z = p->zone;
	const char *addrkey;
	struct netaddr a, *na;
	char buf[64];
	int i;

	if (z == NULL)
		return cfg_perr(p, p->line, "'%s' belongs in a stub-zone: or "
		    "forward-zone: block", key);
	addrkey = z->forward ? "forward-addr" : "stub-addr";
	if (*val == '\0')
		return cfg_perr(p, p->line, "missing value for '%s'", key);
	if (strcmp(key, "name") == 0)
		return zone_name(p, z, val);
	if (strcmp(key, "stub-host") == 0 || strcmp(key, "forward-host") == 0)
		return cfg_perr(p, p->line, "%s is not supported: give the "
		    "servers' addresses with %s", key, addrkey);
	if (strcmp(key, addrkey) != 0)
		return cfg_perr(p, p->line, "%s in a %s block (use %s)", key,
		    zone_kind(z), addrkey);
	if (netaddr_parse(val, 53, &a) != 0)
		return cfg_perr(p, p->line, "%s must be an IP address with "
		    "optional @port, got '%s'", key, val);
	for (i = 0; i < z->naddrs; i++)
		if (netaddr_equal((const struct sockaddr *)&z->addrs[i].ss,
		    (const struct sockaddr *)&a.ss))
			return cfg_perr(p, p->line, "%s %s listed twice", key,
			    addr_str(&a, buf, sizeof(buf)));
	if ((na = cfg_grow(z->addrs, z->naddrs, sizeof(*na))) == NULL)
		return cfg_nomem(p);
	z->addrs = na;
	na[z->naddrs++] = a;
	return 0;
}

static int
parse_line(struct parser *p, char *s)
{
	char *colon, *key, *val;

	strip_comment(s);
	s = cfg_trim(s);
	if (*s == '\0')
		return 0;
	if ((colon = strchr(s, ':')) == NULL)
		return cfg_perr(p, p->line, "expected 'key: value', got '%s'", s);
	*colon = '\0';
	key = cfg_trim(s);
	val = cfg_trim(colon + 1);
	if (dequote(p, &val) != 0)
		return -1;

	if (strcmp(key, "server") == 0 || strcmp(key, "stub-zone") == 0 ||
	    strcmp(key, "forward-zone") == 0) {
		if (*val != '\0')
			return cfg_perr(p, p->line, "'%s:' starts a section and "
			    "takes no value", key);
		if (strcmp(key, "server") == 0)
			return p->zone != NULL ? finish_zone(p) : 0;
		return start_zone(p, strcmp(key, "forward-zone") == 0);
	}
	if (is_zone_key(key))
		return zone_key(p, key, val);
	/* Any other key closes the block: blocks have no end marker. */
	if (p->zone != NULL && finish_zone(p) != 0)
		return -1;
	return cfg_handle_key(p, key, val);
}

static const char *
default_root_hints(void)
{
#ifdef ABS_TOP_SRCDIR
	/* Lets a build that was never installed run from its source tree. */
	if (access(DATADIR "/named.root", F_OK) != 0 &&
	    access(ABS_TOP_SRCDIR "/zones/named.root", F_OK) == 0)
		return ABS_TOP_SRCDIR "/zones/named.root";
#endif
	return DATADIR "/named.root";
}

static int
set_defaults(struct parser *p)
{
	static const char *const allow[] = { "127.0.0.0/8", "::1",
	    "::ffff:127.0.0.0/104", NULL };
	struct config *cfg = p->cfg;
	int i;

	cfg->verbosity = 1;
	cfg->port = 53;
	cfg->do_ip4 = cfg->do_ip6 = cfg->do_udp = cfg->do_tcp = true;
	cfg->tcp_idle_timeout_ms = 10000;
	cfg->tcp_max_connections = 100;
	cfg->cache_size = 64 << 20;
	cfg->cache_max_ttl = 86400;
	cfg->cache_max_negative_ttl = 3600;
	cfg->validation = true;
	cfg->harden_glue = true;
	cfg->qname_minimisation = true;
	cfg->do_not_query_localhost = true;
	cfg->edns_buffer_size = 1232;
	cfg->max_udp_size = 1232;
	cfg->prefetch = true;
	cfg->serve_expired = true;
	cfg->serve_expired_ttl = 86400;
	cfg->serve_expired_reply_ttl = 30;
	cfg->serve_expired_client_timeout = 1800;
	cfg->infra_host_ttl = 900;
	cfg->infra_cache_numhosts = 10000;
	cfg->infra_probe_share = 5;
	cfg->file = strdup(p->path);
	cfg->root_hints = strdup(default_root_hints());
	cfg->control_socket = strdup(CONFIG_DEFAULT_CONTROL_SOCKET);
	if (!cfg->file || !cfg->root_hints || !cfg->control_socket)
		return cfg_nomem(p);
	for (i = 0; allow[i] != NULL; i++)
		if (cfg_acl_set(p, allow[i], ACL_ALLOW, 0) != 0)
			return -1;
	if (cfg_acl_set(p, "0.0.0.0/0", ACL_REFUSE, 0) != 0 ||
	    cfg_acl_set(p, "::/0", ACL_REFUSE, 0) != 0)
		return -1;
	return 0;
}

static int
later(const struct parser *p, const char *a, const char *b)
{
	int la = cfg_key_line(p, a), lb = cfg_key_line(p, b);

	return la > lb ? la : lb;
}

/* The local zone table, built-in zones included: stub and forward zones
 * take the place of built-in zones of their name. */
static int
build_local_zones(struct parser *p)
{
	struct config *cfg = p->cfg;
	struct localzone_setup setup;
	const uint8_t **served;
	int i;

	if ((served = calloc((size_t)cfg->nzones + 1, sizeof(*served))) == NULL)
		return cfg_nomem(p);
	for (i = 0; i < cfg->nzones; i++)
		served[i] = cfg->zones[i].name;
	setup.unblock_lan_zones = cfg->unblock_lan_zones;
	setup.nserved = cfg->nzones;
	setup.served = served;
	cfg->local = localzone_create(cfg->local_lines, cfg->nlocal_lines, &setup,
	    p->path, p->err, p->errlen);
	free(served);
	return cfg->local != NULL ? 0 : -1;
}

/* Checks that need the whole file, and values that depend on other keys
 * whatever their order. */
static int
finish(struct parser *p)
{
	struct config *cfg = p->cfg;
	char buf[64];
	long n;
	int i, j, line;

	if (!cfg->do_ip4 && !cfg->do_ip6)
		return cfg_perr(p, later(p, "do-ip4", "do-ip6"),
		    "do-ip4 and do-ip6 are both no");
	if (!cfg->do_udp && !cfg->do_tcp)
		return cfg_perr(p, later(p, "do-udp", "do-tcp"),
		    "do-udp and do-tcp are both no");
	if (cfg->cache_min_ttl > cfg->cache_max_ttl)
		return cfg_perr(p, later(p, "cache-min-ttl", "cache-max-ttl"),
		    "cache-min-ttl (%u) is greater than cache-max-ttl (%u)",
		    (unsigned)cfg->cache_min_ttl, (unsigned)cfg->cache_max_ttl);
	if (cfg->ninterfaces == 0) {
		if (cfg->do_ip4 && cfg_add_interface(p, "127.0.0.1", 0) != 0)
			return -1;
		if (cfg->do_ip6 && cfg_add_interface(p, "::1", 0) != 0)
			return -1;
	}
	for (i = 0; i < cfg->ninterfaces; i++) {
		struct netaddr *a = &cfg->interfaces[i];

		line = p->iface_line[i];
		if (!p->iface_port[i])
			set_port(a, cfg->port);
		addr_str(a, buf, sizeof(buf));
		if (a->ss.ss_family == AF_INET && !cfg->do_ip4)
			return cfg_perr(p, line, "interface %s is IPv4 but do-ip4 "
			    "is no", buf);
		if (a->ss.ss_family == AF_INET6 && !cfg->do_ip6)
			return cfg_perr(p, line, "interface %s is IPv6 but do-ip6 "
			    "is no", buf);
		for (j = 0; j < i; j++)
			if (netaddr_equal((const struct sockaddr *)&a->ss,
			    (const struct sockaddr *)&cfg->interfaces[j].ss))
				return cfg_perr(p, line, "interface %s listed "
				    "twice (also on line %d)", buf,
				    p->iface_line[j]);
	}
	if (cfg_build_listeners(p) != 0)
		return -1;
	if (build_local_zones(p) != 0)
		return -1;
	cfg->root_zone_file_line = cfg_key_line(p, "root-zone-file");
	if (cfg->num_threads == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		cfg->num_threads = n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
	}
	return 0;
}

struct config *
config_load(const char *path, char *err, size_t errlen)
{
	struct parser p;
	FILE *f;
	char *buf = NULL;
	size_t cap = 0;
	int rc;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.err = err;
	p.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	if ((f = fopen(path, "r")) == NULL) {
		cfg_perr(&p, 0, "%s", strerror(errno));
		return NULL;
	}
	if ((p.cfg = calloc(1, sizeof(*p.cfg))) == NULL) {
		fclose(f);
		cfg_perr(&p, 0, "out of memory");
		return NULL;
	}
	rc = set_defaults(&p);
	while (rc == 0 && getline(&buf, &cap, f) != -1) {
		p.line++;
		buf[strcspn(buf, "\r\n")] = '\0';
		rc = parse_line(&p, buf);
	}
	if (rc == 0 && ferror(f))
		rc = cfg_perr(&p, 0, "read error: %s", strerror(errno));
	if (rc == 0 && p.zone != NULL)
		rc = finish_zone(&p);
	if (rc == 0)
		rc = finish(&p);
	free(buf);
	fclose(f);
	free(p.iface_line);
	free(p.iface_port);
	free(p.acl_line);
	if (rc != 0) {
		config_free(p.cfg);
		return NULL;
	}
	return p.cfg;
}

void
config_free(struct config *cfg)
{
	int i;

	if (cfg == NULL)
		return;
	free(cfg->file);
	free(cfg->interfaces);
	free(cfg->listeners);
	free(cfg->outgoing);
	free(cfg->acl);
	free(cfg->root_hints);
	free(cfg->root_zone_file);
	for (i = 0; i < cfg->nzones; i++)
		free(cfg->zones[i].addrs);
	free(cfg->zones);
	for (i = 0; i < cfg->ntrust_anchor_files; i++)
		free(cfg->trust_anchor_files[i]);
	free(cfg->trust_anchor_files);
	for (i = 0; i < cfg->ntrust_anchors; i++)
		free(cfg->trust_anchors[i]);
	free(cfg->trust_anchors);
	free(cfg->domain_insecure);
	for (i = 0; i < cfg->nlocal_lines; i++)
		free(cfg->local_lines[i].text);
	free(cfg->local_lines);
	localzone_free(cfg->local);
	free(cfg->control_socket);
	free(cfg->module_config);
	free(cfg);
}

/* The hints are the engine's: iter_config_unref clears them itself. */
static void
iter_extra_free(struct iter_config *ic)
{
	struct iter_zone *z, *next;

	free(ic->outgoing);
	ic->outgoing = NULL;
	ic->noutgoing = 0;
	for (z = ic->zones; z != NULL; z = next) {
		next = z->next;
		free(z->addrs);
		free(z);
	}
	ic->zones = NULL;
	val_anchors_free(ic->anchors);
	ic->anchors = NULL;
	authzone_free(ic->root_zone);
	ic->root_zone = NULL;
}

/* The anchors the validator starts from: the configured ones, else the
 * root key installed with the program. */
static int
build_anchors(const struct config *cfg, struct iter_config *ic, char *err, size_t errlen)
{
	char path[4096];
	int i;

	if (!cfg->validation)
		return 0;
	if ((ic->anchors = val_anchors_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < cfg->ntrust_anchor_files; i++)
		if (val_anchors_add_file(ic->anchors, cfg->trust_anchor_files[i], err, errlen) < 0)
			return -1;
	for (i = 0; i < cfg->ntrust_anchors; i++)
		if (val_anchors_add_str(ic->anchors, cfg->trust_anchors[i], err, errlen) != 0)
			return -1;
	if (cfg->ntrust_anchor_files == 0 && cfg->ntrust_anchors == 0) {
		snprintf(path, sizeof(path), "%s/root.key", DATADIR);
		if (access(path, R_OK) != 0)
			snprintf(path, sizeof(path), "%s/zones/root.key", ABS_TOP_SRCDIR);
		if (val_anchors_add_file(ic->anchors, path, err, errlen) < 0)
			return -1;
	}
	for (i = 0; i < cfg->ndomain_insecure; i++)
		if (val_anchors_add_insecure(ic->anchors, cfg->domain_insecure[i]) != 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	return 0;
}

/* RFC 8806: a root zone copy, checked now (a stale one is refused). */
static int
load_root_zone(const struct config *cfg, struct iter_config *ic, char *err, size_t errlen)
{
	char why[512];

	if (cfg->root_zone_file == NULL)
		return 0;
	ic->root_zone = authzone_load(cfg->root_zone_file, (const uint8_t *)"", time(NULL),
	    why, sizeof(why));
	if (ic->root_zone != NULL && cfg->validation && !authzone_signed(ic->root_zone)) {
		/* Validation would find every answer bogus: say so now. */
		snprintf(why, sizeof(why), "%s: the copy is not signed (no signed DNSKEY at "
		    "the apex) but DNSSEC validation is on; use the root zone as IANA "
		    "publishes it, or module-config: \"iterator\"", cfg->root_zone_file);
		authzone_free(ic->root_zone);
		ic->root_zone = NULL;
	}
	if (ic->root_zone == NULL) {
		if (cfg->root_zone_file_line > 0)
			snprintf(err, errlen, "%s:%d: root-zone-file: %s", cfg->file,
			    cfg->root_zone_file_line, why);
		else
			snprintf(err, errlen, "root-zone-file: %s", why);
		return -1;
	}
	return 0;
}

struct iter_config *
config_build_iter(const struct config *cfg, char *err, size_t errlen)
{
	struct iter_config *ic;
	struct iter_zone *z, **tail;
	int i;

	if ((ic = iter_config_new()) == NULL)
		goto cfg_nomem;
	ic->free_extra = iter_extra_free;
	ic->qname_minimisation = cfg->qname_minimisation;
	ic->harden_glue = cfg->harden_glue;
	ic->do_ip4 = cfg->do_ip4;
	ic->do_ip6 = cfg->do_ip6;
	ic->do_not_query_localhost = cfg->do_not_query_localhost;
	ic->cache_min_ttl = cfg->cache_min_ttl;
	ic->cache_max_ttl = cfg->cache_max_ttl;
	ic->cache_max_negative_ttl = cfg->cache_max_negative_ttl;
	ic->edns_buffer_size = cfg->edns_buffer_size;
	ic->serve_expired = cfg->serve_expired;
	ic->serve_expired_ttl = cfg->serve_expired_ttl;
	ic->infra_host_ttl = cfg->infra_host_ttl;
	ic->infra_cache_numhosts = cfg->infra_cache_numhosts;
	ic->explore_permille = (uint16_t)(cfg->infra_probe_share * 10);
	if (cfg->noutgoing > 0) {
		ic->outgoing = calloc((size_t)cfg->noutgoing,
		    sizeof(*ic->outgoing));
		if (ic->outgoing == NULL)
			goto cfg_nomem;
		memcpy(ic->outgoing, cfg->outgoing,
		    (size_t)cfg->noutgoing * sizeof(*ic->outgoing));
		ic->noutgoing = cfg->noutgoing;
	}
	tail = &ic->zones;
	for (i = 0; i < cfg->nzones; i++) {
		if ((z = calloc(1, sizeof(*z))) == NULL)
			goto cfg_nomem;
		*tail = z;
		tail = &z->next;
		memcpy(z->name, cfg->zones[i].name, sizeof(z->name));
		z->forward = cfg->zones[i].forward;
		z->addrs = calloc((size_t)cfg->zones[i].naddrs,
		    sizeof(*z->addrs));
		if (z->addrs == NULL)
			goto cfg_nomem;
		memcpy(z->addrs, cfg->zones[i].addrs,
		    (size_t)cfg->zones[i].naddrs * sizeof(*z->addrs));
		z->naddrs = cfg->zones[i].naddrs;
	}
	if (iter_hints_load(&ic->hints, cfg->root_hints, err, errlen) != 0 ||
	    build_anchors(cfg, ic, err, errlen) != 0 ||
	    load_root_zone(cfg, ic, err, errlen) != 0) {
		iter_config_unref(ic);
		return NULL;
	}
	return ic;
cfg_nomem:
	snprintf(err, errlen, "out of memory");
	if (ic != NULL)
		iter_config_unref(ic);
	return NULL;
}
