#!/usr/bin/env bash
# Faults across containers, on the compose stack (docker/compose.yaml through docker/podman/compose.sh):
#
#   1. the stack comes up as in compose-e2e.sh (Cassandra, Pulsar, JanusGraph on Cassandra, api,
#      ingest), under its own project name (gb-faults) and API port (23100)
#   2. the seeder writes its bank to files (what the graph must hold), then publishes the same
#      bank through Pulsar; while the ingest worker is still working through it, one after another:
#        a. `podman kill` of the JanusGraph container, then `podman start`
#        b. `podman stop` of the ingest container (SIGTERM mid-batch), then `podman start`
#        c. a partition: the ingest container is disconnected from the stack's network for 20 s
#           (GB_FAULTS_PARTITION_SECONDS), then connected again with the same address
#      Each fault must hit messages in flight (the ingest subscription has a backlog when it is
#      injected), and after each one the worker must be ready again and write more of the bank.
#   3. at the end: every vertex and edge count of the seeder's bank is in GET /api/v1/graph/stats,
#      exactly: not less (nothing lost) and not more (nothing written twice: vertex uids are unique
#      in the schema, and a movement written twice would be one TRANSFERRED edge too many; a loss
#      and a duplicate of the same label would cancel out, which no API here can tell apart, as
#      none lists every edge id); the ingest subscriptions have no backlog; the dead-letter topic
#      received no message; the readiness of the api and of the worker is 200
#   4. down -v: containers, network and volumes removed (also when a check fails)
#
#   bash test/containers/compose-faults.sh     (after docker/podman/setup.sh and build-images.sh)
#
# Settings (environment): GB_FAULTS_DAYS (length of the seeded period, default 360: a bank big
# enough that the worker is still busy during all three faults), GB_FAULTS_PARTITION_SECONDS
# (default 20), GB_FAULTS_STOP_SECONDS (how long the worker may take to stop on SIGTERM before
# podman kills it, default 60), GB_FAULTS_PARTITION_NEW_ADDRESS=true (the partition heals with a
# new address for the worker; see docs/operations.md for what that shows), GB_E2E_KEEP=true (leave the stack up to look at it). The time of each phase is
# printed at the end and written to .services/containers/compose-faults/timings.txt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../docker/podman/env.sh
source "$root/docker/podman/env.sh"

export GB_COMPOSE_PROJECT="${GB_FAULTS_PROJECT:-gb-faults}"
export GB_API_PORT="${GB_FAULTS_API_PORT:-23100}"
admin_key="faults-admin-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
analyst_key="faults-analyst-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
export API_KEYS="$admin_key:admin,$analyst_key:analyst"
TOTP_ENCRYPTION_KEY="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
export TOTP_ENCRYPTION_KEY
project="$GB_COMPOSE_PROJECT"
network="${project}_default"
api="http://127.0.0.1:$GB_API_PORT"
work="$GB_CONTAINERS_WORK/compose-faults"
timings="${GB_TIMINGS_FILE:-$work/timings.txt}"
seed=7
days="${GB_FAULTS_DAYS:-360}"
partition_seconds="${GB_FAULTS_PARTITION_SECONDS:-20}"
# How long `podman stop` lets the worker finish its batches before it kills it (podman's own
# default is 10 s; the worker writes and settles the batches in hand first, see docs/streaming.md).
stop_seconds="${GB_FAULTS_STOP_SECONDS:-60}"
# The partition heals with the worker's address unchanged (packets were dropped, as in a real
# partition). true: it comes back with a new address instead, as a moved container would; the
# worker's open graph connections then point at an address that no longer exists.
new_address="${GB_FAULTS_PARTITION_NEW_ADDRESS:-false}"
# The topics and subscription of the stack's worker (the settings' defaults; see .env.example).
pulsar_topics="persistent/public/default"
subscription=graph-ingest
ingest_topics=(bank.entities bank.movements)
dead_letter_topic=bank.dead-letter

compose() { bash "$root/docker/podman/compose.sh" "$@"; }
container() { echo "${project}_$1_1"; }

phase_start=$SECONDS
phase() { # name: starts a phase's clock
  printf '== %s\n' "$1"
  phase_name="$1"
  phase_start=$SECONDS
}
phase_done() { printf '%-66s %4d s\n' "$phase_name" "$((SECONDS - phase_start))" | tee -a "$timings"; }
note() { printf '   %s\n' "$*"; }

