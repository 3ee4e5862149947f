#!/usr/bin/python3
"""resolverd end-to-end lab: real authoritative servers, a real resolver.

Do not run this file directly: tests/lab/run.sh puts it in a private
network namespace (where only the loopback interface exists) first. See
tests/lab/README.md.

Modes:
  (default)   run resolverd ($RESOLVERD) against the lab and check it
  --direct    no resolver: check the authoritative servers themselves and
              resolve every lab question with a small iterative walker
              written here (proves the lab, not resolverd)
  --unbound   run Unbound instead of resolverd (development aid only)
  --shell     set everything up, then open a shell inside the namespace
  --keep      keep the temporary directory (logs, configs) afterwards
"""
import argparse
import difflib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.zone

import dnssec
import localzones
import ops

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
ZONEDIR = os.environ.get("LAB_ZONES") or os.path.join(SRC_TOP, "zones", "lab")

RESOLVER_V4 = "127.0.0.1"
RESOLVER_V6 = "::1"
RESOLVER_PORT = int(os.environ.get("LAB_PORT", "5353"))
# How long a client waits for the all-servers-dead answer (SERVFAIL).
DEAD_TIMEOUT = float(os.environ.get("LAB_DEAD_TIMEOUT", "12"))
# Hard limit for the whole run.
RUN_TIMEOUT = int(os.environ.get("LAB_TIMEOUT", "120"))

IN = dns.rdataclass.IN
T = dns.rdatatype


class Server:
    """One authoritative server of the lab: one NSD process (or the sink)."""

    def __init__(self, role, host, v4, v6, zones):
        self.role = role          # short name used in messages and paths
        self.host = host          # its name in the DNS of the lab
        self.v4 = v4
        self.v6 = v6
        self.zones = zones        # origins served; None = never answers
        self.proc = None
        self.dir = None
        self.conf = None

    def addrs(self, v6ok=True):
        return self.v4 + (self.v6 if v6ok else [])


# The lab's servers. The addresses must match the glue in zones/lab/.
# They exist only on the loopback interface of the lab's namespace.
SERVERS = [
    Server("root", "a.root.lab.", ["198.41.0.4"], ["2001:db8:41::4"], ["."]),
    Server("tld", "ns1.nic.lab.", ["192.0.2.1"], ["2001:db8:2::1"],
           ["lab.", "corp.", "example.", "signed."]),
    Server("leaf1", "ns1.hosting.lab.", ["198.51.100.10"], ["2001:db8:51::10"],
           ["hosting.lab.", "alpha.lab.", "oob.corp.", "lame.corp.",
            "halfdead.corp.", "shop.example.", "v6.example.",
            "refused.lab.", "timeout.lab."]),
    Server("leaf2", "ns2.hosting.lab.", ["198.51.100.20"], ["2001:db8:51::20"],
           ["hosting.lab.", "oob.corp.", "beta.corp.", "unsigned.optout.signed."]),
    # The DNSSEC leaf server (signed zones, see dnssec.py).
    Server("sec", "ns.signed.", ["198.51.100.30"], ["2001:db8:51::30"],
           ["good.signed.", "nsec3.signed.", "optout.signed.", "expired.signed.",
            "bogus.signed.", "nta.signed.", "insecure.signed."]),
    # Serves no zone: NSD answers REFUSED (lame.corp, refused.lab).
    Server("lame", "ns.lame.lab.", ["203.0.113.53"], ["2001:db8:113::53"], []),
    # Reads queries and never answers (blackhole.py): halfdead.corp,
    # dead.corp, timeout.lab.
    Server("void", "ns.void.lab.", ["203.0.113.99"], ["2001:db8:113::99"], None),
]
BY_ROLE = {s.role: s for s in SERVERS}
NSD_SERVERS = [s for s in SERVERS if s.zones is not None]


def zonefile(origin):
    """The zone's source file in zones/lab."""
    base = "root" if origin == "." else origin.rstrip(".")
    return os.path.join(ZONEDIR, base + ".zone")


# origin -> signed zone file, filled by dnssec.prepare() at test time.
SIGNED_FILES = {}


def served_file(origin):
    """What NSD serves and the model reads: the signed zone when there is one."""
    return SIGNED_FILES.get(origin) or zonefile(origin)


def n(text):
    return dns.name.from_text(text)


# ----------------------------------------------------------------- output

class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def ok(self, cond, desc, detail=None):
        if cond:
            self.passed += 1
            print("ok - " + desc, flush=True)
        else:
            self.failed += 1
            print("not ok - " + desc, flush=True)
            for line in (detail or []):
                print("#   " + line, flush=True)
        return cond

    def skip(self, desc, why):
        self.skipped += 1
        print("ok - %s # SKIP %s" % (desc, why), flush=True)

    def info(self, msg):
        for line in msg.splitlines():
            print("# " + line, flush=True)

    def summary(self):
        line = "%d passed, %d failed" % (self.passed, self.failed)
        if self.skipped:
            line += ", %d skipped" % self.skipped
        print(line, flush=True)


R = Report()


# ------------------------------------------------------------ zone model

class Expect:
    """What a correct resolver answers, derived from the zone files."""

    def __init__(self):
        self.rcode = dns.rcode.NOERROR
        self.answer = []          # [(name, rdtype, ttl, sorted rdata texts)]
        self.soa_zone = None      # zone whose SOA must be in authority
        self.soa = None           # (ttl bound, rdata text)

    def servfail(self):
        self.rcode = dns.rcode.SERVFAIL
        return self


