#!/usr/bin/env bash
# The one host recipe for compilerd: a booting VM, a developer's machine and CI all run this.
# Idempotent: installs Docker + gVisor (runsc, 2024 or newer) + Java from Debian, registers runsc with
# Docker, starts the daemon, installs the docker wrapper the server runs as root, and builds one sandbox
# image per Go release in docker/playground/releases, each only when docker/playground/ changed; or, with
# --images, pulls the released images by digest instead of building anything. On a VM (--vm) gVisor is the
# release pinned in vm/gvisor.pin, from gVisor's own bucket, with Debian's runsc as the loud fallback.
# scripts/release-images.sh and the tests source this file for its functions (it then runs nothing).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: vm/startup.sh [--vm] [--build] [--dev] [--image REPO] [--base-image IMAGE] [--no-image]
                     [--images LOCK]

Sets up this host for compilerd (run as root; safe to run again).
  --vm                also create the 'compilerd' system user, its sudoers entry (the docker wrapper
                      and halt -p, nothing else) and systemd unit; install gVisor's pinned release
                      (vm/gvisor.pin) from its bucket ($COMPILERD_GVISOR_URL overrides the address),
                      falling back to Debian's runsc, loudly, when that fails
  --build             also install what builds the server (JDK 17, Maven)
  --dev               --build plus the test tools (shellcheck, cloud-init, docker-registry)
  --image REPO        sandbox image repository: each Go release X.Y of docker/playground/releases
                      becomes REPO:goX.Y (default: $COMPILERD_IMAGE_REPO or compilerd/playground)
  --base-image IMAGE  base image for the sandbox Dockerfile; when unset, one is built with
                      debootstrap (Debian trixie, minbase) because no registry is reachable here,
                      from the Debian mirror this machine's apt sources use ($COMPILERD_DEBIAN_MIRROR
                      overrides it)
  --no-image          skip building the sandbox image
  --images LOCK       pull, do not build: pull exactly the images an images.lock names (written by
                      scripts/release-images.sh; one 'goX.Y REGISTRY/...@sha256:...' line per release,
                      the default first), refuse any that does not match its line; with --vm the
                      server's releases come from that lock (COMPILERD_IMAGES in its environment file)
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
# Debian's runsc: dev machines and CI always, VMs when the pinned upstream release cannot be installed.
DEBIAN_RUNSC=/usr/bin/runsc
# The upstream gVisor release VMs run: its number and SHA-512s, where to fetch it, where to put it.
GVISOR_PIN="${COMPILERD_GVISOR_PIN:-$REPO_DIR/vm/gvisor.pin}"
GVISOR_URL="${COMPILERD_GVISOR_URL:-https://storage.googleapis.com/gvisor/releases/release}"
GVISOR_DEST="${COMPILERD_GVISOR_DEST:-/usr/local/bin/runsc}"
GVISOR_CONNECT_SECONDS=10
GVISOR_DOWNLOAD_SECONDS=300
# The runsc registered with Docker: set by choose_runsc.
RUNSC_PATH=""
WRAPPER_SRC="$REPO_DIR/vm/compilerd-docker"
WRAPPER=/usr/local/libexec/compilerd-docker
# Where --vm --images installs the lock the server reads (COMPILERD_IMAGES, vm/install-unit.sh).
INSTALLED_LOCK=/etc/compilerd/images.lock
DOCKER_WAIT_SECONDS=60
VM=false
BUILD=false
DEV=false
BUILD_IMAGE=true
IMAGES_LOCK=""

