"""The chaos lab's cases (tests/chaos/README.md): each takes the lab and
the profile, prints its figures (# lines) and checks them."""
import resource
import threading
import time

import dns.rcode

from lab import R
from uplab import steady, lat_summary, rand_label, RESOLVER_V4, PORT
import attack
from chaos import (Sampler, tcp_query, udp_query, a_addrs, perf, random_names,
                   warm_cached, VICTIM, VICTIM_DELAY_MS, SPOOF_RATE, SPOOF_TRUE_A,
                   VICTIM_QPS, SLOW_DELAY_MS, SETTLE_S,
                   CACHED_NAMES, FIXED_OVERHEAD_MB, INFRA_MAX_OUTSTANDING)

# --------------------------------------------------------------- spoofing


def case_spoof(L, prof):
    """Forged answers (random ID and port, the right question, a wrong
    address) flood the resolver while it waits for the victim server:
    none is ever answered or cached."""
    # The delegation first, so that every later question goes straight
    # to the victim server.
    first = tcp_query("warm-%s.spoof.chaos." % rand_label(6))
    R.info("spoof: warm-up %s" % first.describe())
    # The control: an on-path forger (right ID and port) gets through,
    # so the lab's forged packets can be taken and a taken one is seen.
    ctl = "ctl-%s.spoof.chaos." % rand_label(6)
    got = {}
    th = threading.Thread(target=lambda: got.update(
        addr=attack.on_path_forge(VICTIM, ctl)), daemon=True)
    th.start()
    time.sleep(0.2)
    ctl_ans = udp_query(ctl)
    th.join()
    R.info("spoof: control, on-path forger sent %s; resolverd answered %s" % (
        got.get("addr"), ctl_ans.describe()))
    R.ok(got.get("addr") is not None and got["addr"] in a_addrs(ctl_ans),
         "spoof: control: an answer forged with the query's own ID and port is taken "
         "(the lab's forged packets reach resolverd, and the check sees them)")

    count = prof["forged"]
    # Enough names for the flood (about 50,000 forged answers a second
    # here) and then some.
    n = SPOOF_RATE * (count // 20000 + 10)
    window = (VICTIM_DELAY_MS + 100) / 1000.0
    names = ["s%d-%s.spoof.chaos." % (i, rand_label(6)) for i in range(n)]
    snmp0 = attack.udp_counters()
    st0 = L.relay.stats()["victim"]
    t0 = time.monotonic() + 0.3
    deadline = t0 + n / SPOOF_RATE
    proc, q = attack.start_forger(VICTIM, VICTIM, names, t0, SPOOF_RATE, window, count,
                                   deadline)
    while time.monotonic() < t0:
        time.sleep(0.005)
    answers = steady(names, SPOOF_RATE, stop=lambda: not proc.is_alive(), ask=udp_query)
    proc.join(30)
    sent, errors, secs = q.get(timeout=5) if not q.empty() else (0, 0, 1.0)
    snmp1 = attack.udp_counters()
    st1 = L.relay.stats()["victim"]
    # Everything asked, again, from the cache.
    again = steady([a.qname for a in answers], 1000, ask=udp_query)
    allans = answers + again
    poisoned = [a for a in allans if any(attack.is_forged(x) for x in a_addrs(a))]
    true = [a for a in allans if a.rcode == dns.rcode.NOERROR and a_addrs(a) == [SPOOF_TRUE_A]]
    failed = [a for a in allans if a.rcode == dns.rcode.SERVFAIL]
    wrong = [a for a in allans if a not in true and a not in failed]
    noports = snmp1["NoPorts"] - snmp0["NoPorts"]
    R.info("spoof: %d forged answers in %.1f s (%.0f a second, %d send errors) from %s:53 "
           "to random ports %d-%d with random IDs, for the names in flight" % (
               sent, secs, sent / max(secs, 0.001), errors, VICTIM, *attack.port_range()))
    R.info("spoof: %d questions at %d/s while it lasted (victim server %d ms away; it got "
           "%d queries); %s" % (len(answers), SPOOF_RATE, VICTIM_DELAY_MS,
                                st1["udp"] - st0["udp"], lat_summary(answers)))
    R.info("spoof: UDP datagrams to closed ports %d, so about %d forged answers reached an "
           "open socket of resolverd's (a guessed port), receive buffer overflows %d" % (
               noports, max(0, sent - noports), snmp1["RcvbufErrors"] - snmp0["RcvbufErrors"]))
    R.info("spoof: %d answers (first asking, then again from the cache): %d forged, %d "
           "with the true address %s, %d SERVFAIL (the victim server late: the lab's "
           "relay shares the CPU with the forger), %d other" % (
               len(allans), len(poisoned), len(true), SPOOF_TRUE_A, len(failed), len(wrong)))
    R.ok(sent >= count, "spoof: at least %d forged answers sent (%d)" % (count, sent))
    R.ok(not poisoned, "spoof: 0 poisoned: no forged record answered or cached (%d of %d "
         "answers)" % (len(poisoned), len(allans)),
         [a.describe() + " " + str(a_addrs(a)) for a in poisoned[:5]])
    R.ok(not wrong and len(true) >= 0.5 * len(allans),
         "spoof: the answers are the true ones or SERVFAIL, mostly true (%d true, %d "
         "SERVFAIL, %d other of %d)" % (len(true), len(failed), len(wrong), len(allans)),
         [a.describe() for a in wrong[:5]] +
         ["%s: no answer (%s)" % (a.qname, a.error) for a in wrong[:3] if a.msg is None])


# -------------------------------------------------------- water torture

def cached_rate(L, prof, seconds):
    """The 1,000 cached names at the profile's rate."""
    qps = prof["cached_qps"]
    return perf(L, CACHED_NAMES * (qps * seconds // 1000 + 2), qps, seconds, tag="cached")


def flood(L, prof, zone, qps, seconds, fronts, tag, settle=None):
    """qps random names under zone for seconds, with the cached names
    alongside; with settle, the relay's counters are reset
    that many seconds in. Returns (flood result, cached result, sampler)."""
    names = random_names(zone, int(qps * (seconds + 2)))
    fl = perf(L, names, qps, seconds, outstanding=20000, tag=tag)
    ca = cached_rate(L, prof, seconds)
    timer = threading.Timer(settle, lambda: L.relay.call(cmd="reset")) if settle else None
    with Sampler(L, relay=bool(fronts)) as smp:
        fl.start()
        ca.start()
        if timer:
            timer.start()
        fr, cr = fl.result(), ca.result()
    return fr, cr, smp


def case_torture(L, prof):
    """Random-subdomain floods: unique names under one zone at 5,000 a
    second for a minute into cache-size 32m (short profile: 2,000 for
    15 s into 4m), then under a slow and a dead zone; answers
    for 1,000 cached names keep their rate, memory stays bounded, the
    victims' servers get at most the per-server cap in flight."""
    warm_cached(L)
    base = cached_rate(L, prof, prof["base_s"]).start().result()
    rss0, _ = attack.memory_kib(L.pid())
    asan = attack.sanitized(L.pid())
    R.info("torture: baseline, cached names alone at %d/s for %d s: %s; RSS %.1f MB" % (
        prof["cached_qps"], prof["base_s"], base.summary(), rss0 / 1024.0))
    up0 = L.nsd_queries("cleaf")
    secs = prof["flood_s"]
    qps = prof["flood_qps"]
    fr, cr, smp = flood(L, prof, "flood.chaos.", qps, secs, None, "flood")
    up = L.nsd_queries("cleaf") - up0
    rss1, hwm = attack.memory_kib(L.pid())
    cache_mb = prof["cache_mb"]
    limit_mb = cache_mb + FIXED_OVERHEAD_MB
    R.info("torture: flood.chaos, %d random names/s for %d s: %s" % (qps, secs, fr.summary()))
    R.info("torture: flood per second (q/s): %s" % fr.per_second)
    R.info("torture: cached names at %d/s alongside: %s; per second %s" % (
        prof["cached_qps"], cr.summary(), cr.per_second))
    R.info("torture: upstream queries to flood.chaos's server: %d, %.2f per flood question"
           % (up, up / max(1, fr.sent)))
    R.info("torture: RSS before %.1f MB, highest sampled %.1f MB, at the end %.1f MB, "
           "VmHWM %.1f MB (cache-size %d MB + stated overhead %d MB = %d MB)%s" % (
               rss0 / 1024.0, smp.rss_max / 1024.0, rss1 / 1024.0, hwm / 1024.0,
               cache_mb, FIXED_OVERHEAD_MB, limit_mb,
               "; AddressSanitizer build" if asan else ""))
    keep = cr.qps / base.qps if base.qps else 0.0
    R.ok(base.ok() and cr.ok() and keep >= 0.9 and cr.completed >= 0.99 * cr.sent,
         "torture: the cached names keep >= 90%% of their rate during the flood "
         "(%.0f of %.0f q/s: %.0f%%, %d of %d answered)" % (
             cr.qps, base.qps, 100 * keep, cr.completed, cr.sent))
    R.ok(fr.ok() and fr.completed >= 0.95 * fr.sent,
         "torture: the flood's questions are answered too (%d of %d)" % (fr.completed, fr.sent))
    R.ok(up <= 1.1 * fr.sent + 50, "torture: at most one upstream query per flood question "
         "(%d for %d)" % (up, fr.sent))
    if asan:
        R.skip("torture: resident memory within cache-size + %d MB" % FIXED_OVERHEAD_MB,
               "AddressSanitizer build (shadow memory and quarantine); the release build "
               "checks it")
    else:
        R.ok(hwm <= limit_mb * 1024,
             "torture: resident memory stays within cache-size + %d MB = %d MB (VmHWM "
             "%.1f MB)" % (FIXED_OVERHEAD_MB, limit_mb, hwm / 1024.0))

    victim_slow(L, prof, base)
    victim_dead(L, prof, base)


def victim_slow(L, prof, base):
    """slow.chaos: one server 2 s away, asked for more names than the
    per-server cap lets be in flight: after SETTLE_S (resolverd has
    measured the server; the first queries time out and are answered
    late), the queries the relay holds for it never exceed the cap."""
    secs = prof["victim_s"]
    L.relay.call(cmd="reset")
    fr, cr, smp = flood(L, prof, "slow.chaos.", VICTIM_QPS, secs, ["slow"], "slow", settle=SETTLE_S)
    st = L.relay.stats()["slow"]
    keep = cr.qps / base.qps if base.qps else 0.0
    R.info("torture: slow.chaos (server %d ms away), %d random names/s for %d s: %s" % (
        SLOW_DELAY_MS, VICTIM_QPS, secs, fr.summary()))
    R.info("torture: slow.chaos: after %d s its server held at most %d queries in flight, "
           "got %d queries in the last %d s; cached names alongside %s" % (
               SETTLE_S, st["max_inflight"], st["udp"] + st["tcp"], secs - SETTLE_S,
               cr.summary()))
    R.ok(cr.ok() and keep >= 0.9 and cr.completed >= 0.99 * cr.sent,
         "torture: slow.chaos: the cached names keep >= 90%% of their rate (%.0f%%)"
         % (100 * keep))
    # The relay still counts a query resolverd gave up on (a reply later
    # than its timeout) until it sends that reply: 5% for those. Without
    # the cap, 1,500 would be in flight.
    R.ok(st["max_inflight"] <= INFRA_MAX_OUTSTANDING * 1.05,
         "torture: slow.chaos: queries in flight to its server within the per-server cap "
         "(%d, +5%% for late replies to queries already given up): %d at most" % (
             INFRA_MAX_OUTSTANDING, st["max_inflight"]))
    R.ok(fr.ok() and fr.nxdomain > 0, "torture: slow.chaos: answered, NXDOMAIN from the "
         "slow server or SERVFAIL beyond the cap (%d NXDOMAIN, %d SERVFAIL of %d)" % (
             fr.nxdomain, fr.servfail, fr.sent))


def victim_dead(L, prof, base):
    """dead.chaos: both servers silent. A query to a dead server is in
    flight until resolverd gives up on it (at most 4 s, INFRA_RTO_MAX):
    in no 4 s may more than the cap go to one."""
    secs = prof["victim_s"]
    fronts = ["dead1", "dead2"]
    for f in fronts:
        L.relay.set(f, dead=True)
    L.relay.call(cmd="reset")
    fr, cr, smp = flood(L, prof, "dead.chaos.", VICTIM_QPS, secs, fronts, "dead")
    st = L.relay.stats()
    got = sum(st[f]["udp"] + st[f]["tcp"] for f in fronts)
    win4 = smp.window_max(fronts, 4.0)
    keep = cr.qps / base.qps if base.qps else 0.0
    R.info("torture: dead.chaos (both servers silent), %d random names/s for %d s: %s" % (
        VICTIM_QPS, secs, fr.summary()))
    R.info("torture: dead.chaos: its servers got %d queries, at most %d within 4 s; cached "
           "names alongside %s" % (got, win4, cr.summary()))
    R.ok(cr.ok() and keep >= 0.9 and cr.completed >= 0.99 * cr.sent,
         "torture: dead.chaos: the cached names keep >= 90%% of their rate (%.0f%%)"
         % (100 * keep))
    R.ok(win4 <= INFRA_MAX_OUTSTANDING,
         "torture: dead.chaos: queries in flight to its servers within the per-server cap "
         "(%d): %d in any 4 s (to both)" % (INFRA_MAX_OUTSTANDING, win4))
    R.ok(fr.ok() and fr.servfail >= 0.95 * fr.sent,
         "torture: dead.chaos: every question answered SERVFAIL (%d of %d)" % (
             fr.servfail, fr.sent))
    for f in fronts:
        L.relay.set(f, dead=False)


# ---------------------------------------------------- slow and idle clients

# The stream transports to attack. DNS over TLS (issue 11) joins here:
# ("tls", its port, a client function like chaos.tcp_query over TLS).
STREAM_TRANSPORTS = [("tcp", PORT, tcp_query)]


def legit_tcp(ask, seconds, rate=20):
    return steady((CACHED_NAMES[i % 1000] for i in range(10 ** 6)), rate, duration=seconds,
                  ask=ask)


def case_slow(L, prof):
    """1,000 TCP connections that never send, or send a byte a second
    (500 each, back a second after being closed): UDP and other TCP
    clients keep being answered at full rate."""
    attack.raise_nofile(4096)
    secs = prof["slow_s"]
    warm_cached(L)
    for name, port, ask in STREAM_TRANSPORTS:
        base_udp = cached_rate(L, prof, prof["base_s"]).start()
        base_tcp = legit_tcp(ask, prof["base_s"])
        bu = base_udp.result()
        R.info("slow: baseline %s: UDP %s; %s clients (a connection each) %s" % (
            name, bu.summary(), name, lat_summary(base_tcp)))
        idle = attack.start_slow_clients(RESOLVER_V4, port, 500, "idle", secs + 3)
        drip = attack.start_slow_clients(RESOLVER_V4, port, 500, "drip", secs + 3)
        time.sleep(2)
        fd0 = attack.open_fds(L.pid())
        cpu0 = attack.cpu_seconds(L.pid())
        udp = cached_rate(L, prof, secs).start()
        tcp = legit_tcp(ask, secs)
        ur = udp.result()
        cpu = attack.cpu_seconds(L.pid()) - cpu0
        fd1 = attack.open_fds(L.pid())
        stats = []
        for p, q in (idle, drip):
            p.join(secs + 10)
            stats.append(q.get(timeout=5) if not q.empty() else {})
        bad = [a for a in tcp if a.msg is None or a.rcode != dns.rcode.NOERROR]
        R.info("slow: %s attackers: idle %s; one byte a second %s" % (name, stats[0], stats[1]))
        R.info("slow: during: resolverd holds %d-%d descriptors, used %.1f s CPU in %d s" % (
            fd0, fd1, cpu, secs))
        R.info("slow: during: UDP %s; %s clients %s, %d failed%s" % (
            ur.summary(), name, lat_summary(tcp), len(bad),
            " (%s)" % ", ".join(sorted({type(a.error).__name__ for a in bad})) if bad else ""))
        keep = ur.qps / bu.qps if bu.qps else 0.0
        R.ok(ur.ok() and keep >= 0.9 and ur.completed >= 0.99 * ur.sent,
             "slow: UDP keeps >= 90%% of its rate with 1,000 slow %s connections (%.0f%%, "
             "%d of %d answered)" % (name, 100 * keep, ur.completed, ur.sent))
        R.ok(len(bad) <= len(tcp) // 50,
             "slow: other %s clients keep being answered (%d of %d failed)" % (
                 name, len(bad), len(tcp)),
             ["%s (%s)" % (a.describe(), a.error) for a in bad[:5]])
        R.ok(all(s.get("max_open", 0) > 0 for s in stats),
             "slow: the attackers did connect (most open at once: %s)" % (
                 [s.get("max_open") for s in stats]))


# ------------------------------------------------- descriptor exhaustion

FD_LIMIT = 64


def case_fd(L, prof):
    """With `ulimit -n 64`, 300 idle TCP connections: resolverd says at
    start what the limit leaves for TCP and refuses (or, for idle ones,
    closes) what does not fit, keeps answering and resolving over UDP,
    does not crash or spin."""
    attack.raise_nofile(4096)
    secs = prof["fd_s"]
    L.resolver_preexec = lambda: resource.setrlimit(resource.RLIMIT_NOFILE,
                                                    (FD_LIMIT, FD_LIMIT))
    ok = L.restart_resolver(L.conf_extra)
    L.resolver_preexec = None
    if not ok:
        return
    warm_cached(L)
    fd0 = attack.open_fds(L.pid())
    # They hold what they get and do not come back: CPU use then is
    # resolverd's alone (reconnecting attackers are the slow case's).
    idle = attack.start_slow_clients(RESOLVER_V4, PORT, 300, "idle", secs + 6, reconnect=False)
    time.sleep(2)
    fd1 = attack.open_fds(L.pid())
    # Nothing but the idle connections: resolverd must sleep.
    cpu0 = attack.cpu_seconds(L.pid())
    time.sleep(3)
    idle_cpu = attack.cpu_seconds(L.pid()) - cpu0
    udp = cached_rate(L, prof, secs).start()
    tcp = []
    th = threading.Thread(target=lambda: tcp.extend(legit_tcp(tcp_query, secs, rate=10)),
                          daemon=True)
    th.start()
    fresh = steady(random_names("flood.chaos.", 40 * secs), 40, duration=secs)
    ur = udp.result()
    th.join()
    idle[0].join(secs + 10)
    st = idle[1].get(timeout=5) if not idle[1].empty() else {}
    with open(L.resolver_out, errors="replace") as fh:
        log = fh.read().splitlines()
    # At start-up, what the limit leaves for TCP; later, accept failing.
    refused = [l for l in log if ("open file limit" in l and "TCP" in l) or
               ("accept" in l and "open files" in l)]
    answered = [a for a in fresh if a.msg is not None]
    nx = [a for a in answered if a.rcode == dns.rcode.NXDOMAIN]
    R.info("fd: descriptor limit %d; resolverd held %d descriptors, %d with the attackers "
           "connected; attackers %s" % (FD_LIMIT, fd0, fd1, st))
    R.info("fd: CPU with only the idle connections: %.2f s in 3 s" % idle_cpu)
    R.info("fd: UDP, cached names: %s" % ur.summary())
    R.info("fd: UDP, new names (an upstream query each) at 40/s: %d asked, %d answered, "
           "%d NXDOMAIN; %s" % (len(fresh), len(answered), len(nx), lat_summary(fresh)))
    tcp_bad = [a for a in tcp if a.msg is None or a.rcode != dns.rcode.NOERROR]
    R.info("fd: TCP clients meanwhile (a connection each, 10/s): %d of %d answered; %s" % (
        len(tcp) - len(tcp_bad), len(tcp), lat_summary(tcp)))
    R.info("fd: log lines about refused connections: %d%s" % (
        len(refused), (", first: " + refused[0]) if refused else ""))
    R.ok(L.alive(), "fd: resolverd still runs")
    R.ok(bool(refused) and len(refused) <= 10 * (secs + 8),
         "fd: refused connections are logged, and the log is not flooded (%d lines)"
         % len(refused))
    R.ok(idle_cpu <= 0.3, "fd: no spinning: %.2f s CPU in 3 s with only idle connections"
         % idle_cpu)
    R.ok(ur.ok() and ur.completed >= 0.99 * ur.sent,
         "fd: UDP keeps being answered from the cache (%d of %d)" % (ur.completed, ur.sent))
    # Idle TCP clients must not take the descriptors resolution needs:
    # these names exist nowhere, so NXDOMAIN is the right answer and
    # SERVFAIL means no upstream socket could be had.
    R.ok(len(nx) >= 0.95 * len(fresh),
         "fd: UDP questions that need an upstream query are resolved (NXDOMAIN for %d of %d; "
         "%d answered at all)" % (len(nx), len(fresh), len(answered)))
    R.ok(len(tcp_bad) <= len(tcp) // 20,
         "fd: other TCP clients are answered meanwhile (%d of %d failed)" % (
             len(tcp_bad), len(tcp)), [a.describe() for a in tcp_bad[:5]])
    time.sleep(1)
    after = tcp_query(CACHED_NAMES[0])
    R.ok(after.msg is not None and after.rcode == dns.rcode.NOERROR,
         "fd: TCP works again once the connections are gone (%s)" % after.describe())


CASES = [("spoof", case_spoof), ("torture", case_torture), ("slow", case_slow), ("fd", case_fd)]
