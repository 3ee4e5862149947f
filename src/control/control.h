/*
 * control.h -- the operator's side of the daemon: the HTTP endpoint
 * (http-interface: /metrics, /health, /ready) and the control socket
 * that resolverctl talks to. Both run on the daemon's control thread
 * (daemon_loop) and do everything through daemon.h.
 *
 * The control socket protocol, one exchange per connection: the client
 * sends one line, CONTROL_MAGIC, a space, the command and its arguments;
 * the server answers "ok" or "error MESSAGE" on the first line, then the
 * command's output, and closes the connection.
 */
#ifndef RESOLVERD_CONTROL_CONTROL_H
#define RESOLVERD_CONTROL_CONTROL_H

#include <stddef.h>

#include "daemon/daemon.h"

#define CONTROL_MAGIC "RCTL1"

struct control;

/* Open what d's configuration asks for: each http-interface, and the
 * control socket (a default path that cannot be used is only logged).
 * Call after daemon_create and before daemon_start. NULL with a sentence
 * in err. */
struct control *control_create(struct daemon *d, char *err, size_t errlen);

/* Close everything and remove the socket file; after daemon_stop. */
void control_destroy(struct control *c);

/* control.c shares with http.c and commands.c: */
struct net_http;
struct net_http_req;
struct net_lines;
struct net_lines_req;
struct control {
	struct daemon *d;
	struct net_http *http;
	struct net_lines *lines;
	char *socket_path;             /* to unlink; NULL: none open */
	struct control_cmd *cmds;      /* replies still owed (commands.c) */
};

void control_http_request(void *arg, struct net_http_req *req, const char *path);
void control_command(void *arg, struct net_lines_req *req, char *line);
/* Free what commands still owe (the daemon stopped first). */
void control_commands_drop(struct control *c);

#endif