parse_args() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --vm) VM=true ;;
      --build) BUILD=true ;;
      --dev) DEV=true; BUILD=true ;;
      --image) IMAGE="${2:?--image needs a repository}"; shift ;;
      --base-image) BASE_IMAGE="${2:?--base-image needs an image}"; shift ;;
      --no-image) BUILD_IMAGE=false ;;
      --images) IMAGES_LOCK="${2:?--images needs an images.lock}"; shift ;;
      -h|--help) usage; exit 0 ;;
      *) echo "startup.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
  done
  if [[ -n "$IMAGES_LOCK" ]]; then
    [[ "$BUILD_IMAGE" == true ]] || die "--images pulls the sandbox images and --no-image skips them: pick one"
    [[ -f "$IMAGES_LOCK" ]] || die "--images: no file $IMAGES_LOCK"
    IMAGES_LOCK="$(cd "$(dirname "$IMAGES_LOCK")" && pwd)/$(basename "$IMAGES_LOCK")"
  fi
}

step() { echo "==> $*"; }
die() { echo "startup.sh: error: $*" >&2; exit 1; }
# loud: a warning an operator must not miss in the boot log (the serial console, cloud-init's output).
loud() { echo "startup.sh: WARNING: !!! $* !!!" >&2; }

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

# runsc_release [PATH]: the release date (20240729) of the runsc at PATH (default: Debian's package), or 0
# when there is none. Debian's says "runsc version 0.0~20240729.0", upstream's "runsc version release-2026...".
runsc_release() {
  local path="${1:-$DEBIAN_RUNSC}" v
  [[ -x "$path" ]] || { echo 0; return; }
  v="$("$path" --version 2>/dev/null | head -n 1 || true)"
  if [[ "$v" =~ (20[0-9]{6}) ]]; then echo "${BASH_REMATCH[1]}"; else echo 0; fi
}

# install_runsc: Debian's gVisor, 2024 or newer. Debian 12's own runsc is from December 2022 (no
# RLIMIT_NPROC, ptrace only), so on bookworm it comes from bookworm-backports, on the mirror apt already uses.
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

# pin_value KEY: KEY's value in vm/gvisor.pin (KEY=VALUE lines), empty when absent or empty.
pin_value() {
  [[ -f "$GVISOR_PIN" ]] || return 0
  sed -n "s/^$1=//p" "$GVISOR_PIN" | tail -n 1 | tr -d '[:space:]'
}

# install_gvisor: the gVisor release pinned in vm/gvisor.pin, from gVisor's release bucket (reached through
# Private Google Access on a VM), installed at GVISOR_DEST. Returns 1 with the reason in GVISOR_WHY,
# installing nothing, when the pin has no release or no SHA-512 for this machine, the bucket cannot be
# reached, or the binary is not the pinned one; the caller then falls back to Debian's runsc.
GVISOR_WHY=""
install_gvisor() {
  local release arch sha url tmp
  release="$(pin_value GVISOR_RELEASE)"
  arch="$(uname -m)"
  sha="$(pin_value "GVISOR_RUNSC_SHA512_${arch^^}")"
  if [[ ! "$release" =~ ^20[0-9]{6}(\.[0-9]+)?$ ]]; then
    GVISOR_WHY="no gVisor release pinned in $GVISOR_PIN"
    return 1
  fi
  if [[ ! "$sha" =~ ^[0-9a-f]{128}$ ]]; then
    GVISOR_WHY="gVisor $release has no SHA-512 for $arch in $GVISOR_PIN (scripts/pin-gvisor.sh writes it): refusing an unchecked binary"
    return 1
  fi
  if [[ -x "$GVISOR_DEST" ]] && sha512sum "$GVISOR_DEST" | grep -q "^$sha "; then
    step "gVisor $release already installed at $GVISOR_DEST"
    return 0
  fi
  url="$GVISOR_URL/$release/$arch/runsc"
  tmp="$(mktemp)"
  step "downloading gVisor $release from $url"
  if ! curl -fsS --connect-timeout "$GVISOR_CONNECT_SECONDS" --max-time "$GVISOR_DOWNLOAD_SECONDS" \
    --retry 2 -o "$tmp" "$url" 2>/dev/null; then
    rm -f "$tmp"
    GVISOR_WHY="cannot download $url"
    return 1
  fi
  if ! sha512sum "$tmp" | grep -q "^$sha "; then
    rm -f "$tmp"
    GVISOR_WHY="$url does not match the SHA-512 pinned in $GVISOR_PIN: refused"
    return 1
  fi
  chmod 0755 "$tmp"
  if [[ "$(runsc_release "$tmp")" != "${release:0:8}" ]]; then
    rm -f "$tmp"
    GVISOR_WHY="$url has the pinned SHA-512 but does not report release $release"
    return 1
  fi
  if ! install -D -o root -g root -m 0755 "$tmp" "$GVISOR_DEST"; then
    rm -f "$tmp"
    GVISOR_WHY="cannot install $GVISOR_DEST"
    return 1
  fi
  rm -f "$tmp"
  step "installed gVisor $release at $GVISOR_DEST"
}

