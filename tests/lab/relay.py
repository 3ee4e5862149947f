#!/usr/bin/python3
"""A DNS delay/loss relay for the upstream lab (tests/lab/upstream.py).

Usage: relay.py CONFIG.json
       relay.py ctl CONTROL_SOCKET JSON     (one control request, by hand)

CONFIG.json:
  {"control": "/path/to/relay.ctl",
   "fronts": [{"name": "a4", "listen": "198.41.0.1", "port": 53,
               "backend": "127.0.53.1", "backend_port": 53,
               "delay_ms": 1, "loss": 0.0, "dead": false}, ...]}

Listens on UDP and TCP `port` of every front address and forwards each
query to the front's back end (an NSD), sending the reply back from the
front address. Per front:

  delay_ms  the reply leaves no earlier than delay_ms after the query came
            in (the delay in force when the query arrived counts; the back
            end's own time is inside it, not added to it)
  loss      probability that a query is dropped unanswered
  dead      every query is read and counted, none is forwarded or
            answered; TCP connections are accepted and held open

Control: a Unix stream socket at `control`, one JSON object per line in,
one JSON object per line out:

  {"cmd": "set", "front": "a4", "delay_ms": 200}      (any of delay_ms,
                                                        loss, dead)
  {"cmd": "stats"}           {"fronts": {"a4": {"udp": .., "tcp": ..,
                              "answered": .., "dropped": .., "delay_ms": ..,
                              "loss": .., "dead": ..}, ...}}
  {"cmd": "names", "front": "a4"}   {"names": {"www.x.up./A": 3, ...}}
                             (queries received per lower-cased qname/qtype;
                              without "front": every front, keyed by front)
  {"cmd": "reset"}           all counters to zero

Counters: udp and tcp count queries received (dead or lost ones too),
answered the replies sent, dropped the queries not answered on purpose
(loss or dead); inflight the queries forwarded whose reply has not been
sent yet (or given up, after 10 s) and max_inflight its highest value
since the last reset. Prints "ready" on stdout once every socket listens. Runs
until SIGTERM or SIGINT. Only for use inside the lab's network namespace.
"""
import asyncio
import collections
import json
import os
import random
import signal
import socket
import struct
import sys

BACKEND_TIMEOUT = 10.0       # forget a forwarded UDP query after this


def question(wire):
    """'name./TYPE' of a query's question ('?' when it cannot be read)."""
    try:
        if struct.unpack("!H", wire[4:6])[0] < 1:
            return "?"
        pos, labels = 12, []
        while True:
            ln = wire[pos]
            if ln == 0:
                pos += 1
                break
            if ln & 0xC0:
                return "?"
            labels.append(wire[pos + 1:pos + 1 + ln].decode("ascii", "replace").lower())
            pos += 1 + ln
        qtype = struct.unpack("!H", wire[pos:pos + 2])[0]
        types = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX",
                 16: "TXT", 28: "AAAA", 33: "SRV", 43: "DS", 48: "DNSKEY",
                 65: "HTTPS", 255: "ANY"}
        return ".".join(labels) + "./" + types.get(qtype, "TYPE%d" % qtype)
    except (IndexError, struct.error):
        return "?"


