#!/usr/bin/python3
"""resolverd benchmark: resolverd side by side with Unbound.

Do not run this file directly: bench/run.sh puts it in a private network
namespace (only the loopback interface exists there) first. See
bench/README.md.

It starts three NSD servers (root, the TLD lab., the leaf zone bench.lab.
with many names) on lab addresses bound to lo, then:

  run A  both resolvers at once, on two ports, each warmed up with two
         queries, then measured in turns (rounds alternate the order):
         2. cold:   N distinct names, each asked once, in rounds
                    (dnsperf -n 1 -Q RATE)
         1. cached: a subset of those names asked again at a fixed rate
                    (dnsperf -Q RATE -l LEN -c 4), in rounds, plus one
                    unthrottled run each
  run B  each resolver alone, a fresh process: warm-up, RSS, then
         3. memory: M distinct names asked once, RSS again

CPU is the resolver process's utime+stime from /proc/PID/stat (all its
threads, nothing else: NSD and dnsperf are not counted).
"""
import argparse
import http.client
import instr
import os
import platform
import random
import re
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_TOP = os.path.normpath(os.path.join(HERE, ".."))

PORT = int(os.environ.get("BENCH_PORT", "5353"))
PORTS = {"resolverd": PORT, "unbound": PORT + 1, "baseline": PORT + 2}
# resolverd's statistics endpoint, scraped once a second while it runs.
HTTP_PORT = PORT + 3900
SCRAPE_INTERVAL = 1.0
# The cost of counting and timing every query (with the endpoint
# scraped) against a build without it: at most 3% CPU per cached answer.
STATS_COST_MAX = 1.03
RESOLVER = "127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")

# The lab's servers: addresses exist only on lo inside the namespace.
ROOT = ("a.root.lab.", "198.41.0.4")
TLD = ("ns1.nic.lab.", "192.0.2.1")
LEAF = ("ns1.bench.lab.", "198.51.100.10")
ZONE = "bench.lab."
TTL = 86400

# Targets (see README.md).
CACHED_RATIO_MAX = 2.0 / 3.0
COLD_US_MAX = 80.0
MEM_BYTES_MAX = 300.0
# Earlier measurements of Unbound 1.17 on the 2-core development VM, for
# orientation when Unbound is not run.
UNBOUND_REF = {"cold": 124.0, "mem": 670.0}


class Resolver:
    def __init__(self, kind, port, proc, out):
        self.kind = kind
        self.port = port
        self.proc = proc
        self.pid = proc.pid
        self.out = out


class Broken(Exception):
    """Something that should work did not: exit status 1."""


def say(msg=""):
    print(msg, flush=True)


def run(cmd, check=True, timeout=60):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, timeout=timeout)
    if check and r.returncode != 0:
        raise Broken("%s failed (%d):\n%s" % (" ".join(cmd), r.returncode, r.stdout))
    return r


def tail(path, n=20):
    try:
        with open(path, errors="replace") as f:
            return f.read().splitlines()[-n:]
    except OSError:
        return []


# ------------------------------------------------------------ a tiny stub

