"""localzones.py -- the built-in local zones, tried as a new user would.

A second resolverd runs with the shipped configuration (etc/resolver.conf
as it is) plus only what the lab needs (where to listen, the lab's root
hints and trust anchor), and real dig asks it for localhost., the loopback
and private reverse names, home.arpa., onion., test. and invalid.: each is
answered by resolverd itself, and no NSD of the lab (the root included)
sees a query meanwhile. Then a lab name resolves through the same
resolverd (the root's counter moves: the counters do see its queries).
Last, a configuration that turns two of the zones off (local-zone
transparent, stub-zone) sends exactly those to the lab servers.

Called from lab.py (L is the lab module); see tests/lab/README.md.
"""
import os
import re
import shutil
import subprocess
import time

PORT_OFFSET = 2         # the lab's resolverd has LAB_PORT, this one LAB_PORT + 2


def dig(L, port, args):
    """Run dig; (command, rcode, flags, answer lines, authority lines)."""
    cmd = ["dig", "@%s" % L.RESOLVER_V4, "-p", str(port), "+tries=1", "+time=3"] + args
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    out = r.stdout
    m = re.search(r"status: (\w+)", out)
    f = re.search(r";; flags: ([a-z ]*);", out)
    sections, cur = {"ANSWER": [], "AUTHORITY": []}, None
    for line in out.splitlines():
        h = re.match(r";; (\w+) SECTION:", line)
        if h:
            cur = h.group(1)
            continue
        if not line.strip():
            cur = None
        elif cur in sections and not line.startswith(";"):
            sections[cur].append(" ".join(line.split()))
    return (" ".join(cmd[:1] + args + ["@%s" % L.RESOLVER_V4, "-p", str(port)]),
            m.group(1) if m else "(no answer: %s)" % (out + r.stderr).strip()[-200:],
            (f.group(1).split() if f else []), sections["ANSWER"], sections["AUTHORITY"])


def expect(L, port, desc, args, rcode, answer=None, soa=None, local=True):
    """dig, then compare: rcode, the answer's data, the SOA's owner, and for
    a local answer AA and no AD."""
    cmd, got, flags, ans, auth = dig(L, port, args)
    probs = []
    if got != rcode:
        probs.append("rcode %s, expected %s" % (got, rcode))
    if local:
        if "aa" not in flags:
            probs.append("no AA (flags: %s)" % " ".join(flags))
        if "ad" in flags:
            probs.append("AD set on a local answer")
    if answer is not None and not any(a.split()[-1] == answer for a in ans):
        probs.append("answer %r, expected data %s" % (ans, answer))
    if answer is None and ans:
        probs.append("answer %r, expected none" % ans)
    if soa is not None and not any(a.split()[0] == soa and a.split()[3] == "SOA" for a in auth):
        probs.append("authority %r, expected the SOA of %s" % (auth, soa))
    L.R.ok(not probs, desc, (["$ " + cmd] + probs) if probs else None)


def shipped_conf(L, lab, port, extra):
    """etc/resolver.conf unchanged but for its metrics port (the lab's own
    resolverd already serves 9253), then the lab's lines."""
    with open(os.path.join(L.SRC_TOP, "etc", "resolver.conf")) as f:
        text = f.read()
    shipped_http = "http-interface: 127.0.0.1@9253"
    if shipped_http not in text:
        raise RuntimeError("etc/resolver.conf no longer has %r" % shipped_http)
    text = text.replace(shipped_http, "http-interface: 127.0.0.1@%d" % (port + 1))
    lines = [
        "", "# added by tests/lab/localzones.py: the lab's network and keys only",
        "server:",
        "\tinterface: %s@%d" % (L.RESOLVER_V4, port),
        "\troot-hints: %s" % lab.root_hints(),
        "\tcontrol-socket: %s/localzones.sock" % lab.tmp,
        "\tnum-threads: 1",
    ]
    if lab.dnssec:
        lines.append("\ttrust-anchor-file: %s" % lab.dnssec.anchor)
        lines += ["\tdomain-insecure: %s" % d for d in lab.dnssec.insecure]
    else:
        lines.append('\tmodule-config: "iterator"')
    path = os.path.join(lab.tmp, "localzones.conf")
    with open(path, "w") as f:
        f.write(text + "\n".join(lines + extra) + "\n")
    return path


def start(L, lab, port, extra, what):
    conf = shipped_conf(L, lab, port, extra)
    out = open(os.path.join(lab.tmp, "localzones.out"), "a")
    p = subprocess.Popen([L.find_resolverd(), "-c", conf], stdout=out, stderr=subprocess.STDOUT)
    lab.procs.append(("resolverd-localzones", p))
    deadline = time.time() + 10
    while time.time() < deadline and p.poll() is None and not L.listening(port):
        time.sleep(0.05)
    up = p.poll() is None and L.listening(port)
    L.R.ok(up, "local zones: resolverd starts with %s" % what,
           L.tail(os.path.join(lab.tmp, "localzones.out"), 20))
    return p if up else None


def stop(L, p):
    p.terminate()
    try:
        rc = p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    L.R.ok(rc == 0, "local zones: resolverd exits with status 0", ["exit status %s" % rc])


