#!/usr/bin/env bash
# Local JanusGraph 1.1.0 Gremlin Server (TinkerPop 3.7.3) without Docker.
#
#   service.sh start [--wipe]   resolve jars from Maven Central (cached), start in the background,
#                               wait until a Gremlin query succeeds over HTTP (--wipe: empty the
#                               graph first)
#   service.sh stop             SIGTERM (the graph is closed cleanly), wait up to 30s, then SIGKILL
#   service.sh status           exit 0 and print info if the server answers queries, non-zero otherwise
#   service.sh restart          stop + start, with the storage and port the running server had
#   service.sh restart --kill   the same, but stopped with SIGKILL, as a crash would (fault tests)
#   service.sh wipe             stop, then delete the graph: its storage (the BerkeleyDB folder, or
#                               the Cassandra keyspace) and its Lucene index folder
#   Option before the command: --services-dir DIR (same as SERVICES_DIR=DIR).
#
# Storage (JANUSGRAPH_STORAGE):
#   berkeleyje  (default) BerkeleyDB JE in $RUNTIME/data/berkeleyje: the graph, its schema and
#               its indexes survive stop/start; only `wipe` or `start --wipe` deletes them
#   cql         Apache Cassandra (docker/local/cassandra/service.sh), keyspace JANUSGRAPH_CQL_KEYSPACE
#   inmemory    nothing is kept: every start begins with an empty graph
# Mixed indexes use Lucene in $RUNTIME/data/lucene/<storage>. Listens on 127.0.0.1 only.
#
# Environment:
#   SERVICES_DIR              runtime root (default <repo>/.services); runtime dir is $SERVICES_DIR/janusgraph
#   JANUSGRAPH_PORT           port (default 8182)
#   JANUSGRAPH_STORAGE        berkeleyje | cql | inmemory (default berkeleyje)
#   JANUSGRAPH_CQL_HOSTS      Cassandra contact points, comma-separated (default 127.0.0.1)
#   JANUSGRAPH_CQL_PORT       Cassandra CQL port (default $CASSANDRA_NATIVE_PORT or 9042)
#   JANUSGRAPH_CQL_KEYSPACE   keyspace (default janusgraph)
#   JANUSGRAPH_CQL_DATACENTER Cassandra datacenter of the contact points (default datacenter1)
#   JANUSGRAPH_CQL_REPLICATION_FACTOR  replicas of every row, used when the keyspace is created (default 1)
#   JANUSGRAPH_CQL_READ_CONSISTENCY    ONE | QUORUM | ALL ... (default QUORUM)
#   JANUSGRAPH_CQL_WRITE_CONSISTENCY   ONE | QUORUM | ALL ... (default QUORUM)
#   JANUSGRAPH_LOCK_WAIT_MS   uniqueness-lock wait on cql (default 100, JanusGraph's own default)
#   JANUSGRAPH_LOCK_EXPIRY_MS age after which a lock claim on cql is taken as stale (default 60000;
#                             JanusGraph's own default is 300000)
#   JANUSGRAPH_MIXED_INDEX_BACKEND  search (default: Lucene next to the data) | none (no mixed-index
#                             backend: the apps then need JANUSGRAPH_MIXED_INDEX_BACKEND=none too)
#   JANUSGRAPH_BERKELEYJE_FREE_DISK_MB  berkeleyje: least free disk space (MB) under which BerkeleyDB
#                             JE refuses writes (default: JE's own, 5120); read at every start
#   JANUSGRAPH_BERKELEYJE_MAX_DISK_MB   berkeleyje: most disk space (MB) its files may take, writes
#                             refused beyond it (default: no limit; the disk-full fault test sets it)
#   JANUSGRAPH_GREMLIN_POOL   threads that run requests (Gremlin Server's gremlinPool; default: its
#                             own, the number of cores); read at every start
#   JANUSGRAPH_MAX_WORK_QUEUE_SIZE  requests that may wait for a thread before the server answers
#                             429 "Rate limiting" (maxWorkQueueSize; default: its own, 8192)
#   JANUSGRAPH_HEAP           -Xms/-Xmx (default 768m)
#   JANUSGRAPH_START_TIMEOUT  seconds to wait for readiness (default 180)
#   JANUSGRAPH_JAVA_OPTS      extra JVM options (word-split)
#   JAVA_HOME                 Java 11+ (tested with 17); otherwise `java` from PATH
#   MVN                       Maven executable (default mvn)
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
RUNTIME="$services_dir/janusgraph"
LOG_DIR="$RUNTIME/logs"
CONF_OUT="$RUNTIME/conf"
DATA_DIR="$RUNTIME/data"
PID_FILE="$RUNTIME/pid"
PORT_FILE="$RUNTIME/port"              # port of the running instance (status/stop/start reuse it)
INSTANCE_FILE="$RUNTIME/instance"      # storage settings of the running instance (restart reuses them)
LOG_FILE="$LOG_DIR/janusgraph.log"   # log4j2 output
OUT_FILE="$LOG_DIR/janusgraph.out"   # JVM stdout/stderr
TARGET_DIR="$SCRIPT_DIR/target"