def query(server, qname, qtype=1, port=53, rd=True, timeout=1.0):
    """One UDP query; returns (rcode, aa, ancount). Raises socket.timeout."""
    qid = random.randint(0, 65535)
    msg = struct.pack("!HHHHHH", qid, 0x0100 if rd else 0, 1, 0, 0, 0)
    for label in qname.rstrip(".").split("."):
        if label:
            msg += bytes([len(label)]) + label.encode()
    msg += b"\0" + struct.pack("!HH", qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        s.sendto(msg, (server, port))
        deadline = time.time() + timeout
        while True:
            s.settimeout(max(0.01, deadline - time.time()))
            data = s.recv(65535)
            if len(data) >= 12 and struct.unpack("!H", data[:2])[0] == qid:
                break
    finally:
        s.close()
    _, flags, _, an, _, _ = struct.unpack("!HHHHHH", data[:12])
    return flags & 0xF, bool(flags & 0x0400), an


# ------------------------------------------------------------ measuring

def cpu_ticks(pid):
    """utime+stime of the whole process (all threads), in clock ticks."""
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    rest = s[s.rindex(")") + 2:].split()
    return int(rest[11]) + int(rest[12])    # fields 14 and 15


def ctxt_switches(pid):
    """Context switches of all threads: (voluntary, i.e. sleeps,
    involuntary, i.e. preemptions)."""
    vol = invol = 0
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                    for line in f:
                        if line.startswith("voluntary_ctxt_switches:"):
                            vol += int(line.split()[1])
                        elif line.startswith("nonvoluntary_ctxt_switches:"):
                            invol += int(line.split()[1])
            except (OSError, ValueError):
                pass
    except OSError:
        pass
    return vol, invol


def udp_listening(port):
    """Whether some socket in this namespace is bound to UDP port."""
    try:
        with open("/proc/net/udp") as f:
            next(f)
            for line in f:
                local = line.split()[1]
                if int(local.split(":")[1], 16) == port:
                    return True
    except (OSError, ValueError, IndexError, StopIteration):
        pass
    return False


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise Broken("no VmRSS for pid %d" % pid)


class CpuMeter:
    def __init__(self, pid):
        self.pid = pid
        self.t0 = cpu_ticks(pid)
        self.c0 = ctxt_switches(pid)
        self.w0 = time.time()

    def stop(self):
        self.ticks = cpu_ticks(self.pid) - self.t0
        self.wall = time.time() - self.w0
        c1 = ctxt_switches(self.pid)
        self.wakeups = c1[0] - self.c0[0]
        self.preempts = c1[1] - self.c0[1]
        self.us = self.ticks * 1e6 / CLK_TCK
        return self


def parse_dnsperf(out):
    d = {"sent": 0, "completed": 0, "lost": 0, "qps": 0.0, "rcodes": {}, "latency": None}
    m = re.search(r"Queries sent:\s+(\d+)", out)
    if m:
        d["sent"] = int(m.group(1))
    m = re.search(r"Queries completed:\s+(\d+)", out)
    if m:
        d["completed"] = int(m.group(1))
    m = re.search(r"Queries lost:\s+(\d+)", out)
    if m:
        d["lost"] = int(m.group(1))
    m = re.search(r"Queries per second:\s+([\d.]+)", out)
    if m:
        d["qps"] = float(m.group(1))
    m = re.search(r"Average Latency \(s\):\s+([\d.]+)", out)
    if m:
        d["latency"] = float(m.group(1))
    m = re.search(r"Response codes:\s+(.*)", out)
    if m:
        for code, num in re.findall(r"([A-Z]+) (\d+)", m.group(1)):
            d["rcodes"][code] = int(num)
    return d


# ------------------------------------------------------------ the lab

class Lab:
    def __init__(self, tmp, args):
        self.tmp = tmp
        self.args = args
        self.procs = []           # (name, Popen), stopped in reverse order
        self.nsd = []             # (role, conf path, Popen)
        self.commands = []        # what was run, for the report

    @staticmethod
    def check_namespace():
        with open("/proc/net/dev") as f:
            ifaces = sorted(l.split(":")[0].strip() for l in f if ":" in l)
        if ifaces != ["lo"]:
            sys.stderr.write("bench: refusing to run: this network namespace has "
                             "interfaces %s besides lo (run bench/run.sh, which "
                             "creates a private namespace)\n" % ifaces)
            sys.exit(99)

    def setup_addresses(self):
        run(["ip", "link", "set", "lo", "up"])
        for _, a in (ROOT, TLD, LEAF):
            run(["ip", "addr", "add", a + "/32", "dev", "lo"])

    # Zones ---------------------------------------------------------------
    def write_zones(self, names):
        zd = os.path.join(self.tmp, "zones")
        os.mkdir(zd)
        soa = "%s hostmaster.nic.lab. 1 3600 900 604800 %d" % ("%s", TTL)
        with open(os.path.join(zd, "root.zone"), "w") as f:
            f.write("$TTL %d\n" % TTL)
            f.write(". IN SOA " + soa % ROOT[0] + "\n")
            f.write(". IN NS %s\n" % ROOT[0])
            f.write("lab. IN NS %s\n" % TLD[0])
            f.write("%s IN A %s\n%s IN A %s\n" % (TLD[0], TLD[1], ROOT[0], ROOT[1]))
        with open(os.path.join(zd, "lab.zone"), "w") as f:
            f.write("$ORIGIN lab.\n$TTL %d\n" % TTL)
            f.write("@ IN SOA " + soa % TLD[0] + "\n")
            f.write("@ IN NS %s\n" % TLD[0])
            f.write("%s IN A %s\n%s IN A %s\n" % (TLD[0], TLD[1], ROOT[0], ROOT[1]))
            f.write("bench IN NS %s\n%s IN A %s\n" % (LEAF[0], LEAF[0], LEAF[1]))
        with open(os.path.join(zd, "bench.lab.zone"), "w") as f:
            f.write("$ORIGIN %s\n$TTL %d\n" % (ZONE, TTL))
            f.write("@ IN SOA " + soa % LEAF[0] + "\n")
            f.write("@ IN NS %s\n%s IN A %s\n" % (LEAF[0], LEAF[0], LEAF[1]))
            f.write("warmup IN A 10.255.255.1\nwarmup2 IN A 10.255.255.2\n")
            for i, name in enumerate(names):
                f.write("%s IN A 10.%d.%d.%d\n" % (name, (i >> 16) & 255,
                                                    (i >> 8) & 255, i & 255))
        return zd

    # NSD -----------------------------------------------------------------
    def start_nsd(self, zd):
        servers = [("root", ROOT[1], [(".", "root.zone")]),
                   ("tld", TLD[1], [("lab.", "lab.zone")]),
                   ("leaf", LEAF[1], [(ZONE, "bench.lab.zone")])]
        for role, addr, zones in servers:
            d = os.path.join(self.tmp, "nsd-" + role)
            os.mkdir(d)
            conf = os.path.join(d, "nsd.conf")
            lines = [
                "server:",
                '  username: ""',
                '  chroot: ""',
                '  zonesdir: "%s"' % zd,
                '  database: ""',
                '  pidfile: "%s/nsd.pid"' % d,
                '  zonelistfile: "%s/zone.list"' % d,
                '  xfrdfile: "%s/xfrd.state"' % d,
                '  xfrdir: "%s"' % d,
                '  logfile: "%s/nsd.log"' % d,
                "  server-count: 1",
                "  verbosity: 0",
                "  hide-version: yes",
                "  round-robin: no",
                "  zonefiles-write: 0",
                "  do-ip6: no",
                "  port: 53",
                "  ip-address: %s" % addr,
                # RRL would slip/drop the resolver's queries at benchmark rates.
                "  rrl-ratelimit: 0",
                "  rrl-whitelist-ratelimit: 0",
                "remote-control:",
                "  control-enable: no",
            ]
            for origin, fn in zones:
                lines += ["zone:", '  name: "%s"' % origin, '  zonefile: "%s"' % fn]
            with open(conf, "w") as f:
                f.write("\n".join(lines) + "\n")
            r = run(["nsd-checkconf", conf], check=False)
            if r.returncode != 0:
                # An NSD built without RRL does not know the rrl-* keys.
                lines = [l for l in lines if "rrl-" not in l]
                with open(conf, "w") as f:
                    f.write("\n".join(lines) + "\n")
                run(["nsd-checkconf", conf])
            out = open(os.path.join(d, "nsd.out"), "w")
            p = subprocess.Popen(["nsd", "-d", "-c", conf], stdout=out,
                                 stderr=subprocess.STDOUT)
            self.procs.append(("nsd-" + role, p))
            self.nsd.append((role, addr, zones[0][0], p, d))
        deadline = time.time() + 60
        for role, addr, origin, p, d in self.nsd:
            while True:
                if p.poll() is not None:
                    raise Broken("nsd (%s) exited:\n%s" % (
                        role, "\n".join(tail(os.path.join(d, "nsd.log")))))
                try:
                    rcode, aa, an = query(addr, origin, 6, rd=False, timeout=0.3)
                    if rcode == 0 and aa and an == 1:
                        break
                except (socket.timeout, OSError):
                    pass
                if time.time() > deadline:
                    raise Broken("nsd (%s) does not answer SOA %s on %s" % (role, origin, addr))
                time.sleep(0.1)

    def root_hints(self):
        path = os.path.join(self.tmp, "root.hints")
        with open(path, "w") as f:
            f.write("; bench lab root hints (generated)\n")
            f.write(".\t3600000\tIN\tNS\t%s\n" % ROOT[0])
            f.write("%s\t3600000\tIN\tA\t%s\n" % ROOT)
        return path

    # Resolvers -----------------------------------------------------------
    def resolverd_conf(self, port, kind="resolverd"):
        path = os.path.join(self.tmp, "%s.conf" % kind)
        binary = self.args.resolverd if kind == "resolverd" else self.args.baseline
        lines = [
            "server:",
            "  interface: %s@%d" % (RESOLVER, port),
            "  root-hints: %s" % self.root_hints(),
            "  num-threads: 1",
            "  verbosity: 0",
            "  do-ip6: no",
            "  qname-minimisation: yes",
            # The lab is unsigned: no validation, for both resolvers.
            '  module-config: "iterator"',
            "  cache-size: 512m",
            "  access-control: 127.0.0.0/8 allow",
            "  control-socket: %s/%s.sock" % (self.tmp, kind),
        ]
        if kind == "resolverd":
            lines.append("  http-interface: %s@%d" % (RESOLVER, HTTP_PORT))
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        r = run([binary, "-t", "-c", path], check=False)
        if r.returncode != 0 and "http-interface" in r.stdout:
            raise Broken("%s does not know http-interface: the statistics endpoint "
                         "cannot be scraped" % binary)
        if r.returncode != 0 and "module-config" in r.stdout:
            # A build from before validation: it does not know the key
            # (and does not validate).
            lines = [l for l in lines if "module-config" not in l]
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")
            if not getattr(self, "said_novalidator", False):
                say("# this resolverd does not know module-config (it does not validate): "
                    "left out")
                self.said_novalidator = True
        return path

    def unbound_conf(self, port):
        path = os.path.join(self.tmp, "unbound.conf")
        lines = [
            "server:",
            "  interface: %s@%d" % (RESOLVER, port),
            "  root-hints: %s" % self.root_hints(),
            "  num-threads: 1",
            "  verbosity: 0",
            "  use-syslog: no",
            '  logfile: ""',
            '  username: ""',
            '  chroot: ""',
            '  directory: "%s"' % self.tmp,
            '  pidfile: ""',
            "  so-reuseport: no",
            # resolverd asks for 4 MiB on its UDP sockets by itself.
            "  so-rcvbuf: 4m",
            "  do-ip6: no",
            "  qname-minimisation: yes",
            '  module-config: "iterator"',
            "  prefetch: no",
            "  minimal-responses: yes",
            "  msg-cache-size: 256m",
            "  rrset-cache-size: 256m",
            "  access-control: 127.0.0.0/8 allow",
            "remote-control:",
            "  control-enable: no",
        ]
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def start_resolver(self, kind, tag):
        port = PORTS[kind]
        if kind == "unbound":
            conf = self.unbound_conf(port)
            chk = shutil.which("unbound-checkconf", path=os.path.dirname(self.args.unbound)) \
                or shutil.which("unbound-checkconf")
            if chk:
                run([chk, conf])
            cmd = [self.args.unbound, "-d", "-c", conf]
        else:
            conf = self.resolverd_conf(port, kind)
            binary = self.args.resolverd if kind == "resolverd" else self.args.baseline
            run([binary, "-t", "-c", conf])
            cmd = [binary, "-c", conf] + shlex.split(os.environ.get("RESOLVERD_ARGS", ""))
        out_path = os.path.join(self.tmp, "%s-%s.out" % (kind, tag))
        out = open(out_path, "w")
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append((kind, p))
        self.note("start %s" % kind, cmd)
        # The warm-up query: primes the root, caches the delegation to
        # bench.lab (the same for every name of the benchmark).
        t0 = time.time()
        deadline = t0 + 30
        seen = []
        while not udp_listening(port) and time.time() < t0 + 10 and p.poll() is None:
            time.sleep(0.02)
        while True:
            if p.poll() is not None:
                raise Broken("%s exited (%d):\n%s" % (kind, p.returncode,
                                                      "\n".join(tail(out_path))))
            try:
                rcode, _, an = query(RESOLVER, "warmup." + ZONE, 1, port=port, timeout=1.0)
                if rcode == 0 and an >= 1:
                    break
                seen.append("%.1fs rcode %d, %d answers" % (time.time() - t0, rcode, an))
            except socket.timeout:
                seen.append("%.1fs timeout" % (time.time() - t0))
            except OSError as e:
                seen.append("%.1fs %s" % (time.time() - t0, e))
            if time.time() > deadline:
                direct = []
                for name, addr, origin in ((ROOT[0], ROOT[1], "."), (TLD[0], TLD[1], "lab."),
                                           (LEAF[0], LEAF[1], ZONE)):
                    try:
                        direct.append("%s SOA %s: rcode %d aa %s" % (
                            addr, origin, *query(addr, origin, 6, rd=False)[:2]))
                    except OSError as e:
                        direct.append("%s SOA %s: %s" % (addr, origin, e))
                raise Broken("%s does not answer warmup.%s within 30 s; its replies: %s;"
                             " NSD asked directly: %s; its output:\n%s" % (
                                 kind, ZONE, "; ".join(seen[-8:]), "; ".join(direct),
                                 "\n".join(tail(out_path))))
            time.sleep(0.2)
        if seen:
            say("# %s: warm-up answered after %.1f s (before: %s)" % (
                kind, time.time() - t0, "; ".join(seen[-5:])))
        # A second name of the zone, so whatever the first resolution
        # started in the background is done, and its answer is cached.
        query(RESOLVER, "warmup2." + ZONE, 1, port=port, timeout=2)
        time.sleep(0.5)
        return Resolver(kind, port, p, out_path)

    def stop(self, p):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def stop_all(self):
        for _, p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        deadline = time.time() + 5
        for _, p in reversed(self.procs):
            try:
                p.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def note(self, what, cmd):
        item = (what, " ".join(shlex.quote(c) for c in cmd))
        if item not in self.commands:
            self.commands.append(item)

    # dnsperf -------------------------------------------------------------
    def dnsperf(self, label, r, datafile, extra):
        cmd = [self.args.dnsperf, "-s", RESOLVER, "-p", str(r.port), "-d", datafile] + extra
        self.note(label, cmd)
        timeout = 600
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, timeout=timeout)
        with open(os.path.join(self.tmp, "dnsperf-%s.out" % label.replace(" ", "_")), "a") as f:
            f.write(" ".join(cmd) + "\n" + r.stdout)
        if r.returncode != 0:
            raise Broken("dnsperf failed (%d): %s\n%s" % (r.returncode, " ".join(cmd), r.stdout))
        d = parse_dnsperf(r.stdout)
        if d["completed"] == 0:
            raise Broken("dnsperf got no answers: %s\n%s" % (" ".join(cmd), r.stdout))
        return d

    # perf (optional) -----------------------------------------------------
    def perf_start(self, pid, label, seconds):
        if not self.args.perf:
            return None
        data = os.path.join(self.tmp, "perf-%s.data" % label)
        cmd = ["perf", "record", "-q", "-g", "-F", "2000", "-p", str(pid), "-o", data,
               "--", "sleep", str(seconds)]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True)
        time.sleep(0.3)
        return (p, data, label, cmd)

    def perf_finish(self, h):
        if h is None:
            return
        p, data, label, cmd = h
        out = p.communicate()[0]
        if p.returncode != 0 or not os.path.exists(data):
            say("  perf record failed (%s): %s" % (" ".join(cmd), out.strip()[-300:]))
            return
        r = run(["perf", "report", "--stdio", "--no-children", "-g", "none",
                 "--percent-limit", "0.7", "-i", data], check=False, timeout=300)
        lines = [l for l in r.stdout.splitlines() if l.strip() and not l.startswith("#")]
        say("  perf (%s): %s" % (label, " ".join(cmd)))
        for l in lines[:30]:
            say("    " + l.rstrip())


