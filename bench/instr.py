"""Instructions per cached answer, counted by valgrind's callgrind: a
measure of the cost of resolverd's own code on the hit path that the
machine's load does not move (bench.py runs it with --baseline; see
README.md, target 4).

Each binary runs under callgrind with counting switched on only inside
the UDP front end's read callback (udp_read_cb: reading a batch, the
query callbacks, sending the batch, timing it), and off again inside the
engine (iter_resolve, iter_refresh), so start-up, resolution and the
control thread do not count. It is run twice per binary, with
the same warm-up (every name resolved, twice, slowly) and then 5 or 30
passes over the names, all cache hits; the difference of the two totals over
the difference in answers is the cost of one cached answer, whatever the
warm-up cost. dnsperf asks at a low fixed rate, so batches hold
about one query: the worst case for costs paid per batch (the clock
reads).
"""
import os
import re
import shutil
import subprocess
import time

NAMES = 200                             # cached names asked
PASSES1, PASSES2 = 5, 30                # over them, after the warm-up
RATE = 1000
WARM_RATE = 50                          # gentle: valgrind is slow
TOGGLE = "udp_read_cb"


def available():
    return shutil.which("valgrind") is not None


def one_run(bench, lab, kind, binary, port, conf, datafile, passes):
    out = os.path.join(lab.tmp, "callgrind.%s.%d" % (kind, passes))
    # Counting goes off again inside the engine (a question the cache
    # could not answer): only the hit path counts.
    cmd = ["valgrind", "--tool=callgrind", "--collect-atstart=no",
           "--toggle-collect=%s" % TOGGLE, "--toggle-collect=iter_resolve",
           "--toggle-collect=iter_refresh", "--callgrind-out-file=%s" % out,
           binary, "-c", conf]
    log = open(out + ".log", "w")
    p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    lab.note("%s callgrind" % kind, cmd)
    try:
        deadline = time.time() + 60
        while True:
            try:
                rcode, _, an = bench.query(bench.RESOLVER, "warmup." + bench.ZONE, 1,
                                           port=port, timeout=2.0)
                if rcode == 0 and an >= 1:
                    break
            except OSError:
                pass
            if time.time() > deadline or p.poll() is not None:
                raise bench.Broken("%s under valgrind does not answer" % kind)
            time.sleep(0.5)
        r = bench.Resolver(kind, port, p, out + ".log")
        # Two warm-up passes in every run (the same work, whatever the
        # measured passes): the second fetches again what a slow valgrind
        # on a busy machine got SERVFAIL for in the first (kept 5 s).
        for _ in range(2):
            lab.dnsperf("%s callgrind warm" % kind, r, datafile,
                        ["-n", "1", "-Q", str(WARM_RATE), "-c", "1"])
        d = lab.dnsperf("%s callgrind" % kind, r, datafile,
                        ["-n", str(passes), "-Q", str(RATE), "-c", "1"])
        if d["rcodes"].get("NOERROR", 0) != d["completed"] or d["lost"]:
            bench.say("# %s: callgrind run with %d passes: %d lost, rcodes %s: not all cache "
                      "hits, the count is off" % (kind, passes, d["lost"], d["rcodes"]))
    finally:
        p.terminate()
        p.wait(60)
        log.close()
    with open(out) as f:
        text = f.read()
    m = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
    if not m:
        raise bench.Broken("no instruction total in %s" % out)
    return int(m.group(1)), d["completed"]


def measure(bench, lab, binaries, datafile):
    """{kind: (instructions per cached answer, detail)} for each (kind,
    binary); datafile: the names, all cached by the warm-up pass."""
    out = {}
    for kind, binary in binaries:
        port = bench.PORTS[kind]
        conf = lab.resolverd_conf(port, kind)
        i1, a1 = one_run(bench, lab, kind, binary, port, conf, datafile, PASSES1)
        i2, a2 = one_run(bench, lab, kind, binary, port, conf, datafile, PASSES2)
        per = (i2 - i1) / float(max(1, a2 - a1))
        out[kind] = (per, "%d instructions with %d answers, %d with %d" % (i1, a1, i2, a2))
        bench.say("# %s: callgrind: %.0f instructions per cached answer in %s (%s)" % (
            kind, per, TOGGLE, out[kind][1]))
    return out
