"""worker.py -- play one scenario inside a private network namespace.

Started by replay.py under `unshare -n` (or `unshare -rn`): the only
interface is lo, so nothing sent here can leave the machine. The worker
puts every address the scenario names on lo, answers port 53 on each of
them from the scenario's entries, starts resolverd (with libfaketime so
TIME_PASSES can move its clock), plays the steps and writes a JSON result.
"""

import argparse
import collections
import ipaddress
import json
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conf  # noqa: E402
import rpl   # noqa: E402

FAKETIME_LIBS = [
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
    "/usr/lib/faketime/libfaketimeMT.so.1",
    "/usr/local/lib/faketime/libfaketimeMT.so.1",
]


def norm_addr(a):
    try:
        return str(ipaddress.ip_address(a))
    except ValueError:
        return a


def is_loopback(a):
    try:
        return ipaddress.ip_address(a).is_loopback
    except ValueError:
        return False


def qdesc(msg):
    """qname qtype flags of a query, for messages."""
    if msg.question:
        q = msg.question[0]
        qs = "%s %s" % (q.name, dns.rdatatype.to_text(q.rdtype))
    else:
        qs = "(no question)"
    flags = rpl.flags_text(msg.flags, msg.edns >= 0 and msg.ednsflags & dns.flags.DO)
    edns = "EDNS%d/%d" % (msg.edns, msg.payload) if msg.edns >= 0 else "no EDNS"
    return "%s  flags %s  %s" % (qs, flags, edns)


class Log:
    def __init__(self, path):
        self.f = open(path, "w", buffering=1)
        self.t0 = time.monotonic()
        self.lock = threading.Lock()

    def __call__(self, text):
        with self.lock:
            self.f.write("%8.3f %s\n" % (time.monotonic() - self.t0, text))


class FakeClock:
    """The resolver's clock: a libfaketime timestamp file ("@YYYY-MM-DD
    HH:MM:SS.ffffff"). libfaketime restarts its clock from the file's time
    whenever the content changes (FAKETIME_NO_CACHE=1 makes it look at every
    call) and lets it run at real speed from there, for the wall clock and
    the monotonic clock alike. To move time we write (current fake time +
    elapse): the resolver notices the change a little after we write, so its
    clock lags ours slightly and never goes back."""

    def __init__(self, path, start):
        self.path = path
        self.write(time.time() if start is None else start)

    def write(self, epoch):
        self.base = epoch
        self.real = time.monotonic()
        whole = int(epoch)
        stamp = time.strftime("@%Y-%m-%d %H:%M:%S", time.gmtime(whole))
        stamp += ".%06d" % int((epoch - whole) * 1e6)
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write(stamp + "\n")
        os.rename(tmp, self.path)

    def now(self):
        return self.base + (time.monotonic() - self.real)

    def advance(self, secs):
        self.write(self.now() + secs)