# choose_runsc: sets RUNSC_PATH, the runsc Docker will run. A VM gets the pinned upstream release, or
# Debian's when that fails, loudly; dev machines and CI get Debian's.
choose_runsc() {
  if [[ "$VM" == true ]]; then
    if install_gvisor; then
      RUNSC_PATH="$GVISOR_DEST"
      step "runsc: gVisor $(runsc_release "$RUNSC_PATH") at $RUNSC_PATH"
      return
    fi
    loud "gVisor $(pin_value GVISOR_RELEASE) not installed ($GVISOR_WHY): falling back to Debian's runsc," \
      "an older release without upstream's latest fixes"
  fi
  install_runsc
  RUNSC_PATH="$DEBIAN_RUNSC"
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
  local conf=/etc/docker/daemon.json runsc_path="$RUNSC_PATH" current wanted
  [[ -x "$runsc_path" ]] || die "no runsc at '$runsc_path'"
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
  echo "building $tag from $base (source $hash), started $(date -u +%FT%TZ)" >"$log"
  docker build -q --force-rm --build-arg "BASE=$base" --build-arg "GO=$go" --label "compilerd.source=$hash" \
    -t "$tag" "$REPO_DIR/docker/playground" >/dev/null 2>>"$log" \
    || { tail -n 30 "$log" >&2; die "docker build of $tag failed (log: $log)"; }
  # The log keeps the figure: what the pull path (--images) saves a VM per release.
  echo "built $tag in $((SECONDS - t0)) s" >>"$log"
  step "built $tag in $((SECONDS - t0)) s ($(image_size "$tag"))"
}

image_size() {
  docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1/1e6}'
}

build_images() {
  local go
  for go in $(releases); do build_image "$go"; done
}

