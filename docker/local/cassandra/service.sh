#!/usr/bin/env bash
# Local Apache Cassandra 5.0 nodes from Maven Central jars (no Docker), for JanusGraph's CQL
# storage backend: one node for development and CI, two or more for the cluster test.
#
#   service.sh start [N...]       start nodes (default: nodes 1..$CASSANDRA_NODES, one by one),
#                                 wait until each answers the CQL protocol
#   service.sh stop [N...]        SIGTERM (Cassandra flushes its memtables), wait, then SIGKILL
#                                 (default: every node that has a runtime folder)
#   service.sh kill N...          SIGKILL at once, as a crash would (tests use it)
#   service.sh status [N...]      exit 0 if every node answers CQL, 1 if one is not ready, 3 if one is down
#   service.sh restart [N...]     stop + start
#   service.sh wipe [N...]        stop, then delete the node's data (every node by default)
#   service.sh nodetool N ARGS..  run nodetool against node N (for example: nodetool 1 status,
#                                 nodetool 1 snapshot -t before-upgrade janusgraph)
#   Option before the command: --services-dir DIR (same as SERVICES_DIR=DIR).
#
# Node N listens on 127.0.0.N (all of 127.0.0.0/8 is loopback on Linux); every node uses the
# same CQL and storage ports on its own address, node 1 is the seed. Data: $SERVICES_DIR/cassandra/node-N.
#
# Environment (all optional):
#   SERVICES_DIR               runtime root (default <repo>/.services)
#   CASSANDRA_NODES            how many nodes `start` starts without arguments (default 1)
#   CASSANDRA_NATIVE_PORT      CQL port of every node (default 9042)
#   CASSANDRA_STORAGE_PORT     inter-node port (default 7000)
#   CASSANDRA_JMX_PORT         JMX port of node 1 (default 7199); node N uses this + N - 1, on 127.0.0.1
#   CASSANDRA_CLUSTER_NAME     cluster name (default graph-banking-local)
#   CASSANDRA_NUM_TOKENS       tokens per node (default 4)
#   CASSANDRA_HEAP             -Xms/-Xmx (default 768m)
#   CASSANDRA_START_TIMEOUT    seconds to wait for one node (default 180)
#   CASSANDRA_STOP_TIMEOUT     seconds to wait after SIGTERM before SIGKILL (default 60)
#   CASSANDRA_JAVA_OPTS        extra JVM options (word-split)
#   JAVA_HOME                  Java 17 (Cassandra 5.0 runs on 11 and 17); otherwise `java` from PATH
#   MVN                        Maven executable (default mvn), only used to resolve the jars once
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(git -C "$SCRIPT_DIR" rev-parse --show-toplevel 2>/dev/null || (cd -- "$SCRIPT_DIR/../../.." && pwd -P))"

services_dir="${SERVICES_DIR:-$REPO_ROOT/.services}"
if [[ ${1:-} == --services-dir ]]; then
  [[ -n ${2:-} ]] || { echo "--services-dir needs a folder" >&2; exit 2; }
  services_dir="$2"
  shift 2
