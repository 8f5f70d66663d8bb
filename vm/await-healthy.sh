#!/usr/bin/env bash
# Waits until compilerd's /healthz answers 200 and logs how long the boot took: the seconds since the boot
# recipe began (--since, the epoch second it started) and since the kernel booted. cloud-init's compilerd-boot
# runs it after starting the unit, so every VM's log has its own boot-to-healthy figure (terraform's
# initial_delay_sec and cooldown_period follow it, terraform/README.md); the tests measure the pull path with it.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: vm/await-healthy.sh [--since EPOCH_SECONDS] [--timeout SECONDS] URL

Exits 0 once URL answers 200 (printing "healthy ..."), 1 after --timeout seconds (default 600) without.
USAGE
}

since=""
timeout=600
while [[ $# -gt 1 ]]; do
  case "$1" in
    --since) since="${2:?--since needs an epoch second}"; shift ;;
    --timeout) timeout="${2:?--timeout needs seconds}"; shift ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
[[ $# -eq 1 && "$1" == http* ]] || { usage >&2; exit 2; }
[[ -z "$since" || "$since" =~ ^[0-9]+$ ]] || { echo "await-healthy.sh: --since must be epoch seconds" >&2; exit 2; }
[[ "$timeout" =~ ^[0-9]+$ ]] || { echo "await-healthy.sh: --timeout must be whole seconds" >&2; exit 2; }
url=$1
start="${since:-$(date +%s)}"

# elapsed: seconds since the start, to a tenth.
elapsed() { awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }'; }

until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
  if (($(date +%s) - start >= timeout)); then
    echo "await-healthy.sh: $url not healthy $(elapsed) s after the start" >&2
    exit 1
  fi
  sleep 0.2
done
echo "healthy: $url answered 200 $(elapsed) s after the boot recipe began ($(cut -d' ' -f1 /proc/uptime) s after the kernel booted)"
