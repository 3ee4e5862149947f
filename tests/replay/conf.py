"""conf.py -- turn a scenario's CONFIG section into resolver.conf and root
hints for resolverd (Unbound-style keys), or a reason to skip it."""

import calendar
import re
import subprocess
import time

import dns.name

BOOL_TRUE = {"yes", "on", "true", "1"}
BOOL_FALSE = {"no", "off", "false", "0"}


class Skip(Exception):
    """The scenario needs something resolverd has no equivalent for."""


def parse_bool(val, key):
    v = val.strip().strip('"').lower()
    if v in BOOL_TRUE:
        return True
    if v in BOOL_FALSE:
        return False
    raise ValueError("%s: not a yes/no value: %r" % (key, val))


def fixed_qmin(sc):
    """True/False when the scenario sets query-minimization, else None."""
    v = sc.config_value("query-minimization")
    return None if v is None else parse_bool(v, "query-minimization")


def start_time(sc):
    """Epoch seconds the resolver's clock starts at, or None (real time)."""
    ts = sc.config_value("val-override-timestamp")
    if ts is not None:
        return int(ts)
    d = sc.config_value("val-override-date")
    if d is not None:
        d = d.strip()
        if not re.fullmatch(r"\d{14}", d):
            raise ValueError("val-override-date: want YYYYMMDDHHMMSS, got %r" % d)
        return calendar.timegm(time.strptime(d, "%Y%m%d%H%M%S"))
    return None


def _features(sc):
    out = {}
    for v in sc.config_values("features"):
        for part in v.split(";"):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise ValueError("features: expected k = v, got %r" % part)
            k, val = part.split("=", 1)
            out[k.strip()] = val.strip()
    return out


def _fqdn(name):
    return name if name.endswith(".") else name + "."


def _policy_lines(line):
    """Map one Knot Resolver policy line to Unbound-style config lines.
    Returns (server_lines, forward_zones) or raises Skip."""
    m = re.search(r"policy:add\((.*)\)\s*$", line)
    body = m.group(1) if m else line
    names = [_fqdn(n) for n in re.findall(r"todname\('([^']*)'\)", body)]
    if "policy.pattern" in body:
        raise Skip("policy.pattern (regular expressions on names) has no equivalent")
    if re.search(r"policy\.TC\b", body):
        raise Skip("policy.TC (answer with TC=1) has no equivalent")
    if re.match(r"policy\.all\(\s*policy\.DENY\s*\)", body):
        return ['local-zone: "." always_nxdomain'], []
    if re.search(r"policy\.DROP\b", body):
        # Knot's DROP ends resolution with SERVFAIL; local-zone "deny"
        # (Unbound's meaning) drops the query without an answer.
        raise Skip("policy.DROP (answer SERVFAIL) has no equivalent; "
                   "local-zone deny drops silently")
    m = re.match(r"policy\.suffix\(\s*policy\.DENY\s*,", body)
    if m and names:
        return ['local-zone: "%s" always_nxdomain' % n for n in names], []
    m = re.match(r"policy\.suffix\(\s*policy\.FORWARD\(\s*'([^']+)'\s*\)\s*,", body)
    if m and names:
        return [], [(n, m.group(1)) for n in names]
    raise Skip("unsupported policy %r" % body)


def builtin_zones(resolverd):
    """The names of resolverd's built-in local zones (resolverd -l with an
    empty configuration), as dns.name.Name. The list lives in resolverd
    only (src/daemon/localzone_defaults.c)."""
    out = subprocess.run([resolverd, "-l", "-c", "/dev/null"], capture_output=True,
                         text=True, timeout=30)
    if out.returncode != 0:
        raise RuntimeError("%s -l: %s" % (resolverd, (out.stdout + out.stderr).strip()))
    return [dns.name.from_text(l.split()[0]) for l in out.stdout.splitlines()
            if l.endswith(" built-in")]


def world_names(sc):
    """Every name the scenario's servers know: questions and owners of the
    RANGE entries (not the steps: what the resolver is asked, and what it
    must answer, is no part of the world)."""
    names = set()
    for r in sc.ranges:
        for e in r.entries:
            for sec in e.sections.values():
                names.update(rr.name for rr in sec)
    return names


def served_builtins(sc, builtins):
    """The built-in local zones the scenario's world serves names in: the
    world uses them as real zones, so the configuration says so."""
    world = world_names(sc)
    return [z for z in builtins if any(n.is_subdomain(z) for n in world)]


