#!/usr/bin/env bash
# Overload (issue 11): a server with default flags (--workers = CPUs, --queue 100, --max-queue-wait 10s, --pool 2)
# first gets a short closed-loop run of unique hello worlds to measure its sustainable rate, then an open-loop
# arrival rate of FACTORS x that rate (default 2x and 10x), each for DURATION seconds. Arrivals are evenly
# spaced and do not wait for answers, as real users do not. Per phase it prints: accepted (200) count and p50/p99
# latency, the number of 503s and p50/p99/max time until each 503 arrived, 503s without Retry-After, other
# statuses and connection errors, whole-machine CPU per accepted run, and the server's RSS (VmRSS, VmHWM).
# Fails (after printing) on any status other than 200/503, any connection error or client timeout, any 200
# whose answer is wrong, and any 503 without Retry-After. It measures what the server does; it expects nothing
# about how early a 503 comes.
# Env: FACTORS ("2 10"), DURATION (45) seconds per phase, SUSTAIN (20) seconds of closed loop,
#      CLOSED_C (2 x CPUs) requests in flight for the closed loop, SETTLE (5) seconds between phases,
#      TIMEOUT (60) seconds a client waits for an answer, QUIET_WAIT (0) seconds to wait for an idle machine first.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FACTORS="${FACTORS:-2 10}"
DURATION="${DURATION:-45}"
SUSTAIN="${SUSTAIN:-20}"
CLOSED_C="${CLOSED_C:-$((2 * $(nproc)))}"
SETTLE="${SETTLE:-5}"
TIMEOUT="${TIMEOUT:-60}"

bench_init curl jq python3
wait_quiet

# The load driver: "closed URL C SECONDS NONCE TIMEOUT" or "open URL RATE SECONDS NONCE TIMEOUT". One thread per
# request. Prints one line of fields (see FIELDS); details of failures go to stderr.
cat >"$BENCH_WORK/drive.py" <<'PY'
import json, sys, threading, time, urllib.error, urllib.request

mode, url, x, secs, nonce, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], float(sys.argv[6])
lock = threading.Lock()
ok_lat, busy_lat, no_retry, other, errors, wrong = [], [], [0], {}, [], []

def one(i):
    word = f"{nonce}-{i}"
    src = f'package main\n\nimport "fmt"\n\n// bench nonce {word}\nfunc main() {{ fmt.Println("hello, bench {word}") }}\n'
    req = urllib.request.Request(url, data=src.encode(), headers={"Content-Type": "text/plain"})
    t = time.monotonic()
    status, retry, body, err = None, None, b"", None
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, body = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, retry, body = e.code, e.headers.get("Retry-After"), e.read()
    except Exception as e:  # refused, reset, timeout: never acceptable
        err = f"{type(e).__name__}: {e}"[:200]
    lat = time.monotonic() - t
    with lock:
        if err is not None:
            errors.append(err)
        elif status == 200:
            try:
                a = json.loads(body)
                out = "".join(e["Message"] for e in a.get("Events") or [] if e["Kind"] == "stdout")
                good = a["Errors"] == "" and a["Status"] == 0 and out == f"hello, bench {word}\n"
            except Exception:
                good = False
            if good:
                ok_lat.append(lat)
            else:
                wrong.append(body[:200])
        elif status == 503:
            busy_lat.append(lat)
            if not retry:
                no_retry[0] += 1
        else:
            other[status] = other.get(status, 0) + 1
            if len(other) <= 3:
                print(f"HTTP {status}: {body[:200]!r}", file=sys.stderr)

start = time.monotonic()
threads, sent, lag = [], 0, 0.0
if mode == "closed":
    def worker():
        global sent
        while time.monotonic() - start < secs:
            with lock:
                i = sent
                sent += 1
            one(i)
    threads = [threading.Thread(target=worker) for _ in range(int(x))]
    for t in threads: t.start()
else:
    n = int(x * secs)
    for i in range(n):
        due = start + i / x
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        else:
            lag = max(lag, now - due)
        t = threading.Thread(target=one, args=(i,), daemon=True)
        t.start()
        threads.append(t)
        sent += 1
arrivals_end = time.monotonic()
for t in threads: t.join(timeout + 30)
wall = time.monotonic() - start

def pct(xs, p):
    if not xs: return "-"
    xs = sorted(xs)
    return f"{xs[max(0, -(-len(xs) * p // 100) - 1)]:.3f}"

for e in errors[:3]: print(f"error: {e}", file=sys.stderr)
for w in wrong[:3]: print(f"wrong answer: {w!r}", file=sys.stderr)
others = ",".join(f"{k}:{v}" for k, v in sorted(other.items())) or "none"
# FIELDS: sent arrival_s wall_s max_lag_s ok ok_p50 ok_p99 n503 p50_503 p99_503 max_503 no_retry_after
#         other_statuses errors wrong
print(sent, f"{arrivals_end - start:.2f}", f"{wall:.2f}", f"{lag:.3f}", len(ok_lat), pct(ok_lat, 50), pct(ok_lat, 99),
      len(busy_lat), pct(busy_lat, 50), pct(busy_lat, 99), pct(busy_lat, 100), no_retry[0], others, len(errors), len(wrong))