dump_logs() {
  local service
  for service in cassandra janusgraph pulsar api ingest; do
    gb_podman logs "$(container "$service")" > "$work/$service.log" 2>&1 || true
    echo "----- last 25 log lines of $(container "$service") (all of them: $work/$service.log) -----" >&2
    gb_podman logs --tail 25 "$(container "$service")" >&2 2> /dev/null || true
  done
}
fail() {
  echo "compose-faults FAILED: $*" >&2
  dump_logs
  exit 1
}
remove_volumes() { # and the stack's network (podman-compose down leaves it)
  gb_podman network rm -f "$network" > /dev/null 2>&1 || true
  local volume
  for volume in cassandra-data janusgraph-index pulsar-data; do
    gb_podman volume rm -f "${project}_$volume" > /dev/null 2>&1 || true
  done
}
seeder_pid=""
cleanup() {
  local rc=$?
  [[ -z $seeder_pid ]] || kill "$seeder_pid" 2> /dev/null || true
  if [[ ${GB_E2E_KEEP:-false} != true ]]; then
    gb_podman rm -f "${project}-seeder" > /dev/null 2>&1 || true
    compose down -v > "$work/down.log" 2>&1 || true
    remove_volumes
  fi
  exit "$rc"
}

# Waits until the service's own healthcheck passes (run directly: no systemd timers needed).
wait_healthy() { # service timeout-seconds
  local name t0=$SECONDS
  name="$(container "$1")"
  until gb_podman healthcheck run "$name" > /dev/null 2>&1; do
    [[ "$(gb_podman inspect --format '{{.State.Running}}' "$name" 2> /dev/null)" == true ]] \
      || fail "$1 stopped while starting"
    ((SECONDS - t0 < $2)) || fail "$1 not healthy after $2 s"
    sleep 3
  done
  note "$1 healthy after $((SECONDS - t0)) s"
}
wait_api() {
  local t0=$SECONDS
  until curl -sf "$api/health/ready" > /dev/null; do
    ((SECONDS - t0 < $1)) || fail "the API did not answer $api/health/ready within $1 s"
    sleep 3
  done
  note "API ready after $((SECONDS - t0)) s"
}
# The worker's readiness, asked inside its container (its port is not published).
ingest_ready() {
  gb_podman exec "$(container ingest)" node -e '
    fetch("http://127.0.0.1:3001/health/ready").then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1));
  ' > /dev/null 2>&1
}
wait_ingest_ready() { # timeout-seconds
  local t0=$SECONDS
  until ingest_ready; do
    ((SECONDS - t0 < $1)) || fail "the ingest worker's /health/ready did not answer 200 within $1 s"
    sleep 3
  done
  note "ingest worker ready (200) after $((SECONDS - t0)) s"
}

stack_up() {
  compose up -d cassandra pulsar > "$work/up.log" 2>&1 || { cat "$work/up.log" >&2; fail "compose up cassandra pulsar"; }
  wait_healthy cassandra 300
  compose up -d janusgraph >> "$work/up.log" 2>&1 || { cat "$work/up.log" >&2; fail "compose up janusgraph"; }
  wait_healthy janusgraph 300
  wait_healthy pulsar 300
  compose up -d api ingest >> "$work/up.log" 2>&1 || { cat "$work/up.log" >&2; fail "compose up api ingest"; }
  wait_api 240
  wait_ingest_ready 240
}

get() { curl -sS --fail-with-body -H "X-API-Key: $1" "$api$2"; }
# Pulsar's admin REST API, asked inside the Pulsar container (its port is not published).
pulsar_admin() { gb_podman exec "$(container pulsar)" curl -sS "http://localhost:8080/admin/v2/$1"; }
# Messages published to the worker's topics and not yet acknowledged by it (both topics).
backlog() {
  local topic stats total=0 n
  for topic in "${ingest_topics[@]}"; do
    stats="$(pulsar_admin "$pulsar_topics/$topic/stats")" || { echo -1; return; }
    n="$(node -e '
      try { const s = JSON.parse(process.argv[1]); const sub = (s.subscriptions || {})[process.argv[2]];
            process.stdout.write(String(sub ? sub.msgBacklog : -1)); } catch { process.stdout.write("-1"); }
    ' "$stats" "$subscription")"
    ((n >= 0)) || { echo -1; return; }
    total=$((total + n))
  done
  echo "$total"
}
# Elements of the seeder's labels the graph holds now (0 when the API does not answer).
written() {
  local stats
  stats="$(get "$analyst_key" /api/v1/graph/stats 2> /dev/null)" || { echo 0; return; }
  node -e '
    const [stats, want] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2])];
    let n = 0;
    for (const kind of ["vertices", "edges"]) for (const label of Object.keys(want[kind])) n += (stats[kind] || {})[label] || 0;
    process.stdout.write(String(n));
  ' "$stats" "$expected"
}