# ------------------------------------------------------------ scraping

class Scraper:
    """GET /metrics from resolverd once a second, as Prometheus would,
    for as long as it runs."""

    def __init__(self, port):
        self.port = port
        self.ok = self.failed = 0
        self.last = ""
        self.stop_ev = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop_ev.wait(SCRAPE_INTERVAL):
            try:
                status, body = scrape(self.port)
                if status == 200:
                    self.ok += 1
                    self.last = body
                else:
                    self.failed += 1
            except (OSError, http.client.HTTPException):
                self.failed += 1

    def stop(self):
        self.stop_ev.set()
        self.thread.join(10)


def scrape(port):
    """(status, body) of GET /metrics."""
    c = http.client.HTTPConnection(RESOLVER, port, timeout=5)
    try:
        c.request("GET", "/metrics")
        r = c.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        c.close()


def metric(body, name):
    """The value of a sample without labels, or the sum over labels."""
    tot, seen = 0.0, False
    for line in body.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            tot += float(line.rsplit(" ", 1)[1])
            seen = True
    return tot if seen else None


# ------------------------------------------------------------ benchmark

def write_names(path, names):
    with open(path, "w") as f:
        for n in names:
            f.write("%s.%s A\n" % (n, ZONE.rstrip(".")))
    return path


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2.0


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def run_a(lab, kinds, P, files):
    """Both resolvers up at once (different ports), measured in turns so
    that a disturbance from outside hits both alike: cold rounds, then
    cached rounds, then one unthrottled run each."""
    res = {k: {"kind": k, "cold": [], "cached": []} for k in kinds}
    rs = {}
    for k in kinds:
        rs[k] = lab.start_resolver(k, "A")
        say("# %s: run A, pid %d, port %d, RSS after warm-up %d KiB" % (
            k, rs[k].pid, rs[k].port, rss_kb(rs[k].pid)))
    scraper = Scraper(HTTP_PORT) if "resolverd" in kinds else None
    if scraper:
        say("# resolverd: /metrics on %s@%d scraped every %.0f s throughout run A" % (
            RESOLVER, HTTP_PORT, SCRAPE_INTERVAL))

    def turns(i):
        return kinds if i % 2 == 0 else list(reversed(kinds))

    # 2. cold: each round a different slice of the names, each name once.
    for i, (path, n) in enumerate(files["cold"]):
        for k in turns(i):
            m = CpuMeter(rs[k].pid)
            d = lab.dnsperf("%s cold" % k, rs[k], path,
                            ["-n", "1", "-Q", str(P["cold_rate"]), "-c", "4"])
            m.stop()
            res[k]["cold"].append((m, d, n))
            say("# %s: cold round %d: %d names, %d answers %s, %d lost, CPU %.2f s = "
                "%.1f us/name, %d sleeps, %d preemptions" % (
                    k, i + 1, n, d["completed"], d["rcodes"], d["lost"], m.us / 1e6,
                    m.us / n, m.wakeups, m.preempts))

    # Warm the cached set explicitly (names lost above would be cold).
    for k in kinds:
        lab.dnsperf("%s warm" % k, rs[k], files["cached"],
                    ["-n", "1", "-Q", "20000", "-c", "4"])
    time.sleep(0.5)

    # 1. cached: the same names again at a fixed rate.
    for i in range(P["cached_rounds"]):
        for k in turns(i):
            m = CpuMeter(rs[k].pid)
            d = lab.dnsperf("%s cached" % k, rs[k], files["cached"],
                            ["-Q", str(P["cached_rate"]), "-l", str(P["cached_len"]),
                             "-c", "4"])
            m.stop()
            res[k]["cached"].append((m, d))
            say("# %s: cached round %d: %d answers %s, %d lost, CPU %.2f s in %.1f s = "
                "%.2f us/answer, %d sleeps, %d preemptions" % (
                    k, i + 1, d["completed"], d["rcodes"], d["lost"], m.us / 1e6, m.wall,
                    m.us / d["completed"], m.wakeups, m.preempts))

    # Unthrottled, for information.
    for k in kinds:
        m = CpuMeter(rs[k].pid)
        d = lab.dnsperf("%s max" % k, rs[k], files["cached"],
                        ["-l", str(P["max_len"]), "-c", "4", "-q", "500"])
        m.stop()
        res[k]["max"] = (m, d)
        say("# %s: unthrottled: %.0f qps, %d lost, %.2f us/answer" % (
            k, d["qps"], d["lost"], m.us / max(1, d["completed"])))

    # Profiles (--perf): extra runs, not counted in the figures.
    if lab.args.perf:
        for k in kinds:
            path, n = files["perf"]
            h = lab.perf_start(rs[k].pid, k + "-cold", n / P["cold_rate"])
            lab.dnsperf("%s cold (perf)" % k, rs[k], path,
                        ["-n", "1", "-Q", str(P["cold_rate"]), "-c", "4"])
            lab.perf_finish(h)
            h = lab.perf_start(rs[k].pid, k + "-cached", max(1, P["cached_len"] - 1))
            lab.dnsperf("%s cached (perf)" % k, rs[k], files["cached"],
                        ["-Q", str(P["cached_rate"]), "-l", str(P["cached_len"]), "-c", "4"])
            lab.perf_finish(h)

    if scraper:
        scraper.stop()
        res["resolverd"]["scrapes"] = (scraper.ok, scraper.failed)
        say("# resolverd: %d scrapes of /metrics during run A, %d failed" % (
            scraper.ok, scraper.failed))
    for k in kinds:
        lab.stop(rs[k].proc)
    return res


