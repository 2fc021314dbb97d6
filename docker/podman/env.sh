# Sourced by the scripts under docker/podman and test/containers (not run on its own): where
# Podman's settings, API socket and the image list are, and small helpers they share.
#
#   source docker/podman/env.sh
#
# Sets CONTAINERS_CONF (this folder's containers.conf), PODMAN_SOCKET (the Docker API socket
# that setup.sh starts), DOCKER_HOST and the testcontainers variables that go with it, and
# exports every GB_*_IMAGE name from docker/images.env.
# shellcheck shell=bash

GB_PODMAN_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
GB_REPO_ROOT="$(cd -- "$GB_PODMAN_DIR/../.." && pwd -P)"
export GB_PODMAN_DIR GB_REPO_ROOT

export CONTAINERS_CONF="${CONTAINERS_CONF:-$GB_PODMAN_DIR/containers.conf}"

# The API socket (and its pid and log files) live in one runtime folder.
if [[ $(id -u) -eq 0 ]]; then
  GB_PODMAN_RUN_DIR="${GB_PODMAN_RUN_DIR:-/run/graph-banking-podman}"
else
  GB_PODMAN_RUN_DIR="${GB_PODMAN_RUN_DIR:-${XDG_RUNTIME_DIR:-/tmp/podman-run-$(id -u)}/graph-banking-podman}"
fi
export GB_PODMAN_RUN_DIR
export PODMAN_SOCKET="${PODMAN_SOCKET:-$GB_PODMAN_RUN_DIR/podman.sock}"
export DOCKER_HOST="unix://$PODMAN_SOCKET"
# testcontainers for Node against Podman: no Ryuk (its image cannot be pulled; the tests stop
# their own containers), and containers are reached on the loopback address.
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1

# Image names and tags: docker/images.env is the one place they are written.
set -a
# shellcheck source=../images.env
source "$GB_REPO_ROOT/docker/images.env"
set +a

# Build contexts and the debootstrap tree are made here (ignored by git and by image builds).
export GB_CONTAINERS_WORK="${GB_CONTAINERS_WORK:-$GB_REPO_ROOT/.services/containers}"

gb_log() { printf '[containers] %s\n' "$*" >&2; }
gb_die() { gb_log "ERROR: $*"; exit 1; }

# podman with the settings this project needs, whatever the machine's defaults.
gb_podman() { podman --runtime runc --cgroup-manager=cgroupfs "$@"; }

# Root runs commands as they are; anyone else through sudo (package installs only).
gb_as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}
