/*
 * config_keys.c -- the keys of resolver.conf, their values and checks, and
 * the access-control lookup.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/config_int.h"
#include "dnssec/dnssec.h"

#define TTL_MAX 2147483647LL            /* RFC 2181 */

enum ktype { K_BOOL, K_INT, K_U32, K_U16, K_SIZE, K_PATH, K_STR, K_FUNC };

struct key {
	const char *name;
	const char *alias;              /* Unbound's or the other spelling */
	enum ktype type;
	size_t off;                     /* into struct config */
	long long min, max;
	int (*fn)(struct parser *, const char *, char *);
};

static int key_interface(struct parser *, const char *, char *);
static int key_outgoing(struct parser *, const char *, char *);
static int key_acl(struct parser *, const char *, char *);
static int key_ta_file(struct parser *, const char *, char *);
static int key_ta(struct parser *, const char *, char *);
static int key_insecure(struct parser *, const char *, char *);
static int key_local(struct parser *, const char *, char *);
static int key_module_config(struct parser *, const char *, char *);
static int key_http_interface(struct parser *, const char *, char *);
static int key_control_socket(struct parser *, const char *, char *);

#define OFF(f) offsetof(struct config, f)
static const struct key keys[] = {
	{ "verbosity", NULL, K_INT, OFF(verbosity), 0, 4, NULL },
	{ "num-threads", NULL, K_INT, OFF(num_threads), 0, 1024, NULL },
	{ "interface", NULL, K_FUNC, 0, 0, 0, key_interface },
	{ "port", NULL, K_U16, OFF(port), 1, 65535, NULL },
	{ "outgoing-interface", NULL, K_FUNC, 0, 0, 0, key_outgoing },
	{ "access-control", NULL, K_FUNC, 0, 0, 0, key_acl },
	{ "do-ip4", NULL, K_BOOL, OFF(do_ip4), 0, 0, NULL },
	{ "do-ip6", NULL, K_BOOL, OFF(do_ip6), 0, 0, NULL },
	{ "do-udp", NULL, K_BOOL, OFF(do_udp), 0, 0, NULL },
	{ "do-tcp", NULL, K_BOOL, OFF(do_tcp), 0, 0, NULL },
	{ "tcp-idle-timeout", NULL, K_U32, OFF(tcp_idle_timeout_ms), 100, 3600000, NULL },
	{ "tcp-max-connections", "incoming-num-tcp", K_INT, OFF(tcp_max_connections), 1, 65535, NULL },
	{ "root-hints", NULL, K_PATH, OFF(root_hints), 0, 0, NULL },
	{ "cache-size", NULL, K_SIZE, OFF(cache_size), 65536, 0, NULL },
	{ "cache-min-ttl", NULL, K_U32, OFF(cache_min_ttl), 0, TTL_MAX, NULL },
	{ "cache-max-ttl", NULL, K_U32, OFF(cache_max_ttl), 0, TTL_MAX, NULL },
	{ "cache-max-negative-ttl", NULL, K_U32, OFF(cache_max_negative_ttl), 0, TTL_MAX, NULL },
	{ "harden-glue", NULL, K_BOOL, OFF(harden_glue), 0, 0, NULL },
	{ "qname-minimisation", "qname-minimization", K_BOOL, OFF(qname_minimisation), 0, 0, NULL },
	{ "do-not-query-localhost", NULL, K_BOOL, OFF(do_not_query_localhost), 0, 0, NULL },
	{ "edns-buffer-size", NULL, K_U16, OFF(edns_buffer_size), 512, 65535, NULL },
	{ "max-udp-size", NULL, K_U16, OFF(max_udp_size), 512, 65535, NULL },
	{ "trust-anchor-file", NULL, K_FUNC, 0, 0, 0, key_ta_file },
	{ "trust-anchor", NULL, K_FUNC, 0, 0, 0, key_ta },
	{ "domain-insecure", NULL, K_FUNC, 0, 0, 0, key_insecure },
	{ "control-socket", NULL, K_FUNC, 0, 0, 0, key_control_socket },
	{ "http-interface", NULL, K_FUNC, 0, 0, 0, key_http_interface },
	{ "module-config", NULL, K_FUNC, 0, 0, 0, key_module_config },
	{ "local-zone", NULL, K_FUNC, 0, 0, 0, key_local },
	{ "local-data", NULL, K_FUNC, 0, 0, 0, key_local },
	{ "local-data-ptr", NULL, K_FUNC, 0, 0, 0, key_local },
	{ "unblock-lan-zones", NULL, K_BOOL, OFF(unblock_lan_zones), 0, 0, NULL },
	{ "prefetch", NULL, K_BOOL, OFF(prefetch), 0, 0, NULL },
	{ "serve-expired", NULL, K_BOOL, OFF(serve_expired), 0, 0, NULL },
	{ "serve-expired-ttl", NULL, K_U32, OFF(serve_expired_ttl), 0, TTL_MAX, NULL },
	{ "serve-expired-reply-ttl", NULL, K_U32, OFF(serve_expired_reply_ttl), 0, TTL_MAX, NULL },
	{ "serve-expired-client-timeout", NULL, K_U32, OFF(serve_expired_client_timeout), 0, 60000, NULL },
	{ "infra-host-ttl", NULL, K_U32, OFF(infra_host_ttl), 1, 604800, NULL },
	{ "infra-cache-numhosts", NULL, K_U32, OFF(infra_cache_numhosts), 16, 1 << 24, NULL },
	{ "infra-probe-share", NULL, K_U32, OFF(infra_probe_share), 0, 50, NULL },
	{ "root-zone-file", NULL, K_PATH, OFF(root_zone_file), 0, 0, NULL },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(NKEYS <= CONFIG_MAX_KEYS, "raise CONFIG_MAX_KEYS");

static int
parse_num(const char *s, long long *out)
{
	char *end;

	if (!isdigit((unsigned char)s[0]) &&
	    !(s[0] == '-' && isdigit((unsigned char)s[1])))
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return (errno != 0 || *end != '\0') ? -1 : 0;
}

int
config_parse_size(const char *s, size_t *out)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0') {
		switch (tolower((unsigned char)*end)) {
		case 'k': mult = 1ULL << 10; break;
		case 'm': mult = 1ULL << 20; break;
		case 'g': mult = 1ULL << 30; break;
		default: return -1;
		}
		end++;
		if (tolower((unsigned char)*end) == 'b')
			end++;
		if (*end != '\0')
			return -1;
	}
	if (v > SIZE_MAX / mult)
		return -1;
	*out = (size_t)(v * mult);
	return 0;
}

