#!/bin/sh
# Install the Debian 12 packages resolverd needs.
#   deps.sh build   -- to build and run it
#   deps.sh test    -- also what the test suite needs
# Only installs what is missing; needs root (or sudo) when something is.
set -eu
build="build-essential autoconf automake libtool pkg-config
	libevent-dev libssl-dev libldns-dev libnghttp2-dev"
test="$build nsd dnsutils knot-dnsutils ldnsutils dnsperf python3 python3-dnspython
	faketime libfaketime iproute2 util-linux procps prometheus clang libclang-rt-14-dev"
case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
*) echo "usage: deps.sh build|test" >&2; exit 2 ;;
esac
missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
