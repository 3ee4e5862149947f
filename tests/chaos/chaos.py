#!/usr/bin/python3
"""resolverd chaos lab: forged answers, floods of random names, slow and
idle TCP clients and too few descriptors, against NSD servers (some
behind relay.py) in a private network namespace. See
tests/chaos/README.md.

Do not run this file directly: tests/chaos/run.sh (tests/lab/run.sh
--chaos) puts it in a private network namespace first.

Options:
  --full        the long profile (a minute of flood, a million forged
                answers); without it the short one `make check` runs
  --only CASE   run one case: spoof, torture, slow, fd (repeatable)
  --keep        keep the temporary directory
"""
import argparse
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lab"))

import dns.exception    # noqa: E402
import dns.message      # noqa: E402
import dns.query        # noqa: E402
import dns.rcode        # noqa: E402
import dns.rdatatype    # noqa: E402

import lab              # noqa: E402
from lab import R, find_resolverd, Lab, Stop, arm_stop   # noqa: E402
from uplab import (FrontDef, UpLab, Answer, query, rand_label,   # noqa: E402
                   RESOLVER_V4, PORT, CLIENT_TIMEOUT)
import attack           # noqa: E402

T = dns.rdatatype

# resolverd's limits the checks are about (src/iter/iter_internal.h).
INFRA_MAX_OUTSTANDING = 1000        # queries in flight to one address, per worker
# What resolverd may hold besides its cache: code and libraries (~6 MB),
# libevent, per-worker buffers, the infra cache (10,000 hosts x 80 bytes),
# the mesh of questions in flight with their arenas (up to the waiting
# clients' cap), malloc's own overhead on the cache's many small entries.
FIXED_OVERHEAD_MB = 24

# The long profile is the issue's: 5,000 new names a second for a minute
# with cache-size 32m. The short one, for make check on a shared 2-core
# machine, floods at 2,000 a second into cache-size 4m (which that fills).
PROFILES = {
    "short": {"forged": 100000, "flood_qps": 2000, "flood_s": 15, "cache_mb": 4,
              "cached_qps": 1000, "victim_s": 9, "base_s": 4, "slow_s": 10, "fd_s": 6,
              "timeout": 480},
    "full": {"forged": 1000000, "flood_qps": 5000, "flood_s": 60, "cache_mb": 32,
             "cached_qps": 2000, "victim_s": 30, "base_s": 10, "slow_s": 60, "fd_s": 30,
             "timeout": 1500},
}
# Cases measuring rates and memory, which an AddressSanitizer build
# cannot show (it answers a fraction of the questions, and its memory is
# mostly shadow and quarantine): there they run only when asked for with
# --only (scripts/test-all runs the release build's too).
RATE_CASES = ("torture",)
VICTIM_QPS = 1000           # random names under slow.chaos / dead.chaos
# slow.chaos's server: at VICTIM_QPS, twice the per-server cap would be
# in flight without the cap.
SLOW_DELAY_MS = 1500
SETTLE_S = 5                # until resolverd has measured it
CACHED_NAMES = ["h%d.cached.chaos." % i for i in range(1000)]
SPOOF_RATE = 250            # client questions a second under spoof.chaos
SPOOF_TRUE_A = "192.0.2.53"
VICTIM = "203.0.113.21"     # spoof.chaos's only server (a relay front, 100 ms)
VICTIM_DELAY_MS = 100       # below resolverd's smallest timeout (200 ms)

# ---------------------------------------------------------------- topology

NSDS = [
    lab.Server("croot", "a.root.chaos.", ["198.41.0.4"], [], ["."]),
    lab.Server("ctld", "ns.nic.chaos.", ["192.0.2.1"], [], ["chaos."]),
    lab.Server("cleaf", "ns.flood.chaos.", ["198.51.100.10"], [],
               ["flood.chaos.", "cached.chaos.", "spoof.chaos.", "slow.chaos.",
                "dead.chaos."]),
]
# The servers of the victim zones are relay fronts for cleaf.
FRONTS = [
    FrontDef("victim", "ns.spoof.chaos.", VICTIM, "cleaf", VICTIM_DELAY_MS, "spoof.chaos."),
    FrontDef("slow", "ns.slow.chaos.", "203.0.113.11", "cleaf", SLOW_DELAY_MS, "slow.chaos."),
    FrontDef("dead1", "ns1.dead.chaos.", "203.0.113.12", "cleaf", 1, "dead.chaos."),
    FrontDef("dead2", "ns2.dead.chaos.", "203.0.113.13", "cleaf", 1, "dead.chaos."),
]
ROOT_HINT = FrontDef("root", "a.root.chaos.", "198.41.0.4", "croot", 0, ".")


