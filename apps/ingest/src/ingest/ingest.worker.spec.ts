import type { UpsertResult } from '@app/graph-store';
import {
  decodeAlertMessage,
  edgeUpsertMessage,
  MemoryBroker,
  movementMessage,
  vertexUpsertMessage,
} from '@app/streaming';
import type { OutgoingMessage } from '@app/streaming';
import { FixedClock, GraphUnavailableError } from '@app/vocabulary';
import type { GraphEdge, GraphVertex } from '@app/vocabulary';
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
import { MovementDetector } from './movement-detector';

let ids = 0;
const meta = (occurredAt = 1_735_689_600_000) => ({ id: `m-${(ids += 1)}`, occurredAt });

describe('IngestWorker (memory broker, memory graph)', () => {
  let broker: MemoryBroker;
  let store: FlakyGraphStore;
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
    store = new FlakyGraphStore();
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

  it('holds a batch through a graph outage: no redelivery spent, nothing dead-lettered, written when the store answers', async () => {
    await startWorker({}, { outageRetryInitialMs: 5, outageRetryMaxMs: 20 });
    store.down = true;
    await publishEntities([
      vertexUpsertMessage(account(7), meta()),
      vertexUpsertMessage(account(8), meta()),
    ]);
    await until(() => worker.counters.outageRetries >= 3, 'a few tries during the outage');
    expect(worker.outage).toMatchObject({
      reason: expect.stringContaining(
        'GraphUnavailableError: JanusGraph is not reachable',
      ) as unknown,
      heldMessages: 2,
    });
    expect(worker.counters).toMatchObject({ written: 0, retried: 0, deadLettered: 0 });
    store.down = false;
    await until(() => worker.counters.written === 2, 'the held batch to be written');
    expect(worker.outage).toBeUndefined();
    // Each message was delivered once: nothing was nacked or redelivered.
    expect(worker.counters).toMatchObject({ received: 2, retried: 0, deadLettered: 0 });
    expect(await store.getVertex('account:b1:7')).toEqual(account(7));
    expect(await deadLetters()).toEqual([]);
    const logged = logger.lines.map((l) => JSON.stringify(l.entry));
    expect(logged.some((l) => l.includes('Ingest is paused: 2 message(s) are held'))).toBe(true);
    expect(logged.some((l) => l.includes('takes writes again after'))).toBe(true);
  });

  it('writes no more than INGEST_WRITE_CONCURRENCY batches of a topic while the store is down, and dead-letters none of them', async () => {
    await startWorker(
      { PULSAR_MAX_REDELIVER_COUNT: '0' },
      { batchSize: 1, outageRetryInitialMs: 5, outageRetryMaxMs: 10, writeConcurrency: 2 },
    );
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
    ]);
    await until(() => worker.counters.written === 2, 'the accounts');
    store.down = true;
    await publishMovements([1, 2, 3, 4].map((n) => movementMessage(movement(n, 1, 2), meta())));
    await until(() => worker.counters.outageRetries >= 5, 'the outage to last a while');
    // Two batches are held; the others wait behind them (no redelivery budget: 0 would dead-letter).
    expect(worker.outage?.heldMessages).toBe(2);
    store.down = false;
    await until(() => worker.counters.written === 6, 'every movement');
    expect(worker.counters).toMatchObject({ retried: 0, deadLettered: 0 });
    expect(await deadLetters()).toEqual([]);
  });

  it('with INGEST_WRITE_CONCURRENCY 2 writes entity batches of other keys at once, but a later upsert of the same uid only after the earlier one, so it lands last', async () => {
    // The first vertex write is slow (a busy server); later ones are quick.
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const upsert = store.upsertVertices.bind(store);
    let calls = 0;
    store.upsertVertices = async (batch) => {
      calls += 1;
      if (calls === 1) await slow;
      return upsert(batch);
    };
    await startWorker({}, { batchSize: 1, batchWindowMs: 0, writeConcurrency: 2 });
    const frozen = { ...account(1), props: { ...account(1).props, status: 'closed' as const } };
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
      vertexUpsertMessage(frozen, meta()),
    ]);
    // account 2 (another key) is written beside the slow first write; the second version of
    // account 1 waits for it.
    await until(() => calls >= 2, 'the write of account 2');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(calls).toBe(2);
    release();
    await until(() => worker.counters.written === 3, 'every upsert');
    expect(calls).toBe(3);
    expect((await store.getVertex('account:b1:1'))?.props).toMatchObject({ status: 'closed' });
    expect(await deadLetters()).toEqual([]);
  });

  it('does not lose a movement whose accounts arrive later: without holding it is retried through the broker until they exist', async () => {
    await startWorker({ PULSAR_MAX_REDELIVER_COUNT: '50' }, { holdMissingMs: 0 });
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
    await startWorker(
      { PULSAR_MAX_REDELIVER_COUNT: '2' },
      { missingEntityWaitMs: 0, holdMissingMs: 0 },
    );
    await publishEntities([vertexUpsertMessage(account(1), meta())]);
    await until(() => worker.counters.written === 1, 'the first account');
    await publishMovements([movementMessage(movement(9, 1, 404), meta())]);
    await until(() => worker.counters.deadLettered === 1, 'the dead letter');
    expect(worker.counters.retried).toBe(2);
    const [dead] = await deadLetters();
    expect(dead.key).toBe('account:b1:1');
    expect(dead.properties['dlq-reason']).toMatch(
      /^account "account:b1:404" does not exist after waiting \d+\.\d s \(2 redeliveries\); write the account first, then replay the dead letter$/,
    );
    expect(await store.getEdge('mv:test:9')).toBeUndefined();
  });

  it('writes a movement whose account arrives between the rejected write and the check (the race), not dead-letters it', async () => {
    // No redelivery: the first delivery is the last, so only the check at that time can save it.
    await startWorker({ PULSAR_MAX_REDELIVER_COUNT: '0' });
    await publishEntities([vertexUpsertMessage(account(1), meta())]);
    await until(() => worker.counters.written === 1, 'the first account');
    const getVertices = store.getVertices.bind(store);
    let raced = false;
    jest.spyOn(store, 'getVertices').mockImplementation(async (uids) => {
      if (!raced) {
        // The entities consumer writes the account right after the movement was refused.
        raced = true;
        await store.upsertVertices([account(2)]);
      }
      return getVertices(uids);
    });
    await publishMovements([movementMessage(movement(5, 1, 2), meta())]);
    await until(() => worker.counters.written === 2, 'the movement');
    expect(raced).toBe(true);
    expect(worker.counters).toMatchObject({ deadLettered: 0, retried: 0 });
    expect(await store.getEdge('mv:test:5')).toMatchObject({ to: 'account:b1:2' });
    expect(await deadLetters()).toEqual([]);
  });

  it('lets a movement wait for its account longer than its redeliveries last when INGEST_MISSING_ENTITY_WAIT_MS says so', async () => {
    const clock = new FixedClock(1_750_000_000_000);
    await broker.close();
    broker = new MemoryBroker({ clock });
    worker = new IngestWorker(
      broker,
      store,
      detector,
      streamingConfig({ PULSAR_MAX_REDELIVER_COUNT: '1', PULSAR_NACK_REDELIVERY_DELAY_MS: '1' }),
      {
        ...DEFAULT_INGEST_OPTIONS,
        batchWindowMs: 1,
        missingEntityWaitMs: 60_000,
        holdMissingMs: 0,
      },
      logger,
      undefined,
      clock,
    );
    await worker.start();
    await publishEntities([vertexUpsertMessage(account(1), meta())]);
    await until(() => worker.counters.written === 1, 'the first account');
    await publishMovements([movementMessage(movement(6, 1, 404), meta())]);
    // Redelivered once, then published again (a new budget), again and again: it keeps waiting.
    await until(() => worker.counters.retried >= 6, 'several rounds of waiting');
    expect(await deadLetters()).toEqual([]);
    const copies = await broker.readAll('bank.movements', { idleMs: 0 });
    expect(copies.length).toBeGreaterThanOrEqual(3);
    expect(copies[1].properties['ingest-waiting-since']).toBe(String(clock.now()));
    expect(copies[1].key).toBe('account:b1:1');
    clock.advance(60_000);
    await until(() => worker.counters.deadLettered === 1, 'the dead letter after the wait');
    const [dead] = await deadLetters();
    expect(dead.properties['dlq-reason']).toMatch(
      /^account "account:b1:404" does not exist after waiting 60 s/,
    );
  });

  it('isolates a message that makes the write fail: its neighbours land, it alone is retried and then dead-lettered with the error', async () => {
    await startWorker({ PULSAR_MAX_REDELIVER_COUNT: '1' }, { batchSize: 10, batchWindowMs: 20 });
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
    ]);
    await until(() => worker.counters.written === 2, 'the accounts');
    store.failEdgeWrite = (batch) =>
      batch.some((edge) => edge.eid === 'mv:test:4')
        ? new Error('the server choked on mv:test:4')
        : undefined;
    await publishMovements(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => movementMessage(movement(n, 1, 2), meta())),
    );
    await until(() => worker.counters.deadLettered === 1, 'the poison message to be dead-lettered');
    expect(worker.counters).toMatchObject({ written: 9, retried: 1 });
    expect(worker.counters.batchesSplit).toBeGreaterThanOrEqual(3);
    for (const n of [1, 2, 3, 5, 6, 7, 8])
      expect(await store.getEdge(`mv:test:${n}`)).toBeDefined();
    const [dead] = await deadLetters();
    expect(JSON.parse(dead.payload.toString()) as unknown).toMatchObject({
      payload: { movementId: 'mv:test:4' },
    });
    expect(dead.properties['dlq-reason']).toBe(
      'still failing after 1 redeliveries: the graph write failed: Error: the server choked on mv:test:4',
    );
  });

  it('dead-letters a deeply nested payload with its reason and writes the rest of its batch', async () => {
    await startWorker({}, { batchSize: 10, batchWindowMs: 20 });
    const depth = 50_000;
    const poison = `{"type":"vertex.upsert","version":1,"id":"p","occurredAt":1,"payload":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      { payload: poison, key: 'poison' },
      vertexUpsertMessage(account(2), meta()),
    ]);
    await until(
      () => worker.counters.written === 2 && worker.counters.deadLettered === 1,
      'the batch',
    );
    const [dead] = await deadLetters();
    expect(dead.key).toBe('poison');
    expect(dead.properties['dlq-reason']).toBe(
      'message must not nest objects and arrays deeper than 32 levels',
    );
    expect(worker.counters.retried).toBe(0);
  });

  it('nacks every message of a batch that fails outside the write (a bug), so none stays unsettled', async () => {
    let failures = 1;
    const metrics = new (class extends NoIngestMetrics {
      override batchStarted(): void {
        if (failures > 0) {
          failures -= 1;
          throw new Error('metrics exploded');
        }
      }
    })();
    worker = new IngestWorker(
      broker,
      store,
      detector,
      streamingConfig(),
      { ...DEFAULT_INGEST_OPTIONS, batchWindowMs: 5 },
      logger,
      metrics,
    );
    await worker.start();
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
    ]);
    await until(() => worker.counters.written === 2, 'the redelivered messages');
    expect(worker.counters.retried).toBe(2);
    const error = logger.lines.find((l) => l.level === 'error')?.entry as Record<string, unknown>;
    expect(String(error.msg)).toMatch(
      /^A batch of 2 message\(s\) from the entities topic failed unexpectedly \(metrics exploded\); 2 unsettled message\(s\) are negatively acknowledged/,
    );
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

  it('gives written identifier uses (USES edges) to detection, with their first use', async () => {
    await startWorker({}, { batchWindowMs: 50 });
    const phone: GraphVertex = {
      label: 'Identifier',
      uid: 'phone:+15550100',
      props: { kind: 'phone', value: '+15550100' },
    };
    const uses = (a: number, firstSeen: number): GraphEdge => ({
      label: 'USES',
      eid: `USES:account:b1:${a}>phone:+15550100`,
      from: `account:b1:${a}`,
      to: 'phone:+15550100',
      props: { firstSeen, lastSeen: firstSeen + 1 },
    });
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
      vertexUpsertMessage(phone, meta()),
      edgeUpsertMessage(uses(1, 1_735_689_600_000), meta()),
      edgeUpsertMessage(uses(2, 1_735_689_700_000), meta()),
    ]);
    await until(() => worker.counters.written === 5, 'the uses');
    expect([...detector.identifierUses].sort()).toEqual([
      'account:b1:1>phone:+15550100@1735689600000',
      'account:b1:2>phone:+15550100@1735689700000',
    ]);
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

  it('waits out a store outage that meets detection, then detects the movement before settling it (outside fault review)', async () => {
    let outageCalls = 2;
    const outage: MovementDetector = {
      onMovement: (movement) => {
        if (outageCalls > 0) {
          outageCalls -= 1;
          return Promise.reject(new GraphUnavailableError('circuit breaker open'));
        }
        return detector.onMovement(movement);
      },
      onEvent: () => Promise.resolve([]),
    };
    await startWorker({}, { outageRetryInitialMs: 5, outageRetryMaxMs: 10 }, outage);
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
    ]);
    await publishMovements([movementMessage(movement(1, 1, 2, 5_000_000), meta())]);
    await until(() => worker.counters.alertsPublished === 1, 'the alert after the outage');
    expect(detector.seen).toEqual(['mv:test:1']);
    expect(worker.counters.detectionFailures).toBe(0);
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

  it('stops after the batch in hand, leaving batches not started to be delivered again (nothing lost, nothing twice)', async () => {
    let release: () => void = () => undefined;
    store.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    await startWorker({}, { batchSize: 10, writeConcurrency: 1 });
    await publishEntities(
      Array.from({ length: 50 }, (_unused, i) => vertexUpsertMessage(account(i + 1), meta())),
    );
    // The first batch of 10 is being written (and waits on the slow graph); the rest queue up.
    await until(() => store.vertexWrites === 1, 'the first write');
    const stopped = worker.stop();
    release();
    await stopped;

    expect(worker.counters.written).toBe(10);
    expect(logger.lines.some((l) => String(l.entry).includes('40 message(s)'))).toBe(true);
    // A new worker gets the other 40 again from the broker; each account is written once.
    store.hold = undefined;
    await startWorker();
    await until(() => worker.counters.written === 40, 'the redelivered messages');
    const stored = await store.getVertices(
      Array.from({ length: 50 }, (_unused, i) => account(i + 1).uid),
    );
    expect(stored).toHaveLength(50);
    expect(await deadLetters()).toEqual([]);
  });

  it('writes what was published before its first start: a new subscription starts at the first message, not at the end', async () => {
    await publishEntities([
      vertexUpsertMessage(account(1), meta()),
      vertexUpsertMessage(account(2), meta()),
    ]);
    await publishMovements([movementMessage(movement(1, 1, 2), meta())]);
    await startWorker();
    await until(() => worker.counters.written === 3, 'the messages published before the start');
    expect((await store.getEdge('mv:test:1'))?.props).toMatchObject({ amountMinor: 10_000 });
    expect(await deadLetters()).toEqual([]);
  });

  it('starts anyway, and says what is not read, when it may not create its subscription from the first message', async () => {
    jest
      .spyOn(broker, 'ensureSubscription')
      .mockImplementation((topic) =>
        topic === 'bank.dead-letter'
          ? Promise.resolve()
          : Promise.reject(new Error('Pulsar answered 403 Forbidden')),
      );
    await startWorker();
    expect(worker.isRunning).toBe(true);
    const warnings = logger.lines
      .filter((line) => line.level === 'warn')
      .map((l) => String(l.entry));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(
      'Could not create the subscription "graph-ingest" on persistent://public/default/bank.entities',
    );
    expect(warnings[0]).toContain('403 Forbidden');
    expect(warnings[0]).toContain('messages published before this moment are not read');
    expect(warnings[1]).toContain('bank.movements');
  });

  it('fails to start with the broker error when the broker is down', async () => {
    await broker.close();
    await expect(startWorker()).rejects.toThrow(/closed/);
  });
});
