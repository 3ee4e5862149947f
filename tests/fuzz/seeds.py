#!/usr/bin/python3
"""Write the fuzz targets' seed corpora (tests/fuzz/README.md, "Seeds").

Usage: seeds.py OUTDIR

Makes OUTDIR/<target>/ for each target from what the repository and the
shared conformance scenarios already hold; nothing is copied into the
repository:
  query     each scenario's client queries (STEP QUERY), plus a few odd
            ones (DO, CD, ANY, AXFR, CH, NOTIFY, two questions, EDNS 1,
            cut short)
  response  each scenario's canned upstream replies (RANGE entries, built
  iter      as the replay runner sends them), with a few different IDs
            (the targets read modes from the ID)
  config    etc/resolver.conf, the same with every documented key
            uncommented, and the configuration tests/replay writes for
            each scenario
  zone      zones/lab/*.zone (root first), and a signed copy of the lab
            root (NSEC, and NSEC3) when ldns-signzone is installed
  anchor    zones/root.key, zones/named.root, each scenario's trust anchors

The scenarios are in ../shared/conformance/scenarios (or
$FUZZ_SCENARIOS); without them, or without dnspython, the seeds made from
them are left out and said so on stderr.
"""
import glob
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
MAX_SEED = 1 << 16


def put(outdir, target, data):
    if isinstance(data, str):
        data = data.encode()
    if not data or len(data) > MAX_SEED:
        return
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as fh:
        fh.write(data)


def read(path):
    with open(path, "rb") as fh:
        return fh.read()


def repo_seeds(out):
    conf = read(os.path.join(TOP, "etc", "resolver.conf")).decode()
    put(out, "config", conf)
    # Every documented "# key: value" line switched on.
    put(out, "config", re.sub(r"(?m)^(\s*)# ([a-z0-9-]+: )", r"\1\2", conf))
    zones = sorted(glob.glob(os.path.join(TOP, "zones", "lab", "*.zone")))
    zones.sort(key=lambda p: not p.endswith("/root.zone"))
    for z in zones:
        put(out, "zone", read(z))
    put(out, "anchor", read(os.path.join(TOP, "zones", "root.key")))
    put(out, "anchor", read(os.path.join(TOP, "zones", "named.root")))
    signed_root(out, os.path.join(TOP, "zones", "lab", "root.zone"))


def signed_root(out, zonefile):
    if not shutil.which("ldns-keygen") or not shutil.which("ldns-signzone"):
        sys.stderr.write("seeds: no ldns-keygen/ldns-signzone (ldnsutils): no signed zone seeds\n")
        return
    with tempfile.TemporaryDirectory() as tmp:
        key = subprocess.run(["ldns-keygen", "-a", "ECDSAP256SHA256", "-k", "."], cwd=tmp,
                             stdout=subprocess.PIPE, universal_newlines=True, check=True)
        base = key.stdout.strip()
        shutil.copy(zonefile, os.path.join(tmp, "root.zone"))
        for extra in ([], ["-n", "-s", "abcd", "-t", "1"]):
            subprocess.run(["ldns-signzone", "-o", "."] + extra + ["root.zone", base],
                           cwd=tmp, check=True, stdout=subprocess.DEVNULL)
            put(out, "zone", read(os.path.join(tmp, "root.zone.signed")))
        put(out, "anchor", read(os.path.join(tmp, base + ".key")))
        put(out, "anchor", read(os.path.join(tmp, base + ".ds")))


