import {
  AlertRepository,
  ALL_DETECTORS,
  detectInDataset,
  DetectorRegistry,
  GraphAlertStatusHistory,
  StoreBatchDetection,
  StreamDetectionService,
} from '@app/detectors';
import { MemoryGraphStore } from '@app/graph-store';
import { loadAllSettings } from '@app/settings';
import {
  decodeAlertMessage,
  edgeUpsertMessage,
  MemoryBroker,
  movementMessage,
  vertexUpsertMessage,
} from '@app/streaming';
import type { StreamAlert } from '@app/streaming';
import { FixedClock, movementEdge } from '@app/vocabulary';
import { RecordingLogger, streamingConfig, until } from './ingest.fixtures';
import { DEFAULT_INGEST_OPTIONS } from './ingest.options';
import { IngestWorker } from './ingest.worker';
import { loginScenario, STUFFED_IP } from './login-scenario.fixtures';
import { DetectorsMovementDetector } from './movement-detector';

/** alert id -> fingerprint and evidence movements: what the three modes must agree on. */
type Signature = Map<string, string>;

function signature(
  alerts: readonly { alertId: string; fingerprint: string; movementIds: readonly string[] }[],
): Signature {
  return new Map(
    alerts.map((a) => [a.alertId, `${a.fingerprint} | ${a.movementIds.join(',')}`] as const),
  );
}

// One hand-made scenario (logins only account events reveal) through the three modes: batch
// over the dataset in memory, the store scan behind POST /api/v1/alerts/scan, and the ingest
// worker with stream detection. They must raise the same alerts.
describe('login-based fraud is found alike in batch, store scan and ingest', () => {
  const scenario = loginScenario();
  const registry = new DetectorRegistry(ALL_DETECTORS, loadAllSettings({}).detectors);
  const instances = () => registry.instantiate();

  const batch = () => {
    const dataset = {
      vertices: scenario.vertices,
      edges: [...scenario.entityEdges, ...scenario.movements.map(movementEdge)],
    };
    const result = detectInDataset(instances(), dataset, {
      window: scenario.window,
      now: scenario.window.to,
    });
    return result.alerts.map((a) => ({ ...a, movementIds: a.movements.map((m) => m.movementId) }));
  };

  it('batch over the dataset finds the IP shared by 11 accounts and both impossible journeys', () => {
    const alerts = batch();
    const byRule = (id: string) => alerts.filter((a) => a.ruleId === id);
    expect(byRule('fraud.card-velocity').map((a) => a.subject)).toEqual([STUFFED_IP]);
    expect(byRule('fraud.card-velocity')[0].facts).toMatchObject({ distinct: 11 });
    expect(
      byRule('fraud.impossible-travel')
        .map((a) => a.subject)
        .sort(),
    ).toEqual(['account:scenario:1', 'account:scenario:12']);
    const card = byRule('fraud.impossible-travel').find((a) => a.subject === 'account:scenario:12');
    expect(card?.movementIds).toEqual(['mv:scenario:card-la']);
    expect(card?.events?.map((e) => e.eventId)).toEqual(['event:scenario:travel-12']);
  });

  it('the store scan (API) raises the same alerts, events counted', async () => {
    const store = new MemoryGraphStore();
    await store.upsertVertices(scenario.vertices);
    await store.upsertEdges([...scenario.entityEdges, ...scenario.movements.map(movementEdge)]);
    const result = await new StoreBatchDetection(store).scan(instances(), {
      ...scenario.window,
      now: scenario.window.to,
      // Small pages and chunks: the events must still merge in time order.
      chunkSize: 5,
      pageSize: 1,
    });
    expect(result.events).toBe(13);
    expect(result.movements).toBe(1);
    const fromStore = result.alerts.map((a) => ({
      ...a,
      movementIds: a.movements.map((m) => m.movementId),
    }));
    expect(signature(fromStore)).toEqual(signature(batch()));
  });

  it('the ingest worker (memory broker and store) publishes the same alerts', async () => {
    const broker = new MemoryBroker();
    const store = new MemoryGraphStore();
    const detection = new StreamDetectionService(
      registry,
      store,
      new AlertRepository(
        store,
        new GraphAlertStatusHistory(store),
        new FixedClock(scenario.window.to),
      ),
    );
    const worker = new IngestWorker(
      broker,
      store,
      new DetectorsMovementDetector(detection),
      streamingConfig(),
      { ...DEFAULT_INGEST_OPTIONS, batchSize: 7, batchWindowMs: 5 },
      new RecordingLogger(),
    );
    await worker.start();
    try {
      let n = 0;
      const meta = () => ({ id: `scenario-${(n += 1)}`, occurredAt: scenario.window.from });
      const entities = [
        ...scenario.vertices.map((v) => vertexUpsertMessage(v, meta())),
        ...scenario.entityEdges.map((e) => edgeUpsertMessage(e, meta())),
      ];
      await broker.publish('bank.entities', entities);
      await until(() => worker.counters.written === entities.length, 'the entities');
      await broker.publish(
        'bank.movements',
        scenario.movements.map((m) => movementMessage(m, meta())),
      );
      const total = entities.length + scenario.movements.length;
      await until(() => worker.counters.written === total, 'the movements');
      expect(worker.counters).toMatchObject({ deadLettered: 0, detectionFailures: 0 });

      // A growing alert is published again under the same id: keep its latest version.
      const published = new Map<string, StreamAlert>();
      for (const message of await broker.readAll('bank.alerts', { idleMs: 0 })) {
        const decoded = decodeAlertMessage(message.payload);
        if (decoded.ok) published.set(decoded.envelope.payload.alertId, decoded.envelope.payload);
      }
      expect(signature([...published.values()])).toEqual(signature(batch()));
    } finally {
      await worker.stop();
      await broker.close();
    }
  });
});
