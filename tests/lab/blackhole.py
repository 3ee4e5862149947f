#!/usr/bin/python3
"""A DNS server that never answers: the lab's dead name server.

Usage: blackhole.py LOGFILE ADDRESS[@PORT]...

Binds UDP and TCP on every address (port 53 unless @PORT is given), reads
every datagram and every TCP stream, and never writes a byte back. Each
query read is logged to LOGFILE as "udp|tcp <server address> <client>"
(one line, flushed), so the lab can tell the server was asked. Accepted
TCP connections are held open until the peer closes them. Runs until
SIGTERM or SIGINT. Only for use inside the lab's network namespace.
"""
import selectors
import signal
import socket
import sys


def parse(spec):
    if "@" in spec:
        addr, port = spec.rsplit("@", 1)
        return addr, int(port)
    return spec, 53


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    log = open(sys.argv[1], "a", buffering=1)
    sel = selectors.DefaultSelector()
    for spec in sys.argv[2:]:
        addr, port = parse(spec)
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        u = socket.socket(fam, socket.SOCK_DGRAM)
        u.bind((addr, port))
        sel.register(u, selectors.EVENT_READ, ("udp", addr))
        t = socket.socket(fam, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind((addr, port))
        t.listen(64)
        sel.register(t, selectors.EVENT_READ, ("listen", addr))

    running = [True]

    def stop(_sig, _frm):
        running[0] = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("ready", flush=True)
    while running[0]:
        try:
            events = sel.select(timeout=0.5)
        except InterruptedError:
            continue
        for key, _ in events:
            kind, addr = key.data
            s = key.fileobj
            if kind == "udp":
                try:
                    data, peer = s.recvfrom(65535)
                except OSError:
                    continue
                log.write("udp %s %s %d\n" % (addr, peer[0], len(data)))
            elif kind == "listen":
                try:
                    c, peer = s.accept()
                except OSError:
                    continue
                c.setblocking(False)
                sel.register(c, selectors.EVENT_READ, ("conn", addr))
                log.write("tcp %s %s connect\n" % (addr, peer[0]))
            else:
                try:
                    data = s.recv(65535)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(s)
                    s.close()
                else:
                    log.write("tcp %s - %d\n" % (addr, len(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
