#!/usr/bin/env bash
# Writes this instance's own settings (read from instance metadata by cloud-init's compilerd-boot)
# into the systemd unit's EnvironmentFile, below a marker line: vm/install-unit.sh owns the lines
# above it (vm/compilerd.env) and keeps the lines below it, so neither undoes the other.
# Idempotent: the file is written only when its content changes, so a second run changes nothing.
# With no settings, the instance section is removed.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: vm/instance-env.sh [--file PATH] [COMPILERD_NAME=VALUE ...]

Replaces the instance settings in the compilerd EnvironmentFile (default /etc/default/compilerd)
with exactly these. Values may hold letters, digits and . _ : / @ % + , = - (no quotes, spaces,
$ or backslashes), so systemd reads them as written.
USAGE
}

# The instance section starts with a line that starts with PREFIX; vm/install-unit.sh matches it too.
PREFIX='# --- instance settings'
MARK="$PREFIX (vm/instance-env.sh, from instance metadata; vm/install-unit.sh keeps them) ---"
ENV_FILE=/etc/default/compilerd

die() { echo "instance-env.sh: error: $*" >&2; exit 1; }

settings=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --file) ENV_FILE="${2:?--file needs a path}"; shift ;;
    -h|--help) usage; exit 0 ;;
    COMPILERD_*=*)
      name="${1%%=*}" value="${1#*=}"
      [[ "$name" =~ ^COMPILERD_[A-Z0-9_]+$ ]] || die "bad variable name '$name'"
      [[ "$value" =~ ^[A-Za-z0-9._:/@%+,=-]*$ ]] || die "$name: value has characters systemd would not read literally"
      settings+=("$name=\"$value\"") ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
  shift
done

dir="$(dirname "$ENV_FILE")"
[[ -d "$dir" ]] || die "no directory $dir"
new="$(mktemp "$ENV_FILE.XXXXXX")"
trap 'rm -f "$new"' EXIT
{
  if [[ -f "$ENV_FILE" ]]; then
    # Everything above the instance section, as install-unit.sh wrote it.
    awk -v p="$PREFIX" 'index($0, p) == 1 { exit } { print }' "$ENV_FILE"
  fi
  if [[ ${#settings[@]} -gt 0 ]]; then
    echo "$MARK"
    printf '%s\n' "${settings[@]}"
  fi
} > "$new"

if cmp -s "$new" "$ENV_FILE"; then
  echo "==> $ENV_FILE: instance settings up to date"
  exit 0
fi
echo "==> $ENV_FILE: writing instance settings (${#settings[@]})"
chmod 0644 "$new"
mv "$new" "$ENV_FILE"