class Front:
    def __init__(self, spec):
        self.name = spec["name"]
        self.addr = spec["listen"]
        self.port = int(spec.get("port", 53))
        self.backend = (spec["backend"], int(spec.get("backend_port", 53)))
        self.delay_ms = float(spec.get("delay_ms", 0))
        self.loss = float(spec.get("loss", 0))
        self.dead = bool(spec.get("dead", False))
        self.inflight = 0
        self.reset()
        self.udp = None            # front transport
        self.up = None             # back-end transport (connected UDP)
        self.pending = {}          # relay id -> (client, orig id, arrival)
        self.next_id = random.randrange(65536)

    def reset(self):
        self.c = {"udp": 0, "tcp": 0, "answered": 0, "dropped": 0}
        self.names = collections.Counter()
        self.max_inflight = getattr(self, "inflight", 0)

    def inflight_add(self, n):
        self.inflight += n
        self.max_inflight = max(self.max_inflight, self.inflight)

    def stats(self):
        d = dict(self.c)
        d.update(inflight=self.inflight, max_inflight=self.max_inflight)
        d.update(delay_ms=self.delay_ms, loss=self.loss, dead=self.dead,
                 address=self.addr, pending=len(self.pending))
        return d

    def drop(self):
        """Count and decide: True when this query gets no answer."""
        if self.dead or (self.loss > 0 and random.random() < self.loss):
            self.c["dropped"] += 1
            return True
        return False

    def delay_left(self, arrival, loop):
        return max(0.0, arrival + self.delay_ms / 1000.0 - loop.time())


class FrontUDP(asyncio.DatagramProtocol):
    def __init__(self, front, loop):
        self.f = front
        self.loop = loop

    def connection_made(self, transport):
        self.f.udp = transport

    def datagram_received(self, data, client):
        f = self.f
        arrival = self.loop.time()
        if len(data) < 12:
            return
        f.c["udp"] += 1
        f.names[question(data)] += 1
        if f.drop() or f.up is None:
            return
        # A relay-chosen ID per forwarded query, so that queries of
        # different clients (or source ports) cannot collide.
        for _ in range(65536):
            rid = f.next_id
            f.next_id = (f.next_id + 1) & 0xFFFF
            if rid not in f.pending:
                break
        else:
            f.c["dropped"] += 1
            return
        f.pending[rid] = (client, data[:2], arrival, f.delay_ms)
        f.inflight_add(1)
        f.up.sendto(struct.pack("!H", rid) + data[2:])

    def error_received(self, exc):
        pass


class BackendUDP(asyncio.DatagramProtocol):
    def __init__(self, front, loop):
        self.f = front
        self.loop = loop

    def datagram_received(self, data, _addr):
        f = self.f
        if len(data) < 12:
            return
        rid = struct.unpack("!H", data[:2])[0]
        ent = f.pending.pop(rid, None)
        if ent is None:
            return
        client, orig, arrival, delay_ms = ent
        reply = orig + data[2:]
        wait = max(0.0, arrival + delay_ms / 1000.0 - self.loop.time())

        def send():
            f.inflight_add(-1)
            if f.udp is not None:
                f.udp.sendto(reply, client)
                f.c["answered"] += 1
        if wait > 0:
            self.loop.call_later(wait, send)
        else:
            send()

    def error_received(self, exc):
        pass


async def backend_tcp(f, wire):
    """One query over a fresh TCP connection to the back end."""
    r, w = await asyncio.wait_for(
        asyncio.open_connection(f.backend[0], f.backend[1]), BACKEND_TIMEOUT)
    try:
        w.write(struct.pack("!H", len(wire)) + wire)
        await w.drain()
        ln = struct.unpack("!H", await asyncio.wait_for(r.readexactly(2), BACKEND_TIMEOUT))[0]
        return await asyncio.wait_for(r.readexactly(ln), BACKEND_TIMEOUT)
    finally:
        w.close()


def tcp_handler(f, loop):
    async def handle(reader, writer):
        tasks = set()

        async def one(wire, arrival, delay_ms):
            f.inflight_add(1)
            try:
                reply = await backend_tcp(f, wire)
                wait = max(0.0, arrival + delay_ms / 1000.0 - loop.time())
                if wait > 0:
                    await asyncio.sleep(wait)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
                return
            finally:
                f.inflight_add(-1)
            try:
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
                f.c["answered"] += 1
            except (OSError, RuntimeError):
                pass
        try:
            while True:
                hdr = await reader.readexactly(2)
                ln = struct.unpack("!H", hdr)[0]
                wire = await reader.readexactly(ln)
                arrival = loop.time()
                f.c["tcp"] += 1
                f.names[question(wire)] += 1
                if f.drop():
                    continue        # dead: read on, never answer
                t = loop.create_task(one(wire, arrival, f.delay_ms))
                tasks.add(t)
                t.add_done_callback(tasks.discard)
        except (asyncio.IncompleteReadError, OSError):
            pass
        for t in list(tasks):
            try:
                await t
            except Exception:   # noqa: BLE001 (a lost reply is a lost reply)
                pass
        try:
            writer.close()
        except OSError:
            pass
    return handle