HOST=127.0.0.1
PORT="${JANUSGRAPH_PORT:-8182}"
STORAGE="${JANUSGRAPH_STORAGE:-berkeleyje}"
CQL_HOSTS="${JANUSGRAPH_CQL_HOSTS:-127.0.0.1}"
CQL_PORT="${JANUSGRAPH_CQL_PORT:-${CASSANDRA_NATIVE_PORT:-9042}}"
CQL_KEYSPACE="${JANUSGRAPH_CQL_KEYSPACE:-janusgraph}"
CQL_DATACENTER="${JANUSGRAPH_CQL_DATACENTER:-datacenter1}"
CQL_REPLICATION_FACTOR="${JANUSGRAPH_CQL_REPLICATION_FACTOR:-1}"
CQL_READ_CONSISTENCY="${JANUSGRAPH_CQL_READ_CONSISTENCY:-QUORUM}"
CQL_WRITE_CONSISTENCY="${JANUSGRAPH_CQL_WRITE_CONSISTENCY:-QUORUM}"
LOCK_WAIT_MS="${JANUSGRAPH_LOCK_WAIT_MS:-100}"
LOCK_EXPIRY_MS="${JANUSGRAPH_LOCK_EXPIRY_MS:-60000}"
MIXED_INDEX="${JANUSGRAPH_MIXED_INDEX_BACKEND:-search}"
HEAP="${JANUSGRAPH_HEAP:-768m}"
BJE_FREE_DISK_MB="${JANUSGRAPH_BERKELEYJE_FREE_DISK_MB:-}"
GREMLIN_POOL="${JANUSGRAPH_GREMLIN_POOL:-}"
MAX_WORK_QUEUE_SIZE="${JANUSGRAPH_MAX_WORK_QUEUE_SIZE:-}"
BJE_MAX_DISK_MB="${JANUSGRAPH_BERKELEYJE_MAX_DISK_MB:-}"
START_TIMEOUT="${JANUSGRAPH_START_TIMEOUT:-180}"
STOP_TIMEOUT=30
MAIN_CLASS=org.janusgraph.graphdb.server.JanusGraphServer
SERVER_YAML="$CONF_OUT/janusgraph-server.yaml"

if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

# Java 17: Gremlin Server / Groovy / JanusGraph reflect into JDK internals.
JAVA_MODULE_OPTS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
)

# Readiness probe and version report in one query: it only succeeds once the graph is open,
# the init script has bound `g` and a traversal can run.
PROBE_SCRIPT="'janusgraph=' + org.janusgraph.graphdb.configuration.JanusGraphConstants.VERSION + ';tinkerpop=' + org.apache.tinkerpop.gremlin.util.Gremlin.version() + ';probe=' + g.inject(1).count().next()"

log() { printf '[janusgraph] %s\n' "$*" >&2; }

# Opens the graph in a plain JVM until every table JanusGraph needs exists on every Cassandra
# node (see conf/create-cql-tables.groovy); its output goes to logs/create-cql-tables.log.
create_cql_tables() {
  local t0=$SECONDS
  if CLASSPATH="$CLASSPATH_VALUE" "$JAVA" -Xmx512m "${JAVA_MODULE_OPTS[@]}" \
      -Djava.net.preferIPv4Stack=true "-Dlog4j2.configurationFile=file:$CONF_OUT/log4j2-server.xml" \
      "-Djanusgraph.log.dir=$LOG_DIR" groovy.ui.GroovyMain "$SCRIPT_DIR/conf/create-cql-tables.groovy" \
      "$CONF_OUT/janusgraph.properties" > "$LOG_DIR/create-cql-tables.log" 2>&1; then
    log "$(tail -n 1 "$LOG_DIR/create-cql-tables.log") in $((SECONDS - t0))s"
  else
    log "creating the tables in one JVM failed; see $LOG_DIR/create-cql-tables.log"
    return 1
  fi
}
die() { log "ERROR: $*"; exit 1; }

