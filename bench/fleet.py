#!/usr/bin/env python3
"""bench/fleet.sh's load driver and report (issue 23); run by fleet.sh, not by hand.

  fleet.py load URL OUT    open-loop load on URL for DURATION seconds (settings in the environment, see fleet.sh);
                           one thread per request, none waits for another; checks every answer against what its
                           program must print; writes OUT/requests.tsv and prints one line of totals.
  fleet.py report OUT      reads what fleet.sh and the load left in OUT: prints each server's life, RSS peak, runs
                           and 503s, the latency per kind; writes OUT/plot-*.tsv for gnuplot; its last line is
                           "key=value ..." totals for fleet.sh's last line.
"""
import json
import os
import random
import re
import sys
import threading
import time
import http.client
import urllib.parse
from datetime import datetime

HELLO = 'package main\n\nimport "fmt"\n\n// fleet nonce {0}\nfunc main() {{ fmt.Println("hello, fleet {0}") }}\n'


def stdout(a):
    return "".join(e["Message"] for e in a.get("Events") or [] if e["Kind"] == "stdout")


def stderr(a):
    return "".join(e["Message"] for e in a.get("Events") or [] if e["Kind"] == "stderr")


# What each hostile program of src/test/resources/hostile must answer (HostileIT asserts the same, on a quieter
# machine).
HOSTILE = {
    "forkbomb": lambda a: a["Errors"] == "process took too long" and stdout(a) == "bombing\n"
    and "too many processes: the program reached its limit of" in stderr(a),
    # It touches every byte it takes: on a machine this busy it may meet the time limit before the memory limit.
    "membomb": lambda a: stdout(a).startswith("MiB 128\n") and (
        a["Status"] == 2 and "fatal error: out of memory" in stderr(a) or a["Errors"] == "process took too long"),
    "flood": lambda a: a["Errors"] == "Program output too large." and 60 * 1024 < len(stdout(a)) <= 64 * 1024,
    "killall": lambda a: a["Errors"] == "" and a["Status"] == 0 and stdout(a) == "before\nafter\n",
    "signals": lambda a: a["Errors"] == "" and stdout(a) == "killed operation not permitted\n"
    "stopped (signal) operation not permitted\naborted operation not permitted\nterminated operation not permitted\n",
    "forger": lambda a: a["Errors"] == "" and stdout(a) == "/proc/1/fd/1 denied\n/proc/1/fd/2 denied\n",
    "closestdout": lambda a: a["Errors"] == "" and a["Status"] == 0 and stdout(a) == "one\n"
    and stderr(a) == "stdout closed\n",
}


def env(name, default=None, kind=float):
    """A setting from the environment: fleet.sh sets the load's (its defaults are there, in one place)."""
    return kind(os.environ[name] if default is None else os.environ.get(name, default))