class FakeServers:
    """UDP and TCP port 53 on every scenario address, answering from the
    scenario's RANGEs (and REPLY steps)."""

    def __init__(self, sc, log):
        self.sc = sc
        self.log = log
        self.lock = threading.Lock()
        self.step = 0
        self.consumed = set()
        self.unmatched = []         # descriptions of queries nothing matched
        self.errors = []
        self.nqueries = 0
        self.listed = set()
        self.range_addrs = []
        for r in sc.ranges:
            s = set(norm_addr(a) for a in r.addresses)
            self.range_addrs.append(s)
            self.listed |= s
        self.sel = selectors.DefaultSelector()
        self.stopping = False
        self.thread = None
        self.socks = []

    def set_step(self, n):
        with self.lock:
            self.step = n

    def bind(self, addrs):
        for a in addrs:
            fam = socket.AF_INET6 if ":" in a else socket.AF_INET
            u = socket.socket(fam, socket.SOCK_DGRAM)
            u.bind((a, 53))
            u.setblocking(False)
            self.sel.register(u, selectors.EVENT_READ, ("udp", a, None))
            t = socket.socket(fam, socket.SOCK_STREAM)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            t.bind((a, 53))
            t.listen(64)
            t.setblocking(False)
            self.sel.register(t, selectors.EVENT_READ, ("tcpl", a, None))
            self.socks += [u, t]

    def start(self):
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopping = True
        if self.thread:
            self.thread.join(2)
        for s in self.socks:
            s.close()

    def loop(self):
        while not self.stopping:
            for key, _ in self.sel.select(0.1):
                kind, addr, buf = key.data
                sock = key.fileobj
                try:
                    if kind == "udp":
                        self.on_udp(sock, addr)
                    elif kind == "tcpl":
                        c, _ = sock.accept()
                        c.setblocking(False)
                        self.sel.register(c, selectors.EVENT_READ, ("tcp", addr, bytearray()))
                    else:
                        self.on_tcp(sock, addr, buf)
                except Exception as ex:      # keep serving; report it
                    self.errors.append("fake server error (%s %s): %r" % (kind, addr, ex))
                    self.log("ERROR %s %s: %r" % (kind, addr, ex))

    def on_udp(self, sock, addr):
        while True:
            try:
                data, src = sock.recvfrom(65535)
            except BlockingIOError:
                return
            out = self.handle(data, addr, src, "UDP")
            if out is not None:
                sock.sendto(out, src)

    def on_tcp(self, sock, addr, buf):
        try:
            data = sock.recv(65535)
        except BlockingIOError:
            return
        except ConnectionError:
            data = b""
        if not data:
            self.sel.unregister(sock)
            sock.close()
            return
        buf += data
        while len(buf) >= 2:
            n = struct.unpack("!H", buf[:2])[0]
            if len(buf) < 2 + n:
                break
            msg = bytes(buf[2:2 + n])
            del buf[:2 + n]
            out = self.handle(msg, addr, sock.getpeername(), "TCP")
            if out is not None:
                sock.setblocking(True)
                sock.sendall(struct.pack("!H", len(out)) + out)
                sock.setblocking(False)

    def select(self, query, dst):
        """(kind, where, entry) for a query, or None. kind: range, reply,
        drop (CHECK_OUT_QUERY: expected, not answered). As FORMAT.md says:
        the first active RANGE that lists dst (or lists no address; any
        RANGE when no RANGE lists dst) is chosen, and only its entries are
        tried; the one-shot STEP REPLY (and CHECK_OUT_QUERY) entries only
        when no RANGE is active for dst."""
        step = self.step
        any_range = dst not in self.listed
        for r, addrs in zip(self.sc.ranges, self.range_addrs):
            if not r.active(step):
                continue
            if addrs and not any_range and dst not in addrs:
                continue
            where = "range %d-%d (line %d)" % (r.first, r.last, r.lineno)
            for e in r.entries:
                if rpl.query_matches(e, query):
                    return "range", where, e
            return "none", where, None
        for st in self.sc.steps:
            if st.kind not in ("REPLY", "CHECK_OUT_QUERY") or st.n < step:
                continue
            if id(st) in self.consumed or not rpl.query_matches(st.entry, query):
                continue
            if st.kind == "REPLY":
                self.consumed.add(id(st))
                return "reply", "STEP %d REPLY" % st.n, st.entry
            return "drop", "STEP %d CHECK_OUT_QUERY" % st.n, st.entry
        return None

    def handle(self, data, dst, src, transport):
        try:
            q = dns.message.from_wire(data, one_rr_per_rrset=True)
        except dns.exception.DNSException as ex:
            self.log("%s %s <- %s: unparsable query (%s)" % (transport, dst, src[0], ex))
            with self.lock:
                self.unmatched.append("unparsable query to %s over %s: %s" % (dst, transport, ex))
            return None
        with self.lock:
            self.nqueries += 1
            step = self.step
            found = self.select(q, dst)
            desc = qdesc(q)
            if found is None or found[0] == "none":
                where = " (in %s, the RANGE chosen)" % found[1] if found else ""
                self.unmatched.append("step %d: %s query to %s: %s%s" % (
                    step, transport, dst, desc, where))
        head = "[step %d] %s %s <- %s: %s" % (step, transport, dst, src[0], desc)
        if found is None or found[0] == "none":
            self.log(head + "\n           NO MATCHING ENTRY%s -> SERVFAIL" % (
                " in %s" % found[1] if found else ""))
            r = dns.message.make_response(q)
            r.set_rcode(dns.rcode.SERVFAIL)
            return r.to_wire()
        kind, where, entry = found
        if kind == "drop":
            self.log(head + "\n           expected by %s, not answered" % where)
            return None
        out = rpl.build_answer(entry, q, data)
        if out is None:
            self.log(head + "\n           %s %s: do_not_answer" % (where, entry.describe()))
            return None
        note = ""
        if transport == "UDP" and not entry.raw:
            limit = max(512, q.payload) if q.edns >= 0 else 512
            if len(out) > limit:
                note = " (%d bytes > %d: sent TC=1)" % (len(out), limit)
                out = truncate(out)
        self.log(head + "\n           answered by %s %s%s" % (where, entry.describe(), note))
        return out


