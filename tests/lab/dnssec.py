"""DNSSEC part of the resolverd lab (imported by lab.py; see README.md).

At test time, in the lab's temporary directory, prepare() generates keys
with ldns-keygen and signs the lab's root, the signed. TLD and the zones
below it with ldns-signzone, children first so that each parent gets its
children's DS records before it is signed. The root's DS becomes the
resolver's trust anchor file. No key is committed; everything is
generated anew (in well under a second) for every run.

    .                 ECDSAP256SHA256 KSK+ZSK, NSEC   (trust anchor: its DS)
    signed.           RSASHA256 KSK+ZSK, NSEC         DS in .
    good.signed.      ECDSAP256SHA256 KSK+ZSK, NSEC   DS in signed.
    nsec3.signed.     ED25519 CSK, NSEC3 (0 iterations, no salt)
    optout.signed.    ED25519 CSK, NSEC3 opt-out (salt, 1 iteration), with
                      an insecure delegation (unsigned.optout.signed) that
                      has no NSEC3 of its own
    expired.signed.   ECDSAP256SHA256 CSK, signatures expired in 2020
    bogus.signed.     ECDSAP256SHA256 CSK; its DS is another key's
    nta.signed.       ECDSAP256SHA256 CSK; its DS has a wrong digest; the
                      resolver has domain-insecure: nta.signed
    insecure.signed., unsigned.optout.signed. and every zone under lab.,
    corp. and example.: unsigned, no DS (insecure delegations)

direct_checks() proves the signed lab itself (ldns-verify-zone, RRSIGs and
DS records served, the opt-out referral); resolver_checks() asks the
resolver. Both get the lab module (L) for its reporting and helpers.
"""
import os
import shutil
import subprocess
import time

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rdatatype

T = dns.rdatatype

# EDE codes (RFC 8914).
EDE_BOGUS = 6
EDE_SIG_EXPIRED = 7
EDE_DNSKEY_MISSING = 9

TOOLS = ("ldns-keygen", "ldns-signzone", "ldns-verify-zone")

# Lines of a zone file carrying this comment are not signed but appended to
# the signed zone (the opt-out delegation, see optout.signed.zone).
AFTER_SIGNING = "; after signing"


class Signed:
    """How one zone is signed. ds: what goes into the parent ("good", "none",
    "other-key", "bad-digest")."""

    def __init__(self, origin, parent, alg, split=False, nsec3=None,
                 expired=False, ds="good"):
        self.origin = origin
        self.parent = parent
        self.alg = alg            # 8, 13 or 15
        self.split = split        # KSK + ZSK (else one CSK)
        self.nsec3 = nsec3        # None, or ldns-signzone NSEC3 options
        self.expired = expired
        self.ds = ds
        self.keys = []
        self.ksk = None
        self.out = None           # the signed zone file
        self.ds_text = None       # DS record(s) put into the parent


# Children before parents.
ZONES = [
    Signed("good.signed.", "signed.", 13, split=True),
    Signed("nsec3.signed.", "signed.", 15, nsec3=["-n", "-t", "0"]),
    Signed("optout.signed.", "signed.", 15, nsec3=["-n", "-p", "-t", "1", "-s", "c0ffee"]),
    Signed("expired.signed.", "signed.", 13, expired=True),
    Signed("bogus.signed.", "signed.", 13, ds="other-key"),
    Signed("nta.signed.", "signed.", 13, ds="bad-digest"),
    Signed("signed.", ".", 8, split=True),
    Signed(".", None, 13, split=True),
]
BY_ORIGIN = {z.origin: z for z in ZONES}
ALG_NAMES = {8: "RSASHA256", 13: "ECDSAP256SHA256", 15: "ED25519"}
NEGATIVE_ANCHORS = ["nta.signed."]


def missing_tools():
    return [t for t in TOOLS if shutil.which(t) is None]


class Prepared:
    def __init__(self, d):
        self.dir = d
        self.files = {}           # origin -> signed zone file (for NSD)
        self.anchor = os.path.join(d, "root.ds")
        self.insecure = list(NEGATIVE_ANCHORS)
        self.verify = []          # (origin, returncode, output)
        self.took = 0.0


def _run(cmd, cwd=None):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, cwd=cwd, timeout=30)
    if r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), r.returncode,
                                                   (r.stderr + r.stdout).strip()))
    return r.stdout


