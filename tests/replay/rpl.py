"""rpl.py -- read conformance scenario files (.rpl) and match DNS messages
against their entries.

The format is described in ../shared/conformance/FORMAT.md. This module
only parses and compares; it does no I/O besides reading the file.
"""

import binascii
import collections
import re

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset


class ScenarioError(Exception):
    """The file can't be played: bad syntax, unknown key or keyword."""

    def __init__(self, path, lineno, msg):
        where = "%s:%d" % (path, lineno) if lineno else path
        super().__init__("%s: %s" % (where, msg))


# Keys allowed before CONFIG_END (FORMAT.md "Config keys").
CONFIG_KEYS = {
    "stub-addr", "stub-name", "query-minimization", "harden-glue",
    "trust-anchor", "domain-insecure", "val-override-date",
    "val-override-timestamp", "do-ip4", "do-ip6", "forward-addr",
    "features", "feature-list",
}

MATCH_WORDS = {
    "opcode", "qtype", "qname", "qcase", "subdomain", "flags", "rcode",
    "question", "answer", "authority", "additional", "edns", "nsid", "all",
    "ttl",
}
ADJUST_WORDS = {"copy_id", "copy_query", "raw_id", "do_not_answer"}
FLAG_WORDS = {
    "QR": dns.flags.QR, "AA": dns.flags.AA, "TC": dns.flags.TC,
    "RD": dns.flags.RD, "RA": dns.flags.RA, "AD": dns.flags.AD,
    "CD": dns.flags.CD,
}
# Header flags that "MATCH flags" compares (not DO: that lives in EDNS).
FLAG_MASK = 0
for _f in FLAG_WORDS.values():
    FLAG_MASK |= _f
# EDNS payload size an entry stands for (FORMAT.md "ENTRY").
ENTRY_PAYLOAD = 4096
SECTIONS = ("question", "answer", "authority", "additional")
STEP_KINDS = {"QUERY", "CHECK_ANSWER", "TIME_PASSES", "REPLY",
              "CHECK_OUT_QUERY"}


def strip_comment(line, chars=";"):
    """Remove a comment (outside double quotes) and trailing blanks."""
    inq = False
    for i, c in enumerate(line):
        if c == '"':
            inq = not inq
        elif c in chars and not inq:
            return line[:i].rstrip()
    return line.rstrip()


def unquote(v):
    v = v.strip()
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        return v[1:-1].strip()
    return v


class RR:
    """One resource record of an entry: owner, ttl, class, type, rdata."""
    __slots__ = ("name", "ttl", "rdclass", "rdtype", "rdata")

    def __init__(self, name, ttl, rdclass, rdtype, rdata):
        self.name, self.ttl, self.rdclass = name, ttl, rdclass
        self.rdtype, self.rdata = rdtype, rdata

    def key(self, with_ttl=False):
        """Comparison key: owner case-insensitive, rdata in canonical form."""
        rd = self.rdata.to_digestable() if self.rdata is not None else b""
        k = (self.name.canonicalize(), self.rdclass, self.rdtype, rd)
        return k + (self.ttl,) if with_ttl else k

    def text(self):
        if self.rdata is None:
            return "%s %s %s" % (self.name, dns.rdataclass.to_text(self.rdclass),
                                 dns.rdatatype.to_text(self.rdtype))
        return "%s %d %s %s %s" % (self.name, self.ttl,
                                   dns.rdataclass.to_text(self.rdclass),
                                   dns.rdatatype.to_text(self.rdtype),
                                   self.rdata.to_text())


def _is_ttl(tok):
    return re.fullmatch(r"\d+", tok) is not None


def _is_class(tok):
    try:
        dns.rdataclass.from_text(tok)
        return not _is_ttl(tok)
    except Exception:
        return False