def truncate(wire):
    m = dns.message.from_wire(wire)
    m.answer, m.authority, m.additional = [], [], []
    m.flags |= dns.flags.TC
    return m.to_wire()


def setup_network(addrs):
    cmds = ["link set lo up"]
    for a in addrs:
        if ":" in a:
            cmds.append("addr add %s/128 dev lo nodad" % a)
        else:
            cmds.append("addr add %s/32 dev lo" % a)
    p = subprocess.run(["ip", "-batch", "-"], input="\n".join(cmds) + "\n",
                       text=True, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError("ip -batch failed: %s" % (p.stdout + p.stderr).strip())


def listening(addr, port=53):
    """Is something bound to addr:port UDP and listening TCP in this netns?"""
    ip = ipaddress.ip_address(addr)
    if ip.version == 4:
        hexaddr = "%08X" % struct.unpack("<I", ip.packed)[0]
        files = ("/proc/net/udp", "/proc/net/tcp")
    else:
        p = ip.packed
        hexaddr = "".join("%08X" % struct.unpack("<I", p[i:i + 4])[0] for i in range(0, 16, 4))
        files = ("/proc/net/udp6", "/proc/net/tcp6")
    want = "%s:%04X" % (hexaddr, port)
    ok = []
    for fn in files:
        found = False
        try:
            with open(fn) as f:
                for line in f.readlines()[1:]:
                    parts = line.split()
                    if parts[1] == want and (fn.endswith("udp") or fn.endswith("udp6")
                                             or parts[3] == "0A"):
                        found = True
                        break
        except OSError:
            pass
        ok.append(found)
    return all(ok)


def make_query(entry):
    q = entry.question
    if q is None:
        raise ValueError("QUERY entry at line %d has no question" % entry.lineno)
    m = dns.message.make_query(q.name, q.rdtype, q.rdclass, use_edns=0,
                               payload=4096, want_dnssec=entry.do)
    m.flags = entry.flags
    return m


def ask(server, msg, timeout):
    fam = socket.AF_INET6 if ":" in server else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        s.connect((server, 53))
        s.send(msg.to_wire())
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            s.settimeout(left)
            try:
                data = s.recv(65535)
            except socket.timeout:
                return None
            except ConnectionRefusedError:
                return None
            try:
                r = dns.message.from_wire(data, one_rr_per_rrset=True)
            except dns.exception.DNSException as ex:
                return "unparsable answer: %s" % ex
            if r.id == msg.id:
                return r
    finally:
        s.close()


def sanitizer_runtimes(binary):
    """A sanitizer runtime must come first in the library list, before
    libfaketime: preload the ones the binary links to."""
    try:
        out = subprocess.run(["ldd", binary], capture_output=True, text=True,
                             timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    libs = []
    for line in out.splitlines():
        parts = line.split()
        if (len(parts) >= 3 and parts[1] == "=>" and
                any(parts[0].startswith(p) for p in ("libasan.", "libtsan.", "libubsan."))):
            libs.append(parts[2])
    return libs


def find_faketime():
    env = os.environ.get("FAKETIME_LIB")
    if env:
        return env
    for p in FAKETIME_LIBS:
        if os.path.exists(p):
            return p
    return None


class Result:
    def __init__(self):
        self.status = "PASS"
        self.messages = []

    def fail(self, msg, status="FAIL"):
        if self.status == "PASS":
            self.status = status
        self.messages.append(msg)


def run(args, res):
    sc = rpl.parse(args.scenario)
    wd = args.workdir
    qmin = args.qmin == "on"
    hints = os.path.join(wd, "root.hints")
    conffile = os.path.join(wd, "resolver.conf")
    with open(args.builtin_zones) as f:
        builtins = [dns.name.from_text(l.strip()) for l in f if l.strip()]
    text, hints_text = conf.build(sc, qmin, wd, hints, os.path.join(wd, "control.sock"),
                                  builtins)
    cmd = [args.resolverd, "-c", conffile]
    if args.stand_in == "unbound":
        text, cmd = unbound_stand_in(sc, text, wd, conffile, args.resolverd)
    with open(conffile, "w") as f:
        f.write(text)
    with open(hints, "w") as f:
        f.write(hints_text)
    listen = conf.listen_addr(sc)

    addrs = []
    for a in sc.addresses():
        a = norm_addr(a)
        if is_loopback(a):
            continue
        try:
            ipaddress.ip_address(a)
        except ValueError:
            res.fail("scenario names a bad address %r" % a, "ERROR")
            return
        if a not in addrs:
            addrs.append(a)
    setup_network(addrs)
    log = Log(os.path.join(wd, "server.log"))
    servers = FakeServers(sc, log)
    if sc.steps:        # start-up traffic belongs to the first step
        servers.set_step(sc.steps[0].n)
    servers.bind(addrs)
    servers.start()
    log("serving %d addresses: %s" % (len(addrs), " ".join(addrs)))

    ftlib = find_faketime()
    if ftlib is None:
        res.fail("libfaketime not found (set FAKETIME_LIB)", "ERROR")
        return
    clock = FakeClock(os.path.join(wd, "faketime"), conf.start_time(sc))
    env = dict(os.environ)
    env.update({
        "LD_PRELOAD": ":".join(sanitizer_runtimes(cmd[0]) + [ftlib] +
                               ([env["LD_PRELOAD"]] if env.get("LD_PRELOAD") else [])),
        "FAKETIME_TIMESTAMP_FILE": clock.path,
        "FAKETIME_NO_CACHE": "1",
        "TZ": "UTC",
    })
    env.pop("FAKETIME", None)
    # ASan's allocator reads the clock when deciding to return memory to
    # the OS; libfaketime answers that by reading its file with malloc,
    # which re-enters the locked allocator and deadlocks. Never release.
    opts = env.get("ASAN_OPTIONS", "")
    env["ASAN_OPTIONS"] = (opts + ":" if opts else "") + "allocator_release_to_os_interval_ms=-1"

    rlog = open(os.path.join(wd, "resolver.log"), "w")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=rlog, stderr=subprocess.STDOUT, env=env, cwd=wd)
    try:
        deadline = time.monotonic() + 10
        while not listening(listen):
            if proc.poll() is not None:
                res.fail("resolverd exited with status %d at start-up" % proc.returncode)
                return
            if time.monotonic() > deadline:
                res.fail("resolverd did not listen on %s port 53 within 10 s" % listen)
                return
            time.sleep(0.02)
        play(sc, args, res, servers, clock, listen, proc, log)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                res.fail("resolverd did not stop within 5 s of SIGTERM")
            if proc.returncode not in (0, -signal.SIGTERM) and res.status == "PASS":
                res.fail("resolverd exited with status %d at shutdown" % proc.returncode)
        servers.stop()
        rlog.close()
        with servers.lock:
            # Unexpected queries first: they are usually the cause of the rest.
            later, res.messages = res.messages, []
            for u in servers.unmatched:
                res.fail("query no entry matches (answered SERVFAIL): " + u)
            for e in servers.errors:
                res.fail(e, "ERROR")
            res.messages += later
        log("%d queries" % servers.nqueries)


def unbound_stand_in(sc, text, wd, conffile, binary):
    """Development aid: the same scenario against Unbound, to check the
    runner itself. Adapts the written configuration to Unbound's needs."""
    extra = [
        'username: ""', 'chroot: ""', 'directory: "%s"' % wd, 'pidfile: ""',
        "use-syslog: no", 'logfile: ""', "do-daemonize: no",
        'target-fetch-policy: "0 0 0 0 0"', "trust-anchor-signaling: no",
        "root-key-sentinel: no", "harden-referral-path: no",
        'module-config: "%s"' % ("validator iterator" if sc.config_values("trust-anchor")
                                 else "iterator"),
    ]
    out = []
    for line in text.split("\n"):
        # resolverd's own keys, which Unbound does not know
        if line.strip().startswith(("control-socket:", "infra-probe-share:")):
            continue
        out.append(line)
        if line.strip() == "server:":
            out += ["\t" + e for e in extra]
    if not binary or os.path.basename(binary) == "resolverd":
        binary = "unbound"
    return "\n".join(out), [binary, "-d", "-c", conffile]


def play(sc, args, res, servers, clock, listen, proc, log):
    answers = collections.deque()
    for st in sc.steps:
        servers.set_step(st.n)
        if st.kind == "QUERY":
            q = make_query(st.entry)
            log("=== STEP %d QUERY %s" % (st.n, qdesc(q)))
            ans = ask(listen, q, args.timeout)
            log("=== STEP %d answer: %s" % (st.n, "none" if ans is None else
                                            ans if isinstance(ans, str) else
                                            qdesc(ans) + "\n" + rpl.message_to_text(ans)))
            answers.append((st, q, ans))
        elif st.kind == "CHECK_ANSWER":
            if not answers:
                res.fail("STEP %d CHECK_ANSWER: no QUERY before it" % st.n, "ERROR")
                return
            qst, q, ans = answers.popleft()
            if ans is None:
                res.fail("STEP %d CHECK_ANSWER: no answer to STEP %d (%s) within %g s"
                         % (st.n, qst.n, qdesc(q), args.timeout))
            elif isinstance(ans, str):
                res.fail("STEP %d CHECK_ANSWER: %s" % (st.n, ans))
            else:
                diffs = rpl.check_answer(st.entry, ans)
                if diffs:
                    res.fail("STEP %d CHECK_ANSWER (line %d) for STEP %d query %s:\n  %s\n"
                             " expected:\n%s\n received:\n%s" % (
                                 st.n, st.lineno, qst.n, qdesc(q),
                                 "\n  ".join(d.replace("\n", "\n  ") for d in diffs),
                                 rpl.entry_to_text(st.entry), rpl.message_to_text(ans)))
        elif st.kind == "TIME_PASSES":
            clock.advance(st.elapse)
            log("=== STEP %d TIME_PASSES %g: clock now %s" % (
                st.n, st.elapse, time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(clock.base))))
        if proc.poll() is not None:
            res.fail("resolverd exited with status %d during STEP %d" % (proc.returncode, st.n))
            return
        with servers.lock:
            bad = bool(servers.unmatched)
        if (res.status != "PASS" or bad) and not args.keep_going:
            return      # first failure ends the scenario, as in testbound


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--qmin", choices=("on", "off"), required=True)
    ap.add_argument("--resolverd", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--result", required=True)
    ap.add_argument("--stand-in", choices=("unbound",))
    ap.add_argument("--keep-going", action="store_true")
    ap.add_argument("--builtin-zones", required=True,
                    help="file: resolverd's built-in local zones, one a line")
    args = ap.parse_args()
    res = Result()
    try:
        run(args, res)
    except rpl.ScenarioError as ex:
        res.fail("scenario error: %s" % ex, "ERROR")
    except conf.Skip as ex:
        res.status = "SKIP"
        res.messages.append(str(ex))
    except Exception as ex:
        import traceback
        res.fail("runner error: %s\n%s" % (ex, traceback.format_exc()), "ERROR")
    with open(args.result, "w") as f:
        json.dump({"status": res.status, "messages": res.messages}, f)


if __name__ == "__main__":
    main()
