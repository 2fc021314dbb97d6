import { MemoryGraphStore } from '@app/graph-store';
import type { MovementQuery, MovementWindowQuery } from '@app/graph-store';
import type { Movement } from '@app/vocabulary';
import { generateBank, generateBankInMemory } from '@app/generators';
import type { InMemoryDataset } from '@app/generators';
import { MemoryAccountDirectory } from '../core/account-directory';
import type { DetectedAlert } from '../core/detector';
import { ALL_DETECTORS } from '../registry/all-detectors';
import { DetectorRegistry } from '../registry/detector.registry';
import { defaultConfig } from '../testing/fixtures';
import { AlertCollector } from './alert-collector';
import { detectInDataset } from './batch-detection';
import { detectInChunks } from './chunked-detection';
import { activitiesOf } from './dataset';
import { StoreBatchDetection } from './store-scan';
import { StreamDetectionEngine } from './stream-detection.engine';

/**
 * The in-memory store answering movement reads on a later turn (as a store across a network
 * does), counting the most requests of each kind in flight at once.
 */
class SlowStore extends MemoryGraphStore {
  slow = false;
  readonly mostAtOnce = new Map<string, number>();
  private readonly atOnce = new Map<string, number>();

  override scanMovements(query: MovementWindowQuery): Promise<Movement[]> {
    return this.later('scanMovements', () => super.scanMovements(query));
  }

  override getMovements(query: MovementQuery): Promise<Movement[]> {
    return this.later('getMovements', () => super.getMovements(query));
  }

  private async later<T>(kind: string, answer: () => Promise<T>): Promise<T> {
    if (!this.slow) return answer();
    const now = (this.atOnce.get(kind) ?? 0) + 1;
    this.atOnce.set(kind, now);
    this.mostAtOnce.set(kind, Math.max(now, this.mostAtOnce.get(kind) ?? 0));
    try {
      await new Promise((resolve) => setImmediate(resolve));
      return await answer();
    } finally {
      this.atOnce.set(kind, (this.atOnce.get(kind) ?? 1) - 1);
    }
  }
}

/** alertId -> sorted evidence movement ids: what must agree between modes. */
function signature(alerts: readonly DetectedAlert[]): Map<string, string> {
  return new Map(alerts.map((a) => [a.alertId, a.movements.map((m) => m.movementId).join(',')]));
}

function timeRange(dataset: InMemoryDataset): { from: number; to: number } {
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const e of dataset.edges) {
    if (e.label !== 'TRANSFERRED') continue;
    from = Math.min(from, e.props.timestamp);
    to = Math.max(to, e.props.timestamp);
  }
  for (const v of dataset.vertices) {
    if (v.label !== 'Event') continue;
    from = Math.min(from, v.props.timestamp);
    to = Math.max(to, v.props.timestamp);
  }
  return { from, to: to + 1 };
}

describe('batch and stream modes agree (same data, same alerts, same fingerprints)', () => {
  let dataset: InMemoryDataset;
  const registry = new DetectorRegistry(ALL_DETECTORS, defaultConfig());

  const bank = {
    profile: 'tiny',
    seed: 7,
    referenceTime: '2025-01-01T00:00:00Z',
    days: 60,
  } as const;

  // Generating the tiny bank takes a second or two, far more on a loaded shared machine.
  beforeAll(async () => {
    dataset = await generateBankInMemory(bank);
  }, 120_000);

  it('raises alerts of several rules on the generated bank (the comparison is not vacuous)', () => {
    const batch = detectInDataset(registry.instantiate(), dataset);
    expect(new Set(batch.alerts.map((a) => a.ruleId)).size).toBeGreaterThanOrEqual(10);
  });

  it('stream (one movement at a time) equals batch over the in-memory dataset', () => {
    const instances = registry.instantiate();
    const batch = detectInDataset(instances, dataset);

    const stream = new StreamDetectionEngine(
      instances,
      new MemoryAccountDirectory(dataset.vertices, dataset.edges),
    );
    const collected = new AlertCollector();
    for (const activity of activitiesOf(dataset)) {
      const raised =
        activity.type === 'movement'
          ? stream.onMovement(activity.movement)
          : stream.onEvent(activity.event);
      raised.forEach((a) => collected.add(a));
    }
    // Rings are structural (no per-event evaluation); compare everything else.
    const batchActivity = batch.alerts.filter((a) => a.ruleId !== 'fraud.ring');
    expect(signature(collected.alerts())).toEqual(signature(batchActivity));
  });

  it.each([1, 3])(
    'batch over the graph store (paged scans, pushed-down candidates, %i read(s) at once) equals batch over the dataset',
    async (readersAtOnce) => {
      const store = new SlowStore();
      await store.upsertVertices(dataset.vertices);
      for (let i = 0; i < dataset.edges.length; i += 5000)
        await store.upsertEdges(dataset.edges.slice(i, i + 5000));
      store.slow = true;
      const window = timeRange(dataset);
      const instances = registry.instantiate();
      const fromDataset = detectInDataset(instances, dataset, { window, now: window.to });
      const fromStore = await new StoreBatchDetection(store).scan(instances, {
        ...window,
        now: window.to,
        pageSize: 997,
        chunkSize: 7,
        readersAtOnce,
      });
      expect(signature(fromStore.alerts)).toEqual(signature(fromDataset.alerts));
      // Account events (logins…) were replayed from the store too, not only movements.
      expect(fromStore.events).toBeGreaterThan(0);
      expect(fromStore.events).toBe(fromDataset.events);
      // Rules with per-account candidates replayed only those (the fan rules scan the window since
      // they weigh how many accounts each counterparty deals with).
      const takeoverStats = fromStore.rules.find((r) => r.ruleId === 'fraud.account-takeover');
      expect(takeoverStats?.candidates).toBeDefined();
      // The movement pages and the candidates' reads used up to, and no more than, that many
      // requests at once.
      expect(store.mostAtOnce.get('scanMovements')).toBe(readersAtOnce);
      expect(store.mostAtOnce.get('getMovements')).toBe(readersAtOnce);
    },
    // A scan of the whole bank with every read a turn later: seconds, more on a loaded machine.
    120_000,
  );

  it('batch over the generator’s chunks (bounded memory) equals batch over the dataset in memory', async () => {
    const instances = registry.instantiate();
    const inMemory = detectInDataset(instances, dataset);
    const chunks: number[] = [];
    const streamed = await detectInChunks(instances, generateBank(bank), {
      onChunk: (p) => chunks.push(p.chunks),
    });
    expect(chunks.length).toBeGreaterThan(60);
    expect(streamed.movements).toBe(inMemory.movements);
    expect(streamed.events).toBe(inMemory.events);
    expect(signature(streamed.alerts)).toEqual(signature(inMemory.alerts));
    expect(streamed.groundTruth).toEqual(dataset.groundTruth);
    // Generates the bank a second time, chunk by chunk: seconds here, far more on a loaded machine.
  }, 120_000);
});
