#!/usr/bin/env bash
# Checks compilerd's Prometheus rules: `promtool check rules` (syntax, PromQL, templates) on every
# rule file, then `promtool test rules` (input series, expected alerts) on every test file.
# promtool comes from Debian's prometheus package. When it is missing, this takes only the promtool
# binary out of that package (apt-get download) and installs it as /usr/local/bin/promtool: installing
# the whole package would also create a prometheus user and start (and enable) a Prometheus server.
# Set PROMTOOL to use another binary. Installing needs root; checking does not.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROMTOOL="${PROMTOOL:-}"

step() { echo "==> $*"; }
die() { echo "monitoring/check.sh: error: $*" >&2; exit 1; }

install_promtool() {
  [[ "$(id -u)" -eq 0 ]] || die "promtool is missing; run as root to install it from Debian, or set PROMTOOL"
  local tmp deb
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand $tmp now: it is local to this function
  trap "rm -rf '$tmp'" EXIT
  chmod 0755 "$tmp"
  step "installing promtool from Debian's prometheus package"
  if ! (cd "$tmp" && apt-get download -q prometheus >/dev/null 2>&1); then
    apt-get update -qq || die "apt-get update failed"
    (cd "$tmp" && apt-get download -q prometheus >/dev/null) || die "apt-get download prometheus failed"
  fi
  deb="$(find "$tmp" -maxdepth 1 -name 'prometheus_*.deb' | head -n 1)"
  [[ -n "$deb" ]] || die "apt-get download left no prometheus_*.deb"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./usr/bin/promtool
  install -o root -g root -m 0755 "$tmp/usr/bin/promtool" /usr/local/bin/promtool
  step "installed /usr/local/bin/promtool ($(/usr/local/bin/promtool --version 2>&1 | head -n 1))"
}

if [[ -z "$PROMTOOL" ]]; then
  if ! command -v promtool >/dev/null; then
    install_promtool
  fi
  PROMTOOL="$(command -v promtool)"
fi

shopt -s nullglob
rules=("$DIR"/rules/*.yml)
tests=("$DIR"/tests/*.yml)
shopt -u nullglob
[[ ${#rules[@]} -gt 0 ]] || die "no rule files in $DIR/rules"
[[ ${#tests[@]} -gt 0 ]] || die "no rule tests in $DIR/tests"

step "promtool check rules"
"$PROMTOOL" check rules "${rules[@]}"
step "promtool test rules"
"$PROMTOOL" test rules "${tests[@]}"
step "monitoring rules pass"
