#!/usr/bin/env bash
# Checks the VMs' gVisor install path (vm/startup.sh --vm) against a local mirror of gVisor's release bucket
# (same layout: RELEASE/ARCH/runsc and runsc.sha512, made from Debian's runsc, served on 127.0.0.1):
# scripts/pin-gvisor.sh pins it; a matching release is installed, and not fetched again; a tampered binary,
# an unreachable bucket and an unpinned release are refused and Debian's runsc is used, loudly. Everything is
# installed under a temporary directory: this machine's runsc and Docker's registration are never touched.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=SCRIPTDIR/../vm/startup.sh
source vm/startup.sh

fail() { echo "check-gvisor-install: $*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

[[ -x "$DEBIAN_RUNSC" ]] || fail "no Debian runsc at $DEBIAN_RUNSC (run vm/startup.sh --dev first)"
release="$(runsc_release).0"
arch="$(uname -m)"
work="$(mktemp -d)"
mkdir -p "$work/mirror/$release/$arch"
cp "$DEBIAN_RUNSC" "$work/mirror/$release/$arch/runsc"
(cd "$work/mirror/$release/$arch" && sha512sum runsc >runsc.sha512)
port="$(free_port)"
python3 -m http.server --bind 127.0.0.1 --directory "$work/mirror" "$port" >"$work/http.log" 2>&1 &
http_pid=$!
cleanup() {
  kill "$http_pid" 2>/dev/null || true
  wait "$http_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
until curl -fsS -o /dev/null "http://127.0.0.1:$port/$release/$arch/runsc.sha512" 2>/dev/null; do
  kill -0 "$http_pid" 2>/dev/null || fail "the mirror did not start: $(cat "$work/http.log")"
  sleep 0.2
done

VM=true
GVISOR_URL="http://127.0.0.1:$port"
GVISOR_PIN="$work/gvisor.pin"
GVISOR_DEST="$work/root/usr/local/bin/runsc"
downloads() { grep -c "GET /$release/$arch/runsc HTTP" "$work/http.log" || true; }
# try_install: choose_runsc as startup.sh --vm runs it, in a subshell; prints its log and, last, RUNSC_PATH.
try_install() { (choose_runsc && echo "RUNSC_PATH=$RUNSC_PATH") 2>&1; }
expect() { # expect OUTPUT RUNSC_PATH TEXT...: the runsc chosen, and every TEXT in the log
  local log=$1 path=$2
  shift 2
  [[ "$(tail -n 1 <<<"$log")" == "RUNSC_PATH=$path" ]] || fail "expected RUNSC_PATH=$path, got: $log"
  for text in "$@"; do [[ "$log" == *"$text"* ]] || fail "expected '$text' in: $log"; done
}

echo "==> scripts/pin-gvisor.sh pins release $release from the mirror"
cp vm/gvisor.pin "$GVISOR_PIN"
COMPILERD_GVISOR_URL="$GVISOR_URL" COMPILERD_GVISOR_PIN="$GVISOR_PIN" scripts/pin-gvisor.sh "$release" "$arch"
sha="$(sha512sum "$DEBIAN_RUNSC" | cut -d' ' -f1)"
grep -qx "GVISOR_RELEASE=$release" "$GVISOR_PIN" || fail "pin-gvisor.sh did not pin $release: $(cat "$GVISOR_PIN")"
grep -qx "GVISOR_RUNSC_SHA512_${arch^^}=$sha" "$GVISOR_PIN" || fail "pin-gvisor.sh wrote another hash: $(cat "$GVISOR_PIN")"
grep -q '^# ' "$GVISOR_PIN" || fail "pin-gvisor.sh dropped the file's comments"

echo "==> a release that matches its pin is installed, and not downloaded again"
log="$(try_install)"
expect "$log" "$GVISOR_DEST" "installed gVisor $release at $GVISOR_DEST"
cmp -s "$GVISOR_DEST" "$DEBIAN_RUNSC" || fail "$GVISOR_DEST is not the mirror's runsc"
[[ "$(stat -c '%U %a' "$GVISOR_DEST")" == "root 755" ]] || fail "$GVISOR_DEST is not root's, mode 755"
before="$(downloads)"
log="$(try_install)"
expect "$log" "$GVISOR_DEST" "already installed"
[[ "$(downloads)" == "$before" ]] || fail "an installed, matching release was downloaded again"

echo "==> a tampered binary is refused and Debian's runsc is used, loudly"
rm -f "$GVISOR_DEST"
printf 'x' >>"$work/mirror/$release/$arch/runsc"
log="$(try_install)"
expect "$log" "$DEBIAN_RUNSC" "WARNING: !!!" "does not match the SHA-512 pinned" "falling back to Debian's runsc"
[[ ! -e "$GVISOR_DEST" ]] || fail "a refused binary was installed"

echo "==> an installed binary that no longer matches the pin is replaced by the pinned one"
cp "$DEBIAN_RUNSC" "$work/mirror/$release/$arch/runsc"
mkdir -p "$(dirname "$GVISOR_DEST")"
printf 'stale' >"$GVISOR_DEST"
log="$(try_install)"
expect "$log" "$GVISOR_DEST" "installed gVisor $release"
cmp -s "$GVISOR_DEST" "$DEBIAN_RUNSC" || fail "the stale binary was kept"

echo "==> an unreachable bucket falls back to Debian's runsc, loudly"
rm -f "$GVISOR_DEST"
GVISOR_URL="http://127.0.0.1:$(free_port)"
log="$(try_install)"
expect "$log" "$DEBIAN_RUNSC" "WARNING: !!!" "cannot download" "falling back to Debian's runsc"
GVISOR_URL="http://127.0.0.1:$port"

echo "==> an unpinned release is refused without a download"
sed -i "s/^GVISOR_RUNSC_SHA512_${arch^^}=.*/GVISOR_RUNSC_SHA512_${arch^^}=/" "$GVISOR_PIN"
before="$(downloads)"
log="$(try_install)"
expect "$log" "$DEBIAN_RUNSC" "WARNING: !!!" "no SHA-512 for $arch" "refusing an unchecked binary"
[[ "$(downloads)" == "$before" ]] || fail "an unpinned release was downloaded"

echo "==> a dev machine or CI (no --vm) keeps Debian's runsc and never asks the bucket"
VM=false
log="$(try_install)"
expect "$log" "$DEBIAN_RUNSC"
[[ "$log" != *WARNING* ]] || fail "no --vm, yet a warning: $log"

echo "==> the repository's pin"
pinned="$(GVISOR_PIN=vm/gvisor.pin pin_value GVISOR_RELEASE)"
[[ "$pinned" =~ ^20[0-9]{6}\.[0-9]+$ ]] || fail "vm/gvisor.pin pins no release"
((${pinned:0:8} >= MIN_RUNSC_RELEASE)) || fail "vm/gvisor.pin pins $pinned, older than $MIN_RUNSC_RELEASE"
hash="$(GVISOR_PIN=vm/gvisor.pin pin_value "GVISOR_RUNSC_SHA512_${arch^^}")"
if [[ -z "$hash" ]]; then
  echo "    vm/gvisor.pin: release $pinned, SHA-512 for $arch not filled in yet (scripts/pin-gvisor.sh $pinned" \
    "from a machine that reaches gVisor's bucket): VMs fall back to Debian's runsc until then"
else
  [[ "$hash" =~ ^[0-9a-f]{128}$ ]] || fail "vm/gvisor.pin: the $arch hash is not a SHA-512"
  echo "    vm/gvisor.pin: release $pinned, SHA-512 for $arch pinned"
fi
echo "check-gvisor-install: pinned installs, refusals and the loud fallback behave; nothing outside $work changed"
