#!/usr/bin/env bash
# The whole test suite against REAL services: starts JanusGraph (on BerkeleyDB JE) and Pulsar from
# Maven Central on loopback (docker/local/services.sh), runs the unit and e2e tests, then the
# integration tests with the settings pointing at those services, then the JanusGraph-on-Cassandra
# tests (test/run-cassandra.sh: two Cassandra nodes and a second JanusGraph), then the contract
# suites on a JanusGraph without a mixed-index backend (test/run-composite-only.sh), and stops the
# services again (if it started them). Graph and Pulsar data persist in .services between runs;
# the tests clear what they use.
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

step_started=$SECONDS
step() { echo "== test:all: $* [at $((SECONDS - step_started)) s]"; }
step "JanusGraph and Pulsar"
bash docker/local/services.sh up

export TZ=UTC

# Unit and e2e tests use the embedded defaults, whatever the shell has set. They are measured:
# coverage below the thresholds in jest.config.ts fails the run (report in coverage/index.html).
# A run narrowed by arguments (a test path pattern) is not measured.
coverage=(--coverage)
if [[ $# -gt 0 ]]; then coverage=(); fi
# Jest's default is one worker less than the cores: a single worker on a 2-core machine, while
# the parent process mostly waits. Two workers there took 175 s instead of 265 s.
cores="$(nproc 2> /dev/null || echo 2)"
workers=$((cores > 2 ? cores - 1 : 2))
step "unit and e2e tests (embedded backends)"
env -u GRAPH_BACKEND -u STREAMING_BACKEND -u JANUSGRAPH_HOST -u PULSAR_WEB_URL -u PULSAR_SERVICE_URL \
  npx jest --selectProjects unit e2e --maxWorkers="$workers" "${coverage[@]}" "$@"

# The analyst web app in a real browser (Debian's Chromium; with CI=true a missing browser fails).
# Its global setup builds the web app first. Not measured: the web app is tested in the browser.
step "browser tests"
env -u GRAPH_BACKEND -u STREAMING_BACKEND -u JANUSGRAPH_HOST -u PULSAR_WEB_URL -u PULSAR_SERVICE_URL \
  npx jest --selectProjects browser --runInBand --passWithNoTests "$@"

# Integration tests get the real services through the settings.
export GRAPH_BACKEND=janusgraph JANUSGRAPH_HOST=127.0.0.1 \
  STREAMING_BACKEND=pulsar PULSAR_TRANSPORT=websocket \
  PULSAR_WEB_URL="http://127.0.0.1:${PULSAR_WEB_PORT}" PULSAR_SERVICE_URL="pulsar://127.0.0.1:${PULSAR_BROKER_PORT}"

# Create the graph schema once, as an operator would (idempotent: a no-op on a kept graph).
npx ts-node -r tsconfig-paths/register --transpile-only libs/janusgraph/scripts/bootstrap-schema.ts

# The node-loss test needs two Cassandra nodes: it runs in the Cassandra phase below.
step "integration tests on JanusGraph (BerkeleyDB JE) and Pulsar"
npx jest --selectProjects integration --runInBand \
  --testPathIgnorePatterns '/node_modules/' 'cassandra-cluster\.int-spec\.ts$' "$@"

# JanusGraph on Cassandra: contract suite, restart and node-loss tests (its own servers and ports).
step "JanusGraph on Cassandra (test/run-cassandra.sh)"
bash test/run-cassandra.sh

# JanusGraph without a mixed-index backend: the contract suites on composite indexes alone.
step "composite indexes only (test/run-composite-only.sh)"
bash test/run-composite-only.sh
step "done"
