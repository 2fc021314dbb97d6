import type { GraphStore } from '@app/graph-store';
import {
  decodeAlertMessage,
  movementMessage,
  PulsarWebSocketBroker,
  vertexUpsertMessage,
} from '@app/streaming';
import type { PulsarEndpoint } from '@app/testing';
import { describeWithJanusGraph, describeWithPulsar, openJanusGraphStore } from '@app/testing';
import type { AccountVertex, Movement } from '@app/vocabulary';
import { replayDeadLetters } from '../replay/dlq-replayer';
import {
  EveryThirdDetector,
  FlakyGraphStore,
  RecordingLogger,
  streamingConfig,
  ThresholdDetector,
  until,
} from './ingest.fixtures';
import { DEFAULT_INGEST_OPTIONS, DLQ_REPLAY_SUBSCRIPTION } from './ingest.options';
import { IngestWorker } from './ingest.worker';

/** When the source changed the entities of these messages (envelope occurredAt, epoch ms). */
const SOURCE_TIME = Date.UTC(2025, 0, 1);

jest.setTimeout(120_000);

const RUN = `${Date.now().toString(36)}-${process.pid}`;

/** Topics, subscription and ids of one scenario, unique per run (a long-lived Pulsar is fine). */
function scenario(tag: string) {
  const name = `it-${RUN}-${tag}`;
  return {
    env: {
      PULSAR_TOPIC_ENTITIES: `${name}-entities`,
      PULSAR_TOPIC_MOVEMENTS: `${name}-movements`,
      PULSAR_TOPIC_ALERTS: `${name}-alerts`,
      PULSAR_DEAD_LETTER_TOPIC: `${name}-dlq`,
      PULSAR_SUBSCRIPTION: `${name}-ingest`,
    },
    account(n: number): AccountVertex {
      return {
        label: 'Account',
        uid: `account:${name}:${n}`,
        props: {
          accountType: 'personal',
          currency: 'EUR',
          openedAt: 1_600_000_000_000,
          status: 'active',
          bankId: 'b1',
          country: 'DE',
        },
      };
    },
    movement(n: number, from: number, to: number, amountMinor = 10_000): Movement {
      return {
        movementId: `mv:${name}:${n}`,
        fromAccount: `account:${name}:${from}`,
        toAccount: `account:${name}:${to}`,
        amountMinor,
        currency: 'EUR',
        timestamp: 1_735_689_600_000 + n * 60_000,
        channel: 'wire',
      };
    },
    /** An id with this scenario's name taken out, to compare two scenarios. */
    plain(text: string): string {
      return text.split(name).join('X');
    },
  };
}

function broker(endpoint: PulsarEndpoint): PulsarWebSocketBroker {
  return new PulsarWebSocketBroker({
    webUrl: endpoint.webUrl,
    tenant: 'public',
    namespace: 'default',
  });
}

