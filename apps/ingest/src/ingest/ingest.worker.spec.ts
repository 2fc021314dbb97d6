import { MemoryGraphStore } from '@app/graph-store';
import type { UpsertResult } from '@app/graph-store';
import {
  decodeAlertMessage,
  edgeUpsertMessage,
  MemoryBroker,
  movementMessage,
  vertexUpsertMessage,
} from '@app/streaming';
import type { OutgoingMessage } from '@app/streaming';
import { GraphUnavailableError } from '@app/vocabulary';
import type { GraphEdge, GraphVertex } from '@app/vocabulary';
import {
  account,
  holds,
  movement,
  person,
  RecordingLogger,
  streamingConfig,
  ThresholdDetector,
  until,
} from './ingest.fixtures';
import { DEFAULT_INGEST_OPTIONS, IngestOptions } from './ingest.options';
import { IngestWorker } from './ingest.worker';
import { MovementDetector } from './movement-detector';

let ids = 0;
const meta = (occurredAt = 1_735_689_600_000) => ({ id: `m-${(ids += 1)}`, occurredAt });

describe('IngestWorker (memory broker, memory graph)', () => {
  let broker: MemoryBroker;
  let store: MemoryGraphStore;
  let detector: ThresholdDetector;
  let logger: RecordingLogger;
  let worker: IngestWorker;

  function startWorker(
    env: Record<string, string> = {},
    options: Partial<IngestOptions> = {},
    withDetector: MovementDetector = detector,
  ): Promise<void> {
    worker = new IngestWorker(
      broker,
      store,
      withDetector,
      streamingConfig(env),
      { ...DEFAULT_INGEST_OPTIONS, batchWindowMs: 5, ...options },
      logger,
    );
    return worker.start();
  }

  const publishEntities = (messages: OutgoingMessage[]) =>
    broker.publish('bank.entities', messages);
  const publishMovements = (messages: OutgoingMessage[]) =>
    broker.publish('bank.movements', messages);
  const deadLetters = () => broker.readAll('bank.dead-letter', { idleMs: 0 });

  beforeEach(() => {
    broker = new MemoryBroker();
    store = new MemoryGraphStore();
    detector = new ThresholdDetector(1_000_000);
    logger = new RecordingLogger();
  });

  afterEach(async () => {
    await worker.stop();
    await broker.close();
  });

  it('writes entities and movements into the graph and acknowledges them', async () => {
    await startWorker();
    await publishEntities([
      vertexUpsertMessage(person(1), meta()),
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
      edgeUpsertMessage(holds(1, 1), meta()),
    ]);
    await until(() => worker.counters.written === 4, 'the entities');
    await publishMovements([movementMessage(movement(1, 1, 2), meta())]);
    await until(() => worker.counters.written === 5, 'the movement');
    expect(await store.getVertex('account:b1:2')).toEqual(account(2));
    expect(await store.getEdge('HOLDS:person:test:1>account:b1:1')).toEqual(holds(1, 1));
    expect((await store.getEdge('mv:test:1'))?.props).toMatchObject({ amountMinor: 10_000 });
    expect(worker.counters).toMatchObject({ received: 5, written: 5, deadLettered: 0, retried: 0 });
    expect(await deadLetters()).toEqual([]);
  });

  it('is idempotent: the same messages delivered again change nothing and are acknowledged', async () => {
    await startWorker();
    const entities = [
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
    ];
    await publishEntities(entities);
    await until(() => worker.counters.written === 2, 'the accounts');
    await publishMovements([movementMessage(movement(1, 1, 2), meta())]);
    await until(() => worker.counters.written === 3, 'the movement');
    const before = await store.counts();
    const upserts = jest.spyOn(store, 'upsertEdges');
    await publishEntities(entities);
    await publishMovements([movementMessage(movement(1, 1, 2), meta())]);
    await until(() => worker.counters.written === 6, 'the redelivered copies');
    expect(await store.counts()).toEqual(before);
    const results = await Promise.all(
      upserts.mock.results.map((r) => r.value as Promise<UpsertResult>),
    );
    expect(results).toEqual([{ created: 0, updated: 0, unchanged: 1 }]);
    // Detection saw the movement once.
    expect(detector.seen).toEqual(['mv:test:1']);
    expect(await deadLetters()).toEqual([]);
  });

  it('keeps the last version when one batch holds two versions of a vertex', async () => {
    await startWorker({}, { batchWindowMs: 50 });
    const renamed: GraphVertex = { ...person(1), props: { ...person(1).props, name: 'Renamed' } };
    await publishEntities([
      vertexUpsertMessage(person(1), meta()),
      vertexUpsertMessage(renamed, meta()),
    ]);
    await until(() => worker.counters.written === 2, 'both messages');
    expect(await store.getVertex('person:test:1')).toEqual(renamed);
  });

  it('dead-letters an invalid message at once with the field and rule, and writes the rest', async () => {
    await startWorker();
    const bad = vertexUpsertMessage(
      { ...account(1), props: { ...account(1).props, currency: 'euro' } },
      meta(),
    );
    await publishEntities([
      bad,
      vertexUpsertMessage(account(2), meta()),
      { payload: 'not json', key: 'x' },
    ]);
    await until(
      () => worker.counters.deadLettered === 2 && worker.counters.written === 1,
      'the batch',
    );
    const dead = await deadLetters();
    expect(dead.map((m) => m.properties['dlq-reason'])).toEqual([
      'payload.props.currency must be a three-letter ISO 4217 currency code in capitals',
      'message must be JSON (a UTF-8 envelope object)',
    ]);
    expect(dead[0].payload.toString()).toBe(bad.payload);
    expect(dead[0].properties).toMatchObject({
      type: 'vertex.upsert',
      REAL_TOPIC: 'persistent://public/default/bank.entities',
    });
    expect(worker.counters.retried).toBe(0);
    expect(await store.getVertex('account:b1:2')).toEqual(account(2));
    // Logged with the message id as correlation id.
    const warning = logger.lines.find((l) => l.level === 'warn')?.entry as Record<string, unknown>;
    expect(warning).toMatchObject({ correlationId: dead[0].properties.ORIGIN_MESSAGE_ID });
  });

  it('dead-letters an edge the graph refuses for good (wrong end labels) with the store reason', async () => {
    await startWorker();
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
    ]);
    await until(() => worker.counters.written === 2, 'the accounts');
    // HOLDS must start at a Person or Company.
    await publishEntities([
      edgeUpsertMessage({ ...holds(1, 2), eid: 'HOLDS:x', from: 'account:b1:1' }, meta()),
    ]);
    await until(() => worker.counters.deadLettered === 1, 'the refused edge');
    const [dead] = await deadLetters();
    expect(dead.properties['dlq-reason']).toMatch(
      /^from must be a Person or Company for a HOLDS edge/,
    );
    expect(worker.counters.retried).toBe(0);
  });

  it('retries after a transient graph failure and then writes the message', async () => {
    await startWorker();
    const upsert = store.upsertVertices.bind(store);
    let failures = 1;
    jest.spyOn(store, 'upsertVertices').mockImplementation((batch) => {
      if (failures > 0) {
        failures -= 1;
        return Promise.reject(new GraphUnavailableError('JanusGraph does not answer'));
      }
      return upsert(batch);
    });
    await publishEntities([vertexUpsertMessage(account(7), meta())]);
    await until(() => worker.counters.written === 1, 'the retried write');
    expect(worker.counters).toMatchObject({ retried: 1, written: 1, deadLettered: 0 });
    expect(await store.getVertex('account:b1:7')).toEqual(account(7));
    const retry = logger.lines.find((l) => l.level === 'warn')?.entry as Record<string, unknown>;
    expect(String(retry.msg)).toMatch(
      /will retry: graph write failed: GraphUnavailableError: JanusGraph does not answer/,
    );
  });

  it('does not lose a movement whose accounts arrive later: it is retried until they exist', async () => {
    await startWorker({ PULSAR_MAX_REDELIVER_COUNT: '50' });
    await publishMovements([movementMessage(movement(1, 1, 2), meta())]);
    await until(() => worker.counters.retried >= 2, 'a couple of retries');
    expect(await store.getEdge('mv:test:1')).toBeUndefined();
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
    ]);
    await until(() => worker.counters.written === 3, 'the movement to land');
    expect(await store.getEdge('mv:test:1')).toMatchObject({
      from: 'account:b1:1',
      to: 'account:b1:2',
    });
    expect(await deadLetters()).toEqual([]);
  });

  it('dead-letters a movement whose accounts never arrive after the last redelivery, with the reason', async () => {
    await startWorker({ PULSAR_MAX_REDELIVER_COUNT: '2' });
    await publishEntities([vertexUpsertMessage(account(1), meta())]);
    await until(() => worker.counters.written === 1, 'the first account');
    await publishMovements([movementMessage(movement(9, 1, 404), meta())]);
    await until(() => worker.counters.deadLettered === 1, 'the dead letter');
    expect(worker.counters.retried).toBe(2);
    const [dead] = await deadLetters();
    expect(dead.key).toBe('account:b1:1');
    expect(dead.properties['dlq-reason']).toBe(
      'still failing after 2 redeliveries: to vertex "account:b1:404" does not exist; upsert vertices before the edges that connect them',
    );
    expect(await store.getEdge('mv:test:9')).toBeUndefined();
  });

  it('feeds written movements to detection in time order and publishes the alerts', async () => {
    await startWorker({}, { batchWindowMs: 50 });
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
    ]);
    await until(() => worker.counters.written === 2, 'the accounts');
    await publishMovements([
      movementMessage(movement(3, 1, 2, 5_000_000), meta()),
      movementMessage(movement(2, 2, 1, 10), meta()),
    ]);
    await until(() => worker.counters.alertsPublished === 1, 'the alert');
    expect(detector.seen).toEqual(['mv:test:2', 'mv:test:3']);
    const [alert] = await broker.readAll('bank.alerts', { idleMs: 0 });
    expect(alert.key).toBe('account:b1:1');
    const decoded = decodeAlertMessage(alert.payload);
    expect(decoded.ok && decoded.envelope.payload).toMatchObject({
      alertId: 'alert:test.big:mv:test:3',
      movementIds: ['mv:test:3'],
    });
  });

  it('feeds written account events (HAS_EVENT) to detection in time order, once each', async () => {
    await startWorker({}, { batchWindowMs: 50 });
    const login = (n: number, minute: number): GraphVertex => ({
      label: 'Event',
      uid: `event:test:${n}`,
      props: { kind: 'login', timestamp: 1_735_689_600_000 + minute * 60_000 },
    });
    const hasEvent = (a: number, n: number): GraphEdge => ({
      label: 'HAS_EVENT',
      eid: `HAS_EVENT:account:b1:${a}>event:test:${n}`,
      from: `account:b1:${a}`,
      to: `event:test:${n}`,
      props: {},
    });
    const entities = [
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
      vertexUpsertMessage(login(1, 30), meta()),
      vertexUpsertMessage(login(2, 10), meta()),
      edgeUpsertMessage(hasEvent(1, 1), meta()),
      edgeUpsertMessage(hasEvent(2, 2), meta()),
    ];
    await publishEntities(entities);
    await until(() => worker.counters.written === 6, 'the events');
    // Delivered again: written (unchanged) and acknowledged, not detected twice.
    await publishEntities(entities.slice(4));
    await until(() => worker.counters.written === 8, 'the redelivered edges');
    expect(detector.events).toEqual(['account:b1:2>event:test:2', 'account:b1:1>event:test:1']);
  });

  it('acknowledges a written movement even when detection fails, and says so', async () => {
    const failing: MovementDetector = {
      onMovement: () => Promise.reject(new Error('rules crashed')),
      onEvent: () => Promise.resolve([]),
    };
    await startWorker({}, {}, failing);
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
    ]);
    await publishMovements([movementMessage(movement(1, 1, 2), meta())]);
    await until(() => worker.counters.written === 3, 'the writes');
    expect(worker.counters.detectionFailures).toBe(1);
    const error = logger.lines.find((l) => l.level === 'error')?.entry as Record<string, unknown>;
    expect(error).toMatchObject({ error: 'rules crashed' });
    expect(await deadLetters()).toEqual([]);
  });

  it('shuts down gracefully: stops taking messages, writes and acknowledges the batch in hand', async () => {
    await startWorker({}, { batchSize: 100, batchWindowMs: 60_000 });
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
    ]);
    // The batch window is a minute: only stop() can flush it.
    await new Promise((resolve) => setImmediate(resolve));
    expect(worker.counters.written).toBe(0);
    await worker.stop();
    expect(worker.counters.written).toBe(2);
    expect(worker.isRunning).toBe(false);
    expect(await store.getVertex('account:b1:2')).toEqual(account(2));
    // After the stop nothing is consumed; a new worker finds nothing to redeliver but new messages.
    await publishEntities([vertexUpsertMessage(account(3), meta())]);
    expect(await store.getVertex('account:b1:3')).toBeUndefined();
    await startWorker();
    await until(() => worker.counters.written === 1, 'the new message');
    expect(worker.counters.received).toBe(1);
  });

  it('fails to start with the broker error when the broker is down', async () => {
    await broker.close();
    await expect(startWorker()).rejects.toThrow(/closed/);
  });
});
