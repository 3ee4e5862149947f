# End-to-end lab (tests/lab/README.md): resolverd against NSD servers in a
# private network namespace. Include from tests/Makefile.inc to run it in
# `make check`; it exits 77 (skipped) where NSD, dnspython or namespaces
# are missing. In an out-of-tree build it finds ./src/resolverd.
TESTS += tests/lab/run.sh
EXTRA_DIST += tests/lab/run.sh tests/lab/lab.py tests/lab/blackhole.py \
	tests/lab/dnssec.py tests/lab/localzones.py tests/lab/ops.py tests/lab/README.md \
	zones/lab/root.zone zones/lab/lab.zone zones/lab/corp.zone \
	zones/lab/example.zone zones/lab/hosting.lab.zone \
	zones/lab/alpha.lab.zone zones/lab/refused.lab.zone \
	zones/lab/timeout.lab.zone zones/lab/beta.corp.zone \
	zones/lab/oob.corp.zone zones/lab/lame.corp.zone \
	zones/lab/halfdead.corp.zone zones/lab/shop.example.zone \
	zones/lab/v6.example.zone \
	zones/lab/signed.zone zones/lab/good.signed.zone \
	zones/lab/nsec3.signed.zone zones/lab/optout.signed.zone \
	zones/lab/unsigned.optout.signed.zone zones/lab/expired.signed.zone \
	zones/lab/bogus.signed.zone zones/lab/nta.signed.zone \
	zones/lab/insecure.signed.zone

# The upstream lab (tests/lab/README.md, "The upstream lab"): server
# selection, dead servers, serve-stale, prefetch and a local root copy,
# with NSD behind relay.py's delay relays. Zones are generated at test time.
TESTS += tests/lab/upstream.sh
EXTRA_DIST += tests/lab/upstream.sh tests/lab/upstream.py tests/lab/uplab.py tests/lab/relay.py

# The chaos lab (tests/chaos/README.md): spoofing, random-subdomain
# floods, slow and idle clients, descriptor exhaustion; short profile.
TESTS += tests/chaos/run.sh
EXTRA_DIST += tests/chaos/run.sh tests/chaos/chaos.py tests/chaos/cases.py \
	tests/chaos/attack.py tests/chaos/README.md