def parse_rr(text, question, default_ttl=3600, origin=dns.name.root):
    """Parse 'owner [ttl] [class] type [rdata]' (ttl and class in either
    order, both optional). In the question section there is no rdata."""
    toks = text.split()
    if not toks:
        raise ValueError("empty record")
    name = dns.name.from_text(toks[0], origin)
    i, ttl, rdclass = 1, None, None
    while i < len(toks) and (ttl is None or rdclass is None):
        if ttl is None and _is_ttl(toks[i]):
            ttl = int(toks[i])
        elif rdclass is None and _is_class(toks[i]):
            rdclass = dns.rdataclass.from_text(toks[i])
        else:
            break
        i += 1
    if i >= len(toks):
        raise ValueError("no type in %r" % text)
    rdtype = dns.rdatatype.from_text(toks[i])
    rdclass = dns.rdataclass.IN if rdclass is None else rdclass
    ttl = default_ttl if ttl is None else ttl
    if question:
        if i + 1 != len(toks):
            raise ValueError("question with data: %r" % text)
        return RR(name, 0, rdclass, rdtype, None)
    rest = text.split(None, i + 1)[i + 1] if i + 1 < len(toks) else ""
    try:
        rdata = dns.rdata.from_text(rdclass, rdtype, rest, origin=origin, relativize=False)
    except dns.exception.DNSException:
        rdata = _odd_ds(rdclass, rdtype, rest)
        if rdata is None:
            raise
    return RR(name, ttl, rdclass, rdtype, rdata)


def _odd_ds(rdclass, rdtype, rest):
    """A DS (or CDS) whose digest has the wrong length for its type, which
    dnspython refuses to build: as generic RDATA, so a scenario can serve
    the malformed record a validator must cope with. None if it is not
    that either."""
    if rdtype not in (dns.rdatatype.DS, dns.rdatatype.CDS):
        return None
    f = rest.split()
    try:
        wire = (int(f[0]).to_bytes(2, "big") + bytes([int(f[1]), int(f[2])]) +
                binascii.unhexlify("".join(f[3:])))
    except (IndexError, ValueError, OverflowError, binascii.Error):
        return None
    return dns.rdata.GenericRdata(rdclass, rdtype, wire)


class Entry:
    def __init__(self, lineno):
        self.lineno = lineno
        self.match = set()
        self.adjust = set()
        self.flags = 0          # header flags from REPLY
        self.do = False         # DO from REPLY
        self.opcode = dns.opcode.QUERY
        self.rcode = dns.rcode.NOERROR
        self.sections = {s: [] for s in SECTIONS}
        self.raw = []           # list of bytes (RAW)

    @property
    def question(self):
        q = self.sections["question"]
        return q[0] if q else None

    def describe(self):
        q = self.question
        qs = "%s %s" % (q.name, dns.rdatatype.to_text(q.rdtype)) if q else "-"
        return "entry at line %d (%s)" % (self.lineno, qs)


class Range:
    def __init__(self, first, last, lineno):
        self.first, self.last, self.lineno = first, last, lineno
        self.addresses = []
        self.entries = []

    def active(self, step):
        return self.first <= step <= self.last


class Step:
    def __init__(self, n, kind, lineno):
        self.n, self.kind, self.lineno = n, kind, lineno
        self.entry = None
        self.elapse = 0


class Scenario:
    def __init__(self, path):
        self.path = path
        self.name = re.sub(r"\.rpl$", "", path.rsplit("/", 1)[-1])
        self.config = []        # (key, value, lineno)
        self.description = ""
        self.ranges = []
        self.steps = []

    def config_values(self, key):
        return [v for k, v, _ in self.config if k == key]

    def config_value(self, key, default=None):
        v = self.config_values(key)
        return v[-1] if v else default

    def addresses(self):
        """Every address the scenario names: RANGE ADDRESS lines, the
        stub/forward addresses, and the A/AAAA data of all entries (glue
        the resolver may be told to use). Sorted, without duplicates."""
        out = set()
        for k in ("stub-addr", "forward-addr"):
            for v in self.config_values(k):
                out.add(v)
        for v in self.config_values("feature-list"):
            for m in re.finditer(r"FORWARD\(\s*'([^']+)'", v):
                out.add(m.group(1).split("@")[0])
        entries = []
        for r in self.ranges:
            out.update(r.addresses)
            entries.extend(r.entries)
        entries.extend(s.entry for s in self.steps if s.entry)
        for e in entries:
            for sec in ("answer", "authority", "additional"):
                for rr in e.sections[sec]:
                    if rr.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                        out.add(rr.rdata.address)
        return sorted(out, key=lambda a: (":" in a, a))

    def listed_addresses(self):
        out = set()
        for r in self.ranges:
            out.update(r.addresses)
        return out


