import 'tsconfig-paths/register';
import { loadAllSettings } from '@app/settings';
import { Discovered, DiscoveryResult, writeDiscovery } from './discovery';
import { discoverJanusGraph, discoverPulsar, stopStartedContainers } from './find-services';

/**
 * Finds real JanusGraph and Pulsar for the integration tests, in this order: endpoints given
 * in settings (GRAPH_BACKEND=janusgraph, STREAMING_BACKEND=pulsar), else testcontainers when a
 * Docker engine answers, else a loud skip. With CI=true a missing service fails the run.
 */
export default async function globalSetup(): Promise<void> {
  const settings = loadAllSettings();
  const result: DiscoveryResult = {
    janusgraph: await discoverJanusGraph(settings),
    pulsar: await discoverPulsar(settings),
  };
  writeDiscovery(result);
  const lines: string[] = [];
  for (const [name, found] of Object.entries(result) as [
    keyof DiscoveryResult,
    DiscoveryResult[keyof DiscoveryResult],
  ][]) {
    lines.push(
      found.found
        ? `  ✔ ${name}: ${found.version} at ${found.url} (via ${found.how})`
        : `  ✖ ${name}: NOT FOUND — its integration tests are SKIPPED: ${found.reason}`,
    );
  }
  process.stdout.write(`\nIntegration services:\n${lines.join('\n')}\n\n`);
  const missing = (Object.entries(result) as [string, Discovered][]).filter(
    ([, found]) => !found.found,
  );
  if (settings.app.ci && missing.length > 0) {
    await stopStartedContainers();
    throw new Error(
      `CI=true but ${missing.map(([name]) => name).join(' and ')} could not be found. In CI a missing service is a failure, not a skip. ` +
        'Start them with `bash docker/local/services.sh up` and export the endpoints (see npm run test:all).',
    );
  }
}
