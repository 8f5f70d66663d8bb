# shellcheck shell=bash
# Helpers shared by bench/*.sh; sourced, not run. Everything listens on and talks to 127.0.0.1 only.
# A script calls bench_init first: it checks root, installs missing tools from Debian, builds the jar if
# missing, and installs an EXIT trap that stops exactly the servers this script started (by PID).

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_RUN="$(date +%s)-$$"                      # makes every program nonce unique across runs
# The one release a benchmark serves (the default Go release's local image; BENCH_IMAGE=compilerd/playground:go1.26
# measures another): the server gets only it, so no second warm pool runs beside the measured one.
BENCH_IMAGE="${BENCH_IMAGE:-compilerd/playground:go$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' \
  "$BENCH_ROOT/docker/playground/releases" | head -n 1 | tr -d '[:space:]')}"
BENCH_WORK=""
BENCH_PIDS=()

say() { printf '==> %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# bench_init TOOL... : root check, tools, jar, image, trap. A TOOL is a command that is also its Debian package's
# name, or COMMAND=PACKAGE when they differ (gnuplot=gnuplot-nox).
bench_init() {
  [[ "$EUID" -eq 0 ]] || die "run as root (the sandbox runs through sudo -n docker)"
  cd "$BENCH_ROOT" || exit
  BENCH_WORK="$(mktemp -d /tmp/compilerd-bench.XXXXXX)"
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  local missing=() tool
  for tool in "$@"; do
    command -v "${tool%%=*}" >/dev/null || missing+=("${tool#*=}")
  done
  if ((${#missing[@]})); then
    say "installing from Debian: ${missing[*]}"
    apt-get install -y -qq "${missing[@]}" >/dev/null \
      || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; } \
      || die "apt-get install ${missing[*]} failed"
  fi
  if [[ -n "${COMPILERD_JAR:-}" ]]; then
    [[ -f "$COMPILERD_JAR" ]] || die "COMPILERD_JAR=$COMPILERD_JAR does not exist"
  elif [[ ! -f target/compilerd.jar ]]; then
    say "building target/compilerd.jar"
    mvn -B -q package -DskipTests || die "mvn package failed"
  fi
  # Run a private copy, so a rebuild of target/ during the benchmark cannot pull the jar from under the JVM.
  cp "${COMPILERD_JAR:-target/compilerd.jar}" "$BENCH_WORK/compilerd.jar"
  sudo -n docker image inspect "$BENCH_IMAGE" >/dev/null 2>&1 \
    || die "image $BENCH_IMAGE or the Docker daemon is missing: run the README's setup (scripts/run.sh) first"
  say "$(date -u +%FT%TZ) $(nproc) CPUs, $(java -version 2>&1 | head -n1), JAVA_OPTS='${JAVA_OPTS:-$(default_java_opts)}'"
}

# Stops every process still running that we started (by PID, last started first, so servers stop before a
# store they use), keeps the logs if something failed.
bench_cleanup() {
  local rc=$? i
  for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do stop_server "${BENCH_PIDS[i]}"; done
  if [[ "$rc" -eq 0 ]]; then
    rm -rf "$BENCH_WORK"
  else
    printf 'bench: failed (exit %s); server logs kept in %s\n' "$rc" "$BENCH_WORK" >&2
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The production JVM options (vm/compilerd.env), used when JAVA_OPTS is unset.
default_java_opts() {
  (
    # shellcheck source=/dev/null
    source "$(dirname "${BASH_SOURCE[0]}")/../vm/compilerd.env"
    echo "$JAVA_OPTS"
  )
}

# start_server NAME FLAG... : starts compilerd (launch_server), waits up to 90 s for /healthz 200 (await_server).
start_server() {
  launch_server "$@"
  await_server "$1"
}

# launch_server NAME FLAG... : starts compilerd on a free port on 127.0.0.1 with the production JVM options, no
# lifetime, no halt, a 1 s lameduck and the container prefix bench-NAME-PID (FLAGs come last, so they may set any of
# these again: the last of a repeated flag wins), and returns at once. Sets SERVER_PID, SERVER_URL and SERVER_LOG.
launch_server() {
  local name="$1" port java_opts=()
  shift
  port="$(free_port)"
  SERVER_URL="http://127.0.0.1:$port"
  SERVER_LOG="$BENCH_WORK/server-$name.log"
  read -r -a java_opts <<<"${JAVA_OPTS:-$(default_java_opts)}"
  java "${java_opts[@]}" -jar "$BENCH_WORK/compilerd.jar" --port "$port" --bind 127.0.0.1 \
    --lifetime-max 0 --halt=false --lameduck 1s --container-prefix "bench-$name-$$" --go "$BENCH_IMAGE" "$@" \
    >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  BENCH_PIDS+=("$SERVER_PID")
  LAUNCH_FLAGS="$*"
}

# await_server NAME : waits up to 90 s until the server launch_server started last answers /healthz 200.
await_server() {
  local i
  for ((i = 0; i < 180; i++)); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      tail -n 20 "$SERVER_LOG" >&2
      die "compilerd ($1) exited during startup"
    fi
    if curl -fsS -o /dev/null --max-time 2 "$SERVER_URL/healthz" 2>/dev/null; then
      say "compilerd '$1' (pid $SERVER_PID) serving on $SERVER_URL with: ${LAUNCH_FLAGS:-default flags}"
      return 0
    fi
    sleep 0.5
  done
  die "compilerd ($1) did not answer /healthz within 90 s; log: $SERVER_LOG"
}

# stop_server PID : SIGTERM (the server goes lameduck 1 s, drains, exits), wait up to 60 s, then SIGKILL.
stop_server() {
  local pid="$1" i
  if kill -TERM "$pid" 2>/dev/null; then
    for ((i = 0; i < 120; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "$pid" 2>/dev/null && printf 'bench: pid %s did not stop in 60 s; killed\n' "$pid" >&2
  fi
  reap "$pid"
}

# reap PID : collects a process of ours that has ended (a zombie until then) and forgets its PID.
reap() {
  local kept=() p
  wait "$1" 2>/dev/null || true
  for p in "${BENCH_PIDS[@]}"; do [[ "$p" == "$1" ]] || kept+=("$p"); done
  BENCH_PIDS=("${kept[@]}")
}

# start_redis [SERVER [CLI]] : a private Valkey/Redis server (SERVER: redis-server by default, or valkey-server;
# CLI: its client, redis-cli or valkey-cli) on a free loopback port, without persistence, its files in the work
# directory; sets REDIS_PID and REDIS_PORT. Stopped by PID at exit.
start_redis() {
  local i
  REDIS_SERVER="${1:-redis-server}"
  REDIS_CLI="${2:-redis-cli}"
  REDIS_PORT="$(free_port)"
  "$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$BENCH_WORK" \
    >"$BENCH_WORK/$REDIS_SERVER.log" 2>&1 &
  REDIS_PID=$!
  BENCH_PIDS+=("$REDIS_PID")
  for ((i = 0; i < 100; i++)); do
    kill -0 "$REDIS_PID" 2>/dev/null || { tail -n 20 "$BENCH_WORK/$REDIS_SERVER.log" >&2; die "$REDIS_SERVER exited at start"; }
    if [[ "$(redis_cmd ping 2>/dev/null)" == PONG ]]; then
      say "$REDIS_SERVER $("$REDIS_SERVER" --version | grep -o 'v=[^ ]*') (pid $REDIS_PID) on 127.0.0.1:$REDIS_PORT, no persistence"
      return 0
    fi
    sleep 0.1
  done
  die "$REDIS_SERVER did not answer PING within 10 s"
}

# redis_cmd ARG... : one command to the private store, raw output.
redis_cmd() { "$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

# proc_mib PID FIELD : VmRSS (now) or VmHWM (peak) of a process, in MiB.
proc_mib() {
  awk -v f="$2:" '$1 == f { printf "%.0f", $2 / 1024 }' "/proc/$1/status"
}

# nonce WORD... : a string no other request of this run, or of an earlier run, uses.
nonce() { local IFS=-; echo "$BENCH_RUN-$*"; }

# hello_program NONCE : a hello world that prints its nonce, so each nonce is a distinct (uncached) program.
hello_program() {
  printf 'package main\n\nimport "fmt"\n\n// bench nonce %s\nfunc main() { fmt.Println("hello, bench %s") }\n' "$1" "$1"
}

# check_compile_response FILE NONCE : the /compile answer is a clean run that printed exactly our line.
check_compile_response() {
  jq -e --arg want "hello, bench $2"$'\n' \
    '.Errors == "" and .Status == 0 and ([.Events[]? | select(.Kind == "stdout") | .Message] | join("")) == $want' \
    "$1" >/dev/null
}

# median_p90_min_max FILE : one number per line in, "median p90 min max" out (nearest rank).
median_p90_min_max() {
  python3 - "$1" <<'PY'
import sys
xs = sorted(float(line) for line in open(sys.argv[1]) if line.strip())
rank = lambda p: xs[max(0, -(-len(xs) * p // 100) - 1)]
print(f"{rank(50):.3f} {rank(90):.3f} {xs[0]:.3f} {xs[-1]:.3f}")
PY
}

# median NUMBER... : the middle value (the mean of the two middle ones for an even count), unrounded.
median() {
  (($# > 0)) || die "median of nothing"
  printf '%s\n' "$@" | sort -g | awk '{ x[NR] = $1 } END { if (NR % 2) print x[(NR + 1) / 2];
    else print (x[NR / 2] + x[NR / 2 + 1]) / 2 }'
}

# --- CPU accounting -------------------------------------------------------------------------------------
# Whole-machine CPU from /proc/stat, so every process a run costs is counted (JVM, sudo, docker CLI, dockerd,
# containerd, runsc, the Go build, and this script's own curl/python): busy = user + nice + system + irq +
# softirq + steal, in USER_HZ ticks (guest time is already inside user/nice); idle and iowait are not busy.
BENCH_CLK_TCK="$(getconf CLK_TCK)"

# cpu_read : sets CPU_TICKS to the busy ticks of all CPUs since boot. Builtins only (no fork), so a script can
# read it around every request without adding work to what it measures.
cpu_read() {
  local label user nice system irq softirq steal
  read -r label user nice system _ _ irq softirq steal _ </proc/stat # _ _ = idle, iowait
  [[ "$label" == cpu ]] || die "unexpected first line in /proc/stat"
  CPU_TICKS=$((user + nice + system + irq + softirq + steal))
}

# proc_cpu_ticks PID : sets PROC_TICKS to the user + system ticks the process has used (its threads, not its
# children). Builtins only.
proc_cpu_ticks() {
  local stat fields
  read -r stat <"/proc/$1/stat"
  read -ra fields <<<"${stat##*) }" # after "pid (comm) ": state is fields[0], utime fields[11], stime fields[12]
  # shellcheck disable=SC2034 # read by the scripts that source this file
  PROC_TICKS=$((fields[11] + fields[12]))
}

# ticks_to_seconds TICKS : CPU-seconds, two decimals.
ticks_to_seconds() { awk -v t="$1" -v hz="$BENCH_CLK_TCK" 'BEGIN { printf "%.2f", t / hz }'; }

# cpu_mark : starts an interval (sets CPU_MARK_TICKS, CPU_MARK_US).
cpu_mark() {
  CPU_MARK_US="${EPOCHREALTIME//[!0-9]/}"
  cpu_read
  CPU_MARK_TICKS="$CPU_TICKS"
}

# cpu_elapsed : ends the interval begun by cpu_mark: sets CPU_SECONDS (busy CPU-seconds, all CPUs) and
# WALL_SECONDS. Neither is corrected for anything: idle load, the driver's own work, other tenants all count.
cpu_elapsed() {
  local us="${EPOCHREALTIME//[!0-9]/}"
  cpu_read
  CPU_SECONDS="$(ticks_to_seconds "$((CPU_TICKS - CPU_MARK_TICKS))")"
  WALL_SECONDS="$(micros_to_seconds "$((us - CPU_MARK_US))")"
}

# micros_to_seconds MICROS : seconds, two decimals.
micros_to_seconds() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1e6 }'; }

# idle_cpu SECONDS : the machine's busy CPU-seconds per second over SECONDS of this script sleeping.
idle_cpu() {
  cpu_mark
  sleep "$1"
  cpu_elapsed
  awk -v c="$CPU_SECONDS" -v w="$WALL_SECONDS" 'BEGIN { printf "%.3f", c / w }'
}

# wait_quiet : on a shared machine, waits up to QUIET_WAIT seconds (default 0: not at all) until a 3 s sample
# of the machine's busy CPU is below QUIET_MAX cores (default 0.1), so CPU figures hold less of other tenants.
wait_quiet() {
  local deadline=$((SECONDS + ${QUIET_WAIT:-0})) busy
  ((${QUIET_WAIT:-0} > 0)) || return 0
  while :; do
    busy="$(idle_cpu 3)"
    if awk -v b="$busy" -v m="${QUIET_MAX:-0.1}" 'BEGIN { exit !(b < m) }'; then
      say "machine quiet: $busy cores busy"
      return 0
    fi
    ((SECONDS < deadline)) || { say "machine still busy after ${QUIET_WAIT}s ($busy cores): measuring anyway"; return 0; }
  done
}

# per_run CPU_SECONDS RUNS : CPU-seconds per run, three decimals.
per_run() { awk -v c="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.3f", c / n; else print "n/a" }'; }

# ceiling CPU_PER_RUN : runs per second this machine's CPUs could sustain at that cost (cores / CPU per run).
ceiling() { awk -v c="$1" -v n="$(nproc)" 'BEGIN { if (c > 0) printf "%.2f", n / c; else print "n/a" }'; }

# wait_pool_settled WANT : waits up to 30 s until the server's warm pool holds at least the containers it wants
# for the current request rate (exactly WANT of them, unless WANT is "any") and no other container of the server's is starting, running
# or being removed (its /metrics); prints how many wait. So a measured interval can start and end in the same
# state, holding exactly the container starts and removals its runs caused; false if it never settles.
wait_pool_settled() {
  local i idle
  for ((i = 0; i < 300; i++)); do
    idle="$(curl -fsS --max-time 2 "$SERVER_URL/metrics" 2>/dev/null | awk -v want="$1" '
      { name = $1; sub(/\{.*/, "", name) } # a bench server serves one release: its pool is the only one
      name == "compilerd_pool_idle" { idle = $2 } name == "compilerd_pool_target" { target = $2 }
      name == "compilerd_containers_owned" { owned = $2 }
      END { if (idle != "" && idle + 0 >= target + 0 && owned + 0 == idle + 0 && (want == "any" || idle + 0 == want + 0))
              printf "%d", idle }')"
    if [[ -n "$idle" ]]; then
      echo "$idle"
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# --- The raw docker CLI, with exactly the production isolation flags ------------------------------------
# The sandbox limits compilerd uses by default (java -jar target/compilerd.jar --help; BenchDefaultsTest checks
# them against the server's defaults); the raw CLI must do the
# same work as the server, so both the wrapper's arguments and the runner header use them.
readonly SANDBOX_MEMORY=$((512 << 20)) SANDBOX_PIDS=1024 SANDBOX_NPROC=512 SANDBOX_CPUS=1.0
readonly SANDBOX_TMPFS=$((128 << 20)) SANDBOX_NOFILE=1024 SANDBOX_ADDRESS_SPACE=$((1 << 30))
readonly SANDBOX_BUILD_MS=10000 SANDBOX_RUN_MS=5000 SANDBOX_OUTPUT=65536
CLI_ARGV=()
CLI_NAME_AT=-1
CLI_OWNER=""

# cli_init : asks the docker wrapper (vm/compilerd-docker --dry-run, the same file that builds the server's
# docker commands) for the docker argv, once; cli_run then puts a fresh name into it and runs it with sudo -n.
cli_init() {
  local image_id out i
  image_id="$(sudo -n docker image inspect --format '{{.Id}}' "$BENCH_IMAGE")" || die "no image $BENCH_IMAGE"
  CLI_OWNER="bench-cli-$$"
  out="$("$BENCH_ROOT/vm/compilerd-docker" --dry-run run --name "$CLI_OWNER-0000000000000000" \
    --owner "$CLI_OWNER" --instance "$$-0" --image "$image_id" --memory "$SANDBOX_MEMORY" --pids "$SANDBOX_PIDS" \
    --nproc "$SANDBOX_NPROC" --cpus "$SANDBOX_CPUS" --tmpfs "$SANDBOX_TMPFS" --nofile "$SANDBOX_NOFILE")" \
    || die "vm/compilerd-docker --dry-run refused the raw CLI's arguments"
  mapfile -t CLI_ARGV <<<"$out"
  [[ "${CLI_ARGV[0]}" == docker ]] || die "vm/compilerd-docker --dry-run printed no docker command"
  for ((i = 1; i < ${#CLI_ARGV[@]}; i++)); do
    [[ "${CLI_ARGV[i - 1]}" == --name ]] && CLI_NAME_AT="$i"
  done
  ((CLI_NAME_AT > 0)) || die "no --name in the wrapper's docker command"
}

# cli_command : the raw CLI's command line, for the output.
cli_command() { echo "sudo -n ${CLI_ARGV[*]}"; }

# runner_header NONCE : the JSON header line compilerd would send for that hello world (vet off, as for a raw
# body), with the server's default limits.
runner_header() {
  hello_program "$1" | jq -Rc --argjson b "$SANDBOX_BUILD_MS" --argjson r "$SANDBOX_RUN_MS" \
    --argjson o "$SANDBOX_OUTPUT" --argjson a "$SANDBOX_ADDRESS_SPACE" \
    -s '{files: {"prog.go": .}, vet: false, buildTimeoutMs: $b, runTimeoutMs: $r, outputLimit: $o, addressSpace: $a}'
}

# cli_run HEADER_FILE RESULT_FILE : one sandbox run through the raw CLI; prints its wall seconds. Checks only
# that docker succeeded; check_runner_result checks the answer (outside any timed loop).
cli_run() {
  local argv=("${CLI_ARGV[@]}") start end
  printf -v "argv[CLI_NAME_AT]" '%s-%04x%04x%04x%04x' "$CLI_OWNER" "$RANDOM" "$RANDOM" "$RANDOM" "$RANDOM"
  start="${EPOCHREALTIME//[!0-9]/}"
  if ! timeout 60 sudo -n "${argv[@]}" <"$1" >"$2"; then
    sudo -n docker rm -f "${argv[CLI_NAME_AT]}" >/dev/null 2>&1 || true
    die "raw CLI: docker run failed: $(tail -c 300 "$2")"
  fi
  end="${EPOCHREALTIME//[!0-9]/}"
  seconds_of end "$((end - start))"
  echo "$end"
}

# seconds_of VAR MICROS : sets VAR to MICROS as seconds, six decimals; a builtin, for use inside timed windows.
seconds_of() { printf -v "$1" '%d.%06d' $(($2 / 1000000)) $(($2 % 1000000)); }

# post_compile FILE OUT : POSTs FILE as text to the server's /compile over bash's /dev/tcp and writes the answer's
# body to OUT; sets POST_STATUS (empty if no status line came within 60 s; a cut-off body is for the caller's check
# to find) and POST_SECONDS (wall time of the exchange). Builtins only: no process per request, so the client costs
# a few syscalls (bash reads the answer a byte at a time) instead of the 6 ms of CPU a curl costs, which the raw
# CLI's runs do not carry; like a frontend, it is not the server's cost.
# shellcheck disable=SC2034 # POST_STATUS and POST_SECONDS are read by the scripts that source this file
post_compile() {
  local LC_ALL=C body="" resp="" fd start end port="${SERVER_URL##*:}"
  IFS= read -r -d '' body <"$1" || true
  start="${EPOCHREALTIME//[!0-9]/}"
  exec {fd}<>"/dev/tcp/127.0.0.1/$port"
  trap '' PIPE # a server that closes early fails the write instead of killing this shell without its EXIT trap
  printf 'POST /compile HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "${#body}" "$body" >&"$fd" || true
  trap - PIPE
  IFS= read -r -d '' -t 60 resp <&"$fd" || true
  exec {fd}>&-
  end="${EPOCHREALTIME//[!0-9]/}"
  POST_STATUS=""
  if [[ "$resp" == HTTP/1.1\ * && "$resp" == *$'\r\n\r\n'* ]]; then POST_STATUS="${resp:9:3}"; fi
  printf '%s' "${resp#*$'\r\n\r\n'}" >"$2"
  seconds_of POST_SECONDS "$((end - start))"
}

# check_runner_result FILE NONCE : the runner printed its ready line, then a clean run that printed our line.
check_runner_result() {
  python3 - "$1" "hello, bench $2" <<'PY'
import base64, json, sys
lines = open(sys.argv[1], "rb").read().decode().splitlines()
r = json.loads(lines[-1])
ok = (lines[0].startswith("compilerd-runner ready") and r["phase"] == "run" and r["exitCode"] == 0
      and (sys.argv[2] + "\n").encode() in base64.b64decode(r["stdout"]))
sys.exit(0 if ok else 1)
PY
}

# ratio A B : A/B to two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# verdict OK : "meets target" or "MISSES target".
verdict() { if [[ "$1" == 1 ]]; then echo "meets target"; else echo "MISSES target"; fi; }
