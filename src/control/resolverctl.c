/*
 * resolverctl.c -- operator commands for a running resolverd, over its
 * control socket (control-socket: in resolver.conf). The protocol is in
 * control/control.h: one request line, a reply that starts with "ok" or
 * "error MESSAGE".
 *
 * Exit status: 0 done, 1 resolverd said no or could not be reached, 2 the
 * command line is wrong.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control/control.h"
#include "daemon/config.h"

/* reload reads zone files: give it time. */
#define REPLY_TIMEOUT_MS 120000

static const struct {
	const char *name;
	int min, max;
	const char *args, *help;
} commands[] = {
	{ "status", 0, 0, "", "version, uptime, threads, listeners" },
	{ "stats", 0, 0, "", "every counter, name=value (the numbers of /metrics)" },
	{ "reload", 0, 0, "", "read resolver.conf again, keeping the cache" },
	{ "flush", 1, 1, " name", "drop name (every type) from the cache" },
	{ "flush_zone", 1, 1, " name", "drop name and everything below it" },
	{ "flush_all", 0, 0, "", "empty the cache" },
	{ "flush_infra", 1, 1, " addr|all", "forget what was learned about a server" },
	{ "flush_bogus", 0, 0, "", "drop data that failed DNSSEC validation" },
	{ "top-upstreams", 0, 1, " [N]", "the N servers asked most (default 10)" },
	{ "lookup", 1, 1, " name", "the delegation for name and its servers, in order" },
	{ "verbosity", 1, 1, " level", "set the log level (0-4)" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;
	char buf[64];

	fprintf(f, "usage: resolverctl [-hV] [-c file | -s socket] command [argument]\n"
	    "  -c file    take the socket from this resolver.conf (control-socket:)\n"
	    "  -s socket  the control socket (default %s)\n"
	    "commands:\n", CONFIG_DEFAULT_CONTROL_SOCKET);
	for (i = 0; i < NCOMMANDS; i++) {
		snprintf(buf, sizeof(buf), "%s%s", commands[i].name, commands[i].args);
		fprintf(f, "  %-24s %s\n", buf, commands[i].help);
	}
}

/* Connect, send line, read the whole reply into *out (malloc'd). */
static int
exchange(const char *path, const char *line, char **out, size_t *outlen)
{
	struct sockaddr_un sun;
	struct pollfd pfd;
	size_t cap = 4096, len = 0, off = 0, n = strlen(line);
	char *buf;
	ssize_t r;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "resolverctl: cannot connect to %s: path too long\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "resolverctl: cannot connect to %s: is resolverd running? (%s)\n",
		    path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (off < n) {
		if ((r = write(fd, line + off, n - off)) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "resolverctl: cannot send to %s: %s\n", path, strerror(errno));
			close(fd);
			return -1;
		}
		off += (size_t)r;
	}
	if ((buf = malloc(cap)) == NULL) {
		close(fd);
		return -1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
		if (poll(&pfd, 1, REPLY_TIMEOUT_MS) == 0) {
			fprintf(stderr, "resolverctl: no reply from %s within %d s\n", path,
			    REPLY_TIMEOUT_MS / 1000);
			free(buf);
			close(fd);
			return -1;
		}
		if ((r = read(fd, buf + len, cap - len - 1)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

static const char *
socket_from_config(const char *file)
{
	static char path[256];
	struct config *cfg;
	char err[512];

	if ((cfg = config_load(file, err, sizeof(err))) == NULL) {
		fprintf(stderr, "resolverctl: %s\n", err);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s", cfg->control_socket);
	config_free(cfg);
	return path;
}

int
main(int argc, char **argv)
{
	const char *path = CONFIG_DEFAULT_CONTROL_SOCKET, *conf = NULL;
	char line[DAEMON_CTL_LINE_MAX + 1], *reply, *nl;
	size_t i, len;
	int ch, nargs;

	while ((ch = getopt(argc, argv, "c:hs:V")) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 's':
			path = optarg;
			break;
		case 'V':
			printf("resolverctl %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	nargs = argc - 1;
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			break;
	if (i == NCOMMANDS) {
		fprintf(stderr, "resolverctl: no such command: %s (resolverctl -h lists them)\n", argv[0]);
		return 2;
	}
	if (nargs < commands[i].min || nargs > commands[i].max) {
		fprintf(stderr, "resolverctl: usage: resolverctl %s%s\n", commands[i].name,
		    commands[i].args);
		return 2;
	}
	if (conf != NULL && (path = socket_from_config(conf)) == NULL)
		return 1;
	if ((size_t)snprintf(line, sizeof(line), "%s %s%s%s\n", CONTROL_MAGIC, argv[0],
	    nargs ? " " : "", nargs ? argv[1] : "") >= sizeof(line) ||
	    strpbrk(nargs ? argv[1] : "", " \t\r\n") != NULL) {
		fprintf(stderr, "resolverctl: argument too long or with blanks: %s\n", argv[1]);
		return 2;
	}
	if (exchange(path, line, &reply, &len) < 0)
		return 1;
	if (strncmp(reply, "ok\n", 3) == 0) {
		fwrite(reply + 3, 1, len - 3, stdout);
		free(reply);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if ((nl = strchr(reply, '\n')) != NULL)
		*nl = '\0';
	if (strncmp(reply, "error ", 6) == 0)
		fprintf(stderr, "resolverctl: %s\n", reply + 6);
	else
		fprintf(stderr, "resolverctl: no answer from resolverd at %s\n", path);
	free(reply);
	return 1;
}
