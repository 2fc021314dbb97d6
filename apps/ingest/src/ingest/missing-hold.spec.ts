import {
  edgeUpsertMessage,
  MemoryBroker,
  movementMessage,
  vertexUpsertMessage,
} from '@app/streaming';
import type { OutgoingMessage } from '@app/streaming';
import { FixedClock } from '@app/vocabulary';
import type { GraphEdge } from '@app/vocabulary';
import {
  account,
  FlakyGraphStore,
  holds,
  movement,
  person,
  RecordingLogger,
  streamingConfig,
  ThresholdDetector,
  until,
} from './ingest.fixtures';
import { NoIngestMetrics } from './ingest.metrics';
import { DEFAULT_INGEST_OPTIONS, IngestOptions } from './ingest.options';
import { IngestWorker } from './ingest.worker';
import { WAITING_SINCE_PROPERTY } from './message-settler';

/** Keeps the held-messages gauge as the worker sets it, per topic. */
class HeldMetrics extends NoIngestMetrics {
  readonly held: string[] = [];
  override heldMessages(topic: string, count: number): void {
    this.held.push(`${topic.split('/').pop() ?? topic}=${count}`);
  }
}

let ids = 0;
const meta = () => ({ id: `h-${(ids += 1)}`, occurredAt: 1_735_689_600_000 });

/**
 * Movements that arrive before their accounts are written wait in the worker (INGEST_HOLD_MISSING_MS)
 * instead of going back through the broker at once. The clock is fixed: a hold only ends when the
 * test advances it, and the pause between tries is long unless a test shortens it, so a held
 * movement is tried again because new entities were written.
 */