def zone_texts(serial):
    def rr(owner, ttl, rtype, data):
        return "%s\t%d\tIN\t%s\t%s" % (owner, ttl, rtype, data)

    def soa(origin, minimum):
        return rr(origin, 3600, "SOA", "ns.nic.chaos. hostmaster.chaos. %d 1800 900 604800 %d"
                  % (serial, minimum))

    z = {".": [soa(".", 86400), rr(".", 518400, "NS", "a.root.chaos."),
               rr("chaos.", 172800, "NS", "ns.nic.chaos."),
               rr("ns.nic.chaos.", 172800, "A", "192.0.2.1"),
               rr("a.root.chaos.", 172800, "A", "198.41.0.4")]}
    lines = [soa("chaos.", 3600), rr("chaos.", 86400, "NS", "ns.nic.chaos."),
             rr("ns.nic.chaos.", 86400, "A", "192.0.2.1"),
             rr("a.root.chaos.", 86400, "A", "198.41.0.4")]
    leaf = {"flood.chaos.": ["ns.flood.chaos."], "cached.chaos.": ["ns.flood.chaos."]}
    for f in FRONTS:
        leaf.setdefault(f.zone, []).append(f.host)
    for zone, hosts in leaf.items():
        lines += [rr(zone, 86400, "NS", h) for h in hosts]
    lines.append(rr("ns.flood.chaos.", 86400, "A", "198.51.100.10"))
    lines += [rr(f.host, 86400, "A", f.addr) for f in FRONTS]
    z["chaos."] = lines
    for zone, hosts in leaf.items():
        # Negative answers live an hour: a flood of names fills the cache.
        out = [soa(zone, 3600)] + [rr(zone, 86400, "NS", h) for h in hosts]
        if zone == "cached.chaos.":
            out += [rr(n, 86400, "A", "192.0.2.%d" % (1 + i % 250))
                    for i, n in enumerate(CACHED_NAMES)]
        if zone == "spoof.chaos.":
            out.append(rr("*.spoof.chaos.", 86400, "A", SPOOF_TRUE_A))
        z[zone] = out
    return {k: "\n".join(v) + "\n" for k, v in z.items()}


class ChaosLab(UpLab):
    def nsds(self):
        return NSDS

    def relay_fronts(self):
        return FRONTS

    def hint_servers(self):
        return [ROOT_HINT]

    def zones(self, serial):
        return zone_texts(serial)

    def setup_addresses(self):
        self.add_addresses([a for s in NSDS for a in s.v4] + [f.addr for f in FRONTS], [],
                           "IPv4 only")

    def resolverd_conf(self):
        path = UpLab.resolverd_conf(self)
        with open(path) as fh:
            text = fh.read()
        # Per-query logging at thousands of questions a second would
        # measure the log, not the resolver.
        with open(path, "w") as fh:
            fh.write(text.replace("  verbosity: 2\n", "  verbosity: 1\n"))
        return path

    def pid(self):
        return self.resolver.pid

    def alive(self):
        return self.resolver is not None and self.resolver.poll() is None


# ----------------------------------------------------------------- helpers

def tcp_query(qname, qtype=T.A, timeout=CLIENT_TIMEOUT):
    """One question over a fresh TCP connection (uplab.query over TCP)."""
    q = dns.message.make_query(qname, qtype, use_edns=0, payload=1232)
    t0 = time.monotonic()
    try:
        m = dns.query.tcp(q, RESOLVER_V4, timeout=timeout, port=PORT)
        return Answer(qname, t0, time.monotonic() - t0, m, None)
    except (dns.exception.DNSException, OSError, EOFError) as ex:
        return Answer(qname, t0, None, None, ex)


def udp_query(qname):
    """uplab.query from 127.0.0.1: the forger's packets go to the victim
    server's address, which a wildcard-bound client socket would take
    too."""
    return query(qname, source="127.0.0.1")


def a_addrs(ans):
    rr = ans.a_rrset()
    return [r.address for r in rr] if rr is not None else []


