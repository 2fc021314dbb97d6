import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** Discovery runs once in Jest's global setup; test files read its result from this file. */
export const DISCOVERY_FILE = join(__dirname, '..', '..', '..', '.services', 'discovered.json');

export function writeDiscovery(result: DiscoveryResult): void {
  mkdirSync(join(DISCOVERY_FILE, '..'), { recursive: true });
  writeFileSync(DISCOVERY_FILE, JSON.stringify(result, null, 2));
}

export function readDiscovery(): DiscoveryResult {
  try {
    return JSON.parse(readFileSync(DISCOVERY_FILE, 'utf8')) as DiscoveryResult;
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
