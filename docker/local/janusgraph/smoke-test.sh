#!/usr/bin/env bash
# Smoke test against a running local JanusGraph (see service.sh): write/read/drop round trip,
# schema management, a composite index on a new key, a composite index on an existing key
# (REGISTERED -> REINDEX -> ENABLED) and a Lucene mixed index. Uses only curl and the HTTP
# endpoint; every run uses fresh names, so it can be repeated against the same server.
# Its property keys and indexes stay in the schema of a persistent graph (the default storage):
# run it on a throw-away server (JANUSGRAPH_STORAGE=inmemory) or `service.sh wipe` afterwards.
#
#   bash docker/local/janusgraph/smoke-test.sh      (JANUSGRAPH_PORT as for service.sh)
set -euo pipefail

HOST=127.0.0.1
PORT="${JANUSGRAPH_PORT:-8182}"
# Alphanumeric only: Lucene rejects mixed-index (store) names with other characters.
SFX="$(date +%s)x$$"
FAILED=0

# Runs a Groovy script (single line, no double quotes needed) and checks that the GraphSON v3
# response contains the expected marker string.
check() { # name expected script
  local name=$1 expected=$2 script=$3 body resp t0=$SECONDS
  body="$(printf '{"gremlin": "%s"}' "${script//\"/\\\"}")"
  if resp="$(curl -sS --max-time 120 -X POST -H 'Content-Type: application/json' \
        -H 'Accept: application/vnd.gremlin-v3.0+json' --data-binary "$body" "http://$HOST:$PORT/" 2>&1)" \
     && [[ $resp == *"$expected"* ]]; then
    printf 'ok   %-44s (%ss)\n' "$name" "$((SECONDS - t0))"
  else
    printf 'FAIL %-44s expected %s\n     response: %s\n' "$name" "$expected" "${resp:0:600}"
    FAILED=1
  fi
}

AWAIT="timeout(60, java.time.temporal.ChronoUnit.SECONDS).call().getSucceeded()"

check "write vertex" "written" \
  "g.addV('smoke_$SFX').property('k','v').iterate(); 'written'"
check "read vertex back" "read=v" \
  "'read=' + g.V().hasLabel('smoke_$SFX').has('k','v').values('k').next()"
check "drop vertex" "left=0" \
  "g.V().hasLabel('smoke_$SFX').drop().iterate(); 'left=' + g.V().hasLabel('smoke_$SFX').count().next()"

check "make property key" "key=probeKey_$SFX" \
  "mgmt = graph.openManagement(); mgmt.makePropertyKey('probeKey_$SFX').dataType(String.class).make(); mgmt.commit(); m = graph.openManagement(); n = m.getPropertyKey('probeKey_$SFX').name(); m.rollback(); 'key=' + n"

check "composite index, new key -> ENABLED" "enabled=true" \
  "mgmt = graph.openManagement(); k = mgmt.makePropertyKey('uid_$SFX').dataType(String.class).make(); mgmt.buildIndex('byUid_$SFX', Vertex.class).addKey(k).unique().buildCompositeIndex(); mgmt.commit(); 'enabled=' + ManagementSystem.awaitGraphIndexStatus(graph, 'byUid_$SFX').status(SchemaStatus.ENABLED).$AWAIT"

check "data for existing-key index" "seeded" \
  "g.addV('smoke_$SFX').property('probeKey_$SFX','a').iterate(); 'seeded'"
check "composite index, existing key -> REGISTERED" "registered=true" \
  "mgmt = graph.openManagement(); mgmt.buildIndex('byProbeKey_$SFX', Vertex.class).addKey(mgmt.getPropertyKey('probeKey_$SFX')).buildCompositeIndex(); mgmt.commit(); 'registered=' + ManagementSystem.awaitGraphIndexStatus(graph, 'byProbeKey_$SFX').status(SchemaStatus.REGISTERED, SchemaStatus.ENABLED).$AWAIT"
check "REINDEX -> ENABLED" "enabled=true" \
  "mgmt = graph.openManagement(); mgmt.updateIndex(mgmt.getGraphIndex('byProbeKey_$SFX'), SchemaAction.REINDEX).get(); mgmt.commit(); 'enabled=' + ManagementSystem.awaitGraphIndexStatus(graph, 'byProbeKey_$SFX').status(SchemaStatus.ENABLED).$AWAIT"
check "query answered by composite index" "hits=1;true" \
  "'hits=' + g.V().has('probeKey_$SFX','a').count().next() + ';' + g.V().has('probeKey_$SFX','a').profile().next().toString().contains('byProbeKey_$SFX')"

check "mixed (lucene) index -> ENABLED" "enabled=true" \
  "mgmt = graph.openManagement(); t = mgmt.makePropertyKey('text_$SFX').dataType(String.class).make(); a = mgmt.makePropertyKey('amount_$SFX').dataType(Double.class).make(); mgmt.buildIndex('search$SFX', Vertex.class).addKey(t, Mapping.TEXTSTRING.asParameter()).addKey(a).buildMixedIndex('search'); mgmt.commit(); 'enabled=' + ManagementSystem.awaitGraphIndexStatus(graph, 'search$SFX').status(SchemaStatus.ENABLED).$AWAIT"
check "mixed index full-text + range query" "found=[Alice Wonderland]/[Bob Builder]" \
  "g.addV('smoke_$SFX').property('text_$SFX','Alice Wonderland').property('amount_$SFX', 12.5d).iterate(); g.addV('smoke_$SFX').property('text_$SFX','Bob Builder').property('amount_$SFX', 99d).iterate(); graph.tx().commit(); 'found=' + g.V().has('text_$SFX', textContains('wonderland')).values('text_$SFX').toList() + '/' + g.V().has('amount_$SFX', gt(50d)).values('text_$SFX').toList()"

check "cleanup data" "cleaned" \
  "g.V().hasLabel('smoke_$SFX').drop().iterate(); 'cleaned'"
check "no leaked management transactions" "open=0" \
  "'open=' + graph.getOpenTransactions().size()"

if ((FAILED)); then
  echo "smoke test FAILED"
  exit 1
fi
echo "smoke test passed"
