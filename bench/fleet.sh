#!/usr/bin/env bash
# The fleet in miniature (issue 23): SERVERS compilerd servers behind HAProxy, sharing one Valkey, each with a short
# random lifetime, under an open-loop load for DURATION seconds; nothing a user sends may be lost.
#   - Servers: each its own port and container prefix, lifetime LIFETIME_MIN..LIFETIME_MAX s (then a turn to retire
#     from the fleet, one server at a time, RETIRE_TURN s each, or RETIRE_TURN_WAIT s past it), lameduck LAMEDUCK s,
#     the default drain, and a halt command that tells this script's supervisor loop (standing in for the managed
#     instance group) it halted: the supervisor starts a replacement on a fresh port and adds it to HAProxy once
#     its /healthz answers 200, and takes a server that exited out (maintenance).
#   - HAProxy (Debian's) checks /healthz with terraform's LB health check scaled by LAMEDUCK / terraform's lameduck
#     (so lameduck outlasts detection by the same margin as in production), and retries a 503 or a refused
#     connection on another server (retry-on 503 conn-failure, option redispatch): what the README asks of a
#     frontend. Nothing else is retried, so a request a server accepted and then dropped is a failure here.
#   - Valkey (valkey-server from bookworm-backports, which vm/startup.sh adds from the machine's own mirror) is the
#     shared tier of every server.
#   - Load (bench/fleet.py): Poisson arrivals of repeats of REPEATS programs (RATE_REPEAT/s: local and shared-tier
#     hits; the i-th is asked for from i x REPEAT_INTRO s on, so their first runs do not all come at once), unique
#     programs (RATE_UNIQUE/s: runs), every BURST_EVERY s BURST identical programs at once (coalescing), every
#     HOSTILE_EVERY s one of HOSTILE from src/test/resources/hostile; every answer is checked against what its
#     program must print. One connection per request to HAProxy.
# Prints each server's birth, serving, lameduck, drain, halt and exit times, RSS peak, runs, shared-tier hits (found
# there, or awaited there while another server ran the same program) and 503s (its own request log's, and HAProxy's
# retries away from it and 5xx passed on), latency per kind, CPU per
# request; draws the run into fleet.png beside fleet.log in FLEET_OUT; last line:
#   fleet: requests=N ok=N failed=N recycled=N runs=N shared_hits=N p50=S p99=S left=N
# Exits non-zero when failed > 0, left > 0 or recycled < MIN_RECYCLED.
# Sizing for 2 cores (bench/README.md): each server --workers 1 --pool 1 --queue 20 --cache-bytes 64MiB and the
# production JVM options; the default load asks about 0.15 uncached runs/s (0.3/s while the repeated programs come
# in): a Go 1.27 run costs about 2.5 CPU-s here, and while two servers recycle one carries the fleet alone.
# Env: DURATION (600) s of load, SERVERS (3), LIFETIME_MIN/LIFETIME_MAX (60/120) s, LAMEDUCK (8) s,
#      RETIRE_TURN/RETIRE_TURN_WAIT (30/60) s (the fleet's turns to retire, one at a time), WORKERS (1),
#      POOL (1), QUEUE (20), CACHE_BYTES (64MiB), RATE_REPEAT (8), REPEATS (12), REPEAT_INTRO (6) s,
#      RATE_UNIQUE (0.08), BURST (6), BURST_EVERY (30) s, HOSTILE_EVERY (45) s,
#      HOSTILE (empty: forkbomb membomb flood killall signals forger closestdout), MIN_RECYCLED (3),
#      FLEET_OUT (/tmp/compilerd-fleet-RUN).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION="${DURATION:-600}"
SERVERS="${SERVERS:-3}"
LIFETIME_MIN="${LIFETIME_MIN:-60}"
LIFETIME_MAX="${LIFETIME_MAX:-120}"
LAMEDUCK="${LAMEDUCK:-8}"
# A turn to retire covers lameduck, drain and the replacement's start (10-25 s here, not a VM's 108 s boot).
RETIRE_TURN="${RETIRE_TURN:-30}"
RETIRE_TURN_WAIT="${RETIRE_TURN_WAIT:-60}"
WORKERS="${WORKERS:-1}"
POOL="${POOL:-1}"
QUEUE="${QUEUE:-20}"
CACHE_BYTES="${CACHE_BYTES:-64MiB}"
MIN_RECYCLED="${MIN_RECYCLED:-3}"
MAX_FAILED_STARTS="${MAX_FAILED_STARTS:-3}"
FLEET_OUT="${FLEET_OUT:-/tmp/compilerd-fleet-$BENCH_RUN}"
# The load (bench/fleet.py reads these): sized in bench/README.md, "Sizing for 2 cores".
RATE_REPEAT="${RATE_REPEAT:-8}"
REPEATS="${REPEATS:-12}"
REPEAT_INTRO="${REPEAT_INTRO:-6}"
RATE_UNIQUE="${RATE_UNIQUE:-0.08}"
BURST="${BURST:-6}"
BURST_EVERY="${BURST_EVERY:-30}"
HOSTILE_EVERY="${HOSTILE_EVERY:-45}"
HOSTILE="${HOSTILE:-}" # empty: all of them
export DURATION RATE_REPEAT REPEATS REPEAT_INTRO RATE_UNIQUE BURST BURST_EVERY HOSTILE_EVERY HOSTILE

