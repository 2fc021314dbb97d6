#!/usr/bin/env bash
# Runs compose on docker/compose.yaml with the image names of docker/images.env, under the
# project name graph-banking (GB_COMPOSE_PROJECT to change it):
#
#   bash docker/podman/compose.sh up -d          start the stack (build the images first:
#                                                 bash docker/podman/build-images.sh)
#   bash docker/podman/compose.sh ps | logs api | down | down -v (also deletes the volumes)
#
# Uses podman-compose (Debian package); GB_COMPOSE=docker uses `docker compose` against the
# Podman API socket instead (DOCKER_HOST from docker/podman/env.sh), where that plugin is installed.
# API_KEYS and TOTP_ENCRYPTION_KEY must be set (environment or docker/.env); GB_API_PORT picks the
# port the API is published on (127.0.0.1 only, default 3000).
#
# Stopping: `stop`, `down` and `restart` give every container GB_STOP_SECONDS (default 60) to exit
# on SIGTERM before it is killed, unless you pass your own -t/--timeout. podman-compose 1.0.3
# ignores compose.yaml's stop_grace_period and its own default for `down` is 1 second, which kills
# an ingest worker in the middle of a batch (nothing is lost, Pulsar redelivers, but the stop is
# not clean and the batch is written again).
set -euo pipefail
# shellcheck source=env.sh
source "$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/env.sh"
project="${GB_COMPOSE_PROJECT:-graph-banking}"
file="$GB_REPO_ROOT/docker/compose.yaml"
stop_seconds="${GB_STOP_SECONDS:-60}"
[[ $stop_seconds =~ ^[0-9]+$ ]] || gb_die "GB_STOP_SECONDS must be a whole number of seconds (got '$stop_seconds')"
args=("$@")
case "${1:-}" in
  stop | down | restart)
    has_timeout=false
    for arg in "${args[@]:1}"; do
      case "$arg" in -t | --timeout | -t=* | --timeout=*) has_timeout=true ;; esac
    done
    # podman-compose wants its options before the service names: put -t right after the command.
    [[ $has_timeout == true ]] || args=("$1" -t "$stop_seconds" "${args[@]:1}")
    ;;
esac
case "${GB_COMPOSE:-podman-compose}" in
  podman-compose)
    command -v podman-compose > /dev/null || gb_die "podman-compose is not installed: run bash docker/podman/setup.sh"
    exec podman-compose -p "$project" -f "$file" "${args[@]}"
    ;;
  docker) exec docker compose -p "$project" -f "$file" "${args[@]}" ;;
  *) gb_die "GB_COMPOSE must be podman-compose or docker (got '$GB_COMPOSE')" ;;
esac
