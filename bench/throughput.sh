#!/usr/bin/env bash
# Uncached throughput: compilerd with its defaults (--workers = CPUs), but a fixed pool of 2 (--pool 2 --pool-min 2:
# under load the pool wants its maximum anyway, and a fixed size makes every level start and end with the same
# number of warm containers, so a level holds exactly the starts its runs caused); at each concurrency C,
# PER_LEVEL unique hello worlds with C requests in flight at once (C bash workers posting over /dev/tcp, no
# process per request). Every answer is checked; 503s and other
# failures are counted, not hidden. Per level: runs/s, latencies, RSS, and CPU-seconds per run (whole-machine
# busy CPU over the level, from the first request until the pool has settled again, / verified runs), the ceiling
# it implies (CPUs / CPU per run) and runs/s against it; and against the raw CLI's ceiling, measured first
# (CLI_N sequential runs of the raw docker CLI with the production flags, before the server starts), and the
# raw CLI's own runs/s and CPU per run at each level (PER_LEVEL runs with C in flight, also before the server).
# Target (issue 12): at 4-8 in flight, runs/s >= 0.9x the ceiling.
# Env: LEVELS ("1 2 4 8"), PER_LEVEL (16), SETTLE (2) seconds between levels so the pool refills, POOL (2),
#      CLI_N (6) sequential raw-CLI runs (0 = skip the raw CLI), QUIET_WAIT (0) seconds to wait for an idle
#      machine first.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LEVELS="${LEVELS:-1 2 4 8}"
PER_LEVEL="${PER_LEVEL:-16}"
SETTLE="${SETTLE:-2}"
CLI_N="${CLI_N:-6}"
POOL="${POOL:-2}"
readonly TARGET=0.9

bench_init curl jq python3
wait_quiet
idle_before="$(idle_cpu 3)"
say "idle baseline: 3 s with no server: $idle_before cores busy"