static const struct key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0 ||
		    (keys[i].alias && strcmp(keys[i].alias, name) == 0))
			return &keys[i];
	return NULL;
}

int
cfg_key_line(const struct parser *p, const char *name)
{
	return p->keyline[find_key(name) - keys];
}

/* Relative paths are taken from the config file's directory, so a
 * configuration keeps working whatever directory resolverd starts in. */
static char *
resolve_path(const char *conf, const char *val)
{
	const char *slash = strrchr(conf, '/');
	size_t len;
	char *s;

	if (val[0] == '/' || slash == NULL)
		return strdup(val);
	len = (size_t)(slash - conf) + 1 + strlen(val) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	snprintf(s, len, "%.*s/%s", (int)(slash - conf), conf, val);
	return s;
}

static int
readable_path(struct parser *p, const char *key, const char *val, char **out)
{
	if ((*out = resolve_path(p->path, val)) == NULL)
		return cfg_nomem(p);
	if (access(*out, R_OK) != 0)
		return cfg_perr(p, p->line, "%s: cannot read '%s': %s", key, *out,
		    strerror(errno));
	return 0;
}

int
cfg_add_interface(struct parser *p, const char *val, int line)
{
	struct config *cfg = p->cfg;
	struct netaddr a, *na;
	bool explicit = strpbrk(val, "@#") != NULL;
	int *nl;
	bool *np;

	if (netaddr_parse(val, 0, &a) != 0)
		return cfg_perr(p, line, "interface must be an IP address with "
		    "optional @port, got '%s'", val);
	if (explicit && netaddr_port((const struct sockaddr *)&a.ss) == 0)
		return cfg_perr(p, line, "interface port must be 1-65535, got '%s'",
		    val);
	if ((na = cfg_grow(cfg->interfaces, cfg->ninterfaces, sizeof(*na))) == NULL)
		return cfg_nomem(p);
	cfg->interfaces = na;
	if ((nl = cfg_grow(p->iface_line, cfg->ninterfaces, sizeof(*nl))) == NULL)
		return cfg_nomem(p);
	p->iface_line = nl;
	if ((np = cfg_grow(p->iface_port, cfg->ninterfaces, sizeof(*np))) == NULL)
		return cfg_nomem(p);
	p->iface_port = np;
	na[cfg->ninterfaces] = a;
	nl[cfg->ninterfaces] = line;
	np[cfg->ninterfaces] = explicit;
	cfg->ninterfaces++;
	return 0;
}

static int
key_interface(struct parser *p, const char *key, char *val)
{
	return cfg_add_interface(p, val, p->line);
}