def _keygen(d, origin, alg, ksk):
    cmd = ["ldns-keygen", "-r", "/dev/urandom", "-a", ALG_NAMES[alg]]
    if alg == 8:
        cmd += ["-b", "2048"]
    if ksk:
        cmd.append("-k")
    base = _run(cmd + [origin], cwd=d).strip().splitlines()[-1]
    return os.path.join(d, base)


def _ds_of(base):
    """The DS record (SHA-256) ldns-keygen wrote for a KSK."""
    with open(base + ".ds") as f:
        return [l.strip() for l in f if l.strip() and not l.startswith(";")]


def prepare(tmp, zonefile):
    """Sign the lab's zones into tmp/dnssec. zonefile(origin) is the source."""
    t0 = time.time()
    d = os.path.join(tmp, "dnssec")
    os.mkdir(d)
    p = Prepared(d)
    now = int(time.time())
    children = {}                 # parent origin -> DS lines to add
    for z in ZONES:
        fname = "root" if z.origin == "." else z.origin.rstrip(".")
        # Keys.
        if z.split:
            z.ksk = _keygen(d, z.origin, z.alg, True)
            z.keys = [z.ksk, _keygen(d, z.origin, z.alg, False)]
        else:
            z.ksk = _keygen(d, z.origin, z.alg, True)
            z.keys = [z.ksk]
        # The source, its children's DS records, without the lines that
        # are added after signing.
        with open(zonefile(z.origin)) as f:
            src = f.read().splitlines()
        later = [l for l in src if l.rstrip().endswith(AFTER_SIGNING)]
        text = [l for l in src if not l.rstrip().endswith(AFTER_SIGNING)]
        ds_lines = children.get(z.origin, [])
        if ds_lines:
            text += ["", "; DS records of the signed children (tests/lab/dnssec.py)"] + ds_lines
        unsigned = os.path.join(d, fname + ".zone")
        with open(unsigned, "w") as f:
            f.write("\n".join(text) + "\n")
        z.out = os.path.join(d, fname + ".signed")
        cmd = ["ldns-signzone"] + (z.nsec3 or [])
        if z.expired:
            cmd += ["-i", "20200101000000", "-e", "20200201000000"]
        else:
            cmd += ["-i", str(now - 3600), "-e", str(now + 30 * 86400)]
        cmd += ["-o", z.origin, "-f", z.out, unsigned] + z.keys
        _run(cmd)
        r = subprocess.run(["ldns-verify-zone", "-V", "1", z.out], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True, timeout=30)
        p.verify.append((z.origin, r.returncode, r.stdout.strip()))
        if later:
            with open(z.out, "a") as f:
                f.write("; added after signing (tests/lab/dnssec.py)\n$ORIGIN %s\n%s\n"
                        % (z.origin, "\n".join(later)))
        p.files[z.origin] = z.out
        # What the parent gets.
        if z.parent is None:
            with open(p.anchor, "w") as f:
                f.write("; the lab root's trust anchor (generated by tests/lab/dnssec.py)\n")
                f.write("\n".join(_ds_of(z.ksk)) + "\n")
            continue
        if z.ds == "good":
            ds = _ds_of(z.ksk)
        elif z.ds == "other-key":
            ds = _ds_of(_keygen(d, z.origin, z.alg, True))
        elif z.ds == "bad-digest":
            ds = []
            for l in _ds_of(z.ksk):
                last = l[-1]
                ds.append(l[:-1] + ("0" if last != "0" else "1"))
        else:
            ds = []
        z.ds_text = ds
        children.setdefault(z.parent, []).extend(ds)
    p.took = time.time() - t0
    return p


# ------------------------------------------------------------------ checks

def _n(text):
    return dns.name.from_text(text)


def _sigs_for(section, rrset):
    return [rr for rr in section if rr.rdtype == T.RRSIG and rr.covers == rrset.rdtype
            and rr.name == rrset.name]


