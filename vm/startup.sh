#!/usr/bin/env bash
# The one host recipe for compilerd: a booting VM, a developer's machine and CI all run this.
# Idempotent: installs Docker + gVisor (runsc, 2024 or newer) + Java from Debian, registers runsc with
# Docker, starts the daemon, installs the docker wrapper the server runs as root, and builds one sandbox
# image per Go release in docker/playground/releases, each only when docker/playground/ changed.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: vm/startup.sh [--vm] [--build] [--dev] [--image REPO] [--base-image IMAGE] [--no-image]

Sets up this host for compilerd (run as root; safe to run again).
  --vm                also create the 'compilerd' system user, its sudoers entry (the docker wrapper
                      and halt -p, nothing else) and systemd unit
  --build             also install what builds the server (JDK 17, Maven)
  --dev               --build plus the test tools (shellcheck, cloud-init)
  --image REPO        sandbox image repository: each Go release X.Y of docker/playground/releases
                      becomes REPO:goX.Y (default: $COMPILERD_IMAGE_REPO or compilerd/playground)
  --base-image IMAGE  base image for the sandbox Dockerfile; when unset, one is built with
                      debootstrap (Debian trixie, minbase) because no registry is reachable here,
                      from the Debian mirror this machine's apt sources use ($COMPILERD_DEBIAN_MIRROR
                      overrides it)
  --no-image          skip building the sandbox image
  -h, --help          this help
USAGE
}

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGE="${COMPILERD_IMAGE_REPO:-compilerd/playground}"
RELEASES_FILE="$REPO_DIR/docker/playground/releases"
BASE_IMAGE="${COMPILERD_BASE_IMAGE:-}"
LOCAL_BASE="compilerd/base:trixie"
RUNTIME="runsc"
# gVisor's oldest trusted release (Preflight.MIN_RUNSC_RELEASE): it enforces RLIMIT_NPROC and has systrap.
MIN_RUNSC_RELEASE=20240729
WRAPPER_SRC="$REPO_DIR/vm/compilerd-docker"
WRAPPER=/usr/local/libexec/compilerd-docker
DOCKER_WAIT_SECONDS=60
VM=false
BUILD=false
DEV=false
BUILD_IMAGE=true

while [[ $# -gt 0 ]]; do
  case "$1" in
    --vm) VM=true ;;
    --build) BUILD=true ;;
    --dev) DEV=true; BUILD=true ;;
    --image) IMAGE="${2:?--image needs a repository}"; shift ;;
    --base-image) BASE_IMAGE="${2:?--base-image needs an image}"; shift ;;
    --no-image) BUILD_IMAGE=false ;;
    -h|--help) usage; exit 0 ;;
    *) echo "startup.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

step() { echo "==> $*"; }
die() { echo "startup.sh: error: $*" >&2; exit 1; }

[[ "$(id -u)" -eq 0 ]] || die "run as root (sudo vm/startup.sh)"

has_systemd() { [[ -d /run/systemd/system ]]; }

install_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    step "packages already installed: $*"
    return
  fi
  step "installing from Debian: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

debian_codename() {
  local c
  c="$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"')"
  [[ -n "$c" ]] || die "cannot tell this Debian release's codename from /etc/os-release"
  echo "$c"
}