def build(sc, qmin, workdir, hints_path, control_path, builtins=()):
    """Return (resolver.conf text, root hints text). builtins: resolverd's
    built-in local zones (builtin_zones). Raises Skip or ValueError (bad
    value)."""
    server = []
    fwd = []
    hints = []
    v4 = parse_bool(sc.config_value("do-ip4", "yes"), "do-ip4")
    v6 = parse_bool(sc.config_value("do-ip6", "yes"), "do-ip6")
    listen = "127.0.0.1" if v4 else "::1"
    server += [
        "verbosity: 3",
        "num-threads: 1",
        "interface: %s" % listen,
        "port: 53",
        "access-control: 127.0.0.0/8 allow",
        "access-control: ::1 allow",
        "max-udp-size: 4096",
        "root-hints: %s" % hints_path,
        "control-socket: %s" % control_path,
        "qname-minimisation: %s" % ("yes" if qmin else "no"),
        # Scenarios script every upstream query, often in order (STEP
        # REPLY): features that send queries of their own accord would
        # consume replies meant for the resolution. The upstream lab
        # (tests/lab/upstream.py) tests them instead.
        "infra-probe-share: 0",
        "prefetch: no",
        "serve-expired: no",
    ]
    # Where the scenario's world serves a name in a zone resolverd answers
    # itself (test. in the sentinel scenarios), its servers must be asked.
    for z in served_builtins(sc, builtins):
        server.append('local-zone: "%s" nodefault' % z.to_text())
    if not v4:
        server.append("do-ip4: no")
    if not v6:
        server.append("do-ip6: no")
    hg = sc.config_value("harden-glue")
    if hg is not None:
        server.append("harden-glue: %s" % ("yes" if parse_bool(hg, "harden-glue") else "no"))
    anchors = sc.config_values("trust-anchor")
    # FORMAT.md: no trust anchor means no validation.
    if not anchors:
        server.append('module-config: "iterator"')
    for ta in anchors:
        server.append('trust-anchor: "%s"' % " ".join(ta.split()))
    for n in sc.config_values("domain-insecure"):
        server.append('domain-insecure: "%s"' % _fqdn(n))
    feats = _features(sc)
    for k, v in feats.items():
        if k == "min_ttl":
            server.append("cache-min-ttl: %d" % int(v))
        elif k == "max_ttl":
            server.append("cache-max-ttl: %d" % int(v))
        elif k in ("static_hint_name", "static_hint_addr"):
            pass
        elif k == "dns64_prefix":
            raise Skip("DNS64 (features: dns64_prefix) is not supported")
        else:
            raise ValueError("features: unknown feature %r" % k)
    if "static_hint_name" in feats or "static_hint_addr" in feats:
        name = _fqdn(feats.get("static_hint_name", ""))
        addr = feats.get("static_hint_addr")
        if not addr or name == ".":
            raise ValueError("features: static_hint_name and static_hint_addr go together")
        rtype = "AAAA" if ":" in addr else "A"
        server.append('local-data: "%s %s %s"' % (name, rtype, addr))
        server.append('local-data-ptr: "%s %s"' % (addr, name))
    for line in sc.config_values("feature-list"):
        s, f = _policy_lines(line)
        server += s
        fwd += f
    for a in sc.config_values("forward-addr"):
        fwd.append((".", a))
    stub = sc.config_values("stub-addr")
    sname = _fqdn(sc.config_value("stub-name", "K.ROOT-SERVERS.NET."))
    if stub:
        hints.append(".\t3600000\tIN\tNS\t%s" % sname)
        for a in stub:
            hints.append("%s\t3600000\tIN\t%s\t%s" % (sname, "AAAA" if ":" in a else "A", a))
    out = ["# written by tests/replay for scenario %s" % sc.name, "server:"]
    out += ["\t" + s for s in server]
    zones = {}
    for name, addr in fwd:
        zones.setdefault(name, []).append(addr)
    for name, addrs in zones.items():
        out.append("forward-zone:")
        out.append('\tname: "%s"' % name)
        out += ["\tforward-addr: %s" % a for a in addrs]
    return "\n".join(out) + "\n", "\n".join(hints) + "\n"


def listen_addr(sc):
    v4 = parse_bool(sc.config_value("do-ip4", "yes"), "do-ip4")
    return "127.0.0.1" if v4 else "::1"