class Model:
    def __init__(self):
        self.zones = {}
        for s in NSD_SERVERS:
            for origin in s.zones:
                if n(origin) not in self.zones:
                    self.zones[n(origin)] = dns.zone.from_file(
                        served_file(origin), origin=origin, relativize=False)

    def zone_for(self, name):
        best = None
        for origin in self.zones:
            if name.is_subdomain(origin) and (best is None or len(origin) > len(best)):
                best = origin
        return self.zones.get(best)

    @staticmethod
    def cut(zone, name):
        """Highest delegation point in zone at or above name, or None."""
        found = None
        while name != zone.origin:
            node = zone.get_node(name)
            if node is not None and node.get_rdataset(IN, T.NS) is not None:
                found = name
            name = name.parent()
        return found

    @staticmethod
    def dname(zone, name):
        """(owner, rdataset) of a DNAME strictly above name, or None."""
        p = name
        while p != zone.origin:
            p = p.parent()
            node = zone.get_node(p)
            if node is not None:
                rds = node.get_rdataset(IN, T.DNAME)
                if rds is not None:
                    return p, rds
        return None

    @staticmethod
    def wildcard(zone, name):
        """The node of the wildcard that synthesizes name (which does not
        exist), or None: "*." + its closest encloser (RFC 4592)."""
        p = name
        while p != zone.origin:
            p = p.parent()
            if zone.get_node(p) is not None or p == zone.origin or \
                    any(o.is_subdomain(p) for o in zone.nodes):
                return zone.get_node(dns.name.Name((b"*",) + p.labels))
        return None

    def authoritative_rrsets(self, zone):
        """(name, rdataset) for the data a server is authoritative for
        (DNSSEC records aside: they come with the data)."""
        out = []
        for name, node in zone.nodes.items():
            c = self.cut(zone, name)
            for rds in node.rdatasets:
                if rds.rdtype in (T.RRSIG, T.NSEC, T.NSEC3):
                    continue
                if c is not None and not (name == c and rds.rdtype == T.NS):
                    continue      # glue or below a cut
                if c is not None:
                    continue      # NS at a cut: a referral, not an answer
                out.append((name, rds))
        return out

    def expect(self, qname, qtype):
        e = Expect()
        name = n(qname) if isinstance(qname, str) else qname
        for _ in range(16):
            zone = self.zone_for(name)
            if qtype == T.DS and zone is not None and name == zone.origin and \
                    name != dns.name.root and self.zone_for(name.parent()) is not None:
                # DS: the parent side of the cut answers.
                pz = self.zone_for(name.parent())
                node = pz.get_node(name)
                rds = node.get_rdataset(IN, T.DS) if node is not None else None
                if rds is None:
                    return self._negative(e, pz, dns.rcode.NOERROR)
                e.answer.append((name, T.DS, rds.ttl, sorted(r.to_text() for r in rds)))
                return e
            if zone is None or self.cut(zone, name) is not None:
                # Delegated to a zone no working server has.
                return e.servfail()
            dn = self.dname(zone, name)
            if dn is not None:
                owner, rds = dn
                target = rds[0].target
                e.answer.append((owner, T.DNAME, rds.ttl, [rds[0].to_text()]))
                new = name.relativize(owner).concatenate(target)
                e.answer.append((name, T.CNAME, rds.ttl, [new.to_text()]))
                name = new
                continue
            node = zone.get_node(name)
            if node is None and not any(o.is_subdomain(name) for o in zone.nodes):
                node = self.wildcard(zone, name)   # None: NXDOMAIN below
            if node is not None:
                cn = node.get_rdataset(IN, T.CNAME)
                if cn is not None and qtype != T.CNAME:
                    e.answer.append((name, T.CNAME, cn.ttl, [cn[0].to_text()]))
                    name = cn[0].target
                    continue
                rds = node.get_rdataset(IN, qtype)
                if rds is not None:
                    e.answer.append((name, qtype, rds.ttl,
                                     sorted(r.to_text() for r in rds)))
                    return e
                return self._negative(e, zone, dns.rcode.NOERROR)
            if any(o.is_subdomain(name) for o in zone.nodes):
                return self._negative(e, zone, dns.rcode.NOERROR)  # empty non-terminal
            return self._negative(e, zone, dns.rcode.NXDOMAIN)
        raise RuntimeError("CNAME loop in lab zones at %s" % name)

    @staticmethod
    def _negative(e, zone, rcode):
        e.rcode = rcode
        soa = zone.get_rdataset(zone.origin, T.SOA)
        e.soa_zone = zone.origin
        e.soa = (min(soa.ttl, soa[0].minimum), soa[0].to_text())
        return e


# --------------------------------------------------------------- compare

def fmt_rrsets(rrsets):
    lines = []
    for name, rdtype, ttl, rdatas in rrsets:
        for rd in rdatas:
            lines.append("%s %s %s" % (name.to_text().lower(),
                                       T.to_text(rdtype), rd))
    return lines


def got_rrsets(section):
    return [(rr.name, rr.rdtype, rr.ttl, sorted(r.to_text() for r in rr))
            for rr in section]


def ede_of(msg):
    for opt in msg.options:
        if opt.otype == dns.edns.OptionType.EDE:
            return opt
    return None


def compare(e, msg):
    """List of problems (empty when msg matches the expectation e)."""
    probs = []
    if msg.rcode() != e.rcode:
        probs.append("rcode: expected %s, got %s" % (
            dns.rcode.to_text(e.rcode), dns.rcode.to_text(msg.rcode())))
    if not msg.flags & dns.flags.QR:
        probs.append("QR flag not set")
    if e.rcode == dns.rcode.SERVFAIL:
        if ede_of(msg) is None:
            probs.append("no Extended DNS Error (EDNS option 15) in the SERVFAIL")
        return probs
    if not msg.flags & dns.flags.RA:
        probs.append("RA flag not set")
    exp_lines = fmt_rrsets(e.answer)
    got_lines = fmt_rrsets(got_rrsets(msg.answer))
    if exp_lines != got_lines:
        probs.append("answer section differs (expected -, got +):")
        probs.extend(l.rstrip("\n") for l in difflib.unified_diff(
            exp_lines, got_lines, "expected", "got", lineterm="", n=10))
    else:
        for (name, rdtype, ttl, _), rr in zip(e.answer, msg.answer):
            if rr.ttl > ttl:
                probs.append("TTL of %s %s is %d, above the zone's %d" % (
                    name, T.to_text(rdtype), rr.ttl, ttl))
    if e.soa_zone is not None:
        soa = [rr for rr in msg.authority if rr.rdtype == T.SOA]
        if not soa:
            probs.append("no SOA in the authority section (negative answer "
                         "must carry the SOA of %s)" % e.soa_zone)
        else:
            rr = soa[0]
            if rr.name != e.soa_zone or rr[0].to_text() != e.soa[1]:
                probs.append("authority SOA: expected %s SOA %s, got %s SOA %s" % (
                    e.soa_zone, e.soa[1], rr.name, rr[0].to_text()))
            elif rr.ttl > e.soa[0]:
                probs.append("negative SOA TTL %d above min(SOA TTL, minimum) %d"
                             % (rr.ttl, e.soa[0]))
    return probs


def show_msg(msg):
    return ["got: " + line for line in msg.to_text().splitlines()]


# ---------------------------------------------------------------- helpers

def run(cmd, check=True, timeout=20):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), r.stdout.strip()))
    return r


def ask_server(addr, qname, qtype, tcp=False, payload=1232, rd=False,
               timeout=1.0, port=53, edns=True):
    q = dns.message.make_query(qname, qtype, use_edns=0 if edns else None,
                               payload=payload if edns else None)
    if not rd:
        q.flags &= ~dns.flags.RD
    if tcp:
        return dns.query.tcp(q, addr, timeout=timeout, port=port)
    return dns.query.udp(q, addr, timeout=timeout, port=port)


def listening(port):
    """True when something listens on UDP and TCP port (this namespace)."""
    hexport = ":%04X" % port

    def scan(path, state):
        try:
            with open(path) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if parts[1].endswith(hexport) and (state is None or parts[3] == state):
                        return True
        except OSError:
            pass
        return False
    return ((scan("/proc/net/udp", None) or scan("/proc/net/udp6", None)) and
            (scan("/proc/net/tcp", "0A") or scan("/proc/net/tcp6", "0A")))