fi
[[ $services_dir == /* ]] || services_dir="$PWD/$services_dir"
RUNTIME="$services_dir/cassandra"
TARGET_DIR="$SCRIPT_DIR/target"

NODES="${CASSANDRA_NODES:-1}"
NATIVE_PORT="${CASSANDRA_NATIVE_PORT:-9042}"
STORAGE_PORT="${CASSANDRA_STORAGE_PORT:-7000}"
JMX_BASE="${CASSANDRA_JMX_PORT:-7199}"
CLUSTER_NAME="${CASSANDRA_CLUSTER_NAME:-graph-banking-local}"
NUM_TOKENS="${CASSANDRA_NUM_TOKENS:-4}"
HEAP="${CASSANDRA_HEAP:-768m}"
START_TIMEOUT="${CASSANDRA_START_TIMEOUT:-180}"
STOP_TIMEOUT="${CASSANDRA_STOP_TIMEOUT:-60}"
MAIN_CLASS=org.apache.cassandra.service.CassandraDaemon
SEED_ADDRESS=127.0.0.1

if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

# The flags of Cassandra 5.0's conf/jvm17-server.options (module access it needs on Java 17).
JAVA17_OPTS=(
  -Djdk.attach.allowAttachSelf=true
  --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
  --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
  --add-exports java.sql/java.sql=ALL-UNNAMED
  --add-exports java.base/java.lang.ref=ALL-UNNAMED
  --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED
  --add-opens java.base/java.lang.module=ALL-UNNAMED
  --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
  --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
  --add-opens java.base/jdk.internal.math=ALL-UNNAMED
  --add-opens java.base/jdk.internal.module=ALL-UNNAMED
  --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.base/java.io=ALL-UNNAMED
  --add-opens java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED
  --add-opens java.base/java.util=ALL-UNNAMED
  -Dio.netty.tryReflectionSetAccessible=true
  -Dio.netty.allocator.useCacheForAllThreads=true
  -Dio.netty.allocator.maxOrder=11
)

log() { printf '[cassandra] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- per-node paths and settings ------------------------------------------------------------

# Sets NODE, ADDRESS, NODE_DIR, PID_FILE, INSTANCE_FILE, LOG_FILE, OUT_FILE, CONF_DIR, JMX_PORT for node $1.
select_node() {
  [[ $1 =~ ^[1-9][0-9]*$ && $1 -le 254 ]] || die "node must be a number from 1 to 254 (got '$1')"
  NODE=$1
  ADDRESS="127.0.0.$NODE"
  NODE_DIR="$RUNTIME/node-$NODE"
  PID_FILE="$NODE_DIR/pid"
  INSTANCE_FILE="$NODE_DIR/instance"   # native_port/storage_port/jmx_port of the running node
  LOG_FILE="$NODE_DIR/logs/system.log"
  OUT_FILE="$NODE_DIR/logs/cassandra.out"
  CONF_DIR="$NODE_DIR/conf"
  # A node started before keeps its ports unless the environment names others.
  if [[ -r $NODE_DIR/ports ]]; then
    local value
    value="$(sed -n 's/^native_port=//p' "$NODE_DIR/ports")"
    [[ -z ${CASSANDRA_NATIVE_PORT:-} && -n $value ]] && NATIVE_PORT=$value
    value="$(sed -n 's/^storage_port=//p' "$NODE_DIR/ports")"
    [[ -z ${CASSANDRA_STORAGE_PORT:-} && -n $value ]] && STORAGE_PORT=$value
    value="$(sed -n 's/^jmx_base_port=//p' "$NODE_DIR/ports")"
    [[ -z ${CASSANDRA_JMX_PORT:-} && -n $value ]] && JMX_BASE=$value
  fi
  JMX_PORT=$((JMX_BASE + NODE - 1))
  NODE_NATIVE_PORT=$NATIVE_PORT
}

# A node that is already running keeps the ports it was started with.
use_recorded_ports() {
  local value
  [[ -r $INSTANCE_FILE ]] || return 0
  value="$(sed -n 's/^native_port=//p' "$INSTANCE_FILE")"; [[ -n $value ]] && NODE_NATIVE_PORT=$value
  value="$(sed -n 's/^jmx_port=//p' "$INSTANCE_FILE")"; [[ -n $value ]] && JMX_PORT=$value
  return 0
}

# Node numbers that have a runtime folder, in order.
known_nodes() {
  local dir
  [[ -d $RUNTIME ]] || return 0
  for dir in "$RUNTIME"/node-*; do
    [[ -d $dir ]] && printf '%s\n' "${dir##*/node-}"
  done | sort -n
}

# --- process helpers ----------------------------------------------------------------------

process_alive() {
  local stat
  stat="$(ps -o stat= -p "$1" 2>/dev/null || true)"
  [[ -n $stat && ($stat != Z* || $stat == *l*) ]]   # "Zl": main thread ended, others still run
}