mkdir -p "$FLEET_OUT"
exec > >(tee "$FLEET_OUT/fleet.log")
bench_init curl jq python3 haproxy socat valkey-server valkey-cli=valkey-tools gnuplot=gnuplot-nox
HALTS="$FLEET_OUT/halts"
: >"$HALTS"
say "output in $FLEET_OUT"
say "before anything starts: $(idle_cpu 3) cores busy (other tenants of this machine)"

# --- HAProxy's health check: terraform's LB check, scaled so that lameduck outlasts detection as in production --
tf_local() {
  awk -v k="$1" '$1 == k && $2 == "=" { print $3; exit }' terraform/main.tf | grep -E '^[0-9]+$' \
    || die "terraform/main.tf has no local $1"
}
tf_lameduck="$(tf_local lameduck_sec)"
check_inter_ms=$((LAMEDUCK * 1000 * $(tf_local lb_check_interval_sec) / tf_lameduck))
check_timeout_ms=$((LAMEDUCK * 1000 * $(tf_local lb_check_timeout_sec) / tf_lameduck))
check_fall="$(tf_local lb_check_unhealthy_threshold)"
check_rise="$(tf_local lb_check_healthy_threshold)"
((check_inter_ms * check_fall < LAMEDUCK * 1000)) \
  || die "lameduck ${LAMEDUCK}s does not outlast HAProxy's detection (${check_inter_ms} ms x $check_fall)"
say "health check: GET /healthz every ${check_inter_ms} ms (timeout ${check_timeout_ms} ms), down after $check_fall" \
  "failures ($((check_inter_ms * check_fall)) ms < lameduck ${LAMEDUCK}s), up after $check_rise;" \
  "terraform: every $(tf_local lb_check_interval_sec) s x $check_fall < lameduck ${tf_lameduck} s"

# --- Valkey and HAProxy ------------------------------------------------------------------------------------------
start_redis valkey-server valkey-cli
HAPROXY_PORT="$(free_port)"
HAPROXY_SOCK="$BENCH_WORK/haproxy.sock"
# The frontend's side of zero failures (README, "What a frontend does"): retry a 503 or a refused connection on
# another server, at once; buffer the whole request (up to 64 KiB of program) so it can be sent again.
cat >"$FLEET_OUT/haproxy.cfg" <<CFG
global
    stats socket $HAPROXY_SOCK mode 600 level admin
    log stdout format raw local0
    tune.bufsize 98304

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 60s
    timeout server 60s

frontend playground
    bind 127.0.0.1:$HAPROXY_PORT
    default_backend compilerd

backend compilerd
    balance leastconn
    option httpchk GET /healthz
    http-check expect status 200
    timeout check ${check_timeout_ms}ms
    retry-on 503 conn-failure
    retries 3
    option redispatch 1
    option http-buffer-request