# Before a fault: the worker has written part of the bank and messages wait for it.
before_fault() { # fault-name
  local t0=$SECONDS n b
  while :; do
    n="$(written)"
    b="$(backlog)"
    ((n > 0 && b > 0)) && break
    ((n >= expected_total)) && fail "the worker wrote the whole bank before fault '$1': no message was in flight (a larger bank: GB_FAULTS_DAYS)"
    ((SECONDS - t0 < 600)) || fail "before fault '$1': after 600 s the graph holds $n of $expected_total elements, backlog $b"
    sleep 2
  done
  fault_written=$n
  note "in flight when '$1' is injected: $n of $expected_total elements written, $b messages waiting in Pulsar"
}
# After a fault: the worker is ready again and writes more of the bank.
after_fault() { # fault-name
  local t0=$SECONDS n
  wait_ingest_ready 420
  until n="$(written)" && ((n > fault_written)); do
    ((SECONDS - t0 < 420)) || fail "after fault '$1' the worker wrote nothing more in 420 s ($n of $expected_total)"
    sleep 3
  done
  note "after '$1': the worker writes again ($n of $expected_total elements, $((SECONDS - t0)) s after recovery)"
}

mkdir -p "$work"
rm -rf "$work/seed"
: > "$timings"
trap cleanup EXIT

for image in "$GB_CASSANDRA_IMAGE" "$GB_JANUSGRAPH_IMAGE" "$GB_PULSAR_IMAGE" "$GB_APP_IMAGE"; do
  gb_podman image exists "$image" || gb_die "image $image is missing: run bash docker/podman/build-images.sh"
done
total_start=$SECONDS

phase "clean start (down -v of a previous run)"
compose down -v > "$work/down.log" 2>&1 || true
remove_volumes
phase_done

phase "stack up: Cassandra, Pulsar, JanusGraph on Cassandra, api, ingest"
stack_up
phase_done

phase "seeder writes its bank to files (the counts the graph must hold)"
mkdir -p "$work/seed"
chmod 0777 "$work/seed"
seeder() { # args...
  gb_podman run --rm --name "${project}-seeder" --network "$network" -v "$work/seed:/seed" \
    -e API_KEYS -e TOTP_ENCRYPTION_KEY -e STREAMING_BACKEND=pulsar -e PULSAR_TRANSPORT=websocket \
    -e PULSAR_WEB_URL=http://pulsar:8080 -e PULSAR_SERVICE_URL=pulsar://pulsar:6650 \
    -e SEEDER_PROFILE=tiny "$GB_APP_IMAGE" node dist/apps/seeder/main.js "$@"
}
seeder generate --seed "$seed" --days "$days" --out /seed/files --no-progress > "$work/seeder-files.log" 2>&1 \
  || { cat "$work/seeder-files.log" >&2; fail "the seeder could not write the reference files"; }
expected="$(node -e '
  const fs = require("fs");
  const count = (file) => fs.readFileSync(file, "utf8").split("\n").filter(Boolean)
    .map((line) => JSON.parse(line).label).reduce((m, l) => ((m[l] = (m[l] || 0) + 1), m), {});
  process.stdout.write(JSON.stringify({ vertices: count(process.argv[1]), edges: count(process.argv[2]) }));
' "$work/seed/files/vertices.jsonl" "$work/seed/files/edges.jsonl")"
expected_total="$(node -e '
  const w = JSON.parse(process.argv[1]); let n = 0;
  for (const kind of ["vertices", "edges"]) for (const v of Object.values(w[kind])) n += v;
  process.stdout.write(String(n));
' "$expected")"
note "the seeder's bank (seed $seed, $days days): $expected_total elements, $expected"
phase_done

phase "seeder publishes the bank through Pulsar (in the background)"
seeder generate --seed "$seed" --days "$days" --sink pulsar --out /seed/published --no-progress > "$work/seeder.log" 2>&1 &
seeder_pid=$!
phase_done

phase "fault 1: podman kill JanusGraph, then podman start"
before_fault "JanusGraph killed"
gb_podman kill "$(container janusgraph)" > /dev/null || fail "podman kill janusgraph"
note "JanusGraph killed (SIGKILL)"
sleep 5
gb_podman start "$(container janusgraph)" > /dev/null 2>> "$work/podman.log" || fail "podman start janusgraph"
wait_healthy janusgraph 300
after_fault "JanusGraph killed"
phase_done

phase "fault 2: podman stop ingest (SIGTERM mid-batch), then podman start"
before_fault "ingest stopped"
t0=$SECONDS
gb_podman stop --time "$stop_seconds" "$(container ingest)" > /dev/null 2>> "$work/podman.log" || fail "podman stop ingest"
code="$(gb_podman inspect --format '{{.State.ExitCode}}' "$(container ingest)")"
# 0 or 143 (SIGTERM) is a clean stop; 137 means podman had to kill it after its timeout.
[[ $code == 0 || $code == 143 ]] \
  || fail "the ingest worker did not stop on SIGTERM within $stop_seconds s (exit code $code): it writes and settles the batches in hand first"
