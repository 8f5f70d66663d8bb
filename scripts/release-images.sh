#!/usr/bin/env bash
# Builds each Go release's sandbox image exactly as vm/startup.sh builds it (its own functions: one recipe,
# and a release whose image is current is not rebuilt), pushes it to REGISTRY and writes images.lock in the
# current directory: one "goX.Y REGISTRY/playground@sha256:..." line per release, the default first. The
# release carries that lock; VMs pull exactly those digests (vm/startup.sh --vm --images images.lock).
# Run as root on the machine that builds releases, logged in to REGISTRY (docker login).
set -euo pipefail

# shellcheck source=SCRIPTDIR/../vm/startup.sh
source "$(dirname "${BASH_SOURCE[0]}")/../vm/startup.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/release-images.sh [--no-build] REGISTRY

REGISTRY is where the images go, e.g. REGION-docker.pkg.dev/PROJECT/compilerd (terraform output
image_registry) or 127.0.0.1:5000/compilerd; each release X.Y is pushed as REGISTRY/playground:goX.Y.
The local images are $COMPILERD_IMAGE_REPO:goX.Y (default compilerd/playground:goX.Y), built by
vm/startup.sh's own code when they are not current.
  --no-build   refuse, instead of building, when a local image is not current with docker/playground/
USAGE
}

no_build=false
case "${1:-}" in
  --no-build) no_build=true; shift ;;
  -h|--help) usage; exit 0 ;;
esac
[[ $# -eq 1 && "$1" != -* ]] || { usage >&2; exit 2; }
registry="${1%/}"
[[ "$registry" =~ ^[a-z0-9][a-z0-9._:-]*(/[a-z0-9][a-z0-9._-]*)*$ ]] \
  || die "'$registry' is not a registry path such as 127.0.0.1:5000/compilerd"
[[ "$(id -u)" -eq 0 ]] || die "run as root (the images are built as vm/startup.sh builds them)"
docker_up || die "Docker is not running: run vm/startup.sh first"

lock="$(mktemp images.lock.XXXXXX)"
trap 'rm -f "$lock"' EXIT
echo "# scripts/release-images.sh: sandbox images from docker/playground $(source_hash), the default first" >"$lock"
for go in $(releases); do
  local_tag="$IMAGE:go$go"
  if [[ "$no_build" == true ]]; then
    current="$(docker image inspect -f '{{ index .Config.Labels "compilerd.source" }}' "$local_tag" 2>/dev/null || true)"
    [[ "$current" == "$(source_hash)-go$go" ]] \
      || die "$local_tag is not current with docker/playground/ ('$current'), and --no-build says not to build it"
    step "sandbox image $local_tag is up to date (source $current)"
  else
    build_image "$go"
  fi
  remote="$registry/playground:go$go"
  docker tag "$local_tag" "$remote"
  t0=$SECONDS
  step "pushing $remote"
  docker push -q "$remote" >/dev/null || die "docker push $remote failed"
  digest="$(docker image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$remote" \
    | awk -v p="$registry/playground@sha256:" 'index($0, p) == 1 { print; exit }')"
  [[ -n "$digest" ]] || die "no digest for $remote after the push"
  step "pushed $remote in $((SECONDS - t0)) s: $digest"
  echo "go$go $digest" >>"$lock"
done
chmod 0644 "$lock"
mv "$lock" images.lock
trap - EXIT
step "wrote $PWD/images.lock"
