import { MemoryGraphStore } from '@app/graph-store';
import {
  decodeAlertMessage,
  MemoryBroker,
  movementMessage,
  vertexUpsertMessage,
} from '@app/streaming';
import type { Movement } from '@app/vocabulary';
import {
  account,
  EveryThirdDetector,
  movement,
  RecordingLogger,
  streamingConfig,
  until,
} from './ingest.fixtures';
import { DEFAULT_INGEST_OPTIONS } from './ingest.options';
import { IngestWorker } from './ingest.worker';

/** When the source changed the entities of these messages (envelope occurredAt, epoch ms). */
const SOURCE_TIME = Date.UTC(2025, 0, 1);

/** 7 accounts; 84 movements in time order, each account paying every 7th, to the next one. */
const ACCOUNTS = 7;
const MOVEMENTS: Movement[] = Array.from({ length: 84 }, (_, i) =>
  movement(i + 1, (i % ACCOUNTS) + 1, ((i + 1) % ACCOUNTS) + 1, 1_000 + i),
);

interface Outcome {
  graph: unknown;
  alerts: string[];
  writtenPerWorker: number[];
}

/** Runs `workers` ingest workers on one memory broker and graph, publishes the bank, waits. */
async function ingest(
  workers: number,
  subscriptionType: 'Key_Shared' | 'Shared',
): Promise<Outcome> {
  const broker = new MemoryBroker();
  const store = new MemoryGraphStore();
  const config = streamingConfig({ PULSAR_SUBSCRIPTION_TYPE: subscriptionType });
  const running = Array.from(
    { length: workers },
    () =>
      new IngestWorker(
        broker,
        store,
        new EveryThirdDetector(),
        config,
        // Small batches, so that both workers have work in hand at the same time.
        { ...DEFAULT_INGEST_OPTIONS, batchSize: 5, batchWindowMs: 2 },
        new RecordingLogger(),
      ),
  );
  for (const worker of running) await worker.start();
  const written = (): number => running.reduce((sum, w) => sum + w.counters.written, 0);
  await broker.publish(
    'bank.entities',
    Array.from({ length: ACCOUNTS }, (_, i) =>
      vertexUpsertMessage(account(i + 1), { id: `a${i}`, occurredAt: SOURCE_TIME + 1 }),
    ),
  );
  await until(() => written() === ACCOUNTS, 'the accounts');
  const before = running.map((w) => w.counters.written);
  await broker.publish(
    'bank.movements',
    MOVEMENTS.map((m) => movementMessage(m, { id: m.movementId, occurredAt: m.timestamp })),
  );
  await until(() => written() === ACCOUNTS + MOVEMENTS.length, 'the movements');
  for (const worker of running) await worker.stop();
  const alerts = (await broker.readAll('bank.alerts', { idleMs: 0 }))
    .map((m) => decodeAlertMessage(m.payload))
    .map((d) => (d.ok ? d.envelope.payload.alertId : `undecodable: ${d.reason}`))
    .sort();
  const edges = await Promise.all(MOVEMENTS.map((m) => store.getEdge(m.movementId)));
  await broker.close();
  return {
    graph: { counts: await store.counts(), edges },
    alerts,
    writtenPerWorker: running.map((w, i) => w.counters.written - before[i]),
  };
}

describe('several ingest workers on one Key_Shared subscription', () => {
  it('produce the same graph and the same per-account alerts as one worker, sharing the work', async () => {
    const one = await ingest(1, 'Key_Shared');
    const two = await ingest(2, 'Key_Shared');
    expect(two.graph).toEqual(one.graph);
    expect(one.alerts).toHaveLength(MOVEMENTS.length / 3);
    expect(two.alerts).toEqual(one.alerts);
    // Both workers wrote movements.
    expect(two.writtenPerWorker.every((n) => n > 0)).toBe(true);
  });

  it('would not on a Shared subscription: one account is split between workers (why Key_Shared is the default)', async () => {
    const one = await ingest(1, 'Shared');
    const two = await ingest(2, 'Shared');
    expect(two.graph).toEqual(one.graph);
    expect(two.alerts).not.toEqual(one.alerts);
  });
});