def moved(before, after):
    return {role: after[role]["queries"] - before[role]["queries"] for role in after
            if after[role]["queries"] != before[role]["queries"]}


def checks(L, lab):
    R = L.R
    if shutil.which("dig") is None:
        R.skip("local zones with dig", "dig not found (Debian: dnsutils)")
        return
    port = L.RESOLVER_PORT + PORT_OFFSET
    p = start(L, lab, port, [], "the shipped configuration")
    if p is None:
        return
    s0 = lab.stats()
    expect(L, port, "local zones: localhost A is 127.0.0.1", ["localhost", "A"],
           "NOERROR", answer="127.0.0.1")
    expect(L, port, "local zones: localhost AAAA is ::1", ["localhost", "AAAA"],
           "NOERROR", answer="::1")
    expect(L, port, "local zones: www.localhost A +dnssec is 127.0.0.1, no AD",
           ["+dnssec", "www.localhost", "A"], "NOERROR", answer="127.0.0.1")
    expect(L, port, "local zones: dig -x 127.0.0.1 is localhost.", ["-x", "127.0.0.1"],
           "NOERROR", answer="localhost.")
    expect(L, port, "local zones: dig -x ::1 is localhost.", ["-x", "::1"],
           "NOERROR", answer="localhost.")
    expect(L, port, "local zones: dig -x 127.0.0.2 NXDOMAIN", ["-x", "127.0.0.2"],
           "NXDOMAIN", soa="127.in-addr.arpa.")
    for addr, zone in (("10.1.2.3", "10.in-addr.arpa."), ("172.31.0.1", "31.172.in-addr.arpa."),
                       ("192.168.1.1", "168.192.in-addr.arpa."),
                       ("100.64.0.1", "64.100.in-addr.arpa."),
                       ("100.127.255.1", "127.100.in-addr.arpa."),
                       ("169.254.1.1", "254.169.in-addr.arpa."), ("0.0.0.1", "0.in-addr.arpa."),
                       ("192.0.2.1", "2.0.192.in-addr.arpa."),
                       ("fe80::1", "8.e.f.ip6.arpa."), ("fd12:3456::1", "d.f.ip6.arpa."),
                       ("2001:db8::1", "8.b.d.0.1.0.0.2.ip6.arpa.")):
        expect(L, port, "local zones: dig -x %s NXDOMAIN with the SOA of %s" % (addr, zone),
               ["+dnssec", "-x", addr], "NXDOMAIN", soa=zone)
    expect(L, port, "local zones: 255.255.255.255 reverse NODATA",
           ["-x", "255.255.255.255"], "NOERROR", soa="255.255.255.255.in-addr.arpa.")
    for name, zone in (("printer.home.arpa", "home.arpa."), ("www.example.onion", "onion."),
                       ("www.example.test", "test."), ("nothing.invalid", "invalid.")):
        expect(L, port, "local zones: %s A NXDOMAIN" % name, ["+dnssec", name, "A"],
               "NXDOMAIN", soa=zone)
    s1 = lab.stats()
    m = moved(s0, s1)
    R.ok(not m, "local zones: no lab server (root included) got a query for them",
         ["queries per server: %s" % m] if m else None)
    expect(L, port, "local zones: host.alpha.lab A still resolves", ["host.alpha.lab", "A"],
           "NOERROR", answer="203.0.113.10", local=False)
    s2 = lab.stats()
    R.ok(s2["root"]["queries"] > s1["root"]["queries"],
         "local zones: that question reached the lab root (%d queries): the counters see "
         "this resolverd" % (s2["root"]["queries"] - s1["root"]["queries"]))
    stop(L, p)

    # Turned off: transparent for 10.in-addr.arpa., a stub zone (the lab
    # root's address) for 168.192.in-addr.arpa.; 172.16/12 stays local.
    # Each from a fresh start: what the root said about the first (its
    # NSEC records) would answer the second from the cache.
    root = L.BY_ROLE["root"].v4[0]
    off = ['\tlocal-zone: "10.in-addr.arpa." transparent',
           "stub-zone:", '\tname: "168.192.in-addr.arpa."', "\tstub-addr: %s" % root]
    # (The lab root's SOA is out of the stub zone's bailiwick: the stub
    # answer comes without it.)
    for addr, how, soa in (("10.1.2.3", "local-zone transparent", "."),
                           ("192.168.1.1", "a stub-zone", None)):
        p = start(L, lab, port, off, "local-zone transparent and a stub-zone")
        if p is None:
            return
        s0 = lab.stats()
        expect(L, port, "local zones off: dig -x 172.16.0.1 still local", ["-x", "172.16.0.1"],
               "NXDOMAIN", soa="16.172.in-addr.arpa.")
        s1 = lab.stats()
        R.ok(not moved(s0, s1), "local zones off: 172.16.0.1 asked nobody", [str(moved(s0, s1))])
        expect(L, port, "local zones off (%s): dig -x %s answered by the lab root" % (how, addr),
               ["-x", addr], "NXDOMAIN", soa=soa, local=False)
        s2 = lab.stats()
        R.ok(s2["root"]["queries"] > s1["root"]["queries"],
             "local zones off (%s): dig -x %s reached the lab root (%d queries)"
             % (how, addr, s2["root"]["queries"] - s1["root"]["queries"]))
        stop(L, p)