describe('IngestWorker holding movements whose accounts are not written yet', () => {
  let clock: FixedClock;
  let broker: MemoryBroker;
  let store: FlakyGraphStore;
  let detector: ThresholdDetector;
  let logger: RecordingLogger;
  let workers: IngestWorker[];
  let metrics: HeldMetrics;

  async function startWorker(
    env: Record<string, string> = {},
    options: Partial<IngestOptions> = {},
  ): Promise<IngestWorker> {
    const worker = new IngestWorker(
      broker,
      store,
      detector,
      streamingConfig(env),
      {
        ...DEFAULT_INGEST_OPTIONS,
        batchWindowMs: 2,
        holdMissingMs: 5_000,
        holdRetryMs: 60_000,
        ...options,
      },
      logger,
      metrics,
      clock,
    );
    workers.push(worker);
    await worker.start();
    return worker;
  }

  const publishEntities = (messages: OutgoingMessage[]) =>
    broker.publish('bank.entities', messages);
  const publishMovements = (messages: OutgoingMessage[]) =>
    broker.publish('bank.movements', messages);
  const deadLetters = () => broker.readAll('bank.dead-letter', { idleMs: 0 });

  beforeEach(() => {
    clock = new FixedClock(1_750_000_000_000);
    broker = new MemoryBroker({ clock });
    store = new FlakyGraphStore();
    detector = new ThresholdDetector(1_000_000);
    logger = new RecordingLogger();
    metrics = new HeldMetrics();
    workers = [];
  });

  afterEach(async () => {
    for (const worker of workers) await worker.stop();
    await broker.close();
  });

  it('writes a movement that arrived before its accounts as soon as they are written, without a nack', async () => {
    const worker = await startWorker();
    await publishEntities([vertexUpsertMessage(account(1), meta())]);
    await until(() => worker.counters.written === 1, 'the first account');
    await publishMovements([movementMessage(movement(1, 1, 2), meta())]);
    await until(() => worker.counters.held === 1, 'the movement to be held');
    expect(await store.getEdge('mv:test:1')).toBeUndefined();
    // The pause between tries is a minute: only the new account makes the worker try again.
    await publishEntities([vertexUpsertMessage(account(2), meta())]);
    await until(() => worker.counters.written === 3, 'the movement');
    expect(await store.getEdge('mv:test:1')).toMatchObject({ to: 'account:b1:2' });
    expect(worker.counters).toMatchObject({
      received: 3,
      retried: 0,
      deadLettered: 0,
      held: 1,
      heldTimedOut: 0,
    });
    expect(detector.seen).toEqual(['mv:test:1']);
    expect(await deadLetters()).toEqual([]);
    // The Prometheus gauge ingest_messages_held followed the holding area.
    expect(metrics.held).toEqual(['bank.movements=1', 'bank.movements=0']);
  });

  it('tries a held movement again only when a batch of entities wrote an account it waits for, not after every batch', async () => {
    const worker = await startWorker();
    await publishEntities([vertexUpsertMessage(account(1), meta())]);
    await until(() => worker.counters.written === 1, 'the first account');
    await publishMovements([movementMessage(movement(1, 1, 2), meta())]);
    await until(() => worker.counters.held === 1, 'the movement to be held');
    for (const n of [5, 6, 7]) {
      await publishEntities([vertexUpsertMessage(account(n), meta())]);
      await until(() => worker.counters.written === n - 3, `account ${n}`);
    }
    // Three batches of entities, none with account 2: the movement was not tried again.
    expect(worker.counters.heldTries).toBe(0);
    await publishEntities([vertexUpsertMessage(account(2), meta())]);
    await until(() => worker.counters.written === 6, 'the movement');
    expect(worker.counters).toMatchObject({ heldTries: 1, retried: 0, heldTimedOut: 0 });
    expect(await store.getEdge('mv:test:1')).toMatchObject({ to: 'account:b1:2' });
  });

  it('tries a held movement whose account was written another way (another worker) after the retry pause', async () => {
    const worker = await startWorker({}, { holdRetryMs: 5 });
    await publishEntities([vertexUpsertMessage(account(1), meta())]);
    await until(() => worker.counters.written === 1, 'the first account');
    await publishMovements([movementMessage(movement(1, 1, 2), meta())]);
    await until(() => worker.counters.held === 1, 'the movement to be held');
    await until(() => worker.counters.heldTries >= 2, 'tries while the account is missing');
    await store.upsertVertices([account(2)]);
    await until(() => worker.counters.written === 2, 'the movement');
    expect(worker.counters).toMatchObject({ retried: 0, heldTimedOut: 0, deadLettered: 0 });
  });

  it('holds no longer than INGEST_HOLD_MISSING_MS, then sends the movement back through the broker as before', async () => {
    const worker = await startWorker(
      { PULSAR_MAX_REDELIVER_COUNT: '0' },
      { holdMissingMs: 1_000, holdRetryMs: 1, missingEntityWaitMs: 0 },
    );
    await publishEntities([vertexUpsertMessage(account(1), meta())]);
    await until(() => worker.counters.written === 1, 'the first account');
    await publishMovements([movementMessage(movement(9, 1, 404), meta())]);
    await until(() => worker.counters.held === 1, 'the movement to be held');
    // Tried again and again while the clock stands still: it stays held, nothing is settled.
    // A try of a held movement whose account is still missing reads the account, writes nothing.
    const reads = jest.spyOn(store, 'getVertices');
    await until(() => reads.mock.calls.length >= 3, 'a few more tries');
    expect(worker.counters).toMatchObject({ retried: 0, deadLettered: 0, heldTimedOut: 0 });
    clock.advance(1_000);
    await until(() => worker.counters.deadLettered === 1, 'the dead letter');
    expect(worker.counters.heldTimedOut).toBe(1);
    const [dead] = await deadLetters();
    expect(dead.properties['dlq-reason']).toMatch(
      /^account "account:b1:404" does not exist after waiting 1\.0 s \(0 redeliveries\)/,
    );
  });

  it('holds past INGEST_HOLD_MISSING_MS while batches of entities keep being written, and sends the movement back that long after the last one', async () => {
    const worker = await startWorker(
      { PULSAR_MAX_REDELIVER_COUNT: '0' },
      { holdMissingMs: 1_000, holdRetryMs: 1, missingEntityWaitMs: 60_000 },
    );
    await publishEntities([vertexUpsertMessage(account(1), meta())]);
    await until(() => worker.counters.written === 1, 'the first account');
    await publishMovements([movementMessage(movement(9, 1, 404), meta())]);
    await until(() => worker.counters.held === 1, 'the movement to be held');
    const reads = jest.spyOn(store, 'getVertices');
    // 2.4 s of holding, more than INGEST_HOLD_MISSING_MS, but a batch of entities every 0.8 s.
    for (const n of [5, 6, 7]) {
      clock.advance(800);
      await publishEntities([vertexUpsertMessage(account(n), meta())]);
      await until(() => worker.counters.written === n - 3, `account ${n}`);
      const tries = reads.mock.calls.length;
      await until(() => reads.mock.calls.length >= tries + 3, 'more tries');
    }
    expect(worker.counters).toMatchObject({ heldTimedOut: 0, retried: 0, deadLettered: 0 });
    expect(metrics.held.at(-1)).toBe('bank.movements=1');
    // No batch of entities for INGEST_HOLD_MISSING_MS: the broker path takes over.
    clock.advance(1_000);
    await until(() => worker.counters.heldTimedOut === 1, 'the end of the hold');
  });

  it('holds past INGEST_HOLD_MISSING_MS while a batch of entities is being written (a slow store)', async () => {
    const worker = await startWorker(
      { PULSAR_MAX_REDELIVER_COUNT: '0' },
      { holdMissingMs: 1_000, holdRetryMs: 1, missingEntityWaitMs: 60_000 },
    );
    await publishEntities([vertexUpsertMessage(account(1), meta())]);
    await until(() => worker.counters.written === 1, 'the first account');
    await publishMovements([movementMessage(movement(9, 1, 2), meta())]);
    await until(() => worker.counters.held === 1, 'the movement to be held');
    let release: () => void = () => undefined;
    store.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    await publishEntities([vertexUpsertMessage(account(2), meta())]);
    await until(() => store.vertexWrites === 2, 'the slow write of account 2 to start');
    const reads = jest.spyOn(store, 'getVertices');
    clock.advance(3_000);
    await until(() => reads.mock.calls.length >= 3, 'tries while account 2 is being written');
    expect(worker.counters).toMatchObject({ heldTimedOut: 0, retried: 0, deadLettered: 0 });
    store.hold = undefined;
    release();
    await until(() => worker.counters.written === 3, 'account 2 and the movement');
    expect(worker.counters).toMatchObject({ heldTimedOut: 0, retried: 0, deadLettered: 0 });
    expect(await store.getEdge('mv:test:9')).toMatchObject({ to: 'account:b1:2' });
  });

  it('holds no longer than INGEST_MISSING_ENTITY_WAIT_MS, even while batches of entities keep being written', async () => {
    const worker = await startWorker(
      { PULSAR_MAX_REDELIVER_COUNT: '0' },
      { holdMissingMs: 1_000, holdRetryMs: 1, missingEntityWaitMs: 2_000 },
    );
    await publishEntities([vertexUpsertMessage(account(1), meta())]);
    await until(() => worker.counters.written === 1, 'the first account');
    await publishMovements([movementMessage(movement(9, 1, 404), meta())]);
    await until(() => worker.counters.held === 1, 'the movement to be held');
    for (const n of [5, 6]) {
      clock.advance(800);
      await publishEntities([vertexUpsertMessage(account(n), meta())]);
      await until(() => worker.counters.written === n - 3, `account ${n}`);
    }
    expect(worker.counters.heldTimedOut).toBe(0);
    // 2.4 s held: past INGEST_MISSING_ENTITY_WAIT_MS, so it is dead-lettered (no redeliveries).
    clock.advance(800);
    await publishEntities([vertexUpsertMessage(account(7), meta())]);
    await until(() => worker.counters.deadLettered === 1, 'the dead letter');
    expect(worker.counters.heldTimedOut).toBe(1);
    const [dead] = await deadLetters();
    expect(dead.properties['dlq-reason']).toMatch(
      /^account "account:b1:404" does not exist after waiting 2\.4 s \(0 redeliveries\)/,
    );
  });

  it('counts INGEST_MISSING_ENTITY_WAIT_MS from the first publish, so a movement that waited before is not held that long again', async () => {
    const worker = await startWorker(
      { PULSAR_MAX_REDELIVER_COUNT: '0' },
      { holdMissingMs: 1_000, holdRetryMs: 1, missingEntityWaitMs: 2_000 },
    );
    const t0 = clock.now();
    await publishEntities([vertexUpsertMessage(account(1), meta())]);
    await until(() => worker.counters.written === 1, 'the first account');
    clock.advance(3_000);
    // Published again by a worker 2.5 s after it was first published.
    const again = movementMessage(movement(9, 1, 404), meta());
    await publishMovements([
      { ...again, properties: { ...again.properties, [WAITING_SINCE_PROPERTY]: String(t0 + 500) } },
    ]);
    await until(() => worker.counters.held === 1, 'the movement to be held');
    clock.advance(800);
    await publishEntities([vertexUpsertMessage(account(5), meta())]);
    await until(() => worker.counters.written === 2, 'account 5');
    expect(worker.counters.heldTimedOut).toBe(0);
    // 4.6 s after its first publish, held 1.6 s, entities still coming: the wait is over.
    clock.advance(800);
    await publishEntities([vertexUpsertMessage(account(6), meta())]);
    await until(() => worker.counters.deadLettered === 1, 'the dead letter');
    expect(worker.counters.heldTimedOut).toBe(1);
    const [dead] = await deadLetters();
    expect(dead.properties['dlq-reason']).toMatch(
      /^account "account:b1:404" does not exist after waiting 4\.1 s \(0 redeliveries\)/,
    );
  });

  it('holds no more than INGEST_HOLD_MAX_MESSAGES at once: the others are nacked at once', async () => {
    const worker = await startWorker(
      { PULSAR_MAX_REDELIVER_COUNT: '100', PULSAR_NACK_REDELIVERY_DELAY_MS: '50' },
      { holdMaxMessages: 1, batchSize: 10 },
    );
    await publishMovements([1, 2, 3].map((n) => movementMessage(movement(n, 1, 2), meta())));
    await until(() => worker.counters.retried >= 2, 'the two that do not fit to be nacked');
    // The clock stands still and no account came: the one held has not left the holding area.
    expect(worker.counters.held).toBe(1);
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
    ]);
    await until(() => worker.counters.written === 5, 'the accounts and the three movements');
    expect(await store.getEdge('mv:test:3')).toBeDefined();
    expect(worker.counters.deadLettered).toBe(0);
    expect(await deadLetters()).toEqual([]);
  });

  it('holds entity edges only up to the receive queue minus one batch, so the vertices they wait for can still arrive', async () => {
    const worker = await startWorker(
      {
        PULSAR_RECEIVE_QUEUE_SIZE: '4',
        PULSAR_MAX_REDELIVER_COUNT: '100',
        PULSAR_NACK_REDELIVERY_DELAY_MS: '50',
      },
      { batchSize: 3, holdMaxMessages: 1000 },
    );
    // Three edges whose person is not written: one place is left for them (4 - 3).
    await publishEntities([1, 2, 3].map((n) => edgeUpsertMessage(holds(n, n), meta())));
    await until(() => worker.counters.retried >= 2, 'the two that do not fit to be nacked');
    expect(worker.counters.held).toBe(1);
    // Movements wait for the other topic: they may fill their whole receive queue.
    await publishMovements([1, 2, 3, 4].map((n) => movementMessage(movement(n, 1, 2), meta())));
    await until(() => worker.counters.held === 5, 'the four movements to be held');
    await publishEntities([
      ...[1, 2, 3].map((n) => vertexUpsertMessage(person(n), meta())),
      ...[1, 2, 3].map((n) => vertexUpsertMessage(account(n), meta())),
    ]);
    await until(() => worker.counters.written === 13, 'every vertex, edge and movement');
    expect(worker.counters.deadLettered).toBe(0);
    expect(await deadLetters()).toEqual([]);
  });

  it('does not write a held older version of an entity edge over a newer one that landed first (occurredAt decides)', async () => {
    const worker = await startWorker();
    const older = { id: 'h-older', occurredAt: 1_735_689_600_000 };
    const newer = { id: 'h-newer', occurredAt: 1_735_689_600_000 + 60_000 };
    const signatory: GraphEdge = {
      ...holds(1, 1),
      label: 'HOLDS',
      props: { role: 'signatory' },
    };
    // The first version waits for its person and account.
    await publishEntities([edgeUpsertMessage(holds(1, 1), older)]);
    await until(() => worker.counters.held === 1, 'the first version to be held');
    // They come in one batch with the second version, which lands with them, before the
    // held first version is tried again.
    await publishEntities([
      vertexUpsertMessage(person(1), meta()),
      vertexUpsertMessage(account(1), meta()),
      edgeUpsertMessage(signatory, newer),
    ]);
    await until(() => worker.counters.written + worker.counters.superseded === 4, 'both versions');
    expect(await store.getEdge(holds(1, 1).eid)).toEqual(signatory);
    expect(worker.counters).toMatchObject({
      written: 3,
      superseded: 1,
      retried: 0,
      deadLettered: 0,
    });
    expect(await deadLetters()).toEqual([]);
  });

  it('leaves held movements unacknowledged on stop; the next worker writes them once their accounts come', async () => {
    const first = await startWorker();
    await publishMovements([
      movementMessage(movement(1, 1, 2), meta()),
      movementMessage(movement(2, 2, 1), meta()),
    ]);
    await until(() => first.counters.held === 2, 'both movements to be held');
    await first.stop();
    expect(first.counters).toMatchObject({ written: 0, retried: 0, deadLettered: 0 });
    const said = logger.lines.map((l) => JSON.stringify(l.entry));
    expect(said.some((l) => l.includes('2 message(s) held for a missing account'))).toBe(true);

    const second = await startWorker();
    // The broker delivers both again to the new worker, which holds them until the accounts come.
    await until(() => second.counters.held === 2, 'both movements held by the second worker');
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
    ]);
    await until(() => second.counters.written === 4, 'the accounts and both movements');
    expect(await store.getEdge('mv:test:1')).toBeDefined();
    expect(await store.getEdge('mv:test:2')).toBeDefined();
    expect(second.counters).toMatchObject({ received: 4, retried: 0, deadLettered: 0 });
    expect([...detector.seen].sort()).toEqual(['mv:test:1', 'mv:test:2']);
    expect(await deadLetters()).toEqual([]);
  });

  it('keeps movements held through a graph outage: the outage does not count against the hold', async () => {
    const worker = await startWorker(
      { PULSAR_MAX_REDELIVER_COUNT: '0' },
      {
        holdMissingMs: 1_000,
        holdRetryMs: 1,
        outageRetryInitialMs: 1,
        outageRetryMaxMs: 2,
        missingEntityWaitMs: 0,
      },
    );
    await publishMovements([movementMessage(movement(4, 1, 2), meta())]);
    await until(() => worker.counters.held === 1, 'the movement to be held');
    store.down = true;
    await until(() => worker.counters.outageRetries >= 2, 'the outage');
    clock.advance(5_000);
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
    ]);
    store.down = false;
    await until(() => worker.counters.written === 3, 'the accounts and the movement');
    expect(worker.counters).toMatchObject({ retried: 0, deadLettered: 0, heldTimedOut: 0 });
    expect(await deadLetters()).toEqual([]);
  });
});
