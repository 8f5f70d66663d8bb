#!/usr/bin/env bash
# The shared cache tier (issue 11): latency of a hit on the shared tier vs a hit on the local tier vs an
# uncached run. A private redis-server (Debian's, no persistence, a free loopback port) is the shared store;
# servers A and B both use it (--shared-cache redis://127.0.0.1:PORT) with distinct container prefixes.
#   1. N unique hello worlds on A, one at a time:           uncached runs (A runs them, writes the store)
#   2. the same N on B, whose local cache is empty:         shared-tier hits
#   3. the same N on B again:                               local-tier hits
# Prints median/p90/min/max per tier in ms (curl's time_total) and checks every answer: 200, the program's own
# line, and B's answers identical to A's. Also checks that the tier did its job: the store holds A's results,
# B's lookups hit it (the store's keyspace_hits), and B ran no program itself (its run histogram); fails if not.
# Env: N (20) programs, PAUSE (0.5) seconds before each uncached request so A's pool has refilled.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-20}"
PAUSE="${PAUSE:-0.5}"

bench_init curl jq python3 redis-server
command -v redis-cli >/dev/null || die "redis-cli is missing (Debian's redis-tools)"
java -jar "$BENCH_WORK/compilerd.jar" --help | grep -q -- '--shared-cache=' \
  || die "this compilerd has no --shared-cache flag yet"

start_redis redis-server redis-cli
store="redis://127.0.0.1:$REDIS_PORT"
start_server a --shared-cache "$store"
A_URL="$SERVER_URL" A_PID="$SERVER_PID"
start_server b --shared-cache "$store"
B_URL="$SERVER_URL" B_PID="$SERVER_PID"

for tier in uncached shared local; do mkdir -p "$BENCH_WORK/$tier"; done
for ((i = 0; i <= N; i++)); do hello_program "$(nonce shared "$i")" >"$BENCH_WORK/$i.go"; done

# post URL TIER I : POSTs program I, keeps the answer in TIER/I.json, appends curl's time_total in ms to TIER.times.
post() {
  local out
  out="$(curl -sS --max-time 60 -o "$BENCH_WORK/$2/$3.json" -w '%{http_code} %{time_total}' \
    -H 'Content-Type: text/plain' --data-binary @"$BENCH_WORK/$3.go" "$1/compile")" || die "$2 request $3: curl failed"
  [[ "${out% *}" == 200 ]] || die "$2 request $3: HTTP ${out% *}: $(head -c 300 "$BENCH_WORK/$2/$3.json")"
  [[ "$3" == 0 ]] || awk -v s="${out#* }" 'BEGIN { printf "%.3f\n", s * 1000 }' >>"$BENCH_WORK/$2.times"
}

# runs_of URL : how many programs that server has run in its sandbox (its run-duration histogram's count).
runs_of() {
  curl -fsS --max-time 5 "$1/metrics" | awk '$1 == "compilerd_run_duration_seconds_count" { printf "%d", $2 }'
}

# keyspace_hits : the store's count of lookups that found a key.
keyspace_hits() { redis_cmd info stats | tr -d '\r' | awk -F: '$1 == "keyspace_hits" { print $2 }'; }

# wait_keys WANT : waits up to 10 s for the store to hold WANT keys (a write may land after the answer).
wait_keys() {
  local i
  for ((i = 0; i < 100; i++)); do
    (($(redis_cmd dbsize) >= $1)) && return 0
    sleep 0.1
  done
  return 1
}

say "warm-up (program 0, not counted): A uncached, then B twice"
sleep "$PAUSE"
post "$A_URL" uncached 0
wait_keys 1 || say "WARNING: the store holds no key after A's first run"
post "$B_URL" shared 0
post "$B_URL" local 0
b_runs_before="$(runs_of "$B_URL")"

say "1. $N unique programs on A (uncached, ${PAUSE}s pause before each)"
for ((i = 1; i <= N; i++)); do
  sleep "$PAUSE"
  post "$A_URL" uncached "$i"
done
keys_wanted=$((N + 1))
wait_keys "$keys_wanted" || say "WARNING: the store holds $(redis_cmd dbsize) keys, not $keys_wanted, 10 s after A's runs"
keys="$(redis_cmd dbsize)"
hits_before="$(keyspace_hits)"
say "2. the same $N on B (its local cache does not have them: shared-tier hits)"
for ((i = 1; i <= N; i++)); do post "$B_URL" shared "$i"; done
hits_after="$(keyspace_hits)"
say "3. the same $N on B again (local-tier hits)"
for ((i = 1; i <= N; i++)); do post "$B_URL" local "$i"; done
b_runs=$(($(runs_of "$B_URL") - b_runs_before))

for ((i = 0; i <= N; i++)); do
  id="$(nonce shared "$i")"
  for tier in uncached shared local; do
    check_compile_response "$BENCH_WORK/$tier/$i.json" "$id" \
      || die "$tier answer $i is wrong: $(head -c 300 "$BENCH_WORK/$tier/$i.json")"
  done
  for tier in shared local; do
    [[ "$(jq -cS . "$BENCH_WORK/$tier/$i.json")" == "$(jq -cS . "$BENCH_WORK/uncached/$i.json")" ]] \
      || die "B's $tier answer $i differs from A's: $(head -c 300 "$BENCH_WORK/$tier/$i.json")"
  done
done

echo
echo "Shared cache tier: latency per request, milliseconds (curl time_total; sequential; every answer checked)"
printf '  %-36s %5s %8s %8s %8s %8s\n' tier n median p90 min max
declare -A median
for tier in uncached shared local; do
  read -r p50 p90 min max <<<"$(median_p90_min_max "$BENCH_WORK/$tier.times")"
  median[$tier]="$p50"
  case "$tier" in
    uncached) label="uncached run (server A)" ;;
    shared) label="shared-tier hit (server B, 1st time)" ;;
    local) label="local-tier hit (server B, 2nd time)" ;;
  esac
  printf '  %-36s %5s %8s %8s %8s %8s\n' "$label" "$(wc -l <"$BENCH_WORK/$tier.times")" "$p50" "$p90" "$min" "$max"
done
printf '  %-36s %8s\n' "median shared / local" "$(ratio "${median[shared]}" "${median[local]}")" \
  "median uncached / shared" "$(ratio "${median[uncached]}" "${median[shared]}")"
echo "Did the shared tier do its job?"
printf '  %-52s %6s (want >= %s)\n' "keys in the store after A's runs" "$keys" "$keys_wanted"
printf '  %-52s %6s (want >= %s)\n' "store lookups that found a key during B's first pass" "$((hits_after - hits_before))" "$N"
printf '  %-52s %6s (want 0)\n' "programs B ran in its own sandbox (counted passes)" "$b_runs"
printf '  %-52s %6s / %s MiB\n' "RSS (VmRSS / VmHWM) of A" "$(proc_mib "$A_PID" VmRSS)" "$(proc_mib "$A_PID" VmHWM)"
printf '  %-52s %6s / %s MiB\n' "RSS (VmRSS / VmHWM) of B" "$(proc_mib "$B_PID" VmRSS)" "$(proc_mib "$B_PID" VmHWM)"
if ((keys < keys_wanted || hits_after - hits_before < N || b_runs > 0)); then
  die "the shared tier was not in effect (see above): the 'shared-tier hit' row timed something else"
fi