def tail(path, nlines=30):
    try:
        with open(path, errors="replace") as f:
            return f.read().splitlines()[-nlines:]
    except OSError as e:
        return ["(cannot read %s: %s)" % (path, e)]


# -------------------------------------------------------------------- lab

class Lab:
    def __init__(self, tmp):
        self.tmp = tmp
        self.v6 = True
        self.procs = []           # (name, Popen), stopped in reverse order
        self.dnssec = None        # dnssec.Prepared once the zones are signed
        self.blackhole_log = os.path.join(tmp, "blackhole.log")

    # Namespace -----------------------------------------------------------
    @staticmethod
    def check_namespace():
        # /proc/net/dev belongs to this process's network namespace
        # (/sys/class/net may still show the host's).
        with open("/proc/net/dev") as f:
            ifaces = sorted(l.split(":")[0].strip() for l in f if ":" in l)
        if ifaces != ["lo"]:
            # Refuse: we would add public-looking addresses to a machine
            # that can route them.
            sys.stderr.write("lab: refusing to run: this network namespace has "
                             "interfaces %s besides lo (run tests/lab/run.sh, "
                             "which creates a private namespace)\n" % ifaces)
            sys.exit(99)

    def add_addresses(self, v4, v6, without_v6):
        """Bring lo up and put addresses on it. The IPv6 ones only unless
        LAB_IPV6=no or the namespace refuses them: then self.v6 is False
        and the lab goes on without_v6 (said in the report)."""
        run(["ip", "link", "set", "lo", "up"])
        for a in v4:
            run(["ip", "addr", "add", a + "/32", "dev", "lo"])
        if os.environ.get("LAB_IPV6", "yes") == "no":
            self.v6 = False
            R.info("IPv6 switched off (LAB_IPV6=no): %s" % without_v6)
            return
        for a in v6:
            r = run(["ip", "-6", "addr", "add", a + "/128", "dev", "lo",
                     "nodad"], check=False)
            if r.returncode != 0:
                self.v6 = False
                R.info("IPv6 unavailable in the namespace (%s): %s"
                       % (r.stdout.strip(), without_v6))
                return

    def setup_addresses(self):
        self.add_addresses([a for s in SERVERS for a in s.v4],
                           [a for s in SERVERS for a in s.v6], "IPv6 parts skipped")

    # NSD -----------------------------------------------------------------
    def nsd_conf(self, s):
        d = os.path.join(self.tmp, "nsd-" + s.role)
        os.mkdir(d)
        s.dir = d
        s.conf = os.path.join(d, "nsd.conf")
        lines = [
            "server:",
            '  username: ""',
            '  chroot: ""',
            '  zonesdir: "%s"' % d,
            '  database: ""',
            '  pidfile: "%s/nsd.pid"' % d,
            '  zonelistfile: "%s/zone.list"' % d,
            '  xfrdfile: "%s/xfrd.state"' % d,
            '  xfrdir: "%s"' % d,
            '  logfile: "%s/nsd.log"' % d,
            "  server-count: 1",
            "  verbosity: 2",
            "  hide-version: yes",
            "  hide-identity: yes",
            "  round-robin: no",
            "  zonefiles-write: 0",
            "  port: 53",
        ]
        for a in s.addrs(self.v6):
            lines.append("  ip-address: %s" % a)
        if not self.v6:
            lines.append("  do-ip6: no")
        lines += [
            "remote-control:",
            "  control-enable: yes",
            '  control-interface: "%s/nsd.ctl"' % d,
        ]
        for origin in s.zones:
            lines += ["zone:", '  name: "%s"' % origin,
                      '  zonefile: "%s"' % served_file(origin)]
        with open(s.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        run(["nsd-checkconf", s.conf])

    def start_servers(self):
        for s in NSD_SERVERS:
            self.nsd_conf(s)
            out = open(os.path.join(s.dir, "nsd.out"), "w")
            s.proc = subprocess.Popen(["nsd", "-d", "-c", s.conf],
                                      stdout=out, stderr=subprocess.STDOUT)
            self.procs.append(("nsd-" + s.role, s.proc))
        void = BY_ROLE["void"]
        void.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "blackhole.py"),
             self.blackhole_log] + void.addrs(self.v6),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            universal_newlines=True)
        self.procs.append(("blackhole", void.proc))
        line = void.proc.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError("blackhole.py did not start: %s %s" % (
                line, void.proc.stdout.read()))
        # Wait until every NSD answers on every address.
        deadline = time.time() + 15
        for s in NSD_SERVERS:
            for a in s.addrs(self.v6):
                while True:
                    if s.proc.poll() is not None:
                        raise RuntimeError("nsd for %s exited: %s" % (
                            s.role, "\n".join(tail(os.path.join(s.dir, "nsd.log")))))
                    try:
                        ask_server(a, ".", T.SOA, timeout=0.2)
                        break
                    except (dns.exception.Timeout, OSError):
                        if time.time() > deadline:
                            raise RuntimeError("nsd for %s does not answer on %s"
                                               % (s.role, a))
                        time.sleep(0.05)

    def stats(self):
        """Per-server counters: {role: {queries, udp, udp6, tcp, tcp6, truncated}}
        from nsd-control, plus the blackhole's from its log."""
        out = {}
        for s in NSD_SERVERS:
            r = run(["nsd-control", "-c", s.conf, "stats_noreset"])
            kv = dict(l.split("=", 1) for l in r.stdout.splitlines() if "=" in l)
            out[s.role] = {k: int(float(kv.get("num." + k, 0))) for k in
                           ("queries", "udp", "udp6", "tcp", "tcp6", "truncated")}
        try:
            with open(self.blackhole_log) as f:
                lines = f.read().splitlines()
        except OSError:
            lines = []
        out["void"] = {"queries": len(lines),
                       "udp": sum(1 for l in lines if l.startswith("udp ") and ":" not in l.split()[1]),
                       "udp6": sum(1 for l in lines if l.startswith("udp ") and ":" in l.split()[1]),
                       "tcp": sum(1 for l in lines if l.startswith("tcp ")),
                       "tcp6": 0, "truncated": 0}
        return out

    def root_hints(self):
        path = os.path.join(self.tmp, "root.hints")
        root = BY_ROLE["root"]
        with open(path, "w") as f:
            f.write("; lab root hints (generated)\n")
            f.write(".\t3600000\tIN\tNS\t%s\n" % root.host)
            for a in root.v4:
                f.write("%s\t3600000\tIN\tA\t%s\n" % (root.host, a))
            for a in root.v6:
                f.write("%s\t3600000\tIN\tAAAA\t%s\n" % (root.host, a))
        return path

    # Resolver ------------------------------------------------------------
    def resolverd_conf(self):
        path = os.path.join(self.tmp, "resolverd.conf")
        lines = [
            "# resolverd lab configuration (generated)",
            "server:",
            "  interface: %s@%d" % (RESOLVER_V4, RESOLVER_PORT),
        ] + (["  interface: %s@%d" % (RESOLVER_V6, RESOLVER_PORT)] if self.v6 else []) + [
            "  root-hints: %s" % self.root_hints(),
            "  num-threads: 1",
            "  verbosity: 2",
            "  do-ip4: yes",
            "  do-ip6: %s" % ("yes" if self.v6 else "no"),
            "  do-udp: yes",
            "  do-tcp: yes",
            "  do-not-query-localhost: yes",
            "  qname-minimisation: yes",
            "  harden-glue: yes",
            "  cache-min-ttl: 0",
            "  cache-max-ttl: 86400",
            "  tcp-idle-timeout: 3000",
            "  edns-buffer-size: 1232",
            "  max-udp-size: 4096",
            "  access-control: 127.0.0.0/8 allow",
            "  access-control: ::1 allow",
            "  control-socket: %s/resolverd.sock" % self.tmp,
            "  http-interface: 127.0.0.1@%d" % ops.HTTP_PORT,
        ]
        if self.dnssec:
            lines.append("  trust-anchor-file: %s" % self.dnssec.anchor)
            lines += ["  domain-insecure: %s" % d for d in self.dnssec.insecure]
        else:
            # Unsigned lab: without an anchor resolverd would use the real
            # root's key and find the lab root bogus.
            lines.append('  module-config: "iterator"')
        extra = os.environ.get("RESOLVERD_CONF_EXTRA")
        if extra:
            # Each extra "key: value" replaces the lab's line for that key.
            for item in [l.strip() for l in extra.split(";") if l.strip()]:
                key = item.split(":", 1)[0].strip() + ":"
                lines = [l for l in lines if l.strip().split(" ", 1)[0] != key]
                lines.append("  " + item)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def unbound_conf(self):
        path = os.path.join(self.tmp, "unbound.conf")
        lines = [
            "server:",
            "  interface: %s@%d" % (RESOLVER_V4, RESOLVER_PORT),
        ] + (["  interface: %s@%d" % (RESOLVER_V6, RESOLVER_PORT)] if self.v6 else []) + [
            "  root-hints: %s" % self.root_hints(),
            "  num-threads: 1",
            "  verbosity: 1",
            '  username: ""',
            '  chroot: ""',
            '  directory: "%s"' % self.tmp,
            '  pidfile: "%s/unbound.pid"' % self.tmp,
            '  logfile: "%s/resolver.log"' % self.tmp,
            "  use-syslog: no",
            '  module-config: "%s"' % ("validator iterator" if self.dnssec else "iterator"),
            "  do-ip6: %s" % ("yes" if self.v6 else "no"),
            "  do-not-query-localhost: yes",
            "  qname-minimisation: yes",
            "  harden-glue: yes",
            "  edns-buffer-size: 1232",
            "  max-udp-size: 4096",
            "  ede: yes",
            "  access-control: 127.0.0.0/8 allow",
            "  access-control: ::1 allow",
        ]
        if self.dnssec:
            lines.append("  trust-anchor-file: %s" % self.dnssec.anchor)
            lines += ["  domain-insecure: %s" % d for d in self.dnssec.insecure]
            lines += ["  aggressive-nsec: yes", "  val-log-level: 2"]
        lines += [
            "remote-control:",
            "  control-enable: no",
        ]
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def start_resolver(self, kind):
        if kind == "unbound":
            conf = self.unbound_conf()
            cmd = ["unbound", "-d", "-c", conf]
        else:
            binary = find_resolverd()
            conf = self.resolverd_conf()
            r = run([binary, "-t", "-c", conf], check=False)
            R.ok(r.returncode == 0, "resolverd -t accepts the lab configuration",
                 r.stdout.splitlines())
            cmd = [binary, "-c", conf] + shlex.split(os.environ.get("RESOLVERD_ARGS", ""))
        self.resolver_out = os.path.join(self.tmp, "resolver.out")
        R.info("starting: " + " ".join(cmd))
        out = open(self.resolver_out, "w")
        # resolver_preexec: run in the child before exec (the chaos lab
        # lowers the descriptor limit there).
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                             preexec_fn=getattr(self, "resolver_preexec", None))
        self.procs.append((kind, p))
        self.resolver = p
        deadline = time.time() + 10
        while time.time() < deadline:
            if listening(RESOLVER_PORT):
                return True
            rc = p.poll()
            if rc is not None and rc != 0:
                break
            time.sleep(0.05)
        return False

    def resolver_log(self):
        lines = tail(self.resolver_out, 40)
        log = os.path.join(self.tmp, "resolver.log")
        if os.path.exists(log):
            lines += tail(log, 40)
        return lines

    def stop(self):
        # The resolver first, with time for a clean exit (sanitizer
        # reports included), then the servers.
        p = getattr(self, "resolver", None)
        if p is not None and p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                self.resolver_killed = True
                p.kill()
                p.wait()
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        deadline = time.time() + 3
        for name, p in reversed(self.procs):
            try:
                p.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def find_resolverd():
    cands = []
    if os.environ.get("RESOLVERD"):
        cands.append(os.environ["RESOLVERD"])
    else:
        if os.environ.get("BUILDDIR"):
            cands.append(os.path.join(os.environ["BUILDDIR"], "src", "resolverd"))
        cands.append(os.path.join(SRC_TOP, "src", "resolverd"))
        cands.append(os.path.join(os.getcwd(), "src", "resolverd"))
    for c in cands:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    sys.stderr.write("lab: resolverd binary not found (tried %s); build it or "
                     "set RESOLVERD=/path/to/resolverd or BUILDDIR\n" % ", ".join(cands))
    sys.exit(99)