# lock_entries LOCK: the "goX.Y REF" lines of an images.lock (as the server's --images reads it: # comments,
# blank lines, the default release first), checked: every REF by digest, no release twice, at least one.
lock_entries() {
  local lock=$1 n=0 line name ref rest seen=" " out=()
  while IFS= read -r line || [[ -n "$line" ]]; do
    n=$((n + 1))
    line="${line%%#*}"
    name="" ref="" rest=""
    read -r name ref rest <<<"$line" || true
    [[ -n "$name" ]] || continue
    [[ -z "$rest" && "$name" =~ ^go[1-9][0-9]*\.[0-9]+$ && "$ref" =~ ^[a-z0-9][a-z0-9._/:-]*@sha256:[0-9a-f]{64}$ ]] \
      || die "$lock line $n must be 'goX.Y REGISTRY/IMAGE@sha256:<64 hex>', not '$line'"
    [[ "$seen" != *" $name "* ]] || die "$lock names $name twice"
    seen+="$name "
    out+=("$name $ref")
  done <"$lock"
  ((${#out[@]} > 0)) || die "$lock names no Go release"
  printf '%s\n' "${out[@]}"
}

# pull_images LOCK: pulls exactly the images an images.lock names, by digest, and builds nothing. Docker
# checks every manifest and layer it pulls against the digest, so a digest the registry does not have, or
# content that does not hash to it, fails the pull; the image's own label must name the line's release.
pull_images() {
  local lock=$1 entries name ref t0 label err why
  entries="$(lock_entries "$lock")"
  err="$(mktemp)"
  while read -r name ref; do
    t0=$SECONDS
    if docker image inspect "$ref" >/dev/null 2>&1; then
      step "$name: $ref already present"
    else
      step "$name: pulling $ref"
      if ! docker pull -q "$ref" >/dev/null 2>"$err"; then
        why="$(tr '\n' ' ' <"$err")"
        rm -f "$err"
        die "refusing $name: cannot pull $ref (${why% })"
      fi
    fi
    label="$(docker image inspect -f '{{ index .Config.Labels "compilerd.source" }}' "$ref")"
    [[ "$label" == *"-$name" ]] \
      || { rm -f "$err"; die "refusing $ref: it was built as '$label', not for $name as $lock says"; }
    step "$name: $ref ready in $((SECONDS - t0)) s ($(image_size "$ref"), source $label)"
  done <<<"$entries"
  rm -f "$err"
}

# install_lock: the lock the server reads on this VM (COMPILERD_IMAGES, written by vm/install-unit.sh).
install_lock() {
  if cmp -s "$IMAGES_LOCK" "$INSTALLED_LOCK"; then
    step "$INSTALLED_LOCK up to date"
    return
  fi
  step "installing $INSTALLED_LOCK (the server's Go releases and their images)"
  install -D -o root -g root -m 0644 "$IMAGES_LOCK" "$INSTALLED_LOCK"
}

# quiet_registry: Debian's docker-registry (for the tests, which start their own on 127.0.0.1) must not run
# as a service on a developer's machine, where its package enables one on every address.
quiet_registry() {
  if has_systemd && systemctl is-enabled --quiet docker-registry 2>/dev/null; then
    step "disabling the docker-registry service (the tests start their own)"
    systemctl disable --now --quiet docker-registry
  fi
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
    if [[ -n "$IMAGES_LOCK" ]]; then
      "$REPO_DIR/vm/install-unit.sh" --images "$INSTALLED_LOCK"
    else
      "$REPO_DIR/vm/install-unit.sh"
    fi
  fi
}

main() {
  [[ "$(id -u)" -eq 0 ]] || die "run as root (sudo vm/startup.sh)"
  local packages=(docker.io sudo jq ca-certificates)
  java_ok || packages+=(openjdk-17-jre-headless)
  if [[ "$VM" == true ]]; then
    packages+=(curl)
  fi
  if [[ "$BUILD" == true ]]; then
    command -v javac >/dev/null || packages+=(openjdk-17-jdk-headless)
    command -v mvn >/dev/null || packages+=(maven)
  fi
  if [[ "$DEV" == true ]]; then
    packages+=(shellcheck cloud-init docker-registry)
  fi
  install_packages "${packages[@]}"
  if [[ "$DEV" == true ]]; then quiet_registry; fi
  choose_runsc
  install_wrapper
  if [[ "$DEV" == true && "$VM" == false && ! -e /etc/cloud/cloud-init.disabled ]]; then
    # cloud-init is here only for `cloud-init schema`; it must not reconfigure this machine at its next boot.
    step "disabling cloud-init at boot on this development machine"
    mkdir -p /etc/cloud && touch /etc/cloud/cloud-init.disabled
  fi
  local changed=false
  if register_runsc; then changed=true; fi
  start_docker "$changed"
  if [[ -n "$IMAGES_LOCK" ]]; then
    pull_images "$IMAGES_LOCK"
  elif [[ "$BUILD_IMAGE" == true ]]; then
    build_images
  fi
  if [[ "$VM" == true ]]; then
    if [[ -n "$IMAGES_LOCK" ]]; then install_lock; fi
    setup_vm_user
  fi
  step "done in $SECONDS s"
}

# Sourced (scripts/release-images.sh, the tests), this file only defines its functions.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  parse_args "$@"
  main
fi
