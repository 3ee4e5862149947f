"""The operator's view, checked in the lab: /metrics, /health, /ready,
every resolverctl command, and bad input on both channels while DNS is
under load.

Called by lab.py (resolver_checks) with the lab module L, after the
resolution checks, against the running resolverd; it also starts a short
second resolverd to see /ready before the root is primed. See
tests/lab/README.md, "The operator's view".
"""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import dns.exception
import dns.rcode
import dns.rdatatype

HTTP_PORT = 9253
HTTP2_PORT = 9254
RESOLVER2_PORT = 5399
T = dns.rdatatype

SERIES = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def exchange(s, data):
    """Send data on socket s, read until the peer closes, close s."""
    out = b""
    try:
        s.sendall(data)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    finally:
        s.close()
    return out


def http(path, port=HTTP_PORT, method="GET", timeout=5.0):
    """(status, body) of one request, over a fresh connection."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    data = exchange(s, ("%s %s HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n"
                        % (method, path)).encode())
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.") else 0
    return status, body.decode(errors="replace")


def parse_metrics(text):
    """{'name{labels}': value} of every sample."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SERIES.match(line)
        if m:
            out[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return out


def metrics(port=HTTP_PORT):
    status, body = http("/metrics", port)
    if status != 200:
        raise RuntimeError("/metrics answered %d: %s" % (status, body[:200]))
    return parse_metrics(body), body


def total(m, name):
    """Sum of a metric over its labels."""
    return sum(v for k, v in m.items() if k == name or k.startswith(name + "{"))


def monotonic_series(name):
    return (name.endswith("_total") or name.endswith("_count") or name.endswith("_sum")
            or name.endswith("_bucket") or "_total{" in name or "_count{" in name
            or "_sum{" in name or "_bucket{" in name)


class Ctl:
    def __init__(self, L, sock):
        self.bin = os.path.join(os.path.dirname(L.find_resolverd()), "resolverctl")
        self.sock = sock

    def run(self, *args, sock=None):
        r = subprocess.run([self.bin, "-s", sock or self.sock] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=60)
        return r.returncode, r.stdout, r.stderr

    def raw(self, data, sock=None, timeout=5.0):
        """Send bytes on the control socket, return the reply."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(sock or self.sock)
        try:
            out = exchange(s, data)
        except (socket.timeout, ConnectionError) as ex:
            out = ("(%s)" % ex).encode()
        return out.decode(errors="replace")


def resolver_checks(L, lab, model, client):
    t0 = time.time()
    checks(L, lab, client)
    L.R.info("the operator's view checks took %.1f s" % (time.time() - t0))


def checks(L, lab, client):
    R = L.R
    ctl = Ctl(L, os.path.join(lab.tmp, "resolverd.sock"))
    leaf_names = ["ops%d.alpha.lab." % i for i in range(100)]

    def ask(name, qtype=T.A):
        try:
            return client.ask(name, qtype)
        except (dns.exception.DNSException, OSError, EOFError):
            return None

    # ---- /metrics, /health, /ready on the running resolver
    status, body = http("/health")
    R.ok(status == 200 and body == "OK\n", "/health: 200 OK", ["%d %r" % (status, body)])
    status, body = http("/ready")
    R.ok(status == 200, "/ready: 200 once the root is primed", ["%d %r" % (status, body)])
    status, _ = http("/nosuch")
    R.ok(status == 404, "/nosuch: 404", ["status %d" % status])
    status, _ = http("/metrics", method="POST")
    R.ok(status == 405, "POST /metrics: 405", ["status %d" % status])
    s = socket.create_connection(("127.0.0.1", HTTP_PORT), timeout=5)
    head = exchange(s, b"HEAD /health HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n")
    R.ok(head.startswith(b"HTTP/1.1 200") and head.endswith(b"\r\n\r\n") and
         b"Content-Length: 3" in head, "HEAD /health: 200, the length, no body", [repr(head)])

    # Upstream queries by class: after flush_all the root is primed again
    # and lab. and alpha.lab are asked.
    rc, out, err = ctl.run("flush_all")
    R.ok(rc == 0 and "removed" in out, "resolverctl flush_all", [out, err])
    m0, _ = metrics()
    ask("www.alpha.lab.")
    m1, _ = metrics()
    classes = {c: m1['resolverd_upstream_queries_total{class="%s"}' % c] -
               m0['resolverd_upstream_queries_total{class="%s"}' % c] for c in ("root", "tld", "other")}
    R.ok(all(v >= 1 for v in classes.values()),
         "after flush_all, www.alpha.lab costs root, tld and other upstream queries: %s" % classes)

    # 100 new names, then the same 100 again.
    s0 = lab.stats()
    m0, _ = metrics()
    for n in leaf_names:
        ask(n)
    m1, _ = metrics()
    s1 = lab.stats()
    for n in leaf_names:
        ask(n)
    m2, body2 = metrics()
    s2 = lab.stats()
    q = total(m2, "resolverd_queries_total") - total(m0, "resolverd_queries_total")
    R.ok(q == 200, "200 questions: resolverd_queries_total grew by exactly 200 (%d)" % q)
    hits = (m2['resolverd_query_duration_seconds_count{outcome="cache_hit"}'] -
            m1['resolverd_query_duration_seconds_count{outcome="cache_hit"}'])
    R.ok(hits >= 100, "the second 100: %d cache_hit latency observations (>= 100)" % hits)
    other = (m1['resolverd_upstream_queries_total{class="other"}'] -
             m0['resolverd_upstream_queries_total{class="other"}'])
    leaf = s1["leaf1"]["queries"] - s0["leaf1"]["queries"]
    R.ok(other >= 100 and leaf >= 100, "the first 100: %d upstream queries of class other "
         "(the leaf server got %d)" % (other, leaf))
    again = total(m2, "resolverd_upstream_queries_total") - total(m1, "resolverd_upstream_queries_total")
    R.ok(again == 0 and s2["leaf1"]["queries"] == s1["leaf1"]["queries"],
         "the second 100 cost no upstream query (%d)" % again)
    nx = m2['resolverd_responses_total{rcode="NXDOMAIN"}'] - m0['resolverd_responses_total{rcode="NXDOMAIN"}']
    R.ok(nx == 200, "resolverd_responses_total{rcode=\"NXDOMAIN\"} grew by 200 (%d)" % nx)
    fast = (m2['resolverd_query_duration_seconds_bucket{outcome="cache_hit",le="0.01"}'] -
            m1['resolverd_query_duration_seconds_bucket{outcome="cache_hit",le="0.01"}'])
    R.info("cache hits answered within 10 ms: %d of %d" % (fast, hits))
    promtool_check(R, body2)

    # ---- resolverctl, every command
    rc, out, err = ctl.run("status")
    R.ok(rc == 0 and "version: " in out and "threads: 1" in out and "listener: udp 127.0.0.1@" in out,
         "resolverctl status", [out, err])
    rc, out, err = ctl.run("stats")
    flat = dict(l.split("=", 1) for l in out.splitlines() if "=" in l)
    m3, _ = metrics()
    R.ok(rc == 0 and float(flat.get("resolverd_queries_total.udp", -1)) ==
         m3['resolverd_queries_total{transport="udp"}'] and
         "resolverd_query_duration_seconds_count.cache_hit" in flat,
         "resolverctl stats: name=value lines, the numbers of /metrics",
         [out[:400], err])
    flush_name_checks(L, lab, ctl, ask, leaf_names)
    rc, out, err = ctl.run("flush_infra", "198.51.100.10")
    R.ok(rc == 0, "resolverctl flush_infra 198.51.100.10", [out, err])
    rc, out, err = ctl.run("flush_infra", "all")
    R.ok(rc == 0, "resolverctl flush_infra all", [out, err])
    rc, out, err = ctl.run("flush_infra", "not-an-address")
    R.ok(rc == 1 and "bad address" in err, "resolverctl flush_infra with a bad address: exit 1",
         [out, err])
    flush_bogus_checks(L, lab, ctl, ask)
    top_checks(L, ctl, ask)
    rc, out, err = ctl.run("lookup", "www.alpha.lab")
    R.ok(rc == 0 and "zone: alpha.lab. (cached delegation)" in out and "198.51.100.10@53" in out,
         "resolverctl lookup www.alpha.lab: the cached delegation and its server", [out, err])
    rc, out, err = ctl.run("verbosity", "2")
    rc2, out2, err2 = ctl.run("verbosity", "1")
    rc3, _, err3 = ctl.run("verbosity", "7")
    R.ok(rc == 0 and rc2 == 0 and rc3 == 1 and "0-4" in err3,
         "resolverctl verbosity 2, 1 (ok) and 7 (exit 1)", [err, err2, err3])
    reload_checks(L, lab, ctl, ask)
    rc, out, err = ctl.run("frobnicate")
    R.ok(rc == 2 and "no such command" in err, "resolverctl frobnicate: exit 2, one line", [err])
    rc, out, err = ctl.run("status", sock=os.path.join(lab.tmp, "nosuch.sock"))
    R.ok(rc == 1 and "is resolverd running?" in err and len(err.splitlines()) == 1,
         "resolverctl without a daemon: exit 1, 'cannot connect ...: is resolverd running?'", [err])
    mode = os.stat(ctl.sock).st_mode & 0o777
    R.ok(mode == 0o600, "the control socket has mode 0600 (%o)" % mode)

    ready_checks(L, lab, ctl)
    bad_input_checks(L, lab, ctl, leaf_names)


def promtool_check(R, body):
    if shutil.which("promtool") is None:
        R.skip("promtool check metrics", "promtool not found (Debian: prometheus)")
        return
    r = subprocess.run(["promtool", "check", "metrics"], input=body, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True, timeout=30)
    R.ok(r.returncode == 0, "promtool check metrics accepts /metrics", r.stdout.splitlines()[:20])


def flush_name_checks(L, lab, ctl, ask, leaf_names):
    R = L.R
    name = "host.alpha.lab."
    ask(name)
    s0 = lab.stats()
    ask(name)
    s1 = lab.stats()
    rc, out, err = ctl.run("flush", name)
    ask(name)
    s2 = lab.stats()
    R.ok(s1["leaf1"]["queries"] == s0["leaf1"]["queries"] and rc == 0 and
         s2["leaf1"]["queries"] == s1["leaf1"]["queries"] + 1,
         "resolverctl flush host.alpha.lab: the next question goes upstream again (leaf "
         "counter %d, %d, %d)" % (s0["leaf1"]["queries"], s1["leaf1"]["queries"],
                                  s2["leaf1"]["queries"]), [out, err])
    rc, out, err = ctl.run("flush", "bad..name")
    R.ok(rc == 1 and "bad name" in err and len(err.splitlines()) == 1,
         "resolverctl flush bad..name: exit 1, one line", [err])
    rc, out, err = ctl.run("flush_zone", "alpha.lab")
    s3 = lab.stats()
    ask(leaf_names[0])
    s4 = lab.stats()
    R.ok(rc == 0 and s4["leaf1"]["queries"] > s3["leaf1"]["queries"] and
         s4["tld"]["queries"] > s3["tld"]["queries"],
         "resolverctl flush_zone alpha.lab: names and the delegation are asked again", [out, err])


def flush_bogus_checks(L, lab, ctl, ask):
    R = L.R
    if not lab.dnssec:
        rc, out, err = ctl.run("flush_bogus")
        R.ok(rc == 0, "resolverctl flush_bogus (no signed zones in this run)", [out, err])
        return
    m = ask("www.bogus.signed.")
    s0 = lab.stats()
    rc, out, err = ctl.run("flush_bogus")
    removed = int(re.search(r"removed (\d+)", out).group(1)) if rc == 0 and "removed" in out else -1
    ask("www.bogus.signed.")
    s1 = lab.stats()
    R.ok(m is not None and m.rcode() == dns.rcode.SERVFAIL and removed >= 1 and
         s1["sec"]["queries"] > s0["sec"]["queries"],
         "resolverctl flush_bogus drops the bogus answer (%d entries) and it is fetched "
         "again" % removed, [out, err])


def top_checks(L, ctl, ask):
    R = L.R
    rc, out, err = ctl.run("top-upstreams")
    lines = out.splitlines()
    rows = [l.split() for l in lines[1:]]
    counts = [int(r[2]) for r in rows if len(r) >= 6]
    R.ok(rc == 0 and lines and lines[0].split()[:3] == ["server", "zone", "queries"] and
         1 <= len(rows) <= 10 and counts == sorted(counts, reverse=True),
         "resolverctl top-upstreams: at most 10 servers, most queried first", lines[:12] + [err])
    rc, out, err = ctl.run("top-upstreams", "100")
    R.ok(rc == 0 and any(l.startswith("198.51.100.10@53 ") for l in out.splitlines()) and
         any(l.startswith("198.41.0.4@53 ") and l.split()[1] == "." for l in out.splitlines()),
         "resolverctl top-upstreams 100: the leaf and the root server (zone .) are there",
         out.splitlines()[:20] + [err])
    rc, out, err = ctl.run("top-upstreams", "0")
    R.ok(rc == 1 and "1-" in err, "resolverctl top-upstreams 0: exit 1", [err])


def reload_checks(L, lab, ctl, ask):
    R = L.R
    conf = os.path.join(lab.tmp, "resolverd.conf")
    with open(conf) as f:
        good = f.read()
    rc, out, err = ctl.run("reload")
    R.ok(rc == 0, "resolverctl reload", [out, err])
    nlines = good.count("\n")
    with open(conf, "w") as f:
        f.write(good + "  no-such-key: 1\n")
    rc, out, err = ctl.run("reload")
    with open(conf, "w") as f:
        f.write(good)
    m = ask("www.alpha.lab.")
    R.ok(rc == 1 and ("%s:%d: unknown key 'no-such-key'" % (conf, nlines + 1)) in err and
         "kept" in err and m is not None and m.rcode() == dns.rcode.NOERROR,
         "resolverctl reload with a bad config: exit 1 with file:line, the running one kept",
         [err])


def ready_checks(L, lab, ctl):
    """A second resolverd, fresh: /ready is 503 before the root is primed."""
    R = L.R
    d = tempfile.mkdtemp(prefix="ops2.", dir=lab.tmp)
    conf = os.path.join(d, "r.conf")
    sock = os.path.join(d, "ctl.sock")
    with open(conf, "w") as f:
        f.write("interface: 127.0.0.1@%d\nroot-hints: %s\nnum-threads: 2\n"
                "module-config: \"iterator\"\ncontrol-socket: %s\n"
                "http-interface: 127.0.0.1@%d\n" % (RESOLVER2_PORT, lab.root_hints(), sock,
                                                     HTTP2_PORT))
    out = open(os.path.join(d, "out"), "w")
    p = subprocess.Popen([L.find_resolverd(), "-c", conf], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 10
        while not os.path.exists(sock) and time.time() < deadline and p.poll() is None:
            time.sleep(0.05)
        time.sleep(0.2)
        st1, b1 = http("/ready", HTTP2_PORT)
        st2, b2 = http("/health", HTTP2_PORT)
        L.ask_server("127.0.0.1", "www.alpha.lab.", T.A, port=RESOLVER2_PORT, rd=True, timeout=5)
        st3, b3 = http("/ready", HTTP2_PORT)
        R.ok(st1 == 503 and st2 == 200 and st3 == 200,
             "a fresh resolverd: /ready 503 before priming, 200 after; /health 200 (2 threads)",
             ["/ready %d %r, /health %d %r, then /ready %d %r" % (st1, b1, st2, b2, st3, b3)])
    except (OSError, dns.exception.DNSException) as ex:
        R.ok(False, "a fresh resolverd: /ready and /health", [str(ex)])
    finally:
        p.terminate()
        p.wait(10)
        out.close()
    R.ok(p.returncode == 0 and not os.path.exists(sock),
         "the second resolverd exits 0 and removes its control socket",
         ["exit %s" % p.returncode] + L.tail(os.path.join(d, "out")))


def bad_input_checks(L, lab, ctl, names):
    R = L.R
    # Control socket: unknown commands, no magic, an oversized line.
    r1 = ctl.raw(b"RCTL1 frobnicate\n")
    r2 = ctl.raw(b"hello\n")
    r3 = ctl.raw(b"RCTL1 " + b"x" * 5000)
    r4 = ctl.raw(b"RCTL1 status\n")
    R.ok(r1.startswith("error unknown command") and r2.startswith("error not a resolverctl") and
         r3.startswith("error line too long") and r4.startswith("ok\n"),
         "control socket: unknown command, garbage and a 5000-byte line get one error line; "
         "status still works", [r1, r2, r3, r4[:60]])
    # HTTP garbage and oversized headers: 4xx.
    answers = []
    for req in (b"GARBAGE\r\n\r\n", b"GET /metrics HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 20000 +
                b"\r\n\r\n", b"GET /metrics HTTP/9.9\r\n\r\n"):
        s = socket.create_connection(("127.0.0.1", HTTP_PORT), timeout=5)
        try:
            s.sendall(req)
            answers.append(s.recv(100).split(b"\r\n")[0].decode(errors="replace"))
        except OSError as ex:
            answers.append("(%s)" % ex)
        s.close()
    R.ok(all(re.match(r"HTTP/1\.[01] 4\d\d", a) for a in answers),
         "HTTP: garbage, a 20 KB header and a bad version get 4xx", answers)

    # A slow client that never finishes its request is cut off.
    slow = {}

    def slowloris():
        s = socket.create_connection(("127.0.0.1", HTTP_PORT), timeout=30)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        t = time.time()
        try:
            slow["got"] = s.recv(100)
        except OSError as ex:
            slow["got"] = str(ex).encode()
        slow["after"] = time.time() - t
        s.close()
    th = threading.Thread(target=slowloris)
    th.start()

    # Many idle connections: the cap holds, DNS answers meanwhile.
    fds_before = len(os.listdir("/proc/%d/fd" % lab.resolver.pid))
    idle = []
    for _ in range(200):
        try:
            idle.append(socket.create_connection(("127.0.0.1", HTTP_PORT), timeout=2))
        except OSError:
            break
    time.sleep(0.5)
    fds_during = len(os.listdir("/proc/%d/fd" % lab.resolver.pid))
    ok = sum(1 for n in names[:20] if ask_ok(L, n))
    for s in idle:
        s.close()
    time.sleep(0.5)
    try:
        st, _ = http("/metrics", timeout=5)
    except OSError as ex:
        st = str(ex)
    R.ok(fds_during - fds_before <= 70 and ok == 20 and st == 200,
         "200 idle HTTP connections: resolverd holds at most 64 (%d more descriptors), "
         "DNS answers (%d/20), /metrics works once they go (%s)"
         % (fds_during - fds_before, ok, st))

    load_checks(L, lab, ctl, names)
    th.join(30)
    R.ok(slow.get("after", 99) < 20,
         "HTTP: a request never finished is cut off after the timeout (%.1f s)"
         % slow.get("after", -1))


def ask_ok(L, name):
    try:
        m = L.ask_server("127.0.0.1", name, T.A, port=L.RESOLVER_PORT, rd=True, timeout=3)
        return m.rcode() in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN)
    except (dns.exception.DNSException, OSError):
        return False


def load_checks(L, lab, ctl, names):
    """dnsperf on cached names while /metrics and resolverctl stats are
    read over and over: every query answered, no counter going back."""
    R = L.R
    if shutil.which("dnsperf") is None:
        R.skip("DNS under dnsperf load with concurrent scrapes", "dnsperf not found")
        return
    qfile = os.path.join(lab.tmp, "ops-queries.txt")
    with open(qfile, "w") as f:
        for n in names:
            f.write("%s A\n" % n)
    for n in names:
        ask_ok(L, n)
    stop = threading.Event()
    problems, scrapes = [], [0]

    def scraper():
        prev = None
        while not stop.is_set():
            try:
                m, _ = metrics()
                rc, _, _ = ctl.run("stats")
            except (OSError, RuntimeError) as ex:
                problems.append("scrape failed: %s" % ex)
                time.sleep(0.1)
                continue
            if rc != 0:
                problems.append("resolverctl stats exit %d" % rc)
            if prev is not None:
                for k, v in m.items():
                    if monotonic_series(k.split("{")[0]) and k in prev and v < prev[k]:
                        problems.append("%s went back: %s -> %s" % (k, prev[k], v))
            prev = m
            scrapes[0] += 1
            time.sleep(0.1)
    th = threading.Thread(target=scraper)
    th.start()
    # A modest rate: make check runs the upstream lab, whose checks are
    # about timing, at the same time.
    r = subprocess.run(["dnsperf", "-s", "127.0.0.1", "-p", str(L.RESOLVER_PORT), "-d", qfile,
                        "-l", "4", "-Q", "500", "-c", "2"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True, timeout=60)
    stop.set()
    th.join(30)
    sent = re.search(r"Queries sent:\s+(\d+)", r.stdout)
    done = re.search(r"Queries completed:\s+(\d+)", r.stdout)
    sent, done = (int(sent.group(1)) if sent else 0), (int(done.group(1)) if done else -1)
    R.ok(sent > 1000 and done >= sent * 0.999 and not problems and scrapes[0] >= 10,
         "dnsperf at 500 q/s for 4 s with %d concurrent scrapes: %d of %d answered, "
         "no counter went back" % (scrapes[0], done, sent),
         problems[:10] + [l for l in r.stdout.splitlines() if "Queries" in l])