def run_b(lab, kind, P, files, res):
    """3. memory: a fresh process, RSS before and after M new names."""
    r = lab.start_resolver(kind, "B")
    time.sleep(0.5)
    r0 = rss_kb(r.pid)
    m = CpuMeter(r.pid)
    d = lab.dnsperf("%s memory" % kind, r, files["mem"],
                    ["-n", "1", "-Q", str(P["mem_rate"]), "-c", "4", "-q", "500"])
    m.stop()
    time.sleep(1.0)
    r1 = rss_kb(r.pid)
    res["mem"] = (r0, r1, d, m)
    say("# %s: memory: RSS %d -> %d KiB over %d answers %s, %d lost; CPU %.2f s" % (
        kind, r0, r1, d["completed"], d["rcodes"], d["lost"], m.us / 1e6))
    if kind == "resolverd":
        try:
            status, body = scrape(HTTP_PORT)
            if status == 200 and metric(body, "resolverd_cache_bytes") is not None:
                res["cache_bytes_line"] = (
                    "resolverd_cache_bytes %.0f (%.0f per name), cache entries %.0f" % (
                        metric(body, "resolverd_cache_bytes"),
                        metric(body, "resolverd_cache_bytes") /
                        max(1, d["rcodes"].get("NOERROR", 0)),
                        metric(body, "resolverd_cache_entries")))
        except (OSError, http.client.HTTPException):
            pass
    lab.stop(r.proc)