# When BerkeleyDB JE refused to write for lack of disk space, says so in words (its log line is
# long and easy to miss among the start-up lines).
explain_disk_limit() {
  [[ $STORAGE == berkeleyje ]] && grep -q 'DiskLimitException' "$LOG_FILE" 2>/dev/null || return 0
  local dir free_mb
  dir="$(storage_dir)"
  free_mb="$(df -Pm "$dir" 2>/dev/null | awk 'NR == 2 { print $4 }')"
  log "BerkeleyDB JE refuses to write: the disk under $dir has ${free_mb:-?} MB free, less than the" \
    "free space it keeps (je.freeDisk: ${BJE_FREE_DISK_MB:-5120} MB${BJE_MAX_DISK_MB:+; its files may take at most $BJE_MAX_DISK_MB MB, je.maxDisk})." \
    "Free disk space there, or set JANUSGRAPH_BERKELEYJE_FREE_DISK_MB to a smaller floor (a disk" \
    "that fills up completely can damage the graph: keep a margin); docs/operations.md, \"Disk space\"."
}

show_logs() {
  local f
  for f in "$LOG_FILE" "$OUT_FILE"; do
    if [[ -s $f ]]; then
      printf -- '----- last 50 lines of %s -----\n' "$f" >&2
      tail -n 50 "$f" >&2
    fi
  done
}

# --- process helpers ----------------------------------------------------------------------

# Prints the pid from the pid file if that process is alive and is our server.
running_pid() {
  local pid args stat
  [[ -r $PID_FILE ]] || return 1
  pid="$(tr -dc '0-9' < "$PID_FILE")"
  [[ -n $pid ]] || return 1
  stat="$(ps -o stat= -p "$pid" 2>/dev/null || true)"
  # Gone, or a zombie nobody reaped yet. "Zl" is not gone: the JVM's main thread has ended but
  # its other threads still run (a shutdown under way, the port still open).
  [[ -n $stat && ($stat != Z* || $stat == *l*) ]] || return 1
  args="$(ps -ww -o args= -p "$pid" 2>/dev/null || true)"
  [[ $args == *"$MAIN_CLASS"* && $args == *"$SERVER_YAML"* ]] || return 1
  printf '%s\n' "$pid"
}

# For an instance that is already running, talk to the port it was started with.
use_recorded_port() {
  local recorded
  [[ -r $PORT_FILE ]] || return 0
  recorded="$(tr -dc '0-9' < "$PORT_FILE")"
  [[ -n $recorded && $recorded != "$PORT" ]] || return 0
  [[ -n ${JANUSGRAPH_PORT:-} ]] && log "note: the running instance uses port $recorded (JANUSGRAPH_PORT=$JANUSGRAPH_PORT ignored)"
  PORT="$recorded"
}

