#!/usr/bin/env bash
# The compose stack end to end, on Podman (docker/compose.yaml through docker/podman/compose.sh):
#
#   1. Cassandra, Pulsar, then JanusGraph on Cassandra, then the api app come up; the apps
#      create the graph schema on start (GRAPH_SCHEMA_BOOTSTRAP)
#   2. the seeder (the app image, in the stack's network) publishes a small bank to Pulsar; the
#      ingest worker, started only afterwards, writes it to the graph: every vertex and edge
#      count the seeder's own files give must show in GET /api/v1/graph/stats
#   3. the API answers alerts (a scan finds and stores alerts, GET /api/v1/alerts lists them) and
#      a UBO question (GET /api/v1/ubo/{company})
#   4. the stack stops cleanly (every server exits on SIGTERM, none is killed), comes up again
#      on the same volumes, and the graph and the alerts are all still there
#   5. down -v: containers, network and volumes removed
#
#   bash test/containers/compose-e2e.sh        (after docker/podman/setup.sh and build-images.sh)
#
# Any failed check stops the script with a message saying what was expected and what was seen,
# and the last lines of the containers' logs. Ports: the API on 127.0.0.1:${GB_API_PORT:-23000}.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../docker/podman/env.sh
source "$root/docker/podman/env.sh"

export GB_COMPOSE_PROJECT="${GB_COMPOSE_PROJECT:-gb-e2e}"
export GB_API_PORT="${GB_API_PORT:-23000}"
admin_key="e2e-admin-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
analyst_key="e2e-analyst-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
export API_KEYS="$admin_key:admin,$analyst_key:analyst"
TOTP_ENCRYPTION_KEY="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
export TOTP_ENCRYPTION_KEY
project="$GB_COMPOSE_PROJECT"
network="${project}_default"
api="http://127.0.0.1:$GB_API_PORT"
work="$GB_CONTAINERS_WORK/compose-e2e"
timings="${GB_TIMINGS_FILE:-$work/timings.txt}"
seed=7

compose() { bash "$root/docker/podman/compose.sh" "$@"; }
container() { echo "${project}_$1_1"; }

phase_start=$SECONDS
phase() { # name: ends the previous phase's clock and starts a new one
  printf '== %s\n' "$1"
  phase_name="$1"
  phase_start=$SECONDS
}
phase_done() { printf '%-58s %4d s\n' "$phase_name" "$((SECONDS - phase_start))" | tee -a "$timings"; }

dump_logs() {
  local service
  for service in cassandra janusgraph pulsar api ingest; do
    echo "----- last 25 log lines of $(container "$service") -----" >&2
    gb_podman logs --tail 25 "$(container "$service")" >&2 2> /dev/null || true
  done
}
fail() { # the reason first and again after the logs, so that the tail of a long CI log shows it
  echo "compose-e2e FAILED: $*" >&2
  dump_logs
  echo "compose-e2e FAILED (the logs above are the containers'): $*" >&2
  exit 1
}
cleanup() {
  local rc=$?
  if [[ ${GB_E2E_KEEP:-false} != true ]]; then
    compose down -v -t 5 > "$work/down.log" 2>&1 || true
    remove_volumes
  fi
  exit "$rc"
}
remove_volumes() { # and the stack's network (podman-compose down leaves it)
  gb_podman network rm -f "$network" > /dev/null 2>&1 || true
  local volume
  for volume in cassandra-data janusgraph-index pulsar-data; do
    gb_podman volume rm -f "${project}_$volume" > /dev/null 2>&1 || true
  done
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
  echo "$1 healthy after $((SECONDS - t0)) s"
}

wait_api() {
  local t0=$SECONDS
  until curl -sf "$api/health/ready" > /dev/null; do
    ((SECONDS - t0 < $1)) || fail "the API did not answer $api/health/ready within $1 s"
    sleep 3
  done
  echo "API ready after $((SECONDS - t0)) s"
}

