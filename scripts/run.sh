#!/usr/bin/env bash
# Sets up this machine (Docker, gVisor, the sandbox image, Java) and runs compilerd in the foreground.
# Extra arguments go to the server (see --help). Run as root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

vm/startup.sh --build
echo "==> building target/compilerd.jar"
mvn -B -q package -DskipTests
# A developer's machine is not a throwaway VM: do not halt it when the lifetime ends
# (the VM's systemd unit keeps the default, --halt=true). Override with COMPILERD_HALT=true.
export COMPILERD_HALT="${COMPILERD_HALT:-false}"
if [[ -z "${JAVA_OPTS:-}" ]]; then
  # shellcheck source=/dev/null
  source vm/compilerd.env
fi
read -r -a java_opts <<<"$JAVA_OPTS"
echo "==> starting compilerd on port ${COMPILERD_PORT:-8080} (JAVA_OPTS: $JAVA_OPTS)"
exec java "${java_opts[@]}" -jar target/compilerd.jar "$@"