def cold_us(res):
    """Median over the rounds of CPU per cold resolution."""
    return median([m.us / n for m, _, n in res["cold"]])


def cold_us_all(res):
    """CPU per cold resolution over all rounds together."""
    return sum(m.us for m, _, _ in res["cold"]) / sum(n for _, _, n in res["cold"])


def cached_us_all(res):
    return sum(m.us for m, _ in res["cached"]) / sum(d["completed"] for _, d in res["cached"])


def cached_us(res):
    """Median over the rounds of CPU per cached answer."""
    return median([m.us / d["completed"] for m, d in res["cached"]])


def mem_per_name(res):
    """RSS growth per name actually cached (answered NOERROR)."""
    r0, r1, d, _ = res["mem"]
    return (r1 - r0) * 1024.0 / max(1, d["rcodes"].get("NOERROR", 0))


def report(P, results):
    say()
    say("=" * 78)
    say("resolverd benchmark results")
    say("=" * 78)
    kinds = [r["kind"] for r in results]
    byk = {r["kind"]: r for r in results}

    def tot(rounds, key):
        return sum(x[1][key] if key != "us" else x[0].us for x in rounds)

    def noerr(rounds):
        return sum(x[1]["rcodes"].get("NOERROR", 0) for x in rounds)

    say()
    say("1. Cached answer CPU cost: %d cached names, %d rounds per resolver of "
        "dnsperf -Q %d -l %d -c 4" % (P["cached_n"], P["cached_rounds"],
                                      P["cached_rate"], P["cached_len"]))
    say("   (us/answer = resolver CPU / answers completed: median of the rounds, "
        "all rounds together, each round)")
    say("   (wake/100: the resolver's voluntary context switches, i.e. sleeps in "
        "the event loop, per 100 answers; preemptions are in the progress lines)")
    say("   %-10s %9s %6s %9s %8s %8s %8s %8s  %s" % (
        "resolver", "answers", "lost", "NOERROR", "CPU s", "wake/100", "median", "all",
        "rounds"))
    for k in kinds:
        rr = byk[k]["cached"]
        say("   %-10s %9d %6d %9d %8.2f %8.1f %8.2f %8.2f  %s" % (
            k, tot(rr, "completed"), tot(rr, "lost"), noerr(rr), tot(rr, "us") / 1e6,
            100.0 * sum(m.wakeups for m, _ in rr) / max(1, tot(rr, "completed")),
            cached_us(byk[k]), cached_us_all(byk[k]),
            " ".join("%.2f" % (m.us / d["completed"]) for m, d in rr)))
    say("   unthrottled (information only): dnsperf -l %d -c 4 -q 500" % P["max_len"])
    say("   %-10s %9s %6s %9s %8s %8s %8s" % ("resolver", "qps", "lost", "", "CPU s",
                                            "wake/100", "us/ans"))
    for k in kinds:
        m, d = byk[k]["max"]
        say("   %-10s %9.0f %6d %9s %8.2f %8.1f %8.2f" % (
            k, d["qps"], d["lost"], "", m.us / 1e6,
            100.0 * m.wakeups / max(1, d["completed"]), m.us / max(1, d["completed"])))

    say()
    say("2. Cold resolution CPU cost: %d distinct names, each asked once, in %d rounds "
        "of dnsperf -n 1 -Q %d -c 4" % (P["cold_n"], P["cold_rounds"], P["cold_rate"]))
    say("   (delegation to %s cached by the warm-up query; qname-minimisation on;" % ZONE)
    say("   us/name = resolver CPU / names: median of the rounds, all rounds together, "
        "each round)")
    say("   (sw/name: the resolver's context switches, sleeps + preemptions, per name)")
    say("   %-10s %9s %6s %9s %8s %8s %8s %8s  %s" % (
        "resolver", "answers", "lost", "NOERROR", "CPU s", "sw/name", "median", "all",
        "rounds"))
    for k in kinds:
        rr = byk[k]["cold"]
        say("   %-10s %9d %6d %9d %8.2f %8.2f %8.1f %8.1f  %s" % (
            k, tot(rr, "completed"), tot(rr, "lost"), noerr(rr), tot(rr, "us") / 1e6,
            sum(m.wakeups + m.preempts for m, _, _ in rr) / float(max(1, sum(
                n for _, _, n in rr))),
            cold_us(byk[k]), cold_us_all(byk[k]),
            " ".join("%.1f" % (m.us / n) for m, _, n in rr)))

    say()
    say("3. Memory per cached name: %d distinct names, each asked once, "
        "dnsperf -n 1 -Q %d -c 4 -q 500, fresh process" % (P["mem_m"], P["mem_rate"]))
    say("   (bytes/name = (RSS1 - RSS0) / names answered NOERROR, i.e. cached)")
    say("   %-10s %9s %6s %10s %10s %10s" % (
        "resolver", "NOERROR", "lost", "RSS0 KiB", "RSS1 KiB", "bytes/name"))
    for k in kinds:
        if "mem" not in byk[k]:
            continue
        r0, r1, d, m = byk[k]["mem"]
        say("   %-10s %9d %6d %10d %10d %10.0f" % (
            k, d["rcodes"].get("NOERROR", 0), d["lost"], r0, r1, mem_per_name(byk[k])))
        if byk[k].get("cache_bytes_line"):
            say("   %s reports: %s" % (k, byk[k]["cache_bytes_line"]))
    if "resolverd" in byk and not byk["resolverd"].get("cache_bytes_line"):
        say("   (resolverd's own cache byte count: not available from /metrics)")

    if "baseline" in byk and "resolverd" in byk:
        rd, bl = byk["resolverd"], byk["baseline"]
        say()
        say("4. Cost of counting and timing every query: resolverd with /metrics scraped "
            "every %.0f s vs" % SCRAPE_INTERVAL)
        say("   the baseline build %s, in the same rounds" % lab_args_baseline[0])
        say("   (cached us/answer per round, side by side; ratio = resolverd / baseline)")
        for i, ((m1, d1), (m2, d2)) in enumerate(zip(rd["cached"], bl["cached"])):
            a, b = m1.us / d1["completed"], m2.us / d2["completed"]
            say("   round %d: resolverd %.2f us, baseline %.2f us, ratio %.3f" % (
                i + 1, a, b, a / b))
        for i, ((m1, _, n1), (m2, _, n2)) in enumerate(zip(rd["cold"], bl["cold"])):
            say("   cold round %d: resolverd %.1f us/name, baseline %.1f us/name, ratio %.3f" % (
                i + 1, m1.us / n1, m2.us / n2, (m1.us / n1) / (m2.us / n2)))
        if rd.get("scrapes"):
            say("   scrapes of /metrics during run A: %d (%d failed)" % rd["scrapes"])
        if rd.get("callgrind") and bl.get("callgrind"):
            a, b = rd["callgrind"][0], bl["callgrind"][0]
            say("   instructions per cached answer in the UDP read path (callgrind, "
                "%s): resolverd %.0f, baseline %.0f: %+.0f (%+.1f%%)" % (
                    instr.TOGGLE, a, b, a - b, 100.0 * (a - b) / b))
            say("     (%s; %s)" % (rd["callgrind"][1], bl["callgrind"][1]))

    # Targets
    say()
    say("Targets (resolverd):")
    if "resolverd" not in byk:
        say("   resolverd not run (--only unbound): no targets checked")
        return
    rd = byk["resolverd"]
    ub = byk.get("unbound")

    def verdict(ok):
        return "PASS" if ok else "FAIL"

    def over(val, lim, unit):
        if val <= lim:
            return ""
        return ", over by %.1f %s = %.0f%%" % (val - lim, unit, 100 * (val - lim) / lim)

    say("   (figures for 1 and 2: median of the rounds)")
    rd_cached = cached_us(rd)
    if ub:
        ub_cached = cached_us(ub)
        lim = ub_cached * CACHED_RATIO_MAX
        say("   %s 1. cached CPU/answer: resolverd %.2f us vs Unbound %.2f us: ratio %.2f "
            "(target <= %.2f, i.e. <= %.2f us%s)" % (
                verdict(rd_cached <= lim), rd_cached, ub_cached, rd_cached / ub_cached,
                CACHED_RATIO_MAX, lim, over(rd_cached, lim, "us")))
    else:
        say("   n/a  1. cached CPU/answer: resolverd %.2f us; Unbound not run, no "
            "comparison" % rd_cached)
    rd_cold = cold_us(rd)
    ref = (" vs Unbound %.1f us (ratio %.2f; the target is %.2f of the ~%.0f us Unbound "
           "took when it was set)" % (cold_us(ub), rd_cold / cold_us(ub),
                                       COLD_US_MAX / UNBOUND_REF["cold"],
                                       UNBOUND_REF["cold"])) if ub else \
        " (Unbound measured ~%.0f us earlier)" % UNBOUND_REF["cold"]
    say("   %s 2. cold CPU/resolution: resolverd %.1f us%s (target <= %.0f us%s)" % (
        verdict(rd_cold <= COLD_US_MAX), rd_cold, ref, COLD_US_MAX,
        over(rd_cold, COLD_US_MAX, "us")))
    rd_mem = mem_per_name(rd)
    ref = (" vs Unbound %.0f B" % mem_per_name(ub)) if ub else \
        " (Unbound measured ~%.0f B earlier)" % UNBOUND_REF["mem"]
    say("   %s 3. memory/cached name: resolverd %.0f B%s (target <= %.0f B%s)" % (
        verdict(rd_mem <= MEM_BYTES_MAX), rd_mem, ref, MEM_BYTES_MAX,
        over(rd_mem, MEM_BYTES_MAX, "B")))
    if "baseline" in byk:
        ratio = cached_us(rd) / cached_us(byk["baseline"])
        say("   %s 4. counting and timing: cached CPU/answer resolverd %.2f us (scraped) vs "
            "baseline %.2f us: ratio %.3f (target <= %.2f; median of the rounds)" % (
                verdict(ratio <= STATS_COST_MAX), cached_us(rd), cached_us(byk["baseline"]),
                ratio, STATS_COST_MAX))
    for k in kinds:
        for test in ("cold", "cached"):
            rr = byk[k][test]
            if tot(rr, "lost") or tot(rr, "completed") != noerr(rr):
                say("   note: %s %s runs had %d lost, %d not NOERROR: figures less "
                    "reliable" % (k, test, tot(rr, "lost"),
                                  tot(rr, "completed") - noerr(rr)))
        want = P["cached_rate"] * P["cached_len"] * len(byk[k]["cached"])
        if tot(byk[k]["cached"], "completed") < 0.97 * want:
            say("   note: %s answered %d of the %d cached queries the fixed rate asks "
                "for: it (or dnsperf) could not keep up, so it was busier and slept "
                "less than the other" % (k, tot(byk[k]["cached"], "completed"), want))
        d = byk[k]["mem"][2] if "mem" in byk[k] else {"lost": 0, "completed": 0, "rcodes": {}}
        if d["lost"] or d["completed"] != d["rcodes"].get("NOERROR", 0):
            say("   note: %s memory run had %d lost, rcodes %s: divided by the names "
                "answered" % (k, d["lost"], d["rcodes"]))


