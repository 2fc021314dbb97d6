#!/usr/bin/env bash
# Starts one Cassandra node in the foreground with docker/local/cassandra/conf/cassandra.yaml,
# on the container's own address (its own seed), CQL on 9042.
set -euo pipefail
home=/opt/cassandra
data=/var/lib/cassandra
address="$(hostname -i | awk '{print $1}')"
mkdir -p "$data/data" "$data/tmp"
content="$(<"$home/cassandra.yaml")"
content="${content//@CLUSTER_NAME@/${CASSANDRA_CLUSTER_NAME:-graph-banking}}"
content="${content//@NUM_TOKENS@/${CASSANDRA_NUM_TOKENS:-4}}"
content="${content//@NODE_DIR@/$data}"
content="${content//@SEEDS@/$address:7000}"
content="${content//@ADDRESS@/$address}"
content="${content//@STORAGE_PORT@/7000}"
content="${content//@NATIVE_PORT@/9042}"
printf '%s\n' "$content" > "$home/run/cassandra.yaml"
heap="${CASSANDRA_HEAP:-768m}"
echo "Cassandra: node on $address, data in $data, heap $heap"
export CLASSPATH
CLASSPATH="$(<"$home/classpath.txt")"
jamm="$(tr ':' '\n' <<< "$CLASSPATH" | grep '/jamm-[^/]*\.jar$' | head -n 1 || true)"
agent=()
[[ -n $jamm ]] && agent=("-javaagent:$jamm")
# JVM flags of docker/local/cassandra/service.sh (Cassandra 5.0's conf/jvm17-server.options).
# shellcheck disable=SC2086
exec java "-Xms$heap" "-Xmx$heap" -Xss256k -XX:+UseG1GC -XX:+ParallelRefProcEnabled -XX:MaxTenuringThreshold=1 \
  -Djdk.attach.allowAttachSelf=true \
  --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
  --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED \
  --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED \
  --add-exports java.sql/java.sql=ALL-UNNAMED --add-exports java.base/java.lang.ref=ALL-UNNAMED \
  --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED \
  --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
  --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED \
  --add-opens java.base/java.lang.module=ALL-UNNAMED --add-opens java.base/jdk.internal.loader=ALL-UNNAMED \
  --add-opens java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED \
  --add-opens java.base/jdk.internal.math=ALL-UNNAMED --add-opens java.base/jdk.internal.module=ALL-UNNAMED \
  --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED \
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED \
  --add-opens java.base/java.lang.reflect=ALL-UNNAMED --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED \
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.util=ALL-UNNAMED \
  -Dio.netty.tryReflectionSetAccessible=true -Dio.netty.allocator.useCacheForAllThreads=true \
  -Dio.netty.allocator.maxOrder=11 \
  -Djava.net.preferIPv4Stack=true -Dfile.encoding=UTF-8 "-Djava.io.tmpdir=$data/tmp" \
  "-Dcassandra.config=file://$home/run/cassandra.yaml" -Dcassandra-foreground=yes \
  "-Dcassandra.storagedir=$data" "-Dcassandra.logdir=$data/logs" \
  "-Dlogback.configurationFile=file://$home/logback-console.xml" -Dcassandra.jmx.local.port=7199 \
  -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.ring_delay_ms=1000 \
  "${agent[@]}" ${CASSANDRA_JAVA_OPTS:-} org.apache.cassandra.service.CassandraDaemon
