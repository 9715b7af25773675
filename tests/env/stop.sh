#!/usr/bin/env bash
# Stops what tests/env/start.sh started (a Docker engine only when start.sh started it).
# Images, including the base image, stay in the engine's data for the next run on this machine.
set -uo pipefail
state="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.build/test-env"
[[ -d "$state" ]] || exit 0
stop_pid_file() {
  local file="$1"
  [[ -f "$file" ]] || return 0
  local pid; pid="$(cat "$file")"
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$file"
}
# The stand-in cluster removes its pods when it stops; any it could not are removed by label.
stop_pid_file "$state/microk8s.pid"
if command -v podman >/dev/null 2>&1 && [[ -f "$state/containers.conf" ]]; then
  CONTAINERS_CONF="$state/containers.conf" podman pod ls --quiet --filter label=book-shop.test/stand-in=true 2>/dev/null |
    CONTAINERS_CONF="$state/containers.conf" xargs -r podman pod rm --force --time 0 >/dev/null 2>&1
fi
stop_pid_file "$state/ecr-public.pid"
stop_pid_file "$state/token-front.pid"
stop_pid_file "$state/dev-nginx.pid"
stop_pid_file "$state/token-registry.pid"
stop_pid_file "$state/token-service.pid"
stop_pid_file "$state/github.pid"
stop_pid_file "$state/sshd.pid"
stop_pid_file "$state/registry.pid"
if [[ -f "$state/dockerd.ours" ]]; then
  # Containers the tests left (dev-app ones) go with the engine.
  docker ps -aq --filter label=book-shop.test=true 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1
  stop_pid_file "$state/dockerd.pid"
  rm -f "$state/dockerd.ours"
fi
echo "test environment stopped"
