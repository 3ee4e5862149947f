#!/usr/bin/python3
"""selftest.py -- the runner's own strictness, without a resolver: the
comparisons and the choice of server entry that FORMAT.md prescribes. A
resolver that passes every scenario cannot show that the runner still
fails what it must; these checks can. Exit 0, 1 on a failure, 77 without
dnspython."""

import os
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import dns.message
    import dns.rrset
except ImportError:
    print("SKIP: no dnspython (Debian: python3-dnspython)")
    sys.exit(77)
import rpl     # noqa: E402
import worker  # noqa: E402

SCENARIO = """
stub-addr: 192.0.2.1
CONFIG_END
SCENARIO_BEGIN runner self-test
RANGE_BEGIN 0 10
	ADDRESS 192.0.2.1
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
a.example. IN A
SECTION ANSWER
a.example. IN A 192.0.2.10
ENTRY_END
RANGE_END
RANGE_BEGIN 0 10
	ADDRESS 192.0.2.1
ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
b.example. IN A
SECTION ANSWER
b.example. IN A 192.0.2.11
ENTRY_END
RANGE_END
RANGE_BEGIN 20 30
	ADDRESS 192.0.2.1
ENTRY_BEGIN
MATCH opcode qtype qname
REPLY QR AA NOERROR
SECTION QUESTION
c.example. IN A
ENTRY_END
RANGE_END
STEP 1 QUERY
ENTRY_BEGIN
REPLY RD DO
SECTION QUESTION
a.x.x. IN A
ENTRY_END
STEP 2 CHECK_ANSWER
ENTRY_BEGIN
MATCH all
REPLY QR RD RA NOERROR
SECTION QUESTION
a.x.x. IN A
SECTION ANSWER
x. DNAME .
a.x.x. CNAME a.x.
a.x. CNAME a.
a. A 192.0.2.1
ENTRY_END
STEP 15 REPLY
ENTRY_BEGIN
MATCH opcode qtype qname
REPLY QR AA NOERROR
SECTION QUESTION
d.example. IN A
ENTRY_END
SCENARIO_END
"""

failures = 0


def check(cond, what):
    global failures
    print("%s - %s" % ("ok" if cond else "not ok", what))
    if not cond:
        failures += 1


def answer(*rrs, flags="QR RD RA"):
    """An answer as resolverd's would arrive: on the wire, record by
    record (a record given twice is sent twice), parsed as worker.py
    parses answers."""
    m = dns.message.from_text("id 1\nflags %s\n;QUESTION\na.x.x. IN A\n" % flags)
    for text in rrs:
        name, ttl, rdclass, rdtype, rdata = text.split(None, 4)
        m.answer.append(dns.rrset.from_text(name, int(ttl), rdclass, rdtype, rdata))
    return dns.message.from_wire(m.to_wire(), one_rr_per_rrset=True)


def main():
    with tempfile.NamedTemporaryFile("w", suffix=".rpl", delete=False) as f:
        f.write(SCENARIO)
    try:
        sc = rpl.parse(f.name)
    finally:
        os.unlink(f.name)
    want = [s for s in sc.steps if s.kind == "CHECK_ANSWER"][0].entry
    good = ["x. 3600 IN DNAME .", "a.x.x. 3600 IN CNAME a.x.", "a.x. 3600 IN CNAME a.",
            "a. 3600 IN A 192.0.2.1"]
    check(rpl.check_answer(want, answer(*good)) == [], "the expected answer matches")
    check(rpl.check_answer(want, answer(*reversed(good))) == [], "order does not matter")
    twice = answer(good[0], good[1], good[0], good[2], good[3])
    check(len(twice.answer) == 5, "a repeated record survives parsing")
    check(rpl.check_answer(want, twice) != [], "a repeated record is a difference")
    check(rpl.check_answer(want, answer(*good[:3])) != [], "a missing record is a difference")
    check(rpl.check_answer(want, answer(*good, flags="QR RD RA AD")) != [],
          "a flag is compared")

    servers = worker.FakeServers(sc, lambda text: None)
    servers.set_step(1)
    q = dns.message.make_query("a.example.", "A")
    found = servers.select(q, "192.0.2.1")
    check(found is not None and found[0] == "range", "the first RANGE answers")
    q = dns.message.make_query("b.example.", "A")
    found = servers.select(q, "192.0.2.1")
    check(found is not None and found[0] == "none",
          "a later RANGE for the same address is not tried (FORMAT.md)")
    servers.set_step(15)
    q = dns.message.make_query("d.example.", "A")
    found = servers.select(q, "192.0.2.1")
    check(found is not None and found[0] == "reply", "STEP REPLY when no RANGE is active")
    servers.set_step(20)
    found = servers.select(q, "192.0.2.1")
    check(found is not None and found[0] == "none", "no STEP REPLY while a RANGE is active")
    e = sc.ranges[0].entries[0]
    e.match.add("edns")
    q = dns.message.make_query("a.example.", "A", use_edns=0, payload=1232)
    check(not rpl.query_matches(e, q), "MATCH edns compares the payload size")
    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
