#!/usr/bin/python3
"""xfail-dnssec.py -- print the xfail lines for scenarios that need DNSSEC
validation: every val_*, nsec*, black_* scenario, and any other scenario
with a trust-anchor whose checks expect the AD bit or a SERVFAIL (a bogus
answer). Paste the output into tests/replay/xfail; remove the lines when
the validator lands (issue 4).

usage: xfail-dnssec.py scenario.rpl...
"""
import os
import sys

import dns.flags
import dns.rcode

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rpl  # noqa: E402

REASON = "needs DNSSEC validation (issue 4)"


def needs_validation(sc):
    if sc.name.startswith(("val_", "nsec", "black_")):
        return True
    if not sc.config_values("trust-anchor"):
        return False
    for st in sc.steps:
        if st.kind != "CHECK_ANSWER":
            continue
        e = st.entry
        if "flags" in e.match and e.flags & dns.flags.AD:
            return True
        if "rcode" in e.match and e.rcode == dns.rcode.SERVFAIL:
            return True
    return False


def main():
    for path in sorted(sys.argv[1:], key=os.path.basename):
        sc = rpl.parse(path)
        if needs_validation(sc):
            print("%s %s" % (sc.name, REASON))


if __name__ == "__main__":
    main()