# ------------------------------------------------------------- the walker

class Walker:
    """A minimal iterative resolver (no cache) used by --direct to prove the
    lab's delegations are resolvable exactly as the model says."""

    def __init__(self, hints, v6):
        self.hints = hints
        self.v6 = v6
        self.asked = []

    def _ask(self, servers, name, qtype):
        for a in servers:
            if ":" in a and not self.v6:
                continue
            self.asked.append(a)
            try:
                r = ask_server(a, name, qtype, timeout=0.5)
                if r.flags & dns.flags.TC:
                    r = ask_server(a, name, qtype, tcp=True, timeout=0.5)
            except (dns.exception.Timeout, OSError, EOFError):
                continue
            if r.rcode() in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
                return r
        return None

    def addresses(self, host, depth):
        out = []
        for t in (T.A, T.AAAA) if self.v6 else (T.A,):
            r = self.resolve(host, t, depth + 1)
            for rr in r.answer:
                if rr.rdtype == t:
                    out += [x.address for x in rr]
        return out

    def _iterate(self, name, qtype, depth):
        zone = dns.name.root
        r = self._ask(self.hints, name, qtype)
        for _ in range(20):
            if r is None:
                return None
            if r.answer or r.rcode() == dns.rcode.NXDOMAIN or r.flags & dns.flags.AA:
                return r
            ns = [rr for rr in r.authority if rr.rdtype == T.NS]
            if not ns:
                return None
            cut = ns[0].name
            if not cut.is_subdomain(zone) or cut == zone:
                return None       # upward or sideways referral
            targets = [x.target for x in ns[0]]
            glue, have = [], set()
            for rr in r.additional:
                if rr.name in targets and rr.name.is_subdomain(zone) and \
                        rr.rdtype in (T.A, T.AAAA):
                    glue += [x.address for x in rr]
                    have.add(rr.name)
            zone = cut
            # Names without glue are looked up only when the servers with
            # addresses all failed.
            pending = [t for t in targets if t not in have] if depth < 6 else []
            r = self._ask(glue, name, qtype) if glue else None
            while r is None and pending:
                r = self._ask(self.addresses(pending.pop(0), depth), name, qtype)
        return None

    def resolve(self, qname, qtype, depth=0):
        name = n(qname) if isinstance(qname, str) else qname
        q = dns.message.make_query(name, qtype, use_edns=0)
        resp = dns.message.make_response(q)
        resp.flags |= dns.flags.RA
        for _ in range(16):
            r = self._iterate(name, qtype, depth)
            if r is None:
                resp.set_rcode(dns.rcode.SERVFAIL)
                resp.use_edns(0, options=[dns.edns.EDEOption(22, "walker: no server answered")])
                return resp
            cur = name
            moved = True
            while moved:
                moved = False
                for rr in r.answer:
                    if rr.rdtype == T.DNAME and cur.is_subdomain(rr.name) and cur != rr.name:
                        resp.answer.append(rr)
                        moved = True
                    elif rr.name == cur and rr.rdtype == qtype:
                        resp.answer.append(rr)
                        return resp
                    elif rr.name == cur and rr.rdtype == T.CNAME:
                        resp.answer.append(rr)
                        cur = rr[0].target
                        moved = True
                        break
            if cur == name:
                resp.set_rcode(r.rcode())
                resp.authority = [rr for rr in r.authority if rr.rdtype == T.SOA]
                return resp
            name = cur
        resp.set_rcode(dns.rcode.SERVFAIL)
        return resp


