import { MemoryGraphStore } from '@app/graph-store';
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

  it('batch over the graph store (paged scans, pushed-down candidates) equals batch over the dataset', async () => {
    const store = new MemoryGraphStore();
    await store.upsertVertices(dataset.vertices);
    for (let i = 0; i < dataset.edges.length; i += 5000)
      await store.upsertEdges(dataset.edges.slice(i, i + 5000));
    const window = timeRange(dataset);
    const instances = registry.instantiate();
    const fromDataset = detectInDataset(instances, dataset, { window, now: window.to });
    const fromStore = await new StoreBatchDetection(store).scan(instances, {
      ...window,
      now: window.to,
      pageSize: 997,
      chunkSize: 7,
    });
    expect(signature(fromStore.alerts)).toEqual(signature(fromDataset.alerts));
    // Account events (logins…) were replayed from the store too, not only movements.
    expect(fromStore.events).toBeGreaterThan(0);
    expect(fromStore.events).toBe(fromDataset.events);
    // Rules with per-account candidates replayed only those (the fan rules scan the window since
    // they weigh how many accounts each counterparty deals with).
    const takeoverStats = fromStore.rules.find((r) => r.ruleId === 'fraud.account-takeover');
    expect(takeoverStats?.candidates).toBeDefined();
  });

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