# The baseline binary as given (for the report).
lab_args_baseline = [""]


def versions(args, kinds):
    out = []
    try:
        with open("/proc/cpuinfo") as f:
            model = [l.split(":", 1)[1].strip() for l in f if l.startswith("model name")]
        out.append("cpu: %d x %s" % (len(model), model[0] if model else "?"))
    except OSError:
        pass
    out.append("kernel: %s" % platform.release())
    if "resolverd" in kinds:
        out.append("resolverd: %s (copied from %s)" % (args.resolverd, args.resolverd_orig))
    if "baseline" in kinds:
        r = run([args.baseline, "-V"], check=False)
        out.append("baseline: %s (copied from %s)" % (
            r.stdout.strip().splitlines()[0] if r.stdout.strip() else "?", lab_args_baseline[0]))
    if "unbound" in kinds:
        r = run([args.unbound, "-V"], check=False)
        out.append("unbound: %s (%s)" % (r.stdout.splitlines()[0] if r.stdout else "?",
                                        args.unbound))
    r = run(["nsd", "-v"], check=False)
    out.append("nsd: %s" % (r.stdout.splitlines()[0] if r.stdout else "?"))
    r = run([args.dnsperf, "-h"], check=False)
    v = [l for l in r.stdout.splitlines() if l.startswith("Version")]
    out.append("dnsperf: %s" % (v[0] if v else "?"))
    return out


