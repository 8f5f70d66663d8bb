#!/usr/bin/env bash
# Pins an upstream gVisor release for the VMs: downloads runsc of RELEASE for each architecture from gVisor's
# release bucket (the address vm/startup.sh --vm installs from), checks each against the bucket's own
# runsc.sha512, checks that the binary for this machine reports RELEASE, and rewrites vm/gvisor.pin with the
# release and the SHA-512s. From then on a VM installs exactly those bytes or none (Debian's runsc, loudly).
# Run it on a machine that reaches the bucket, then review and commit vm/gvisor.pin.
set -euo pipefail

# shellcheck source=SCRIPTDIR/../vm/startup.sh
source "$(dirname "${BASH_SOURCE[0]}")/../vm/startup.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/pin-gvisor.sh RELEASE [ARCH...]

RELEASE is a gVisor release such as 20260817.0; ARCH defaults to x86_64 aarch64.
$COMPILERD_GVISOR_URL overrides the bucket's address (a mirror with the same layout),
$COMPILERD_GVISOR_PIN the file written (default vm/gvisor.pin).
USAGE
}

[[ $# -ge 1 && "$1" != -* ]] || { usage >&2; exit 2; }
release=$1
shift
arches=("$@")
((${#arches[@]} > 0)) || arches=(x86_64 aarch64)
[[ "$release" =~ ^20[0-9]{6}\.[0-9]+$ ]] || die "a gVisor release looks like 20260817.0, not '$release'"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
lines=()
for arch in "${arches[@]}"; do
  [[ "$arch" =~ ^[a-z0-9_]+$ ]] || die "bad architecture '$arch'"
  url="$GVISOR_URL/$release/$arch"
  step "downloading $url/runsc and runsc.sha512"
  curl -fsS --connect-timeout "$GVISOR_CONNECT_SECONDS" --max-time "$GVISOR_DOWNLOAD_SECONDS" --retry 2 \
    -o "$tmp/runsc" "$url/runsc" || die "cannot download $url/runsc"
  curl -fsS --connect-timeout "$GVISOR_CONNECT_SECONDS" --max-time 60 --retry 2 \
    -o "$tmp/runsc.sha512" "$url/runsc.sha512" || die "cannot download $url/runsc.sha512"
  expected="$(awk 'NR == 1 { print $1 }' "$tmp/runsc.sha512")"
  [[ "$expected" =~ ^[0-9a-f]{128}$ ]] || die "$url/runsc.sha512 holds no SHA-512"
  actual="$(sha512sum "$tmp/runsc" | cut -d' ' -f1)"
  [[ "$actual" == "$expected" ]] || die "$url/runsc does not match the bucket's own runsc.sha512"
  if [[ "$arch" == "$(uname -m)" ]]; then
    chmod 0755 "$tmp/runsc"
    [[ "$(runsc_release "$tmp/runsc")" == "${release:0:8}" ]] || die "$url/runsc does not report release $release"
  fi
  lines+=("GVISOR_RUNSC_SHA512_${arch^^}=$actual")
  step "$arch: $actual"
done

new="$(mktemp "$GVISOR_PIN.XXXXXX")"
{
  if [[ -f "$GVISOR_PIN" ]]; then sed -n '/^#/!q; p' "$GVISOR_PIN" | grep -v '^# Not yet filled in' || true; fi
  echo "GVISOR_RELEASE=$release"
  printf '%s\n' "${lines[@]}"
} >"$new"
chmod 0644 "$new"
mv "$new" "$GVISOR_PIN"
step "pinned gVisor $release in $GVISOR_PIN"