# ----------------------------------------------------------------- checks

class Unresponsive(Exception):
    pass


class Client:
    """Asks the resolver under test (or the walker in --direct mode)."""

    MAX_SILENT = 3            # questions in a row without an answer: give up

    def __init__(self, walker=None):
        self.walker = walker
        self.silent = 0

    def dig(self, qname, qtype, tcp=False, payload=4096, edns=True, v6=False,
            do=None, adflag=None, cd=None):
        """The dig command for the same question. do/adflag/cd: None
        (not a DNSSEC question: dig's defaults), else the DO, AD and CD
        bits exactly (dig sets AD by default)."""
        opts = ["+tcp"] if tcp else []
        opts += ["+bufsize=%d" % payload] if edns else ["+noedns"]
        if do is not None or adflag is not None or cd is not None:
            opts += ["+dnssec"] if do else []
            opts += ["+adflag"] if adflag else ["+noadflag"]
            opts += ["+cdflag"] if cd else []
        return "dig @%s -p %d %s %s %s" % (RESOLVER_V6 if v6 else RESOLVER_V4,
                                           RESOLVER_PORT, " ".join(opts),
                                           qname, T.to_text(qtype))

    def ask(self, qname, qtype, tcp=False, payload=4096, edns=True, v6=False,
            timeout=5.0, do=False, adflag=False, cd=False):
        if self.walker:
            return self.walker.resolve(qname, qtype)
        if self.silent >= self.MAX_SILENT:
            raise Unresponsive()
        q = dns.message.make_query(qname, qtype, use_edns=0 if edns else None,
                                   payload=payload if edns else None,
                                   want_dnssec=bool(do))
        if adflag:
            q.flags |= dns.flags.AD
        if cd:
            q.flags |= dns.flags.CD
        addr = RESOLVER_V6 if v6 else RESOLVER_V4
        try:
            if tcp:
                r = dns.query.tcp(q, addr, timeout=timeout, port=RESOLVER_PORT)
            else:
                r = dns.query.udp(q, addr, timeout=timeout, port=RESOLVER_PORT)
        except (dns.exception.Timeout, ConnectionError, EOFError):
            self.silent += 1
            raise
        self.silent = 0
        return r


def check_answer(client, model, desc, qname, qtype, **kw):
    """Ask, compare with the zone data, report. Returns the message."""
    e = model.expect(qname, qtype)
    cmd = client.dig(qname, qtype, **{k: v for k, v in kw.items() if k != "timeout"})
    try:
        msg = client.ask(qname, qtype, **kw)
    except (dns.exception.DNSException, OSError, EOFError) as ex:
        R.ok(False, desc, ["%s: no answer: %s: %s" % (cmd, type(ex).__name__, ex)])
        return None
    probs = compare(e, msg)
    R.ok(not probs, desc, (["$ " + cmd] + probs + show_msg(msg)) if probs else None)
    return msg


def delta(a, b, role, keys=("queries",)):
    return sum(b[role][k] - a[role][k] for k in keys)


