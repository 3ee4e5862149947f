#!/usr/bin/python3
"""The upstream lab's machinery (tests/lab/upstream.py runs the checks):
its topology (NSD back ends, relay fronts with their delays, generated
zones and root hints), the relay's control client, a timed DNS client,
and UpLab, the lab.Lab that starts and restarts resolverd for it.
"""
import concurrent.futures
import json
import os
import random
import socket
import statistics
import string
import subprocess
import sys
import threading
import time

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

import lab
from lab import R, run, ask_server, find_resolverd, tail, Lab

T = dns.rdatatype
HERE = os.path.dirname(os.path.abspath(__file__))
RESOLVER_V4 = lab.RESOLVER_V4
PORT = lab.RESOLVER_PORT
# Hard limit for the whole run (the planned run takes about 2 minutes).
RUN_TIMEOUT = int(os.environ.get("LAB_UPSTREAM_TIMEOUT", "240"))
CLIENT_TIMEOUT = 5.0        # a client question unanswered after this: timeout

# serve-stale settings written into the configuration (Unbound's names).
STALE_REPLY_TTL = 30
STALE_CLIENT_TIMEOUT_MS = 1800
FEATURE_CONF = [
    "serve-expired: yes",
    "serve-expired-ttl: 86400",
    "serve-expired-reply-ttl: %d" % STALE_REPLY_TTL,
    "serve-expired-client-timeout: %d" % STALE_CLIENT_TIMEOUT_MS,
    "prefetch: yes",
]

# ---------------------------------------------------------------- topology
#
# Back ends: three NSD processes on 127.0.53.x port 53. Nothing asks them
# directly except the relay (and the start-up checks): the resolver knows
# only the front addresses, which relay.py serves on lo.

NSDS = [
    lab.Server("uproot", None, ["127.0.53.1"], [], ["."]),
    lab.Server("uptld", None, ["127.0.53.2"], [], ["up."]),
    lab.Server("upleaf", None, ["127.0.53.3"], [],
               ["half.up.", "stale.up.", "pf.up."]),
]
NSD_BY_ROLE = {s.role: s for s in NSDS}


class FrontDef:
    def __init__(self, name, host, addr, backend, delay_ms, zone):
        self.name = name          # relay front name
        self.host = host          # the server's name in the lab's DNS
        self.addr = addr
        self.backend = backend    # NSD role
        self.delay_ms = delay_ms
        self.zone = zone          # a zone it serves (for the start-up check)

    @property
    def v6(self):
        return ":" in self.addr


# Five root servers with delays 1, 5, 20, 80, 200 ms; b and d also have
# an IPv6 front with the same delay.
ROOT_FRONTS = [
    FrontDef("a4", "a.root.up.", "198.41.0.1", "uproot", 1, "."),
    FrontDef("b4", "b.root.up.", "198.41.0.2", "uproot", 5, "."),
    FrontDef("b6", "b.root.up.", "2001:db8:41::2", "uproot", 5, "."),
    FrontDef("c4", "c.root.up.", "198.41.0.3", "uproot", 20, "."),
    FrontDef("d4", "d.root.up.", "198.41.0.4", "uproot", 80, "."),
    FrontDef("d6", "d.root.up.", "2001:db8:41::4", "uproot", 80, "."),
    FrontDef("e4", "e.root.up.", "198.41.0.5", "uproot", 200, "."),
]
OTHER_FRONTS = [
    FrontDef("tld1", "ns1.nic.up.", "192.0.2.1", "uptld", 2, "up."),
    FrontDef("tld2", "ns2.nic.up.", "192.0.2.2", "uptld", 2, "up."),
    # half.up: ns2 is the faster one and is made dead in phase c.
    FrontDef("half1", "ns1.half.up.", "203.0.113.11", "upleaf", 10, "half.up."),
    FrontDef("half2", "ns2.half.up.", "203.0.113.12", "upleaf", 1, "half.up."),
    # stale.up: both made dead in phase d.
    FrontDef("stale1", "ns1.stale.up.", "203.0.113.21", "upleaf", 2, "stale.up."),
    FrontDef("stale2", "ns2.stale.up.", "203.0.113.22", "upleaf", 2, "stale.up."),
    # pf.up: slow (300 ms), the prefetch phase.
    FrontDef("pf", "ns.pf.up.", "203.0.113.31", "upleaf", 300, "pf.up."),
]