/* The statistics endpoint; the port defaults to 9253, where node-local
 * DNS caches serve their metrics. */
static int
key_http_interface(struct parser *p, const char *key, char *val)
{
	struct netaddr a;

	if (netaddr_parse(val, 9253, &a) != 0 || netaddr_port((const struct sockaddr *)&a.ss) == 0)
		return cfg_perr(p, p->line, "http-interface must be an IP address with "
		    "optional @port, got '%s'", val);
	return cfg_add_listener(p, &a, TRANSPORT_STATS, p->line);
}

/* Set once (a second control-socket line is an error like any other
 * single-valued key); an absolute path that fits a Unix socket address. */
static int
key_control_socket(struct parser *p, const char *key, char *val)
{
	char *path;

	if (p->cfg->control_socket_set)
		return cfg_perr(p, p->line, "control-socket already set");
	if (val[0] != '/')
		return cfg_perr(p, p->line, "control-socket must be an absolute path, got '%s'", val);
	if (strlen(val) >= 108)
		return cfg_perr(p, p->line, "control-socket path is too long (at most 107 bytes)");
	if ((path = strdup(val)) == NULL)
		return cfg_nomem(p);
	free(p->cfg->control_socket);
	p->cfg->control_socket = path;
	p->cfg->control_socket_set = true;
	return 0;
}

static int
key_outgoing(struct parser *p, const char *key, char *val)
{
	struct config *cfg = p->cfg;
	struct netaddr a, *na;

	if (strpbrk(val, "@#") != NULL || netaddr_parse(val, 0, &a) != 0)
		return cfg_perr(p, p->line, "%s must be an IP address without port, "
		    "got '%s'", key, val);
	if ((na = cfg_grow(cfg->outgoing, cfg->noutgoing, sizeof(*na))) == NULL)
		return cfg_nomem(p);
	cfg->outgoing = na;
	na[cfg->noutgoing++] = a;
	return 0;
}

/*
 * util/netaddr treats ::ffff:a.b.c.d as the IPv4 address a.b.c.d, for
 * clients and for netblocks alike, so ::ffff:10.0.0.0/104 is 10.0.0.0/8.
 * Prefixes are compared in those terms.
 */
static bool
v4mapped(const struct netblock *b)
{
	const struct sockaddr_in6 *sin6 = (const void *)&b->ss;

	return b->ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr);
}

static int
eff_prefix(const struct netblock *b)
{
	if (!v4mapped(b))
		return b->prefix;
	return b->prefix > 96 ? b->prefix - 96 : 0;
}

static bool
same_block(const struct netblock *a, const struct netblock *b)
{
	int fa = v4mapped(a) ? AF_INET : a->ss.ss_family;
	int fb = v4mapped(b) ? AF_INET : b->ss.ss_family;

	return fa == fb && eff_prefix(a) == eff_prefix(b) &&
	    netblock_contains(a, (const struct sockaddr *)&b->ss);
}

/* A user entry replaces every built-in entry for the same netblock (there
 * are two for loopback IPv4, written both ways); line 0 adds a built-in. */
int
cfg_acl_set(struct parser *p, const char *text, enum acl_action action, int line)
{
	struct config *cfg = p->cfg;
	struct acl_entry *na;
	struct netblock nb;
	int i, *nl;

	if (netblock_parse(text, &nb) != 0)
		return cfg_perr(p, line, "access-control: bad netblock '%s'", text);
	for (i = 0; line != 0 && i < cfg->nacl; ) {
		if (!same_block(&cfg->acl[i].block, &nb)) {
			i++;
			continue;
		}
		if (p->acl_line[i] != 0)
			return cfg_perr(p, line, "access-control for %s already "
			    "given on line %d", text, p->acl_line[i]);
		cfg->nacl--;
		memmove(&cfg->acl[i], &cfg->acl[i + 1],
		    (size_t)(cfg->nacl - i) * sizeof(cfg->acl[0]));
		memmove(&p->acl_line[i], &p->acl_line[i + 1],
		    (size_t)(cfg->nacl - i) * sizeof(p->acl_line[0]));
	}
	if ((na = cfg_grow(cfg->acl, cfg->nacl, sizeof(*na))) == NULL)
		return cfg_nomem(p);
	cfg->acl = na;
	if ((nl = cfg_grow(p->acl_line, cfg->nacl, sizeof(*nl))) == NULL)
		return cfg_nomem(p);
	p->acl_line = nl;
	na[cfg->nacl].block = nb;
	na[cfg->nacl].action = action;
	nl[cfg->nacl] = line;
	cfg->nacl++;
	return 0;
}

