import {
  BUNDLE_CONTENT_TYPE,
  bundleMessages,
  DLQ_PROPERTIES,
  edgeUpsertMessage,
  MAX_BUNDLE_ITEMS,
  MemoryBroker,
  movementMessage,
  vertexUpsertMessage,
} from '@app/streaming';
import type { OutgoingMessage, PublishedMessage, ReceivedMessage } from '@app/streaming';
import { StreamUnavailableError } from '@app/vocabulary';
import { BUNDLE_ITEM_PROPERTY, itemsOf } from './bundle-items';
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
import { DEFAULT_INGEST_OPTIONS } from './ingest.options';
import { IngestWorker } from './ingest.worker';
import { WAITING_SINCE_PROPERTY } from './message-settler';

/** A delivered bundle that records how it was settled. */
function delivered(
  lines: string[],
  properties?: Record<string, string>,
): ReceivedMessage & {
  calls: string[];
} {
  const calls: string[] = [];
  let settled = false;
  const settle = (call: string) => () => {
    calls.push(call);
    settled = true;
    return Promise.resolve();
  };
  return {
    calls,
    messageId: 'CAEQAA==',
    topic: 'persistent://public/default/bank.movements',
    payload: Buffer.from(lines.join('\n')),
    key: 'bucket:7',
    properties: properties ?? {
      'content-type': BUNDLE_CONTENT_TYPE,
      'bundle-size': String(lines.length),
    },
    publishTime: 1_700_000_000_000,
    redeliveryCount: 0,
    get settled() {
      return settled;
    },
    ack: settle('ack'),
    nack: settle('nack'),
    deadLetter: (reason: string) => settle(`deadLetter: ${reason}`)(),
  };
}

class RecordingBroker {
  readonly published: { topic: string; messages: OutgoingMessage[] }[] = [];
  failing = false;

  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishedMessage[]> {
    if (this.failing) return Promise.reject(new StreamUnavailableError('Pulsar is not reachable'));
    this.published.push({ topic, messages: [...messages] });
    return Promise.resolve(messages.map((_, i) => ({ messageId: `p${i}` })));
  }
}

describe('itemsOf', () => {
  let broker: RecordingBroker;
  const host = () => ({
    broker,
    deadLetterTopic: 'bank.dead-letter',
    logger: new RecordingLogger(),
  });

  beforeEach(() => {
    broker = new RecordingBroker();
  });

  it('hands a message that is not a bundle over as it is', () => {
    const message = delivered(['{"a":1}'], { 'content-type': 'application/json' });
    expect(itemsOf(message, host())).toEqual([message]);
  });

  it('makes one message per line, and acknowledges the bundle once, after its last item', async () => {
    const bundle = delivered(['{"a":1}', '{"b":2}', '{"c":3}']);
    const items = itemsOf(bundle, host());
    expect(items.map((i) => i.payload.toString())).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    expect(items.map((i) => i.messageId)).toEqual(['CAEQAA==#1', 'CAEQAA==#2', 'CAEQAA==#3']);
    expect(items[1].properties).toEqual({
      'content-type': 'application/json',
      [BUNDLE_ITEM_PROPERTY]: '2/3',
    });
    expect(items.every((i) => i.key === 'bucket:7' && i.redeliveryCount === 0)).toBe(true);
    await items[2].ack();
    await items[0].ack();
    await items[0].ack();
    expect(bundle.calls).toEqual([]);
    expect(items.map((i) => i.settled)).toEqual([true, false, true]);
    await items[1].ack();
    expect(bundle.calls).toEqual(['ack']);
  });

  it('dead-letters one item alone, with its own origin id, and still acknowledges the bundle', async () => {
    const bundle = delivered(['{"a":1}', 'not json']);
    const [good, bad] = itemsOf(bundle, host());
    await bad.deadLetter('message is not JSON');
    await good.ack();
    expect(broker.published).toEqual([
      {
        topic: 'bank.dead-letter',
        messages: [
          {
            payload: Buffer.from('not json'),
            key: 'bucket:7',
            properties: {
              'content-type': 'application/json',
              [BUNDLE_ITEM_PROPERTY]: '2/2',
              [DLQ_PROPERTIES.realTopic]: 'persistent://public/default/bank.movements',
              [DLQ_PROPERTIES.originMessageId]: 'CAEQAA==#2',
              [DLQ_PROPERTIES.reason]: 'message is not JSON',
            },
          },
        ],
      },
    ]);
    expect(bundle.calls).toEqual(['ack']);
  });

  it('sends a nacked item back alone, waiting since the bundle was published', async () => {
    const bundle = delivered(['{"a":1}', '{"b":2}']);
    const [first, second] = itemsOf(bundle, host());
    await first.nack();
    await second.ack();
    expect(broker.published).toHaveLength(1);
    expect(broker.published[0].topic).toBe('persistent://public/default/bank.movements');
    expect(broker.published[0].messages[0]).toMatchObject({
      payload: Buffer.from('{"a":1}'),
      key: 'bucket:7',
      properties: { [WAITING_SINCE_PROPERTY]: '1700000000000', [BUNDLE_ITEM_PROPERTY]: '1/2' },
    });
    expect(bundle.calls).toEqual(['ack']);
  });

  it('nacks the whole bundle when an item cannot be sent back, so nothing is lost', async () => {
    const bundle = delivered(['{"a":1}', '{"b":2}']);
    const [first, second] = itemsOf(bundle, host());
    broker.failing = true;
    await expect(first.nack()).rejects.toThrow('Pulsar is not reachable');
    await second.ack();
    expect(bundle.calls).toEqual(['nack']);
    expect(first.settled).toBe(true);
  });

  it('makes items stale with their bundle, and then sends no copy and no dead letter of them', async () => {
    const bundle = delivered(['{"a":1}', '{"b":2}']);
    let stale = false;
    Object.defineProperty(bundle, 'stale', { get: () => stale });
    const items = itemsOf(bundle, host());
    expect(items.map((i) => i.stale)).toEqual([false, false]);
    stale = true;
    expect(items.map((i) => i.stale)).toEqual([true, true]);
    await expect(items[0].nack()).rejects.toThrow(/connection it came on is gone/);
    await expect(items[1].deadLetter('bad')).rejects.toThrow(/connection it came on is gone/);
    expect(broker.published).toEqual([]);
    // Pulsar delivers the bundle again whole; settling it here can only be a nack, which the
    // transport refuses for a stale message as well.
    expect(bundle.calls).toEqual(['nack']);
  });

  it('dead-letters a bundle of more lines than allowed, whole, with the rule', async () => {
    const bundle = delivered(Array.from({ length: MAX_BUNDLE_ITEMS + 1 }, () => '{}'));
    expect(itemsOf(bundle, host())).toEqual([]);
    await until(() => bundle.calls.length > 0, 'the dead letter');
    expect(bundle.calls).toEqual([
      `deadLetter: a bundle must not hold more than ${MAX_BUNDLE_ITEMS} envelopes (one per line)`,
    ]);
  });
});