# The raw CLI, before the server (and its idle pool) exists: CLI_N sequential runs (its CPU per run and the ceiling
# that implies), then at every level PER_LEVEL runs with C in flight (runs/s and CPU per run under the same load).
cli_cpr=""
declare -A cli_rps cli_level_cpr
# cli_batch DIR C COUNT : COUNT raw-CLI runs (headers written first), C in flight (C=1 in the foreground, as in
# uncached.sh); waits for every run even after one failed, so none is left running; checks every result; sets
# CPU_SECONDS and WALL_SECONDS over the runs.
cli_batch() {
  local dir="$1" c="$2" count="$3" i failed=0
  mkdir -p "$dir"
  for ((i = 1; i <= count; i++)); do runner_header "$(nonce "${dir##*/}" "$i")" >"$dir/$i.header"; done
  cpu_mark
  for ((i = 1; i <= count; i++)); do
    if ((c == 1)); then
      cli_run "$dir/$i.header" "$dir/$i.json" >/dev/null
      continue
    fi
    if ((i > c)); then wait -n || failed=$((failed + 1)); fi
    cli_run "$dir/$i.header" "$dir/$i.json" >/dev/null &
  done
  for ((i = 0; c > 1 && i < (count < c ? count : c); i++)); do wait -n || failed=$((failed + 1)); done
  cpu_elapsed
  ((failed == 0)) || die "raw CLI: $failed of $count runs failed at C=$c"
  for ((i = 1; i <= count; i++)); do
    check_runner_result "$dir/$i.json" "$(nonce "${dir##*/}" "$i")" \
      || die "raw CLI run $i (C=$c): unexpected result: $(head -c 300 "$dir/$i.json")"
  done
}
if ((CLI_N > 0)); then
  cli_init
  cli_batch "$BENCH_WORK/cli-warm" 1 1 # warm-up, not counted
  cli_batch "$BENCH_WORK/cli" 1 "$CLI_N"
  cli_cpr="$(per_run "$CPU_SECONDS" "$CLI_N")"
  say "raw CLI: $CLI_N sequential runs, all verified: $CPU_SECONDS CPU-s over $WALL_SECONDS s = $cli_cpr CPU-s per run," \
    "ceiling $(ceiling "$cli_cpr") runs/s"
  for c in $LEVELS; do
    sleep "$SETTLE"
    cli_batch "$BENCH_WORK/cli-c$c" "$c" "$PER_LEVEL"
    cli_rps[$c]="$(ratio "$PER_LEVEL" "$WALL_SECONDS")"
    cli_level_cpr[$c]="$(per_run "$CPU_SECONDS" "$PER_LEVEL")"
    say "raw CLI, C=$c: $PER_LEVEL runs, all verified: ${cli_rps[$c]} runs/s, ${cli_level_cpr[$c]} CPU-s per run"
  done
fi

pool_flags=(--pool "$POOL")
if ((POOL > 0)); then pool_flags+=(--pool-min "$POOL"); fi
start_server tput "${pool_flags[@]}"

# prepare_level DIR NONCE COUNT : writes the level's COUNT unique programs (before its window opens).
prepare_level() {
  local i
  mkdir -p "$1"
  for ((i = 0; i < $3; i++)); do hello_program "$2-$i" >"$1/$i.go"; done
}

# load DIR C COUNT : posts DIR's programs with C workers in flight, each over bash's /dev/tcp (post_compile:
# builtins only, so the driver costs C forks per level, not a process per request or an interpreter); a worker
# that is free claims the next unclaimed program by creating its claim file exclusively (noclobber, a builtin),
# so no worker idles while programs are left; writes "i status seconds" per request to DIR/w<w>.tsv; sets
# LOAD_WALL (seconds).
load() {
  local dir="$1" c="$2" count="$3" w start end workers=()
  start="${EPOCHREALTIME//[!0-9]/}"
  for ((w = 0; w < c && w < count; w++)); do
    (
      set -o noclobber
      for ((i = 0; i < count; i++)); do
        if ! { true >"$dir/$i.claim"; } 2>/dev/null; then continue; fi # another worker has it
        post_compile "$dir/$i.go" "$dir/$i.json"
        echo "$i ${POST_STATUS:-none} $POST_SECONDS" >>"$dir/w$w.tsv"
      done
    ) &
    workers+=("$!")
  done
  for w in "${workers[@]}"; do # the workers only (the server is a background job of this shell too); one that
    wait "$w" || true           # died early leaves programs without an answer, which tally counts as failed
  done
  end="${EPOCHREALTIME//[!0-9]/}"
  seconds_of LOAD_WALL "$((end - start))"
}

# tally DIR NONCE COUNT : after a level (outside its window), checks every answer; prints "ok n503 failed median_s p90_s
# max_s" and the first few failures on stderr.
tally() {
  local dir="$1" i status secs ok=0 n503=0 failed=0 p50 p90 max
  local -A answered=()
  while read -r i status secs; do
    answered[$i]=1
    echo "$secs" >>"$dir/latency"
    if [[ "$status" == 200 ]] && check_compile_response "$dir/$i.json" "$2-$i"; then
      ok=$((ok + 1))
    elif [[ "$status" == 503 ]]; then
      n503=$((n503 + 1))
    else
      failed=$((failed + 1))
      ((failed > 3)) || printf 'failure: request %s: status %s: %s\n' "$i" "$status" "$(head -c 200 "$dir/$i.json")" >&2
    fi
  done < <(cat "$dir"/w*.tsv 2>/dev/null)
  for ((i = 0; i < $3; i++)); do # claimed or not, a program with no recorded answer is a failure
    if [[ -z "${answered[$i]:-}" ]]; then
      failed=$((failed + 1))
      ((failed > 3)) || printf 'failure: request %s: no answer recorded (the worker stopped)\n' "$i" >&2
    fi
  done
  [[ -s "$dir/latency" ]] || echo 0 >"$dir/latency"
  read -r p50 p90 _ max <<<"$(median_p90_min_max "$dir/latency")"
  echo "$ok $n503 $failed $p50 $p90 $max"
}

say "levels: $LEVELS; $PER_LEVEL unique programs per level; ${SETTLE}s pause between levels"
fmt='%4s %5s %7s %7s %4s %4s %6s %8s %6s %6s %8s %8s %6s %6s %8s %8s %8s\n'
# shellcheck disable=SC2059 # one format for the header and the rows
printf "$fmt" C sent wall_s runs/s ok 503 failed median_s p90_s max_s cpu/run ceiling x_ceil x_cli cli_rps cpu_vsCLI \
  rss_MiB
failures=0
declare -A x_ceil x_cli
level=0
for c in $LEVELS; do
  sleep "$SETTLE"
  level=$((level + 1)) # a level's position keeps its files and programs apart from a repeated C's
  level_dir="$BENCH_WORK/level-$level-c$c" level_nonce="$(nonce "$level" c "$c")"
  prepare_level "$level_dir" "$level_nonce" "$PER_LEVEL"
  wait_pool_settled "$POOL" >/dev/null || die "the pool did not settle before C=$c"
  cpu_mark
  load "$level_dir" "$c" "$PER_LEVEL"
  # The level ends when the pool has settled again: the refills its runs caused are part of their cost.
  wait_pool_settled "$POOL" >/dev/null || die "the pool did not settle after C=$c"
  cpu_elapsed
  wall="$(awk -v w="$LOAD_WALL" 'BEGIN { printf "%.2f", w }')"
  read -r ok n503 failed p50 p90 max <<<"$(tally "$level_dir" "$level_nonce" "$PER_LEVEL")"
  rps="$(ratio "$ok" "$wall")"
  cpr="$(per_run "$CPU_SECONDS" "$ok")"
  x_ceil[$c]="$(ratio "$rps" "$(ceiling "$cpr")")"
  x_cli[$c]="n/a" cpu_vs_cli="n/a"
  if [[ -n "$cli_cpr" ]]; then
    x_cli[$c]="$(ratio "$rps" "$(ceiling "$cli_cpr")")"
    cpu_vs_cli="$(ratio "$cpr" "${cli_level_cpr[$c]}")"
  fi
  # shellcheck disable=SC2059
  printf "$fmt" "$c" "$PER_LEVEL" "$wall" "$rps" "$ok" "$n503" "$failed" "$p50" "$p90" "$max" "$cpr" \
    "$(ceiling "$cpr")" "${x_ceil[$c]}" "${x_cli[$c]}" "${cli_rps[$c]:-n/a}" "$cpu_vs_cli" \
    "$(proc_mib "$SERVER_PID" VmRSS)"
  failures=$((failures + n503 + failed))
done
idle_after="$(idle_cpu 3)"
echo
echo "runs/s counts only verified answers (200, Errors empty, stdout exactly 'hello, bench <nonce>'), over the load's wall time."
echo "cpu/run: whole-machine busy CPU (/proc/stat) from the level's first request until the pool had settled again, / ok;"
echo "  nothing subtracted (the load driver, the idle pool and any other tenant count too)."
echo "ceiling = $(nproc) CPUs / cpu/run of the same level; x_ceil = runs/s / ceiling (= the machine's CPU utilisation"
echo "  over the load); x_cli = runs/s / the raw CLI's ceiling (${cli_cpr:-not measured} CPU-s per run, measured above)."
echo "cli_rps: the raw CLI's runs/s at the same C (measured above, no server); cpu_vsCLI = cpu/run / the raw CLI's"
echo "  CPU per run at the same C (CPU per run grows with C for both: dockerd, containerd and runsc contend)."
for c in $LEVELS; do
  ((c >= 4 && c <= 8)) || continue
  printf '  C=%-3s runs/s vs ceiling %5s  target >= %s: %s;  vs raw-CLI ceiling %5s: %s\n' "$c" "${x_ceil[$c]}" \
    "$TARGET" "$(verdict "$(awk -v x="${x_ceil[$c]}" -v t="$TARGET" 'BEGIN { print (x >= t) }')")" "${x_cli[$c]}" \
    "$(verdict "$(awk -v x="${x_cli[$c]}" -v t="$TARGET" 'BEGIN { print (x != "n/a" && x >= t) }')")"
done
echo "idle baseline, cores busy: $idle_before before (no server), $idle_after after the levels (server idle, pool settled)"
if awk -v a="$idle_before" -v b="$idle_after" 'BEGIN { exit !(a > 0.1 || b > 0.1) }'; then
  echo "  WARNING: the machine was busy without us (> 0.1 cores): another tenant's work is in the CPU figures; run again"
fi
echo "server: $(nproc) CPUs, default --workers (= CPUs) and ${pool_flags[*]}"
printf 'server RSS at the end: %s MiB, peak (VmHWM): %s MiB\n' \
  "$(proc_mib "$SERVER_PID" VmRSS)" "$(proc_mib "$SERVER_PID" VmHWM)"
((failures == 0)) || die "$failures request(s) got a 503 or failed (see above)"
