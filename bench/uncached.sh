#!/usr/bin/env bash
# Uncached hello world, end to end, one request at a time: compilerd with its warm pool (--pool 2), compilerd
# without it (--pool 0), and the raw docker CLI with exactly the production isolation flags (asked from
# vm/compilerd-docker --dry-run) fed the runner's header directly. Every program is unique (it prints a nonce),
# so nothing is served from the cache; every answer is checked.
# Per mode: latency (median, p90, min, max) and CPU-seconds per run = whole-machine busy CPU (/proc/stat) over
# that mode's request windows / runs, nothing subtracted; the machine's idle CPU is measured alongside.
# --pool 0 and the raw CLI are measured interleaved in one loop (their ratio is the target's); the pool in its
# own loop first (its idle containers would otherwise be charged to the CLI's windows).
# Targets: pool p50 <= 0.9 s (issue 7); compilerd CPU per run <= 1.05x the raw CLI's (issue 12).
# Env: N (20) requests per mode, PAUSE (0.5) seconds before each request, BUDGET (300) seconds per loop,
#      IDLE (5) seconds per idle-baseline sample; QUIET_WAIT (0) seconds to wait for an idle machine first.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-20}"
PAUSE="${PAUSE:-0.5}"
BUDGET="${BUDGET:-300}"
IDLE="${IDLE:-5}"
readonly POOL=2

bench_init curl jq python3
cli_init

# Every program, header and answer file is written before or checked after the timed loops, so the loops hold
# only the requests themselves (and the pauses).
for mode in pool nopool cli; do
  mkdir -p "$BENCH_WORK/$mode"
  for i in $(seq 0 "$N") w1 w2; do
    if [[ "$mode" == cli ]]; then
      runner_header "$(nonce "$mode" "$i")" >"$BENCH_WORK/$mode/$i.header"
    else
      hello_program "$(nonce "$mode" "$i")" >"$BENCH_WORK/$mode/$i.go"
    fi
  done
done

# via_compilerd MODE I : one POST of a fresh program (post_compile: no process per request); prints its seconds;
# checks the status.
via_compilerd() {
  post_compile "$BENCH_WORK/$1/$2.go" "$BENCH_WORK/$1/$2.json"
  [[ "$POST_STATUS" == 200 ]] || die "$1 request $2: HTTP ${POST_STATUS:-no answer}: $(head -c 300 "$BENCH_WORK/$1/$2.json")"
  echo "$POST_SECONDS"
}

# via_cli MODE I : the runner protocol straight through the docker CLI; prints seconds (wall around sudo -n docker).
via_cli() { cli_run "$BENCH_WORK/$1/$2.header" "$BENCH_WORK/$1/$2.json"; }

# check MODE I : the answer to request I is a clean run that printed its own nonce.
check() {
  if [[ "$1" == cli ]]; then
    check_runner_result "$BENCH_WORK/$1/$2.json" "$(nonce "$1" "$2")"
  else
    check_compile_response "$BENCH_WORK/$1/$2.json" "$(nonce "$1" "$2")"
  fi || die "$1 request $2: unexpected answer: $(head -c 300 "$BENCH_WORK/$1/$2.json")"
}

# pause : waits PAUSE seconds without a process (sleep is not a builtin): a read that times out on a FIFO no one
# writes to.
mkfifo "$BENCH_WORK/pause"
exec {PAUSE_FD}<>"$BENCH_WORK/pause"
pause() { read -r -t "$PAUSE" -u "$PAUSE_FD" _ || true; }