def direct_checks(lab, model):
    """The authoritative side alone: every server serves its zones' data."""
    v6 = lab.v6
    for s in NSD_SERVERS:
        for origin in s.zones:
            zone = model.zones[n(origin)]
            for a in s.addrs(v6):
                for tcp in (False, True):
                    try:
                        r = ask_server(a, origin, T.SOA, tcp=tcp)
                        good = (r.rcode() == dns.rcode.NOERROR and
                                r.flags & dns.flags.AA and r.answer and
                                r.answer[0].rdtype == T.SOA)
                    except (dns.exception.DNSException, OSError) as ex:
                        r, good = ex, False
                    if not good:
                        R.ok(False, "lab: %s (%s %s) serves %s" % (
                            s.role, a, "tcp" if tcp else "udp", origin), [str(r)])
                        break
            # Every authoritative RRset, over UDP with a big buffer, from
            # the first address.
            bad = []
            for name, rds in model.authoritative_rrsets(zone):
                try:
                    r = ask_server(s.v4[0], name, rds.rdtype, payload=4096)
                    if r.flags & dns.flags.TC:
                        r = ask_server(s.v4[0], name, rds.rdtype, tcp=True)
                except dns.exception.DNSException as ex:
                    bad.append("%s %s: %s" % (name, T.to_text(rds.rdtype), ex))
                    continue
                got = [rr for rr in r.answer if rr.name == name and rr.rdtype == rds.rdtype]
                if not (r.flags & dns.flags.AA) or not got or \
                        sorted(x.to_text() for x in got[0]) != sorted(x.to_text() for x in rds):
                    bad.append("%s %s: got %s" % (name, T.to_text(rds.rdtype),
                                                  r.to_text().replace("\n", " | ")))
            R.ok(not bad, "lab: %s answers all %s data of %s with AA" % (
                s.role, len(model.authoritative_rrsets(zone)), origin), bad[:5])

    # Referrals from the root and the TLD server.
    root = BY_ROLE["root"].v4[0]
    r = ask_server(root, "www.alpha.lab.", T.A)
    ns = [rr for rr in r.authority if rr.rdtype == T.NS]
    R.ok(not (r.flags & dns.flags.AA) and ns and ns[0].name == n("lab.") and
         any(rr.name == n("ns1.nic.lab.") for rr in r.additional),
         "lab: root refers www.alpha.lab to lab. with glue", show_msg(r))
    r = ask_server(BY_ROLE["tld"].v4[0], "www.oob.corp.", T.A)
    ns = [rr for rr in r.authority if rr.rdtype == T.NS]
    R.ok(ns and ns[0].name == n("oob.corp.") and not r.additional,
         "lab: corp. refers oob.corp to out-of-bailiwick names without glue",
         show_msg(r))
    # The big TXT is truncated over 1232-byte UDP and whole over TCP.
    leaf1 = BY_ROLE["leaf1"].v4[0]
    r1 = ask_server(leaf1, "big.alpha.lab.", T.TXT, payload=1232)
    r2 = ask_server(leaf1, "big.alpha.lab.", T.TXT, tcp=True)
    R.ok(r1.flags & dns.flags.TC and len(r2.to_wire()) > 1232 and r2.answer,
         "lab: big.alpha.lab TXT is truncated at 1232 bytes (UDP) and %d bytes over TCP"
         % len(r2.to_wire()))
    # The lame server refuses.
    for a in BY_ROLE["lame"].addrs(v6):
        r = ask_server(a, "www.lame.corp.", T.A)
        R.ok(r.rcode() == dns.rcode.REFUSED, "lab: lame server %s answers REFUSED" % a,
             show_msg(r))
    # The blackhole reads and never answers.
    before = lab.stats()["void"]["queries"]
    for a in BY_ROLE["void"].addrs(v6):
        for tcp in (False, True):
            try:
                ask_server(a, "www.dead.corp.", T.A, tcp=tcp, timeout=0.3)
                R.ok(False, "lab: blackhole %s (%s) never answers" % (a, "tcp" if tcp else "udp"),
                     ["it answered"])
            except dns.exception.Timeout:
                R.ok(True, "lab: blackhole %s (%s) never answers" % (a, "tcp" if tcp else "udp"))
            except (OSError, EOFError) as ex:
                R.ok(False, "lab: blackhole %s (%s) never answers" % (a, "tcp" if tcp else "udp"),
                     ["connection failed: %s" % ex])
    time.sleep(0.05)
    after = lab.stats()["void"]["queries"]
    R.ok(after - before >= 2, "lab: blackhole logged the queries it swallowed (%d)"
         % (after - before))