def load(url, out):
    duration = env("DURATION")
    rate_repeat, repeats = env("RATE_REPEAT"), env("REPEATS", kind=int)
    # The i-th repeated program is asked for from i x REPEAT_INTRO s on: their first runs spread over the start
    # instead of all landing in its first seconds (an open loop has no warm-up).
    repeat_intro = env("REPEAT_INTRO")
    rate_unique = env("RATE_UNIQUE")
    burst, burst_every = env("BURST", kind=int), env("BURST_EVERY")
    hostile_every, timeout = env("HOSTILE_EVERY"), env("TIMEOUT", 60)
    hostile = (os.environ.get("HOSTILE") or " ".join(HOSTILE)).split()
    nonce = os.environ["NONCE"]
    sources = {h: open(os.path.join(os.environ["HOSTILE_DIR"], h + ".go")).read() for h in hostile}
    target = urllib.parse.urlsplit(url)
    rng = random.Random(nonce)
    lock = threading.Lock()
    rows, failures = [], []

    def one(kind, name, body, check):
        t = time.time()
        status, answer, err = 0, b"", ""
        try:
            c = http.client.HTTPConnection(target.hostname, target.port, timeout=timeout)
            c.request("POST", target.path, body=body.encode(), headers={"Content-Type": "text/plain",
                                                                        "Connection": "close"})
            r = c.getresponse()
            status, answer = r.status, r.read()
            c.close()
        except Exception as e:  # refused, reset, timed out: a failure like any other
            err = f"{type(e).__name__}: {e}"
        done = time.time()
        ok = False
        if status == 200:
            try:
                ok = bool(check(json.loads(answer)))
            except (ValueError, KeyError, TypeError):
                ok = False
        with lock:
            rows.append((t, done, kind, name, status, int(ok)))
            if not ok:
                failures.append(f"{kind} {name}: HTTP {status} {err} {answer[:300]!r}")

    def hello(word):
        return HELLO.format(word), lambda a: a["Errors"] == "" and a["Status"] == 0 \
            and stdout(a) == f"hello, fleet {word}\n"

    # Arrivals: Poisson streams of repeats and unique programs; a burst and a hostile program at fixed periods.
    arrivals = []
    for kind, rate in (("repeat", rate_repeat), ("unique", rate_unique)):
        t = rng.expovariate(rate) if rate > 0 else duration
        while t < duration:
            arrivals.append((t, kind))
            t += rng.expovariate(rate)
    arrivals += [(t, "burst") for t in frange(burst_every / 2, duration, burst_every)] if burst > 0 else []
    arrivals += [(t, "hostile") for t in frange(hostile_every / 3, duration, hostile_every)] if hostile else []
    arrivals.sort()
    start = time.time()
    threads, counts, lag = [], {}, 0.0
    for due, kind in arrivals:
        now = time.time() - start
        if due > now:
            time.sleep(due - now)
        else:
            lag = max(lag, now - due)
        n = counts[kind] = counts.get(kind, 0) + 1
        jobs = []
        if kind == "repeat":
            i = rng.randrange(min(repeats, 1 + int(due / repeat_intro)) if repeat_intro > 0 else repeats)
            jobs.append((f"r{i}",) + hello(f"{nonce}-repeat-{i}"))
        elif kind == "unique":
            jobs.append((f"u{n}",) + hello(f"{nonce}-unique-{n}"))
        elif kind == "burst":
            body, check = hello(f"{nonce}-burst-{n}")
            jobs += [(f"b{n}", body, check)] * burst
        else:
            h = hostile[(n - 1) % len(hostile)]
            jobs.append((h, sources[h] + f"\n// fleet nonce {nonce}-hostile-{n}\n", HOSTILE[h]))
        for name, body, check in jobs:
            th = threading.Thread(target=one, args=(kind, name, body, check), daemon=True)
            th.start()
            threads.append(th)
    time.sleep(max(0.0, duration - (time.time() - start)))  # the load lasts DURATION, whatever its last arrival
    for th in threads:
        th.join(timeout + 30)
    with open(os.path.join(out, "requests.tsv"), "w") as f:
        f.write("sent\tdone\tkind\tname\tstatus\tok\n")
        for r in sorted(rows):
            f.write("%.3f\t%.3f\t%s\t%s\t%d\t%d\n" % r)
    with open(os.path.join(out, "failures.txt"), "w") as f:
        f.write("".join(x + "\n" for x in failures))
    ok = sum(r[5] for r in rows)
    print(f"sent={len(threads)} answered={len(rows)} ok={ok} failed={len(threads) - ok} lag={lag:.3f}"
          f" start={start:.3f} end={time.time():.3f}")