process_alive() {
  local stat
  stat="$(ps -o stat= -p "$1" 2>/dev/null || true)"
  [[ -n $stat && ($stat != Z* || $stat == *l*) ]]   # "Zl": main thread ended, others still run
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

# POST a Groovy script to the HTTP endpoint; prints the raw GraphSON v3 response.
gremlin_http() {
  local body
  body="$(printf '{"gremlin": "%s"}' "${1//\"/\\\"}")"
  curl -sS --max-time "${2:-10}" -X POST \
    -H 'Content-Type: application/json' -H 'Accept: application/vnd.gremlin-v3.0+json' \
    --data-binary "$body" "http://$HOST:$PORT/"
}

# Sets PROBE_JG / PROBE_TP on success.
probe() {
  local resp info
  resp="$(gremlin_http "$PROBE_SCRIPT" 5 2>/dev/null)" || return 1
  info="$(grep -o 'janusgraph=[^"]*;tinkerpop=[^"]*;probe=1' <<<"$resp" | head -n 1)" || return 1
  [[ -n $info ]] || return 1
  PROBE_JG="${info#janusgraph=}"; PROBE_JG="${PROBE_JG%%;*}"
  PROBE_TP="${info#*;tinkerpop=}"; PROBE_TP="${PROBE_TP%%;*}"
}

rss_of() { local kb; kb="$(ps -o rss= -p "$1" 2>/dev/null | tr -d ' ')"; [[ -n $kb ]] && echo "$((kb / 1024)) MiB" || echo "?"; }

# --- classpath (Maven, cached per pom.xml content) ---------------------------------------

hash_file() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -c1-16
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -c1-16
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
  command -v "${MVN:-mvn}" >/dev/null 2>&1 || die "Maven (${MVN:-mvn}) not found; it is needed once to download the JanusGraph jars"
  mkdir -p "$TARGET_DIR"
  tmp="$cp_file.tmp.$$"
  t0=$SECONDS
  log "resolving JanusGraph jars with Maven (first run downloads ~70 MB from Maven Central)..."
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

# The settings of the running instance (written at start) win over the environment, so that
# restart, status and wipe act on what is running, whatever the caller's shell says now.
use_recorded_instance() {
  local line key value
  [[ -r $INSTANCE_FILE ]] || return 0
  while IFS='=' read -r key value; do
    case "$key" in
      storage) STORAGE=$value ;;
      cql_hosts) CQL_HOSTS=$value ;;
      cql_port) CQL_PORT=$value ;;
      cql_keyspace) CQL_KEYSPACE=$value ;;
      cql_datacenter) CQL_DATACENTER=$value ;;
      cql_replication_factor) CQL_REPLICATION_FACTOR=$value ;;
      cql_read_consistency) CQL_READ_CONSISTENCY=$value ;;
      cql_write_consistency) CQL_WRITE_CONSISTENCY=$value ;;
      lock_wait_ms) LOCK_WAIT_MS=$value ;;
      lock_expiry_ms) LOCK_EXPIRY_MS=$value ;;
      mixed_index) MIXED_INDEX=$value ;;
    esac
  done < "$INSTANCE_FILE"
}

write_instance_file() {
  {
    echo "storage=$STORAGE"
    echo "port=$PORT"
    echo "mixed_index=$MIXED_INDEX"
    if [[ $STORAGE == cql ]]; then
      echo "cql_hosts=$CQL_HOSTS"
      echo "cql_port=$CQL_PORT"
      echo "cql_keyspace=$CQL_KEYSPACE"
      echo "cql_datacenter=$CQL_DATACENTER"
      echo "cql_replication_factor=$CQL_REPLICATION_FACTOR"
      echo "cql_read_consistency=$CQL_READ_CONSISTENCY"
      echo "cql_write_consistency=$CQL_WRITE_CONSISTENCY"
      echo "lock_wait_ms=$LOCK_WAIT_MS"
      echo "lock_expiry_ms=$LOCK_EXPIRY_MS"
    fi
  } > "$INSTANCE_FILE"
}

check_storage_settings() {
  [[ $MIXED_INDEX == search || $MIXED_INDEX == none ]] || die "JANUSGRAPH_MIXED_INDEX_BACKEND must be search (Lucene) or none for this script (got '$MIXED_INDEX')"
  case "$STORAGE" in
    berkeleyje | inmemory) ;;
    cql)
      [[ $CQL_PORT =~ ^[0-9]+$ ]] || die "JANUSGRAPH_CQL_PORT must be a number (got '$CQL_PORT')"
      [[ $LOCK_WAIT_MS =~ ^[0-9]+$ ]] || die "JANUSGRAPH_LOCK_WAIT_MS must be a number of milliseconds (got '$LOCK_WAIT_MS')"
      [[ $LOCK_EXPIRY_MS =~ ^[1-9][0-9]*$ ]] || die "JANUSGRAPH_LOCK_EXPIRY_MS must be a number of milliseconds above 0 (got '$LOCK_EXPIRY_MS')"
      [[ $CQL_REPLICATION_FACTOR =~ ^[1-9][0-9]*$ ]] || die "JANUSGRAPH_CQL_REPLICATION_FACTOR must be a whole number >= 1 (got '$CQL_REPLICATION_FACTOR')"
      [[ $CQL_KEYSPACE =~ ^[A-Za-z][A-Za-z0-9_]{0,47}$ ]] || die "JANUSGRAPH_CQL_KEYSPACE must be letters, digits and _ (got '$CQL_KEYSPACE')"
      [[ $CQL_HOSTS =~ ^[A-Za-z0-9.:,_-]+$ ]] || die "JANUSGRAPH_CQL_HOSTS must be host names or addresses separated by commas (got '$CQL_HOSTS')"
      local level
      for level in "$CQL_READ_CONSISTENCY" "$CQL_WRITE_CONSISTENCY"; do
        case "$level" in
          ANY | ONE | TWO | THREE | QUORUM | ALL | LOCAL_ONE | LOCAL_QUORUM | EACH_QUORUM) ;;
          *) die "unknown Cassandra consistency level '$level' (use ONE, QUORUM, ALL, LOCAL_QUORUM, ...)" ;;
        esac
      done
      ;;
    *) die "JANUSGRAPH_STORAGE must be berkeleyje, cql or inmemory (got '$STORAGE')" ;;
  esac
}