CFG
haproxy -c -q -f "$FLEET_OUT/haproxy.cfg" || die "haproxy refused its configuration"
haproxy -db -f "$FLEET_OUT/haproxy.cfg" >"$FLEET_OUT/haproxy.log" 2>&1 &
HAPROXY_PID=$!
BENCH_PIDS+=("$HAPROXY_PID")
# hap WORD... : one command to HAProxy's runtime API; its answer on stdout.
hap() { printf '%s\n' "$*" | socat -t 5 stdio "UNIX-CONNECT:$HAPROXY_SOCK"; }
for ((i = 0; i < 50; i++)); do
  [[ -S "$HAPROXY_SOCK" ]] && break
  sleep 0.1
done
[[ -S "$HAPROXY_SOCK" ]] || die "haproxy did not start: $(tail -n 5 "$FLEET_OUT/haproxy.log")"
say "$(haproxy -v | head -n 1) (pid $HAPROXY_PID) on 127.0.0.1:$HAPROXY_PORT"

# --- The servers and the supervisor ------------------------------------------------------------------------------
cat >"$BENCH_WORK/halt" <<HALT
#!/bin/sh
# The servers' halt command: tells the supervisor that server \$1 halted (and when).
echo "\$1 \$(date +%s.%N)" >>"$HALTS"
HALT
chmod 0755 "$BENCH_WORK/halt"

declare -A S_PID S_URL S_LOG S_BORN S_STATE S_EXITED S_RSS S_CPU
NAMES=()
next=0
halts_seen=0
failed_starts=0
SUPERVISE=true

# launch NAME : starts a server (it joins HAProxy once healthy: see tick).
launch() {
  launch_server "$1" --lifetime-min "${LIFETIME_MIN}s" --lifetime-max "${LIFETIME_MAX}s" --lameduck "${LAMEDUCK}s" \
    --retire-turn "${RETIRE_TURN}s" --retire-turn-wait "${RETIRE_TURN_WAIT}s" \
    --halt=true --halt-command "$BENCH_WORK/halt $1" --workers "$WORKERS" --pool "$POOL" --queue "$QUEUE" \
    --cache-bytes "$CACHE_BYTES" --shared-cache "redis://127.0.0.1:$REDIS_PORT"
  NAMES+=("$1")
  S_PID[$1]="$SERVER_PID" S_URL[$1]="$SERVER_URL" S_LOG[$1]="$SERVER_LOG" S_BORN[$1]="$EPOCHREALTIME"
  S_STATE[$1]=starting S_EXITED[$1]=- S_RSS[$1]=0 S_CPU[$1]=0
}

# sample_proc PID : sets P_LIVE (1 while the process runs, 0 once gone or a zombie) and P_HWM (VmHWM, KiB).
sample_proc() {
  local key value _
  P_LIVE=0 P_HWM=0
  [[ -r "/proc/$1/status" ]] || return 0
  while read -r key value _; do
    case "$key" in
      State:) [[ "$value" == Z ]] || P_LIVE=1 ;;
      VmHWM:) P_HWM="$value" ;;
    esac
  done <"/proc/$1/status" 2>/dev/null || true
}