def resolver_checks(lab, model, client, direct):
    v6 = lab.v6

    def stats():
        return lab.stats()

    # 1. The walk: root, TLD and leaf servers each see queries.
    s0 = lab.baseline
    t0 = time.time()
    m1 = check_answer(client, model, "host.alpha.lab A (first question: full walk)",
                      "host.alpha.lab.", T.A)
    s1 = stats()
    R.info("first answer took %.0f ms" % ((time.time() - t0) * 1000))
    for role, what in (("root", "root"), ("tld", "TLD (lab.)"), ("leaf1", "leaf (alpha.lab)")):
        d = delta(s0, s1, role)
        R.ok(d > 0, "walk: the %s server received queries (%d)" % (what, d))

    # 2. The same question again is answered from the cache.
    if direct:
        R.skip("repeat answered from cache", "--direct has no cache")
    elif m1 is not None and m1.answer:
        time.sleep(2.1)
        s2 = stats()
        m2 = check_answer(client, model, "host.alpha.lab A again", "host.alpha.lab.", T.A)
        s3 = stats()
        if m2 is not None and m2.answer:
            R.ok(m2.answer[0].ttl < m1.answer[0].ttl,
                 "cache: TTL went down after 2 s (%d -> %d)" % (m1.answer[0].ttl, m2.answer[0].ttl))
        moved = ["%s: %d" % (r, delta(s2, s3, r)) for r in s3 if delta(s2, s3, r)]
        R.ok(not moved, "cache: no authoritative server was asked for the repeat", moved)
    else:
        R.ok(False, "repeat answered from cache", ["first answer missing"])

    # 3. Record types.
    check_answer(client, model, "host.alpha.lab AAAA", "host.alpha.lab.", T.AAAA)
    check_answer(client, model, "alpha.lab MX (two exchanges)", "alpha.lab.", T.MX)
    check_answer(client, model, "alpha.lab TXT", "alpha.lab.", T.TXT)
    check_answer(client, model, "txt.alpha.lab TXT (several strings, quotes, bytes)",
                 "txt.alpha.lab.", T.TXT)
    check_answer(client, model, "alpha.lab A at the apex", "alpha.lab.", T.A)

    # 4. CNAME chains and DNAME.
    check_answer(client, model, "chain.alpha.lab A: CNAME chain of three, in order",
                 "chain.alpha.lab.", T.A)
    s_a = stats()
    check_answer(client, model, "alias.alpha.lab A: CNAME into another zone (beta.corp)",
                 "alias.alpha.lab.", T.A)
    s_b = stats()
    R.ok(delta(s_a, s_b, "leaf2") > 0,
         "cross-zone CNAME: the target zone's server (leaf2) was asked (%d)" % delta(s_a, s_b, "leaf2"))
    check_answer(client, model, "dangling.alpha.lab A: CNAME to a name that does not exist",
                 "dangling.alpha.lab.", T.A)
    check_answer(client, model, "host.legacy.alpha.lab A: DNAME, synthesized CNAME, target",
                 "host.legacy.alpha.lab.", T.A)
    check_answer(client, model, "cn.legacy.alpha.lab A: DNAME then a CNAME",
                 "cn.legacy.alpha.lab.", T.A)
    check_answer(client, model, "legacy.alpha.lab DNAME", "legacy.alpha.lab.", T.DNAME)
    check_answer(client, model, "www.alpha.lab CNAME (asks for the CNAME itself)",
                 "www.alpha.lab.", T.CNAME)

    # 5. Negative answers carry the SOA.
    check_answer(client, model, "nope.alpha.lab A: NXDOMAIN with the SOA", "nope.alpha.lab.", T.A)
    check_answer(client, model, "nosuch.lab A: NXDOMAIN from the TLD", "nosuch.lab.", T.A)
    check_answer(client, model, "nosuchtld A: NXDOMAIN from the root", "nosuchtld.", T.A)
    check_answer(client, model, "host.alpha.lab MX: NODATA with the SOA", "host.alpha.lab.", T.MX)
    check_answer(client, model, "b.alpha.lab A: empty non-terminal is NODATA", "b.alpha.lab.", T.A)
    if not direct:
        s4 = stats()
        check_answer(client, model, "nope.alpha.lab A again (negative cache)",
                     "nope.alpha.lab.", T.A)
        s5 = stats()
        moved = ["%s: %d" % (r, delta(s4, s5, r)) for r in s5 if delta(s4, s5, r)]
        R.ok(not moved, "negative cache: no authoritative server was asked", moved)

    # 6. The TXT too big for UDP upstream.
    s6 = stats()
    m = check_answer(client, model, "big.alpha.lab TXT (%s) with +bufsize=4096 over UDP"
                     % "1.5 KB", "big.alpha.lab.", T.TXT, payload=4096)
    s7 = stats()
    if not direct:
        if m is not None:
            R.ok(not (m.flags & dns.flags.TC), "big TXT: whole, no TC at bufsize 4096")
        d = delta(s6, s7, "leaf1", ("tcp", "tcp6"))
        R.ok(d > 0, "big TXT: the resolver fetched it over TCP upstream (%d TCP queries at leaf1)" % d)
        for desc, kw in (("+bufsize=512", dict(payload=512)), ("+noedns", dict(edns=False))):
            try:
                m = client.ask("big.alpha.lab.", T.TXT, **kw)
                R.ok(m.flags & dns.flags.TC, "big TXT with %s over UDP: TC set" % desc,
                     ["$ " + client.dig("big.alpha.lab.", T.TXT, **kw)] + show_msg(m))
                R.ok(len(m.to_wire()) <= 512, "big TXT with %s: reply fits 512 bytes (%d)"
                     % (desc, len(m.to_wire())))
            except (dns.exception.DNSException, OSError) as ex:
                R.ok(False, "big TXT with %s over UDP: TC set" % desc, [str(ex)])
        check_answer(client, model, "big.alpha.lab TXT over TCP from the client",
                     "big.alpha.lab.", T.TXT, tcp=True)

    # 7. Delegation to out-of-bailiwick names only (no glue).
    check_answer(client, model, "www.oob.corp A (NS names only out of bailiwick)",
                 "www.oob.corp.", T.A)
    check_answer(client, model, "www.oob.corp AAAA", "www.oob.corp.", T.AAAA)
    check_answer(client, model, "oob.corp MX (null MX)", "oob.corp.", T.MX)
    check_answer(client, model, "www.beta.corp AAAA (out-of-bailiwick, leaf2 only)",
                 "www.beta.corp.", T.AAAA)

    # 8. A lame server next to a good one: answers still come.
    s8 = stats()
    t8 = time.time()
    for h in ("www", "w1", "w2", "w3"):
        check_answer(client, model, "%s.lame.corp A (one lame server, one good)" % h,
                     "%s.lame.corp." % h, T.A)
    s9 = stats()
    R.info("lame.corp: lame server asked %d times, good server %d times, %.0f ms" % (
        delta(s8, s9, "lame"), delta(s8, s9, "leaf1"), (time.time() - t8) * 1000))
    # refused.lab: the lame server is the only NS with glue, so it is
    # certainly asked; the good one must be looked up after the REFUSED.
    t8 = time.time()
    for h in ("www", "w1"):
        check_answer(client, model, "%s.refused.lab A (lame server first, good one "
                     "needs a lookup)" % h, "%s.refused.lab." % h, T.A)
    s9b = stats()
    R.ok(delta(s9, s9b, "lame") > 0, "refused.lab: the lame server was asked (%d) "
         "and answers still came (%.0f ms)" % (delta(s9, s9b, "lame"), (time.time() - t8) * 1000))

    # 9. A server that never answers next to a good one.
    t10 = time.time()
    s10 = stats()
    for h in ("www", "w1"):
        check_answer(client, model, "%s.halfdead.corp A (one dead server, one good)" % h,
                     "%s.halfdead.corp." % h, T.A, timeout=DEAD_TIMEOUT)
    s11 = stats()
    R.info("halfdead.corp: dead server asked %d times, good server %d times, %.0f ms" % (
        delta(s10, s11, "void"), delta(s10, s11, "leaf1"), (time.time() - t10) * 1000))
    # timeout.lab: the dead server is the only NS with glue: the resolver
    # times out on it, then looks up the good one.
    t10 = time.time()
    for h in ("www", "w1"):
        check_answer(client, model, "%s.timeout.lab A (dead server first, good one "
                     "needs a lookup)" % h, "%s.timeout.lab." % h, T.A, timeout=DEAD_TIMEOUT)
    s11b = stats()
    R.ok(delta(s11, s11b, "void") > 0, "timeout.lab: the dead server was asked (%d) "
         "and answers still came (%.0f ms)" % (delta(s11, s11b, "void"), (time.time() - t10) * 1000))

    # 10. Only a dead server: SERVFAIL with an Extended DNS Error.
    t12 = time.time()
    s12 = stats()
    m = check_answer(client, model, "www.dead.corp A: SERVFAIL with EDE (only server dead)",
                     "www.dead.corp.", T.A, timeout=DEAD_TIMEOUT)
    took = time.time() - t12
    s13 = stats()
    if m is not None and ede_of(m) is not None:
        o = ede_of(m)
        R.info("EDE %d %s; answered after %.1f s" % (o.code, o.text or "", took))
    R.ok(delta(s0, s13, "void") > 0,
         "dead servers: the dead server was asked (%d queries, %d for dead.corp)"
         % (delta(s0, s13, "void"), delta(s12, s13, "void")))

    # 11. IPv6 transport upstream.
    if v6:
        s14 = stats()
        check_answer(client, model, "www.shop.example A (TLD example. has only IPv6 glue)",
                     "www.shop.example.", T.A)
        s15 = stats()
        d = delta(s14, s15, "tld", ("udp6", "tcp6"))
        R.ok(d > 0, "IPv6: the TLD server was asked over IPv6 (%d)" % d)
        check_answer(client, model, "www.v6.example AAAA (NS name has only an AAAA)",
                     "www.v6.example.", T.AAAA)
        s16 = stats()
        d = delta(s15, s16, "leaf1", ("udp6", "tcp6"))
        R.ok(d > 0, "IPv6: leaf1 was asked over IPv6 for v6.example (%d)" % d)
    else:
        R.skip("IPv6 upstream checks", "no IPv6 in the namespace")

    # 12. Client transports and question case.
    if not direct:
        check_answer(client, model, "alpha.lab MX over TCP from the client",
                     "alpha.lab.", T.MX, tcp=True)
        if v6:
            check_answer(client, model, "alpha.lab TXT from the client over IPv6 (::1)",
                         "alpha.lab.", T.TXT, v6=True)
        try:
            m = client.ask("HoSt.AlPhA.lAb.", T.A)
            got = m.question[0].name.to_text() if m.question else "(no question)"
            R.ok(got == "HoSt.AlPhA.lAb.", "question case echoed as sent (HoSt.AlPhA.lAb.)",
                 ["got question %s" % got])
        except (dns.exception.DNSException, OSError) as ex:
            R.ok(False, "question case echoed as sent", [str(ex)])

    # Final traffic summary.
    end = stats()
    R.info("queries per server (udp/udp6/tcp/tcp6): " + ", ".join(
        "%s %d (%d/%d/%d/%d)" % (r, end[r]["queries"] - s0[r]["queries"],
                                 end[r]["udp"] - s0[r]["udp"], end[r]["udp6"] - s0[r]["udp6"],
                                 end[r]["tcp"] - s0[r]["tcp"], end[r]["tcp6"] - s0[r]["tcp6"])
        for r in end))


