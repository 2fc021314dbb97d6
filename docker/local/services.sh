#!/usr/bin/env bash
# Starts or stops the real services used by integration tests and local runs, without Docker:
# JanusGraph 1.1.0 and Pulsar standalone 3.0, both resolved from Maven Central (needs Java 17
# and Maven). Logs: .services/<service>/logs/. Usage: services.sh up|down|status
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

up() {
  # Resolve both classpaths and start both servers in parallel: they are independent.
  bash "$here/janusgraph/service.sh" start &
  local janus=$!
  bash "$here/pulsar/service.sh" start &
  local pulsar=$!
  local failed=0
  wait "$janus" || failed=1
  wait "$pulsar" || failed=1
  if [ "$failed" -ne 0 ]; then
    echo "services.sh: a service did not start (see the lines above and .services/*/logs/); stopping both." >&2
    down
    return 1
  fi
}

down() {
  bash "$here/janusgraph/service.sh" stop || true
  bash "$here/pulsar/service.sh" stop || true
}

status() {
  local rc=0
  bash "$here/janusgraph/service.sh" status || rc=1
  bash "$here/pulsar/service.sh" status || rc=1
  return "$rc"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
