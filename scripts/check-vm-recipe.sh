#!/usr/bin/env bash
# Runs vm/startup.sh --vm twice on this machine and checks that the first installs the compilerd user,
# its sudoers entry and the systemd unit, and that the second changes nothing, not even the instance
# settings a VM's boot script writes into /etc/default/compilerd between the two (vm/instance-env.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fingerprint() {
  {
    getent passwd compilerd
    sha256sum /etc/sudoers.d/compilerd /etc/systemd/system/compilerd.service /etc/default/compilerd
    stat -c '%n %a %U %Y' /etc/sudoers.d/compilerd /etc/systemd/system/compilerd.service /etc/default/compilerd
  } 2>&1
}

if [[ -d /run/systemd/system && "${CI:-}" != true ]]; then
  # On a machine that boots with systemd this would install and enable a unit that halts the machine
  # 30-60 minutes after every boot: only throwaway machines (CI, no systemd) get the recipe.
  echo "check-vm-recipe: skipped on a systemd host (set CI=true on a throwaway machine to run it)"
  exit 0
fi

vm/startup.sh --vm --no-image
# What cloud-init's compilerd-boot does after the recipe when metadata names a shared cache
# (192.0.2.1 is TEST-NET-1: documentation only, never routed).
cache_setting='COMPILERD_SHARED_CACHE=redis://192.0.2.1:6379'
vm/instance-env.sh "$cache_setting"
trap 'vm/instance-env.sh >/dev/null' EXIT
first="$(fingerprint)"
getent passwd compilerd >/dev/null || { echo "check-vm-recipe: no compilerd user" >&2; exit 1; }
visudo -c -q -f /etc/sudoers.d/compilerd || { echo "check-vm-recipe: sudoers entry invalid" >&2; exit 1; }
grep -q NOPASSWD /etc/sudoers.d/compilerd
test -f /etc/systemd/system/compilerd.service || { echo "check-vm-recipe: unit not installed" >&2; exit 1; }
grep -q '^TimeoutStopSec=' /etc/systemd/system/compilerd.service

second_log="$(vm/startup.sh --vm --no-image)"
second="$(fingerprint)"
if [[ "$first" != "$second" ]]; then
  echo "check-vm-recipe: the second run changed something:" >&2
  diff <(echo "$first") <(echo "$second") >&2 || true
  exit 1
fi
grep -qxF "${cache_setting%%=*}=\"${cache_setting#*=}\"" /etc/default/compilerd \
  || { echo "check-vm-recipe: the second run dropped the instance settings" >&2; exit 1; }
if [[ "$(vm/instance-env.sh "$cache_setting")" != *"up to date"* ]]; then
  echo "check-vm-recipe: instance-env.sh rewrote settings that had not changed" >&2
  exit 1
fi
if grep -Eq '^==> (installing|creating|registering)' <<<"$second_log"; then
  echo "check-vm-recipe: the second run claims to have changed something:" >&2
  echo "$second_log" >&2
  exit 1
fi
# What vm/startup.sh --vm --images does last (ImageRegistryIT proves the pull itself): the server reads the
# installed lock through COMPILERD_IMAGES, and the instance settings stay.
trap 'vm/install-unit.sh >/dev/null; vm/instance-env.sh >/dev/null' EXIT
vm/install-unit.sh --images /etc/compilerd/images.lock >/dev/null
grep -qx 'COMPILERD_IMAGES="/etc/compilerd/images.lock"' /etc/default/compilerd \
  || { echo "check-vm-recipe: install-unit.sh --images did not point the server at the lock" >&2; exit 1; }
grep -qxF "${cache_setting%%=*}=\"${cache_setting#*=}\"" /etc/default/compilerd \
  || { echo "check-vm-recipe: install-unit.sh --images dropped the instance settings" >&2; exit 1; }
[[ "$(vm/install-unit.sh --images /etc/compilerd/images.lock)" != *"installing /etc/default/compilerd"* ]] \
  || { echo "check-vm-recipe: install-unit.sh --images rewrote an environment that had not changed" >&2; exit 1; }
vm/install-unit.sh >/dev/null
! grep -q '^COMPILERD_IMAGES=' /etc/default/compilerd \
  || { echo "check-vm-recipe: without --images the server still reads a lock" >&2; exit 1; }
echo "check-vm-recipe: user, sudoers, unit and environment installed; a second run changed nothing; --images wired"
scripts/check-sudo-boundary.sh
