#!/usr/bin/env bash
# Local Apache Pulsar 3.0.x standalone broker from Maven Central jars (no Docker).
#
#   docker/local/pulsar/service.sh start [--wipe]   start (--wipe: delete every topic and message first)
#   docker/local/pulsar/service.sh stop|status|restart
#   docker/local/pulsar/service.sh restart --kill   the same, but stopped with SIGKILL, as a crash
#                                                   would (fault tests)
#   docker/local/pulsar/service.sh wipe             stop, then delete the data folder
#   Option before the command: --services-dir DIR (same as SERVICES_DIR=DIR).
#
# Topics, subscriptions (with their positions) and unacknowledged messages are kept in
# $SERVICES_DIR/pulsar/data across stop/start; only `wipe` or `start --wipe` deletes them.
#
# Env (all optional):
#   SERVICES_DIR            runtime root (default <repo>/.services); runtime dir is $SERVICES_DIR/pulsar
#   PULSAR_BROKER_PORT      binary protocol port (default 6650)
#   PULSAR_WEB_PORT         HTTP admin/REST + WebSocket (/ws/v2) port (default 8080)
#   PULSAR_BOOKIE_PORT      in-process bookie port (default 3181)
#   PULSAR_HEAP             -Xmx (default 512m)
#   PULSAR_DIRECT_MEMORY    -XX:MaxDirectMemorySize (default 384m: 128m of it for the entry cache)
#   PULSAR_START_TIMEOUT    seconds to wait for readiness (default 240)
#   PULSAR_STOP_TIMEOUT     seconds to wait after SIGTERM before SIGKILL (default 30)
#   PULSAR_EXTRA_OPTS       extra JVM options
#   MVN                     maven command (default mvn); only used when the classpath cache is missing
#
# Everything binds to 127.0.0.1.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(git -C "$SCRIPT_DIR" rev-parse --show-toplevel 2>/dev/null || (cd "$SCRIPT_DIR/../../.." && pwd))"
services_dir="${SERVICES_DIR:-$REPO_ROOT/.services}"
if [[ ${1:-} == --services-dir ]]; then
  [[ -n ${2:-} ]] || { echo "--services-dir needs a folder" >&2; exit 2; }
  services_dir="$2"
  shift 2