let ids = 0;
const meta = () => ({ id: `b-${(ids += 1)}`, occurredAt: 1_735_689_600_000 });

describe('IngestWorker with bundles (memory broker, memory graph)', () => {
  let broker: MemoryBroker;
  let store: FlakyGraphStore;
  let worker: IngestWorker;

  beforeEach(async () => {
    broker = new MemoryBroker();
    store = new FlakyGraphStore();
    worker = new IngestWorker(
      broker,
      store,
      new ThresholdDetector(1_000_000),
      streamingConfig({ PULSAR_MAX_REDELIVER_COUNT: '1' }),
      { ...DEFAULT_INGEST_OPTIONS, batchSize: 10, batchWindowMs: 20, holdMissingMs: 200 },
      new RecordingLogger(),
    );
    await worker.start();
  });

  afterEach(async () => {
    await worker.stop();
    await broker.close();
  });

  it('writes every valid envelope of its bundles once and dead-letters exactly the bad ones, alone', async () => {
    const bundle = (messages: OutgoingMessage[], keyBuckets: number) =>
      bundleMessages(messages, { maxItems: 50, keyBuckets });
    const depth = 10_000;
    const nested = `{"type":"vertex.upsert","version":1,"id":"p","occurredAt":1,"payload":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const entities = bundle(
      [
        vertexUpsertMessage(person(1), meta()),
        ...[1, 2, 3].map((n) => vertexUpsertMessage(account(n), meta())),
        { payload: nested, key: 'account:b1:1' },
        edgeUpsertMessage(holds(1, 1), meta()),
      ],
      1,
    );
    expect(entities.length).toBeLessThan(6);
    await broker.publish('bank.entities', entities);
    store.failEdgeWrite = (batch) =>
      batch.some((edge) => edge.eid === 'mv:test:4') ? new Error('choked on mv:test:4') : undefined;
    // Movement 9 pays an account that only comes later.
    const movements = bundle(
      [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) =>
        movementMessage(
          n === 9 ? movement(9, 1, 4) : movement(n, 1 + (n % 3), 1 + ((n + 1) % 3)),
          meta(),
        ),
      ),
      2,
    );
    expect(movements.length).toBeLessThan(9);
    await broker.publish('bank.movements', movements);
    await until(() => worker.counters.written >= 5 + 7, 'the valid envelopes but movement 9');
    await broker.publish('bank.entities', [vertexUpsertMessage(account(4), meta())]);
    await until(
      () => worker.counters.written === 6 + 8 && worker.counters.deadLettered === 2,
      'every envelope to be settled',
    );
    for (const n of [1, 2, 3, 5, 6, 7, 8, 9])
      expect(await store.getEdge(`mv:test:${n}`)).toBeDefined();
    expect(await store.getEdge('mv:test:4')).toBeUndefined();
    expect(await store.counts()).toMatchObject({ vertices: { Account: 4, Person: 1 } });
    const dead = await broker.readAll('bank.dead-letter', { idleMs: 0 });
    const reasons = dead.map((d) => [
      d.properties[DLQ_PROPERTIES.reason],
      d.properties[DLQ_PROPERTIES.originMessageId],
    ]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        [
          'message must not nest objects and arrays deeper than 32 levels',
          expect.stringMatching(/#5$/),
        ],
        [
          'still failing after 1 redeliveries: the graph write failed: Error: choked on mv:test:4',
          expect.any(String),
        ],
      ]),
    );
    expect(dead).toHaveLength(2);
    const poison = dead.find((d) => d.properties[DLQ_PROPERTIES.reason]?.includes('mv:test:4'));
    expect(JSON.parse(poison?.payload.toString() ?? '{}')).toMatchObject({
      payload: { movementId: 'mv:test:4' },
    });
  });
});