# The stack in dependency order: compose alone would start the apps before the graph answers.
stack_up() { # apps to start (default: api ingest)
  local apps=("$@")
  ((${#apps[@]} > 0)) || apps=(api ingest)
  compose up -d cassandra pulsar > "$work/up.log" 2>&1 || { cat "$work/up.log" >&2; fail "compose up cassandra pulsar"; }
  wait_healthy cassandra 300
  compose up -d janusgraph >> "$work/up.log" 2>&1 || { cat "$work/up.log" >&2; fail "compose up janusgraph"; }
  wait_healthy janusgraph 300
  wait_healthy pulsar 300
  compose up -d "${apps[@]}" >> "$work/up.log" 2>&1 || { cat "$work/up.log" >&2; fail "compose up ${apps[*]}"; }
  wait_api 240
}

get() { curl -sS --fail-with-body -H "X-API-Key: $1" "$api$2"; }
post() { curl -sS --fail-with-body -H "X-API-Key: $1" -H 'Content-Type: application/json' -d "$3" "$api$2"; }
# json EXPRESSION: evaluates a JavaScript expression over the JSON document on stdin (as `d`).
json() { node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{const d=JSON.parse(s);const v=eval(process.argv[1]);process.stdout.write(typeof v==="string"?v:JSON.stringify(v))})' "$1"; }

mkdir -p "$work"
rm -rf "$work/seed"
: > "$timings"
trap cleanup EXIT

for image in "$GB_CASSANDRA_IMAGE" "$GB_JANUSGRAPH_IMAGE" "$GB_PULSAR_IMAGE" "$GB_APP_IMAGE"; do
  gb_podman image exists "$image" || gb_die "image $image is missing: run bash docker/podman/build-images.sh"
done
curl -s --unix-socket "$PODMAN_SOCKET" http://podman/_ping > /dev/null \
  || gb_die "the Podman API does not answer on $PODMAN_SOCKET: run bash docker/podman/setup.sh"

phase "clean start (down -v of a previous run)"
compose down -v > "$work/down.log" 2>&1 || true
remove_volumes
phase_done

phase "stack up: Cassandra, Pulsar, JanusGraph on Cassandra, api (ingest after the seeder)"
stack_up api
ready="$(curl -s "$api/health/ready")"
grep -q '"status":"ok"' <<< "$ready" || fail "the API's readiness does not say ok: $ready"
phase_done

phase "seeder publishes a tiny bank through Pulsar; ingest, started after it, writes it"
mkdir -p "$work/seed"
chmod 0777 "$work/seed"
seeder() { # args...
  gb_podman run --rm --network "$network" -v "$work/seed:/seed" \
    -e API_KEYS -e TOTP_ENCRYPTION_KEY -e STREAMING_BACKEND=pulsar -e PULSAR_TRANSPORT=websocket \
    -e PULSAR_WEB_URL=http://pulsar:8080 -e PULSAR_SERVICE_URL=pulsar://pulsar:6650 \
    -e SEEDER_PROFILE=tiny "$GB_APP_IMAGE" node dist/apps/seeder/main.js "$@"
}
seeder generate --seed "$seed" --sink pulsar --out /seed/published --no-progress > "$work/seeder.log" 2>&1 \
  || { cat "$work/seeder.log" >&2; fail "the seeder could not publish to Pulsar"; }
# The same bank written to files (the generator is seeded): what the graph must hold.
seeder generate --seed "$seed" --out /seed/files --no-progress > "$work/seeder-files.log" 2>&1 \
  || { cat "$work/seeder-files.log" >&2; fail "the seeder could not write the reference files"; }
expected="$(node -e '
  const fs = require("fs");
  const count = (file) => fs.readFileSync(file, "utf8").split("\n").filter(Boolean)
    .map((line) => JSON.parse(line).label).reduce((m, l) => ((m[l] = (m[l] || 0) + 1), m), {});
  process.stdout.write(JSON.stringify({ vertices: count(process.argv[1]), edges: count(process.argv[2]) }));
' "$work/seed/files/vertices.jsonl" "$work/seed/files/edges.jsonl")"
echo "the seeder's bank: $expected"
# The worker starts only now: what was published before it ever ran must reach the graph (the
# seeder creates the worker's subscription from the topics' first message before publishing).
compose up -d ingest >> "$work/up.log" 2>&1 || { cat "$work/up.log" >&2; fail "compose up ingest"; }
matches() { # stats-json expected-json -> exit 0 when every expected count is in stats
  node -e '
    const [stats, want] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2])];
    for (const kind of ["vertices", "edges"])
      for (const [label, n] of Object.entries(want[kind]))
        if ((stats[kind] || {})[label] !== n) process.exit(1);
  ' "$1" "$2"
}
t0=$SECONDS
until stats="$(get "$analyst_key" /api/v1/graph/stats 2> /dev/null)" && matches "$stats" "$expected"; do
  ((SECONDS - t0 < 420)) || fail "after 420 s the graph holds ${stats:-nothing}, expected at least $expected"
  sleep 5
done
echo "the graph holds the whole bank after $((SECONDS - t0)) s: $stats"
before_stats="$stats"
phase_done

phase "API: alert scan, alerts list, UBO answer"
scan="$(post "$admin_key" /api/v1/alerts/scan '{"from":"2024-09-01T00:00:00Z","to":"2025-01-01T00:00:00Z"}')" \
  || fail "POST /api/v1/alerts/scan answered: $scan"
