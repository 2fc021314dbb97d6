import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import {
  BUNDLE_CONTENT_TYPE,
  bundleMessages,
  decodeAlertMessage,
  PulsarDatasetSink,
  PulsarWebSocketBroker,
  movementMessage,
  vertexUpsertMessage,
} from '@app/streaming';
import { describeWithJanusGraph, describeWithPulsar, openJanusGraphStore } from '@app/testing';
import type { PulsarEndpoint } from '@app/testing';
import { movementEdge } from '@app/vocabulary';
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
import { DEFAULT_INGEST_OPTIONS } from './ingest.options';
import { IngestWorker } from './ingest.worker';

/** When the source changed the entities of these messages (envelope occurredAt, epoch ms). */
const SOURCE_TIME = Date.UTC(2025, 0, 1);

jest.setTimeout(60_000);

/**
 * Publishes with the dataset sink to a real Pulsar, lets the worker write into `openStore()`'s
 * graph, and checks late accounts, alerts and dead letters. Ids are unique per run, so a
 * long-lived JanusGraph can be reused.
 */
function describeEndToEnd(
  graph: string,
  endpoint: PulsarEndpoint,
  openStore: () => Promise<{ store: GraphStore; close(): Promise<void> }>,
): void {
  describe(`ingest worker end to end on a real Pulsar, graph: ${graph}`, () => {
    const run = `${Date.now().toString(36)}-${process.pid}-${graph}`;
    const base = Date.now() % 1_000_000_000;
    const topics = {
      PULSAR_TOPIC_ENTITIES: `it-${run}-entities`,
      PULSAR_TOPIC_MOVEMENTS: `it-${run}-movements`,
      PULSAR_TOPIC_ALERTS: `it-${run}-alerts`,
      PULSAR_DEAD_LETTER_TOPIC: `it-${run}-dlq`,
      PULSAR_SUBSCRIPTION: `it-${run}-ingest`,
    };
    const config = streamingConfig({
      ...topics,
      STREAMING_BACKEND: 'pulsar',
      PULSAR_WEB_URL: endpoint.webUrl,
      // The early movement is retried until its accounts are written. Its redelivery budget
      // (about 100 x 200 ms) must outlast a slow JanusGraph write on a loaded CI machine: with 20
      // it once ran out first and the movement was dead-lettered.
      PULSAR_MAX_REDELIVER_COUNT: '100',
      PULSAR_NACK_REDELIVERY_DELAY_MS: '200',
    });
    const newBroker = () =>
      new PulsarWebSocketBroker({
        webUrl: endpoint.webUrl,
        tenant: config.tenant,
        namespace: config.namespace,
      });

    const consumerSide = newBroker();
    const producerSide = newBroker();
    const detector = new ThresholdDetector(1_000_000);
    let store: GraphStore;
    let closeStore: () => Promise<void> = () => Promise.resolve();
    let worker: IngestWorker;
    const [p1, a1, a2, a3] = [
      person(base + 1),
      account(base + 1),
      account(base + 2),
      account(base + 3),
    ];

    beforeAll(async () => {
      const opened = await openStore();
      store = opened.store;
      closeStore = () => opened.close();
      worker = new IngestWorker(
        consumerSide,
        store,
        detector,
        config,
        { ...DEFAULT_INGEST_OPTIONS, batchWindowMs: 20 },
        new RecordingLogger(),
      );
      await worker.start();
    });

    afterAll(async () => {
      await worker.stop();
      await consumerSide.close();
      await producerSide.close();
      await closeStore();
    });

    it('writes what the dataset sink publishes; a movement sent before its accounts lands once they arrive', async () => {
      const early = movement(base + 1, base + 1, base + 2, 2_000_000);
      await producerSide.publish(config.movementsTopic, [
        movementMessage(early, { id: 'early', occurredAt: early.timestamp }),
      ]);
      await until(() => worker.counters.retried >= 1, 'the early movement to be retried', 20_000);

      const sink = new PulsarDatasetSink({
        broker: producerSide,
        entitiesTopic: config.entitiesTopic,
        movementsTopic: config.movementsTopic,
      });
      const late = movement(base + 2, base + 2, base + 1, 500);
      await sink.writeVertices([p1, a1, a2]);
      await sink.writeEdges([holds(base + 1, base + 1), movementEdge(late)]);
      await sink.close();

      await until(() => worker.counters.written >= 6, 'every message to be written', 30_000);
      expect(await store.getVertex(p1.uid)).toEqual(p1);
      expect(await store.getEdge(holds(base + 1, base + 1).eid)).toEqual(holds(base + 1, base + 1));
      expect(await store.getEdge(early.movementId)).toMatchObject({ from: a1.uid, to: a2.uid });
      expect(await store.getEdge(late.movementId)).toMatchObject({ from: a2.uid, to: a1.uid });

      // The big movement raised an alert on the alerts topic.
      await until(() => worker.counters.alertsPublished === 1, 'the alert', 20_000);
      const alerts = await producerSide.readAll(config.alertsTopic, { idleMs: 1000 });
      expect(alerts).toHaveLength(1);
      const decoded = decodeAlertMessage(alerts[0].payload);
      expect(decoded.ok && decoded.envelope.payload.movementIds).toEqual([early.movementId]);
    });

    it('dead-letters an invalid message with its reason; the reader finds it intact', async () => {
      const bad = vertexUpsertMessage(
        { ...a3, props: { ...a3.props, openedAt: -1 } },
        { id: 'bad-1', occurredAt: SOURCE_TIME + 1 },
      );
      await producerSide.publish(config.entitiesTopic, [bad]);
      await until(() => worker.counters.deadLettered === 1, 'the dead letter', 20_000);
      const dead = await producerSide.readAll(config.deadLetterTopic, { idleMs: 1000 });
      expect(dead).toHaveLength(1);
      expect(dead[0].payload.toString('utf8')).toBe(bad.payload);
      expect(dead[0].key).toBe(a3.uid);
      expect(dead[0].properties).toMatchObject({
        type: 'vertex.upsert',
        version: '1',
        'dlq-reason': 'payload.props.openedAt must be at least 0',
        REAL_TOPIC: consumerSide.topicName(config.entitiesTopic),
      });
      expect(await store.getVertex(a3.uid)).toBeUndefined();
    });

    it('writes bundles of envelopes (several per Pulsar message) and dead-letters a bad envelope alone, with its reason', async () => {
      const deadBefore = worker.counters.deadLettered;
      const writtenBefore = worker.counters.written;
      const sink = new PulsarDatasetSink({
        broker: producerSide,
        entitiesTopic: config.entitiesTopic,
        movementsTopic: config.movementsTopic,
        bundleSize: 50,
        // One bucket: the sink keeps back no more than 50 movements, so they go out first.
        keyBuckets: 1,
      });
      const people = Array.from({ length: 30 }, (_, i) => person(base + 100 + i));
      const accounts = Array.from({ length: 30 }, (_, i) => account(base + 100 + i));
      const moves = Array.from({ length: 120 }, (_, i) =>
        movementEdge(
          movement(base + 100 + i, base + 100 + (i % 30), base + 100 + ((i + 7) % 30), 100 + i),
        ),
      );
      // Movements first: many arrive before their accounts and wait for them.
      await sink.writeEdges(moves);
      await sink.writeVertices([...people, ...accounts]);
      const bad = vertexUpsertMessage(
        {
          ...accounts[0],
          uid: `account:b1:${base}-bad`,
          props: { ...accounts[0].props, currency: 'eur' },
        },
        { id: 'bad-in-bundle', occurredAt: SOURCE_TIME + 1 },
      );
      const [bundle] = bundleMessages(
        [
          vertexUpsertMessage(person(base + 200), {
            id: 'good-in-bundle',
            occurredAt: SOURCE_TIME + 1,
          }),
          bad,
        ],
        { maxItems: 50, keyBuckets: 1 },
      );
      expect(bundle.properties?.['content-type']).toBe(BUNDLE_CONTENT_TYPE);
      await producerSide.publish(config.entitiesTopic, [bundle]);
      await sink.close();

      await until(
        () =>
          worker.counters.written - writtenBefore >= 30 + 30 + 120 + 1 &&
          worker.counters.deadLettered - deadBefore >= 1,
        'every envelope to be settled',
        60_000,
      );
      expect(worker.counters.written - writtenBefore).toBe(181);
      for (const edge of moves)
        expect(await store.getEdge(edge.eid)).toMatchObject({ from: edge.from });
      expect(await store.getVertex(person(base + 200).uid)).toBeDefined();
      const dead = (await producerSide.readAll(config.deadLetterTopic, { idleMs: 1000 })).filter(
        (d) => d.properties['ORIGIN_MESSAGE_ID']?.endsWith('#2'),
      );
      expect(dead).toHaveLength(1);
      expect(dead[0].payload.toString('utf8')).toBe(bad.payload);
      expect(dead[0].properties).toMatchObject({
        'dlq-reason':
          'payload.props.currency must be a three-letter ISO 4217 currency code in capitals',
        REAL_TOPIC: consumerSide.topicName(config.entitiesTopic),
        'bundle-item': '2/2',
      });
      expect(worker.counters.deadLettered - deadBefore).toBe(1);
    });
  });
}

describeWithPulsar('ingest worker on a real Pulsar', (endpoint) => {
  describeEndToEnd('memory', endpoint, () =>
    Promise.resolve({ store: new MemoryGraphStore(), close: () => Promise.resolve() }),
  );
  describeWithJanusGraph('and a real JanusGraph', (janusgraph) => {
    describeEndToEnd('janusgraph', endpoint, () => openJanusGraphStore(janusgraph));
  });
});
