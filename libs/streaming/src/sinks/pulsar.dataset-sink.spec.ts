import { loadAllSettings } from '@app/settings';
import { FixedClock, StreamUnavailableError } from '@app/vocabulary';
import type { GraphEdge, GraphVertex, GroundTruthRecord } from '@app/vocabulary';
import { MemoryBroker } from '../memory/memory.broker';
import { decodeEntityMessage, decodeMovementMessage } from '../messages/envelope.codec';
import { BUNDLE_CONTENT_TYPE, bucketKeyOf, bundleItems } from '../messages/bundle';
import type { BrokerLogger } from '../broker-logger';
import { PulsarDatasetSink } from './pulsar.dataset-sink';
import type { PulsarDatasetSinkOptions } from './pulsar.dataset-sink';

const accountProps = {
  accountType: 'personal',
  currency: 'EUR',
  openedAt: 1_600_000_000_000,
  status: 'active',
  bankId: 'b1',
  country: 'DE',
} as const;

const vertices: GraphVertex[] = [
  { label: 'Person', uid: 'person:g:1', props: { name: 'A', isPep: false, isSanctioned: false } },
  { label: 'Account', uid: 'account:b1:1', props: accountProps },
  { label: 'Account', uid: 'account:b1:2', props: accountProps },
];

const edges: GraphEdge[] = [
  {
    label: 'HOLDS',
    eid: 'HOLDS:person:g:1>account:b1:1',
    from: 'person:g:1',
    to: 'account:b1:1',
    props: { role: 'holder' },
  },
  {
    label: 'TRANSFERRED',
    eid: 'mv:g:1',
    from: 'account:b1:1',
    to: 'account:b1:2',
    props: { amountMinor: 1250, currency: 'EUR', timestamp: 1_700_000_000_000, channel: 'wire' },
  },
];