def frange(a, b, step):
    while a < b:
        yield a
        a += step


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[max(0, -(-len(xs) * p // 100) - 1)]


LIFE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) .* lifecycle (\w+) -> (\w+) ")
REQUEST = re.compile(r" requests - POST /compile status=(\d+) cache=(\S+) outcome=(\S+) ms=\d+ container=(\S+)")


def clock_to_epoch(line_match, near):
    """A log line's HH:MM:SS.mmm as epoch seconds: the moment with that local time nearest to `near`."""
    h, m, s, ms = (int(x) for x in line_match.groups()[:4])
    day = datetime.fromtimestamp(near).replace(hour=h, minute=m, second=s, microsecond=ms * 1000).timestamp()
    return min((day - 86400, day, day + 86400), key=lambda t: abs(t - near))


def table(path):
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        return [dict(zip(head, line.rstrip("\n").split("\t"))) for line in f if line.strip()]


def report(out):
    servers = table(os.path.join(out, "servers.tsv"))
    requests = table(os.path.join(out, "requests.tsv"))
    halts = {}
    if os.path.exists(os.path.join(out, "halts")):
        for line in open(os.path.join(out, "halts")):
            name, when = line.split()
            halts[name] = float(when)
    stats = {}  # server -> last (retries, 5xx) HAProxy counted
    plot_503 = {}  # second -> 503s + refused connections HAProxy retried elsewhere in that second
    last = {}
    for row in table(os.path.join(out, "haproxy-stats.tsv")):
        sec = int(float(row["t"]))
        wretr, h5 = int(row["wretr"] or 0), int(row["hrsp_5xx"] or 0)
        prev = last.get(row["server"], (0, 0))
        plot_503[sec] = plot_503.get(sec, 0) + (wretr - prev[0])
        last[row["server"]] = (wretr, h5)
    stats = last
    t0 = float(os.environ["LOAD_START"])
    t_end = float(os.environ["LOAD_END"])

    # shared_hits: answers from the shared tier without a run, found there (cache=shared) or awaited there while
    # another server ran the same program (cache=fleet, counted in "awaited" too).
    totals = {"runs": 0, "shared_hits": 0, "awaited": 0, "recycled": 0, "server_503": 0, "jvm_cpu": 0.0}
    print("\nServers (seconds from the start of the load; '-' = did not happen; rss = peak VmHWM):")
    fmt = "  %-4s %6s %7s %7s %8s %7s %7s %6s %7s %6s %6s %5s %6s %7s %6s %6s %7s"
    print(fmt % ("name", "pid", "born", "serving", "lameduck", "drain", "halted", "exit", "rss_MiB", "cpu_s", "reqs",
                 "runs", "shared", "awaited", "503s", "hap_rt", "hap_5xx"))
    bands = []
    for s in servers:
        born = float(s["born"])
        marks, runs, shared, awaited, reqs, n503 = {}, 0, 0, 0, 0, 0
        with open(s["log"], errors="replace") as f:
            for line in f:
                m = LIFE.match(line)
                if m:
                    marks[m.group(6)] = clock_to_epoch(m, born)
                    continue
                r = REQUEST.search(line)
                if r:
                    reqs += 1
                    runs += r.group(2) == "miss" and r.group(4) != "-"
                    shared += r.group(2) in ("shared", "fleet")
                    awaited += r.group(2) == "fleet"
                    n503 += r.group(1) == "503"
        serving = marks.get("SERVING")
        lameduck, drain, halted = marks.get("LAMEDUCK"), marks.get("DRAINING"), marks.get("HALTED")
        recycled = all((lameduck, drain, halted)) and s["name"] in halts
        totals["runs"] += runs
        totals["shared_hits"] += shared
        totals["awaited"] += awaited
        totals["recycled"] += int(recycled)
        totals["server_503"] += n503
        totals["jvm_cpu"] += float(s["cpu_s"])
        rt, h5 = stats.get(s["name"], (0, 0))
        rel = lambda t: "-" if t is None else "%.1f" % (t - t0)
        exit_t = float(s["exited"]) if s["exited"] != "-" else None
        print(fmt % (s["name"], s["pid"], rel(born), rel(serving), rel(lameduck), rel(drain), rel(halted),
                     rel(exit_t), s["rss_peak_mib"], s["cpu_s"], reqs, runs, shared, awaited, n503, rt, h5))
        bands.append((s["name"], born, serving, lameduck, drain, halted or exit_t or t_end))

    # gnuplot data: per second, answers and failures by the second they completed; latency over 10 s windows.
    secs = int(t_end - t0) + 60
    answers, failed = [0] * secs, [0] * secs
    lat = {}
    oks, by_kind = [], {}
    for r in requests:
        done = float(r["done"])
        i = min(secs - 1, max(0, int(done - t0)))
        latency = done - float(r["sent"])
        if r["ok"] == "1":
            answers[i] += 1
            lat.setdefault(i // 10, []).append(latency)
            oks.append(latency)
            by_kind.setdefault(r["kind"], []).append(latency)
        else:
            failed[i] += 1
    last_busy = max((i for i in range(secs) if answers[i] or failed[i]), default=0)
    with open(os.path.join(out, "plot-rate.tsv"), "w") as f:
        for i in range(last_busy + 1):
            f.write(f"{i}\t{answers[i]}\t{failed[i]}\t{plot_503.get(int(t0) + i, 0)}\n")
    with open(os.path.join(out, "plot-latency.tsv"), "w") as f:
        for w in sorted(lat):
            f.write(f"{w * 10 + 5}\t{pct(lat[w], 50):.4f}\t{pct(lat[w], 99):.4f}\n")
    with open(os.path.join(out, "plot-bands.tsv"), "w") as f:
        for row, (name, born, serving, lameduck, drain, end) in enumerate(bands):
            for phase, a, b in (("starting", born, serving or lameduck or end),
                                ("serving", serving, lameduck or drain or end),
                                ("lameduck", lameduck, drain or end), ("drain", drain, end)):
                if a is not None:
                    f.write(f"{row}\t{name}\t{phase}\t{a - t0:.2f}\t{b - t0:.2f}\n")
    x_min = min([0] + [b[1] - t0 for b in bands])
    x_max = max([t_end - t0] + [b[5] - t0 for b in bands])
    print("\nLatency of verified answers, seconds (from sending to the whole answer, through HAProxy):")
    print("  %-8s %6s %8s %8s %8s" % ("kind", "n", "p50", "p99", "max"))
    for kind in ("repeat", "unique", "burst", "hostile"):
        xs = by_kind.get(kind, [])
        if xs:
            print("  %-8s %6d %8.3f %8.3f %8.3f" % (kind, len(xs), pct(xs, 50), pct(xs, 99), max(xs)))
    kinds = {}
    for r in requests:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    print("totals " + " ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in totals.items())
          + f" p50={pct(oks, 50):.3f} p99={pct(oks, 99):.3f} bands={len(bands)}"
          + f" x_min={int(x_min) - 5} x_max={int(x_max) + 5} load_s={t_end - t0:.1f} "
          + " ".join(f"n_{k}={v}" for k, v in sorted(kinds.items())))


if __name__ == "__main__":
    if sys.argv[1] == "load":
        load(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "report":
        report(sys.argv[2])
    else:
        sys.exit(__doc__)
