#!/usr/bin/env bash
# Starts Pulsar standalone in the foreground with docker/local/pulsar/conf/standalone.conf,
# listening on every address of the container (6650 binary protocol, 8080 HTTP and WebSocket)
# and advertising the container's host name (the compose service name) to clients.
set -euo pipefail
home=/opt/pulsar
data=/var/lib/pulsar
advertised="${PULSAR_ADVERTISED_ADDRESS:-$(hostname)}"
mkdir -p "$data" "$home/run/tmp"
sed -e 's/^bindAddress=.*/bindAddress=0.0.0.0/' -e "s/^advertisedAddress=.*/advertisedAddress=$advertised/" \
  "$home/standalone.conf" > "$home/run/standalone.conf"
echo "Pulsar standalone: data in $data, advertised as $advertised, heap ${PULSAR_HEAP:-512m}"
export CLASSPATH
CLASSPATH="$(<"$home/classpath.txt")"
# JVM flags of docker/local/pulsar/service.sh (from Pulsar's own bin/pulsar).
# shellcheck disable=SC2086
exec java -Xms64m "-Xmx${PULSAR_HEAP:-512m}" "-XX:MaxDirectMemorySize=${PULSAR_DIRECT_MEMORY:-384m}" \
  -XX:+UseG1GC -Djava.net.preferIPv4Stack=true "-Djava.io.tmpdir=$home/run/tmp" \
  -Dio.netty.tryReflectionSetAccessible=true \
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED \
  --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/java.util.zip=ALL-UNNAMED \
  --add-opens java.base/jdk.internal.misc=ALL-UNNAMED --add-opens java.base/sun.net=ALL-UNNAMED \
  --add-opens java.management/sun.management=ALL-UNNAMED \
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
  "-Dlog4j.configurationFile=$home/log4j2-console.xml" -Dlog4j.shutdownHookEnabled=false -Dlog4j2.is.webapp=false \
  -Dbookkeeper.metadata.bookie.drivers=org.apache.pulsar.metadata.bookkeeper.PulsarMetadataBookieDriver \
  -Dbookkeeper.metadata.client.drivers=org.apache.pulsar.metadata.bookkeeper.PulsarMetadataClientDriver \
  ${PULSAR_EXTRA_OPTS:-} \
  org.apache.pulsar.PulsarStandaloneStarter --config "$home/run/standalone.conf" -nfw -nss -a "$advertised" \
  --metadata-dir "$data/metadata" --bookkeeper-dir "$data/bookkeeper" --zookeeper-dir "$data/zookeeper"