describe('PulsarDatasetSink', () => {
  let broker: MemoryBroker;
  let ids: number;
  let sink: PulsarDatasetSink;

  /** A sink on the test's broker and the two bank topics, with `options` on top. */
  const sinkWith = (options: Partial<PulsarDatasetSinkOptions> = {}): PulsarDatasetSink =>
    new PulsarDatasetSink({
      broker,
      entitiesTopic: 'bank.entities',
      movementsTopic: 'bank.movements',
      ...options,
    });

  beforeEach(() => {
    broker = new MemoryBroker();
    ids = 0;
    sink = sinkWith({
      batchSize: 2,
      clock: new FixedClock(1_750_000_000_000),
      newId: () => `id-${(ids += 1)}`,
    });
  });

  afterEach(() => broker.close());

  it('publishes vertices and non-movement edges to the entities topic, in order, keyed by uid and source', async () => {
    await sink.writeVertices(vertices);
    await sink.writeEdges(edges);
    const entities = await broker.readAll('bank.entities', { idleMs: 0 });
    expect(entities.map((m) => m.key)).toEqual([
      'person:g:1',
      'account:b1:1',
      'account:b1:2',
      'person:g:1',
    ]);
    const decoded = entities.map((m) => decodeEntityMessage(m.payload));
    expect(decoded.every((d) => d.ok)).toBe(true);
    expect(decoded.map((d) => d.ok && d.envelope.payload)).toEqual([...vertices, edges[0]]);
    expect(decoded.map((d) => d.ok && d.envelope.occurredAt)).toEqual(
      Array(4).fill(1_750_000_000_000),
    );
    expect(decoded.map((d) => d.ok && d.envelope.id)).toEqual(['id-1', 'id-2', 'id-3', 'id-4']);
  });

  it('publishes TRANSFERRED edges as movements keyed by the paying account, dated by the movement', async () => {
    await sink.writeEdges(edges);
    const [message, ...rest] = await broker.readAll('bank.movements', { idleMs: 0 });
    expect(rest).toEqual([]);
    expect(message.key).toBe('account:b1:1');
    const decoded = decodeMovementMessage(message.payload);
    expect(decoded.ok && decoded.envelope).toEqual({
      type: 'movement.recorded',
      version: 1,
      id: 'id-2',
      occurredAt: 1_700_000_000_000,
      payload: {
        movementId: 'mv:g:1',
        fromAccount: 'account:b1:1',
        toAccount: 'account:b1:2',
        amountMinor: 1250,
        currency: 'EUR',
        timestamp: 1_700_000_000_000,
        channel: 'wire',
      },
    });
    expect(sink.published).toEqual({ vertices: 0, entityEdges: 1, movements: 1 });
  });

  it('publishes in batches of batchSize', async () => {
    const calls: number[] = [];
    const publish = broker.publish.bind(broker);
    jest.spyOn(broker, 'publish').mockImplementation((topic, messages) => {
      calls.push(messages.length);
      return publish(topic, messages);
    });
    await sink.writeVertices([...vertices, ...vertices]);
    expect(calls).toEqual([2, 2, 2]);
  });

  it('keeps several publish calls in flight, stores them in order, and returns once all are stored', async () => {
    const started: string[] = [];
    const releases: (() => void)[] = [];
    const publish = broker.publish.bind(broker);
    jest.spyOn(broker, 'publish').mockImplementation((topic, messages) => {
      started.push(messages.map((m) => m.key).join());
      // Stored at once (in call order), confirmed only when the test says so.
      const stored = publish(topic, messages);
      return new Promise((resolve) => releases.push(() => resolve(stored)));
    });
    const pipelined = sinkWith({
      batchSize: 1,
      publishesInFlight: 2,
    });
    let done = false;
    const writing = pipelined.writeVertices(vertices).then(() => {
      done = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    // Two calls went out before any receipt; the third waits for the first to be confirmed.
    expect(started).toEqual(['person:g:1', 'account:b1:1']);
    releases[0]();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toHaveLength(3);
    releases[1]();
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    releases[2]();
    await writing;
    const stored = await broker.readAll('bank.entities', { idleMs: 0 });
    expect(stored.map((m) => m.key)).toEqual(vertices.map((v) => v.uid));
  });

  it('fails a write with the first failed publish call, after the calls in flight settled', async () => {
    let calls = 0;
    const publish = broker.publish.bind(broker);
    jest.spyOn(broker, 'publish').mockImplementation((topic, messages) => {
      calls += 1;
      if (calls === 2) return Promise.reject(new StreamUnavailableError('Pulsar went away'));
      return publish(topic, messages);
    });
    const pipelined = sinkWith({
      batchSize: 1,
      publishesInFlight: 2,
    });
    await expect(pipelined.writeVertices([...vertices, ...vertices])).rejects.toThrow(
      'Pulsar went away',
    );
    // No new call after the failure was seen (the third was already in flight).
    expect(calls).toBe(3);
  });

  it("with ingestSubscription, creates the worker's subscription on both topics from their first message before publishing, so a worker that starts later reads the whole bank", async () => {
    const ensured: string[] = [];
    const ensure = broker.ensureSubscription.bind(broker);
    jest.spyOn(broker, 'ensureSubscription').mockImplementation((topic, name, position, type) => {
      ensured.push(`${topic} ${name} ${position} ${type ?? 'no type'}`);
      return ensure(topic, name, position, type);
    });
    const keeping = sinkWith({
      ingestSubscription: 'graph-ingest',
      ingestSubscriptionType: 'Key_Shared',
    });
    await keeping.writeVertices(vertices);
    await keeping.writeEdges(edges);
    // Once per sink, not once per write.
    expect(ensured.sort()).toEqual([
      'bank.entities graph-ingest earliest Key_Shared',
      'bank.movements graph-ingest earliest Key_Shared',
    ]);
    // A worker attaching only now gets every message published before it.
    const received: string[] = [];
    for (const topic of ['bank.entities', 'bank.movements']) {
      await broker.subscribe(
        topic,
        'graph-ingest',
        async (message) => {
          received.push(message.key ?? '');
          await message.ack();
        },
        { deadLetterTopic: 'dlq', maxRedeliverCount: 3, nackRedeliveryDelayMs: 10 },
      );
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(received.sort()).toEqual(
      ['person:g:1', 'account:b1:1', 'account:b1:2', 'person:g:1', 'account:b1:1'].sort(),
    );
  });

  it('with ingestSubscription, publishes nothing when the subscription cannot be created, and tries again on the next write', async () => {
    jest
      .spyOn(broker, 'ensureSubscription')
      .mockRejectedValueOnce(new StreamUnavailableError('Pulsar answered 403'));
    const keeping = sinkWith({ ingestSubscription: 'graph-ingest' });
    await expect(keeping.writeVertices(vertices)).rejects.toThrow('Pulsar answered 403');
    expect(await broker.readAll('bank.entities', { idleMs: 0 })).toEqual([]);
    expect(keeping.published.vertices).toBe(0);
    await keeping.writeVertices(vertices);
    expect(await broker.readAll('bank.entities', { idleMs: 0 })).toHaveLength(3);
  });

  it('keeps the ground truth instead of publishing it, and closes a broker it owns', async () => {
    const record = { typology: 'fan-out' } as unknown as GroundTruthRecord;
    await sink.writeGroundTruth([record]);
    expect(sink.groundTruth()).toEqual([record]);
    await sink.close();
    // Not owned: still open.
    await expect(broker.ping()).resolves.toBeUndefined();
    const owning = new PulsarDatasetSink({
      broker,
      entitiesTopic: 'e',
      movementsTopic: 'm',
      ownsBroker: true,
    });
    await owning.abort();
    await expect(broker.ping()).rejects.toThrow(/closed/);
  });

  it('names the full topics it publishes to and pings through its broker', async () => {
    const scoped = new MemoryBroker({ tenant: 'bank', namespace: 'test' });
    const named = new PulsarDatasetSink({
      broker: scoped,
      entitiesTopic: 'e',
      movementsTopic: 'persistent://other/ns/m',
    });
    expect(named.brokerKind).toBe('memory');
    expect(named.topics).toEqual({
      entities: 'persistent://bank/test/e',
      movements: 'persistent://other/ns/m',
    });
    await expect(named.ping()).resolves.toBeUndefined();
    await scoped.close();
    await expect(named.ping()).rejects.toBeInstanceOf(StreamUnavailableError);
  });

  it('fromSettings publishes through Pulsar even when STREAMING_BACKEND=memory, with the batch size given', async () => {
    const logged: string[] = [];
    const logger: BrokerLogger = {
      log: (line) => logged.push(line),
      warn: (line) => logged.push(line),
      error: (line) => logged.push(line),
    };
    const config = loadAllSettings({
      STREAMING_BACKEND: 'memory',
      PULSAR_TRANSPORT: 'websocket',
      PULSAR_WEB_URL: 'http://127.0.0.1:38999',
      PULSAR_TOPIC_ENTITIES: 'seed.entities',
    }).streaming;
    const fromSettings = PulsarDatasetSink.fromSettings(config, logger, { batchSize: 7 });
    expect(fromSettings.brokerKind).toBe('pulsar-websocket');
    expect(fromSettings.topics.entities).toBe('persistent://public/default/seed.entities');
    expect(config.publishBundleSize).toBe(50);
    expect(config.publishKeyBuckets).toBe(64);
    expect(config.subscription).toBe('graph-ingest');
    expect(logged).toEqual(['Message broker: Pulsar WebSocket API at http://127.0.0.1:38999']);
    await fromSettings.close();
    expect(() => PulsarDatasetSink.fromSettings(config, logger, { batchSize: 0 })).toThrow(
      /batchSize must be a whole number/,
    );
  });

  it('with bundleSize, sends several envelopes of one key bucket per message, in order', async () => {
    const bundled = sinkWith({
      batchSize: 100,
      bundleSize: 50,
      keyBuckets: 2,
      clock: new FixedClock(1_750_000_000_000),
      newId: () => `id-${(ids += 1)}`,
    });
    const many: GraphVertex[] = Array.from({ length: 40 }, (_, i) => ({
      ...vertices[1],
      uid: `account:b1:${i}`,
    }));
    await bundled.writeVertices(many);
    const messages = await broker.readAll('bank.entities', { idleMs: 0 });
    expect(messages).toHaveLength(2);
    expect(messages.map((m) => m.key).sort()).toEqual(['bucket:0', 'bucket:1']);
    const position = new Map(many.map((v, i) => [v.uid, i]));
    const seen: string[] = [];
    for (const m of messages) {
      expect(m.properties['content-type']).toBe(BUNDLE_CONTENT_TYPE);
      const uids = bundleItems(m.payload).map((line) => {
        const decoded = decodeEntityMessage(line);
        if (!decoded.ok || decoded.envelope.type !== 'vertex.upsert')
          throw new Error('not a vertex');
        return decoded.envelope.payload.uid;
      });
      // In publish order within the bundle, and all of the bundle's bucket.
      const places = uids.map((uid) => position.get(uid) ?? -1);
      expect(places).toEqual([...places].sort((a, b) => a - b));
      expect(uids.every((uid) => bucketKeyOf(uid, 2) === m.key)).toBe(true);
      seen.push(...uids);
    }
    expect(seen.sort()).toEqual(many.map((v) => v.uid).sort());
    expect(bundled.published.vertices).toBe(40);
  });

  it('with bundles, keeps movements back until they fill a bundle per bucket, and publishes the rest on close', async () => {
    const bundled = sinkWith({
      bundleSize: 2,
      keyBuckets: 2,
      clock: new FixedClock(1_750_000_000_000),
      newId: () => `id-${(ids += 1)}`,
    });
    const movementNo = (n: number): GraphEdge => ({ ...edges[1], eid: `mv:g:${n}` });
    const stored = async () =>
      (await broker.readAll('bank.movements', { idleMs: 0 })).flatMap((m) =>
        bundleItems(m.payload).map(
          (line) =>
            (JSON.parse(line.toString()) as { payload: { movementId: string } }).payload.movementId,
        ),
      );
    await bundled.writeEdges([edges[0], movementNo(1), movementNo(2), movementNo(3)]);
    // The entity edge went out at once; 3 movements wait for 2 x 2.
    expect(await broker.readAll('bank.entities', { idleMs: 0 })).toHaveLength(1);
    expect(await stored()).toEqual([]);
    expect(bundled.published).toEqual({ vertices: 0, entityEdges: 1, movements: 0 });
    await bundled.writeEdges([movementNo(4), movementNo(5)]);
    expect(await stored()).toEqual(['mv:g:1', 'mv:g:2', 'mv:g:3', 'mv:g:4', 'mv:g:5']);
    await bundled.writeEdges([movementNo(6)]);
    await bundled.close();
    expect(await stored()).toEqual(['mv:g:1', 'mv:g:2', 'mv:g:3', 'mv:g:4', 'mv:g:5', 'mv:g:6']);
    expect(bundled.published.movements).toBe(6);
  });

  it('with bundles, drops the movements kept back on abort (nothing half-published later)', async () => {
    const bundled = sinkWith({
      bundleSize: 50,
    });
    await bundled.writeEdges([edges[1]]);
    await bundled.abort();
    await bundled.close();
    expect(await broker.readAll('bank.movements', { idleMs: 0 })).toEqual([]);
    expect(bundled.published.movements).toBe(0);
  });

  it('with bundles, sends about batchSize envelopes per publish call, whatever the bundles hold', async () => {
    const calls: number[] = [];
    const publish = broker.publish.bind(broker);
    jest.spyOn(broker, 'publish').mockImplementation((topic, messages) => {
      calls.push(messages.length);
      return publish(topic, messages);
    });
    const bundled = sinkWith({
      batchSize: 4,
      bundleSize: 2,
      keyBuckets: 1,
    });
    await bundled.writeVertices(
      Array.from({ length: 10 }, (_, i) => ({ ...vertices[1], uid: `account:b1:${i}` })),
    );
    // 5 bundles of 2 envelopes: two bundles (4 envelopes) per call.
    expect(calls).toEqual([2, 2, 1]);
  });

  it('refuses a bundle size out of range', () => {
    expect(
      () =>
        new PulsarDatasetSink({
          broker,
          entitiesTopic: 'e',
          movementsTopic: 'm',
          bundleSize: 1001,
        }),
    ).toThrow(/maxItems must be a whole number from 1 to 1000/);
  });

  it('refuses a batch size that is not a positive whole number', () => {
    expect(
      () =>
        new PulsarDatasetSink({ broker, entitiesTopic: 'e', movementsTopic: 'm', batchSize: 0 }),
    ).toThrow(/batchSize must be a whole number, at least 1/);
  });
});