static int
key_acl(struct parser *p, const char *key, char *val)
{
	enum acl_action action;
	char *act;

	act = val + strcspn(val, " \t");
	if (*act != '\0')
		*act++ = '\0';
	act = cfg_trim(act);
	if (*act == '\0')
		return cfg_perr(p, p->line, "access-control needs a netblock and "
		    "an action (allow, refuse or deny), got '%s'", val);
	if (strcmp(act, "allow") == 0)
		action = ACL_ALLOW;
	else if (strcmp(act, "refuse") == 0)
		action = ACL_REFUSE;
	else if (strcmp(act, "deny") == 0)
		action = ACL_DENY;
	else
		return cfg_perr(p, p->line, "access-control action must be allow, "
		    "refuse or deny, got '%s'", act);
	return cfg_acl_set(p, val, action, p->line);
}

static int
add_string(struct parser *p, char ***arr, int *n, char *s)
{
	char **na;

	if (s == NULL)
		return cfg_nomem(p);
	if ((na = cfg_grow(*arr, *n, sizeof(*na))) == NULL) {
		free(s);
		return cfg_nomem(p);
	}
	*arr = na;
	na[(*n)++] = s;
	return 0;
}

static int
key_ta_file(struct parser *p, const char *key, char *val)
{
	char *path;

	if (readable_path(p, key, val, &path) != 0) {
		free(path);
		return -1;
	}
	return add_string(p, &p->cfg->trust_anchor_files,
	    &p->cfg->ntrust_anchor_files, path);
}

/* The shape first (owner, optional TTL and class, DS or DNSKEY, some
 * RDATA), then the record as the validator will read it at start-up, so
 * that what it refuses (a digest of the wrong length, say) is reported
 * with this line. */
static int
key_ta(struct parser *p, const char *key, char *val)
{
	uint8_t owner[DNAME_MAX];
	char *copy, *tok, *save = NULL, why[512];
	struct val_anchors *scratch;
	int i, rc;
	bool ok = false;

	if ((copy = strdup(val)) == NULL)
		return cfg_nomem(p);
	tok = strtok_r(copy, " \t", &save);
	if (tok != NULL && dname_from_str(tok, owner) >= 0) {
		for (i = 0; i < 3; i++) {
			if ((tok = strtok_r(NULL, " \t", &save)) == NULL)
				break;
			if (strcasecmp(tok, "DS") == 0 ||
			    strcasecmp(tok, "DNSKEY") == 0) {
				ok = strtok_r(NULL, " \t", &save) != NULL;
				break;
			}
		}
	}
	free(copy);
	if (!ok)
		return cfg_perr(p, p->line, "trust-anchor must be a DS or DNSKEY "
		    "record in zone file form, got '%s'", val);
	if ((scratch = val_anchors_new()) == NULL)
		return cfg_nomem(p);
	rc = val_anchors_add_str(scratch, val, why, sizeof(why));
	val_anchors_free(scratch);
	if (rc != 0)
		return cfg_perr(p, p->line, "trust-anchor: %s", why);
	return add_string(p, &p->cfg->trust_anchors, &p->cfg->ntrust_anchors,
	    strdup(val));
}

static int
key_insecure(struct parser *p, const char *key, char *val)
{
	struct config *cfg = p->cfg;
	uint8_t name[DNAME_MAX], (*na)[DNAME_MAX];
	int i;

	if (dname_from_str(val, name) < 0)
		return cfg_perr(p, p->line, "domain-insecure must be a domain "
		    "name, got '%s'", val);
	for (i = 0; i < cfg->ndomain_insecure; i++)
		if (dname_equal(cfg->domain_insecure[i], name))
			return cfg_perr(p, p->line, "domain-insecure '%s' listed "
			    "twice", val);
	if ((na = cfg_grow(cfg->domain_insecure, cfg->ndomain_insecure,
	    sizeof(*na))) == NULL)
		return cfg_nomem(p);
	cfg->domain_insecure = na;
	dname_copy_lower(na[cfg->ndomain_insecure++], name);
	return 0;
}

/* Unbound's module list: we have the validator and the iterator, in
 * that order, or the iterator alone. */
static int
key_module_config(struct parser *p, const char *key, char *val)
{
	char norm[64];
	size_t i, j = 0;

	for (i = 0; val[i] != '\0' && j + 1 < sizeof(norm); i++)
		if (val[i] != ' ' || (j > 0 && norm[j - 1] != ' '))
			norm[j++] = val[i];
	while (j > 0 && norm[j - 1] == ' ')
		j--;
	norm[j] = '\0';
	if (strcmp(norm, "validator iterator") == 0)
		p->cfg->validation = true;
	else if (strcmp(norm, "iterator") == 0)
		p->cfg->validation = false;
	else
		return cfg_perr(p, p->line, "module-config must be \"validator iterator\" "
		    "or \"iterator\", got '%s'", val);
	free(p->cfg->module_config);
	p->cfg->module_config = strdup(norm);
	return p->cfg->module_config != NULL ? 0 : cfg_nomem(p);
}

