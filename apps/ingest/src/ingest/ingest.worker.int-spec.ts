import { MemoryGraphStore } from '@app/graph-store';
import {
  decodeAlertMessage,
  PulsarDatasetSink,
  PulsarWebSocketBroker,
  movementMessage,
  vertexUpsertMessage,
} from '@app/streaming';
import { describeWithPulsar } from '@app/testing';
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

jest.setTimeout(60_000);

const run = `${Date.now().toString(36)}-${process.pid}`;

describeWithPulsar('ingest worker end to end on a real Pulsar', (endpoint) => {
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
    PULSAR_MAX_REDELIVER_COUNT: '20',
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
  const store = new MemoryGraphStore();
  const detector = new ThresholdDetector(1_000_000);
  const worker = new IngestWorker(
    consumerSide,
    store,
    detector,
    config,
    { ...DEFAULT_INGEST_OPTIONS, batchWindowMs: 20 },
    new RecordingLogger(),
  );

  beforeAll(() => worker.start());

  afterAll(async () => {
    await worker.stop();
    await consumerSide.close();
    await producerSide.close();
  });

  it('writes what the dataset sink publishes; a movement sent before its accounts lands once they arrive', async () => {
    const early = movement(1, 1, 2, 2_000_000);
    await producerSide.publish(config.movementsTopic, [
      movementMessage(early, { id: 'early', occurredAt: early.timestamp }),
    ]);
    await until(() => worker.counters.retried >= 1, 'the early movement to be retried', 20_000);

    const sink = new PulsarDatasetSink({
      broker: producerSide,
      entitiesTopic: config.entitiesTopic,
      movementsTopic: config.movementsTopic,
    });
    await sink.writeVertices([person(1), account(1), account(2)]);
    await sink.writeEdges([holds(1, 1), movementEdge(movement(2, 2, 1, 500))]);
    await sink.close();

    await until(() => worker.counters.written >= 6, 'every message to be written', 30_000);
    expect(await store.getVertex('person:test:1')).toEqual(person(1));
    expect(await store.getEdge('HOLDS:person:test:1>account:b1:1')).toEqual(holds(1, 1));
    expect(await store.getEdge('mv:test:1')).toMatchObject({
      from: 'account:b1:1',
      to: 'account:b1:2',
    });
    expect(await store.getEdge('mv:test:2')).toMatchObject({
      from: 'account:b1:2',
      to: 'account:b1:1',
    });

    // The big movement raised an alert on the alerts topic.
    await until(() => worker.counters.alertsPublished === 1, 'the alert', 20_000);
    const alerts = await producerSide.readAll(config.alertsTopic, { idleMs: 1000 });
    expect(alerts).toHaveLength(1);
    const decoded = decodeAlertMessage(alerts[0].payload);
    expect(decoded.ok && decoded.envelope.payload.movementIds).toEqual(['mv:test:1']);
  });

  it('dead-letters an invalid message with its reason; the reader finds it intact', async () => {
    const bad = vertexUpsertMessage(
      { ...account(3), props: { ...account(3).props, openedAt: -1 } },
      { id: 'bad-1', occurredAt: 1 },
    );
    await producerSide.publish(config.entitiesTopic, [bad]);
    await until(() => worker.counters.deadLettered === 1, 'the dead letter', 20_000);
    const dead = await producerSide.readAll(config.deadLetterTopic, { idleMs: 1000 });
    expect(dead).toHaveLength(1);
    expect(dead[0].payload.toString('utf8')).toBe(bad.payload);
    expect(dead[0].key).toBe('account:b1:3');
    expect(dead[0].properties).toMatchObject({
      type: 'vertex.upsert',
      version: '1',
      'dlq-reason': 'payload.props.openedAt must be at least 0',
      REAL_TOPIC: consumerSide.topicName(config.entitiesTopic),
    });
    expect(await store.getVertex('account:b1:3')).toBeUndefined();
  });
});