# Where this storage's data lives on this machine: BerkeleyDB's folder, and the Lucene index
# folder of every storage (for cql one per keyspace, as the keyspace is the graph).
storage_dir() { echo "$DATA_DIR/berkeleyje"; }
index_dir() {
  if [[ $STORAGE == cql ]]; then echo "$DATA_DIR/lucene/cql-$CQL_KEYSPACE"; else echo "$DATA_DIR/lucene/$STORAGE"; fi
}

describe_storage() {
  if [[ $MIXED_INDEX == none ]]; then printf 'no mixed-index backend, '; fi
  case "$STORAGE" in
    berkeleyje) echo "BerkeleyDB JE in $(storage_dir)" ;;
    inmemory) echo "in memory (lost on stop)" ;;
    cql) echo "Cassandra keyspace $CQL_KEYSPACE on $CQL_HOSTS:$CQL_PORT (replication factor $CQL_REPLICATION_FACTOR, read $CQL_READ_CONSISTENCY, write $CQL_WRITE_CONSISTENCY)" ;;
  esac
}

render() { # template destination
  local content
  content="$(<"$1")"
  content="${content//@HOST@/"$HOST"}"
  content="${content//@PORT@/"$PORT"}"
  content="${content//@CONF_DIR@/"$CONF_OUT"}"
  content="${content//@STORAGE_DIR@/"$(storage_dir)"}"
  content="${content//@INDEX_DIR@/"$(index_dir)"}"
  content="${content//@CQL_HOSTS@/"$CQL_HOSTS"}"
  content="${content//@CQL_PORT@/"$CQL_PORT"}"
  content="${content//@CQL_KEYSPACE@/"$CQL_KEYSPACE"}"
  content="${content//@CQL_DATACENTER@/"$CQL_DATACENTER"}"
  content="${content//@CQL_REPLICATION_FACTOR@/"$CQL_REPLICATION_FACTOR"}"
  content="${content//@CQL_READ_CONSISTENCY@/"$CQL_READ_CONSISTENCY"}"
  content="${content//@CQL_WRITE_CONSISTENCY@/"$CQL_WRITE_CONSISTENCY"}"
  content="${content//@LOCK_WAIT_MS@/"$LOCK_WAIT_MS"}"
  content="${content//@LOCK_EXPIRY_MS@/"$LOCK_EXPIRY_MS"}"
  if [[ $MIXED_INDEX == none ]]; then
    # No mixed-index backend: drop the index.search.* lines (the schema then has composite
    # indexes only; docs/operations.md, "Several JanusGraph servers").
    content="$(printf '%s\n' "$content" | grep -v '^index\.search\.')"
  fi
  printf '%s\n' "$content" > "$2"
}