def main():
    ap = argparse.ArgumentParser(prog="bench/run.sh")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=("resolverd", "unbound"))
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--perf", action="store_true")
    ap.add_argument("--install", action="store_true")   # handled by run.sh
    ap.add_argument("--baseline", metavar="RESOLVERD",
                    help="another resolverd build, measured in run A alongside")
    args = ap.parse_args()

    Lab.check_namespace()

    if args.quick:
        P = dict(cached_n=2000, cached_rate=40000, cached_len=2, cached_rounds=2,
                 max_len=2, cold_n=4000, cold_rounds=2, cold_rate=5000,
                 mem_m=30000, mem_rate=5000)
    else:
        P = dict(cached_n=10000, cached_rate=40000, cached_len=5, cached_rounds=3,
                 max_len=5, cold_n=20000, cold_rounds=4, cold_rate=5000,
                 mem_m=200000, mem_rate=5000)
    for key in P:
        env = os.environ.get("BENCH_" + key.upper())
        if env:
            P[key] = int(env)
    P["cold_rounds"] = max(1, min(P["cold_rounds"], P["cold_n"]))
    P["cached_rounds"] = max(1, P["cached_rounds"])
    P["cached_n"] = min(P["cached_n"], P["cold_n"])

    kinds = []
    if args.only != "unbound":
        kinds.append("resolverd")
    if args.only != "resolverd":
        kinds.append("unbound")
    if args.baseline:
        kinds.append("baseline")

    tmp = tempfile.mkdtemp(prefix="resolverd-bench.")
    lab = Lab(tmp, args)

    def on_signal(sig, _frm):
        raise KeyboardInterrupt("signal %d" % sig)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    rc = 0
    try:
        args.dnsperf = os.environ.get("DNSPERF") or shutil.which("dnsperf") or "/usr/bin/dnsperf"
        if "resolverd" in kinds:
            src = os.environ.get("RESOLVERD")
            if not src:
                cands = []
                if os.environ.get("BUILDDIR"):
                    cands.append(os.path.join(os.environ["BUILDDIR"], "src", "resolverd"))
                cands += [os.path.join(SRC_TOP, "src", "resolverd"),
                          os.path.join(SRC_TOP, "build", "ci", "src", "resolverd")]
                src = next((c for c in cands if os.path.isfile(c) and os.access(c, os.X_OK)), None)
                if not src:
                    raise Broken("resolverd binary not found (tried %s); set RESOLVERD= "
                                 "or BUILDDIR=" % ", ".join(cands))
            if not (os.path.isfile(src) and os.access(src, os.X_OK)):
                raise Broken("RESOLVERD=%s is not an executable file" % src)
            # Our own copy: a rebuild during the run must not change it.
            args.resolverd_orig = os.path.abspath(src)
            args.resolverd = os.path.join(tmp, "resolverd")
            shutil.copy2(src, args.resolverd)
        if "baseline" in kinds:
            if not (os.path.isfile(args.baseline) and os.access(args.baseline, os.X_OK)):
                raise Broken("--baseline %s is not an executable file" % args.baseline)
            lab_args_baseline[0] = os.path.abspath(args.baseline)
            args.baseline = os.path.join(tmp, "resolverd-baseline")
            shutil.copy2(lab_args_baseline[0], args.baseline)
        if "unbound" in kinds:
            ub = os.environ.get("UNBOUND") or shutil.which("unbound") or \
                (os.path.exists("/usr/sbin/unbound") and "/usr/sbin/unbound")
            if not ub or not os.access(ub, os.X_OK):
                say("# Unbound not found (Debian: apt-get install unbound, or run "
                    "bench/run.sh --install, or set UNBOUND=/path/to/unbound): "
                    "skipping Unbound, comparisons use earlier reference figures")
                kinds.remove("unbound")
            else:
                args.unbound = ub
        if not kinds:
            raise Broken("nothing to run")

        say("# resolverd benchmark%s, temporary directory %s" % (
            " (--quick)" if args.quick else "", tmp))
        env = " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in sorted(os.environ.items())
                       if k in ("RESOLVERD", "BUILDDIR", "UNBOUND", "DNSPERF", "BENCH_PORT")
                       or k.startswith("BENCH_") and k != "BENCH_PYTHON")
        say("# invoked as: %sbench/run.sh%s" % (env + " " if env else "",
                                               "".join(" " + a for a in sys.argv[1:])))
        for line in versions(args, kinds):
            say("# " + line)
        say("# parameters: %s" % ", ".join("%s=%s" % kv for kv in sorted(P.items())))
        la = loadavg()
        say("# load average at the start: %s" % la)
        try:
            if float(la.split()[0]) > 1.0:
                say("# WARNING: the machine is busy with other work; CPU figures are "
                    "noisier (compare the rounds)")
        except ValueError:
            pass
        if args.perf:
            say("# --perf: profiles come from extra cold and cached runs after the "
                "measured ones; they do not count in the figures")
        say("# both resolvers run with module-config: \"iterator\": no DNSSEC validation "
            "(the lab zones are unsigned)")

        lab.setup_addresses()
        t0 = time.time()
        cold = ["c%d" % i for i in range(P["cold_n"])]
        mem = ["m%d" % i for i in range(P["mem_m"])]
        prof = ["p%d" % i for i in range(P["cold_n"] // P["cold_rounds"])] if args.perf else []
        zd = lab.write_zones(cold + mem + prof)
        files = {"cold": [], "mem": write_names(os.path.join(tmp, "mem.txt"), mem)}
        per = P["cold_n"] // P["cold_rounds"]
        for i in range(P["cold_rounds"]):
            chunk = cold[i * per:] if i == P["cold_rounds"] - 1 else cold[i * per:(i + 1) * per]
            files["cold"].append((write_names(os.path.join(tmp, "cold-%d.txt" % (i + 1)),
                                              chunk), len(chunk)))
        # The cached set: the first cold names (all cached by then).
        files["cached"] = write_names(os.path.join(tmp, "cached.txt"), cold[:P["cached_n"]])
        if prof:
            files["perf"] = (write_names(os.path.join(tmp, "perf.txt"), prof), len(prof))
        lab.start_nsd(zd)
        say("# lab up: root %s, lab. %s, %s %s (%d names) in %.1f s" % (
            ROOT[1], TLD[1], ZONE, LEAF[1], len(cold) + len(mem) + len(prof) + 3,
            time.time() - t0))

        res = run_a(lab, kinds, P, files)
        for k in kinds:
            run_b(lab, k, P, files, res[k])
        if "baseline" in kinds:
            if instr.available():
                names = write_names(os.path.join(tmp, "callgrind.txt"), cold[:instr.NAMES])
                counts = instr.measure(sys.modules[__name__], lab, [
                    ("resolverd", args.resolverd), ("baseline", args.baseline)], names)
                for k in counts:
                    res[k]["callgrind"] = counts[k]
            else:
                say("# valgrind not found: no instruction counts for target 4")
        say("# load average at the end: %s" % loadavg())

        report(P, [res[k] for k in kinds])
        say()
        say("Configurations:")
        for k in kinds:
            path = os.path.join(tmp, "%s.conf" % k)
            say("   %s (%s):" % (k, path))
            with open(path) as f:
                for line in f:
                    say("      " + line.rstrip())
        say()
        say("Commands (inside the namespace; %s names, lab addresses on lo):" % ZONE)
        for what, cmd in lab.commands:
            say("   %-18s %s" % (what + ":", cmd))
        say("# total %.0f s" % (time.time() - t0))
    except Broken as e:
        sys.stderr.write("bench: %s\n" % e)
        rc = 1
    except KeyboardInterrupt as e:
        sys.stderr.write("bench: interrupted (%s)\n" % e)
        rc = 130
    finally:
        lab.stop_all()
        if args.keep:
            say("# kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