# Prints the pid of the selected node if it is alive and is our Cassandra for this node.
running_pid() {
  local pid args
  [[ -r $PID_FILE ]] || return 1
  pid="$(tr -dc '0-9' < "$PID_FILE")"
  [[ -n $pid ]] && process_alive "$pid" || return 1
  args="$(ps -ww -o args= -p "$pid" 2>/dev/null || true)"
  [[ $args == *"$MAIN_CLASS"* && $args == *"$CONF_DIR/cassandra.yaml"* ]] || return 1
  printf '%s\n' "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Readiness without nodetool or a driver: send a CQL OPTIONS request (protocol v4 frame header:
# version 0x04, flags 0, stream 0, opcode 0x05, body length 0) and expect a SUPPORTED answer
# (response version 0x84, opcode 0x06). The native port only opens once the node has joined
# the ring and loaded its schema.
cql_ready() { # address port
  local answer
  answer="$(timeout 5 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "\x04\x00\x00\x00\x05\x00\x00\x00\x00" >&3
    head -c 5 <&3 | od -An -tx1' "$1" "$2" 2>/dev/null)" || return 1
  answer="$(tr -d ' \n' <<<"$answer")"
  [[ $answer == 84000000* && ${answer:8:2} == 06 ]]
}

rss_of() { local kb; kb="$(ps -o rss= -p "$1" 2>/dev/null | tr -d ' ')"; [[ -n $kb ]] && echo "$((kb / 1024)) MiB" || echo "?"; }

show_logs() {
  local f
  for f in "$LOG_FILE" "$OUT_FILE"; do
    if [[ -s $f ]]; then
      printf -- '----- last 40 lines of %s -----\n' "$f" >&2
      tail -n 40 "$f" >&2
    fi
  done
}

# --- classpath (Maven, cached per pom.xml content) ---------------------------------------

hash_file() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -c1-16
  else cksum < "$1" | tr -c '0-9\n' '-'; fi
}

