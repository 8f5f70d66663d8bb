#!/usr/bin/env bash
# Sets up this machine (Docker, gVisor, the sandbox image, Java, test tools) and runs every test:
# static checks, unit and handler tests, real-Docker integration tests, and the VM recipe.
# Run as root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

vm/startup.sh --dev

echo "==> shellcheck"
shopt -s nullglob
# -x: scripts that source vm/startup.sh for its functions are checked together with it.
shellcheck -x vm/*.sh vm/compilerd-docker scripts/*.sh terraform/*.sh bench/*.sh monitoring/*.sh .ci/run \
  src/test/resources/fake-docker
shopt -u nullglob
echo "==> cloud-init schema"
cloud-init schema --config-file vm/cloud-init.yaml
echo "==> the VMs' gVisor install path against a local mirror of gVisor's bucket"
scripts/check-gvisor-install.sh

mapfile -t releases < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' docker/playground/releases)
for go in "${releases[@]}"; do
  echo "==> runner tests (gofmt, go vet, go test) inside the Go $go sandbox image, which has Go"
  docker run --rm --network=none --user 0:0 -v "$PWD/docker/playground/runner:/src:ro" -w /src \
    -e GOCACHE=/gocache -e GOPATH=/tmp/gopath -e GOFLAGS=-mod=mod -e GOTOOLCHAIN=local -e CGO_ENABLED=0 \
    -e PATH=/usr/local/go/bin:/usr/bin:/bin --entrypoint sh "${COMPILERD_IMAGE_REPO:-compilerd/playground}:go$go" \
    -c 'test -z "$(gofmt -l .)" || { gofmt -l . >&2; exit 1; }; go vet ./... && go test -count=1 ./...'
  echo "==> playfmt tests inside the Go $go sandbox image, against its baked modules"
  docker run --rm --network=none --user 0:0 -v "$PWD/docker/playground/fmt:/src:ro" --entrypoint sh \
    -e GOCACHE=/gocache -e GOPATH=/tmp/gopath -e GOFLAGS=-mod=mod -e GOTOOLCHAIN=local -e CGO_ENABLED=0 \
    -e GOPROXY=file:///usr/local/lib/compilerd/gomod/cache/download -e GOSUMDB=off \
    -e PATH=/usr/local/go/bin:/usr/bin:/bin "${COMPILERD_IMAGE_REPO:-compilerd/playground}:go$go" \
    -c 'cp -r /src /tmp/fmt && cd /tmp/fmt && test -z "$(gofmt -l .)" && go mod tidy 2>/dev/null \
        && go vet ./... && go test -count=1 ./...'
done

echo "==> Prometheus rules (promtool check and test)"
monitoring/check.sh

echo "==> maven verify (unit, handler and integration tests; ImageRegistryIT: the registry and the pull path)"
# Testcontainers against this local daemon, whose images are built here and never pulled: no Ryuk (its
# image is not here), no gateway probe (the daemon is on localhost).
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost
mvn -B verify

echo "==> the fleet in miniature: 3 recycling servers behind HAProxy, sharing Valkey, 3 minutes of load"
# Fails on any request without a verified answer, a container left, or fewer than 3 servers recycled.
fleet_out="$(mktemp -d /tmp/compilerd-fleet.XXXXXX)"
DURATION=180 FLEET_OUT="$fleet_out" bench/fleet.sh
echo "==> the Grafana dashboard names only metrics a running server exports (a fleet server's /metrics)"
monitoring/check.sh --metrics "$fleet_out/metrics.txt"

echo "==> VM recipe (vm/startup.sh --vm, twice)"
scripts/check-vm-recipe.sh

echo "==> no container of ours left behind"
left="$(docker ps -a --filter label=dev.compilerd.owner --format '{{.Names}}')"
if [[ -n "$left" ]]; then
  echo "test.sh: containers left behind:" >&2
  echo "$left" >&2
  exit 1
fi
echo "all checks passed"