PY

start_server overload
hello_program warm >"$BENCH_WORK/warm.go"
code="$(curl -sS --max-time 60 -o "$BENCH_WORK/warm.json" -w '%{http_code}' -H 'Content-Type: text/plain' \
  --data-binary @"$BENCH_WORK/warm.go" "$SERVER_URL/compile")" || die "warm-up request failed"
if [[ "$code" != 200 ]] || ! check_compile_response "$BENCH_WORK/warm.json" warm; then
  die "warm-up: HTTP $code $(head -c 300 "$BENCH_WORK/warm.json")"
fi

# drive MODE X SECONDS NONCE : runs the driver; sets the F_* fields, CPU_SECONDS and WALL_SECONDS.
drive() {
  local out
  cpu_mark
  out="$(python3 "$BENCH_WORK/drive.py" "$1" "$SERVER_URL/compile" "$2" "$3" "$(nonce "$4")" "$TIMEOUT")" \
    || die "load driver failed ($1 $2)"
  cpu_elapsed
  read -r F_SENT F_ARRIVAL F_WALL F_LAG F_OK F_OK50 F_OK99 F_503 F_50350 F_50399 F_503MAX F_NORETRY F_OTHER F_ERR \
    F_WRONG <<<"$out"
}

say "sustainable rate: closed loop, $CLOSED_C in flight, ${SUSTAIN}s"
drive closed "$CLOSED_C" "$SUSTAIN" closed
if ((F_503 != 0 || F_ERR != 0 || F_WRONG != 0)) || [[ "$F_OTHER" != none ]]; then
  die "closed loop: $F_503 503s, $F_ERR errors, $F_WRONG wrong answers, other statuses: $F_OTHER"
fi
sustainable="$(ratio "$F_OK" "$F_WALL")"
say "sustainable: $F_OK verified runs in $F_WALL s = $sustainable runs/s, p50 $F_OK50 s, p99 $F_OK99 s," \
  "$(per_run "$CPU_SECONDS" "$F_OK") CPU-s per run"

declare -A row
bad=0
for f in $FACTORS; do
  sleep "$SETTLE"
  rate="$(awk -v s="$sustainable" -v f="$f" 'BEGIN { printf "%.2f", s * f }')"
  say "${f}x: open loop at $rate arrivals/s for ${DURATION}s ($(awk -v r="$rate" -v d="$DURATION" 'BEGIN { printf "%d", r * d }') requests)"
  drive open "$rate" "$DURATION" "open-$f"
  row[$f]="$(printf '%5sx %7s %6s %6s %7s %7s %7s %6s %7s %7s %7s %8s %6s %6s %6s %8s %7s %7s' "$f" "$rate" \
    "$F_SENT" "$F_OK" "$F_OK50" "$F_OK99" "$F_503" "$F_NORETRY" "$F_50350" "$F_50399" "$F_503MAX" "$F_OTHER" \
    "$F_ERR" "$F_WRONG" "$F_LAG" "$(per_run "$CPU_SECONDS" "$F_OK")" "$(proc_mib "$SERVER_PID" VmRSS)" \
    "$(proc_mib "$SERVER_PID" VmHWM)")"
  say "${f}x done in $F_WALL s (arrivals over $F_ARRIVAL s)"
  [[ "$F_OTHER" == none ]] || bad=1
  ((F_ERR == 0 && F_WRONG == 0 && F_NORETRY == 0)) || bad=1
done

echo
echo "Overload: server with default flags ($(nproc) CPUs: --workers $(nproc), --queue 100, --max-queue-wait 10s, --pool 2);"
echo "sustainable rate $sustainable runs/s (closed loop, $CLOSED_C in flight); each phase ${DURATION}s of evenly spaced arrivals"
printf '%6s %7s %6s %6s %7s %7s %7s %6s %7s %7s %7s %8s %6s %6s %6s %8s %7s %7s\n' load arr/s sent 200s \
  p50_200 p99_200 503s no_RA p50_503 p99_503 max_503 other errors wrong lag_s cpu/run rss_MiB hwm_MiB
for f in $FACTORS; do echo "${row[$f]}"; done
echo "  200s: verified answers (stdout exactly 'hello, bench <nonce>'); latencies in seconds from sending to the answer;"
echo "  no_RA: 503s without Retry-After; other: statuses other than 200/503; errors: refused/reset/timeouts (${TIMEOUT}s);"
echo "  lag_s: how late the driver sent its latest arrival; cpu/run: whole-machine busy CPU over the phase / 200s."
((bad == 0)) || die "overload produced other statuses, connection errors, wrong answers or 503s without Retry-After (see above)"
