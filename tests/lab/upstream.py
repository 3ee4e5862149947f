#!/usr/bin/python3
"""resolverd upstream lab: server selection, dead servers, serve-stale,
prefetch and a local root copy, against NSD servers behind delay relays.

Do not run this file directly: `tests/lab/run.sh --upstream` puts it in a
private network namespace (only the loopback interface exists) first. See
tests/lab/README.md, "The upstream lab".

Options:
  --keep      keep the temporary directory (configs, logs) afterwards
  --shell     set everything up, then open a shell inside the namespace
              (relay control: $RELAY_CTL, see relay.py)
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import dns.rcode
import dns.rdatatype

import lab
from lab import R, find_resolverd, tail, Lab, Stop, arm_stop
from uplab import (ROOT_FRONTS, WILD_A, PF_NAME, PF_TTL, STALE_TTL, STALE_NAMES,
                   root_fronts, rand_label, nx_tlds, received, moved,
                   names_moved, query, POOL, steady, lat_summary, UpLab,
                   check_relay, HERE, RESOLVER_V4, PORT, RUN_TIMEOUT, STALE_REPLY_TTL,
                   STALE_CLIENT_TIMEOUT_MS, FEATURE_CONF)

T = dns.rdatatype


def root_names(v6):
    return [f.name for f in root_fronts(v6)]


WARMUP = 200


def phase_a(L):
    """Root choice: after a warm-up, the two fastest root servers (a: 1 ms,
    b: 5 ms, all their fronts) get >= 90% of root queries."""
    rl = L.relay
    names = root_names(L.v6)
    gen = nx_tlds()
    s0 = rl.stats()
    # Long enough for a resolver that finds faster servers only through
    # its ~5% exploration (about one choice in 140 tries a given one of the
    # 7 fronts) to have found a or b with near certainty.
    warm = steady(gen, 100, count=WARMUP)
    s1 = rl.stats()
    main = steady(gen, 100, count=300)
    s2 = rl.stats()
    d = moved(s1, s2, names)
    total = sum(d.values())
    fast = sum(v for k, v in d.items() if k[0] in "ab")
    share = fast / total if total else 0.0
    R.info("phase a: warm-up %d questions at 100/s: root queries %s" % (
        WARMUP, moved(s0, s1, names)))
    R.info("phase a: 300 questions: root queries per front %s (total %d), "
           "share on a+b %.1f%%" % (d, total, 100 * share))
    R.info("phase a: " + lat_summary(warm + main))
    bad = [x.describe() for x in warm + main if x.rcode != dns.rcode.NXDOMAIN]
    R.ok(not bad, "phase a: all %d nonexistent-TLD questions answered NXDOMAIN"
         % (WARMUP + 300),
         bad[:5] + (["... %d in all" % len(bad)] if len(bad) > 5 else []))
    R.ok(total >= 250 and share >= 0.90,
         "phase a: >= 90%% of root queries go to the two fastest root servers "
         "(a 1 ms, b 5 ms): %.1f%% of %d (at least 250 root queries expected "
         "for 300 new TLDs)" % (100 * share, total))
    return moved(s0, s2, names), d


def phase_b(L, last):
    """Shift: the preferred root front (the one with most of phase a's
    root queries: a4, 1 ms, when all is well) becomes slow (200 ms);
    within 10 s most root traffic (> 50% over a 1 s window) goes elsewhere."""
    rl = L.relay
    names = root_names(L.v6)
    top = max(names, key=lambda k: last.get(k, 0))
    delay0 = [f.delay_ms for f in ROOT_FRONTS if f.name == top][0]
    # Before: one second at the same rate with it still fast.
    p0 = rl.stats()
    steady(nx_tlds(), 50, count=50)
    p1 = rl.stats()
    pre = moved(p0, p1, names)
    pre_share = pre[top] / float(sum(pre.values()) or 1)
    R.info("phase b: before the shift (1 s at 50/s): root queries %s, %s %.0f%%"
           % (pre, top, 100 * pre_share))
    rl.set(top, delay_ms=200)
    t0 = time.monotonic()
    snaps = [rl.stats()]
    windows = []
    found = [None]

    def tick(now):
        k = len(snaps)
        if now < t0 + k:
            return
        snaps.append(rl.stats())
        d = moved(snaps[-2], snaps[-1], names)
        total = sum(d.values())
        other = total - d[top]
        windows.append((k, d[top], total))
        if found[0] is None and total > 0 and other > total / 2:
            found[0] = k

    def stop():
        n = len(snaps) - 1
        return n >= 12 or (found[0] is not None and n >= found[0] + 2)

    answers = steady(nx_tlds(), 50, duration=14, tick=tick, stop=stop)
    rl.set(top, delay_ms=delay0)
    R.info("phase b: %s delay %d -> 200 ms; per 1 s window: %s queries / all root "
           "queries: %s" % (top, delay0, top, ", ".join("%ds %d/%d" % w for w in windows)))
    R.info("phase b: %d questions at 50/s, %d timeouts, %s" % (
        len(answers), sum(1 for a in answers if a.msg is None), lat_summary(answers)))
    R.info("phase b: root queries per front over the phase %s" % moved(snaps[0], snaps[-1], names))
    if found[0] is not None:
        R.info("phase b: most root traffic off %s after %d s" % (top, found[0]))
    R.ok(pre_share > 0.5 and found[0] is not None and found[0] <= 10,
         "phase b: the preferred root front (%s, %d ms) has > 50%% of root queries "
         "before it turns slow (%.0f%%), and within 10 s after it does > 50%% of root "
         "queries in a 1 s window go to other fronts (%s)" % (
             top, delay0, 100 * pre_share, "after %d s" % found[0] if found[0] is not None
             else "not within %d s" % len(windows)))
    return moved(p0, snaps[-1], names)


def phase_c(L):
    """One dead server of two: at most 3 slow (> 500 ms) or unanswered of
    100 questions, all NOERROR; the dead server gets at most 10 queries."""
    rl = L.relay
    # Warm-up with both alive: the resolver learns both servers; ns2 (1 ms)
    # is the faster, so the one it should come to prefer is made dead.
    # Questions at 50/s until, over half a second, ns2 gets most of them
    # (at most 10 s: a resolver exploring ~5% of its choices tries ns2
    # within that with near certainty, and then should prefer it).
    s0 = rl.stats()
    t0 = time.monotonic()
    snaps = [s0]
    pref = [None]

    def tick(now):
        if now < t0 + 0.5 * len(snaps):
            return
        snaps.append(rl.stats())
        w1 = received(snaps[-1], "half1") - received(snaps[-2], "half1")
        w2 = received(snaps[-1], "half2") - received(snaps[-2], "half2")
        if pref[0] is None and w2 >= 10 and w2 > w1:
            pref[0] = now - t0

    warm = steady(("w%d-%s.half.up." % (i, rand_label(6)) for i in range(10 ** 6)),
                  50, duration=10, tick=tick, stop=lambda: pref[0] is not None)
    s1 = rl.stats()
    w2 = received(s1, "half2") - received(s0, "half2")
    R.info("phase c: warm-up, %d questions at 50/s (both alive): half1 %d, half2 %d "
           "queries; %s" % (len(warm), received(s1, "half1") - received(s0, "half1"),
                            w2, lat_summary(warm)))
    R.ok(pref[0] is not None, "phase c: warm-up: the resolver comes to prefer "
         "ns2.half.up (1 ms; ns1 10 ms), the server then made dead: > half of the "
         "queries in a 0.5 s window within 10 s (%s)" % (
             "after %.1f s" % pref[0] if pref[0] is not None else "not: %d queries to "
             "it; the dead-server checks below then prove little" % w2))
    rl.set("half2", dead=True)
    qnames = ["c%d-%s.half.up." % (i, rand_label(6)) for i in range(100)]
    ans = steady(qnames, 20, count=100)
    s2 = rl.stats()
    slow = [a for a in ans if a.latency is None or a.latency > 0.5]
    wrong = [a for a in ans if a.msg is not None and not (
        a.rcode == dns.rcode.NOERROR and a.a_rrset() is not None and
        [r.address for r in a.a_rrset()] == [WILD_A])]
    dead_q = received(s2, "half2") - received(s1, "half2")
    good_q = received(s2, "half1") - received(s1, "half1")
    R.info("phase c: 100 questions at 20/s with ns2.half.up dead: %d slower than "
           "500 ms, %d timeouts; dead front got %d queries, live front %d; %s" % (
               len(slow), sum(1 for a in ans if a.msg is None), dead_q, good_q,
               lat_summary(ans)))
    R.ok(len(slow) <= 3, "phase c: at most 3 of 100 answers slower than 500 ms or "
         "unanswered (%d)" % len(slow), [a.describe() for a in slow[:10]])
    R.ok(not wrong and all(a.msg is not None for a in ans),
         "phase c: all 100 answered NOERROR with the wildcard A (%d wrong, %d unanswered)"
         % (len(wrong), sum(1 for a in ans if a.msg is None)),
         [a.describe() for a in wrong[:5]])
    R.ok(dead_q <= 10, "phase c: the dead server is held down: at most 10 queries "
         "reach it during the 100 questions (%d)" % dead_q)
    rl.set("half2", dead=False)


def phase_d(L):
    """All servers of stale.up dead: stale answers (TTL 30, EDE 3) at
    10/s for 30 s with few upstream queries; fresh again after revival."""
    rl = L.relay
    first = [query(n) for n in STALE_NAMES]
    bad = [a.describe() for a in first if not (
        a.rcode == dns.rcode.NOERROR and a.ttl() is not None and 1 <= a.ttl() <= STALE_TTL)]
    R.ok(not bad, "phase d: the 20 stale.up names resolve while the servers work "
         "(NOERROR, TTL <= %d)" % STALE_TTL, bad[:5])
    rl.set(["stale1", "stale2"], dead=True)
    time.sleep(STALE_TTL + 1.5)          # every cached answer has expired
    cyc = (STALE_NAMES[i % len(STALE_NAMES)] for i in range(10 ** 6))
    s0, n0 = rl.stats(), rl.names()
    ans = steady(cyc, 10, duration=30)
    s1, n1 = rl.stats(), rl.names()
    dead_q = sum(moved(s0, s1, ["stale1", "stale2"]).values())
    parent_q = sum(names_moved(n0, n1, f, lambda k: k.split("/")[0].endswith("stale.up."))
                   for f in ("tld1", "tld2"))
    stale = [a for a in ans if a.stale()]
    nonstale = [a for a in ans if not a.stale()]
    late = [a for a in ans if a.latency is None or
            a.latency > STALE_CLIENT_TIMEOUT_MS / 1000.0 + 0.7]
    ratio = (dead_q + parent_q) / float(len(ans)) if ans else 1.0
    R.info("phase d: %d questions in 30 s with every stale.up server dead: %d stale "
           "(TTL %d + EDE 3), %d not, %d timeouts; %s" % (
               len(ans), len(stale), STALE_REPLY_TTL, len(nonstale),
               sum(1 for a in ans if a.msg is None), lat_summary(ans)))
    R.info("phase d: stale answers: %s" % lat_summary(stale))
    R.info("phase d: upstream queries: dead fronts %d, parent (up.) about stale.up %d; "
           "%.3f per client question" % (dead_q, parent_q, ratio))
    R.ok(ans and not nonstale, "phase d: every answer while all servers are dead is "
         "stale: NOERROR, TTL %d, EDE 3 (%d of %d not)" % (
             STALE_REPLY_TTL, len(nonstale), len(ans)),
         [a.describe() for a in nonstale[:8]])
    R.ok(not late, "phase d: no answer later than serve-expired-client-timeout "
         "1.8 s + 0.7 s (%d later or unanswered)" % len(late),
         [a.describe() for a in late[:8]])
    R.ok(ratio < 0.2, "phase d: upstream queries to the dead servers and the parent "
         "per client question < 0.2 (%d + %d for %d questions: %.3f)" % (
             dead_q, parent_q, len(ans), ratio))
    # Revival: fresh answers within 40 s, then 5 s with no stale answer.
    rl.set(["stale1", "stale2"], dead=False)
    t_alive = time.monotonic()
    state = {"since": None}
    rec, pending = [], []

    def fresh(a):
        return (a.rcode == dns.rcode.NOERROR and a.ttl() is not None and
                1 <= a.ttl() <= STALE_TTL and 3 not in a.ede_codes())

    def settle(wait=False):
        while pending and (wait or pending[0].done()):
            a = pending.pop(0).result()
            rec.append(a)
            if not fresh(a):
                state["since"] = None
            elif state["since"] is None:
                state["since"] = a.sent

    def confirmed():
        s = state["since"]
        return s is not None and rec[-1].sent - s >= 5.0

    i = 0
    while time.monotonic() - t_alive < 45 and not confirmed():
        when = t_alive + i / 10.0
        while time.monotonic() < when:
            settle()
            time.sleep(0.01)
        pending.append(POOL.submit(query, STALE_NAMES[i % len(STALE_NAMES)]))
        i += 1
        settle()
    settle(wait=True)
    rec_stale = sum(1 for a in rec if a.stale())
    other = [a for a in rec if not a.stale() and not fresh(a)]
    s = state["since"]
    ok = confirmed()
    back = (s - t_alive) if s is not None else None
    R.info("phase d: after revival: %d questions, %d stale, %d neither stale nor fresh; "
           "fresh from %s s on" % (len(rec), rec_stale, len(other),
                                  "%.1f" % back if back is not None else "-"))
    R.ok(ok and back <= 40.0,
         "phase d: after the servers come back, answers are fresh (TTL <= %d, no EDE 3) "
         "within 40 s and stay fresh for 5 s (%s)" % (
             STALE_TTL, "from %.1f s on" % back if ok else "not within 45 s"),
         [a.describe() for a in (other or [a for a in rec if not fresh(a)])[-5:]])


def phase_e_measure(L, result):
    """Prefetch: www.pf.up (TTL 10, server 300 ms away) asked once a
    second for 25 s."""
    rl = L.relay
    n0 = rl.names()
    ans = []
    # Ask at the middle of wall-clock seconds: resolverd counts TTLs in
    # whole seconds of time(), so each second of the TTL gets exactly one
    # question (one near a second's edge could skip the last second, the
    # one that triggers the prefetch, or land two in it).
    frac = time.time() % 1.0
    start = time.monotonic() + (0.5 - frac) % 1.0
    for i in range(25):
        when = start + i
        while time.monotonic() < when:
            time.sleep(max(0.0, min(0.05, when - time.monotonic())))
        ans.append(query(PF_NAME))
    time.sleep(0.5)
    n1 = rl.names()
    result["answers"] = ans
    result["upstream"] = names_moved(n0, n1, "pf", lambda k: k == PF_NAME + "/A")
    result["all_pf"] = names_moved(n0, n1, "pf", lambda k: True)


def phase_e_report(result):
    ans = result.get("answers")
    if not ans:
        R.ok(False, "phase e: ran", [result.get("error", "no result")])
        return
    lat = ["%.0f" % (a.latency * 1000) if a.latency is not None else "timeout" for a in ans]
    ttls = [a.ttl() for a in ans]
    R.info("phase e: %s asked once a second for 25 s, server 300 ms away: latencies "
           "ms %s" % (PF_NAME, " ".join(lat)))
    R.info("phase e: TTLs %s" % " ".join(str(t) for t in ttls))
    R.info("phase e: queries for %s A at its server: %d (%d refreshes after the first "
           "fetch); all queries at that server %d" % (
               PF_NAME, result["upstream"], result["upstream"] - 1, result["all_pf"]))
    slow = [a for a in ans[1:] if a.latency is None or a.latency >= 0.150]
    R.ok(ans[0].msg is not None and not slow,
         "phase e: every answer after the first takes < 150 ms (%d not)" % len(slow),
         [a.describe() for a in slow[:8]])
    badttl = [a for a in ans if a.msg is None or a.rcode != dns.rcode.NOERROR or
              a.ttl() is None or not 1 <= a.ttl() <= PF_TTL or 3 in a.ede_codes()]
    R.ok(not badttl, "phase e: every answer NOERROR with TTL 1..%d, never 0, never "
         "stale (%d not)" % (PF_TTL, len(badttl)), [a.describe() for a in badttl[:8]])
    R.ok(result["upstream"] - 1 >= 2, "phase e: the server saw >= 2 refresh queries "
         "for %s A (%d)" % (PF_NAME, result["upstream"] - 1))


def phase_f(L, can_local_root):
    """Local root (RFC 8806): with root-zone-file no query reaches a root
    server; answers stay right. resolverd -t rejects a stale file."""
    rl = L.relay
    rootfile = L.zonefile(".")
    os.utime(rootfile, None)              # mtime now
    names = root_names(L.v6)
    # A copy whose mtime + SOA expire (a week) is in the past.
    stalefile = os.path.join(L.tmp, "root-stale.zone")
    shutil.copy(rootfile, stalefile)
    old = time.time() - 604800 - 86400
    os.utime(stalefile, (old, old))
    r = L.check_conf(L.conf_extra + ["root-zone-file: %s" % stalefile])
    R.ok(r.returncode != 0 and stalefile in r.stdout,
         "phase f: resolverd -t rejects a root-zone-file older than its SOA expire, "
         "naming the file (exit %d)" % r.returncode, r.stdout.splitlines()[:5])

    if not can_local_root:
        R.ok(False, "phase f: local root: not run (resolverd -t rejects root-zone-file)")
        return
    L.stop_resolver()
    # From here on no query may reach a root server: the new resolverd
    # starts with an empty cache and the root zone from the file.
    s0 = rl.stats()
    nsd0 = L.nsd_queries("uproot")
    if not L.restart_resolver(L.conf_extra + ["root-zone-file: %s" % rootfile]):
        return
    qnames = []
    for i in range(1000):
        if i % 2:
            qnames.append(("f%d-%s.half.up." % (i, rand_label(6)), True))
        else:
            qnames.append(("f%d%s." % (i, rand_label(8)), False))
    random.shuffle(qnames)
    kind = dict(qnames)
    ans = steady((q for q, _ in qnames), 200, count=len(qnames))
    # An existing name of each lab zone, too.
    extra = [query(n) for n in ("www.half.up.", PF_NAME, STALE_NAMES[0])]
    s1 = rl.stats()
    nsd1 = L.nsd_queries("uproot")
    d = moved(s0, s1, names)
    wrong = []
    for a in ans:
        if kind[a.qname]:
            good = (a.rcode == dns.rcode.NOERROR and a.a_rrset() is not None and
                    [x.address for x in a.a_rrset()] == [WILD_A])
        else:
            good = a.rcode == dns.rcode.NXDOMAIN
        if not good:
            wrong.append(a)
    wrong += [a for a in extra if a.rcode != dns.rcode.NOERROR or a.a_rrset() is None]
    R.info("phase f: 1000 questions (500 under half.up, 500 nonexistent TLDs) and 3 "
           "lab names with root-zone-file: root fronts got %s, root NSD %d; %d wrong, "
           "%d unanswered; %s" % (d, nsd1 - nsd0, len(wrong),
                                  sum(1 for a in ans if a.msg is None), lat_summary(ans)))
    R.ok(sum(d.values()) == 0 and nsd1 == nsd0,
         "phase f: with root-zone-file no query reaches a root server (fronts %d, "
         "root NSD %d, from resolverd's start on)" % (sum(d.values()), nsd1 - nsd0))
    R.ok(not wrong, "phase f: answers stay right: NOERROR with the A for names under "
         "half.up, NXDOMAIN for nonexistent TLDs (%d wrong)" % len(wrong),
         [a.describe() for a in wrong[:8]])


# ------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--shell", action="store_true")
    args = ap.parse_args()
    args.direct = False

    if os.environ.get("RESOLVERD_LAB_NETNS") != "1":
        sys.stderr.write("upstream lab: run tests/lab/run.sh --upstream, not upstream.py\n")
        return 99

    arm_stop(RUN_TIMEOUT)

    started = time.time()
    find_resolverd()
    Lab.check_namespace()
    tmp = tempfile.mkdtemp(prefix="resolverd-upstream.")
    L = UpLab(tmp)
    try:
        L.setup_addresses()
        L.write_zones()
        L.start_nsds()
        L.start_relay()
        R.info("upstream lab up in %s (IPv6 %s) after %.1f s" % (
            tmp, "yes" if L.v6 else "no", time.time() - started))
        check_relay(L)

        r = L.check_conf(FEATURE_CONF)
        if R.ok(r.returncode == 0, "resolverd -t accepts %s" % "; ".join(FEATURE_CONF),
                r.stdout.splitlines()[:5]):
            feature = list(FEATURE_CONF)
        else:
            feature = []
            R.info("running on without those lines (their defaults apply)")
        r = L.check_conf(feature + ["root-zone-file: %s" % L.zonefile(".")])
        can_local_root = R.ok(r.returncode == 0,
                              "phase f: resolverd -t accepts root-zone-file: (written "
                              "now, SOA expire a week)", r.stdout.splitlines()[:5])

        L.conf_extra = feature
        if not R.ok(L.start_resolver("resolverd"), "resolverd starts and listens "
                    "on port %d" % PORT, L.resolver_log()):
            raise RuntimeError("resolverd did not start")
        if args.shell:
            R.info("upstream lab shell: dig @%s -p %d ...; relay control: "
                   "%s %s ctl $RELAY_CTL '{\"cmd\": \"stats\"}'; exit to tear down"
                   % (RESOLVER_V4, PORT, sys.executable, os.path.join(HERE, "relay.py")))
            env = dict(os.environ, PS1="[upstream] \\w# ", LAB_TMP=tmp,
                       RELAY_CTL=os.path.join(tmp, "relay.ctl"))
            signal.alarm(0)
            subprocess.call(["bash", "--norc", "-i"], env=env)
        else:
            t = time.time()
            da, last = phase_a(L)
            R.info("phase a took %.1f s" % (time.time() - t))
            t = time.time()
            db = phase_b(L, last)
            R.info("phase b took %.1f s" % (time.time() - t))
            if L.v6:
                v6q = sum(da[f.name] + db[f.name] for f in ROOT_FRONTS if f.v6)
                v4q = sum(da[f.name] + db[f.name] for f in ROOT_FRONTS if not f.v6)
                R.ok(v6q > 0 and v4q > 0, "phases a+b: root server choice covers both "
                     "families (IPv4 fronts %d, IPv6 fronts b6+d6 %d queries)" % (v4q, v6q))
            else:
                R.skip("root server choice covers both families", "no IPv6")
            t = time.time()
            phase_c(L)
            R.info("phase c took %.1f s" % (time.time() - t))
            # d and e use different zones: e runs alongside d.
            t = time.time()
            eres = {}

            def run_e():
                try:
                    phase_e_measure(L, eres)
                except Exception as ex:     # noqa: BLE001 reported below
                    eres["error"] = repr(ex)
            th = threading.Thread(target=run_e, daemon=True)
            th.start()
            phase_d(L)
            th.join()
            phase_e_report(eres)
            R.info("phases d and e took %.1f s" % (time.time() - t))
            t = time.time()
            phase_f(L, can_local_root)
            R.info("phase f took %.1f s" % (time.time() - t))
            st = L.relay.stats()
            R.info("relay counters at the end: " + ", ".join(
                "%s udp %d tcp %d answered %d dropped %d" % (
                    k, v["udp"], v["tcp"], v["answered"], v["dropped"])
                for k, v in st.items()))
            R.ok(L.relay_proc.poll() is None, "relay still running at the end",
                 tail(L.relay_log))
        if L.resolver is not None:
            if L.resolver.poll() is not None:
                R.ok(False, "resolverd still running at the end",
                     ["exit status %s" % L.resolver.returncode] + L.resolver_log())
            else:
                R.ok(True, "resolverd still running at the end")
    except Stop as ex:
        R.ok(False, "upstream lab finished in time (%d s)" % RUN_TIMEOUT,
             ["stopped by %s" % ex])
    except Exception:   # a broken lab is a failure, not a skip
        import traceback
        R.ok(False, "upstream lab ran to the end", traceback.format_exc().splitlines())
    finally:
        signal.alarm(0)
        L.alive_at_end = (getattr(L, "resolver", None) is not None and
                          L.resolver.poll() is None)
        L.stop()
    return lab.finish(L, args, started)


if __name__ == "__main__":
    sys.exit(main())
