#!/usr/bin/env bash
# Uncached hello world, end to end, one request at a time: compilerd with its warm pool (--pool 2), compilerd
# without it (--pool 0), and the raw `sudo -n docker run` CLI fed the runner's header directly. Every program
# is unique (it prints a nonce), so nothing is served from the cache; every answer is checked.
# Target (issue 7): pool p50 <= 0.9 s.
# Env: N (20) requests per mode, PAUSE (0.5) seconds before each request, BUDGET (300) seconds per mode.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-20}"
PAUSE="${PAUSE:-0.5}"
BUDGET="${BUDGET:-300}"

bench_init curl jq python3

# via_compilerd MODE I : one POST of a fresh program; prints seconds (curl's time_total).
via_compilerd() {
  local id program="$BENCH_WORK/prog.go" answer="$BENCH_WORK/answer.json" out
  id="$(nonce "$1" "$2")"
  hello_program "$id" >"$program"
  out="$(curl -sS --max-time 60 -o "$answer" -w '%{http_code} %{time_total}' \
    -H 'Content-Type: text/plain' --data-binary @"$program" "$SERVER_URL/compile")" || die "$1: curl failed"
  if [[ "${out% *}" != 200 ]] || ! check_compile_response "$answer" "$id"; then
    die "$1 request $2: unexpected answer: $out $(head -c 300 "$answer")"
  fi
  echo "${out#* }"
}

# via_cli MODE I : the runner protocol straight through the docker CLI, same limits as compilerd; prints seconds.
via_cli() {
  local id name start end result="$BENCH_WORK/result.json"
  id="$(nonce "$1" "$2")"
  name="bench-cli-$$-$2"
  hello_program "$id" | python3 -c 'import json, sys
print(json.dumps({"files": {"prog.go": sys.stdin.read()}, "vet": False,
                  "buildTimeoutMs": 10000, "runTimeoutMs": 5000, "outputLimit": 131072}))' >"$BENCH_WORK/header.json"
  start="$(date +%s%N)"
  if ! timeout 60 sudo -n docker run -i --rm --name "$name" --runtime=runsc --network=none --memory=512m \
    --memory-swap=512m --pids-limit=128 --cpus=1 --read-only --tmpfs /tmp:rw,exec,nosuid,nodev,size=134217728 \
    --cap-drop=ALL --security-opt=no-new-privileges --user 65534:65534 --log-driver=none "$BENCH_IMAGE" \
    <"$BENCH_WORK/header.json" >"$result"; then
    sudo -n docker rm -f "$name" >/dev/null 2>&1 || true
    die "$1 request $2: docker run failed"
  fi
  end="$(date +%s%N)"
  # The runner prints a ready line, then one JSON result whose stdout is base64 of playback-framed bytes.
  python3 - "$result" "hello, bench $id" <<'PY' || die "$1 request $2: unexpected runner result: $(head -c 300 "$result")"
import base64, json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
ok = r["phase"] == "run" and r["exitCode"] == 0 and (sys.argv[2] + "\n").encode() in base64.b64decode(r["stdout"])
sys.exit(0 if ok else 1)
PY
  awk -v ns="$((end - start))" 'BEGIN { printf "%.6f\n", ns / 1e9 }'
}

# measure MODE FUNCTION : one uncounted warm-up request, then N timed ones into $BENCH_WORK/MODE.times.
measure() {
  local mode="$1" fn="$2" i t0="$SECONDS"
  "$fn" "$mode" warmup >/dev/null
  : >"$BENCH_WORK/$mode.times"
  for ((i = 1; i <= N; i++)); do
    if ((SECONDS - t0 > BUDGET)); then
      say "$mode: time budget of ${BUDGET}s used up after $((i - 1)) requests"
      break
    fi
    sleep "$PAUSE"
    "$fn" "$mode" "$i" >>"$BENCH_WORK/$mode.times"
  done
  say "$mode: $(wc -l <"$BENCH_WORK/$mode.times") requests, all answers verified"
}

say "N=$N sequential requests per mode, ${PAUSE}s pause before each (lets the pool refill), 1 warm-up each"
start_server pool --pool 2
measure pool via_compilerd
stop_server "$SERVER_PID"
start_server nopool --pool 0
measure nopool via_compilerd
stop_server "$SERVER_PID"
say "raw CLI: sudo -n docker run -i --rm --runtime=runsc ... $BENCH_IMAGE (runner header on stdin)"
measure cli via_cli

echo
echo "Uncached hello world, end to end, seconds (each answer checked for its own 'hello, bench <nonce>')"
printf '  %-26s %5s %8s %8s %8s %8s\n' mode n median p90 min max
declare -A median
for mode in pool nopool cli; do
  read -r p50 p90 min max <<<"$(median_p90_min_max "$BENCH_WORK/$mode.times")"
  median[$mode]="$p50"
  case "$mode" in
    pool) label="compilerd --pool 2" ;;
    nopool) label="compilerd --pool 0" ;;
    cli) label="raw docker run CLI" ;;
  esac
  printf '  %-26s %5s %8s %8s %8s %8s\n' "$label" "$(wc -l <"$BENCH_WORK/$mode.times")" "$p50" "$p90" "$min" "$max"
done
echo "Ratios of medians"
printf '  %-26s %8s\n' "pool / raw CLI" "$(ratio "${median[pool]}" "${median[cli]}")"
printf '  %-26s %8s\n' "no pool / raw CLI" "$(ratio "${median[nopool]}" "${median[cli]}")"
printf '  %-26s %8s\n' "pool / no pool" "$(ratio "${median[pool]}" "${median[nopool]}")"
printf '  %-26s %8s s  target <= 0.9 s: %s\n' "pool median" "${median[pool]}" \
  "$(verdict "$(awk -v m="${median[pool]}" 'BEGIN { print (m <= 0.9) }')")"
echo "  (sequential with a ${PAUSE}s pause before each request, so the pool has refilled: single-user latency, not load)"
