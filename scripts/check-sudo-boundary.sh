#!/usr/bin/env bash
# Checks, as the compilerd user that `vm/startup.sh --vm` created, that sudo runs nothing but the docker
# wrapper's own forms and `halt -p`, and that the server works through the wrapper. Run as root after
# the VM recipe (scripts/check-vm-recipe.sh calls it). Never runs halt: permissions are asked of sudo -l.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly WRAPPER=/usr/local/libexec/compilerd-docker
readonly JAR=/opt/compilerd/compilerd.jar
readonly PREFIX=check-sudo
fail() { echo "check-sudo-boundary: $*" >&2; exit 1; }
as_compilerd() { runuser -u compilerd -- "$@"; }

# refused CMD...: as compilerd, the command must not run (sudo refuses it, or the wrapper does: exit 64).
refused() {
  local rc=0
  as_compilerd "$@" >/dev/null 2>&1 || rc=$?
  ((rc != 0)) || fail "allowed, but must be refused: $*"
  echo "    refused: $*"
}

repo_image="${COMPILERD_IMAGE_REPO:-compilerd/playground}:go$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' docker/playground/releases | head -n 1 | tr -d '[:space:]')"
image="$(docker image inspect -f '{{.Id}}' "$repo_image")"
run=(sudo -n "$WRAPPER" run --name "$PREFIX-0123456789abcdef" --owner "$PREFIX" --instance 1-1 --image "$image"
  --memory 536870912 --pids 1024 --nproc 512 --cpus 1.0 --tmpfs 134217728 --nofile 1024)

echo "==> sudo as compilerd: only the wrapper's forms and halt -p"
refused sudo -n docker ps
refused sudo -n /usr/bin/docker run --rm --privileged -v /:/host "$image"
refused sudo -n sh -c id
refused "${run[@]}" --privileged true
refused "${run[@]}" --runtime runc
refused sudo -n "$WRAPPER" run --name "$PREFIX-0123456789abcdef" --owner "$PREFIX" --image "$repo_image"
refused sudo -n "$WRAPPER" exec "$PREFIX-0123456789abcdef" sh
refused sudo -n -l /usr/sbin/halt
refused sudo -n -l /usr/sbin/halt -f
as_compilerd sudo -n -l /usr/sbin/halt -p >/dev/null || fail "halt -p must be allowed"
as_compilerd sudo -n "$WRAPPER" ps "$PREFIX" >/dev/null || fail "the wrapper's ps must be allowed"
echo "    allowed: the wrapper's ps, halt -p"

echo "==> the server as compilerd, through sudo and the wrapper"
[[ -f "$JAR" ]] || fail "no $JAR (build the jar, then run vm/startup.sh --vm)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="$(mktemp)"
# setpriv execs (runuser would stay in between): $pid is the JVM itself, which SIGTERM drains and ends with 0.
HOME=/var/lib/compilerd setpriv --reuid=compilerd --regid=compilerd --init-groups -- java -jar "$JAR" --port "$port" --bind 127.0.0.1 --lifetime-max 0 --halt=false \
  --lameduck 1s --container-prefix "$PREFIX" >"$log" 2>&1 &
pid=$!
cleanup() {
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$log"
}
trap cleanup EXIT
for ((i = 0; i < 120; i++)); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "the server exited while starting"; }
  sleep 0.5
done
answer="$(printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("through the wrapper") }\n' \
  | curl -fsS --data-binary @- "http://127.0.0.1:$port/compile")" || { cat "$log" >&2; fail "POST /compile failed"; }
grep -q '"Message":"through the wrapper\\n"' <<<"$answer" || fail "unexpected answer: $answer"
echo "    hello world answered: $answer"
kill -TERM "$pid"
wait "$pid" || fail "the server did not exit 0 after SIGTERM"
[[ -z "$(docker ps -aq --filter "label=dev.compilerd.owner=$PREFIX")" ]] || fail "containers left behind"
echo "check-sudo-boundary: compilerd's sudo runs only the wrapper's forms and halt -p; the server works through it"