class _Zone:
    """$ORIGIN and $TTL in effect while reading."""
    def __init__(self):
        self.origin = dns.name.root
        self.ttl = 3600

    def directive(self, path, lineno, toks):
        try:
            if toks[0].upper() == "$ORIGIN":
                self.origin = dns.name.from_text(toks[1], dns.name.root)
            elif toks[0].upper() == "$TTL":
                self.ttl = int(toks[1])
            else:
                raise ScenarioError(path, lineno, "unknown directive %r" % toks[0])
        except (IndexError, ValueError, dns.exception.DNSException):
            raise ScenarioError(path, lineno, "bad %s line" % toks[0])


def _parse_entry(path, lines, i, lineno0, zone):
    """lines[i] is the line after ENTRY_BEGIN. Returns (entry, next i)."""
    e = Entry(lineno0)
    section = None
    in_raw = False
    while i < len(lines):
        lineno, line = lines[i]
        i += 1
        toks = line.split()
        word = toks[0]
        if word == "ENTRY_END":
            if "all" in e.match:
                e.match |= {"opcode", "qtype", "qname", "flags", "rcode",
                            "answer", "authority", "additional"}
            return e, i
        if word == "MATCH":
            for t in toks[1:]:
                if t not in MATCH_WORDS:
                    raise ScenarioError(path, lineno, "unknown MATCH element %r" % t)
                e.match.add(t)
            continue
        if word == "ADJUST":
            for t in toks[1:]:
                if t not in ADJUST_WORDS:
                    raise ScenarioError(path, lineno, "unknown ADJUST element %r" % t)
                e.adjust.add(t)
            continue
        if word == "REPLY":
            for t in toks[1:]:
                tu = t.upper()
                if tu in FLAG_WORDS:
                    e.flags |= FLAG_WORDS[tu]
                elif tu == "DO":
                    e.do = True
                else:
                    try:
                        e.rcode = dns.rcode.from_text(tu)
                        continue
                    except Exception:
                        pass
                    try:
                        e.opcode = dns.opcode.from_text(tu)
                        continue
                    except Exception:
                        pass
                    raise ScenarioError(path, lineno, "unknown REPLY element %r" % t)
            continue
        if word == "SECTION":
            if len(toks) != 2 or toks[1].lower() not in SECTIONS:
                raise ScenarioError(path, lineno, "bad SECTION line")
            section = toks[1].lower()
            in_raw = False
            continue
        if word == "RAW":
            in_raw = True
            section = None
            continue
        if in_raw:
            try:
                e.raw.append(binascii.unhexlify("".join(toks)))
            except (binascii.Error, ValueError):
                raise ScenarioError(path, lineno, "bad RAW hex")
            continue
        if word.startswith("$"):
            zone.directive(path, lineno, toks)
            continue
        if word in ("ENTRY_BEGIN", "RANGE_END", "STEP", "SCENARIO_END"):
            raise ScenarioError(path, lineno, "%s inside an ENTRY" % word)
        if section is None:
            raise ScenarioError(path, lineno, "data outside a SECTION: %r" % line.strip())
        try:
            e.sections[section].append(parse_rr(line, section == "question",
                                                zone.ttl, zone.origin))
        except Exception as ex:
            raise ScenarioError(path, lineno, "bad record %r: %s" % (line.strip(), ex))
    raise ScenarioError(path, lineno0, "ENTRY_BEGIN without ENTRY_END")


