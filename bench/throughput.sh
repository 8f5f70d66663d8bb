#!/usr/bin/env bash
# Uncached throughput: compilerd with its defaults (--pool 2, --workers = CPUs); at each concurrency C,
# PER_LEVEL unique hello worlds with C requests in flight at once. Every answer is checked; 503s and other
# failures are counted, not hidden. Prints req/s and latencies per level, and the server's RSS at the end.
# Env: LEVELS ("1 2 4 8"), PER_LEVEL (16), SETTLE (2) seconds between levels so the pool refills.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LEVELS="${LEVELS:-1 2 4 8}"
PER_LEVEL="${PER_LEVEL:-16}"
SETTLE="${SETTLE:-2}"

bench_init curl jq python3
start_server tput

# load URL C COUNT NONCE : prints "wall_s ok n503 failed median_s p90_s max_s".
load() {
  python3 - "$@" <<'PY'
import json, sys, threading, time, urllib.error, urllib.request

url, conc, count, nonce = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
lock, next_i, lat, ok, n503, failed = threading.Lock(), [0], [], [0], [0], []

def one(i):
    word = f"{nonce}-{i}"
    src = f'package main\n\nimport "fmt"\n\n// bench nonce {word}\nfunc main() {{ fmt.Println("hello, bench {word}") }}\n'
    req = urllib.request.Request(url, data=src.encode(), headers={"Content-Type": "text/plain"})
    t = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            body = json.loads(r.read())
        out = "".join(e["Message"] for e in body.get("Events") or [] if e["Kind"] == "stdout")
        good = body["Errors"] == "" and body["Status"] == 0 and out == f"hello, bench {word}\n"
        verdict = "ok" if good else f"wrong answer: {body}"[:200]
    except urllib.error.HTTPError as e:
        verdict = "503" if e.code == 503 else f"HTTP {e.code}"
    except Exception as e:  # connection refused, timeout, bad JSON: all count as failures
        verdict = f"{type(e).__name__}: {e}"[:200]
    with lock:
        lat.append(time.monotonic() - t)
        if verdict == "ok": ok[0] += 1
        elif verdict == "503": n503[0] += 1
        else: failed.append(verdict)

def worker():
    while True:
        with lock:
            i = next_i[0]; next_i[0] += 1
        if i >= count: return
        one(i)

start = time.monotonic()
threads = [threading.Thread(target=worker) for _ in range(conc)]
for t in threads: t.start()
for t in threads: t.join()
wall = time.monotonic() - start
for f in failed[:3]: print(f"failure: {f}", file=sys.stderr)
lat.sort()
rank = lambda p: lat[max(0, -(-len(lat) * p // 100) - 1)]
print(f"{wall:.2f} {ok[0]} {n503[0]} {len(failed)} {rank(50):.3f} {rank(90):.3f} {lat[-1]:.3f}")
PY
}

say "levels: $LEVELS; $PER_LEVEL unique programs per level; ${SETTLE}s pause between levels"
printf '%5s %6s %8s %8s %5s %5s %7s %10s %8s %8s %9s\n' \
  C sent wall_s req/s ok 503 failed median_s p90_s max_s rss_MiB
failures=0
for c in $LEVELS; do
  sleep "$SETTLE"
  result="$(load "$SERVER_URL/compile" "$c" "$PER_LEVEL" "$(nonce c "$c")")" || die "load driver failed at C=$c"
  read -r wall ok n503 failed p50 p90 max <<<"$result"
  printf '%5s %6s %8s %8s %5s %5s %7s %10s %8s %8s %9s\n' "$c" "$PER_LEVEL" "$wall" \
    "$(ratio "$ok" "$wall")" "$ok" "$n503" "$failed" "$p50" "$p90" "$max" "$(proc_mib "$SERVER_PID" VmRSS)"
  failures=$((failures + n503 + failed))
done
echo
echo "req/s counts only verified answers (200, Errors empty, stdout exactly 'hello, bench <nonce>')."
echo "server: $(nproc) CPUs, default --workers (= CPUs) and --pool 2"
printf 'server RSS at the end: %s MiB, peak (VmHWM): %s MiB\n' \
  "$(proc_mib "$SERVER_PID" VmRSS)" "$(proc_mib "$SERVER_PID" VmHWM)"
((failures == 0)) || die "$failures request(s) got a 503 or failed (see above)"
