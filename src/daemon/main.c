/*
 * main.c -- resolverd: command line, start-up, signals.
 *
 * The main thread creates the daemon (daemon.h: workers, the control
 * thread) and what the control thread serves (control.h: the HTTP
 * endpoint, the control socket), and then only waits for signals (blocked in every thread and
 * taken with sigwait, so no handler runs in the middle of anything):
 * SIGHUP reloads the configuration, SIGTERM and SIGINT stop. Start-up
 * problems are printed plainly on stderr and exit 1.
 */
/* Angle brackets: the build's config.h, not daemon/config.h beside us. */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/control.h"
#include "daemon/config.h"
#include "daemon/daemon.h"
#include "util/log.h"

#ifndef DEFAULT_CONFIG
#define DEFAULT_CONFIG SYSCONFDIR "/resolverd/resolver.conf"
#endif

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: resolverd [-hltVv] [-c file]\n"
	    "  -c file  configuration file (default %s)\n"
	    "  -l       list the local zones (built-in ones too) and exit\n"
	    "  -t       check the configuration and exit\n"
	    "  -v       more verbose (repeatable)\n"
	    "  -V       print the version and exit\n"
	    "  -h       this help\n"
	    "Runs in the foreground and logs to stderr. SIGHUP reloads the\n"
	    "configuration, SIGTERM or SIGINT stops.\n", DEFAULT_CONFIG);
}

static int
check_config(const char *path)
{
	struct iter_config *ic;
	struct config *cfg;
	char err[512];

	if (!(cfg = config_load(path, err, sizeof(err)))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	ic = config_build_iter(cfg, err, sizeof(err));
	config_free(cfg);
	if (!ic) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	iter_config_unref(ic);
	printf("resolverd: no errors in %s\n", path);
	return 0;
}

/* -l: what local-zone answers the configuration gives, built-in zones
 * included. */
static int
list_local_zones(const char *path)
{
	struct config *cfg;
	char err[512];

	if (!(cfg = config_load(path, err, sizeof(err)))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (localzone_print(cfg->local, stdout) != 0) {
		fprintf(stderr, "resolverd: out of memory\n");
		config_free(cfg);
		return 1;
	}
	config_free(cfg);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Wait for signals until told to stop. */
static void
serve(struct daemon *d, const sigset_t *sigs, const char *path)
{
	char err[512];
	int sig;

	for (;;) {
		if (sigwait(sigs, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_info("SIGHUP: reloading %s", path);
			(void)daemon_reload(d, err, sizeof(err));
			continue;
		}
		log_info("%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
		return;
	}
}

static int
run(const char *path, int vflag)
{
	struct control *ctl;
	struct daemon *d;
	sigset_t sigs;
	char err[512];
	int rc = 1;

	/* Blocked before any thread exists, so every thread inherits it and
	 * only sigwait below sees these signals. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (!(d = daemon_create(path, vflag, err, sizeof(err)))) {
		fprintf(stderr, "resolverd: %s\n", err);
		return 1;
	}
	if (!(ctl = control_create(d, err, sizeof(err)))) {
		fprintf(stderr, "resolverd: %s\n", err);
		daemon_destroy(d);
		return 1;
	}
	if (daemon_start(d) == 0) {
		serve(d, &sigs, path);
		rc = 0;
	}
	/* Nothing runs on the control loop once the daemon stopped, so its
	 * servers can go before the daemon does. */
	daemon_stop(d);
	control_destroy(ctl);
	daemon_destroy(d);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG;
	int c, check = 0, list = 0, vflag = 0;

	log_set_ident("resolverd");
	while ((c = getopt(argc, argv, "c:hltVv")) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'l':
			list = 1;
			break;
		case 't':
			check = 1;
			break;
		case 'v':
			vflag++;
			break;
		case 'V':
			printf("resolverd %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	if (list)
		return list_local_zones(path);
	if (check)
		return check_config(path);
	return run(path, vflag);
}
