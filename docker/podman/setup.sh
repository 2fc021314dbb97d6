#!/usr/bin/env bash
# Installs and configures Podman so that this repository's images, the testcontainers tests and
# the compose stack run on a Linux machine without Docker (checked on Debian 12 as root, as in CI).
#
#   bash docker/podman/setup.sh          install what is missing, check that a container runs,
#                                        start the Docker-compatible API socket in the background
#   bash docker/podman/setup.sh stop     stop the API socket this script started
#   bash docker/podman/setup.sh status   exit 0 when the API socket answers
#
# Running it again changes nothing that is already in place. What it does:
#   - apt-get install podman runc debootstrap podman-compose (Debian/Ubuntu; elsewhere install
#     them with your package manager and run this script again)
#   - uses docker/podman/containers.conf through CONTAINERS_CONF: runtime runc, cgroupfs, no
#     default ulimits (the machine's /etc/containers files are not changed)
#   - starts `podman system service --time=0` on a Unix socket and prints its path, with the
#     variables that point the docker CLI and testcontainers at it
# Then, in your shell:   source docker/podman/env.sh
set -euo pipefail
# shellcheck source=env.sh
source "$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/env.sh"

PID_FILE="$GB_PODMAN_RUN_DIR/service.pid"
LOG_FILE="$GB_PODMAN_RUN_DIR/service.log"

socket_answers() {
  [[ -S $PODMAN_SOCKET ]] && [[ "$(curl -s --max-time 5 --unix-socket "$PODMAN_SOCKET" http://podman/_ping 2>/dev/null)" == OK ]]
}

service_pid() {
  local pid
  [[ -r $PID_FILE ]] || return 1
  pid="$(tr -dc '0-9' < "$PID_FILE")"
  [[ -n $pid ]] && tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -q 'system service' || return 1
  echo "$pid"
}

install_packages() {
  local missing=() tool
  for tool in podman runc debootstrap podman-compose curl; do
    command -v "$tool" > /dev/null 2>&1 || missing+=("$tool")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  command -v apt-get > /dev/null 2>&1 \
    || gb_die "missing: ${missing[*]}. This script installs them with apt-get (Debian/Ubuntu); install them with your package manager, then run it again."
  gb_log "installing ${missing[*]} (Debian packages)..."
  # Another apt-get may be running on a shared machine: wait for its lock instead of failing.
  gb_as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
  gb_as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    podman runc debootstrap podman-compose curl > /dev/null
}

check_runtime() {
  # Fails early, with Podman's own words, if the runtime or cgroup settings do not suit the host.
  local info
  info="$(gb_podman info --format '{{.Host.OCIRuntime.Name}} {{.Host.CgroupManager}} {{.Host.CgroupsVersion}} {{.Store.GraphDriverName}}' 2>&1)" \
    || gb_die "podman info failed: $info"
  gb_log "podman $(podman version --format '{{.Client.Version}}'): runtime, cgroup manager, cgroups, storage = $info"
}

start_service() {
  mkdir -p "$GB_PODMAN_RUN_DIR"
  if service_pid > /dev/null && socket_answers; then
    gb_log "the API socket already answers (pid $(service_pid))"
    return 0
  fi
  if socket_answers; then
    gb_log "the API socket at $PODMAN_SOCKET already answers (started by someone else); using it"
    return 0
  fi
  rm -f "$PODMAN_SOCKET"
  # setsid + nohup: the service outlives this script; --time=0: it never exits on its own.
  nohup setsid podman --runtime runc --cgroup-manager=cgroupfs system service --time=0 \
    "unix://$PODMAN_SOCKET" > "$LOG_FILE" 2>&1 < /dev/null &
  echo $! > "$PID_FILE"
  local i
  for ((i = 0; i < 100; i++)); do
    socket_answers && return 0
    sleep 0.2
  done
  tail -n 20 "$LOG_FILE" >&2 || true
  gb_die "podman system service did not answer on $PODMAN_SOCKET within 20 s (log: $LOG_FILE)"
}

stop_service() {
  local pid
  if pid="$(service_pid)"; then
    kill -TERM "$pid" 2> /dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2> /dev/null || true
    gb_log "stopped the Podman API service (pid $pid)"
  else
    gb_log "the Podman API service was not running"
  fi
  rm -f "$PID_FILE" "$PODMAN_SOCKET"
}

case "${1:-up}" in
  up)
    install_packages
    check_runtime
    start_service
    echo "Podman's Docker-compatible API answers on $PODMAN_SOCKET (pid $(service_pid || echo '?'), log $LOG_FILE)."
    echo "For the docker CLI and testcontainers in your shell:  source docker/podman/env.sh"
    echo "  (sets CONTAINERS_CONF=$CONTAINERS_CONF DOCKER_HOST=$DOCKER_HOST"
    echo "   TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1)"
    ;;
  stop) stop_service ;;
  status)
    if socket_answers; then echo "Podman API answers on $PODMAN_SOCKET"; else echo "Podman API not answering on $PODMAN_SOCKET"; exit 3; fi
    ;;
  *) echo "usage: $0 [up|stop|status]" >&2; exit 2 ;;
esac
