#!/usr/bin/env bash
# The whole test suite against REAL services: starts JanusGraph and Pulsar from Maven Central
# on loopback (docker/local/services.sh), points the settings at them, runs `npm test`
# (unit, integration, e2e) and stops the services again, whatever happened.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

: "${JANUSGRAPH_PORT:=8182}"
: "${PULSAR_WEB_PORT:=8080}"
: "${PULSAR_BROKER_PORT:=6650}"
export JANUSGRAPH_PORT PULSAR_WEB_PORT PULSAR_BROKER_PORT

# Stop the services at the end only if this script started them.
if bash docker/local/services.sh status >/dev/null 2>&1; then
  echo "JanusGraph and Pulsar are already running; using them and leaving them running."
else
  trap 'bash docker/local/services.sh down >/dev/null 2>&1 || true' EXIT
fi

bash docker/local/services.sh up

export GRAPH_BACKEND=janusgraph JANUSGRAPH_HOST=127.0.0.1
export STREAMING_BACKEND=pulsar PULSAR_TRANSPORT=websocket
export PULSAR_WEB_URL="http://127.0.0.1:${PULSAR_WEB_PORT}" PULSAR_SERVICE_URL="pulsar://127.0.0.1:${PULSAR_BROKER_PORT}"
export TZ=UTC

npm test -- "$@"
