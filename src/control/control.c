/*
 * control.c -- opening and closing the HTTP endpoint and the control
 * socket. What they serve is in http.c and commands.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/control.h"
#include "net/net.h"
#include "util/log.h"

static int
open_http(struct control *c, const struct config *cfg, char *err, size_t errlen)
{
	int i, fd;

	for (i = 0; i < cfg->nlisteners; i++) {
		if (cfg->listeners[i].transport != TRANSPORT_STATS)
			continue;
		if (c->http == NULL && (c->http = net_http_create(daemon_loop(c->d),
		    DAEMON_HTTP_MAX_CONNS, DAEMON_HTTP_TIMEOUT_S, control_http_request, c)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if ((fd = net_listen_on(&cfg->listeners[i], false, err, errlen)) < 0)
			return -1;
		if (net_http_add(c->http, fd) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int
open_socket(struct control *c, const struct config *cfg, char *err, size_t errlen)
{
	int fd = net_unix_listen(cfg->control_socket, err, errlen);

	if (fd < 0) {
		if (cfg->control_socket_set)
			return -1;
		log_warn("%s; running without a control socket (set control-socket: "
		    "to a path resolverd may create)", err);
		return 0;
	}
	if ((c->socket_path = strdup(cfg->control_socket)) == NULL) {
		close(fd);
		(void)unlink(cfg->control_socket);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* On failure the server has closed fd; control_destroy unlinks. */
	if ((c->lines = net_lines_create(daemon_loop(c->d), fd, DAEMON_CTL_LINE_MAX,
	    DAEMON_CTL_MAX_CONNS, DAEMON_CTL_TIMEOUT_MS, control_command, c)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

struct control *
control_create(struct daemon *d, char *err, size_t errlen)
{
	const struct config *cfg = daemon_boot_config(d);
	struct control *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->d = d;
	if (open_http(c, cfg, err, errlen) < 0 || open_socket(c, cfg, err, errlen) < 0) {
		control_destroy(c);
		return NULL;
	}
	return c;
}

void
control_destroy(struct control *c)
{
	if (c == NULL)
		return;
	net_http_destroy(c->http);
	net_lines_destroy(c->lines);
	control_commands_drop(c);
	if (c->socket_path != NULL) {
		(void)unlink(c->socket_path);
		free(c->socket_path);
	}
	free(c);
}