classpath_intact() {
  local jar jars
  IFS=: read -r -a jars < "$1"
  [[ ${#jars[@]} -gt 0 ]] || return 1
  for jar in "${jars[@]}"; do [[ -f $jar ]] || return 1; done
}

resolve_classpath() {
  local key cp_file tmp t0
  key="$(hash_file "$SCRIPT_DIR/pom.xml")"
  cp_file="$TARGET_DIR/classpath-$key.txt"
  if [[ -s $cp_file ]] && classpath_intact "$cp_file"; then
    bash "$SCRIPT_DIR/../verify-jars.sh" "$cp_file" "$SCRIPT_DIR/jars.sha256" || die "refusing to start on jars that differ from the reviewed list"
    CLASSPATH_VALUE="$(<"$cp_file")"
    return 0
  fi
  command -v "${MVN:-mvn}" >/dev/null 2>&1 || die "Maven (${MVN:-mvn}) not found; it is needed once to download the Cassandra jars"
  mkdir -p "$TARGET_DIR"
  tmp="$cp_file.tmp.$$"
  t0=$SECONDS
  log "resolving Cassandra jars with Maven (first run downloads about 70 MB from Maven Central)..."
  if ! "${MVN:-mvn}" -q -B --strict-checksums -f "$SCRIPT_DIR/pom.xml" dependency:build-classpath \
        -Dmdep.includeScope=runtime -Dmdep.outputFile="$tmp" > "$TARGET_DIR/mvn.log" 2>&1; then
    tail -n 50 "$TARGET_DIR/mvn.log" >&2
    rm -f "$tmp"
    die "Maven dependency resolution failed (full output: $TARGET_DIR/mvn.log)"
  fi
  [[ -s $tmp ]] || die "Maven produced an empty classpath (see $TARGET_DIR/mvn.log)"
  find "$TARGET_DIR" -maxdepth 1 -name 'classpath-*.txt' ! -name "classpath-$key.txt" -delete
  bash "$SCRIPT_DIR/../verify-jars.sh" "$tmp" "$SCRIPT_DIR/jars.sha256" || { rm -f "$tmp"; die "refusing to start on jars that differ from the reviewed list"; }
  mv -f "$tmp" "$cp_file"
  log "classpath resolved in $((SECONDS - t0))s ($(tr ':' '\n' < "$cp_file" | wc -l | tr -d ' ') jars, cached in $cp_file)"
  CLASSPATH_VALUE="$(<"$cp_file")"
}

# --- config rendering ----------------------------------------------------------------------

render_config() {
  local content
  mkdir -p "$CONF_DIR"
  content="$(<"$SCRIPT_DIR/conf/cassandra.yaml")"
  content="${content//@CLUSTER_NAME@/"$CLUSTER_NAME"}"
  content="${content//@NUM_TOKENS@/"$NUM_TOKENS"}"
  content="${content//@NODE_DIR@/"$NODE_DIR"}"
  content="${content//@SEEDS@/"$SEED_ADDRESS:$STORAGE_PORT"}"
  content="${content//@ADDRESS@/"$ADDRESS"}"
  content="${content//@STORAGE_PORT@/"$STORAGE_PORT"}"
  content="${content//@NATIVE_PORT@/"$NATIVE_PORT"}"
  printf '%s\n' "$content" > "$CONF_DIR/cassandra.yaml"
  cp -f "$SCRIPT_DIR/conf/logback.xml" "$CONF_DIR/logback.xml"
}

# --- commands (one node each; the dispatcher at the bottom loops over nodes) --------------

check_number() { [[ $2 =~ ^[0-9]+$ ]] || die "$1 must be a number (got '$2')"; }

start_node() {
  local pid t0
  if pid="$(running_pid)"; then
    use_recorded_ports
    t0=$SECONDS
    if cql_ready "$ADDRESS" "$NODE_NATIVE_PORT"; then
      echo "Cassandra node $NODE already running on $ADDRESS:$NODE_NATIVE_PORT, pid $pid, logs: $LOG_FILE"
      return 0
    fi
    log "node $NODE (pid $pid) is running but not answering CQL yet; waiting for it"
  else
    rm -f "$PID_FILE" "$INSTANCE_FILE"
    local port
    for port in "$NATIVE_PORT" "$STORAGE_PORT"; do
      port_in_use "$ADDRESS" "$port" && die "port $ADDRESS:$port is already in use by a process this script did not start; stop it or set CASSANDRA_NATIVE_PORT / CASSANDRA_STORAGE_PORT"
    done
    port_in_use 127.0.0.1 "$JMX_PORT" && die "JMX port 127.0.0.1:$JMX_PORT of node $NODE is already in use; set CASSANDRA_JMX_PORT"
    if ((NODE != 1)) && ! cql_ready "$SEED_ADDRESS" "$NATIVE_PORT"; then
      die "node $NODE joins the cluster through the seed, node 1 ($SEED_ADDRESS:$NATIVE_PORT), which is not answering; start node 1 first"
    fi
    "$JAVA" -version >/dev/null 2>&1 || die "java not found (set JAVA_HOME or put Java 17 on PATH)"
    resolve_classpath
    mkdir -p "$NODE_DIR/logs" "$NODE_DIR/data" "$NODE_DIR/tmp"
    render_config
    [[ -f $LOG_FILE ]] && mv -f "$LOG_FILE" "$LOG_FILE.prev"
    [[ -f $OUT_FILE ]] && mv -f "$OUT_FILE" "$OUT_FILE.prev"

    local jamm
    jamm="$(tr ':' '\n' <<<"$CLASSPATH_VALUE" | grep '/jamm-[^/]*\.jar$' | head -n 1 || true)"
    local -a jvm_opts=("-Xms$HEAP" "-Xmx$HEAP" -Xss256k -XX:+UseG1GC -XX:+ParallelRefProcEnabled
      -XX:MaxTenuringThreshold=1 -XX:+HeapDumpOnOutOfMemoryError "-XX:HeapDumpPath=$NODE_DIR/logs"
      "${JAVA17_OPTS[@]}"
      -Djava.net.preferIPv4Stack=true -Dfile.encoding=UTF-8 "-Djava.io.tmpdir=$NODE_DIR/tmp"
      "-Dcassandra.config=file://$CONF_DIR/cassandra.yaml"
      -Dcassandra-foreground=yes
      "-Dcassandra.storagedir=$NODE_DIR"
      "-Dcassandra.logdir=$NODE_DIR/logs"
      "-Dlogback.configurationFile=file://$CONF_DIR/logback.xml"
      "-Dcassandra.jmx.local.port=$JMX_PORT"
      # Start fast on a fresh local cluster: no 30 s gossip settling, short ring delay.
      -Dcassandra.skip_wait_for_gossip_to_settle=0
      -Dcassandra.ring_delay_ms=1000
      -Dcassandra.load_ring_state=true)
    [[ -n $jamm ]] && jvm_opts+=("-javaagent:$jamm")
    if [[ -n ${CASSANDRA_JAVA_OPTS:-} ]]; then
      local -a extra
      read -r -a extra <<<"$CASSANDRA_JAVA_OPTS"
      jvm_opts+=("${extra[@]}")
    fi
    local -a detach=()
    command -v setsid >/dev/null 2>&1 && detach=(setsid)

    t0=$SECONDS
    # The inner shell writes its own pid and then execs java, so the pid file holds the JVM's pid.
    (
      cd "$NODE_DIR"
      export CLASSPATH="$CLASSPATH_VALUE"
      nohup ${detach[@]+"${detach[@]}"} bash -c 'echo $$ > "$0"; exec "$@"' "$PID_FILE" \
        "$JAVA" "${jvm_opts[@]}" "$MAIN_CLASS" > "$OUT_FILE" 2>&1 < /dev/null &
    )
    local waited
    for ((waited = 0; waited < 50; waited++)); do
      [[ -s $PID_FILE ]] && break
      sleep 0.1
    done
    pid="$(tr -dc '0-9' < "$PID_FILE" 2>/dev/null || true)"
    [[ -n $pid ]] || { show_logs; die "node $NODE: the server process did not start"; }
    printf 'native_port=%s\nstorage_port=%s\njmx_port=%s\n' "$NATIVE_PORT" "$STORAGE_PORT" "$JMX_PORT" > "$INSTANCE_FILE"
    printf 'native_port=%s\nstorage_port=%s\njmx_base_port=%s\n' "$NATIVE_PORT" "$STORAGE_PORT" "$JMX_BASE" > "$NODE_DIR/ports"
    log "node $NODE started (pid $pid, $ADDRESS, heap $HEAP), waiting up to ${START_TIMEOUT}s for CQL on port $NATIVE_PORT..."
  fi

  while :; do
    if cql_ready "$ADDRESS" "$NODE_NATIVE_PORT"; then
      echo "Cassandra node $NODE ready on $ADDRESS:$NODE_NATIVE_PORT (CQL) in $((SECONDS - t0))s, pid $pid, logs: $LOG_FILE"
      return 0
    fi
    if ! process_alive "$pid"; then
      rm -f "$PID_FILE" "$INSTANCE_FILE"
      show_logs
      die "Cassandra node $NODE exited during start-up (pid $pid)"
    fi
    if ((SECONDS - t0 >= START_TIMEOUT)); then
      show_logs
      log "node $NODE not ready after ${START_TIMEOUT}s; stopping pid $pid"
      signal_and_wait "$pid" TERM "$STOP_TIMEOUT" || signal_and_wait "$pid" KILL 10 || true
      rm -f "$PID_FILE" "$INSTANCE_FILE"
      die "Cassandra node $NODE did not become ready within ${START_TIMEOUT}s"
    fi
    sleep 1
  done
}

signal_and_wait() { # pid signal seconds
  local i
  kill "-$2" "$1" 2>/dev/null || true
  for ((i = 0; i < $3 * 5; i++)); do
    process_alive "$1" || return 0
    sleep 0.2
  done
  return 1
}

stop_node() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE" "$INSTANCE_FILE"
    echo "Cassandra node $NODE not running"
    return 0
  fi
  if ! signal_and_wait "$pid" TERM "$STOP_TIMEOUT"; then
    log "node $NODE (pid $pid) did not exit ${STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
    signal_and_wait "$pid" KILL 10 || die "could not stop pid $pid"
  fi
  rm -f "$PID_FILE" "$INSTANCE_FILE"
  echo "Cassandra node $NODE stopped (pid $pid)"
}

kill_node() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE" "$INSTANCE_FILE"
    echo "Cassandra node $NODE not running"
    return 0
  fi
  signal_and_wait "$pid" KILL 10 || die "pid $pid survived SIGKILL"
  rm -f "$PID_FILE" "$INSTANCE_FILE"
  echo "Cassandra node $NODE killed (pid $pid, SIGKILL: no flush, the commit log is replayed on the next start)"
}

status_node() {
  local pid
  if ! pid="$(running_pid)"; then
    echo "Cassandra node $NODE not running"
    return 3
  fi
  use_recorded_ports
  if cql_ready "$ADDRESS" "$NODE_NATIVE_PORT"; then
    echo "Cassandra node $NODE ready on $ADDRESS:$NODE_NATIVE_PORT (CQL), pid $pid, rss $(rss_of "$pid"), data: $NODE_DIR"
    return 0
  fi
  echo "Cassandra node $NODE (pid $pid) is running but not answering CQL on $ADDRESS:$NODE_NATIVE_PORT (starting or unhealthy), logs: $LOG_FILE"
  return 1
}

wipe_node() {
  stop_node
  rm -rf "$NODE_DIR"
  echo "Cassandra node $NODE wiped (deleted $NODE_DIR)"
}

nodetool() { # node args...
  local pid
  select_node "$1"
  shift
  pid="$(running_pid)" || die "node $NODE is not running"
  use_recorded_ports
  resolve_classpath
  CLASSPATH="$CLASSPATH_VALUE" exec "$JAVA" -Xmx128m "${JAVA17_OPTS[@]}" \
    "-Dlogback.configurationFile=file://$CONF_DIR/logback.xml" "-Dcassandra.logdir=$NODE_DIR/logs" \
    org.apache.cassandra.tools.NodeTool -h 127.0.0.1 -p "$JMX_PORT" "$@"
}

# --- dispatcher ----------------------------------------------------------------------------

check_number CASSANDRA_NODES "$NODES"
check_number CASSANDRA_NATIVE_PORT "$NATIVE_PORT"
check_number CASSANDRA_STORAGE_PORT "$STORAGE_PORT"
check_number CASSANDRA_JMX_PORT "$JMX_BASE"
check_number CASSANDRA_START_TIMEOUT "$START_TIMEOUT"
check_number CASSANDRA_STOP_TIMEOUT "$STOP_TIMEOUT"

command="${1:-}"
[[ $# -gt 0 ]] && shift
nodes=("$@")

case "$command" in
  start)
    [[ ${#nodes[@]} -gt 0 ]] || mapfile -t nodes < <(seq 1 "$NODES")
    # One node at a time: a node joins through node 1 and Cassandra refuses concurrent joins.
    for n in "${nodes[@]}"; do select_node "$n"; start_node; done
    ;;
  stop | wipe)
    [[ ${#nodes[@]} -gt 0 ]] || mapfile -t nodes < <(known_nodes)
    [[ ${#nodes[@]} -gt 0 ]] || { echo "Cassandra: no nodes under $RUNTIME"; exit 0; }
    # Stop the seed (node 1) last so the others leave through it.
    for ((i = ${#nodes[@]} - 1; i >= 0; i--)); do select_node "${nodes[i]}"; "${command}_node"; done
    ;;
  kill)
    [[ ${#nodes[@]} -gt 0 ]] || die "kill needs node numbers (for example: kill 2)"
    for n in "${nodes[@]}"; do select_node "$n"; kill_node; done
    ;;
  status)
    [[ ${#nodes[@]} -gt 0 ]] || mapfile -t nodes < <(known_nodes)
    [[ ${#nodes[@]} -gt 0 ]] || { echo "Cassandra not running (no nodes under $RUNTIME)"; exit 3; }
    rc=0
    for n in "${nodes[@]}"; do
      select_node "$n"
      status_node || { code=$?; ((code > rc)) && rc=$code; }
    done
    exit "$rc"
    ;;
  restart)
    [[ ${#nodes[@]} -gt 0 ]] || mapfile -t nodes < <(seq 1 "$NODES")
    for n in "${nodes[@]}"; do select_node "$n"; stop_node; start_node; done
    ;;
  nodetool)
    [[ ${#nodes[@]} -ge 1 ]] || die "usage: $0 nodetool N ARGS... (for example: nodetool 1 status)"
    nodetool "${nodes[@]}"
    ;;
  *)
    echo "usage: $0 [--services-dir DIR] {start|stop|status|restart|wipe} [N...] | kill N... | nodetool N ARGS..." >&2
    exit 2
    ;;
esac