# tick : one round of the supervisor: replaces halted servers, adds healthy new ones to HAProxy, takes exited ones
# out, samples RSS peaks and HAProxy's per-server counters.
tick() {
  local name _ lines=()
  if [[ "$SUPERVISE" == true ]]; then
    mapfile -t lines < <(tail -n "+$((halts_seen + 1))" "$HALTS")
    for name in "${lines[@]}"; do
      halts_seen=$((halts_seen + 1))
      name="${name%% *}"
      next=$((next + 1))
      say "$(date +%T) ${name} halted: starting s$next on a fresh port"
      launch "s$next"
    done
  fi
  for name in "${NAMES[@]}"; do
    [[ "${S_STATE[$name]}" == gone ]] && continue
    sample_proc "${S_PID[$name]}"
    ((P_HWM / 1024 > S_RSS[$name])) && S_RSS[$name]=$((P_HWM / 1024))
    ((P_LIVE == 0)) || { proc_cpu_ticks "${S_PID[$name]}" 2>/dev/null && S_CPU[$name]="$PROC_TICKS"; } || true
    if ((P_LIVE == 0)); then
      S_EXITED[$name]="$EPOCHREALTIME"
      reap "${S_PID[$name]}"
      if [[ "${S_STATE[$name]}" == starting ]]; then
        S_STATE[$name]=gone
        [[ "$SUPERVISE" == true ]] || continue
        # As a managed instance group replaces a VM that never became healthy, up to MAX_FAILED_STARTS times.
        failed_starts=$((failed_starts + 1))
        say "$(date +%T) $name exited during startup:" \
          "$(grep -m 1 -E 'ERROR|refusing' "${S_LOG[$name]}" || tail -n 1 "${S_LOG[$name]}")"
        ((failed_starts <= MAX_FAILED_STARTS)) || die "$failed_starts servers failed to start"
        next=$((next + 1))
        launch "s$next"
        continue
      fi
      S_STATE[$name]=gone
      hap "disable server compilerd/$name" >/dev/null
      say "$(date +%T) $name exited; out of the load balancer"
    elif [[ "${S_STATE[$name]}" == starting ]] \
      && curl -fsS -o /dev/null --max-time 1 "${S_URL[$name]}/healthz" 2>/dev/null; then
      hap "add server compilerd/$name ${S_URL[$name]#http://} check inter $check_inter_ms fall $check_fall" \
        "rise $check_rise" | grep -q 'New server registered' || die "haproxy did not add $name"
      hap "enable health compilerd/$name" >/dev/null
      hap "enable server compilerd/$name" >/dev/null
      S_STATE[$name]=in
      say "$(date +%T) $name (pid ${S_PID[$name]}, ${S_URL[$name]}) healthy: in the load balancer"
    fi
  done
  hap "show stat" | awk -F, -v t="${EPOCHREALTIME}" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $1 == "compilerd" && $2 != "BACKEND" {
      print t "\t" $2 "\t" $col["status"] "\t" $col["wretr"] "\t" $col["hrsp_5xx"] "\t" $col["scur"] }' \
    >>"$FLEET_OUT/haproxy-stats.tsv"
}

# scrape : keeps the latest /metrics of a server in the load balancer as FLEET_OUT/metrics.txt (the test command
# checks the Grafana dashboard's metric names against it).
scrape() {
  local name
  for name in "${NAMES[@]}"; do
    if [[ "${S_STATE[$name]}" == in ]] \
      && curl -fsS --max-time 10 -o "$BENCH_WORK/metrics.txt" "${S_URL[$name]}/metrics" 2>/dev/null; then
      mv "$BENCH_WORK/metrics.txt" "$FLEET_OUT/metrics.txt"
      return 0
    fi
  done
}

printf 't\tserver\tstatus\twretr\thrsp_5xx\tscur\n' >"$FLEET_OUT/haproxy-stats.tsv"
for ((n = 1; n <= SERVERS; n++)); do
  next=$n
  launch "s$n"
done
say "waiting for $SERVERS servers to serve (lifetimes ${LIFETIME_MIN}-${LIFETIME_MAX} s from then)"
deadline=$((SECONDS + 180))
while ((SECONDS < deadline)); do
  tick
  joined=0
  for name in "${NAMES[@]}"; do [[ "${S_STATE[$name]}" == in ]] && joined=$((joined + 1)); done
  ((joined < SERVERS)) || break
  sleep 0.5
done
((joined == SERVERS)) || die "only $joined of $SERVERS servers became healthy within 180 s"
scrape

# --- The load ----------------------------------------------------------------------------------------------------
say "load for ${DURATION}s through HAProxy: repeats ${RATE_REPEAT}/s of ${REPEATS} (one more every" \
  "${REPEAT_INTRO} s), unique ${RATE_UNIQUE}/s, ${BURST} identical every ${BURST_EVERY} s, a hostile program every" \
  "${HOSTILE_EVERY} s"
