#!/usr/bin/env bash
# Local Redis for the shared rate-limit counters (RATE_LIMIT_STORE=redis) without Docker: runs
# the `redis-server` of the operating system (Debian: apt-get install redis-server) on 127.0.0.1.
# Nothing is written to disk (--save '' --appendonly no): the counters only live for a window.
#
#   service.sh start     start in the background (no-op when already running), wait for PING
#   service.sh stop      ask Redis to shut down (SIGTERM), wait up to 10 s, then SIGKILL
#   service.sh status    exit 0 and print the URL if the server answers PING, non-zero otherwise
#   service.sh restart   stop + start on the port the running server had
#   Option before the command: --services-dir DIR (same as SERVICES_DIR=DIR).
#
# Environment:
#   SERVICES_DIR      runtime root (default <repo>/.services); runtime dir is $SERVICES_DIR/redis
#   REDIS_PORT        port (default 6390, clear of a system Redis on 6379)
#   REDIS_SERVER      redis-server executable (default: redis-server from PATH)
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
RUNTIME="$services_dir/redis"
DATA_DIR="$RUNTIME/data"
LOG_DIR="$RUNTIME/logs"
LOG_FILE="$LOG_DIR/redis.log"
PID_FILE="$RUNTIME/pid"
PORT_FILE="$RUNTIME/port" # port of the running instance (status/stop/restart reuse it)

HOST=127.0.0.1
PORT="${REDIS_PORT:-6390}"
SERVER="${REDIS_SERVER:-redis-server}"
START_TIMEOUT=20
STOP_TIMEOUT=10

log() { printf '[redis] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Prints the pid from the pid file if that process is alive and is a redis-server.
running_pid() {
  local pid stat args
  [[ -r $PID_FILE ]] || return 1
  pid="$(tr -dc '0-9' < "$PID_FILE")"
  [[ -n $pid ]] || return 1
  stat="$(ps -o stat= -p "$pid" 2>/dev/null || true)"
  [[ -n $stat && $stat != Z* ]] || return 1
  args="$(ps -ww -o args= -p "$pid" 2>/dev/null || true)"
  [[ $args == *redis-server* ]] || return 1
  printf '%s\n' "$pid"
}

use_recorded_port() {
  local recorded
  [[ -r $PORT_FILE ]] || return 0
  recorded="$(tr -dc '0-9' < "$PORT_FILE")"
  [[ -n $recorded && $recorded != "$PORT" ]] || return 0
  [[ -n ${REDIS_PORT:-} ]] && log "note: the running instance uses port $recorded (REDIS_PORT=$REDIS_PORT ignored)"
  PORT="$recorded"
}

# PING over a plain TCP connection (no redis-cli needed); succeeds on +PONG.
ping_redis() {
  local reply
  { exec 3<>"/dev/tcp/$HOST/$PORT"; } 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  IFS= read -r -t 2 reply <&3 || { exec 3>&-; return 1; }
  exec 3>&-
  [[ $reply == +PONG* ]]
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

do_start() {
  local pid waited=0
  if pid="$(running_pid)"; then
    use_recorded_port
    log "already running (pid $pid) on redis://$HOST:$PORT"
    return 0
  fi
  command -v "$SERVER" >/dev/null 2>&1 ||
    die "$SERVER not found. Install it (Debian/Ubuntu: sudo apt-get install redis-server) or point RATE_LIMIT_REDIS_URL at a Redis you run."
  if port_in_use; then
    die "port $PORT on $HOST is already taken by another program; choose another with REDIS_PORT=<port>"
  fi
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  rm -f "$PID_FILE"
  "$SERVER" --bind "$HOST" --port "$PORT" --protected-mode yes \
    --save '' --appendonly no --dir "$DATA_DIR" \
    --daemonize yes --pidfile "$PID_FILE" --logfile "$LOG_FILE" ||
    die "$SERVER did not start; see $LOG_FILE"
  printf '%s\n' "$PORT" > "$PORT_FILE"
  until ping_redis; do
    if (( waited >= START_TIMEOUT * 4 )); then
      tail -n 20 "$LOG_FILE" >&2 || true
      die "Redis did not answer PING on $HOST:$PORT within ${START_TIMEOUT}s (log: $LOG_FILE)"
    fi
    sleep 0.25
    waited=$((waited + 1))
  done
  log "ready: redis://$HOST:$PORT ($("$SERVER" --version | cut -d' ' -f1-3); pid $(running_pid || echo '?'); log $LOG_FILE)"
}

do_stop() {
  local pid waited=0
  if ! pid="$(running_pid)"; then
    log "not running"
    rm -f "$PID_FILE"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  while ps -o stat= -p "$pid" >/dev/null 2>&1; do
    if (( waited >= STOP_TIMEOUT * 4 )); then
      log "still running after ${STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.25
    waited=$((waited + 1))
  done
  rm -f "$PID_FILE"
  log "stopped (pid $pid)"
}

do_status() {
  local pid
  if ! pid="$(running_pid)"; then
    echo "redis: not running (runtime $RUNTIME)"
    return 1
  fi
  use_recorded_port
  if ping_redis; then
    echo "redis: running, pid $pid, redis://$HOST:$PORT"
  else
    echo "redis: pid $pid is alive but does not answer PING on $HOST:$PORT"
    return 1
  fi
}

case "${1:-}" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  restart)
    if running_pid >/dev/null; then use_recorded_port; fi
    do_stop
    do_start
    ;;
  *) echo "usage: $0 [--services-dir DIR] {start|stop|status|restart}" >&2; exit 2 ;;
esac
