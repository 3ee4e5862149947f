#!/bin/sh
# run.sh -- play the conformance scenarios against resolverd.
# See tests/replay/README.md. Exit status: 0 all as expected, 1 failures,
# 77 skipped (scenarios, dnspython or namespaces not available).
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}

stand_in=
files=0
for a in "$@"; do
	case $a in
	--stand-in=*) stand_in=${a#--stand-in=} ;;
	-*) ;;
	*.rpl) files=1 ;;
	esac
done

if ! "$PYTHON" -c 'import dns.message' 2>/dev/null; then
	echo "SKIP: $PYTHON has no dnspython (Debian: python3-dnspython)"
	exit 77
fi
if [ "$(id -u)" = 0 ]; then ns="unshare -n"; else ns="unshare -rn"; fi
if ! $ns true 2>/dev/null; then
	echo "SKIP: cannot create a network namespace ($ns failed)"
	exit 77
fi

if [ -n "$RESOLVERD" ]; then
	resolverd=$RESOLVERD
elif [ -n "$BUILDDIR" ]; then
	resolverd=$BUILDDIR/src/resolverd
elif [ -x "$PWD/src/resolverd" ]; then
	# make check in an out-of-tree build runs tests from the build dir
	resolverd=$PWD/src/resolverd
else
	resolverd=$top/src/resolverd
fi
if [ ! -x "$resolverd" ]; then
	echo "run.sh: resolverd not found at $resolverd (set RESOLVERD or BUILDDIR)" >&2
	exit 1
fi
# The built-in local zones always come from resolverd (-l), also when
# another resolver stands in.
set -- --builtin-zones-from "$resolverd" "$@"
if [ -n "$stand_in" ]; then
	resolverd=$(command -v "$stand_in" || echo "/usr/sbin/$stand_in")
fi

set --  "$@"
if [ $files = 0 ]; then
	shared=$top/../shared/conformance
	if [ ! -d "$shared" ]; then
		echo "SKIP: ../shared/conformance not found"
		exit 77
	fi
	set -- "$@" "$shared"/scenarios/*.rpl
	for f in "$here"/scenarios/*.rpl; do
		[ -e "$f" ] && set -- "$@" "$f"
	done
fi
PYTHONDONTWRITEBYTECODE=1 exec "$PYTHON" "$here/replay.py" --resolverd "$resolverd" "$@"