WILD_A = "192.0.2.80"        # *.half.up
PF_NAME = "www.pf.up."
PF_TTL = 10
STALE_TTL = 3
STALE_NAMES = ["h%d.stale.up." % i for i in range(20)]


def fronts(v6):
    return [f for f in ROOT_FRONTS + OTHER_FRONTS if v6 or not f.v6]


def root_fronts(v6):
    return [f for f in ROOT_FRONTS if v6 or not f.v6]


def zone_texts(v6, serial):
    """origin -> zone file text (written at test time)."""
    def addrs(host):
        return [f for f in ROOT_FRONTS + OTHER_FRONTS if f.host == host and (v6 or not f.v6)]

    def rr(owner, ttl, rtype, data):
        return "%s\t%d\tIN\t%s\t%s" % (owner, ttl, rtype, data)

    def glue(host, ttl):
        return [rr(host, ttl, "AAAA" if f.v6 else "A", f.addr) for f in addrs(host)]

    roots = ["%s.root.up." % c for c in "abcde"]
    z = {}
    # SOA expire 604800 (a week): root-zone-file accepts the file for a
    # week after its modification time.
    lines = [rr(".", 86400, "SOA", "a.root.up. hostmaster.nic.up. %d 1800 900 604800 86400" % serial)]
    lines += [rr(".", 518400, "NS", h) for h in roots]
    for h in roots:
        lines += glue(h, 518400)
    lines += [rr("up.", 172800, "NS", h) for h in ("ns1.nic.up.", "ns2.nic.up.")]
    lines += glue("ns1.nic.up.", 172800) + glue("ns2.nic.up.", 172800)
    z["."] = lines

    lines = [rr("up.", 3600, "SOA", "ns1.nic.up. hostmaster.nic.up. %d 1800 900 604800 60" % serial)]
    lines += [rr("up.", 3600, "NS", h) for h in ("ns1.nic.up.", "ns2.nic.up.")]
    lines += glue("ns1.nic.up.", 3600) + glue("ns2.nic.up.", 3600)
    for h in roots:
        lines += glue(h, 3600)
    for child, hosts in (("half.up.", ("ns1.half.up.", "ns2.half.up.")),
                         ("stale.up.", ("ns1.stale.up.", "ns2.stale.up.")),
                         ("pf.up.", ("ns.pf.up.",))):
        lines += [rr(child, 3600, "NS", h) for h in hosts]
        for h in hosts:
            lines += glue(h, 3600)
    z["up."] = lines

    def leaf(origin, hosts, data):
        out = [rr(origin, 3600, "SOA", "%s hostmaster.%s %d 1800 900 604800 60"
                  % (hosts[0], origin, serial))]
        out += [rr(origin, 3600, "NS", h) for h in hosts]
        for h in hosts:
            out += glue(h, 3600)
        return out + data

    z["half.up."] = leaf("half.up.", ["ns1.half.up.", "ns2.half.up."],
                         [rr("*.half.up.", 60, "A", WILD_A),
                          rr("www.half.up.", 60, "A", "192.0.2.81")])
    z["stale.up."] = leaf("stale.up.", ["ns1.stale.up.", "ns2.stale.up."],
                          [rr(n, STALE_TTL, "A", "192.0.2.%d" % (100 + i))
                           for i, n in enumerate(STALE_NAMES)])
    z["pf.up."] = leaf("pf.up.", ["ns.pf.up."], [rr(PF_NAME, PF_TTL, "A", "192.0.2.90")])
    return {k: "\n".join(v) + "\n" for k, v in z.items()}


def rand_label(n=12):
    return "".join(random.choice(string.ascii_lowercase) for _ in range(n))


