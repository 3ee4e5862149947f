#!/bin/sh
# Command-line behaviour of resolverd: -V, -h, -t with a good and a bad
# config, and a plain message when the port is taken. Binds only on
# 127.0.0.1 (high ports); no DNS traffic at all.
set -u
if [ -n "${RESOLVERD:-}" ]; then bin=$RESOLVERD
elif [ -n "${BUILDDIR:-}" ]; then bin=$BUILDDIR/src/resolverd
elif [ -x ./src/resolverd ]; then bin=./src/resolverd
else bin=$(cd "$(dirname "$0")/../.." && pwd)/src/resolverd; fi
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; [ -n "${holder:-}" ] && kill $holder 2>/dev/null' EXIT
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
no() { echo "not ok - $1"; shift; for l in "$@"; do echo "#   $l"; done; fail=$((fail + 1)); }

out=$("$bin" -V 2>&1); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "resolverd" && ok "-V prints the version" || no "-V" "rc=$rc" "$out"
out=$("$bin" -h 2>&1); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q -- "-c" && ok "-h prints usage" || no "-h" "rc=$rc" "$out"

cat > "$tmp/good.conf" <<EOC
interface: 127.0.0.1@15353
root-hints: $top/zones/named.root
local-zone: "blocked.example." always_nxdomain
EOC
out=$("$bin" -t -c "$tmp/good.conf" 2>&1); rc=$?
[ $rc -eq 0 ] && ok "-t accepts a good config" || no "-t good config" "rc=$rc" "$out"