render_config() {
  mkdir -p "$CONF_OUT"
  rm -f "$CONF_OUT"/janusgraph-*.properties   # older layout: one file per storage
  render "$SCRIPT_DIR/conf/janusgraph-server.yaml" "$SERVER_YAML"
  local key value variable
  for key in "gremlinPool:$GREMLIN_POOL:JANUSGRAPH_GREMLIN_POOL" \
    "maxWorkQueueSize:$MAX_WORK_QUEUE_SIZE:JANUSGRAPH_MAX_WORK_QUEUE_SIZE"; do
    IFS=: read -r key value variable <<< "$key"
    [[ -z $value ]] && continue
    [[ $value =~ ^[1-9][0-9]*$ ]] || die "$variable must be a whole number above 0, not '$value'"
    echo "$key: $value" >> "$SERVER_YAML"
  done
  render "$SCRIPT_DIR/conf/janusgraph-$STORAGE.properties" "$CONF_OUT/janusgraph.properties"
  if [[ $STORAGE == berkeleyje ]]; then
    # BerkeleyDB JE's own settings go through JanusGraph's storage.berkeleyje.ext namespace, with
    # dashes for the dots of JE's names (je.freeDisk, je.maxDisk).
    local setting name mb
    for setting in "freeDisk:$BJE_FREE_DISK_MB:JANUSGRAPH_BERKELEYJE_FREE_DISK_MB" \
      "maxDisk:$BJE_MAX_DISK_MB:JANUSGRAPH_BERKELEYJE_MAX_DISK_MB"; do
      IFS=: read -r name mb variable <<< "$setting"
      [[ -z $mb ]] && continue
      [[ $mb =~ ^[0-9]+$ ]] || die "$variable must be a whole number of megabytes, not '$mb'"
      echo "storage.berkeleyje.ext.je-$name=$((mb * 1024 * 1024))" >> "$CONF_OUT/janusgraph.properties"
    done
  fi
  cp -f "$SCRIPT_DIR/conf/init.groovy" "$CONF_OUT/init.groovy"
  cp -f "$SCRIPT_DIR/conf/log4j2-server.xml" "$CONF_OUT/log4j2-server.xml"
}

# --- commands ------------------------------------------------------------------------------

ready_line() { # pid seconds
  echo "JanusGraph $PROBE_JG (TinkerPop $PROBE_TP) ready on ws://$HOST:$PORT/gremlin in ${2}s, pid $1, storage: $(describe_storage), logs: $LOG_FILE"
}

stop_pid() { # pid
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 2; i++)); do
    process_alive "$pid" || return 0
    sleep 0.5
  done
  log "pid $pid did not exit ${STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 20; i++)); do
    process_alive "$pid" || return 0
    sleep 0.5
  done
  return 1
}