def odd_queries(out):
    import dns.flags
    import dns.message
    import dns.opcode
    import dns.rdataclass
    import dns.rdatatype
    T = dns.rdatatype
    plain = dns.message.make_query("www.example.com.", T.A, use_edns=False)
    plain.id = 0x0101
    seeds = [plain.to_wire()]
    for qid, name, rtype, kw in (
            (0x0102, "WwW.ExAmPlE.cOm.", T.AAAA, {"want_dnssec": True, "payload": 1232}),
            (0x0310, "example.com.", T.ANY, {"payload": 4096}),
            (0x0404, "example.com.", T.AXFR, {}),
            (0x0505, "a.b.c.d.e.f.g.example.", T.TXT, {"want_dnssec": True, "payload": 512}),
            (0x0600, ".", T.DNSKEY, {"payload": 65535}),
            (0x0707, "example.com.", T.MAILA, {})):
        m = dns.message.make_query(name, rtype, **kw)
        m.id = qid
        seeds.append(m.to_wire())
    m = dns.message.make_query("version.bind.", T.TXT, rdclass=dns.rdataclass.CH)
    seeds.append(m.to_wire())
    m = dns.message.make_query("example.com.", T.SOA)
    m.set_opcode(dns.opcode.NOTIFY)
    seeds.append(m.to_wire())
    m = dns.message.make_query("example.com.", T.A, use_edns=1)
    seeds.append(m.to_wire())
    m = dns.message.make_query("example.com.", T.A)
    m.flags |= dns.flags.CD | dns.flags.AD
    w = m.to_wire()
    seeds += [w, w[:-5], w[:12]]
    # Two questions.
    w = bytearray(plain.to_wire())
    w[5] = 2
    seeds.append(bytes(w) + w[12:])
    for s in seeds:
        put(out, "query", s)


def scenario_seeds(out, scen_dir):
    sys.path.insert(0, os.path.join(TOP, "tests", "replay"))
    import dns.message
    import rpl
    import conf
    paths = sorted(glob.glob(os.path.join(scen_dir, "*.rpl")))
    for path in paths:
        try:
            sc = rpl.parse(path)
        except rpl.ScenarioError:
            continue
        try:
            text, hints = conf.build(sc, True, "/nonexistent", "/nonexistent/hints",
                                     "/nonexistent/ctl")
            put(out, "config", text)
            put(out, "anchor", hints)
        except Exception:   # noqa: BLE001 -- a scenario the replay skips
            pass
        for ta in sc.config_values("trust-anchor"):
            put(out, "anchor", ta + "\n")
        for st in sc.steps:
            e = st.entry
            if st.kind == "QUERY" and e is not None:
                try:
                    q = rpl.build_answer(e, dns.message.make_query(".", "A"), b"\0\0")
                    w = bytearray(q)
                    w[2] &= 0x7F        # a query: QR clear
                    put(out, "query", bytes(w))
                except Exception:   # noqa: BLE001
                    pass
        for rng in sc.ranges:
            for e in rng.entries:
                q = e.question
                qn = q.name if q is not None else "www.example.com."
                qt = q.rdtype if q is not None else "A"
                try:
                    query = dns.message.make_query(qn, qt, want_dnssec=e.do)
                    w = rpl.build_answer(e, query, query.to_wire())
                except Exception:   # noqa: BLE001
                    continue
                if w is None:
                    continue
                digest = hashlib.sha1(w).digest()
                for target in ("response", "iter"):
                    # IDs: as built, and one the digest picks.
                    put(out, target, w)
                    put(out, target, digest[:2] + w[2:])
    return len(paths)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    repo_seeds(out)
    try:
        import dns.message  # noqa: F401
    except ImportError:
        sys.stderr.write("seeds: no dnspython: no query or reply seeds\n")
        return 0
    odd_queries(out)
    scen = os.environ.get("FUZZ_SCENARIOS") or os.path.join(TOP, "..", "shared", "conformance",
                                                            "scenarios")
    if os.path.isdir(scen):
        n = scenario_seeds(out, scen)
        sys.stderr.write("seeds: %d scenarios read from %s\n" % (n, scen))
    else:
        sys.stderr.write("seeds: no scenarios at %s: no seeds from them\n" % scen)
    for t in sorted(os.listdir(out)):
        sys.stderr.write("seeds: %s: %d\n" % (t, len(os.listdir(os.path.join(out, t)))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
