# shellcheck shell=bash
# Helpers shared by bench/*.sh; sourced, not run. Everything listens on and talks to 127.0.0.1 only.
# A script calls bench_init first: it checks root, installs missing tools from Debian, builds the jar if
# missing, and installs an EXIT trap that stops exactly the servers this script started (by PID).

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_RUN="$(date +%s)-$$"                      # makes every program nonce unique across runs
BENCH_IMAGE="${COMPILERD_IMAGE:-compilerd/playground:latest}"
BENCH_WORK=""
BENCH_PIDS=()

say() { printf '==> %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# bench_init TOOL... : root check, tools (each is also its Debian package's name), jar, image, trap.
bench_init() {
  [[ "$EUID" -eq 0 ]] || die "run as root (the sandbox runs through sudo -n docker)"
  cd "$BENCH_ROOT" || exit
  BENCH_WORK="$(mktemp -d /tmp/compilerd-bench.XXXXXX)"
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  local missing=() tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if ((${#missing[@]})); then
    say "installing from Debian: ${missing[*]}"
    apt-get install -y -qq "${missing[@]}" >/dev/null \
      || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; } \
      || die "apt-get install ${missing[*]} failed"
  fi
  if [[ ! -f target/compilerd.jar ]]; then
    say "building target/compilerd.jar"
    mvn -B -q package -DskipTests || die "mvn package failed"
  fi
  # Run a private copy, so a rebuild of target/ during the benchmark cannot pull the jar from under the JVM.
  cp target/compilerd.jar "$BENCH_WORK/compilerd.jar"
  sudo -n docker image inspect "$BENCH_IMAGE" >/dev/null 2>&1 \
    || die "image $BENCH_IMAGE or the Docker daemon is missing: run the README's setup (scripts/run.sh) first"
  say "$(date -u +%FT%TZ) $(nproc) CPUs, $(java -version 2>&1 | head -n1), JAVA_OPTS='${JAVA_OPTS:-$(default_java_opts)}'"
}

# Stops every server still running (only PIDs we started), keeps the logs if something failed.
bench_cleanup() {
  local rc=$? pid
  for pid in "${BENCH_PIDS[@]}"; do stop_server "$pid"; done
  if [[ "$rc" -eq 0 ]]; then
    rm -rf "$BENCH_WORK"
  else
    printf 'bench: failed (exit %s); server logs kept in %s\n' "$rc" "$BENCH_WORK" >&2
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server NAME FLAG... : starts compilerd, waits up to 90 s for /healthz 200.
# The production JVM options (vm/compilerd.env), used when JAVA_OPTS is unset.
default_java_opts() {
  (
    # shellcheck source=/dev/null
    source "$(dirname "${BASH_SOURCE[0]}")/../vm/compilerd.env"
    echo "$JAVA_OPTS"
  )
}

# Sets SERVER_PID, SERVER_URL and SERVER_LOG.
start_server() {
  local name="$1" port java_opts=() i
  shift
  port="$(free_port)"
  SERVER_URL="http://127.0.0.1:$port"
  SERVER_LOG="$BENCH_WORK/server-$name.log"
  read -r -a java_opts <<<"${JAVA_OPTS:-$(default_java_opts)}"
  java "${java_opts[@]}" -jar "$BENCH_WORK/compilerd.jar" --port "$port" --bind 127.0.0.1 \
    --lifetime-max 0 --halt=false --lameduck 1s --container-prefix "bench-$name-$$" "$@" \
    >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  BENCH_PIDS+=("$SERVER_PID")
  for ((i = 0; i < 180; i++)); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      tail -n 20 "$SERVER_LOG" >&2
      die "compilerd ($name) exited during startup"
    fi
    if curl -fsS -o /dev/null --max-time 2 "$SERVER_URL/healthz" 2>/dev/null; then
      say "compilerd '$name' (pid $SERVER_PID) serving on $SERVER_URL with: ${*:-default flags}"
      return 0
    fi
    sleep 0.5
  done
  die "compilerd ($name) did not answer /healthz within 90 s; log: $SERVER_LOG"
}

# stop_server PID : SIGTERM (the server goes lameduck 1 s, drains, exits), wait up to 60 s, then SIGKILL.
stop_server() {
  local pid="$1" i kept=() p
  if kill -TERM "$pid" 2>/dev/null; then
    for ((i = 0; i < 120; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "$pid" 2>/dev/null && printf 'bench: pid %s did not stop in 60 s; killed\n' "$pid" >&2
  fi
  wait "$pid" 2>/dev/null || true
  for p in "${BENCH_PIDS[@]}"; do [[ "$p" == "$pid" ]] || kept+=("$p"); done
  BENCH_PIDS=("${kept[@]}")
}

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

# ratio A B : A/B to two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# verdict OK : "meets target" or "MISSES target".
verdict() { if [[ "$1" == 1 ]]; then echo "meets target"; else echo "MISSES target"; fi; }
