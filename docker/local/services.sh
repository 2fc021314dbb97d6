#!/usr/bin/env bash
# Starts or stops the real services used by integration tests and local runs, without Docker:
# JanusGraph 1.1.0 and Pulsar standalone 3.0 (and, for JanusGraph on Cassandra, Apache Cassandra
# 5.0), all resolved from Maven Central (needs Java 17 and Maven), and Redis (shared rate-limit
# counters) from the operating system's redis-server when it is installed (Debian: apt-get
# install redis-server; with CI=true it must be). Logs: .services/<service>/logs/.
#
#   services.sh up [--wipe]   start JanusGraph, Pulsar and Redis (--wipe: delete their data first)
#   services.sh down          stop everything these scripts started (data is kept)
#   services.sh status        exit 0 when every started service answers
#   services.sh wipe          stop everything, then delete all data: the graph, Pulsar's topics
#                             and messages, the Cassandra nodes
#
# Data survives `down` and `up`: JanusGraph stores the graph in BerkeleyDB JE
# (.services/janusgraph/data), Pulsar its topics in .services/pulsar/data.
# JANUSGRAPH_STORAGE=cql stores the graph in Cassandra instead: `up` then starts
# CASSANDRA_NODES Cassandra nodes (default 1) first. See docs/operations.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/../.." && pwd))"
services_dir="${SERVICES_DIR:-$repo_root/.services}"
storage="${JANUSGRAPH_STORAGE:-berkeleyje}"

redis_installed() { command -v "${REDIS_SERVER:-redis-server}" >/dev/null 2>&1; }

# Redis is optional on a workstation (only the shared rate-limit tests need it), required in CI.
redis_missing() {
  if [[ ${CI:-} == true ]]; then
    echo "services.sh: redis-server is not installed, and CI=true needs it for the rate-limit tests (apt-get install redis-server)." >&2
    return 1
  fi
  echo "services.sh: note: redis-server is not installed, so Redis is not started and the shared rate-limit tests will be skipped (Debian/Ubuntu: sudo apt-get install redis-server)." >&2
}

cassandra_started() { [[ -d $services_dir/cassandra ]] && compgen -G "$services_dir/cassandra/node-*/pid" >/dev/null; }

up() {
  if [[ $storage == cql ]]; then
    # JanusGraph needs Cassandra answering before it can open the graph.
    bash "$here/cassandra/service.sh" start
  fi
  # Resolve the classpaths and start JanusGraph and Pulsar in parallel: they are independent.
  bash "$here/janusgraph/service.sh" start &
  local janus=$!
  bash "$here/pulsar/service.sh" start &
  local pulsar=$!
  local failed=0
  if redis_installed; then bash "$here/redis/service.sh" start || failed=1; else redis_missing || failed=1; fi
  wait "$janus" || failed=1
  wait "$pulsar" || failed=1
  if [ "$failed" -ne 0 ]; then
    echo "services.sh: a service did not start (see the lines above and .services/*/logs/); stopping all." >&2
    down
    return 1
  fi
}

down() {
  bash "$here/janusgraph/service.sh" stop || true
  bash "$here/pulsar/service.sh" stop || true
  bash "$here/redis/service.sh" stop 2>/dev/null || true
  if cassandra_started; then bash "$here/cassandra/service.sh" stop || true; fi
}

status() {
  local rc=0
  bash "$here/janusgraph/service.sh" status || rc=1
  bash "$here/pulsar/service.sh" status || rc=1
  if redis_installed; then bash "$here/redis/service.sh" status || rc=1; else redis_missing || rc=1; fi
  if [[ $storage == cql ]] || cassandra_started; then
    bash "$here/cassandra/service.sh" status || rc=1
  fi
  return "$rc"
}

wipe() {
  bash "$here/janusgraph/service.sh" stop || true
  rm -rf "$services_dir/janusgraph/data"
  echo "JanusGraph data deleted ($services_dir/janusgraph/data)"
  bash "$here/pulsar/service.sh" wipe
  if [[ -d $services_dir/cassandra ]]; then bash "$here/cassandra/service.sh" wipe; fi
}

case "${1:-}" in
  up)
    if [[ ${2:-} == --wipe ]]; then wipe; elif [[ -n ${2:-} ]]; then echo "unknown option '$2'" >&2; exit 2; fi
    up
    ;;
  down) down ;;
  status) status ;;
  wipe) wipe ;;
  *) echo "usage: $0 up [--wipe]|down|status|wipe" >&2; exit 2 ;;
esac
