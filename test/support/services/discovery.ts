import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAllSettings } from '@app/settings';
import type { JanusGraphStorage, LocalJanusGraph } from './local-services';

/** Where a real service was found, or why it was not. */
export type Discovered =
  | {
      found: true;
      how: 'settings' | 'testcontainers' | 'local-script';
      url: string;
      version: string;
    }
  | { found: false; reason: string };

/**
 * A JanusGraph found, plus how to restart it when the repository's scripts started it, and its
 * storage backend when known (the repository's scripts and containers; not a server the
 * settings name, whose storage the tests cannot see).
 */
export type DiscoveredJanusGraph = Discovered & {
  local?: LocalJanusGraph;
  storage?: JanusGraphStorage;
};

export interface DiscoveryResult {
  janusgraph: DiscoveredJanusGraph;
  pulsar: Discovered;
  /** Redis for the shared rate-limit counters (absent in files written before it was added). */
  redis?: Discovered;
  /** CI=true when discovery ran: tests that cannot run there fail instead of skipping. */
  ci?: boolean;
}

/**
 * Discovery runs once in Jest's global setup; test files read its result from this file. There
 * is one file per JanusGraph port (JANUSGRAPH_PORT), so that two runs against different
 * JanusGraph servers at the same time (test/run-all.sh runs the Cassandra suite beside the
 * BerkeleyDB JE one) each read their own.
 */
export function discoveryFile(janusGraphPort: number = loadAllSettings().graph.port): string {
  return join(__dirname, '..', '..', '..', '.services', `discovered-${janusGraphPort}.json`);
}

export function writeDiscovery(result: DiscoveryResult): void {
  const file = discoveryFile();
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify(result, null, 2));
}

export function readDiscovery(): DiscoveryResult {
  try {
    return JSON.parse(readFileSync(discoveryFile(), 'utf8')) as DiscoveryResult;
  } catch {
    const reason =
      'service discovery did not run (start the tests with npm test, npm run test:int or npm run test:all)';
    return {
      janusgraph: { found: false, reason },
      pulsar: { found: false, reason },
      redis: { found: false, reason },
    };
  }
}
