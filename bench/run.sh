#!/usr/bin/env bash
# npm run bench [-- --only a,b] : starts real JanusGraph and Pulsar (docker/local/services.sh),
# runs the benchmarks side by side and writes docs/benchmarks.md, then stops the services.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
: "${JANUSGRAPH_PORT:=8182}" "${PULSAR_WEB_PORT:=8080}" "${PULSAR_BROKER_PORT:=6650}"
export JANUSGRAPH_PORT PULSAR_WEB_PORT PULSAR_BROKER_PORT
# Sections that run entirely in this process: `--only` naming nothing else needs no services.
in_process=" generators detectors detectors-streamed detectors-versions risk-model "
only=""
prev=""
for arg in "$@"; do
  [[ "$prev" == "--only" ]] && only="$arg"
  prev="$arg"
done
needs_services=yes
if [[ -n "$only" ]]; then
  needs_services=no
  IFS=',' read -ra names <<<"$only"
  for name in "${names[@]}"; do
    [[ "$in_process" == *" $name "* ]] || needs_services=yes
  done
fi
if [[ "$needs_services" == no ]]; then
  echo "Only in-process sections ($only): not starting JanusGraph or Pulsar."
  export TZ=UTC
  exec node --max-old-space-size=8192 -r ts-node/register/transpile-only -r tsconfig-paths/register bench/run.ts "$@"
fi
# `--only pulsar` (or pulsar-throughput) needs Pulsar alone: JanusGraph is neither started nor required.
if [[ $only == pulsar || $only == pulsar-throughput ]]; then
  service=(bash docker/local/pulsar/service.sh)
  start=(bash docker/local/pulsar/service.sh start)
  stop=(bash docker/local/pulsar/service.sh stop)
  what="Pulsar"
else
  service=(bash docker/local/services.sh)
  start=(bash docker/local/services.sh up)
  stop=(bash docker/local/services.sh down)
  what="JanusGraph and Pulsar"
fi
# Stop the services at the end only if this script started them.
if "${service[@]}" status >/dev/null 2>&1; then
  echo "$what: already running; using what runs and leaving it running."
else
  trap '"${stop[@]}" >/dev/null 2>&1 || true' EXIT
fi
"${start[@]}"
export GRAPH_BACKEND=janusgraph JANUSGRAPH_HOST=127.0.0.1 STREAMING_BACKEND=pulsar PULSAR_TRANSPORT=websocket
export PULSAR_WEB_URL="http://127.0.0.1:${PULSAR_WEB_PORT}" PULSAR_SERVICE_URL="pulsar://127.0.0.1:${PULSAR_BROKER_PORT}"
export TZ=UTC
node --max-old-space-size=8192 -r ts-node/register/transpile-only -r tsconfig-paths/register bench/run.ts "$@"
