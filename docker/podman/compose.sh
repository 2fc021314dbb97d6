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
set -euo pipefail
# shellcheck source=env.sh
source "$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/env.sh"
project="${GB_COMPOSE_PROJECT:-graph-banking}"
file="$GB_REPO_ROOT/docker/compose.yaml"
case "${GB_COMPOSE:-podman-compose}" in
  podman-compose)
    command -v podman-compose > /dev/null || gb_die "podman-compose is not installed: run bash docker/podman/setup.sh"
    exec podman-compose -p "$project" -f "$file" "$@"
    ;;
  docker) exec docker compose -p "$project" -f "$file" "$@" ;;
  *) gb_die "GB_COMPOSE must be podman-compose or docker (got '$GB_COMPOSE')" ;;
esac