cpu_mark
load_start="$EPOCHREALTIME"
NONCE="$(nonce fleet)" HOSTILE_DIR="$BENCH_ROOT/src/test/resources/hostile" \
  python3 -B "$BENCH_ROOT/bench/fleet.py" load "http://127.0.0.1:$HAPROXY_PORT/compile" "$FLEET_OUT" \
  >"$BENCH_WORK/load.out" &
LOAD_PID=$!
BENCH_PIDS+=("$LOAD_PID")
next_scrape=$((SECONDS + 30))
while sample_proc "$LOAD_PID" && ((P_LIVE)); do
  tick
  if ((SECONDS >= next_scrape)); then
    scrape
    next_scrape=$((SECONDS + 30))
  fi
  sleep 1
done
wait "$LOAD_PID" || die "the load driver failed: $(cat "$BENCH_WORK/load.out")"
load_end="$EPOCHREALTIME"
cpu_elapsed
load_cpu="$CPU_SECONDS" load_wall="$WALL_SECONDS"
say "load done: $(cat "$BENCH_WORK/load.out")"

# --- The end: no more replacements; scrape, stop (SIGTERM: lameduck, drain, exit) and count what is left ---------
SUPERVISE=false
scrape
for name in "${NAMES[@]}"; do
  [[ "${S_STATE[$name]}" == gone ]] || kill -TERM "${S_PID[$name]}" 2>/dev/null || true
done
say "stopping the servers still running (SIGTERM)"
for ((i = 0; i < 120; i++)); do
  tick
  live=0
  for name in "${NAMES[@]}"; do [[ "${S_STATE[$name]}" == gone ]] || live=$((live + 1)); done
  ((live > 0)) || break
  sleep 0.5
done
((live == 0)) || die "$live server(s) still running 60 s after SIGTERM"
left="$(sudo -n docker ps -a --format '{{.Names}}' | grep -cE "^bench-s[0-9]+-$$-" || true)"

{
  printf 'name\tpid\tborn\texited\trss_peak_mib\tcpu_s\tlog\n'
  for name in "${NAMES[@]}"; do
    cp "${S_LOG[$name]}" "$FLEET_OUT/"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "${S_PID[$name]}" "${S_BORN[$name]}" "${S_EXITED[$name]}" \
      "${S_RSS[$name]}" "$(ticks_to_seconds "${S_CPU[$name]}")" "$FLEET_OUT/${S_LOG[$name]##*/}"
  done
} >"$FLEET_OUT/servers.tsv"
LOAD_START="$load_start" LOAD_END="$load_end" python3 -B "$BENCH_ROOT/bench/fleet.py" report "$FLEET_OUT" \
  >"$BENCH_WORK/report.out"
sed '$d' "$BENCH_WORK/report.out"
declare -A T
for kv in $(tail -n 1 "$BENCH_WORK/report.out") $(cat "$BENCH_WORK/load.out"); do T[${kv%%=*}]="${kv#*=}"; done
# HAProxy's httplog line: field 11 is actconn/feconn/beconn/srv_conn/retries ("+" when redispatched).
retried="$(awk '$4 ~ /^compilerd\// && split($11, c, "/") == 5 && c[5] != "0" { n++ } END { print n + 0 }' \
  "$FLEET_OUT/haproxy.log")"
requests="${T[sent]}"
echo
echo "Requests: ${T[n_repeat]:-0} repeats, ${T[n_unique]:-0} unique, ${T[n_burst]:-0} in bursts," \
  "${T[n_hostile]:-0} hostile; $retried retried by HAProxy on another server; the driver's worst lag ${T[lag]} s"
echo "Servers started: ${#NAMES[@]} ($failed_starts exited before they served); 503s they answered:" \
  "${T[server_503]} (their request logs; HAProxy retried each elsewhere)"
echo "Runs per request: $(awk -v r="${T[runs]}" -v n="$requests" 'BEGIN { printf "%.3f", n ? r / n : 0 }');" \
  "shared-tier hits: ${T[shared_hits]} (${T[awaited]} of them awaited while another server ran the program);" \
  "Valkey keyspace hits $(redis_cmd info stats | tr -d '\r' \
  | awk -F: '$1 == "keyspace_hits" { print $2 }')"