job="$(json d.jobId <<< "$scan")"
t0=$SECONDS
while :; do
  status_doc="$(get "$admin_key" "/api/v1/alerts/scan/$job")"
  status="$(json d.status <<< "$status_doc")"
  [[ $status == succeeded ]] && break
  [[ $status == failed ]] && fail "the alert scan failed: $status_doc"
  ((SECONDS - t0 < 300)) || fail "the alert scan did not finish in 300 s: $status_doc"
  sleep 3
done
created="$(json 'd.report.alerts.created' <<< "$status_doc")"
[[ $created -gt 0 ]] || fail "the scan of the seeded bank stored no alert: $status_doc"
alerts="$(get "$analyst_key" '/api/v1/alerts?limit=500')"
listed="$(json 'd.items.length' <<< "$alerts")"
[[ $listed -gt 0 ]] || fail "GET /api/v1/alerts lists no alert after a scan that stored $created: $alerts"
first_alert="$(json 'd.items[0].alertId ?? d.items[0].id' <<< "$alerts")"
echo "scan stored $created alerts; GET /api/v1/alerts lists $listed (first: $first_alert)"
companies="$(get "$analyst_key" '/api/v1/entities?label=Company&limit=1')"
company="$(json 'd.items[0].uid' <<< "$companies")"
[[ -n $company ]] || fail "no Company in the graph: $companies"
ubo="$(get "$analyst_key" "/api/v1/ubo/$(node -p 'encodeURIComponent(process.argv[1])' "$company")")" \
  || fail "GET /api/v1/ubo/$company answered: $ubo"
json 'Array.isArray(d.owners) ? "" : "no owners list"' <<< "$ubo" | grep -q . && fail "UBO answer without an owners list: $ubo"
echo "UBO of $company: $(json '`${d.owners.length} owner(s)`' <<< "$ubo")"
# A costly count is answered again for a while (GET /graph/stats, countedAt): wait for one that
# holds the scan's alerts, so that the comparison after down/up covers them.
t0=$SECONDS
until after_scan_stats="$(get "$analyst_key" /api/v1/graph/stats)" \
  && (($(json 'd.vertices.Alert' <<< "$after_scan_stats") >= created)); do
  ((SECONDS - t0 < 120)) || fail "after 120 s GET /api/v1/graph/stats counts fewer alerts than the $created stored: $after_scan_stats"
  sleep 5
done
phase_done

phase "stop cleanly, up again on the same volumes, data kept"
compose stop > "$work/stop.log" 2>&1 || { cat "$work/stop.log" >&2; fail "compose stop"; }
for service in cassandra janusgraph pulsar api ingest; do
  code="$(gb_podman inspect --format '{{.State.ExitCode}}' "$(container "$service")")"
  # 0 or 143 (SIGTERM) is a clean stop; 137 means podman had to kill it after its timeout.
  [[ $code == 0 || $code == 143 ]] || fail "$service did not stop cleanly on SIGTERM (exit code $code)"
done
compose down > "$work/down.log" 2>&1 || { cat "$work/down.log" >&2; fail "compose down"; }
[[ -z "$(gb_podman ps -a --filter "label=io.podman.compose.project=$project" -q)" ]] || fail "containers left after down"
stack_up
again="$(get "$analyst_key" /api/v1/graph/stats)"
matches "$again" "$expected" || fail "the bank is not whole after down/up: $again"
# Nothing lost: no count went down (requests add audit entries, so counts may only grow).
node -e '
  const [before, after] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2])];
  for (const kind of ["vertices", "edges"])
    for (const [label, n] of Object.entries(before[kind]))
      if ((after[kind][label] ?? 0) < n) { console.error(`${kind} ${label}: ${n} before, ${after[kind][label]} after`); process.exit(1); }
' "$after_scan_stats" "$again" || fail "the graph lost data across down/up: before $after_scan_stats, after $again"
alerts_again="$(get "$analyst_key" '/api/v1/alerts?limit=500')"
node -e '
  const ids = (page) => JSON.parse(page).items.map((a) => a.alertId ?? a.id);
  const after = new Set(ids(process.argv[2]));
  const lost = ids(process.argv[1]).filter((id) => !after.has(id));
  if (lost.length > 0) { console.error(`alerts lost: ${lost.join(", ")}`); process.exit(1); }
' "$alerts" "$alerts_again" || fail "alerts listed before down/up are missing after it"
echo "after down/up: the whole bank and every one of the $listed listed alerts are still there ($again)"
phase_done

phase "down -v"
# The clean stop was checked above; the data goes now, so 5 s each (not 60) before a kill.
compose down -v -t 5 > "$work/down.log" 2>&1 || { cat "$work/down.log" >&2; fail "compose down -v"; }
remove_volumes
[[ -z "$(gb_podman volume ls -q --filter "name=${project}_")" ]] || fail "volumes left after down -v"
phase_done
trap - EXIT
echo "compose-e2e: all checks passed (bank $before_stats; timings in $timings)"
