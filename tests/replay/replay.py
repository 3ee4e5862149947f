"""replay.py -- play conformance scenarios against resolverd.

Usage (normally through run.sh):
  replay.py --resolverd PATH [-j N] [--qmin on|off|both] [-v] [--keep]
            [--timeout S] [--xfail FILE] scenario.rpl...

Each (scenario, qmin setting) run happens in its own network namespace
(worker.py under unshare); this process only schedules runs and reports.
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conf  # noqa: E402
import rpl   # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FAMILIES = ("iter_", "val_", "nsec", "black_", "module_", "world_")
LOG_TAIL = 60


def family(name):
    for f in FAMILIES:
        if name.startswith(f):
            return f
    return "other"


def read_xfail(path):
    """{(scenario, qmin or None): reason} from the xfail file."""
    out = {}
    if not path or not os.path.exists(path):
        return out
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 2)
            name = parts[0]
            if name.endswith(".rpl"):
                name = name[:-4]
            qmin = None
            rest = parts[1:]
            if rest and rest[0].startswith("qmin="):
                qmin = rest[0][5:]
                if qmin not in ("on", "off"):
                    sys.exit("%s:%d: qmin= must be on or off" % (path, n))
                rest = rest[1:]
            reason = " ".join(rest) if rest else "(no reason given)"
            out[(name, qmin)] = reason
    return out


def unshare_cmd():
    if os.environ.get("REPLAY_UNSHARE"):
        return os.environ["REPLAY_UNSHARE"].split()
    return ["unshare", "-n"] if os.geteuid() == 0 else ["unshare", "-rn"]


class Run:
    def __init__(self, path, name, qmin):
        self.path, self.name, self.qmin = path, name, qmin
        self.status = None
        self.messages = []
        self.workdir = None
        self.secs = 0.0
        self.xfail = None

    @property
    def label(self):
        return "%s [qmin %s]" % (self.name, self.qmin)


def plan(paths, qmin_opt, builtins):
    """(runs, skips, errors): runs to make; SKIP and ERROR results found
    without starting anything."""
    runs, done = [], []
    for p in paths:
        name = os.path.basename(p)[:-4] if p.endswith(".rpl") else os.path.basename(p)
        try:
            sc = rpl.parse(p)
            fixed = conf.fixed_qmin(sc)
            conf.start_time(sc)
            # Build once to find skips and bad values early.
            conf.build(sc, True, "/nonexistent", "/nonexistent", "/nonexistent", builtins)
        except conf.Skip as ex:
            r = Run(p, name, "-")
            r.status, r.messages = "SKIP", [str(ex)]
            done.append(r)
            continue
        except (rpl.ScenarioError, ValueError) as ex:
            r = Run(p, name, "-")
            r.status, r.messages = "ERROR", ["scenario error: %s" % ex]
            done.append(r)
            continue
        if fixed is not None:       # the scenario decides, whatever --qmin says
            settings = ["on" if fixed else "off"]
        else:
            settings = ["on", "off"] if qmin_opt == "both" else [qmin_opt]
        for q in settings:
            runs.append(Run(p, name, q))
    return runs, done


def execute(run, args, tmproot):
    wd = tempfile.mkdtemp(prefix="%s-qmin-%s." % (run.name, run.qmin), dir=tmproot)
    run.workdir = wd
    result = os.path.join(wd, "result.json")
    cmd = unshare_cmd() + [sys.executable, os.path.join(HERE, "worker.py"),
                           "--scenario", run.path, "--qmin", run.qmin,
                           "--resolverd", args.resolverd, "--workdir", wd,
                           "--timeout", str(args.timeout), "--result", result,
                           "--builtin-zones", args.builtin_file]
    if args.stand_in:
        cmd += ["--stand-in", args.stand_in]
    if args.keep_going:
        cmd.append("--keep-going")
    t0 = time.monotonic()
    limit = 60 + 4 * args.timeout * max(1, count_steps(run.path))
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=limit)
        out = (p.stdout + p.stderr).strip()
    except subprocess.TimeoutExpired:
        out = "worker killed after %d s" % limit
    run.secs = time.monotonic() - t0
    try:
        with open(result) as f:
            r = json.load(f)
        run.status, run.messages = r["status"], r["messages"]
        if out:
            run.messages.append("worker output:\n" + out)
    except (OSError, ValueError):
        run.status = "ERROR"
        run.messages = ["the worker wrote no result", out]
    return run


def count_steps(path):
    n = 0
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("STEP"):
                n += 1
    return n


def tail(path, n):
    try:
        with open(path, errors="replace") as f:
            lines = f.readlines()
    except OSError:
        return "(no %s)" % os.path.basename(path)
    head = "" if len(lines) <= n else "... (%d earlier lines; -v for all)\n" % (len(lines) - n)
    return head + "".join(lines[-n:] if n else lines)


def indent(text, pre="    "):
    return "\n".join(pre + l for l in text.rstrip("\n").split("\n"))


def report_failure(run, args):
    for m in run.messages:
        print(indent(m))
    if run.workdir and run.status in ("FAIL", "ERROR", "XPASS") or args.verbose:
        rl = os.path.join(run.workdir or "", "resolver.log")
        sl = os.path.join(run.workdir or "", "server.log")
        if run.workdir and os.path.exists(rl):
            print("    --- resolver log (%s)" % rl)
            print(indent(tail(rl, 0 if args.verbose else LOG_TAIL), "    | "))
        if args.verbose and run.workdir and os.path.exists(sl):
            print("    --- server log (%s)" % sl)
            print(indent(tail(sl, 0), "    | "))


def main():
    ap = argparse.ArgumentParser(prog="run.sh")
    ap.add_argument("scenarios", nargs="*")
    ap.add_argument("-j", type=int, default=4, metavar="N", help="runs in parallel")
    ap.add_argument("--qmin", choices=("on", "off", "both"), default="both")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print whole resolver and server logs of failures")
    ap.add_argument("--keep", action="store_true", help="keep the work directories")
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="seconds to wait for each answer (default 5)")
    ap.add_argument("--keep-going", action="store_true",
                    help="play all steps even after a failure (default: stop at the first)")
    ap.add_argument("--resolverd", required=True)
    ap.add_argument("--xfail", default=os.path.join(HERE, "xfail"))
    ap.add_argument("--stand-in", choices=("unbound",), help=argparse.SUPPRESS)
    ap.add_argument("--builtin-zones-from", metavar="RESOLVERD",
                    help="the resolverd whose built-in local zones to use (default --resolverd)")
    args = ap.parse_args()

    # resolverd's built-in local zones (also Unbound's): the worlds that
    # serve names in them get "local-zone: ... nodefault" (conf.py).
    try:
        builtins = conf.builtin_zones(args.builtin_zones_from or args.resolverd)
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as ex:
        sys.exit("replay: cannot list the built-in local zones: %s" % ex)
    xfail = read_xfail(args.xfail)
    runs, done = plan(args.scenarios, args.qmin, builtins)
    tmproot = tempfile.mkdtemp(prefix="replay.")
    args.builtin_file = os.path.join(tmproot, "builtin-zones")
    with open(args.builtin_file, "w") as f:
        f.write("".join(z.to_text() + "\n" for z in builtins))
    results = list(done)
    for r in done:
        print("%s %s: %s" % (r.status, r.name, r.messages[0] if r.messages else ""), flush=True)
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as pool:
        futs = [pool.submit(execute, r, args, tmproot) for r in runs]
        for fut in concurrent.futures.as_completed(futs):
            r = fut.result()
            reason = xfail.get((r.name, r.qmin), xfail.get((r.name, None)))
            if reason is not None:
                r.xfail = reason
                if r.status == "PASS":
                    r.status = "XPASS"
                elif r.status in ("FAIL", "ERROR"):
                    r.status = "XFAIL"
            line = "%s %s" % (r.status, r.label)
            if r.status in ("XFAIL", "XPASS"):
                line += "  (xfail: %s)" % r.xfail
            if r.status == "SKIP":
                line = "SKIP %s: %s" % (r.label, "; ".join(r.messages))
            print(line, flush=True)
            if r.status in ("FAIL", "ERROR", "XPASS"):
                if r.status == "XPASS":
                    print("    listed in %s but passed: remove the line" % args.xfail)
                report_failure(r, args)
            elif args.verbose and r.status == "XFAIL":
                report_failure(r, args)
            results.append(r)
    elapsed = time.monotonic() - t0

    # Totals per family and qmin setting.
    cols = ("PASS", "FAIL", "XFAIL", "XPASS", "SKIP")
    print()
    print("%-8s %-5s %5s %5s %5s %5s %5s" % (("family", "qmin") + cols))
    fams = [f for f in FAMILIES + ("other",) if any(family(r.name) == f for r in results)]
    for f in fams:
        for q in ("on", "off", "-"):
            rs = [r for r in results if family(r.name) == f and r.qmin == q]
            if not rs:
                continue
            c = {k: 0 for k in cols}
            for r in rs:
                c["FAIL" if r.status == "ERROR" else r.status] += 1
            print("%-8s %-5s %5d %5d %5d %5d %5d" % ((f, q) + tuple(c[k] for k in cols)))
    npass = sum(r.status == "PASS" for r in results)
    nfail = sum(r.status in ("FAIL", "ERROR", "XPASS") for r in results)
    nxfail = sum(r.status == "XFAIL" for r in results)
    nskip = sum(r.status == "SKIP" for r in results)
    used = set()
    for r in results:
        if r.xfail is not None:
            used.add((r.name, r.qmin) if (r.name, r.qmin) in xfail else (r.name, None))
    ran = set(r.name for r in results)
    stale = [k for k in xfail if k not in used and k[0] in ran and
             (k[1] is None or any(r.name == k[0] and r.qmin == k[1] for r in results))]
    for k in stale:
        print("note: xfail line for %s%s matched no run" % (k[0], " qmin=" + k[1] if k[1] else ""))
    print("(%d runs in %.0f s; work directories %s in %s)" % (
        len(runs), elapsed, "kept" if args.keep else "removed", tmproot))
    print("%d passed, %d failed, %d xfailed, %d skipped" % (npass, nfail, nxfail, nskip))
    if not args.keep:
        shutil.rmtree(tmproot, ignore_errors=True)
    return 0 if nfail == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
