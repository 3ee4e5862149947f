#!/bin/sh
# resolverd benchmark: resolverd side by side with Unbound, against NSD
# servers in a private network namespace. See bench/README.md.
#
#   bench/run.sh [--quick] [--only resolverd|unbound] [--baseline RESOLVERD]
#                [--perf] [--keep] [--install]
#
# Environment: RESOLVERD (path of the binary; default $BUILDDIR/src/resolverd,
# then src/resolverd, then build/ci/src/resolverd of this tree),
# RESOLVERD_ARGS (extra arguments for it), UNBOUND (path of unbound),
# BENCH_PYTHON (default /usr/bin/python3), BENCH_PORT (resolverd's port,
# 5353; Unbound gets the next), BENCH_* sizes (see README.md).
# Exit status: 0 ran (targets missed or not), 1 something broke,
# 77 skipped (no namespaces, NSD or dnsperf).
set -u

here=$(cd "$(dirname "$0")" && pwd)
PATH=$PATH:/usr/sbin:/sbin
export PATH
py=${BENCH_PYTHON:-/usr/bin/python3}

if [ "${RESOLVERD_BENCH_NETNS:-}" != 1 ]; then
	skip() { echo "SKIP: resolverd bench: $*"; exit 77; }
	install=no
	perf=no
	want_path=no
	for arg in "$@"; do
		if [ $want_path = yes ]; then
			want_path=no
			continue
		fi
		case $arg in
		--install) install=yes ;;
		--perf) perf=yes ;;
		--baseline) want_path=yes ;;
		--quick|--keep|--only|--only=*|--baseline=*|resolverd|unbound) ;;
		-h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "bench/run.sh: unknown argument '$arg'" >&2; exit 2 ;;
		esac
	done
	if [ $install = yes ]; then
		# Outside the namespace: apt needs the network.
		pkgs=
		command -v nsd >/dev/null 2>&1 || pkgs="$pkgs nsd"
		command -v dnsperf >/dev/null 2>&1 || pkgs="$pkgs dnsperf"
		command -v ip >/dev/null 2>&1 || pkgs="$pkgs iproute2"
		[ -n "${UNBOUND:-}" ] || command -v unbound >/dev/null 2>&1 || pkgs="$pkgs unbound"
		[ $perf = no ] || command -v perf >/dev/null 2>&1 || pkgs="$pkgs linux-perf"
		if [ -n "$pkgs" ]; then
			echo "# installing:$pkgs"
			# shellcheck disable=SC2086
			DEBIAN_FRONTEND=noninteractive apt-get install -y $pkgs ||
				{ echo "bench/run.sh: apt-get install$pkgs failed" >&2; exit 1; }
		fi
	fi
	for tool in nsd nsd-checkconf ip unshare dnsperf; do
		command -v "$tool" >/dev/null 2>&1 ||
			skip "$tool not found (Debian: nsd, iproute2, util-linux, dnsperf; or run with --install)"
	done
	[ -x "$py" ] || skip "$py not found (set BENCH_PYTHON)"
	# Resolve relative paths now: they must mean the same inside.
	case ${RESOLVERD:-/} in /*) ;; *) RESOLVERD=$(pwd)/$RESOLVERD; export RESOLVERD ;; esac
	case ${BUILDDIR:-/} in /*) ;; *) BUILDDIR=$(pwd)/$BUILDDIR; export BUILDDIR ;; esac
	case ${UNBOUND:-/} in /*) ;; *) UNBOUND=$(pwd)/$UNBOUND; export UNBOUND ;; esac
	RESOLVERD_BENCH_NETNS=1
	export RESOLVERD_BENCH_NETNS
	# A user namespace (works without root) plus a network namespace with
	# only lo in it, so no packet can leave; a PID namespace when possible
	# so that every process started inside dies with the benchmark.
	for opts in "--map-root-user --net --pid --fork --kill-child --mount-proc" \
		    "--map-root-user --net --pid --fork --kill-child" \
		    "--map-root-user --net" \
		    "--net --pid --fork --kill-child --mount-proc" \
		    "--net --pid --fork --kill-child" \
		    "--net"; do
		# shellcheck disable=SC2086
		unshare $opts true 2>/dev/null || continue
		echo "# namespace: unshare $opts"
		# unshare ignores SIGTERM/SIGINT while it waits: pass them on
		# to the benchmark (its child), which tears everything down.
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

exec "$py" "$here/bench.py" "$@"
