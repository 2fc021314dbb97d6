#!/usr/bin/env bash
# Starts JanusGraph in the foreground (the container's main process), with the configuration
# templates of docker/local/janusgraph/conf rendered for the container. Same settings as
# docker/local/janusgraph/service.sh: JANUSGRAPH_STORAGE, JANUSGRAPH_CQL_*, JANUSGRAPH_HEAP,
# JANUSGRAPH_MIXED_INDEX_BACKEND (search: Lucene in the volume; none: no mixed-index backend, for
# several JanusGraph servers on one Cassandra; the apps then need JANUSGRAPH_MIXED_INDEX_BACKEND=none
# too, see docs/operations.md, "Several JanusGraph servers").
set -euo pipefail
home=/opt/janusgraph
conf=$home/run
data=/var/lib/janusgraph
storage="${JANUSGRAPH_STORAGE:-berkeleyje}"
case "$storage" in berkeleyje | cql | inmemory) ;; *)
  echo "JANUSGRAPH_STORAGE must be berkeleyje, cql or inmemory (got '$storage')" >&2; exit 2 ;;
esac
mixed_index="${JANUSGRAPH_MIXED_INDEX_BACKEND:-search}"
case "$mixed_index" in search | none) ;; *)
  echo "JANUSGRAPH_MIXED_INDEX_BACKEND must be search (Lucene) or none (got '$mixed_index')" >&2; exit 2 ;;
esac
keyspace="${JANUSGRAPH_CQL_KEYSPACE:-janusgraph}"
if [[ $storage == cql ]]; then index="$data/lucene/cql-$keyspace"; else index="$data/lucene/$storage"; fi
[[ $storage == inmemory ]] && rm -rf "$index"
mkdir -p "$data/berkeleyje" "$index"

render() { # template destination
  local content
  content="$(<"$1")"
  content="${content//@HOST@/0.0.0.0}"
  content="${content//@PORT@/8182}"
  content="${content//@CONF_DIR@/$conf}"
  content="${content//@STORAGE_DIR@/$data/berkeleyje}"
  content="${content//@INDEX_DIR@/$index}"
  content="${content//@CQL_HOSTS@/${JANUSGRAPH_CQL_HOSTS:-cassandra}}"
  content="${content//@CQL_PORT@/${JANUSGRAPH_CQL_PORT:-9042}}"
  content="${content//@CQL_KEYSPACE@/$keyspace}"
  content="${content//@CQL_DATACENTER@/${JANUSGRAPH_CQL_DATACENTER:-datacenter1}}"
  content="${content//@CQL_REPLICATION_FACTOR@/${JANUSGRAPH_CQL_REPLICATION_FACTOR:-1}}"
  content="${content//@CQL_READ_CONSISTENCY@/${JANUSGRAPH_CQL_READ_CONSISTENCY:-QUORUM}}"
  content="${content//@CQL_WRITE_CONSISTENCY@/${JANUSGRAPH_CQL_WRITE_CONSISTENCY:-QUORUM}}"
  content="${content//@LOCK_WAIT_MS@/${JANUSGRAPH_LOCK_WAIT_MS:-100}}"
  content="${content//@LOCK_EXPIRY_MS@/${JANUSGRAPH_LOCK_EXPIRY_MS:-60000}}"
  # No mixed-index backend: leave out the index.search.* lines (composite indexes only).
  if [[ $mixed_index == none ]]; then content="$(printf '%s\n' "$content" | grep -v '^index\.search\.')"; fi
  printf '%s\n' "$content" > "$2"
}
render "$home/janusgraph-server.yaml" "$conf/janusgraph-server.yaml"
render "$home/janusgraph-$storage.properties" "$conf/janusgraph.properties"
cp -f "$home/init.groovy" "$conf/init.groovy"

heap="${JANUSGRAPH_HEAP:-768m}"
echo "JanusGraph: storage $storage, mixed indexes: $mixed_index, data in $data, heap $heap, port 8182"
export CLASSPATH
CLASSPATH="$(<"$home/classpath.txt")"
# The module flags of docker/local/janusgraph/service.sh (Gremlin Server and Groovy on Java 17).
# shellcheck disable=SC2086
exec java "-Xms$heap" "-Xmx$heap" -XX:+UseG1GC -Djava.net.preferIPv4Stack=true -Dfile.encoding=UTF-8 \
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED \
  --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED \
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED \
  "-Dlog4j2.configurationFile=file:$home/log4j2-console.xml" ${JANUSGRAPH_JAVA_OPTS:-} \
  org.janusgraph.graphdb.server.JanusGraphServer "$conf/janusgraph-server.yaml"