echo "CPU: $load_cpu CPU-s over $load_wall s of load (whole machine, other tenants included) =" \
  "$(per_run "$load_cpu" "$requests") CPU-s per request, $(awk -v c="$load_cpu" -v w="$load_wall" \
  'BEGIN { printf "%.2f", c / w }') cores; the servers' JVMs alone (whole lives, starts included, no sandboxes):" \
  "${T[jvm_cpu]} CPU-s = $(per_run "${T[jvm_cpu]}" "$requests") per request"

if gnuplot <<GNUPLOT
set terminal pngcairo size 1400,1050 font ",10"
set output "$FLEET_OUT/fleet.png"
set multiplot layout 3,1 title "compilerd fleet: $SERVERS servers, lifetimes ${LIFETIME_MIN}-${LIFETIME_MAX} s, \
lameduck ${LAMEDUCK} s; $requests requests, ${T[failed]} failed; $(date -u +%FT%TZ)"
set lmargin at screen 0.06
set rmargin at screen 0.80
set xrange [${T[x_min]}:${T[x_max]}]
set arrow 1 from 0, graph 0 to 0, graph 1 nohead dt 2 lc rgb "#606060"
set arrow 2 from ${T[load_s]}, graph 0 to ${T[load_s]}, graph 1 nohead dt 2 lc rgb "#606060"
set grid
set key outside right top
set ylabel "per second"
plot "$FLEET_OUT/plot-rate.tsv" using 1:2 with lines lc rgb "#2a7ab0" title "verified answers", \
     "" using 1:4 with impulses lw 2 lc rgb "#e08000" title "503s + refused, retried", \
     "" using 1:3 with impulses lw 3 lc rgb "#d00000" title "failed"
set ylabel "seconds (10 s windows)"
set logscale y
plot "$FLEET_OUT/plot-latency.tsv" using 1:2 with linespoints pt 7 ps 0.5 title "p50", \
     "" using 1:3 with linespoints pt 7 ps 0.5 title "p99"
unset logscale y
set ylabel "server"
set xlabel "seconds from the start of the load"
set yrange [-0.6:*] reverse
set ytics 1
band(p) = strcol(3) eq p ? (\$4 + \$5) / 2 : NaN
plot "$FLEET_OUT/plot-bands.tsv" using (band("starting")):1:((\$5 - \$4) / 2):(0.3):ytic(2) \
       with boxxyerror fs solid 0.5 noborder lc rgb "#b0b0b0" title "starting", \
     "" using (band("serving")):1:((\$5 - \$4) / 2):(0.3) with boxxyerror fs solid 0.6 noborder lc rgb "#7fbf7f" \
       title "serving", \
     "" using (band("lameduck")):1:((\$5 - \$4) / 2):(0.3) with boxxyerror fs solid 0.8 noborder lc rgb "#f0a030" \
       title "lameduck", \
     "" using (band("drain")):1:((\$5 - \$4) / 2):(0.3) with boxxyerror fs solid 0.8 noborder lc rgb "#d03030" \
       title "drain"
unset multiplot
GNUPLOT
then
  echo "Picture: $FLEET_OUT/fleet.png (log: $FLEET_OUT/fleet.log, data and server logs beside them)"
else
  echo "No picture (gnuplot failed); log: $FLEET_OUT/fleet.log, data and server logs beside it"
fi
verdict=0
if ((T[ok] + 0 != requests || T[failed] > 0)); then
  echo "FAILED: ${T[failed]} request(s) without a verified answer, the first of them:"
  head -n 5 "$FLEET_OUT/failures.txt"
  verdict=1
fi
((left == 0)) || { echo "FAILED: $left container(s) left"; verdict=1; }
if ((T[recycled] < MIN_RECYCLED)); then
  echo "FAILED: ${T[recycled]} server(s) recycled, fewer than $MIN_RECYCLED"
  verdict=1
fi
echo "fleet: requests=$requests ok=${T[ok]} failed=${T[failed]} recycled=${T[recycled]} runs=${T[runs]}" \
  "shared_hits=${T[shared_hits]} p50=${T[p50]} p99=${T[p99]} left=$left"
exit "$verdict"