def direct_checks(L, lab, prep):
    """The signed lab itself, without a resolver."""
    R = L.R
    for origin, rc, out in prep.verify:
        z = BY_ORIGIN[origin]
        if z.expired:
            R.ok(rc != 0 and "expired" in out.lower(),
                 "lab: ldns-verify-zone finds the expired signatures of %s" % origin,
                 ["exit %d" % rc] + out.splitlines()[-10:])
        else:
            R.ok(rc == 0, "lab: ldns-verify-zone accepts %s" % origin,
                 ["exit %d" % rc] + out.splitlines()[-10:])
    # Each signed zone's server serves RRSIGs and DNSKEYs; each parent
    # serves the DS (signed) or, for unsigned children, a signed denial.
    server_of = {}
    for s in L.NSD_SERVERS:
        for o in s.zones:
            server_of.setdefault(o, s)
    for z in ZONES:
        addr = server_of[z.origin].v4[0]
        bad = []
        for qtype in (T.SOA, T.DNSKEY):
            r = _ask_do(L, addr, z.origin, qtype)
            ans = [rr for rr in r.answer if rr.rdtype == qtype]
            if not (r.flags & dns.flags.AA) or not ans or not _sigs_for(r.answer, ans[0]):
                bad.append("%s %s: %s" % (z.origin, T.to_text(qtype),
                                          r.to_text().replace("\n", " | ")))
        R.ok(not bad, "lab: %s serves %s SOA and DNSKEY with RRSIGs" % (
            server_of[z.origin].role, z.origin), bad)
        if z.parent is None:
            continue
        paddr = server_of[z.parent].v4[0]
        r = _ask_do(L, paddr, z.origin, T.DS)
        ds = [rr for rr in r.answer if rr.rdtype == T.DS]
        want = sorted(" ".join(l.split()[-4:]).lower() for l in z.ds_text)
        got = sorted(x.to_text().lower() for x in ds[0]) if ds else []
        R.ok(ds and got == want and _sigs_for(r.answer, ds[0]),
             "lab: %s serves the %sDS of %s, signed" % (
                 server_of[z.parent].role, {"good": "", "other-key": "(wrong key's) ",
                                            "bad-digest": "(wrong digest) "}[z.ds], z.origin),
             ["want %s" % want] + L.show_msg(r))
    # Unsigned children: signed proof that there is no DS.
    for child, parent in (("insecure.signed.", "signed."),):
        r = _ask_do(L, server_of[parent].v4[0], child, T.DS)
        nsec = [rr for rr in r.authority if rr.rdtype == T.NSEC and rr.name == _n(child)]
        R.ok(not r.answer and nsec and T.DS not in _bitmap_types(nsec[0][0]),
             "lab: %s proves with NSEC that %s has no DS" % (server_of[parent].role, child),
             L.show_msg(r))
    # The opt-out referral: NS, no DS, an opt-out NSEC3 covering the child.
    r = _ask_do(L, server_of["optout.signed."].v4[0], "www.unsigned.optout.signed.", T.A)
    ns = [rr for rr in r.authority if rr.rdtype == T.NS]
    n3 = [rr for rr in r.authority if rr.rdtype == T.NSEC3]
    R.ok(ns and ns[0].name == _n("unsigned.optout.signed.") and not r.answer and
         not any(rr.rdtype == T.DS for rr in r.authority) and n3 and
         all(rr[0].flags & 1 for rr in n3),
         "lab: optout.signed refers unsigned.optout.signed with opt-out NSEC3s, no DS",
         L.show_msg(r))


def _bitmap_types(nsec):
    out = set()
    for window, bitmap in nsec.windows:
        for i, byte in enumerate(bitmap):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    out.add(window * 256 + i * 8 + bit)
    return out


def _ask_do(L, addr, qname, qtype):
    q = dns.message.make_query(qname, qtype, want_dnssec=True, payload=4096)
    q.flags &= ~dns.flags.RD
    r = dns.query.udp(q, addr, timeout=1.0)
    if r.flags & dns.flags.TC:
        r = dns.query.tcp(q, addr, timeout=1.0)
    return r


def _strip_dnssec(msg):
    """A copy of msg without RRSIG records in the answer, for compare()."""
    m = dns.message.from_wire(msg.to_wire())
    m.answer = [rr for rr in m.answer if rr.rdtype != T.RRSIG]
    return m


