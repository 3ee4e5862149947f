/*
 * http.c -- what the HTTP endpoint serves: /metrics (Prometheus text
 * format), /health and /ready. Everything else is 404.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "control/control.h"
#include "net/net.h"
#include "stats/textout.h"
#include "util/log.h"

/* How long /health waits for every worker to turn its loop. */
#define HEALTH_TIMEOUT_MS 1000

#define TEXT "text/plain; charset=utf-8"
#define PROMETHEUS "text/plain; version=0.0.4; charset=utf-8"

static void
reply_text(struct net_http_req *req, int status, const char *text)
{
	net_http_reply(req, status, TEXT, text, strlen(text));
}

static void
metrics_done(void *arg, const struct stats_snapshot *s)
{
	struct net_http_req *req = arg;
	struct textout o;

	textout_init(&o, TEXTOUT_PROMETHEUS);
	stats_render(s, &o);
	if (o.failed)
		reply_text(req, 500, "out of memory\n");
	else
		net_http_reply(req, 200, PROMETHEUS, o.buf, o.len);
	textout_free(&o);
}

static void
health_done(void *arg, bool ok, const char *why)
{
	char buf[256];

	if (ok) {
		reply_text(arg, 200, "OK\n");
		return;
	}
	snprintf(buf, sizeof(buf), "unhealthy: %s\n", why);
	reply_text(arg, 503, buf);
}

void
control_http_request(void *arg, struct net_http_req *req, const char *path)
{
	struct control *c = arg;

	if (strcmp(path, "/metrics") == 0) {
		if (daemon_stats(c->d, metrics_done, req) < 0)
			reply_text(req, 500, "out of memory\n");
	} else if (strcmp(path, "/health") == 0) {
		if (daemon_health(c->d, HEALTH_TIMEOUT_MS, health_done, req) < 0)
			reply_text(req, 503, "unhealthy: out of memory\n");
	} else if (strcmp(path, "/ready") == 0) {
		if (daemon_ready(c->d))
			reply_text(req, 200, "OK\n");
		else
			reply_text(req, 503, "not ready: the root is not primed yet\n");
	} else {
		reply_text(req, 404, "not found: try /metrics, /health or /ready\n");
	}
}