note "ingest stopped cleanly (exit code $code) $((SECONDS - t0)) s after SIGTERM"
gb_podman start "$(container ingest)" > /dev/null 2>> "$work/podman.log" || fail "podman start ingest"
after_fault "ingest stopped"
phase_done

phase "fault 3: partition: ingest off the stack's network for ${partition_seconds} s"
before_fault "ingest partitioned"
address="$(gb_podman inspect --format "{{(index .NetworkSettings.Networks \"$network\").IPAddress}}" "$(container ingest)")"
[[ -n $address ]] || fail "the ingest container has no address on $network"
gb_podman network disconnect "$network" "$(container ingest)" || fail "podman network disconnect"
note "ingest ($address) disconnected from $network"
sleep "$partition_seconds"
if ingest_ready; then
  note "after ${partition_seconds} s without a network the worker's readiness still says 200 (it has not noticed yet)"
else
  note "after ${partition_seconds} s without a network the worker's readiness is not 200"
fi
if [[ $new_address == true ]]; then
  gb_podman network connect --alias ingest "$network" "$(container ingest)" || fail "podman network connect"
  note "ingest connected to $network again, with a new address: $(gb_podman inspect --format "{{(index .NetworkSettings.Networks \"$network\").IPAddress}}" "$(container ingest)")"
else
  gb_podman network connect --alias ingest --ip "$address" "$network" "$(container ingest)" || fail "podman network connect"
  note "ingest connected to $network again, same address $address"
fi
after_fault "ingest partitioned"
phase_done

phase "catch up: the whole bank, exactly; no backlog; no dead letter; ready"
wait "$seeder_pid" || { cat "$work/seeder.log" >&2; fail "the seeder's publication failed"; }
seeder_pid=""
t0=$SECONDS
until n="$(written)" && ((n == expected_total)) && [[ "$(backlog)" == 0 ]]; do
  ((n <= expected_total)) || fail "the graph holds $n elements of the seeder's labels, more than the $expected_total it made"
  ((SECONDS - t0 < 900)) || fail "after 900 s the graph holds $(written) of $expected_total elements, backlog $(backlog)"
  sleep 5
done
note "caught up $((SECONDS - t0)) s after the last fault's recovery"
stats="$(get "$analyst_key" /api/v1/graph/stats)"
node -e '
  const [stats, want] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2])];
  let bad = 0;
  for (const kind of ["vertices", "edges"])
    for (const [label, n] of Object.entries(want[kind]))
      if ((stats[kind] || {})[label] !== n) { console.error(`${kind} ${label}: the seeder made ${n}, the graph holds ${(stats[kind] || {})[label]}`); bad++; }
  process.exit(bad ? 1 : 0);
' "$stats" "$expected" || fail "the graph does not hold exactly the seeder's bank: $stats"
note "every count equals the seeder's: nothing lost, nothing written twice"
dlq="$(pulsar_admin "$pulsar_topics/$dead_letter_topic/stats")" || fail "Pulsar's admin API did not answer for $dead_letter_topic"
node -e '
  const s = JSON.parse(process.argv[1]);
  if (s.reason || s.code) { console.error(`no stats for the dead-letter topic: ${process.argv[1]}`); process.exit(1); }
  const backlog = Object.values(s.subscriptions || {}).reduce((n, sub) => n + sub.msgBacklog, 0);
  if (s.msgInCounter !== 0 || backlog !== 0) { console.error(`dead-letter topic: ${s.msgInCounter} received, ${backlog} waiting`); process.exit(1); }
' "$dlq" || fail "messages went to the dead-letter topic: $dlq"
note "the dead-letter topic received 0 messages"
curl -sf "$api/health/ready" > /dev/null || fail "the API's readiness is not 200 at the end"
ingest_ready || fail "the ingest worker's readiness is not 200 at the end"
note "readiness 200 on the api and on the ingest worker"
phase_done

dump_logs > /dev/null 2>&1
phase "down -v"
compose down -v > "$work/down.log" 2>&1 || { cat "$work/down.log" >&2; fail "compose down -v"; }
remove_volumes
[[ -z "$(gb_podman volume ls -q --filter "name=${project}_")" ]] || fail "volumes left after down -v"
phase_done
trap - EXIT
printf '%-66s %4d s\n' "whole script" "$((SECONDS - total_start))" | tee -a "$timings"
echo "compose-faults: all checks passed (bank of $expected_total elements; timings in $timings)"