fi
[[ $services_dir == /* ]] || services_dir="$PWD/$services_dir"
RUNTIME="$services_dir/pulsar"
LOG_DIR="$RUNTIME/logs"
LOG_FILE="$LOG_DIR/pulsar-standalone.log"
OUT_FILE="$LOG_DIR/stdout.log"
PID_FILE="$RUNTIME/pid"
DATA_DIR="$RUNTIME/data"

BROKER_PORT="${PULSAR_BROKER_PORT:-6650}"
WEB_PORT="${PULSAR_WEB_PORT:-8080}"
BOOKIE_PORT="${PULSAR_BOOKIE_PORT:-3181}"
HEAP="${PULSAR_HEAP:-512m}"
DIRECT_MEMORY="${PULSAR_DIRECT_MEMORY:-384m}"
START_TIMEOUT="${PULSAR_START_TIMEOUT:-240}"
STOP_TIMEOUT="${PULSAR_STOP_TIMEOUT:-30}"
HOST=127.0.0.1
WEB_URL="http://$HOST:$WEB_PORT"
MAIN_CLASS=org.apache.pulsar.PulsarStandaloneStarter

log() { echo "[pulsar] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

java_bin() {
  if [[ -n "${JAVA_HOME:-}" ]]; then echo "$JAVA_HOME/bin/java"; else command -v java || die "java not found (need JDK 17+)"; fi
}

# --- classpath (resolved once with Maven, cached in target/ keyed on the pom) ---
classpath_file() {
  local hash
  hash="$(sha256sum "$SCRIPT_DIR/pom.xml" | cut -c1-16)"
  echo "$SCRIPT_DIR/target/classpath-$hash.txt"
}

classpath_ok() {
  local f="$1" jar
  [[ -s "$f" ]] || return 1
  # Re-resolve if ~/.m2 was cleaned since the cache was written.
  while IFS= read -r jar; do [[ -f "$jar" ]] || return 1; done < <(tr ':' '\n' < "$f")
}

ensure_classpath() {
  local f tmp start
  f="$(classpath_file)"
  if classpath_ok "$f"; then
    bash "$SCRIPT_DIR/../verify-jars.sh" "$f" "$SCRIPT_DIR/jars.sha256" >&2 || die "refusing to start on jars that differ from the reviewed list"
    echo "$f"; return
  fi
  mkdir -p "$SCRIPT_DIR/target"
  tmp="$f.tmp.$$"
  start=$SECONDS
  log "resolving jars with Maven (first run downloads ~200 MB) ..."
  local mvnlog="$SCRIPT_DIR/target/mvn-build-classpath.log"
  if ! ${MVN:-mvn} -B --strict-checksums -f "$SCRIPT_DIR/pom.xml" dependency:build-classpath \
        -Dmdep.outputFile="$tmp" -Dmdep.includeScope=runtime >"$mvnlog" 2>&1; then
    rm -f "$tmp"
    tail -n 40 "$mvnlog" >&2
    die "Maven dependency resolution failed (full log: $mvnlog)"
  fi
  bash "$SCRIPT_DIR/../verify-jars.sh" "$tmp" "$SCRIPT_DIR/jars.sha256" >&2 || { rm -f "$tmp"; die "refusing to start on jars that differ from the reviewed list"; }
  mv -f "$tmp" "$f"
  log "classpath resolved in $((SECONDS - start))s ($(tr ':' '\n' < "$f" | wc -l) jars)"
  echo "$f"
}

# --- process / readiness helpers ---
read_pid() { [[ -f "$PID_FILE" ]] && tr -dc '0-9' < "$PID_FILE" || true; }

# True if $1 is a live process running the standalone main class (guards against pid reuse).
is_pulsar_pid() {
  [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null || return 1
  if [[ -r "/proc/$1/cmdline" ]]; then
    tr '\0' ' ' < "/proc/$1/cmdline" | grep -q "$MAIN_CLASS"
  else
    ps -ww -p "$1" -o args= 2>/dev/null | grep -q "$MAIN_CLASS"
  fi
}

is_running() { is_pulsar_pid "$(read_pid)"; }

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

http_get() { curl -fsS --max-time 3 "$WEB_URL$1" 2>/dev/null; }

is_ready() {
  local clusters namespaces
  clusters="$(http_get /admin/v2/clusters)" || return 1
  [[ "$clusters" == *'"standalone"'* ]] || return 1
  namespaces="$(http_get /admin/v2/namespaces/public)" || return 1
  [[ "$namespaces" == *'"public/default"'* ]]
}

broker_version() { http_get /admin/v2/brokers/version | tr -d '"\r\n' || true; }

rss_mb() { ps -p "$1" -o rss= 2>/dev/null | awk '{printf "%d", $1/1024}'; }

ready_line() {
  local pid="$1" secs="$2"
  echo "Pulsar $(broker_version) standalone ready on pulsar://$HOST:$BROKER_PORT and $WEB_URL (WebSocket /ws/v2) in ${secs}s, pid $pid, RSS $(rss_mb "$pid") MB, logs: $LOG_FILE"
}

dump_logs() {
  local f
  for f in "$OUT_FILE" "$LOG_FILE"; do
    if [[ -s "$f" ]]; then
      echo "----- last 50 lines of $f -----" >&2
      tail -n 50 "$f" >&2
    fi
  done
}

wait_ready() {
  local pid="$1" start="$2"
  while (( SECONDS - start < START_TIMEOUT )); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "process $pid exited during start-up"
      rm -f "$PID_FILE"
      dump_logs
      return 1
    fi
    if is_ready; then return 0; fi
    sleep 1
  done
  log "not ready after ${START_TIMEOUT}s; stopping it"
  dump_logs
  do_stop >&2 || true
  return 1
}

# A running instance is described by its effective config, whatever the env says now.
use_running_ports() {
  local conf="$RUNTIME/standalone.conf" v
  [[ -f "$conf" ]] || return 0
  v="$(sed -n 's/^brokerServicePort=//p' "$conf" | tail -1)"; [[ -n "$v" ]] && BROKER_PORT="$v"
  v="$(sed -n 's/^webServicePort=//p' "$conf" | tail -1)"; [[ -n "$v" ]] && WEB_PORT="$v"
  WEB_URL="http://$HOST:$WEB_PORT"
}

# --- commands ---
do_start() {
  if is_running; then
    local pid
    pid="$(read_pid)"
    use_running_ports
    if is_ready; then
      echo "Pulsar already running (pid $pid) on pulsar://$HOST:$BROKER_PORT and $WEB_URL, logs: $LOG_FILE"
      return 0
    fi
    log "already running (pid $pid) but not ready yet; waiting"
    wait_ready "$pid" "$SECONDS" || exit 1
    ready_line "$pid" "?"
    return 0
  fi
  rm -f "$PID_FILE"

  local p
  for p in "$BROKER_PORT" "$WEB_PORT" "$BOOKIE_PORT"; do
    if port_in_use "$p"; then die "port $p on $HOST is already in use (another Pulsar? check 'ss -ltnp')"; fi
  done

  local java cpfile major
  java="$(java_bin)"
  major="$("$java" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -1)"
  [[ -n "$major" && "$major" -ge 17 ]] || die "Java 17+ required (found: ${major:-unknown})"
  cpfile="$(ensure_classpath)"

  # Keep the data (metadata, ledgers): a restarted broker finds its topics, subscriptions and
  # unacknowledged messages. Only the JVM's scratch folder starts empty.
  rm -rf "$RUNTIME/tmp"
  mkdir -p "$DATA_DIR" "$LOG_DIR" "$RUNTIME/tmp"
  for p in "$LOG_FILE" "$OUT_FILE"; do if [[ -f "$p" ]]; then mv -f "$p" "$p.prev"; fi; done

  # Effective config: the checked-in file with the ports substituted.
  local conf="$RUNTIME/standalone.conf"
  sed -e "s/^brokerServicePort=.*/brokerServicePort=$BROKER_PORT/" \
      -e "s/^webServicePort=.*/webServicePort=$WEB_PORT/" \
      "$SCRIPT_DIR/conf/standalone.conf" > "$conf"

  local -a jvm=(
    "-Xms64m" "-Xmx$HEAP" "-XX:MaxDirectMemorySize=$DIRECT_MEMORY"
    -XX:+UseG1GC
    -Djava.net.preferIPv4Stack=true
    -Djava.io.tmpdir="$RUNTIME/tmp"
    -Dio.netty.tryReflectionSetAccessible=true
    --add-opens java.base/java.lang=ALL-UNNAMED
    --add-opens java.base/java.io=ALL-UNNAMED
    --add-opens java.base/java.nio=ALL-UNNAMED
    --add-opens java.base/java.util.zip=ALL-UNNAMED
    --add-opens java.base/jdk.internal.misc=ALL-UNNAMED
    --add-opens java.base/sun.net=ALL-UNNAMED
    --add-opens java.management/sun.management=ALL-UNNAMED
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
    -Dlog4j.configurationFile="$SCRIPT_DIR/conf/log4j2.xml"
    -Dlog4j.shutdownHookEnabled=false
    -Dlog4j2.is.webapp=false
    -Dpulsar.log.dir="$LOG_DIR"
    -Dbookkeeper.metadata.bookie.drivers=org.apache.pulsar.metadata.bookkeeper.PulsarMetadataBookieDriver
    -Dbookkeeper.metadata.client.drivers=org.apache.pulsar.metadata.bookkeeper.PulsarMetadataClientDriver
  )
  if [[ -n "${PULSAR_EXTRA_OPTS:-}" ]]; then
    # shellcheck disable=SC2206
    jvm+=(${PULSAR_EXTRA_OPTS})
  fi
  local -a args=(
    --config "$conf"
    -nfw -nss
    -a "$HOST"
    --metadata-dir "$DATA_DIR/metadata"
    --bookkeeper-dir "$DATA_DIR/bookkeeper"
    --bookkeeper-port "$BOOKIE_PORT"
    --zookeeper-dir "$DATA_DIR/zookeeper"
  )

  local start=$SECONDS pid
  (
    cd "$RUNTIME"
    unset PULSAR_STANDALONE_USE_ZOOKEEPER
    export CLASSPATH
    CLASSPATH="$(cat "$cpfile")"
    # setsid+nohup: detached from the caller's session/terminal; the inner bash
    # records its own pid and then execs java, so the pid file is the JVM's pid.
    nohup setsid bash -c 'echo $$ > "$0"; exec "$@"' "$PID_FILE" \
      "$java" "${jvm[@]}" "$MAIN_CLASS" "${args[@]}" \
      </dev/null >"$OUT_FILE" 2>&1 &
  )
  for _ in $(seq 50); do [[ -s "$PID_FILE" ]] && break; sleep 0.1; done
  pid="$(read_pid)"
  [[ -n "$pid" ]] || { dump_logs; die "failed to launch java"; }
  log "started pid $pid, waiting up to ${START_TIMEOUT}s for $WEB_URL/admin/v2/clusters ..."

  wait_ready "$pid" "$start" || exit 1
  ready_line "$pid" "$((SECONDS - start))"
}

do_stop() {
  local pid
  pid="$(read_pid)"
  if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$PID_FILE"
    echo "Pulsar not running"
    return 0
  fi
  if ! is_pulsar_pid "$pid"; then
    rm -f "$PID_FILE"
    echo "Pulsar not running (stale pid file: $pid is another process)"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < STOP_TIMEOUT * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 25; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -f "$PID_FILE"
  echo "Pulsar stopped (pid $pid)"
}

do_status() {
  if ! is_running; then
    echo "Pulsar not running"
    return 3
  fi
  local pid
  pid="$(read_pid)"
  use_running_ports
  if is_ready; then
    echo "Pulsar $(broker_version) ready (pid $pid) on pulsar://$HOST:$BROKER_PORT and $WEB_URL, RSS $(rss_mb "$pid") MB"
    return 0
  fi
  echo "Pulsar running (pid $pid) but not ready"
  return 1
}

do_wipe() {
  do_stop
  rm -rf "$DATA_DIR" "$RUNTIME/tmp"
  echo "Pulsar data wiped (deleted $DATA_DIR: every topic, subscription and message)"
}

command="${1:-}"
wipe_first=false
kill_first=false
case "${2:-}" in
  '') ;;
  --wipe) wipe_first=true ;;
  --kill) kill_first=true ;;
  *) echo "unknown option '$2'" >&2; exit 2 ;;
