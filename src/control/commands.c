/*
 * commands.c -- the control socket's commands, for resolverctl(8).
 *
 * Each arrives as one line; the reply starts with "ok" or "error MESSAGE"
 * and carries the output after it. Commands that need every worker
 * (stats, the flushes, top-upstreams, lookup) reply once the daemon calls
 * back; until then their context is on the control's list, so that a
 * daemon stopping first does not leak it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "net/net.h"
#include "stats/textout.h"
#include "util/dname.h"
#include "util/log.h"

#define TOP_DEFAULT 10
#define TOP_MAX 10000

struct control_cmd {
	struct control *c;
	struct net_lines_req *req;
	struct control_cmd *prev, *next;
	int top;                       /* top-upstreams N */
	uint8_t name[DNAME_MAX];       /* lookup */
};

static void
reply(struct net_lines_req *req, struct textout *o)
{
	if (o->failed)
		net_lines_reply(req, "error out of memory\n", 20);
	else
		net_lines_reply(req, o->buf, o->len);
	textout_free(o);
}

static void
reply_error(struct net_lines_req *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
reply_error(struct net_lines_req *req, const char *fmt, ...)
{
	char msg[600], line[640];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* one line, whatever the message held */
	for (i = 0; msg[i]; i++)
		if (msg[i] == '\n' || msg[i] == '\r')
			msg[i] = ' ';
	snprintf(line, sizeof(line), "error %s\n", msg);
	net_lines_reply(req, line, strlen(line));
}

static struct control_cmd *
cmd_new(struct control *c, struct net_lines_req *req)
{
	struct control_cmd *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	k->c = c;
	k->req = req;
	k->next = c->cmds;
	if (k->next)
		k->next->prev = k;
	c->cmds = k;
	return k;
}

static void
cmd_free(struct control_cmd *k)
{
	if (k->prev)
		k->prev->next = k->next;
	else
		k->c->cmds = k->next;
	if (k->next)
		k->next->prev = k->prev;
	free(k);
}

void
control_commands_drop(struct control *c)
{
	while (c->cmds != NULL)
		cmd_free(c->cmds);
}

/* ---- replies that come back from the workers ---- */

static void
stats_done(void *arg, const struct stats_snapshot *s)
{
	struct control_cmd *k = arg;
	struct textout o;

	textout_init(&o, TEXTOUT_FLAT);
	textout_printf(&o, "ok\n");
	stats_render(s, &o);
	reply(k->req, &o);
	cmd_free(k);
}

static void
flush_done(void *arg, uint64_t removed)
{
	struct control_cmd *k = arg;
	struct textout o;

	textout_init(&o, TEXTOUT_FLAT);
	textout_printf(&o, "ok\nremoved %llu cache entries\n", (unsigned long long)removed);
	reply(k->req, &o);
	cmd_free(k);
}

static void
top_done(void *arg, const struct top_entry *e, int n)
{
	struct control_cmd *k = arg;
	char a[80], z[DNAME_STR_MAX], rtt[32];
	struct textout o;
	int i;

	textout_init(&o, TEXTOUT_FLAT);
	textout_printf(&o, "ok\n%-40s %-24s %10s %10s %9s %9s\n", "server", "zone", "queries",
	    "answers", "timeouts", "srtt");
	for (i = 0; i < n && i < k->top; i++) {
		if (e[i].srtt_ms > 0)
			snprintf(rtt, sizeof(rtt), "%u ms", (unsigned)e[i].srtt_ms);
		else
			snprintf(rtt, sizeof(rtt), "-");
		textout_printf(&o, "%-40s %-24s %10llu %10llu %9llu %9s\n",
		    net_addr_str((const struct sockaddr *)&e[i].addr.ss, a, sizeof(a)),
		    dname_to_str(e[i].zone, z, sizeof(z)), (unsigned long long)e[i].queries,
		    (unsigned long long)e[i].answers, (unsigned long long)e[i].timeouts, rtt);
	}
	reply(k->req, &o);
	cmd_free(k);
}

static const char *
source_text(enum iter_lookup_source s)
{
	switch (s) {
	case LOOKUP_CACHE: return "cached delegation";
	case LOOKUP_HINTS: return "root hints (no cached root NS set)";
	case LOOKUP_STUB: return "stub-zone";
	case LOOKUP_FORWARD: return "forward-zone";
	}
	return "?";
}

static void
lookup_done(void *arg, const struct iter_lookup *l)
{
	struct control_cmd *k = arg;
	char a[80], n[DNAME_STR_MAX], z[DNAME_STR_MAX];
	struct textout o;
	int i, j;
	bool has;

	if (l == NULL) {
		reply_error(k->req, "out of memory");
		cmd_free(k);
		return;
	}
	textout_init(&o, TEXTOUT_FLAT);
	textout_printf(&o, "ok\nname: %s\nzone: %s (%s)\n", dname_to_str(k->name, n, sizeof(n)),
	    dname_to_str(l->zone, z, sizeof(z)), source_text(l->source));
	for (i = 0; i < l->nns; i++) {
		for (j = 0, has = false; j < l->naddrs && !has; j++)
			has = l->addrs[j].ns == i;
		textout_printf(&o, "name server: %s%s\n", dname_to_str(l->ns[i], n, sizeof(n)),
		    has ? "" : " (no address cached)");
	}
	textout_printf(&o, "servers, in the order they would be asked:\n");
	for (i = 0; i < l->naddrs; i++) {
		const struct iter_lookup_server *s = &l->addrs[i];
		textout_printf(&o, "  %-40s %-28s", net_addr_str((const struct sockaddr *)&s->addr.ss,
		    a, sizeof(a)), s->ns >= 0 ? dname_to_str(l->ns[s->ns], n, sizeof(n)) : "-");
		if (s->srtt_ms > 0)
			textout_printf(&o, " srtt %u ms", (unsigned)s->srtt_ms);
		else
			textout_printf(&o, " not measured");
		textout_printf(&o, ", timeout %u ms%s%s%s%s\n", (unsigned)s->rto_ms,
		    s->down ? ", held down" : "", s->bogus ? ", sent bogus data" : "",
		    s->no_edns ? ", no EDNS" : "",
		    s->unusable ? ", not used (do-ip4/do-ip6/do-not-query-localhost)" : "");
	}
	if (l->naddrs == 0)
		textout_printf(&o, "  (none: addresses would be looked up first)\n");
	reply(k->req, &o);
	cmd_free(k);
}

/* ---- parsing ---- */

static bool
parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;

	if (s == NULL || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && *end == '\0' && *out >= lo && *out <= hi;
}

static bool
parse_name(const char *s, uint8_t *out)
{
	return s != NULL && *s != '\0' && dname_from_str(s, out) >= 0;
}

static void
start(struct control *c, struct net_lines_req *req, struct control_cmd *k, int r)
{
	if (k == NULL) {
		reply_error(req, "out of memory");
		return;
	}
	if (r < 0) {
		cmd_free(k);
		reply_error(req, "out of memory");
	}
}

static void
flush(struct control *c, struct net_lines_req *req, enum daemon_flush what, const uint8_t *name,
    const struct netaddr *addr)
{
	struct control_cmd *k = cmd_new(c, req);

	start(c, req, k, k ? daemon_flush(c->d, what, name, addr, flush_done, k) : 0);
}

static void
cmd_flush_infra(struct control *c, struct net_lines_req *req, const char *arg)
{
	struct netaddr a;

	if (arg == NULL)
		reply_error(req, "flush_infra needs an address or 'all'");
	else if (strcmp(arg, "all") == 0)
		flush(c, req, FLUSH_INFRA, NULL, NULL);
	else if (netaddr_parse(arg, 53, &a) != 0)
		reply_error(req, "flush_infra: bad address '%s' (an IP address, optional @port, or 'all')", arg);
	else
		flush(c, req, FLUSH_INFRA, NULL, &a);
}

static void
run(struct control *c, struct net_lines_req *req, const char *cmd, const char *arg, int nargs)
{
	struct control_cmd *k;
	uint8_t name[DNAME_MAX];
	struct textout o;
	char err[640];
	long n;

	if (strcmp(cmd, "status") == 0 && nargs == 0) {
		textout_init(&o, TEXTOUT_FLAT);
		textout_printf(&o, "ok\n");
		daemon_status(c->d, &o);
		reply(req, &o);
	} else if (strcmp(cmd, "stats") == 0 && nargs == 0) {
		k = cmd_new(c, req);
		start(c, req, k, k ? daemon_stats(c->d, stats_done, k) : 0);
	} else if (strcmp(cmd, "reload") == 0 && nargs == 0) {
		if (daemon_reload(c->d, err, sizeof(err)) < 0)
			reply_error(req, "reload failed, the running configuration is kept: %s", err);
		else
			net_lines_reply(req, "ok\n", 3);
	} else if ((strcmp(cmd, "flush") == 0 || strcmp(cmd, "flush_zone") == 0) && nargs == 1) {
		if (!parse_name(arg, name))
			reply_error(req, "%s: bad name '%s'", cmd, arg);
		else
			flush(c, req, cmd[5] ? FLUSH_ZONE : FLUSH_NAME, name, NULL);
	} else if (strcmp(cmd, "flush_all") == 0 && nargs == 0) {
		flush(c, req, FLUSH_ALL, NULL, NULL);
	} else if (strcmp(cmd, "flush_bogus") == 0 && nargs == 0) {
		flush(c, req, FLUSH_BOGUS, NULL, NULL);
	} else if (strcmp(cmd, "flush_infra") == 0 && nargs <= 1) {
		cmd_flush_infra(c, req, arg);
	} else if (strcmp(cmd, "top-upstreams") == 0 && nargs <= 1) {
		if (nargs == 1 && !parse_int(arg, 1, TOP_MAX, &n)) {
			reply_error(req, "top-upstreams: N must be 1-%d, got '%s'", TOP_MAX, arg);
			return;
		}
		if ((k = cmd_new(c, req)) != NULL)
			k->top = nargs == 1 ? (int)n : TOP_DEFAULT;
		start(c, req, k, k ? daemon_top_upstreams(c->d, top_done, k) : 0);
	} else if (strcmp(cmd, "lookup") == 0 && nargs == 1) {
		if (!parse_name(arg, name)) {
			reply_error(req, "lookup: bad name '%s'", arg);
			return;
		}
		if ((k = cmd_new(c, req)) != NULL)
			memcpy(k->name, name, sizeof(name));
		start(c, req, k, k ? daemon_lookup(c->d, name, lookup_done, k) : 0);
	} else if (strcmp(cmd, "verbosity") == 0 && nargs == 1) {
		if (!parse_int(arg, 0, 4, &n)) {
			reply_error(req, "verbosity must be 0-4, got '%s'", arg);
			return;
		}
		daemon_set_verbosity(c->d, (int)n);
		net_lines_reply(req, "ok\n", 3);
	} else {
		reply_error(req, "unknown command or wrong arguments: '%s'", cmd);
	}
}

void
control_command(void *arg, struct net_lines_req *req, char *line)
{
	struct control *c = arg;
	char *words[4], *save = NULL, *w;
	int n = 0;

	for (w = strtok_r(line, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
		if (n == 4) {
			reply_error(req, "too many arguments");
			return;
		}
		words[n++] = w;
	}
	if (n < 2 || strcmp(words[0], CONTROL_MAGIC) != 0) {
		reply_error(req, "not a resolverctl request (expected '%s COMMAND ...')", CONTROL_MAGIC);
		return;
	}
	log_debug(2, "control: %s%s%s", words[1], n > 2 ? " " : "", n > 2 ? words[2] : "");
	run(c, req, words[1], n > 2 ? words[2] : NULL, n - 2);
}