def check(L, client, model, desc, qname, qtype, do=False, adflag=False, cd=False,
          ad=None, sigs=None, denial=None, ede=None):
    """Ask the resolver; compare with the zone model (RRSIGs aside), then:
    ad: True/False the AD bit; sigs: True every answer RRset carries its
    RRSIG, False no RRSIG anywhere; denial: "NSEC"/"NSEC3" such records
    (signed) in the authority section, False none at all; ede: a set of
    acceptable EDE codes for a SERVFAIL. Returns the message."""
    R = L.R
    if ede:
        e = L.Expect().servfail()
    else:
        e = model.expect(qname, qtype)
    kw = dict(do=do, adflag=adflag, cd=cd)
    cmd = client.dig(qname, qtype, **kw)
    try:
        msg = client.ask(qname, qtype, **kw)
    except (dns.exception.DNSException, OSError, EOFError) as ex:
        R.ok(False, desc, ["%s: no answer: %s: %s" % (cmd, type(ex).__name__, ex)])
        return None
    probs = L.compare(e, _strip_dnssec(msg))
    has_ad = bool(msg.flags & dns.flags.AD)
    if ad is not None and has_ad != ad:
        probs.append("AD flag: expected %s, got %s" % ("set" if ad else "clear",
                                                       "set" if has_ad else "clear"))
    if sigs is True:
        for rr in msg.answer:
            if rr.rdtype != T.RRSIG and not _sigs_for(msg.answer, rr):
                probs.append("no RRSIG for %s %s in the answer" % (rr.name, T.to_text(rr.rdtype)))
        if not msg.answer:
            probs.append("empty answer section")
    elif sigs is False:
        s = [rr for rr in msg.answer + msg.authority if rr.rdtype == T.RRSIG]
        if s:
            probs.append("RRSIGs present without DO: %s" % ", ".join(
                "%s RRSIG %s" % (rr.name, T.to_text(rr.covers)) for rr in s))
    if denial:
        want = T.NSEC if denial == "NSEC" else T.NSEC3
        recs = [rr for rr in msg.authority if rr.rdtype == want]
        if not recs:
            probs.append("no %s in the authority section" % denial)
        for rr in recs:
            if not _sigs_for(msg.authority, rr):
                probs.append("no RRSIG for %s %s in the authority section" % (rr.name, denial))
    elif denial is False:
        recs = [rr for rr in msg.authority if rr.rdtype in (T.NSEC, T.NSEC3, T.RRSIG)]
        if recs:
            probs.append("DNSSEC records in the authority section without DO: %s" % ", ".join(
                "%s %s" % (rr.name, T.to_text(rr.rdtype)) for rr in recs))
    if ede:
        o = L.ede_of(msg)
        if o is not None and o.code not in ede:
            probs.append("EDE %d (%s): expected %s" % (o.code, o.text or "",
                                                     " or ".join(str(c) for c in sorted(ede))))
    R.ok(not probs, desc, (["$ " + cmd] + probs + L.show_msg(msg)) if probs else None)
    return msg


def _nsec3_hash(name):
    """RFC 5155 hash with the lab's NSEC3 parameters (SHA-1, 0 extra
    iterations, no salt), as the base32hex owner label."""
    import base64
    import hashlib
    wire = dns.name.from_text(name).canonicalize().to_wire()
    return base64.b32hexencode(hashlib.sha1(wire).digest()).decode().lower()


def _same_nsec3_gap(origin, asked=()):
    """Two names directly below origin that do not exist and whose hashes
    fall between the same two NSEC3 owners of the zone, a gap that none of
    the names in asked (queried before) falls into."""
    import dns.zone
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "zones", "lab", origin.rstrip(".") + ".zone")
    zone = dns.zone.from_file(path, origin, relativize=False, check_origin=False)
    names = set()
    org = dns.name.from_text(origin)
    for n in zone.nodes:
        while n.is_subdomain(org):
            names.add(n.to_text())
            if n == org:
                break
            n = n.parent()
    chain = sorted(_nsec3_hash(n) for n in names)

    def gap(h):
        before = [c for c in chain if c <= h]
        return before[-1] if before else chain[-1]
    used = {gap(_nsec3_hash(a)) for a in asked}
    by_gap = {}
    for i in range(1, 4000):
        cand = "agg%d.%s" % (i, origin)
        g = gap(_nsec3_hash(cand))
        if cand in names or g in used:
            continue
        if g in by_gap:
            return by_gap[g], cand
        by_gap[g] = cand
    return None, None