def nx_tlds():
    """Endless distinct nonexistent TLD names."""
    i = 0
    while True:
        i += 1
        yield "nx%d%s." % (i, rand_label(8))


# ------------------------------------------------------------------ relay

class Relay:
    """Client of relay.py's control socket (thread-safe)."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.sock = None
        self.buf = b""

    def call(self, **req):
        with self.lock:
            if self.sock is None:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.settimeout(10)
                self.sock.connect(self.path)
            self.sock.sendall((json.dumps(req) + "\n").encode())
            while b"\n" not in self.buf:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    raise RuntimeError("relay control socket closed")
                self.buf += chunk
            line, self.buf = self.buf.split(b"\n", 1)
        out = json.loads(line)
        if not out.get("ok"):
            raise RuntimeError("relay: %s: %s" % (req, out.get("error")))
        return out

    def set(self, front, **kw):
        self.call(cmd="set", front=front, **kw)

    def stats(self):
        return self.call(cmd="stats")["fronts"]

    def names(self):
        return self.call(cmd="names")["names"]


def received(stats, name):
    return stats[name]["udp"] + stats[name]["tcp"]


def moved(a, b, names):
    """{front: queries received between snapshots a and b}."""
    return {n: received(b, n) - received(a, n) for n in names}


def names_moved(a, b, front, pred):
    """Queries received by front between name snapshots a and b whose
    'qname./TYPE' satisfies pred."""
    old, new = a.get(front, {}), b.get(front, {})
    return sum(c - old.get(k, 0) for k, c in new.items() if pred(k))


# ---------------------------------------------------------------- clients

class Answer:
    __slots__ = ("qname", "sent", "latency", "msg", "error")

    def __init__(self, qname, sent, latency, msg, error):
        self.qname = qname
        self.sent = sent          # time.monotonic() when sent
        self.latency = latency    # seconds, None on timeout/error
        self.msg = msg
        self.error = error

    @property
    def rcode(self):
        return self.msg.rcode() if self.msg is not None else None

    def a_rrset(self):
        if self.msg is None:
            return None
        for rr in self.msg.answer:
            if rr.rdtype == T.A:
                return rr
        return None

    def ttl(self):
        rr = self.a_rrset()
        return rr.ttl if rr is not None else None

    def ede_codes(self):
        if self.msg is None:
            return []
        return [o.code for o in self.msg.options
                if o.otype == dns.edns.OptionType.EDE]

    def stale(self):
        """NOERROR, TTL serve-expired-reply-ttl and EDE 3 (Stale Answer)."""
        return (self.rcode == dns.rcode.NOERROR and self.ttl() == STALE_REPLY_TTL
                and 3 in self.ede_codes())

    def describe(self):
        if self.msg is None:
            return "%s: no answer (%s)" % (self.qname, type(self.error).__name__)
        return "%s: %s ttl %s ede %s %.0f ms" % (
            self.qname, dns.rcode.to_text(self.rcode), self.ttl(),
            self.ede_codes(), self.latency * 1000)


def query(qname, qtype=T.A, timeout=CLIENT_TIMEOUT, source=None):
    """One question over UDP; from source, when given, and then datagrams
    from anywhere but the resolver are ignored (the chaos lab's forger
    sprays them)."""
    q = dns.message.make_query(qname, qtype, use_edns=0, payload=1232)
    t0 = time.monotonic()
    try:
        m = dns.query.udp(q, RESOLVER_V4, timeout=timeout, port=PORT, source=source,
                          ignore_unexpected=source is not None)
        return Answer(qname, t0, time.monotonic() - t0, m, None)
    except (dns.exception.DNSException, OSError, EOFError) as ex:
        return Answer(qname, t0, None, None, ex)


POOL = concurrent.futures.ThreadPoolExecutor(max_workers=64)


def steady(qnames, rate, duration=None, count=None, tick=None, stop=None, ask=None):
    """Send qnames at a fixed rate (each from its own thread, so that a
    slow answer does not delay the next question) for duration seconds or
    count questions; tick(now) is called between sends; stop() True ends
    early; ask(qname) asks one (default query: over UDP). Returns the
    Answers in sending order."""
    futs = []
    start = time.monotonic()
    it = iter(qnames)
    i = 0
    while True:
        when = start + i / rate
        if duration is not None and when - start >= duration:
            break
        if count is not None and i >= count:
            break
        if stop is not None and stop():
            break
        while True:
            now = time.monotonic()
            if tick is not None:
                tick(now)
            if now >= when:
                break
            time.sleep(min(when - now, 0.05))
        try:
            qn = next(it)
        except StopIteration:
            break
        futs.append(POOL.submit(ask or query, qn))
        i += 1
    return [f.result() for f in futs]


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * (len(v) - 1)))))
    return v[k]


def lat_summary(answers):
    lat = [a.latency * 1000 for a in answers if a.latency is not None]
    if not lat:
        return "no answers"
    return "latency ms p50 %.1f p90 %.1f p99 %.1f max %.1f (%d answers)" % (
        pct(lat, 50), pct(lat, 90), pct(lat, 99), max(lat), len(lat))


# -------------------------------------------------------------------- lab

class UpLab(Lab):
    """The upstream lab. Its topology comes from the methods nsds(),
    relay_fronts(), hint_servers() and zones(): another lab (the chaos lab,
    tests/chaos) overrides them and keeps the rest."""

    def nsds(self):
        """The NSD back ends (lab.Server)."""
        return NSDS

    def relay_fronts(self):
        """The FrontDefs relay.py serves."""
        return fronts(self.v6)

    def hint_servers(self):
        """FrontDef-like (host, addr, v6) entries for the root hints."""
        return root_fronts(self.v6)

    def zones(self, serial):
        """origin -> zone file text."""
        return zone_texts(self.v6, serial)

    def __init__(self, tmp):
        Lab.__init__(self, tmp)
        self.conf_extra = []
        self.conf_no = 0          # resolverd-N.conf
        self.run_no = 0           # resolverd runs (resolver-N.out)
        self.relay = None
        self.relay_proc = None
        self.zonedir = os.path.join(tmp, "zones")

    def setup_addresses(self):
        self.add_addresses([f.addr for f in fronts(False) if not f.v6],
                           [f.addr for f in fronts(True) if f.v6],
                           "IPv6 root fronts left out")

    def write_zones(self):
        os.makedirs(self.zonedir, exist_ok=True)
        for origin, text in self.zones(int(time.time())).items():
            with open(self.zonefile(origin), "w") as fh:
                fh.write(text)
        # lab.zonefile() (used by Lab.nsd_conf) reads this directory.
        lab.ZONEDIR = self.zonedir

    def zonefile(self, origin):
        base = "root" if origin == "." else origin.rstrip(".")
        return os.path.join(self.zonedir, base + ".zone")

    def start_nsds(self):
        for s in self.nsds():
            self.nsd_conf(s)
            # No response rate limiting (NSD's default: 200 answers a
            # second per client netblock): every query here comes from the
            # relay, at up to a few hundred a second.
            with open(s.conf) as fh:
                text = fh.read()
            with open(s.conf, "w") as fh:
                fh.write(text.replace("server:\n", "server:\n  rrl-ratelimit: 0\n", 1))
            if run(["nsd-checkconf", s.conf], check=False).returncode != 0:
                with open(s.conf, "w") as fh:
                    fh.write(text)      # an NSD built without RRL
            out = open(os.path.join(s.dir, "nsd.out"), "w")
            s.proc = subprocess.Popen(["nsd", "-d", "-c", s.conf],
                                      stdout=out, stderr=subprocess.STDOUT)
            self.procs.append(("nsd-" + s.role, s.proc))
        deadline = time.time() + 15
        for s in self.nsds():
            while True:
                if s.proc.poll() is not None:
                    raise RuntimeError("nsd %s exited: %s" % (
                        s.role, "\n".join(tail(os.path.join(s.dir, "nsd.log")))))
                try:
                    ask_server(s.v4[0], s.zones[0], T.SOA, timeout=0.2)
                    break
                except (dns.exception.Timeout, OSError):
                    if time.time() > deadline:
                        raise RuntimeError("nsd %s does not answer" % s.role)
                    time.sleep(0.05)

    def nsd_queries(self, role):
        s = {n.role: n for n in self.nsds()}[role]
        r = run(["nsd-control", "-c", s.conf, "stats_noreset"])
        kv = dict(l.split("=", 1) for l in r.stdout.splitlines() if "=" in l)
        return int(float(kv.get("num.queries", 0)))

    def start_relay(self):
        by_role = {n.role: n for n in self.nsds()}
        conf = {"control": os.path.join(self.tmp, "relay.ctl"),
                "fronts": [{"name": f.name, "listen": f.addr, "port": 53,
                            "backend": by_role[f.backend].v4[0],
                            "backend_port": 53, "delay_ms": f.delay_ms}
                           for f in self.relay_fronts()]}
        path = os.path.join(self.tmp, "relay.json")
        with open(path, "w") as fh:
            json.dump(conf, fh, indent=1)
        self.relay_log = os.path.join(self.tmp, "relay.out")
        err = open(self.relay_log, "w")
        p = subprocess.Popen([sys.executable, os.path.join(HERE, "relay.py"), path],
                             stdout=subprocess.PIPE, stderr=err,
                             universal_newlines=True)
        self.procs.append(("relay", p))
        self.relay_proc = p
        line = p.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError("relay.py did not start: %s %s" % (
                line, "\n".join(tail(self.relay_log))))
        self.relay = Relay(conf["control"])

    def root_hints(self):
        path = os.path.join(self.tmp, "root.hints")
        with open(path, "w") as fh:
            fh.write("; upstream lab root hints (generated)\n")
            for host in sorted({f.host for f in self.hint_servers()}):
                fh.write(".\t3600000\tIN\tNS\t%s\n" % host)
            for f in self.hint_servers():
                fh.write("%s\t3600000\tIN\t%s\t%s\n" % (
                    f.host, "AAAA" if f.v6 else "A", f.addr))
        return path

    def resolverd_conf(self):
        path = Lab.resolverd_conf(self)
        with open(path) as fh:
            lines = fh.read().splitlines()
        have = {l.strip().split(" ", 1)[0] for l in lines}
        # The environment's RESOLVERD_CONF_EXTRA (applied by lab.py) wins.
        lines += ["  " + l for l in self.conf_extra if l.split(" ", 1)[0] not in have]
        self.conf_no += 1
        out = os.path.join(self.tmp, "resolverd-%d.conf" % self.conf_no)
        with open(out, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        return out

    def check_conf(self, extra):
        """resolverd -t on a configuration with these extra lines."""
        save, self.conf_extra = self.conf_extra, extra
        conf = self.resolverd_conf()
        self.conf_extra = save
        return run([find_resolverd(), "-t", "-c", conf], check=False)

    def start_resolver(self, kind):
        self.run_no += 1
        return Lab.start_resolver(self, kind)

    def stop_resolver(self):
        """Stop the running resolverd, check it exited cleanly and its
        output has no sanitizer report, keep its output as resolver-N.out."""
        p = getattr(self, "resolver", None)
        if p is None:
            return
        p.terminate()
        killed = False
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            killed = True
            p.kill()
            p.wait()
        R.ok(p.returncode == 0 and not killed,
             "resolverd (run %d) exits with status 0 on SIGTERM" % self.run_no,
             ["exit status %s%s" % (p.returncode, " (killed after 10 s)" if killed else "")])
        with open(self.resolver_out, errors="replace") as fh:
            out = fh.read().splitlines()
        hits = [i for i, l in enumerate(out) if any(m in l for m in lab.SANITIZER_MARKS)]
        R.ok(not hits, "no sanitizer reports in resolverd's output (run %d)" % self.run_no,
             out[hits[0]:hits[0] + 30] if hits else None)
        kept = os.path.join(self.tmp, "resolver-%d.out" % self.run_no)
        os.rename(self.resolver_out, kept)
        self.resolver = None
        self.procs = [(n, q) for n, q in self.procs if q is not p]

    def restart_resolver(self, extra):
        self.stop_resolver()
        self.conf_extra = extra
        ok = self.start_resolver("resolverd")
        R.ok(ok, "resolverd (run %d) starts and listens on port %d" % (self.run_no, PORT),
             None if ok else self.resolver_log())
        return ok


# --------------------------------------------------------------- start-up

def check_relay(L):
    """Each front forwards to its NSD with the configured delay; dead and
    lossy fronts answer nothing and count what they swallowed."""
    rl = L.relay

    def measure(group):
        out = []
        for f in group:
            lat = []
            for _ in range(5 if f.delay_ms < 50 else 3):
                t0 = time.monotonic()
                try:
                    r = ask_server(f.addr, f.zone, T.SOA, timeout=2.0)
                    ok = r.rcode() == dns.rcode.NOERROR and r.answer
                except (dns.exception.DNSException, OSError):
                    ok = False
                lat.append((time.monotonic() - t0) * 1000 if ok else None)
            out.append((f, lat))
        return out

    # One after the other (concurrent clients here would measure their own
    # contention), except that the slow fronts go alongside.
    allf = fronts(L.v6)
    groups = [[f for f in allf if f.delay_ms < 50]] + [[f] for f in allf if f.delay_ms >= 50]
    bad = []
    lines = []
    for res in POOL.map(measure, groups):
        for f, lat in res:
            got = [x for x in lat if x is not None]
            med = statistics.median(got) if got else None
            lines.append("%-6s %-15s delay %3d ms: measured median %s ms" % (
                f.name, f.addr, f.delay_ms, "%.1f" % med if med is not None else "-"))
            # Never early; at most 15 ms late (a loaded machine, maybe
            # running another lab alongside).
            if len(got) < len(lat) or med < f.delay_ms - 0.5 or med > f.delay_ms + 15:
                bad.append(lines[-1] + " (%s)" % ", ".join(
                    "%.1f" % x if x is not None else "timeout" for x in lat))
    R.info("relay fronts (direct SOA queries, 5 each, 3 for the slow ones):\n"
           + "\n".join(lines))
    R.ok(not bad, "relay: every front answers with its delay (median within "
         "[delay - 0.5, delay + 15] ms)", bad)
    # TCP through a front.
    try:
        r = ask_server("198.41.0.3", ".", T.NS, tcp=True, timeout=2.0)
        R.ok(r.rcode() == dns.rcode.NOERROR and r.answer,
             "relay: TCP through a front (c4, . NS)")
    except (dns.exception.DNSException, OSError, EOFError) as ex:
        R.ok(False, "relay: TCP through a front (c4, . NS)", [str(ex)])
    # Dead and lossy fronts swallow queries (UDP and TCP) and count them.
    s0 = rl.stats()
    rl.set("tld2", dead=True)
    silent = 0
    for tcp in (False, True):
        try:
            ask_server("192.0.2.2", "up.", T.SOA, tcp=tcp, timeout=0.3)
        except dns.exception.Timeout:
            silent += 1
        except (OSError, EOFError):
            pass
    rl.set("tld2", dead=False, loss=1.0)
    try:
        ask_server("192.0.2.2", "up.", T.SOA, timeout=0.3)
    except dns.exception.Timeout:
        silent += 1
    rl.set("tld2", loss=0.0)
    s1 = rl.stats()
    d = {k: s1["tld2"][k] - s0["tld2"][k] for k in ("udp", "tcp", "dropped", "answered")}
    R.ok(silent == 3 and d == {"udp": 2, "tcp": 1, "dropped": 3, "answered": 0},
         "relay: a dead front answers neither UDP nor TCP, loss 1.0 drops, both "
         "counted (%d silent, counters %s)" % (silent, d))
    try:
        r = ask_server("192.0.2.2", "up.", T.SOA, timeout=1.0)
        R.ok(r.rcode() == dns.rcode.NOERROR, "relay: the front answers again once alive")
    except dns.exception.Timeout:
        R.ok(False, "relay: the front answers again once alive")


# ------------------------------------------------------------------ phases