def parse(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        raw_lines = f.read().split("\n")
    sc = Scenario(path)
    # Config part: up to CONFIG_END. '#' also starts a comment here.
    i = 0
    while i < len(raw_lines):
        lineno = i + 1
        line = strip_comment(raw_lines[i], ";#").strip()
        i += 1
        if not line:
            continue
        if line == "CONFIG_END":
            break
        if line.startswith("$"):
            continue
        m = re.match(r"([A-Za-z0-9_-]+)\s*:\s*(.*)$", line)
        if not m:
            raise ScenarioError(path, lineno, "bad config line %r" % line)
        key, val = m.group(1), unquote(m.group(2))
        if key not in CONFIG_KEYS:
            raise ScenarioError(path, lineno, "unknown config key %r" % key)
        sc.config.append((key, val, lineno))
    else:
        raise ScenarioError(path, 0, "no CONFIG_END")
    # The rest: comment-stripped, non-empty lines with their numbers.
    lines = []
    for j in range(i, len(raw_lines)):
        s = strip_comment(raw_lines[j])
        if s.strip():
            lines.append((j + 1, s.strip()))
    k = 0
    rng = None
    seen_begin = False
    zone = _Zone()
    while k < len(lines):
        lineno, line = lines[k]
        k += 1
        toks = line.split()
        word = toks[0]
        if word.startswith("$"):
            zone.directive(path, lineno, toks)
            continue
        if word == "SCENARIO_BEGIN":
            sc.description = line[len(word):].strip()
            seen_begin = True
        elif word == "SCENARIO_END":
            break
        elif word == "RANGE_BEGIN":
            if rng is not None:
                raise ScenarioError(path, lineno, "nested RANGE_BEGIN")
            try:
                rng = Range(int(toks[1]), int(toks[2]), lineno)
            except (IndexError, ValueError):
                raise ScenarioError(path, lineno, "bad RANGE_BEGIN")
            rng.addresses.extend(toks[3:])
        elif word == "ADDRESS":
            if rng is None or len(toks) != 2:
                raise ScenarioError(path, lineno, "ADDRESS outside a RANGE")
            rng.addresses.append(toks[1])
        elif word == "ENTRY_BEGIN":
            if rng is None:
                raise ScenarioError(path, lineno, "ENTRY outside RANGE or STEP")
            e, k = _parse_entry(path, lines, k, lineno, zone)
            rng.entries.append(e)
        elif word == "RANGE_END":
            if rng is None:
                raise ScenarioError(path, lineno, "RANGE_END without RANGE_BEGIN")
            sc.ranges.append(rng)
            rng = None
        elif word == "STEP":
            if rng is not None:
                raise ScenarioError(path, lineno, "STEP inside a RANGE")
            try:
                st = Step(int(toks[1]), toks[2], lineno)
            except (IndexError, ValueError):
                raise ScenarioError(path, lineno, "bad STEP line")
            if st.kind not in STEP_KINDS:
                raise ScenarioError(path, lineno, "unknown STEP kind %r" % st.kind)
            if st.kind == "TIME_PASSES":
                if len(toks) < 5 or toks[3] != "ELAPSE":
                    raise ScenarioError(path, lineno, "TIME_PASSES needs ELAPSE <n>")
                st.elapse = float(toks[4])
            elif len(toks) > 3:
                raise ScenarioError(path, lineno, "unsupported STEP arguments %r" % toks[3:])
            else:
                if k >= len(lines) or lines[k][1].split()[0] != "ENTRY_BEGIN":
                    raise ScenarioError(path, lineno, "STEP %s without ENTRY" % st.kind)
                st.entry, k = _parse_entry(path, lines, k + 1, lines[k][0], zone)
            sc.steps.append(st)
        else:
            raise ScenarioError(path, lineno, "unexpected %r" % line)
    if not seen_begin:
        raise ScenarioError(path, 0, "no SCENARIO_BEGIN")
    if rng is not None:
        raise ScenarioError(path, rng.lineno, "RANGE without RANGE_END")
    sc.steps.sort(key=lambda s: s.n)     # stable: file order within a number
    return sc


# ---------------------------------------------------------------- matching

def _rrs_of_message_section(sec):
    out = []
    for rrset in sec:
        for rd in rrset:
            out.append(RR(rrset.name, rrset.ttl, rrset.rdclass, rrset.rdtype, rd))
    return out


def message_sections(msg):
    """The four sections of a dnspython message as lists of RR."""
    q = [RR(r.name, 0, r.rdclass, r.rdtype, None) for r in msg.question]
    return {
        "question": q,
        "answer": _rrs_of_message_section(msg.answer),
        "authority": _rrs_of_message_section(msg.authority),
        "additional": _rrs_of_message_section(msg.additional),
    }


TTL_SLACK = 1      # seconds: the resolver's clock is not frozen between steps


def section_diff(exp, got, with_ttl=False):
    """Compare a section with the expected one as a multiset of records:
    order does not matter, but a record received twice where it is
    expected once is a difference (RFC 2181 section 5: an RRset is never
    repeated in one message). With with_ttl, each TTL must also be within
    TTL_SLACK. Returns None when equal, else (missing, extra): expected
    records not received and received records not expected, each as a
    list with repetitions."""
    want = collections.defaultdict(list)
    have = collections.defaultdict(list)
    for r in exp:
        want[r.key()].append(r)
    for r in got:
        have[r.key()].append(r)
    missing, extra = [], []
    for k in list(want) + [k for k in have if k not in want]:
        w = sorted(want.get(k, []), key=lambda r: r.ttl)
        h = sorted(have.get(k, []), key=lambda r: r.ttl)
        if with_ttl:
            # Pair off records whose TTLs agree; the rest differ.
            rest = []
            for r in w:
                for i, g in enumerate(h):
                    if abs(g.ttl - r.ttl) <= TTL_SLACK:
                        del h[i]
                        break
                else:
                    rest.append(r)
            missing += rest
            extra += h
        else:
            missing += w[len(h):]
            extra += h[len(w):]
    return None if not missing and not extra else (missing, extra)


def sections_equal(exp, got, with_ttl=False):
    return section_diff(exp, got, with_ttl) is None


def _edns_diff(entry, msg):
    """MATCH edns: the message carries EDNS version 0 with the payload size
    an entry stands for (4096: the format has no way to write another)."""
    if msg.edns < 0:
        return "EDNS: expected version 0 payload %d, got no EDNS" % ENTRY_PAYLOAD
    if msg.edns != 0 or msg.payload != ENTRY_PAYLOAD:
        return "EDNS: expected version 0 payload %d, got version %d payload %d" % (
            ENTRY_PAYLOAD, msg.edns, msg.payload)
    return None


def _nsid_diff(msg):
    """MATCH nsid: an entry cannot carry an NSID option, so the message
    must not carry one either."""
    for opt in getattr(msg, "options", []) or []:
        if opt.otype == dns.edns.NSID:
            return "NSID: expected none, got one"
    return None


def query_matches(entry, msg):
    """Does a query (from the resolver) match a server ENTRY's MATCH?"""
    m = entry.match
    q = entry.question
    got = msg.question[0] if msg.question else None
    if "opcode" in m and msg.opcode() != entry.opcode:
        return False
    if q is not None and got is not None:
        if ("qtype" in m or "question" in m) and got.rdtype != q.rdtype:
            return False
        if ("qname" in m or "question" in m) and got.name != q.name:
            return False
        if "qcase" in m and got.name.to_text() != q.name.to_text():
            return False
        if "subdomain" in m and not got.name.is_subdomain(q.name):
            return False
    elif q is not None and got is None and (m & {"qtype", "qname", "question", "subdomain"}):
        return False
    if "flags" in m and (msg.flags & FLAG_MASK) != (entry.flags & FLAG_MASK):
        return False
    if "rcode" in m and msg.rcode() != entry.rcode:
        return False
    if "edns" in m and _edns_diff(entry, msg):
        return False
    if "nsid" in m and _nsid_diff(msg):
        return False
    secs = None
    for s in ("answer", "authority", "additional"):
        if s in m:
            secs = secs or message_sections(msg)
            if not sections_equal(entry.sections[s], secs[s]):
                return False
    return True


def flags_text(flags, do=None):
    words = [w for w, f in FLAG_WORDS.items() if flags & f]
    if do:
        words.append("DO")
    return " ".join(words) if words else "-"


def check_answer(entry, msg):
    """Compare a resolver answer with a CHECK_ANSWER entry.
    Returns a list of human-readable differences (empty: match)."""
    m = entry.match
    diffs = []
    with_ttl = "ttl" in m
    if "opcode" in m and msg.opcode() != entry.opcode:
        diffs.append("opcode: expected %s, got %s" % (
            dns.opcode.to_text(entry.opcode), dns.opcode.to_text(msg.opcode())))
    if "rcode" in m and msg.rcode() != entry.rcode:
        diffs.append("rcode: expected %s, got %s" % (
            dns.rcode.to_text(entry.rcode), dns.rcode.to_text(msg.rcode())))
    if "flags" in m and (msg.flags & FLAG_MASK) != (entry.flags & FLAG_MASK):
        diffs.append("flags: expected %s, got %s" % (
            flags_text(entry.flags), flags_text(msg.flags)))
    q = entry.question
    got = msg.question[0] if msg.question else None
    if q is not None:
        if got is None:
            if m & {"qname", "qtype", "question", "qcase"}:
                diffs.append("question: expected %s, got none" % q.text())
        else:
            bad = False
            if ("qname" in m or "question" in m) and got.name != q.name:
                bad = True
            if "qcase" in m and got.name.to_text() != q.name.to_text():
                bad = True
            if ("qtype" in m or "question" in m) and got.rdtype != q.rdtype:
                bad = True
            if bad:
                diffs.append("question: expected %s %s, got %s %s" % (
                    q.name, dns.rdatatype.to_text(q.rdtype),
                    got.name, dns.rdatatype.to_text(got.rdtype)))
    secs = message_sections(msg)
    for s in ("answer", "authority", "additional"):
        if s not in m:
            continue
        exp, rec = entry.sections[s], secs[s]
        d = section_diff(exp, rec, with_ttl)
        if d is None:
            continue
        missing, extra = d
        lines = ["%s section differs%s:" % (s, " (TTLs compared)" if with_ttl else "")]
        mk = collections.Counter(id(r) for r in missing)
        for r in exp:
            lines.append("   %s %s" % ("- " if mk[id(r)] else "  ", r.text()))
        lines.extend("   + %s" % r.text() for r in extra)
        diffs.append("\n".join(lines))
    if "edns" in m:
        d = _edns_diff(entry, msg)
        if d:
            diffs.append(d)
        want = entry.do
        have = msg.edns >= 0 and bool(msg.ednsflags & dns.flags.DO)
        if want != have:
            diffs.append("EDNS DO: expected %s, got %s" % (want, have))
    if "nsid" in m:
        d = _nsid_diff(msg)
        if d:
            diffs.append(d)
    return diffs


def entry_to_text(entry):
    out = ["  flags: %s  rcode: %s" % (flags_text(entry.flags, entry.do),
                                        dns.rcode.to_text(entry.rcode))]
    for s in SECTIONS:
        if entry.sections[s]:
            out.append("  ;; %s" % s.upper())
            out.extend("  " + r.text() for r in entry.sections[s])
    return "\n".join(out)


def message_to_text(msg):
    do = msg.edns >= 0 and bool(msg.ednsflags & dns.flags.DO)
    out = ["  flags: %s  rcode: %s%s" % (flags_text(msg.flags, do),
                                          dns.rcode.to_text(msg.rcode()),
                                          "" if msg.edns >= 0 else "  (no EDNS)")]
    secs = message_sections(msg)
    for s in SECTIONS:
        if secs[s]:
            out.append("  ;; %s" % s.upper())
            out.extend("  " + r.text() for r in secs[s])
    return "\n".join(out)


def build_answer(entry, query, wire_query):
    """Turn a server ENTRY into answer bytes for query (a dnspython message
    parsed from wire_query). Returns bytes, or None for do_not_answer."""
    if "do_not_answer" in entry.adjust:
        return None
    if entry.raw:
        data = bytearray(b"".join(entry.raw))
        if "raw_id" in entry.adjust and len(data) >= 2:
            data[0:2] = wire_query[0:2]
        return bytes(data)
    msg = dns.message.Message(id=query.id if "copy_id" in entry.adjust else 0)
    msg.flags = entry.flags
    msg.set_opcode(entry.opcode)
    if "copy_query" in entry.adjust and query.question:
        q = query.question[0]
        msg.question = [dns.rrset.RRset(q.name, q.rdclass, q.rdtype)]
    elif entry.question is not None:
        q = entry.question
        name = q.name
        if "copy_id" in entry.adjust and query.question:
            name = query.question[0].name       # copy_id also copies the qname
        msg.question = [dns.rrset.RRset(name, q.rdclass, q.rdtype)]
    for s, target in (("answer", msg.answer), ("authority", msg.authority),
                      ("additional", msg.additional)):
        for rr in entry.sections[s]:
            covers = _covers_rd(rr)
            rrset = None
            for existing in target:
                # Same owner/type/class/covers and TTL: one RRset. Differing
                # TTLs get their own RRset so each record keeps its TTL.
                if (existing.name == rr.name and existing.rdtype == rr.rdtype and
                        existing.rdclass == rr.rdclass and
                        existing.covers == covers and existing.ttl == rr.ttl):
                    rrset = existing
                    break
            if rrset is None:
                rrset = dns.rrset.RRset(rr.name, rr.rdclass, rr.rdtype, covers)
                target.append(rrset)
            rrset.add(rr.rdata, rr.ttl)
    if query.edns >= 0:
        # FORMAT.md: the query's EDNS version and flags (DO included);
        # a DO on the entry's REPLY line does not add one.
        msg.use_edns(query.edns, query.ednsflags & 0xFFFF, ENTRY_PAYLOAD)
    msg.set_rcode(entry.rcode)
    return msg.to_wire(max_size=65535)


def _covers_rd(rr):
    if rr.rdtype == dns.rdatatype.RRSIG:
        return rr.rdata.covers()
    return dns.rdatatype.NONE