def resolver_checks(L, lab, model, client):
    R = L.R

    def c(desc, qname, qtype, **kw):
        return check(L, client, model, desc, qname, qtype, **kw)

    def delta(a, b):
        return {r: b[r]["queries"] - a[r]["queries"] for r in b
                if b[r]["queries"] != a[r]["queries"]}

    R.info("DNSSEC: trust anchor %s, domain-insecure %s" % (
        lab.dnssec.anchor, " ".join(lab.dnssec.insecure)))
    sec = dict(do=True, ad=True, sigs=True)

    # The chain from the lab root.
    c("DNSSEC: . SOA +dnssec: AD (the root anchor works)", ".", T.SOA, **sec)
    c("DNSSEC: ns.signed A +dnssec: AD (RSASHA256 zone)", "ns.signed.", T.A, **sec)

    # (a) A secure zone: AD with DO or AD, RRSIGs only with DO.
    c("DNSSEC: host.good.signed A +dnssec: AD and RRSIG", "host.good.signed.", T.A, **sec)
    c("DNSSEC: host.good.signed AAAA +dnssec: AD and RRSIG", "host.good.signed.", T.AAAA, **sec)
    c("DNSSEC: txt.good.signed TXT +dnssec: AD and RRSIG", "txt.good.signed.", T.TXT, **sec)
    c("DNSSEC: good.signed MX +dnssec: AD and RRSIG", "good.signed.", T.MX, **sec)
    c("DNSSEC: www.good.signed A +dnssec: CNAME and target, both signed, AD",
      "www.good.signed.", T.A, **sec)
    c("DNSSEC: host.good.signed A +adflag (no DO): AD, no RRSIG", "host.good.signed.", T.A,
      adflag=True, ad=True, sigs=False)
    c("DNSSEC: host.good.signed A without DO or AD: no AD, no RRSIG", "host.good.signed.", T.A,
      ad=False, sigs=False)
    c("DNSSEC: good.signed DNSKEY +dnssec: AD", "good.signed.", T.DNSKEY, **sec)
    c("DNSSEC: good.signed DS +dnssec: AD (from the parent)", "good.signed.", T.DS, **sec)

    # (h) Aggressive NSEC (RFC 8198): u1 and u2 fall in the same NSEC range
    # (txt .. *.wild), which nothing before has fetched.
    s0 = lab.stats()
    c("DNSSEC: u1.good.signed A +dnssec: NXDOMAIN, AD, NSEC", "u1.good.signed.", T.A,
      do=True, ad=True, denial="NSEC")
    s1 = lab.stats()
    moved = delta(s0, s1)
    R.ok(moved.get("sec", 0) > 0, "DNSSEC: u1.good.signed was asked upstream (ns.signed: %d)"
         % moved.get("sec", 0))
    c("DNSSEC: u2.good.signed A +dnssec: NXDOMAIN, AD (same NSEC range)", "u2.good.signed.", T.A,
      do=True, ad=True, denial="NSEC")
    s2 = lab.stats()
    moved = delta(s1, s2)
    R.ok(not moved, "DNSSEC: aggressive NSEC: u2.good.signed answered without asking any "
         "server (RFC 8198)", ["queries: %s" % moved])

    # (g) Negative answers in signed zones.
    c("DNSSEC: nope.good.signed A +dnssec: NXDOMAIN, AD, NSEC", "nope.good.signed.", T.A,
      do=True, ad=True, denial="NSEC")
    c("DNSSEC: host.good.signed MX +dnssec: NODATA, AD, NSEC", "host.good.signed.", T.MX,
      do=True, ad=True, denial="NSEC")
    c("DNSSEC: nope.good.signed A without DO: NXDOMAIN, no AD, no NSEC/RRSIG",
      "nope.good.signed.", T.A, ad=False, denial=False)
    c("DNSSEC: nosuch.signed A +dnssec: NXDOMAIN from the RSASHA256 TLD, AD, NSEC",
      "nosuch.signed.", T.A, do=True, ad=True, denial="NSEC")
    c("DNSSEC: host.nsec3.signed A +dnssec: AD and RRSIG", "host.nsec3.signed.", T.A, **sec)
    c("DNSSEC: nope.nsec3.signed A +dnssec: NXDOMAIN, AD, NSEC3", "nope.nsec3.signed.", T.A,
      do=True, ad=True, denial="NSEC3")
    c("DNSSEC: host.nsec3.signed MX +dnssec: NODATA, AD, NSEC3", "host.nsec3.signed.", T.MX,
      do=True, ad=True, denial="NSEC3")
    c("DNSSEC: b.nsec3.signed A +dnssec: empty non-terminal, NODATA, AD, NSEC3",
      "b.nsec3.signed.", T.A, do=True, ad=True, denial="NSEC3")

    # (h) Aggressive NSEC3 (RFC 8198 section 5.2, no opt-out): two names
    # whose hashes fall in the same NSEC3 gap; the second one must be
    # answered from the proof the first one brought.
    n1, n2 = _same_nsec3_gap("nsec3.signed.", ["nsec3.signed.", "nope.nsec3.signed.", "b.nsec3.signed.", "*.nsec3.signed.",
                                               "host.nsec3.signed."])
    if n1 is None:
        R.ok(False, "DNSSEC: aggressive NSEC3: found two names in one NSEC3 gap")
    else:
        s0 = lab.stats()
        c("DNSSEC: %s A +dnssec: NXDOMAIN, AD, NSEC3" % n1, n1, T.A,
          do=True, ad=True, denial="NSEC3")
        s1 = lab.stats()
        c("DNSSEC: %s A +dnssec: NXDOMAIN, AD (same NSEC3 gap)" % n2, n2, T.A,
          do=True, ad=True, denial="NSEC3")
        s2 = lab.stats()
        R.ok(delta(s0, s1) and not delta(s1, s2),
             "DNSSEC: aggressive NSEC3: %s answered without asking any server (RFC 8198)" % n2,
             ["first: %s, second: %s" % (delta(s0, s1), delta(s1, s2))])

    # (f) Wildcards: the answer needs the proof that no closer name exists.
    c("DNSSEC: x.wild.good.signed TXT +dnssec: wildcard answer, AD, NSEC",
      "x.wild.good.signed.", T.TXT, do=True, ad=True, sigs=True, denial="NSEC")
    c("DNSSEC: y.wild.good.signed A +adflag: wildcard answer, AD",
      "y.wild.good.signed.", T.A, adflag=True, ad=True, sigs=False)
    c("DNSSEC: x.wild.good.signed MX +dnssec: wildcard NODATA, AD, NSEC",
      "x.wild.good.signed.", T.MX, do=True, ad=True, denial="NSEC")
    c("DNSSEC: x.wild.nsec3.signed A +dnssec: wildcard answer, AD, NSEC3",
      "x.wild.nsec3.signed.", T.A, do=True, ad=True, sigs=True, denial="NSEC3")

    # (d) NSEC3 opt-out.
    c("DNSSEC: www.optout.signed A +dnssec: AD (opt-out zone's own data)",
      "www.optout.signed.", T.A, **sec)
    c("DNSSEC: www.unsigned.optout.signed A +dnssec: unsigned child in an opt-out "
      "span: NOERROR, no AD", "www.unsigned.optout.signed.", T.A, do=True, ad=False)
    c("DNSSEC: www.unsigned.optout.signed TXT +adflag: NOERROR, no AD",
      "www.unsigned.optout.signed.", T.TXT, adflag=True, ad=False)
    c("DNSSEC: nope.optout.signed A +dnssec: NXDOMAIN under opt-out, no AD (RFC 5155 9.2)",
      "nope.optout.signed.", T.A, do=True, ad=False, denial="NSEC3")

    # (e) Insecure delegations from signed parents.
    c("DNSSEC: www.insecure.signed A +dnssec: insecure delegation (no DS): NOERROR, no AD",
      "www.insecure.signed.", T.A, do=True, ad=False)
    c("DNSSEC: www.insecure.signed AAAA +adflag: NOERROR, no AD",
      "www.insecure.signed.", T.AAAA, adflag=True, ad=False)
    c("DNSSEC: host.alpha.lab A +dnssec: unsigned TLD under the signed root: no AD",
      "host.alpha.lab.", T.A, do=True, ad=False)
    c("DNSSEC: nope.alpha.lab A +dnssec: NXDOMAIN in an insecure zone, no AD",
      "nope.alpha.lab.", T.A, do=True, ad=False)

    # (b) Expired signatures.
    c("DNSSEC: www.expired.signed A +dnssec: SERVFAIL, EDE 7 (Signature Expired)",
      "www.expired.signed.", T.A, do=True, ede={EDE_SIG_EXPIRED})
    # Once the zone's keys are known to be bad, a resolver may only say
    # DNSSEC Bogus (Unbound does).
    c("DNSSEC: expired.signed TXT without DO: SERVFAIL, EDE 7 or 6",
      "expired.signed.", T.TXT, ede={EDE_SIG_EXPIRED, EDE_BOGUS})
    c("DNSSEC: www.expired.signed A +dnssec +cdflag: the data, no AD",
      "www.expired.signed.", T.A, do=True, cd=True, ad=False)

    # (c) DS that matches no DNSKEY.
    c("DNSSEC: www.bogus.signed A +dnssec: SERVFAIL, EDE 9 or 6 (DS matches no key)",
      "www.bogus.signed.", T.A, do=True, ede={EDE_DNSKEY_MISSING, EDE_BOGUS})
    c("DNSSEC: bogus.signed TXT: SERVFAIL, EDE 9 or 6",
      "bogus.signed.", T.TXT, ede={EDE_DNSKEY_MISSING, EDE_BOGUS})
    c("DNSSEC: www.bogus.signed A +dnssec +cdflag: the data, no AD",
      "www.bogus.signed.", T.A, do=True, cd=True, ad=False)

    # (i) Negative trust anchor over a bogus zone (wrong DS digest).
    c("DNSSEC: www.nta.signed A +dnssec: bogus zone under domain-insecure: NOERROR, no AD",
      "www.nta.signed.", T.A, do=True, ad=False)
    c("DNSSEC: nta.signed TXT +adflag: NOERROR, no AD", "nta.signed.", T.TXT,
      adflag=True, ad=False)

    # Still secure after all the bogus ones (nothing poisoned).
    c("DNSSEC: mail.good.signed A +dnssec: still AD at the end", "mail.good.signed.", T.A, **sec)


