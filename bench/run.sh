#!/usr/bin/env bash
# npm run bench [-- --only a,b] : starts real JanusGraph and Pulsar (docker/local/services.sh),
# runs the benchmarks side by side and writes docs/benchmarks.md, then stops the services.
# npm run bench -- --only graph-load --graph-backends inmemory,berkeleyje,cql : the graph-load
# benchmark on each JanusGraph storage backend, on servers of its own (see below).
# npm run bench -- --only store-scan --store-scan-backends cql [--store-scan-profile medium] : the
# store scan on servers the benchmark starts itself (nothing is started here).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
: "${JANUSGRAPH_PORT:=8182}" "${PULSAR_WEB_PORT:=8080}" "${PULSAR_BROKER_PORT:=6650}"
export JANUSGRAPH_PORT PULSAR_WEB_PORT PULSAR_BROKER_PORT
# Sections that run entirely in this process: `--only` naming nothing else needs no services.
in_process=" generators detectors detectors-streamed detectors-versions detectors-busy risk-model "
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
# `--graph-backends inmemory,berkeleyje,cql` (with `--only graph-load`): the graph-load benchmark
# once per JanusGraph storage backend, each on servers of its own (JanusGraph, for cql one
# Cassandra node, and one Pulsar for the end-to-end path), started here on ports other than the
# defaults under a temporary folder, and stopped and deleted at the end. Ports:
# BENCH_JANUSGRAPH_PORT (18182), BENCH_PULSAR_WEB_PORT (18080), BENCH_PULSAR_BROKER_PORT (16650),
# BENCH_CASSANDRA_NATIVE_PORT (19042), BENCH_CASSANDRA_STORAGE_PORT (17000),
# BENCH_CASSANDRA_JMX_PORT (17199).
backends=""
prev=""
for arg in "$@"; do
  [[ "$prev" == "--graph-backends" ]] && backends="$arg"
  prev="$arg"
done
if [[ -n "$backends" ]]; then
  if [[ "$only" != graph-load ]]; then
    echo "--graph-backends goes with --only graph-load (got --only '${only}')." >&2
    exit 2
  fi
  IFS=',' read -ra storages <<<"$backends"
  for storage in "${storages[@]}"; do
    case "$storage" in
      inmemory | berkeleyje | cql) ;;
      *) echo "--graph-backends: unknown backend '$storage' (known: inmemory, berkeleyje, cql)" >&2; exit 2 ;;
    esac
  done
  # The arguments for bench/run.ts, without --graph-backends and its value.
  args=()
  skip=no
  for arg in "$@"; do
    if [[ $skip == yes ]]; then skip=no; continue; fi
    if [[ $arg == --graph-backends ]]; then skip=yes; continue; fi
    args+=("$arg")
  done
  services="$(mktemp -d "${TMPDIR:-/tmp}/graph-load-bench.XXXXXX")"
  janusgraph=(bash docker/local/janusgraph/service.sh --services-dir "$services")
  cassandra=(bash docker/local/cassandra/service.sh --services-dir "$services")
  export JANUSGRAPH_PORT="${BENCH_JANUSGRAPH_PORT:-18182}"
  export PULSAR_WEB_PORT="${BENCH_PULSAR_WEB_PORT:-18080}" PULSAR_BROKER_PORT="${BENCH_PULSAR_BROKER_PORT:-16650}"
  export CASSANDRA_NATIVE_PORT="${BENCH_CASSANDRA_NATIVE_PORT:-19042}"
  export CASSANDRA_STORAGE_PORT="${BENCH_CASSANDRA_STORAGE_PORT:-17000}"
  export CASSANDRA_JMX_PORT="${BENCH_CASSANDRA_JMX_PORT:-17199}"
  stop_bench_services() {
    "${janusgraph[@]}" stop >/dev/null 2>&1 || true
    "${cassandra[@]}" stop >/dev/null 2>&1 || true
    SERVICES_DIR="$services" bash docker/local/pulsar/service.sh stop >/dev/null 2>&1 || true
    rm -rf "$services"
    echo "Benchmark servers stopped; $services deleted."
  }
  trap stop_bench_services EXIT
  echo "Servers of this benchmark run under $services (JanusGraph on port $JANUSGRAPH_PORT, Pulsar on $PULSAR_WEB_PORT/$PULSAR_BROKER_PORT)."
  SERVICES_DIR="$services" bash docker/local/pulsar/service.sh start
  export GRAPH_BACKEND=janusgraph JANUSGRAPH_HOST=127.0.0.1 STREAMING_BACKEND=pulsar PULSAR_TRANSPORT=websocket
  export PULSAR_WEB_URL="http://127.0.0.1:${PULSAR_WEB_PORT}" PULSAR_SERVICE_URL="pulsar://127.0.0.1:${PULSAR_BROKER_PORT}"
  # Clearing the graph between loads drops 5,000 vertices per request: on Cassandra, on shared
  # cores, one such request took more than the default 30 s.
  export JANUSGRAPH_REQUEST_TIMEOUT_MS="${JANUSGRAPH_REQUEST_TIMEOUT_MS:-600000}"
  export TZ=UTC
  for storage in "${storages[@]}"; do
    echo "== JanusGraph on $storage"
    if [[ $storage == cql ]]; then
      "${cassandra[@]}" start 1
      JANUSGRAPH_STORAGE=cql JANUSGRAPH_CQL_HOSTS=127.0.0.1 JANUSGRAPH_CQL_PORT="$CASSANDRA_NATIVE_PORT" \
        JANUSGRAPH_CQL_KEYSPACE=graph_load_bench "${janusgraph[@]}" start
    else
      JANUSGRAPH_STORAGE="$storage" "${janusgraph[@]}" start
    fi
    node --max-old-space-size=8192 -r ts-node/register/transpile-only -r tsconfig-paths/register \
      bench/run.ts "${args[@]}" --graph-load-services-dir "$services"
    "${janusgraph[@]}" stop
    if [[ $storage == cql ]]; then "${cassandra[@]}" stop; fi
  done
  exit 0
fi
# `--only store-scan --store-scan-backends …`: the store-scan benchmark starts servers of its own
# (bench/store-scan.bench.ts), so nothing is started here.
store_scan_backends=no
for arg in "$@"; do
  [[ "$arg" == --store-scan-backends ]] && store_scan_backends=yes
done
if [[ $only == store-scan && $store_scan_backends == yes ]]; then
  echo "store-scan with --store-scan-backends: the benchmark starts its own servers; not starting JanusGraph or Pulsar here."
  export TZ=UTC
  exec node --max-old-space-size=8192 -r ts-node/register/transpile-only -r tsconfig-paths/register bench/run.ts "$@"
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