cmd_start() {
  local pid t0 waited
  command -v curl >/dev/null 2>&1 || die "curl is required"
  [[ $PORT =~ ^[0-9]+$ ]] || die "JANUSGRAPH_PORT must be a number (got '$PORT')"
  [[ $START_TIMEOUT =~ ^[0-9]+$ ]] || die "JANUSGRAPH_START_TIMEOUT must be a number of seconds"

  if pid="$(running_pid)"; then
    use_recorded_port
    use_recorded_instance
    if probe; then
      echo "JanusGraph $PROBE_JG (TinkerPop $PROBE_TP) already running on ws://$HOST:$PORT/gremlin, pid $pid, logs: $LOG_FILE"
      return 0
    fi
    log "pid $pid is running but not answering yet; waiting for it"
    t0=$SECONDS
  else
    rm -f "$PID_FILE" "$PORT_FILE" "$INSTANCE_FILE"
    check_storage_settings
    if port_in_use; then
      die "port $HOST:$PORT is already in use by a process this script did not start (no live pid in $PID_FILE); stop it or set JANUSGRAPH_PORT"
    fi
    "$JAVA" -version >/dev/null 2>&1 || die "java not found (set JAVA_HOME or put Java 11+ on PATH)"
    resolve_classpath
    mkdir -p "$LOG_DIR" "$DATA_DIR"
    render_config
    # In-memory storage starts empty, so its Lucene index must too. The other storages keep both.
    [[ $STORAGE == inmemory ]] && rm -rf "$(index_dir)"
    [[ $STORAGE == berkeleyje ]] && mkdir -p "$(storage_dir)"
    mkdir -p "$(index_dir)"
    # Keep the previous run's logs around once.
    [[ -f $LOG_FILE ]] && mv -f "$LOG_FILE" "$LOG_FILE.prev"
    [[ -f $OUT_FILE ]] && mv -f "$OUT_FILE" "$OUT_FILE.prev"

    local -a jvm_opts=("-Xms$HEAP" "-Xmx$HEAP" "${JAVA_MODULE_OPTS[@]}"
      -XX:+UseG1GC -XX:+HeapDumpOnOutOfMemoryError "-XX:HeapDumpPath=$LOG_DIR"
      -Djava.net.preferIPv4Stack=true -Dfile.encoding=UTF-8
      "-Dlog4j2.configurationFile=file:$CONF_OUT/log4j2-server.xml"
      "-Djanusgraph.log.dir=$LOG_DIR")
    if [[ -n ${JANUSGRAPH_JAVA_OPTS:-} ]]; then
      local -a extra
      read -r -a extra <<<"$JANUSGRAPH_JAVA_OPTS"
      jvm_opts+=("${extra[@]}")
    fi
    local -a detach=()
    command -v setsid >/dev/null 2>&1 && detach=(setsid)

    t0=$SECONDS
    # The inner shell writes its own pid and then execs java, so the pid file holds the JVM's
    # pid even if setsid forks. The classpath goes through $CLASSPATH to keep `ps` readable.
    (
      cd "$RUNTIME"
      export CLASSPATH="$CLASSPATH_VALUE"
      nohup ${detach[@]+"${detach[@]}"} bash -c 'echo $$ > "$0"; exec "$@"' "$PID_FILE" \
        "$JAVA" "${jvm_opts[@]}" "$MAIN_CLASS" "$SERVER_YAML" \
        > "$OUT_FILE" 2>&1 < /dev/null &
    )
    for ((waited = 0; waited < 50; waited++)); do
      [[ -s $PID_FILE ]] && break
      sleep 0.1
    done
    pid="$(tr -dc '0-9' < "$PID_FILE" 2>/dev/null || true)"
    [[ -n $pid ]] || { show_logs; die "server process did not start"; }
    echo "$PORT" > "$PORT_FILE"
    write_instance_file
    log "started pid $pid (heap $HEAP, port $PORT, storage: $(describe_storage)), waiting up to ${START_TIMEOUT}s for readiness..."
  fi

  while :; do
    if probe; then
      ready_line "$pid" "$((SECONDS - t0))"
      return 0
    fi
    if ! process_alive "$pid"; then
      rm -f "$PID_FILE" "$PORT_FILE" "$INSTANCE_FILE"
      show_logs
      explain_disk_limit
      die "JanusGraph exited during start-up (pid $pid); storage: $(describe_storage)"
    fi
    # The server logs this and shuts down, but its JVM may linger: do not wait for the timeout.
    if grep -q 'JanusGraph Server was unable to start' "$LOG_FILE" 2>/dev/null; then
      stop_pid "$pid" || true
      rm -f "$PID_FILE" "$PORT_FILE" "$INSTANCE_FILE"
      # On a new keyspace of a Cassandra cluster, a node may answer before the tables that
      # JanusGraph has just created reached it (the driver's schema agreement check does not
      # always wait for that). The tables JanusGraph still lacks are created in one JVM, then the
      # server starts once more; should that fail, each further start gets at least one table
      # further (JanusGraph has about ten), hence up to 15.
      if [[ $STORAGE == cql && ${JANUSGRAPH_SCHEMA_RETRY:-0} -lt 15 ]] \
          && grep -qE 'table [A-Za-z0-9_]+ does not exist' "$LOG_FILE"; then
        log "a Cassandra node did not know JanusGraph's new tables yet (schema still spreading); creating the rest in one JVM (conf/create-cql-tables.groovy), then starting again"
        JANUSGRAPH_SCHEMA_RETRY=$((${JANUSGRAPH_SCHEMA_RETRY:-0} + 1))
        create_cql_tables || sleep 3 # its log says why; the retries below still apply
        cmd_start
        return
      fi
      show_logs
      explain_disk_limit
      die "JanusGraph could not open the graph (storage: $(describe_storage)); see the log lines above"
    fi
    if ((SECONDS - t0 >= START_TIMEOUT)); then
      show_logs
      log "not ready after ${START_TIMEOUT}s; stopping pid $pid"
      stop_pid "$pid" || true
      rm -f "$PID_FILE" "$PORT_FILE" "$INSTANCE_FILE"
      die "JanusGraph did not become ready within ${START_TIMEOUT}s"
    fi
    sleep 1
  done
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE" "$PORT_FILE" "$INSTANCE_FILE"
    echo "JanusGraph not running"
    return 0
  fi
  use_recorded_port
  if stop_pid "$pid"; then
    # A restart must find the port free: wait for the listening socket to go too.
    local i
    for ((i = 0; i < STOP_TIMEOUT * 2; i++)); do
      port_in_use || break
      sleep 0.5
    done
    rm -f "$PID_FILE" "$PORT_FILE" "$INSTANCE_FILE"
    echo "JanusGraph stopped (pid $pid)"
  else
    die "could not stop pid $pid"
  fi
}

