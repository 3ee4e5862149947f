/*
 * resolverctl.c -- operator commands for a running resolverd.
 *
 * The control channel (control-socket: in resolver.conf) does not exist
 * yet. Until it does, this checks its command line exactly as it will
 * later, so scripts and the manual page can already rely on the syntax,
 * and then says plainly that it cannot do the work.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: resolverctl [-hV] command [argument]\n"
	    "commands:\n"
	    "  stats          print the counters\n"
	    "  flush [name]   empty the cache, or drop name and everything below it\n"
	    "  reload         read resolver.conf again, keeping the cache\n");
}

int
main(int argc, char **argv)
{
	const char *cmd;
	int ch, nargs;

	while ((ch = getopt(argc, argv, "hV")) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return 0;
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
	cmd = argv[0];
	nargs = argc - 1;
	if (!((strcmp(cmd, "stats") == 0 && nargs == 0) ||
	    (strcmp(cmd, "flush") == 0 && nargs <= 1) ||
	    (strcmp(cmd, "reload") == 0 && nargs == 0))) {
		fprintf(stderr, "resolverctl: unknown command or wrong "
		    "arguments: %s\n", cmd);
		usage(stderr);
		return 2;
	}
	fprintf(stderr, "resolverctl: control channel not implemented yet\n");
	return 1;
}
