/**
 * Child process of the store-scan benchmark: runs the batch scan of every rule
 * (`StoreBatchDetection`, the path of POST /alerts/scan) over one graph store and prints one JSON
 * line: the time, the alerts, this process's peak memory, and the store calls it made (count and
 * time per method). A child per run, so that each side's peak memory is its own.
 *
 * Usage: node -r ts-node/register/transpile-only -r tsconfig-paths/register
 *          bench/store-scan.child.ts memory|janusgraph <profile> <from> <to> <target>
 *   memory: generates the bank of <profile> (seed 42) and loads it into an embedded store first
 *     (the time of that load is printed too);
 *   janusgraph: scans the JanusGraph at <target> (JSON: host, port, requestTimeoutMs, laid over
 *     the `graph` settings), already loaded by the parent.
 */
import { performance } from 'node:perf_hooks';
import { ALL_DETECTORS, DetectorRegistry, StoreBatchDetection } from '@app/detectors';
import { generateBankInMemory, isProfileName } from '@app/generators';
import { GraphStore, JanusGraphGraphStore, MemoryGraphStore } from '@app/graph-store';
import { JanusGraphClient } from '@app/janusgraph';
import { type GraphConfig, loadAllSettings } from '@app/settings';

interface CallStats {
  calls: number;
  ms: number;
}

/** The store with every async method timed (the scan awaits them one at a time). */
function counted(store: GraphStore, stats: Map<string, CallStats>): GraphStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return async (...args: unknown[]): Promise<unknown> => {
        const started = performance.now();
        try {
          const method = value as (...a: unknown[]) => Promise<unknown>;
          return await method.apply(target, args);
        } finally {
          const entry = stats.get(property) ?? { calls: 0, ms: 0 };
          entry.calls += 1;
          entry.ms += performance.now() - started;
          stats.set(property, entry);
        }
      };
    },
  });
}

async function main(): Promise<void> {
  const [backend = 'memory', profile = 'small', from = '0', to = '0', target = '{}'] =
    process.argv.slice(2);
  let store: GraphStore;
  let loadSeconds: number | undefined;
  let close = (): Promise<void> => Promise.resolve();
  if (backend === 'memory') {
    const bank = await generateBankInMemory({
      profile: isProfileName(profile) ? profile : 'small',
      seed: 42,
      referenceTime: '2025-01-01T00:00:00Z',
      days: 90,
    });
    const memory = new MemoryGraphStore();
    const loading = performance.now();
    await memory.upsertVertices(bank.vertices);
    for (let i = 0; i < bank.edges.length; i += 5000)
      await memory.upsertEdges(bank.edges.slice(i, i + 5000));
    loadSeconds = (performance.now() - loading) / 1000;
    store = memory;
  } else {
    const where = JSON.parse(target) as Partial<
      Pick<GraphConfig, 'host' | 'port' | 'requestTimeoutMs'>
    >;
    const settings: GraphConfig = { ...loadAllSettings().graph, ...where };
    const client = new JanusGraphClient(settings, {
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    });
    await client.open();
    store = new JanusGraphGraphStore(client, { batchSize: settings.batchSize });
    close = () => client.close();
  }
  const instances = new DetectorRegistry(ALL_DETECTORS, loadAllSettings().detectors).instantiate();
  const stats = new Map<string, CallStats>();
  const started = performance.now();
  const result = await new StoreBatchDetection(counted(store, stats)).scan(instances, {
    from: Number(from),
    to: Number(to),
    now: Number(to),
  });
  const seconds = (performance.now() - started) / 1000;
  await close();
  process.stdout.write(
    `${JSON.stringify({
      seconds,
      alerts: result.alerts.length,
      movements: result.movements,
      rules: instances.length,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      loadSeconds,
      calls: Object.fromEntries(stats),
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