def prepare_dnssec(lab):
    """Sign the lab's zones (dnssec.py) unless LAB_DNSSEC=no or ldnsutils
    are missing; then the signed. zones are served unsigned and the DNSSEC
    checks are skipped."""
    if os.environ.get("LAB_DNSSEC", "yes") == "no":
        R.info("DNSSEC switched off (LAB_DNSSEC=no): zones served unsigned")
        return
    missing = dnssec.missing_tools()
    if missing:
        R.info("DNSSEC: %s not found (Debian: ldnsutils): zones served unsigned"
               % ", ".join(missing))
        return
    lab.dnssec = dnssec.prepare(lab.tmp, zonefile)
    SIGNED_FILES.update(lab.dnssec.files)
    R.info("DNSSEC: %d zones signed in %.1f s (%s)" % (
        len(lab.dnssec.files), lab.dnssec.took, lab.dnssec.dir))


# ------------------------------------------------------------------- main

class Stop(Exception):
    """A signal, or the run's hard time limit (SIGALRM), ends the lab."""


def arm_stop(timeout):
    """Turn SIGTERM, SIGINT, SIGHUP and an alarm after timeout seconds into
    Stop, so the lab tears everything down and reports."""
    def on_signal(sig, _frm):
        raise Stop("signal %d" % sig)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
        signal.signal(sig, on_signal)
    signal.alarm(timeout)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--direct", action="store_true")
    ap.add_argument("--unbound", action="store_true")
    ap.add_argument("--shell", action="store_true")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    if os.environ.get("RESOLVERD_LAB_NETNS") != "1":
        sys.stderr.write("lab: run tests/lab/run.sh, not lab.py\n")
        return 99

    arm_stop(RUN_TIMEOUT)

    started = time.time()
    kind = "unbound" if args.unbound else "resolverd"
    if not args.direct and kind == "resolverd":
        find_resolverd()        # fail early, before any setup
    Lab.check_namespace()
    tmp = tempfile.mkdtemp(prefix="resolverd-lab.")
    lab = Lab(tmp)
    try:
        lab.setup_addresses()
        prepare_dnssec(lab)
        model = Model()
        lab.start_servers()
        R.info("lab up in %s: %s" % (tmp, ", ".join(
            "%s %s" % (s.role, "/".join(s.addrs(lab.v6))) for s in SERVERS)))
        R.info("servers up after %.1f s" % (time.time() - started))
        direct_checks(lab, model)
        if lab.dnssec:
            dnssec.direct_checks(sys.modules[__name__], lab, lab.dnssec)
        R.info("authoritative checks done after %.1f s" % (time.time() - started))
        lab.baseline = lab.stats()
        if args.direct:
            hints = BY_ROLE["root"].addrs(lab.v6)
            client = Client(Walker(hints, lab.v6))
        else:
            client = None
            if R.ok(lab.start_resolver(kind), "%s starts and listens on port %d"
                    % (kind, RESOLVER_PORT), lab.resolver_log()):
                client = Client()
        if client is None:
            pass
        elif args.shell:
            R.info("lab shell: dig @%s -p %d ...; exit to tear down"
                   % (RESOLVER_V4, RESOLVER_PORT))
            if lab.dnssec:
                R.info("DNSSEC: dig @%s -p %d +dnssec host.good.signed; keys and "
                       "signed zones in %s" % (RESOLVER_V4, RESOLVER_PORT, lab.dnssec.dir))
            env = dict(os.environ, PS1="[lab] \\w# ", LAB_TMP=tmp)
            signal.alarm(0)
            subprocess.call(["bash", "--norc", "-i"], env=env)
        else:
            resolver_checks(lab, model, client, args.direct)
            if not lab.dnssec:
                R.skip("DNSSEC checks", "zones not signed")
            elif args.direct:
                R.skip("DNSSEC checks", "--direct has no validator")
            else:
                dnssec.resolver_checks(sys.modules[__name__], lab, model, client)
            if kind == "resolverd" and not args.direct:
                ops.resolver_checks(sys.modules[__name__], lab, model, client)
            if lab.dnssec and kind == "resolverd" and not args.direct:
                dnssec.local_root_checks(sys.modules[__name__], lab, model, client)
            if kind == "resolverd" and not args.direct:
                localzones.checks(sys.modules[__name__], lab)
        if client is None or args.shell:
            pass
        elif not args.direct and lab.resolver.poll() is not None:
            R.ok(False, "%s still running at the end" % kind,
                 ["exit status %s" % lab.resolver.returncode] + lab.resolver_log())
        elif not args.direct:
            R.ok(True, "%s still running at the end" % kind)
    except Unresponsive:
        R.ok(False, "the resolver keeps answering", [
            "%d questions in a row got no answer: remaining checks not run"
            % Client.MAX_SILENT])
        if kind == "resolverd" and lab.resolver.poll() is not None:
            R.info("resolverd exited with status %s" % lab.resolver.returncode)
    except Stop as ex:
        R.ok(False, "lab finished in time", ["stopped by %s" % ex])
    except Exception:   # a broken lab is a failure, not a skip
        import traceback
        R.ok(False, "lab ran to the end", traceback.format_exc().splitlines())
    finally:
        signal.alarm(0)
        lab.alive_at_end = (getattr(lab, "resolver", None) is not None and
                            lab.resolver.poll() is None)
        lab.stop()
    return finish(lab, args, started)


SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:", "WARNING: ThreadSanitizer")


def finish(lab, args, started):
    lab.stop()
    if getattr(lab, "alive_at_end", False):
        rc = lab.resolver.returncode
        R.ok(rc == 0 and not getattr(lab, "resolver_killed", False),
             "resolver exits with status 0 on SIGTERM",
             ["exit status %s%s" % (rc, " (killed after 10 s)"
                                    if getattr(lab, "resolver_killed", False) else "")])
    if getattr(lab, "resolver", None) is not None:
        with open(lab.resolver_out, errors="replace") as f:
            out = f.read().splitlines()
        hits = [i for i, l in enumerate(out) if any(m in l for m in SANITIZER_MARKS)]
        R.ok(not hits, "no sanitizer reports in the resolver's output",
             out[hits[0]:hits[0] + 30] if hits else None)
    if R.failed and not args.direct and hasattr(lab, "resolver_out"):
        R.info("resolver output (last lines):")
        for line in lab.resolver_log():
            R.info("  " + line)
    R.info("lab took %.1f s" % (time.time() - started))
    if args.keep or os.environ.get("LAB_KEEP"):
        R.info("kept %s" % lab.tmp)
    else:
        shutil.rmtree(lab.tmp, ignore_errors=True)
    R.summary()
    return 1 if R.failed else 0


if __name__ == "__main__":
    sys.exit(main())