def local_root_checks(L, lab, model, client):
    """RFC 8806 with validation: resolverd restarted with the signed lab
    root as root-zone-file answers everything as before, with AD where the
    chain is secure, and the root server gets no query at all."""
    R = L.R
    root_copy = L.SIGNED_FILES.get(".")
    if not root_copy:
        R.skip("DNSSEC: local root (root-zone-file)", "the root zone was not signed")
        return
    lab.resolver.terminate()
    lab.resolver.wait(10)
    extra = os.environ.get("RESOLVERD_CONF_EXTRA", "")
    os.environ["RESOLVERD_CONF_EXTRA"] = extra + ";root-zone-file: " + root_copy
    try:
        started = lab.start_resolver("resolverd")
    finally:
        os.environ["RESOLVERD_CONF_EXTRA"] = extra
    if not R.ok(started, "DNSSEC: resolverd restarts with root-zone-file: %s" % root_copy,
                lab.resolver_log()):
        return
    s0 = lab.stats()
    sec = dict(do=True, ad=True, sigs=True)
    check(L, client, model, "DNSSEC, local root: . DNSKEY +dnssec: AD", ".", T.DNSKEY, **sec)
    check(L, client, model, "DNSSEC, local root: host.good.signed A +dnssec: AD",
          "host.good.signed.", T.A, **sec)
    check(L, client, model, "DNSSEC, local root: nosuchtld A +dnssec: NXDOMAIN from the "
          "copy's NSEC, AD", "nosuchtld.", T.A, do=True, ad=True, denial="NSEC")
    check(L, client, model, "DNSSEC, local root: host.alpha.lab A +dnssec: insecure "
          "delegation (NSEC proof from the copy), no AD", "host.alpha.lab.", T.A,
          do=True, ad=False)
    check(L, client, model, "DNSSEC, local root: www.bogus.signed A: still SERVFAIL",
          "www.bogus.signed.", T.A, do=True, ede={EDE_DNSKEY_MISSING, EDE_BOGUS})
    s1 = lab.stats()
    moved = s1["root"]["queries"] - s0["root"]["queries"]
    R.ok(moved == 0, "DNSSEC, local root: no query reached the root server (%d)" % moved)