def control_handler(fronts):
    by_name = {f.name: f for f in fronts}

    def do(req):
        cmd = req.get("cmd")
        if cmd == "stats":
            return {"ok": True, "fronts": {f.name: f.stats() for f in fronts}}
        if cmd == "reset":
            for f in fronts:
                f.reset()
            return {"ok": True}
        if cmd == "names":
            if "front" in req:
                f = by_name.get(req["front"])
                if f is None:
                    return {"ok": False, "error": "no front %r" % req["front"]}
                return {"ok": True, "names": dict(f.names)}
            return {"ok": True, "names": {f.name: dict(f.names) for f in fronts}}
        if cmd == "set":
            names = req["front"] if isinstance(req.get("front"), list) else [req.get("front")]
            for name in names:
                if name not in by_name:
                    return {"ok": False, "error": "no front %r" % name}
            for name in names:
                f = by_name[name]
                if "delay_ms" in req:
                    f.delay_ms = float(req["delay_ms"])
                if "loss" in req:
                    f.loss = float(req["loss"])
                if "dead" in req:
                    f.dead = bool(req["dead"])
            return {"ok": True}
        return {"ok": False, "error": "unknown cmd %r" % cmd}

    async def handle(reader, writer):
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                try:
                    out = do(json.loads(line))
                except (ValueError, KeyError, TypeError) as ex:
                    out = {"ok": False, "error": str(ex)}
                writer.write((json.dumps(out) + "\n").encode())
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        writer.close()
    return handle


async def serve(conf):
    loop = asyncio.get_running_loop()
    fronts = [Front(s) for s in conf["fronts"]]
    servers = []
    for f in fronts:
        fam = socket.AF_INET6 if ":" in f.addr else socket.AF_INET
        await loop.create_datagram_endpoint(
            lambda f=f: FrontUDP(f, loop), local_addr=(f.addr, f.port), family=fam)
        bfam = socket.AF_INET6 if ":" in f.backend[0] else socket.AF_INET
        transport, _ = await loop.create_datagram_endpoint(
            lambda f=f: BackendUDP(f, loop), remote_addr=f.backend, family=bfam)
        f.up = transport
        servers.append(await asyncio.start_server(
            tcp_handler(f, loop), f.addr, f.port, family=fam, reuse_address=True,
            backlog=128))
    ctl = conf["control"]
    if os.path.exists(ctl):
        os.unlink(ctl)
    servers.append(await asyncio.start_unix_server(control_handler(fronts), ctl))

    # Forget forwarded queries the back end never answered.
    def sweep():
        now = loop.time()
        for f in fronts:
            old = [k for k, v in f.pending.items() if now - v[2] > BACKEND_TIMEOUT]
            for k in old:
                del f.pending[k]
            f.inflight_add(-len(old))
        loop.call_later(1.0, sweep)
    loop.call_later(1.0, sweep)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("ready", flush=True)
    await stop.wait()
    for s in servers:
        s.close()


def ctl(path, request):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(request.strip().encode() + b"\n")
    sys.stdout.write(s.makefile().readline())
    return 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "ctl":
        return ctl(sys.argv[2], sys.argv[3])
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    with open(sys.argv[1]) as fh:
        conf = json.load(fh)
    asyncio.run(serve(conf))
    return 0


if __name__ == "__main__":
    sys.exit(main())