def perf(L, names, qps, seconds, outstanding=1000, tag="q"):
    path = os.path.join(L.tmp, "%s-%d.txt" % (tag, int(time.monotonic() * 1000)))
    attack.write_names(path, names)
    return attack.Perf(RESOLVER_V4, PORT, path, qps, seconds, outstanding=outstanding)


def random_names(zone, n):
    return ["%s%d.%s" % (rand_label(8), i, zone) for i in range(n)]


def warm_cached(L):
    """Resolve the 1,000 cached names once (they stay for a day)."""
    r = perf(L, CACHED_NAMES, 2000, 10, tag="warm").start().result()
    R.info("cached names warmed: " + r.summary())
    return r


class Sampler:
    """Samples resolverd's memory (and relay counters) every interval."""

    def __init__(self, L, interval=0.25, relay=False):
        self.L, self.interval, self.relay = L, interval, relay
        self.rss_max = 0
        self.hwm = 0
        self.snaps = []           # (t, relay stats)
        self.stop = threading.Event()
        self.th = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            try:
                rss, hwm = attack.memory_kib(self.L.pid())
                self.rss_max = max(self.rss_max, rss)
                self.hwm = max(self.hwm, hwm)
                if self.relay:
                    self.snaps.append((time.monotonic(), self.L.relay.stats()))
            except (OSError, RuntimeError):
                pass
            self.stop.wait(self.interval)

    def __enter__(self):
        self.th.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.th.join()

    def window_max(self, fronts, seconds):
        """Most queries the fronts received within any `seconds` window."""
        best = 0
        for i, (t1, s1) in enumerate(self.snaps):
            for t0, s0 in self.snaps[:i + 1]:
                if t1 - t0 <= seconds:
                    best = max(best, sum(s1[f]["udp"] + s1[f]["tcp"] - s0[f]["udp"] - s0[f]["tcp"]
                                         for f in fronts))
                    break
        return best


# -------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.direct = False
    if os.environ.get("RESOLVERD_LAB_NETNS") != "1":
        sys.stderr.write("chaos lab: run tests/chaos/run.sh, not chaos.py\n")
        return 99
    if not shutil.which("dnsperf"):
        print("SKIP: chaos lab: dnsperf not found (Debian: dnsperf)")
        return 77
    import cases
    todo = [(n, f) for n, f in cases.CASES if not args.only or n in args.only]
    if not todo:
        sys.stderr.write("chaos lab: no case named %s (%s)\n" % (
            ", ".join(args.only), ", ".join(n for n, _ in cases.CASES)))
        return 2
    prof = PROFILES["full" if args.full else "short"]
    arm_stop(int(os.environ.get("CHAOS_TIMEOUT", prof["timeout"])))
    started = time.time()
    find_resolverd()
    Lab.check_namespace()
    tmp = tempfile.mkdtemp(prefix="resolverd-chaos.")
    L = ChaosLab(tmp)
    try:
        L.setup_addresses()
        L.write_zones()
        L.start_nsds()
        L.start_relay()
        L.conf_extra = ["cache-size: %dm" % prof["cache_mb"]]
        if not R.ok(L.start_resolver("resolverd"), "resolverd starts and listens on port %d"
                    % PORT, L.resolver_log()):
            raise RuntimeError("resolverd did not start")
        R.info("chaos lab up in %s after %.1f s, %s profile" % (
            tmp, time.time() - started, "full" if args.full else "short"))
        asan = attack.sanitized(L.pid())
        for name, fn in todo:
            if asan and name in RATE_CASES and name not in args.only:
                R.skip("%s case" % name, "AddressSanitizer build: it measures rates and "
                       "memory (the release build runs it; --only %s forces it)" % name)
                continue
            t = time.time()
            fn(L, prof)
            R.info("%s took %.1f s" % (name, time.time() - t))
            if not L.alive():
                R.ok(False, "resolverd still running after %s" % name,
                     ["exit status %s" % L.resolver.returncode] + L.resolver_log())
                break
        else:
            R.ok(True, "resolverd still running at the end")
    except Stop as ex:
        R.ok(False, "chaos lab finished in time", ["stopped by %s" % ex])
    except Exception:   # a broken lab is a failure, not a skip
        import traceback
        R.ok(False, "chaos lab ran to the end", traceback.format_exc().splitlines())
    finally:
        signal.alarm(0)
        L.alive_at_end = L.alive() if getattr(L, "resolver", None) is not None else False
        L.stop()
    return lab.finish(L, args, started)


if __name__ == "__main__":
    sys.exit(main())
