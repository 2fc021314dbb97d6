import { MemoryGraphStore } from '@app/graph-store';
import { generateBankInMemory, InMemoryDataset } from '@app/generators';
import { describeWithJanusGraph, openJanusGraphStore, OpenedJanusGraphStore } from '@app/testing';
import { familyOf } from '@app/vocabulary';
import type { DetectedAlert } from '../core/detector';
import { ALL_DETECTORS } from '../registry/all-detectors';
import { DetectorRegistry } from '../registry/detector.registry';
import { defaultConfig } from '../testing/fixtures';
import { StoreBatchDetection } from './store-scan';

function signature(alerts: readonly DetectedAlert[]): Map<string, string> {
  return new Map(alerts.map((a) => [a.alertId, a.movements.map((m) => m.movementId).join(',')]));
}

async function load(
  store: MemoryGraphStore | OpenedJanusGraphStore['store'],
  dataset: InMemoryDataset,
): Promise<void> {
  await store.upsertVertices(dataset.vertices);
  await store.upsertEdges(dataset.edges);
}

// A scan over a generated bank loaded into a real JanusGraph: candidate selection and paging run
// on the server, and the alerts must be exactly those of the same scan over the memory store.
describeWithJanusGraph('Detector scan on real JanusGraph', (endpoint) => {
  let opened: OpenedJanusGraphStore;
  let dataset: InMemoryDataset;
  const registry = new DetectorRegistry(ALL_DETECTORS, defaultConfig());

  beforeAll(async () => {
    dataset = await generateBankInMemory({
      profile: 'tiny',
      seed: 7,
      referenceTime: '2025-01-01T00:00:00Z',
      days: 60,
    });
    opened = await openJanusGraphStore(endpoint);
    await opened.store.clear();
    await load(opened.store, dataset);
  }, 600000);

  afterAll(async () => {
    await opened.store.clear();
    await opened.close();
  });

  it('finds the injected patterns, with the same alerts as the memory store', async () => {
    const window = {
      from: Date.UTC(2024, 10, 1),
      to: Date.UTC(2025, 0, 1) + 1,
      now: Date.UTC(2025, 0, 1) + 1,
    };
    const memory = new MemoryGraphStore();
    await load(memory, dataset);
    const fromMemory = await new StoreBatchDetection(memory).scan(registry.instantiate(), window);
    const fromJanus = await new StoreBatchDetection(opened.store).scan(
      registry.instantiate(),
      window,
    );

    expect(signature(fromJanus.alerts)).toEqual(signature(fromMemory.alerts));
    // Account events (logins) are replayed from JanusGraph too (HAS_EVENT, page by page).
    expect(fromJanus.events).toBe(fromMemory.events);
    expect(fromJanus.events).toBeGreaterThan(0);
    expect(new Set(fromJanus.alerts.map((a) => a.ruleId)).size).toBeGreaterThanOrEqual(8);

    // Injected (non-decoy) AML and fraud instances whose movements an alert names.
    const flagged = new Set(fromJanus.alerts.flatMap((a) => a.movements.map((m) => m.movementId)));
    const injected = dataset.groundTruth.filter(
      (r) => !r.decoy && familyOf(r.typology) !== 'ownership' && r.movements.length > 0,
    );
    const found = injected.filter((r) => r.movements.some((id) => flagged.has(id)));
    expect(injected.length).toBeGreaterThan(5);
    expect(found.length / injected.length).toBeGreaterThanOrEqual(0.8);
  }, 600000);
});
