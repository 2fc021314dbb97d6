#!/usr/bin/env bash
# A short, representative part of the integration suites through their testcontainers path:
# no endpoint in the settings, so test/support/services/global-setup.ts starts JanusGraph and
# Pulsar from this repository's images (docker/images.env) through the Docker API that Podman
# serves, with their ports published on 127.0.0.1 only, and stops them at the end.
#
#   bash test/containers/testcontainers-subset.sh [extra jest arguments]
#
# Needs docker/podman/setup.sh (the API socket) and the janusgraph and pulsar images
# (docker/podman/build-images.sh janusgraph pulsar). GB_TC_SUITES overrides the suites (a regex).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=../../docker/podman/env.sh
source docker/podman/env.sh
for image in "$GB_JANUSGRAPH_IMAGE" "$GB_PULSAR_IMAGE"; do
  gb_podman image exists "$image" || gb_die "image $image is missing: run bash docker/podman/build-images.sh"
done
# The graph-store contract on JanusGraph and the Pulsar WebSocket broker contract.
suites="${GB_TC_SUITES:-libs/graph-store/src/janusgraph/janusgraph\.graph-store\.int-spec\.ts|libs/streaming/src/pulsar/pulsar-websocket\.broker\.int-spec\.ts}"
# --testTimeout: the suites' 5 s default is for a warm server; a container's JVM starts cold, and on
# a shared 2-core machine its first requests take longer. The assertions are unchanged.
# Settings that point at running servers would take precedence over testcontainers: clear them.
env -u GRAPH_BACKEND -u STREAMING_BACKEND -u JANUSGRAPH_HOST -u JANUSGRAPH_PORT \
  -u PULSAR_WEB_URL -u PULSAR_SERVICE_URL TZ=UTC \
  npx jest --selectProjects integration --runInBand --testTimeout 60000 --testPathPattern "$suites" "$@"
# Nothing the tests started may be left running (testcontainers labels its containers).
left="$(gb_podman ps -q --filter label=org.testcontainers=true)"
[[ -z $left ]] || gb_die "containers left running after the tests: $left"