cmd_status() {
  local pid
  if ! pid="$(running_pid)"; then
    echo "JanusGraph not running"
    return 3
  fi
  use_recorded_port
  use_recorded_instance
  if probe; then
    echo "JanusGraph $PROBE_JG (TinkerPop $PROBE_TP) ready on ws://$HOST:$PORT/gremlin, pid $pid, rss $(rss_of "$pid"), storage: $(describe_storage), logs: $LOG_FILE"
    return 0
  fi
  echo "JanusGraph pid $pid is running but not answering queries on $HOST:$PORT (starting or unhealthy), logs: $LOG_FILE"
  return 1
}

# Deletes the graph of the selected storage (the running instance's, if one runs).
cmd_wipe() {
  if running_pid >/dev/null; then
    use_recorded_port
    use_recorded_instance
  fi
  check_storage_settings
  cmd_stop
  case "$STORAGE" in
    berkeleyje)
      rm -rf "$(storage_dir)" "$(index_dir)"
      echo "JanusGraph graph wiped: deleted $(storage_dir) and $(index_dir)"
      ;;
    inmemory)
      rm -rf "$(index_dir)"
      echo "JanusGraph in-memory graph wiped (it is empty after every start anyway); deleted $(index_dir)"
      ;;
    cql)
      # The keyspace is dropped through JanusGraph itself (no CQL shell needed): open the graph
      # with the same properties and call JanusGraphFactory.drop.
      "$JAVA" -version >/dev/null 2>&1 || die "java not found (set JAVA_HOME or put Java 11+ on PATH)"
      resolve_classpath
      mkdir -p "$LOG_DIR"
      render_config
      log "dropping keyspace $CQL_KEYSPACE on $CQL_HOSTS:$CQL_PORT..."
      if ! CLASSPATH="$CLASSPATH_VALUE" "$JAVA" -Xmx256m "${JAVA_MODULE_OPTS[@]}" \
          "-Dlog4j2.configurationFile=file:$CONF_OUT/log4j2-server.xml" "-Djanusgraph.log.dir=$LOG_DIR" \
          groovy.ui.GroovyMain "$SCRIPT_DIR/conf/drop-graph.groovy" "$CONF_OUT/janusgraph.properties" \
          > "$LOG_DIR/wipe.out" 2>&1; then
        tail -n 30 "$LOG_DIR/wipe.out" >&2
        die "could not drop keyspace $CQL_KEYSPACE (is Cassandra running on $CQL_HOSTS:$CQL_PORT?); full output: $LOG_DIR/wipe.out"
      fi
      rm -rf "$(index_dir)"
      echo "JanusGraph graph wiped: dropped Cassandra keyspace $CQL_KEYSPACE and deleted $(index_dir)"
      ;;
  esac
}

command="${1:-}"
[[ $# -gt 0 ]] && shift
wipe_first=false
kill_first=false
for arg in "$@"; do
  case "$arg" in
    --wipe) wipe_first=true ;;
    --kill) kill_first=true ;;
    *) echo "unknown option '$arg'" >&2; exit 2 ;;
  esac
done
[[ $wipe_first == true && $command != start && $command != restart ]] && { echo "--wipe only goes with start or restart" >&2; exit 2; }
[[ $kill_first == true && ($command != restart || $wipe_first == true) ]] && { echo "--kill only goes with restart (without --wipe)" >&2; exit 2; }

case "$command" in
  start)
    if [[ $wipe_first == true ]]; then cmd_wipe; fi
    cmd_start
    ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart)
    # Keep the storage and port of the running instance (the caller's environment may differ).
    if running_pid >/dev/null; then use_recorded_port; use_recorded_instance; fi
    if [[ $kill_first == true ]]; then
      # A crash: no shutdown hook runs, nothing is closed. The recorded files stay so that the
      # start below keeps the storage and port.
      if pid="$(running_pid)"; then
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 40; i++)); do process_alive "$pid" || break; sleep 0.25; done
        process_alive "$pid" && die "pid $pid still runs after SIGKILL"
        echo "JanusGraph killed (SIGKILL, pid $pid)"
      fi
      cmd_start
    else
      if [[ $wipe_first == true ]]; then cmd_wipe; else cmd_stop; fi
      cmd_start
    fi
    ;;
  wipe) cmd_wipe ;;
  *)
    echo "usage: $0 [--services-dir DIR] {start [--wipe]|stop|status|restart [--wipe]|wipe}" >&2
    exit 2
    ;;
esac