# debian_mirror: the Debian archive this machine's apt already uses for its own release (on a cloud VM,
# the cloud's mirror), read from sources.list or deb822 .sources files; none is written into this repo.
debian_mirror() {
  if [[ -n "${COMPILERD_DEBIAN_MIRROR:-}" ]]; then
    echo "$COMPILERD_DEBIAN_MIRROR"
    return
  fi
  local codename uri
  codename="$(debian_codename)"
  shopt -s nullglob
  local lists=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list) sources=(/etc/apt/sources.list.d/*.sources)
  shopt -u nullglob
  uri="$(
    {
      cat "${lists[@]}" 2>/dev/null | awk -v c="$codename" '
        $1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i + 1) == c) { print $i; exit } }'
      ((${#sources[@]})) && awk -v c="$codename" 'BEGIN { RS = "" } {
          u = ""; s = ""; d = 0; n = split($0, l, "\n")
          for (k = 1; k <= n; k++) {
            if (l[k] ~ /^Types:/ && (l[k] " ") ~ / deb /) d = 1
            if (l[k] ~ /^URIs:/) { split(l[k], a, " "); u = a[2] }
            if (l[k] ~ /^Suites:/) s = l[k] " "
          }
          if (d && u != "" && s ~ (" " c " ")) { print u; exit }
        }' "${sources[@]}"
    } | head -n 1
  )"
  [[ -n "$uri" ]] || die "no Debian mirror for '$codename' in the apt sources; set COMPILERD_DEBIAN_MIRROR"
  echo "${uri%/}"
}

# runsc_release: the installed runsc's release date (20240729), or 0 when none is installed.
runsc_release() {
  local v
  v="$(dpkg-query -W -f='${Version}' runsc 2>/dev/null || true)"
  if [[ "$v" =~ (20[0-9]{6}) ]]; then echo "${BASH_REMATCH[1]}"; else echo 0; fi
}

# install_runsc: gVisor 2024 or newer. Debian 12's own runsc is from December 2022 (no RLIMIT_NPROC,
# ptrace only), so on bookworm it comes from bookworm-backports, on the mirror apt already uses.
install_runsc() {
  if (($(runsc_release) >= MIN_RUNSC_RELEASE)); then
    step "runsc $(runsc_release) already installed (>= $MIN_RUNSC_RELEASE)"
    return
  fi
  local codename
  codename="$(debian_codename)"
  export DEBIAN_FRONTEND=noninteractive
  if [[ "$codename" == bookworm ]]; then
    local list=/etc/apt/sources.list.d/compilerd-backports.sources
    step "adding bookworm-backports (for runsc >= $MIN_RUNSC_RELEASE) in $list"
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$(debian_mirror)" > "$list"
    apt-get update -qq || die "apt-get update failed"
    step "installing runsc from bookworm-backports"
    apt-get install -y -qq --no-install-recommends -t bookworm-backports runsc >/dev/null \
      || die "apt-get install -t bookworm-backports runsc failed"
  else
    apt-get update -qq || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends runsc >/dev/null || die "apt-get install runsc failed"
  fi
  (($(runsc_release) >= MIN_RUNSC_RELEASE)) \
    || die "runsc $(runsc_release) is older than $MIN_RUNSC_RELEASE, the oldest compilerd trusts"
  step "installed runsc $(runsc_release)"
}

# install_wrapper: the root-owned docker wrapper the server runs through sudo, on every host, so a
# developer's machine runs exactly the isolation flags a VM does.
install_wrapper() {
  if cmp -s "$WRAPPER_SRC" "$WRAPPER" && [[ "$(stat -c '%U %a' "$WRAPPER")" == "root 755" ]]; then
    step "docker wrapper $WRAPPER up to date"
    return
  fi
  step "installing the docker wrapper $WRAPPER"
  install -D -o root -g root -m 0755 "$WRAPPER_SRC" "$WRAPPER"
}

java_ok() {
  command -v java >/dev/null && java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'
}

register_runsc() {
  local conf=/etc/docker/daemon.json runsc_path current wanted
  runsc_path="$(command -v runsc)" || die "runsc is not installed"
  mkdir -p /etc/docker
  [[ -s "$conf" ]] || echo '{}' > "$conf"
  jq -e . "$conf" >/dev/null || die "$conf is not valid JSON; fix it by hand"
  current="$(jq -c '.runtimes.runsc // null' "$conf")"
  wanted="$(jq -cn --arg p "$runsc_path" '{path: $p, runtimeArgs: ["--network=none"]}')"
  if [[ "$current" == "$wanted" ]]; then
    step "runsc already registered in $conf"
    return 1
  fi
  step "registering runsc ($runsc_path, --network=none) in $conf"
  local tmp
  tmp="$(mktemp "$conf.XXXXXX")"
  jq --argjson r "$wanted" '.runtimes.runsc = $r' "$conf" > "$tmp"
  chmod 644 "$tmp"
  mv "$tmp" "$conf"
  return 0
}

docker_up() { docker info >/dev/null 2>&1; }

start_docker() {
  local changed=$1
  if has_systemd; then
    step "starting Docker through systemd"
    systemctl enable --now docker >/dev/null
    if [[ "$changed" == true ]]; then systemctl reload docker || systemctl restart docker; fi
  elif docker_up; then
    if [[ "$changed" == true ]]; then
      step "reloading dockerd (SIGHUP) to pick up the runtime"
      kill -HUP "$(cat /var/run/docker.pid)" || die "could not signal dockerd"
    else
      step "dockerd already running"
    fi
  else
    step "starting dockerd (no systemd here), log in /var/log/dockerd.log"
    setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
  fi
  local waited=0
  until docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q "\"$RUNTIME\""; do
    (( waited++ < DOCKER_WAIT_SECONDS )) \
      || die "Docker did not come up with runtime $RUNTIME within ${DOCKER_WAIT_SECONDS}s (see /var/log/dockerd.log or journalctl -u docker)"
    sleep 1
  done
  step "Docker is up and lists runtime $RUNTIME"
}

source_hash() {
  (cd "$REPO_DIR/docker/playground" && find . -type f -print0 | LC_ALL=C sort -z \
    | xargs -0 sha256sum | sha256sum | cut -c1-16)
}

build_local_base() {
  if docker image inspect "$LOCAL_BASE" >/dev/null 2>&1; then
    step "base image $LOCAL_BASE already present"
    return
  fi
  install_packages debootstrap
  local dir
  dir="$(mktemp -d /var/tmp/compilerd-base.XXXXXX)"
  step "building base image $LOCAL_BASE with debootstrap (trixie, minbase) in $dir"
  debootstrap --variant=minbase trixie "$dir" "$(debian_mirror)" >/var/log/compilerd-debootstrap.log 2>&1 \
    || die "debootstrap failed, see /var/log/compilerd-debootstrap.log"
  tar -C "$dir" -c . | docker import - "$LOCAL_BASE" >/dev/null || die "docker import failed"
  rm -rf "$dir"
}

# releases: the Go releases to build, newest (the default) first, from docker/playground/releases.
releases() {
  local r
  r="$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$RELEASES_FILE" | grep -v '^$')" || true
  [[ -n "$r" ]] || die "no Go release in $RELEASES_FILE"
  grep -Eqv '^[0-9]+\.[0-9]+$' <<<"$r" && die "$RELEASES_FILE: every line must be a release such as 1.27"
  echo "$r"
}

# build_image GO: the sandbox image of one Go release, rebuilt only when its sources changed.
build_image() {
  local go=$1 tag hash current base
  tag="$IMAGE:go$go"
  hash="$(source_hash)-go$go"
  current="$(docker image inspect -f '{{ index .Config.Labels "compilerd.source" }}' "$tag" 2>/dev/null || true)"
  if [[ "$current" == "$hash" ]]; then
    step "sandbox image $tag is up to date (source $hash)"
    return
  fi
  base="$BASE_IMAGE"
  if [[ -z "$base" ]]; then
    build_local_base
    base="$LOCAL_BASE"
  fi
  local log="/var/log/compilerd-image-build-go$go.log" t0=$SECONDS
  step "building sandbox image $tag from $base (source $hash); this pre-builds the Go standard library"
  docker build -q --force-rm --build-arg "BASE=$base" --build-arg "GO=$go" --label "compilerd.source=$hash" \
    -t "$tag" "$REPO_DIR/docker/playground" >/dev/null 2>"$log" \
    || { tail -n 30 "$log" >&2; die "docker build of $tag failed (log: $log)"; }
  step "built $tag in $((SECONDS - t0)) s ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
}

build_images() {
  local go
  for go in $(releases); do build_image "$go"; done
}

setup_vm_user() {
  local halt_bin sudoers=/etc/sudoers.d/compilerd tmp
  halt_bin="$(command -v halt || echo /usr/sbin/halt)"
  if id compilerd >/dev/null 2>&1; then
    step "user compilerd exists"
  else
    step "creating system user compilerd"
    useradd --system --home-dir /var/lib/compilerd --create-home --shell /usr/sbin/nologin compilerd
  fi
  tmp="$(mktemp)"
  # The wrapper validates its arguments and builds every isolation flag itself; halt takes exactly -p.
  printf '# compilerd may run exactly the docker wrapper and "halt -p" as root, without a password.\ncompilerd ALL=(root) NOPASSWD: %s, %s -p\n' \
    "$WRAPPER" "$halt_bin" > "$tmp"
  visudo -c -q -f "$tmp" || { rm -f "$tmp"; die "generated sudoers entry does not validate"; }
  if cmp -s "$tmp" "$sudoers"; then
    step "sudoers entry $sudoers up to date"
    rm -f "$tmp"
  else
    step "installing sudoers entry $sudoers (the docker wrapper and halt -p only)"
    install -m 0440 "$tmp" "$sudoers"
    rm -f "$tmp"
  fi
  if [[ -x "$REPO_DIR/vm/install-unit.sh" ]]; then
    "$REPO_DIR/vm/install-unit.sh"
  fi
}

main() {
  local packages=(docker.io sudo jq ca-certificates)
  java_ok || packages+=(openjdk-17-jre-headless)
  if [[ "$BUILD" == true ]]; then
    command -v javac >/dev/null || packages+=(openjdk-17-jdk-headless)
    command -v mvn >/dev/null || packages+=(maven)
  fi
  if [[ "$DEV" == true ]]; then
    packages+=(shellcheck cloud-init)
  fi
  install_packages "${packages[@]}"
  install_runsc
  install_wrapper
  if [[ "$DEV" == true && "$VM" == false && ! -e /etc/cloud/cloud-init.disabled ]]; then
    # cloud-init is here only for `cloud-init schema`; it must not reconfigure this machine at its next boot.
    step "disabling cloud-init at boot on this development machine"
    mkdir -p /etc/cloud && touch /etc/cloud/cloud-init.disabled
  fi
  local changed=false
  if register_runsc; then changed=true; fi
  start_docker "$changed"
  if [[ "$BUILD_IMAGE" == true ]]; then build_images; fi
  if [[ "$VM" == true ]]; then setup_vm_user; fi
  step "done"
}

main