printf 'interface: 127.0.0.1@15353\ncache-size: lots\n' > "$tmp/bad.conf"
out=$("$bin" -t -c "$tmp/bad.conf" 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "bad.conf:2: "; then
	ok "-t rejects a bad value with file:line (exit 1)"
else
	no "-t bad config" "rc=$rc" "$out"
fi
printf 'verbosity: 1\nno-such-key: 1\n' > "$tmp/bad2.conf"
out=$("$bin" -t -c "$tmp/bad2.conf" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "bad2.conf:2: .*no-such-key" && ok "-t names an unknown key and its line" ||
	no "-t unknown key" "rc=$rc" "$out"
out=$("$bin" -c "$tmp/bad.conf" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "bad.conf:2: " && ok "start-up stops on a bad config" ||
	no "start with a bad config" "rc=$rc" "$out"

# Every key the parser knows is documented in both references: under its
# own heading, its other spelling (Unbound's) at least mentioned.
missing="" nkeys=0
pairs=$(sed -n 's/^	{ "\([a-z0-9-]*\)", \(NULL\|"\([a-z0-9-]*\)"\),.*/\1:\3/p' "$top/src/daemon/config_keys.c")
for pair in $pairs; do
	k=${pair%%:*} alias=${pair#*:}
	nkeys=$((nkeys + 1))
	grep -q "^### \(.*[ ,]\)\?$k\([ ,].*\)\?$" "$top/doc/resolver.conf.md" || missing="$missing $k(md)"
	grep -q "^\.It Ic $k\( \|$\)" "$top/doc/resolver.conf.5" || missing="$missing $k(5)"
	if [ -n "$alias" ]; then
		grep -q -- "$alias" "$top/doc/resolver.conf.md" || missing="$missing $alias(md)"
		grep -q -- "$alias" "$top/doc/resolver.conf.5" || missing="$missing $alias(5)"
	fi
done
[ $nkeys -gt 30 ] && [ -z "$missing" ] && ok "every config key ($nkeys) is documented in resolver.conf.md and resolver.conf.5" ||
	no "undocumented config keys" "keys found: $nkeys; missing:${missing:- none}"

# -l lists the local zones: with nothing configured, the built-in ones;
# nodefault, a stub-zone or unblock-lan-zones take theirs away.
printf 'server:\n' > "$tmp/empty.conf"
out=$("$bin" -l -c "$tmp/empty.conf" 2>&1); rc=$?
n=$(echo "$out" | grep -c ' built-in$')
if [ $rc -eq 0 ] && [ "$n" -eq 102 ] && echo "$out" | grep -qx 'localhost\. redirect built-in' &&
    echo "$out" | grep -qx '10\.in-addr\.arpa\. static built-in' && echo "$out" | grep -qx 'test\. static built-in'; then
	ok "-l lists the 102 built-in local zones"
else
	no "-l with an empty config" "rc=$rc, $n built-in" "$out"
fi
builtin=$out
printf 'local-zone: "test." nodefault\nunblock-lan-zones: yes\nlocal-zone: onion transparent\nstub-zone:\n name: localhost\n stub-addr: 192.0.2.1\n' > "$tmp/nodef.conf"
out=$("$bin" -l -c "$tmp/nodef.conf" 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$(echo "$out" | wc -l)" -eq 5 ] && ! echo "$out" | grep -q '^test\.\|^localhost\.\|^10\.' &&
    echo "$out" | grep -qx 'onion\. transparent' && echo "$out" | grep -qx 'invalid\. static built-in'; then
	ok "-l: nodefault, transparent, stub-zone and unblock-lan-zones turn built-in zones off"
else
	no "-l with overrides" "rc=$rc" "$out"
fi

# Every built-in zone is in both references (the two long runs of
# 172.16/12 and 100.64/10 by their first and last zone).
missing=""
for z in $(echo "$builtin" | cut -d' ' -f1); do
	case $z in
	1[7-9].172.in-addr.arpa.|2[0-9].172.in-addr.arpa.|30.172.in-addr.arpa.) continue ;;
	6[5-9].100.in-addr.arpa.|[7-9][0-9].100.in-addr.arpa.|1[01][0-9].100.in-addr.arpa.|12[0-6].100.in-addr.arpa.) continue ;;
	esac
	grep -qF "\`$z\`" "$top/doc/resolver.conf.md" || missing="$missing $z(md)"
	grep -qE "(^|[[:space:]])$(echo "$z" | sed 's/\./\\./g')([[:space:]]|$)" "$top/doc/resolver.conf.5" ||
		missing="$missing $z(5)"
done
[ -z "$missing" ] && ok "every built-in local zone is documented in resolver.conf.md and resolver.conf.5" ||
	no "undocumented built-in local zones" "missing:$missing"

# A stale root-zone-file is refused at start-up, naming file and line.
cat > "$tmp/root.zone" <<EOZ
. 86400 IN SOA a.root.test. admin.test. 1 1800 900 604800 86400
. 518400 IN NS a.root.test.
EOZ
touch -d '10 days ago' "$tmp/root.zone"
printf 'interface: 127.0.0.1@15353\nroot-hints: %s\nroot-zone-file: %s\n' "$top/zones/named.root" "$tmp/root.zone" > "$tmp/rz.conf"
out=$("$bin" -t -c "$tmp/rz.conf" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "rz.conf:3: root-zone-file: .*stale" && ok "-t refuses a stale root-zone-file with file:line" ||
	no "stale root-zone-file" "rc=$rc" "$out"

# A DS trust anchor whose digest cannot be of its type (a SHA-256 digest
# labelled SHA-1) is refused, naming file and line, from an anchor file
# and from the config alike (issue 9).
# Root hints on loopback: should a broken build start here, it must not
# reach the real root servers.
d=E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
printf '. 3600000 NS a.root.test.\na.root.test. 3600000 A 127.0.0.1\n' > "$tmp/lo.hints"
printf '; the root, mislabelled\n. IN DS 20326 8 1 %s\n' $d > "$tmp/bad.key"
printf 'interface: 127.0.0.1@15353\nroot-hints: %s\ntrust-anchor-file: %s\n' "$tmp/lo.hints" "$tmp/bad.key" > "$tmp/ta1.conf"
out=$("$bin" -t -c "$tmp/ta1.conf" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "bad.key:2: DS digest type 1 (SHA-1) has 32 bytes, not 20" &&
	ok "-t refuses a trust-anchor-file DS of the wrong digest length with file:line" ||
	no "bad anchor file" "rc=$rc" "$out"
printf 'interface: 127.0.0.1@15353\nroot-hints: %s\ntrust-anchor: ". IN DS 20326 8 1 %s"\n' "$tmp/lo.hints" $d > "$tmp/ta2.conf"
out=$(timeout 10 "$bin" -c "$tmp/ta2.conf" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "ta2.conf:3: trust-anchor: DS digest type 1 (SHA-1) has 32 bytes, not 20" &&
	ok "start-up refuses a trust-anchor DS of the wrong digest length with file:line" ||
	no "bad trust-anchor" "rc=$rc" "$out"

# Someone else holds the port: say so, exit non-zero.
/usr/bin/python3 -c '
import socket, time, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 15353))
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("127.0.0.1", 15353)); t.listen()
sys.stdout.write("ready\n"); sys.stdout.flush(); time.sleep(30)' > "$tmp/holder.out" &
holder=$!
for i in 1 2 3 4 5 6 7 8 9 10; do grep -q ready "$tmp/holder.out" 2>/dev/null && break; sleep 0.2; done
out=$(timeout 10 "$bin" -c "$tmp/good.conf" 2>&1); rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && echo "$out" | grep -qi "already in use"; then
	ok "port taken: plain message, non-zero exit"
else
	no "port taken" "rc=$rc" "$out"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