describeWithPulsar('ingest resilience on a real Pulsar', (endpoint) => {
  it('holds batches through a graph outage: nothing redelivered or dead-lettered, all written afterwards', async () => {
    const s = scenario('outage');
    const config = streamingConfig({
      ...s.env,
      STREAMING_BACKEND: 'pulsar',
      PULSAR_WEB_URL: endpoint.webUrl,
      PULSAR_MAX_REDELIVER_COUNT: '1',
      PULSAR_NACK_REDELIVERY_DELAY_MS: '100',
    });
    const consumer = broker(endpoint);
    const producer = broker(endpoint);
    const store = new FlakyGraphStore();
    const worker = new IngestWorker(
      consumer,
      store,
      new ThresholdDetector(Number.MAX_SAFE_INTEGER),
      config,
      {
        ...DEFAULT_INGEST_OPTIONS,
        batchWindowMs: 20,
        outageRetryInitialMs: 50,
        outageRetryMaxMs: 200,
      },
      new RecordingLogger(),
    );
    await worker.start();
    try {
      await producer.publish(
        config.entitiesTopic,
        [1, 2, 3].map((n) =>
          vertexUpsertMessage(s.account(n), { id: `a${n}`, occurredAt: SOURCE_TIME + 1 }),
        ),
      );
      await until(() => worker.counters.written === 3, 'the accounts', 30_000);
      store.down = true;
      const movements = Array.from({ length: 30 }, (_, i) =>
        s.movement(i + 1, (i % 3) + 1, ((i + 1) % 3) + 1),
      );
      await producer.publish(
        config.movementsTopic,
        movements.map((m) => movementMessage(m, { id: m.movementId, occurredAt: m.timestamp })),
      );
      // Longer than the whole redelivery budget (one redelivery, 100 ms apart).
      await until(() => worker.counters.outageRetries >= 10, 'the outage to last', 30_000);
      expect(worker.outage?.heldMessages).toBeGreaterThan(0);
      store.down = false;
      await until(() => worker.counters.written === 33, 'every movement', 30_000);
      expect(worker.counters).toMatchObject({ received: 33, retried: 0, deadLettered: 0 });
      expect(await producer.readAll(config.deadLetterTopic, { idleMs: 1000 })).toEqual([]);
    } finally {
      await worker.stop();
      await consumer.close();
      await producer.close();
    }
  });

  it('replays a dead letter once its cause is fixed, and a second replay changes nothing', async () => {
    const s = scenario('replay');
    const config = streamingConfig({
      ...s.env,
      STREAMING_BACKEND: 'pulsar',
      PULSAR_WEB_URL: endpoint.webUrl,
      PULSAR_MAX_REDELIVER_COUNT: '1',
      PULSAR_NACK_REDELIVERY_DELAY_MS: '100',
    });
    const consumer = broker(endpoint);
    const producer = broker(endpoint);
    const store = new FlakyGraphStore();
    const worker = new IngestWorker(
      consumer,
      store,
      new ThresholdDetector(Number.MAX_SAFE_INTEGER),
      config,
      { ...DEFAULT_INGEST_OPTIONS, batchWindowMs: 20, missingEntityWaitMs: 0 },
      new RecordingLogger(),
    );
    await worker.start();
    try {
      await producer.publish(config.entitiesTopic, [
        vertexUpsertMessage(s.account(1), { id: 'a1', occurredAt: SOURCE_TIME + 1 }),
      ]);
      await until(() => worker.counters.written === 1, 'the first account', 30_000);
      const late = s.movement(1, 1, 2);
      await producer.publish(config.movementsTopic, [
        movementMessage(late, { id: 'late', occurredAt: late.timestamp }),
      ]);
      await until(() => worker.counters.deadLettered === 1, 'the dead letter', 30_000);
      const replay = {
        deadLetterTopic: config.deadLetterTopic,
        subscription: DLQ_REPLAY_SUBSCRIPTION,
        dryRun: false,
        idleMs: 1500,
      };
      // Not fixed yet: replayed, dead-lettered again, not replayed a second time in the same run.
      const early = await replayDeadLetters(producer, replay);
      expect(early.replayed).toBe(1);
      expect(early.reasons[0].text).toMatch(/^account "account:.*:2" does not exist after waiting/);
      await until(() => worker.counters.deadLettered === 2, 'the second dead letter', 30_000);

      await producer.publish(config.entitiesTopic, [
        vertexUpsertMessage(s.account(2), { id: 'a2', occurredAt: SOURCE_TIME + 2 }),
      ]);
      await until(() => worker.counters.written === 2, 'the missing account', 30_000);
      const fixed = await replayDeadLetters(producer, replay);
      expect(fixed.replayed).toBe(1);
      await until(() => worker.counters.written === 3, 'the replayed movement', 30_000);
      expect(await store.getEdge(late.movementId)).toMatchObject({ to: s.account(2).uid });

      const again = await replayDeadLetters(producer, replay);
      expect(again).toMatchObject({ replayed: 0, leftInPlace: [] });
      // The original and two replays on the movements topic, nothing more.
      const onTopic = await producer.readAll(config.movementsTopic, { idleMs: 1000 });
      expect(onTopic).toHaveLength(3);
      expect(new Set(onTopic.map((m) => m.payload.toString()))).toEqual(
        new Set([onTopic[0].payload.toString()]),
      );
    } finally {
      await worker.stop();
      await consumer.close();
      await producer.close();
    }
  });

  describeWithJanusGraph('and a real JanusGraph', (janusgraph) => {
    let store: GraphStore;
    let closeStore: () => Promise<void> = () => Promise.resolve();

    beforeAll(async () => {
      const opened = await openJanusGraphStore(janusgraph);
      store = opened.store;
      closeStore = () => opened.close();
    });

    afterAll(async () => {
      await closeStore();
    });

    const ACCOUNTS = 7;

    /** `workers` workers on one Key_Shared subscription; the graph and alerts they produce. */
    async function ingest(workers: number, tag: string) {
      const s = scenario(tag);
      const config = streamingConfig({
        ...s.env,
        STREAMING_BACKEND: 'pulsar',
        PULSAR_WEB_URL: endpoint.webUrl,
      });
      expect(config.subscriptionType).toBe('Key_Shared');
      const brokers = Array.from({ length: workers }, () => broker(endpoint));
      const producer = broker(endpoint);
      const running = brokers.map(
        (b) =>
          new IngestWorker(
            b,
            store,
            new EveryThirdDetector(),
            config,
            { ...DEFAULT_INGEST_OPTIONS, batchSize: 10, batchWindowMs: 10 },
            new RecordingLogger(),
          ),
      );
      const movements = Array.from({ length: 84 }, (_, i) =>
        s.movement(i + 1, (i % ACCOUNTS) + 1, ((i + 1) % ACCOUNTS) + 1, 1_000 + i),
      );
      try {
        for (const worker of running) await worker.start();
        const written = (): number => running.reduce((sum, w) => sum + w.counters.written, 0);
        await producer.publish(
          config.entitiesTopic,
          Array.from({ length: ACCOUNTS }, (_, i) =>
            vertexUpsertMessage(s.account(i + 1), { id: `a${i}`, occurredAt: SOURCE_TIME + 1 }),
          ),
        );
        await until(() => written() === ACCOUNTS, 'the accounts', 60_000);
        await producer.publish(
          config.movementsTopic,
          movements.map((m) => movementMessage(m, { id: m.movementId, occurredAt: m.timestamp })),
        );
        await until(() => written() === ACCOUNTS + movements.length, 'the movements', 90_000);
        const edges = await Promise.all(movements.map((m) => store.getEdge(m.movementId)));
        const alerts = (await producer.readAll(config.alertsTopic, { idleMs: 1500 }))
          .map((m) => decodeAlertMessage(m.payload))
          .map((d) => (d.ok ? s.plain(d.envelope.payload.alertId) : `undecodable: ${d.reason}`))
          .sort();
        return {
          edges: edges.map((e) =>
            e ? { ...e, eid: s.plain(e.eid), from: s.plain(e.from), to: s.plain(e.to) } : 'missing',
          ),
          alerts,
          perWorker: running.map((w) => w.counters.written),
          deadLetters: (await producer.readAll(config.deadLetterTopic, { idleMs: 1000 })).length,
        };
      } finally {
        for (const worker of running) await worker.stop();
        await Promise.all([...brokers, producer].map((b) => b.close()));
      }
    }

    it('two workers sharing the topics (Key_Shared) write the same graph and raise the same alerts as one', async () => {
      const one = await ingest(1, 'one-worker');
      const two = await ingest(2, 'two-workers');
      expect(one.edges).not.toContain('missing');
      expect(two.edges).toEqual(one.edges);
      expect(one.alerts).toHaveLength(28);
      expect(two.alerts).toEqual(one.alerts);
      expect(two.perWorker.every((n) => n > 0)).toBe(true);
      expect([one.deadLetters, two.deadLetters]).toEqual([0, 0]);
    });
  });
});