esac
[[ -n ${3:-} ]] && { echo "one option at most (got '$2' and '$3')" >&2; exit 2; }
[[ $wipe_first == true && $command != start && $command != restart ]] && { echo "--wipe only goes with start or restart" >&2; exit 2; }
[[ $kill_first == true && $command != restart ]] && { echo "--kill only goes with restart" >&2; exit 2; }

case "$command" in
  start)
    if [[ $wipe_first == true ]]; then do_wipe; fi
    do_start
    ;;
  stop) do_stop ;;
  status) do_status ;;
  restart)
    # Keep the ports of the running broker (the caller's environment may differ).
    if is_running; then use_running_ports; fi
    if [[ $kill_first == true ]]; then
      # A crash: no shutdown hook runs, nothing is flushed or closed; the data folder stays.
      pid="$(read_pid)"
      if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && is_pulsar_pid "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -0 "$pid" 2>/dev/null && die "pid $pid still runs after SIGKILL"
        rm -f "$PID_FILE"
        echo "Pulsar killed (SIGKILL, pid $pid)"
      fi
    elif [[ $wipe_first == true ]]; then do_wipe; else do_stop; fi
    do_start
    ;;
  wipe) do_wipe ;;
  *) echo "usage: $0 [--services-dir DIR] {start [--wipe]|stop|status|restart [--wipe|--kill]|wipe}" >&2; exit 2 ;;
esac