/* Collected in order; localzone_create checks them once the file is read,
 * so a local-data line may come before the local-zone it belongs to. */
static int
key_local(struct parser *p, const char *key, char *val)
{
	struct config *cfg = p->cfg;
	struct local_line *nl;
	char *text;

	if ((text = strdup(val)) == NULL)
		return cfg_nomem(p);
	if ((nl = cfg_grow(cfg->local_lines, cfg->nlocal_lines, sizeof(*nl))) == NULL) {
		free(text);
		return cfg_nomem(p);
	}
	cfg->local_lines = nl;
	nl[cfg->nlocal_lines].kind = strcmp(key, "local-zone") == 0 ? LOCAL_ZONE_LINE :
	    strcmp(key, "local-data") == 0 ? LOCAL_DATA_LINE : LOCAL_DATA_PTR_LINE;
	nl[cfg->nlocal_lines].text = text;
	nl[cfg->nlocal_lines].line = p->line;
	cfg->nlocal_lines++;
	return 0;
}

static int
set_value(struct parser *p, const struct key *k, const char *key, char *val)
{
	char *base = (char *)p->cfg + k->off, *path;
	long long n;
	size_t size;

	switch (k->type) {
	case K_BOOL:
		if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0)
			return cfg_perr(p, p->line, "%s must be yes or no, got '%s'",
			    key, val);
		*(bool *)(void *)base = strcmp(val, "yes") == 0;
		return 0;
	case K_INT:
	case K_U32:
	case K_U16:
		if (parse_num(val, &n) != 0 || n < k->min || n > k->max)
			return cfg_perr(p, p->line, "%s must be %lld-%lld, got '%s'",
			    key, k->min, k->max, val);
		if (k->type == K_INT)
			*(int *)(void *)base = (int)n;
		else if (k->type == K_U32)
			*(uint32_t *)(void *)base = (uint32_t)n;
		else
			*(uint16_t *)(void *)base = (uint16_t)n;
		return 0;
	case K_SIZE:
		if (config_parse_size(val, &size) != 0 ||
		    size < (size_t)k->min)
			return cfg_perr(p, p->line, "%s must be a size of at least "
			    "64k (such as 64m), got '%s'", key, val);
		*(size_t *)(void *)base = size;
		return 0;
	case K_PATH:
		if (readable_path(p, key, val, &path) != 0) {
			free(path);
			return -1;
		}
		free(*(char **)(void *)base);
		*(char **)(void *)base = path;
		return 0;
	case K_STR:
		if ((path = strdup(val)) == NULL)
			return cfg_nomem(p);
		free(*(char **)(void *)base);
		*(char **)(void *)base = path;
		return 0;
	case K_FUNC:
		return k->fn(p, key, val);
	}
	return -1;
}

int
cfg_handle_key(struct parser *p, const char *key, char *val)
{
	const struct key *k;
	size_t i;

	if ((k = find_key(key)) == NULL)
		return cfg_perr(p, p->line, "unknown key '%s'", key);
	if (*val == '\0')
		return cfg_perr(p, p->line, "missing value for '%s'", key);
	i = (size_t)(k - keys);
	if (k->type != K_FUNC) {
		if (p->keyline[i] != 0 && strcmp(key, k->name) != 0)
			return cfg_perr(p, p->line, "%s: %s already set on line %d",
			    key, k->name, p->keyline[i]);
		if (p->keyline[i] != 0)
			return cfg_perr(p, p->line, "%s already set on line %d",
			    key, p->keyline[i]);
	}
	p->keyline[i] = p->line;
	return set_value(p, k, key, val);
}

/* The longest prefix wins; equal prefixes can only be the same netblock
 * written both ways, which only the built-in entries do, alike. */
enum acl_action
config_acl_lookup(const struct config *cfg, const struct sockaddr *sa)
{
	enum acl_action action = ACL_REFUSE;
	int i, best = -1;

	for (i = 0; i < cfg->nacl; i++) {
		if (eff_prefix(&cfg->acl[i].block) > best &&
		    netblock_contains(&cfg->acl[i].block, sa)) {
			best = eff_prefix(&cfg->acl[i].block);
			action = cfg->acl[i].action;
		}
	}
	return action;
}
