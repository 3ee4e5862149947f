#!/bin/sh
# resolverd end-to-end lab: runs resolverd against real authoritative
# servers (NSD) inside a private network namespace. See README.md.
#
#   tests/lab/run.sh [--direct] [--unbound] [--shell] [--keep]
#   tests/lab/run.sh --upstream [--shell] [--keep]
#   tests/lab/run.sh --chaos [--full] [--only CASE] [--keep]
#
# --upstream runs the upstream lab (upstream.py: server selection, dead
# servers, serve-stale, prefetch, local root) instead of lab.py; --chaos
# the chaos lab (tests/chaos/chaos.py: spoofing, floods, slow clients,
# descriptor exhaustion).
#
# Environment: RESOLVERD (path of the binary), BUILDDIR (build tree whose
# src/resolverd to use), LAB_PYTHON (python with dnspython, default
# /usr/bin/python3), LAB_DNSSEC=no (zones unsigned, DNSSEC checks
# skipped; also the case without ldnsutils). Exit status: 0 all passed,
# 1 a check failed, 77 skipped (no namespaces, NSD or dnspython), 99 hard
# error.
set -u

here=$(cd "$(dirname "$0")" && pwd)
PATH=$PATH:/usr/sbin:/sbin
export PATH
py=${LAB_PYTHON:-/usr/bin/python3}

if [ "${RESOLVERD_LAB_NETNS:-}" != 1 ]; then
	skip() { echo "SKIP: resolverd lab: $*"; exit 77; }
	for tool in nsd nsd-control nsd-checkconf ip unshare; do
		command -v "$tool" >/dev/null 2>&1 ||
			skip "$tool not found (Debian: nsd, iproute2, util-linux)"
	done
	"$py" -c 'import dns.message, dns.zone' 2>/dev/null ||
		skip "$py cannot import dnspython (Debian: python3-dnspython)"
	# Resolve relative paths now: they must mean the same inside.
	case ${RESOLVERD:-/} in /*) ;; *) RESOLVERD=$(pwd)/$RESOLVERD; export RESOLVERD ;; esac
	case ${BUILDDIR:-/} in /*) ;; *) BUILDDIR=$(pwd)/$BUILDDIR; export BUILDDIR ;; esac
	RESOLVERD_LAB_NETNS=1
	export RESOLVERD_LAB_NETNS
	# The chaos lab loads the machine as much as it can; the others time
	# what they measure. Per build tree, it runs alone (an exclusive
	# lock), the others side by side (shared), as make -j check starts
	# them. The lock is held on descriptor 9 until this script and all
	# it started are gone.
	lock=${LAB_LOCK:-$(pwd)/.resolverd-lab.lock}
	if command -v flock >/dev/null 2>&1 && [ -w "$(dirname "$lock")" ]; then
		mode=-s
		for arg in "$@"; do
			[ "$arg" = --chaos ] && mode=-x
		done
		exec 9>"$lock"
		flock $mode 9
	fi
	# A user namespace (works without root) plus a network namespace with
	# only lo in it, so no packet can leave; a PID namespace when possible
	# so that every process started inside dies with the lab.
	# --mount-proc gives the PID namespace its own /proc (sanitizers
	# read /proc/<their pid>).
	for opts in "--map-root-user --net --pid --fork --kill-child --mount-proc" \
		    "--map-root-user --net --pid --fork --kill-child" \
		    "--map-root-user --net" \
		    "--net --pid --fork --kill-child --mount-proc" \
		    "--net --pid --fork --kill-child" \
		    "--net"; do
		# shellcheck disable=SC2086
		unshare $opts true 2>/dev/null || continue
		# An interactive --shell needs the terminal: hand it over.
		for arg in "$@"; do
			# shellcheck disable=SC2086
			[ "$arg" = --shell ] && exec unshare $opts /bin/sh "$here/run.sh" "$@"
		done
		# unshare itself ignores SIGTERM/SIGINT while it waits: pass
		# them on to the lab (its child), which tears everything down.
		# shellcheck disable=SC2086
		unshare $opts /bin/sh "$here/run.sh" "$@" &
		ns=$!
		# shellcheck disable=SC2317
		forward() {
			for p in $(ps -o pid= --ppid "$ns" 2>/dev/null); do
				kill -TERM "$p" 2>/dev/null
			done
		}
		trap forward TERM INT HUP
		while :; do
			wait "$ns"
			rc=$?
			kill -0 "$ns" 2>/dev/null || break
		done
		exit "$rc"
	done
	skip "cannot create a network namespace (unshare -rn and unshare -n both failed; user namespaces disabled? try as root)"
fi

prog=lab.py
for arg in "$@"; do
	shift
	if [ "$arg" = --upstream ]; then
		prog=upstream.py
	elif [ "$arg" = --chaos ]; then
		prog=../chaos/chaos.py
	else
		set -- "$@" "$arg"
	fi
done
exec "$py" "$here/$prog" "$@"