declare -A CPU WALL RUNS
# measure MODE FUNCTION [MODE2 FUNCTION2] : per mode one uncounted, checked warm-up request (number 0; the pool
# two more, w1 and w2, at the loop's pace), then up to N timed ones into $BENCH_WORK/MODE.times. With two modes
# the loop interleaves them (A B, then B A, ...), so both see the same machine at the same time and their ratio
# holds no drift between sittings. The loop is cut into one window per request (pause + request), whose CPU goes
# to $BENCH_WORK/MODE.windows: the windows of all modes tile the loop, a mode's CPU is the sum of its windows and
# its wall time the sum of their lengths. With a pool, the loop starts and ends with the pool settled at the same
# number of waiting containers (the last window also holds the final refill), so it holds exactly one container
# start per run. Inside the loop only builtins run besides the requests (no fork lands in a window). The median
# window shows a burst from elsewhere that total/N hides.
measure() {
  local modes=("$1") fns=("$2") i k t0="$SECONDS" mode order w
  if (($# == 4)); then modes+=("$3") fns+=("$4"); fi
  local -A ticks=() micros=() windows=()
  for k in "${!modes[@]}"; do
    mode="${modes[k]}"
    "${fns[k]}" "$mode" 0 >/dev/null
    check "$mode" 0
    : >"$BENCH_WORK/$mode.times"
    ticks[$mode]=0 micros[$mode]=0 windows[$mode]=""
  done
  if [[ "${modes[0]}" == pool ]]; then
    # Two more warm-ups at the loop's pace: the pool sizes itself to the request rate, so the loop starts with as many
    # warm containers as it keeps at this pace, and ends with as many.
    for w in w1 w2; do
      pause
      via_compilerd pool "$w" >/dev/null
      check pool "$w"
    done
    POOL_WARM="$(wait_pool_settled any)" || die "the pool did not settle"
  fi
  cpu_mark
  for ((i = 1; i <= N; i++)); do
    if ((SECONDS - t0 > BUDGET)); then
      say "${modes[*]}: time budget of ${BUDGET}s used up after $((i - 1)) requests each"
      break
    fi
    order=("${!modes[@]}")
    if ((${#modes[@]} == 2 && i % 2 == 0)); then order=(1 0); fi
    for k in "${order[@]}"; do
      mode="${modes[k]}"
      pause
      "${fns[k]}" "$mode" "$i" >>"$BENCH_WORK/$mode.times"
      window_end "$mode"
    done
  done
  if [[ "${modes[0]}" == pool ]]; then
    # Its polls (curl and awk every 0.1 s, until the last refill is ready) land in the last window: a few ms per loop.
    wait_pool_settled "$POOL_WARM" >/dev/null || die "the pool did not settle at $POOL_WARM waiting containers again"
    window_end pool extend # the final refill belongs to the last run
  fi
  for mode in "${modes[@]}"; do
    for w in ${windows[$mode]}; do ticks_to_seconds "$w"; echo; done >"$BENCH_WORK/$mode.windows"
    RUNS[$mode]="$(wc -l <"$BENCH_WORK/$mode.times")"
    CPU[$mode]="$(ticks_to_seconds "${ticks[$mode]}")"
    WALL[$mode]="$(micros_to_seconds "${micros[$mode]}")"
    for ((i = 1; i <= ${RUNS[$mode]}; i++)); do check "$mode" "$i"; done
    say "$mode: ${RUNS[$mode]} requests, all answers verified; ${CPU[$mode]} CPU-s over ${WALL[$mode]} s"
  done
}

# window_end MODE [extend] : charges the CPU and wall time since the last mark to MODE (a new window, or with
# "extend" added to its last one) and marks again; builtins only. Uses measure's ticks, micros and windows.
window_end() {
  local us="${EPOCHREALTIME//[!0-9]/}" dt ws
  cpu_read
  dt=$((CPU_TICKS - CPU_MARK_TICKS))
  ticks[$1]=$((ticks[$1] + dt))
  micros[$1]=$((micros[$1] + us - CPU_MARK_US))
  read -r -a ws <<<"${windows[$1]}"
  if [[ "${2:-}" == extend && ${#ws[@]} -gt 0 ]]; then ws[-1]=$((ws[-1] + dt)); else ws+=("$dt"); fi
  windows[$1]="${ws[*]}"
  CPU_MARK_TICKS="$CPU_TICKS" CPU_MARK_US="$us"
}

say "N=$N sequential requests per mode, ${PAUSE}s pause before each (lets the pool refill), 1 warm-up each (3 for the pool)"
wait_quiet
say "idle baseline: ${IDLE}s with no server"
idle_machine="$(idle_cpu "$IDLE")"
start_server pool --pool "$POOL"
warm="$(wait_pool_settled any)" || die "the pool did not settle"
say "idle baseline: ${IDLE}s with compilerd --pool $POOL idle, no traffic yet ($warm warm container(s))"
idle_pool_cold="$(idle_cpu "$IDLE")"
measure pool via_compilerd
# Right after its loop the pool still holds what the loop's pace wanted (a surplus goes only after
# --pool-surplus-idle): the idle rate its loop ran beside.
say "idle baseline: ${IDLE}s with compilerd --pool $POOL idle right after its loop ($POOL_WARM warm container(s))"
idle_pool="$(idle_cpu "$IDLE")"
stop_server "$SERVER_PID"
start_server nopool --pool 0
say "idle baseline: ${IDLE}s with compilerd --pool 0 idle"
idle_nopool="$(idle_cpu "$IDLE")"
say "compilerd --pool 0 interleaved with the raw CLI: $(cli_command) (runner header on stdin)"
measure nopool via_compilerd cli via_cli
stop_server "$SERVER_PID"
say "idle baseline: ${IDLE}s with no server, after the runs"
idle_after="$(idle_cpu "$IDLE")"

label() {
  case "$1" in
    pool) echo "compilerd --pool $POOL" ;;
    nopool) echo "compilerd --pool 0" ;;
    cli) echo "raw docker run CLI" ;;
  esac
}

echo
echo "Uncached hello world, end to end, seconds (each answer checked for its own 'hello, bench <nonce>')"
printf '  %-26s %5s %8s %8s %8s %8s\n' mode n median p90 min max
declare -A median
for mode in pool nopool cli; do
  read -r p50 p90 min max <<<"$(median_p90_min_max "$BENCH_WORK/$mode.times")"
  median[$mode]="$p50"
  printf '  %-26s %5s %8s %8s %8s %8s\n' "$(label "$mode")" "${RUNS[$mode]}" "$p50" "$p90" "$min" "$max"
done
echo "Ratios of medians"
printf '  %-26s %8s\n' "pool / raw CLI" "$(ratio "${median[pool]}" "${median[cli]}")"
printf '  %-26s %8s\n' "no pool / raw CLI" "$(ratio "${median[nopool]}" "${median[cli]}")"
printf '  %-26s %8s\n' "pool / no pool" "$(ratio "${median[pool]}" "${median[nopool]}")"
printf '  %-26s %8s s  target <= 0.9 s: %s\n' "pool median" "${median[pool]}" \
  "$(verdict "$(awk -v m="${median[pool]}" 'BEGIN { print (m <= 0.9) }')")"
echo "  (sequential with a ${PAUSE}s pause before each request, so the pool has refilled: single-user latency, not load)"

echo
echo "CPU-seconds per uncached run = whole-machine busy CPU over that mode's request windows / runs (nothing subtracted;"
echo "--pool 0 and the raw CLI interleaved in one loop, the pool in its own loop before)"
printf '  %-24s %4s %7s %7s %8s %9s %8s %8s %10s %7s\n' mode runs loop_s cpu_s cpu/run ceiling/s win_p50 win_max \
  idle_share vs_CLI
declare -A cpr win_p50 idle_rate=([pool]="$idle_pool" [nopool]="$idle_nopool" [cli]="$idle_nopool")
bursty=()
for mode in pool nopool cli; do
  cpr[$mode]="$(per_run "${CPU[$mode]}" "${RUNS[$mode]}")"
done
for mode in pool nopool cli; do
  read -r p50 _ _ wmax <<<"$(median_p90_min_max "$BENCH_WORK/$mode.windows")"
  win_p50[$mode]="$p50"
  # idle_share: what this mode's own idle rate alone would have cost per run over the same loop.
  share="$(awk -v r="${idle_rate[$mode]}" -v w="${WALL[$mode]}" -v n="${RUNS[$mode]}" 'BEGIN { printf "%.3f", r * w / n }')"
  printf '  %-24s %4s %7s %7s %8s %9s %8s %8s %10s %7s\n' "$(label "$mode")" "${RUNS[$mode]}" "${WALL[$mode]}" \
    "${CPU[$mode]}" "${cpr[$mode]}" "$(ceiling "${cpr[$mode]}")" "$p50" "$wmax" "$share" \
    "$(ratio "${cpr[$mode]}" "${cpr[cli]}")"
  if awk -v c="${cpr[$mode]}" -v m="$p50" 'BEGIN { exit !(c > 1.1 * m) }'; then bursty+=("$(label "$mode")"); fi
done
for mode in pool nopool; do
  r="$(ratio "${cpr[$mode]}" "${cpr[cli]}")"
  printf '  %-30s %6s    target <= 1.05: %s   (ratio of median windows: %s)\n' "$(label "$mode") / raw CLI" "$r" \
    "$(verdict "$(awk -v r="$r" 'BEGIN { print (r <= 1.05) }')")" "$(ratio "${win_p50[$mode]}" "${win_p50[cli]}")"
done
echo "  ceiling/s = $(nproc) CPUs / CPU per run: the most uncached runs per second this machine could sustain"
echo "  win_p50, win_max: CPU of the mode's per-request windows (pause + request), which sum to its cpu_s"
echo "  idle_share = that mode's idle rate (below; for the CLI, the idle --pool 0 server's, which runs beside it)"
echo "  x loop_s / runs: background included in cpu/run, not subtracted"
echo "  Counted: everything on the machine during the loop (JVM, sudo, docker CLI, dockerd, containerd, runsc,"
echo "  the build, this script's client, the pool's refills and idle containers, and any other tenant)."
echo "Idle baseline, busy CPU-seconds per second (cores busy while nothing is requested)"
printf '  %-44s %8s\n' "machine, no server (before the runs)" "$idle_machine" \
  "compilerd --pool $POOL idle, no traffic yet" "$idle_pool_cold" \
  "compilerd --pool $POOL idle, after its loop" "$idle_pool" \
  "compilerd --pool 0 idle" "$idle_nopool" \
  "machine, no server (after the runs)" "$idle_after"
if awk -v a="$idle_machine" -v b="$idle_after" 'BEGIN { exit !(a > 0.1 || b > 0.1) }'; then
  echo "WARNING: the machine was busy without us (> 0.1 cores): another tenant's work is in the CPU figures; run again"
fi
if ((${#bursty[@]})); then
  echo "WARNING: cpu/run > 1.1x the median window for: ${bursty[*]}: a burst (likely from another tenant) inflated"
  echo "  the total; compare the ratio of median windows, or run again"
fi
