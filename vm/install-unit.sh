#!/usr/bin/env bash
# Installs compilerd's systemd unit (and the server jar, when one was built) on this host.
# Idempotent: a file is written only when its content differs, so a second run changes nothing.
# Called by vm/startup.sh --vm; run as root. Without systemd (a container, CI) it installs the
# files and skips daemon-reload/enable, saying so.
#   vm/install-unit.sh [--images LOCK]   with --images, the server's releases come from that images.lock
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UNIT_SRC="$REPO_DIR/vm/compilerd.service"
UNIT_DST=/etc/systemd/system/compilerd.service
JAR_SRC="$REPO_DIR/target/compilerd.jar"
JAR_DST=/opt/compilerd/compilerd.jar
ENV_SRC="$REPO_DIR/vm/compilerd.env"
ENV_DST=/etc/default/compilerd
# vm/instance-env.sh writes this instance's settings (from metadata) below a line starting with this.
INSTANCE_PREFIX='# --- instance settings'

step() { echo "==> $*"; }
die() { echo "install-unit.sh: error: $*" >&2; exit 1; }

images=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --images) images="${2:?--images needs a path}"; shift ;;
    *) die "unknown argument '$1' (usage: install-unit.sh [--images LOCK])" ;;
  esac
  shift
done
[[ -z "$images" || "$images" =~ ^/[A-Za-z0-9._/-]+$ ]] || die "--images must be an absolute path, not '$images'"

[[ "$(id -u)" -eq 0 ]] || die "run as root"
[[ -f "$UNIT_SRC" ]] || die "missing $UNIT_SRC"

# install_if_changed SRC DST MODE: copy SRC to DST (root-owned) unless identical; true if copied.
install_if_changed() {
  local src=$1 dst=$2 mode=$3
  if cmp -s "$src" "$dst"; then
    step "$dst up to date"
    return 1
  fi
  step "installing $dst"
  install -D -o root -g root -m "$mode" "$src" "$dst"
}

# The EnvironmentFile is vm/compilerd.env (plus, on the pull path, the lock the server reads) followed by the
# instance section already installed (if any): this script owns the first part, vm/instance-env.sh the
# second, and neither undoes the other.
env_wanted="$(mktemp)"
trap 'rm -f "$env_wanted"' EXIT
cat "$ENV_SRC" > "$env_wanted"
if [[ -n "$images" ]]; then
  printf '# The Go releases and their images, pulled by digest (vm/startup.sh --images).\nCOMPILERD_IMAGES="%s"\n' \
    "$images" >> "$env_wanted"
fi
if [[ -f "$ENV_DST" ]]; then
  awk -v p="$INSTANCE_PREFIX" 'index($0, p) == 1 { keep = 1 } keep' "$ENV_DST" >> "$env_wanted"
fi

unit_changed=false
if install_if_changed "$UNIT_SRC" "$UNIT_DST" 0644; then unit_changed=true; fi
if install_if_changed "$env_wanted" "$ENV_DST" 0644; then unit_changed=true; fi

# The jar stays root-owned and read-only to the compilerd user: the server cannot replace itself.
if [[ -f "$JAR_SRC" ]]; then
  if install_if_changed "$JAR_SRC" "$JAR_DST" 0644; then
    step "new jar: restart compilerd to run it (systemctl restart compilerd)"
  fi
else
  step "no $JAR_SRC (build it with mvn package); leaving $JAR_DST as it is"
fi

if [[ -d /run/systemd/system ]]; then
  if [[ "$unit_changed" == true ]]; then
    step "systemctl daemon-reload"
    systemctl daemon-reload
  fi
  if ! systemctl is-enabled --quiet compilerd; then
    step "enabling compilerd (cloud-init starts it after the first boot)"
    systemctl enable --quiet compilerd
  fi
else
  step "no systemd running here: skipped daemon-reload and enable"
fi
