import 'tsconfig-paths/register';
import { loadAllSettings } from '@app/settings';
import { Discovered, DiscoveryResult, writeDiscovery } from './discovery';
import {
  discoverJanusGraph,
  discoverPulsar,
  discoverRedis,
  redactedRedisUrl,
  stopStartedContainers,
  stopStartedRedis,
} from './find-services';

/**
 * Finds real JanusGraph and Pulsar for the integration tests, in this order: endpoints given
 * in settings (GRAPH_BACKEND=janusgraph, STREAMING_BACKEND=pulsar), else testcontainers when a
 * Docker engine answers, else a loud skip. Redis (shared rate limits): RATE_LIMIT_REDIS_URL,
 * else docker/local/redis/service.sh with the installed redis-server, else a loud skip. With
 * CI=true a missing service fails the run.
 */
export default async function globalSetup(): Promise<void> {
  const settings = loadAllSettings();
  const result: DiscoveryResult = {
    janusgraph: await discoverJanusGraph(settings),
    pulsar: await discoverPulsar(settings),
    redis: await discoverRedis(settings),
    ci: settings.app.ci,
  };
  writeDiscovery(result);
  const lines: string[] = [];
  const services: [string, Discovered][] = [
    ['janusgraph', result.janusgraph],
    ['pulsar', result.pulsar],
    ['redis', result.redis ?? { found: false, reason: 'not looked for' }],
  ];
  for (const [name, found] of services) {
    lines.push(
      found.found
        ? `  ✔ ${name}: ${found.version} at ${name === 'redis' ? redactedRedisUrl(found.url) : found.url} (via ${found.how})`
        : `  ✖ ${name}: NOT FOUND — its integration tests are SKIPPED: ${found.reason}`,
    );
  }
  const local = result.janusgraph.local;
  if (local) {
    const cluster = local.cassandra
      ? ` on Cassandra node(s) ${local.cassandra.nodes.map((node) => node.address).join(', ')}`
      : '';
    lines.push(
      `    started by docker/local/janusgraph/service.sh (storage ${local.storage}${cluster}): restart tests can run`,
    );
  }
  process.stdout.write(`\nIntegration services:\n${lines.join('\n')}\n\n`);
  const missing = services.filter(([, found]) => !found.found);
  if (settings.app.ci && missing.length > 0) {
    await stopStartedContainers();
    await stopStartedRedis();
    throw new Error(
      `CI=true but ${missing.map(([name]) => name).join(' and ')} could not be found. In CI a missing service is a failure, not a skip. ` +
        'Start them with `bash docker/local/services.sh up` and export the endpoints (see npm run test:all).',
    );
  }
}
