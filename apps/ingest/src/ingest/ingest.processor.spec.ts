import type { GraphVertex, Movement } from '@app/vocabulary';
import { FixedClock, pseudonymFor } from '@app/vocabulary';
import {
  edgeUpsertMessage,
  MemoryBroker,
  movementMessage,
  vertexUpsertMessage,
} from '@app/streaming';
import type { OutgoingMessage, ReceivedMessage } from '@app/streaming';
import {
  account,
  FlakyGraphStore,
  holds,
  movement,
  person,
  RecordingLogger,
  ThresholdDetector,
} from './ingest.fixtures';
import { NoIngestMetrics } from './ingest.metrics';
import { IngestProcessor } from './ingest.processor';
import type { PreparedBatch } from './ingest.processor';
import { emptyCounters, MessageSettler } from './message-settler';

/** The memory store, counting vertex reads too. */
class CountingStore extends FlakyGraphStore {
  vertexReads = 0;

  override async getVertices(uids: readonly string[]): Promise<GraphVertex[]> {
    this.vertexReads += 1;
    return super.getVertices(uids);
  }
}

/** One delivery of `outgoing`, counting how often its payload is read. */
function delivery(
  outgoing: OutgoingMessage,
  topic: string,
  n: number,
): ReceivedMessage & { payloadReads: number } {
  const bytes = Buffer.from(outgoing.payload);
  const message = {
    payloadReads: 0,
    messageId: `m-${n}`,
    topic,
    get payload(): Buffer {
      message.payloadReads += 1;
      return bytes;
    },
    key: outgoing.key,
    properties: outgoing.properties ?? {},
    publishTime: 1_750_000_000_000,
    redeliveryCount: 0,
    settled: false,
    ack: () => Promise.resolve(),
    nack: () => Promise.resolve(),
    deadLetter: () => Promise.resolve(),
  };
  return message;
}

const meta = (n: number) => ({ id: `p-${n}`, occurredAt: 1_735_689_600_000 });

function outcomes(prepared: PreparedBatch): string[] {
  return prepared.settlements.map(({ message, outcome }) =>
    outcome.kind === 'missing'
      ? `${message.messageId} missing ${outcome.missing.join(',')}`
      : `${message.messageId} ${outcome.kind}`,
  );
}

/**
 * A processor over `store` with a memory broker, the settler's usual settings and a clock fixed
 * at `now` (the processor's too).
 */
function processorOver(
  store: FlakyGraphStore,
  { versionMemory = 100, now = 1_750_000_000_000 }: { versionMemory?: number; now?: number } = {},
): IngestProcessor {
  const broker = new MemoryBroker();
  const counters = emptyCounters();
  const logger = new RecordingLogger();
  const metrics = new NoIngestMetrics();
  const clock = new FixedClock(now);
  const settler = new MessageSettler(
    broker,
    { maxRedeliverCount: 3, missingEntityWaitMs: 60_000 },
    counters,
    metrics,
    logger,
    clock,
    () => 0,
  );
  return new IngestProcessor(
    store,
    broker,
    new ThresholdDetector(1_000_000),
    settler,
    counters,
    { alertsTopic: 'bank.alerts', detectedMemory: 100, versionMemory },
    logger,
    metrics,
    clock,
  );
}

describe('IngestProcessor preparing messages tried more than once', () => {
  let store: CountingStore;
  let processor: IngestProcessor;

  beforeEach(() => {
    store = new CountingStore();
    processor = processorOver(store);
  });

  it('decodes a delivery once however often it is prepared, and a new delivery again', async () => {
    const outgoing = movementMessage(movement(1, 1, 2), meta(1));
    const held = delivery(outgoing, 'bank.movements', 1);
    expect(outcomes(await processor.prepareMovements([held]))).toEqual([
      'm-1 missing account:b1:1,account:b1:2',
    ]);
    expect(outcomes(await processor.prepareMovements([held]))).toEqual([
      'm-1 missing account:b1:1,account:b1:2',
    ]);
    await store.upsertVertices([account(1), account(2)]);
    expect(outcomes(await processor.prepareMovements([held]))).toEqual(['m-1 written']);
    expect(held.payloadReads).toBe(1);

    const again = delivery(outgoing, 'bank.movements', 2);
    expect(outcomes(await processor.prepareMovements([again]))).toEqual(['m-2 written']);
    expect(again.payloadReads).toBe(1);
  });

  it('keeps an invalid delivery invalid without decoding it again', async () => {
    const bad = delivery({ payload: '{"type":', key: 'k', properties: {} }, 'bank.movements', 1);
    const first = await processor.prepareMovements([bad]);
    const second = await processor.prepareMovements([bad]);
    expect(outcomes(first)).toEqual(['m-1 invalid']);
    expect(second.settlements[0].outcome).toEqual(first.settlements[0].outcome);
    expect(bad.payloadReads).toBe(1);
  });

  it('tries a held movement whose accounts are still missing with one read and no write', async () => {
    const held = delivery(movementMessage(movement(1, 1, 2), meta(1)), 'bank.movements', 1);
    const first = await processor.prepareMovements([held]);
    const writes = store.edgeWrites;
    const reads = store.vertexReads;
    expect(writes).toBeGreaterThan(0);

    const second = await processor.prepareMovements([held]);
    expect(store.edgeWrites).toBe(writes);
    expect(store.vertexReads).toBe(reads + 1);
    // The same outcome as the try that asked the store to write it: reason included.
    expect(second.settlements[0].outcome).toEqual(first.settlements[0].outcome);
    expect(await store.getEdge('mv:test:1')).toBeUndefined();
  });

  it('writes a held movement again once one of the accounts it lacked has arrived', async () => {
    const held = delivery(movementMessage(movement(1, 1, 2), meta(1)), 'bank.movements', 1);
    await processor.prepareMovements([held]);
    await store.upsertVertices([account(1)]);
    const writes = store.edgeWrites;
    expect(outcomes(await processor.prepareMovements([held]))).toEqual([
      'm-1 missing account:b1:2',
    ]);
    expect(store.edgeWrites).toBe(writes + 1);

    await store.upsertVertices([account(2)]);
    expect(outcomes(await processor.prepareMovements([held]))).toEqual(['m-1 written']);
    expect(await store.getEdge('mv:test:1')).toMatchObject({ from: 'account:b1:1' });
  });

  it('writes the new movements of a batch while a held one beside them still waits', async () => {
    await store.upsertVertices([account(1), account(2)]);
    const held = delivery(movementMessage(movement(1, 1, 9), meta(1)), 'bank.movements', 1);
    await processor.prepareMovements([held]);
    const fresh = delivery(movementMessage(movement(2, 1, 2), meta(2)), 'bank.movements', 2);
    expect(outcomes(await processor.prepareMovements([held, fresh]))).toEqual([
      'm-1 missing account:b1:9',
      'm-2 written',
    ]);
    expect(await store.getEdge('mv:test:2')).toBeDefined();
    expect(await store.getEdge('mv:test:1')).toBeUndefined();
  });

  it('treats held entity edges the same way, and writes them once their vertex comes', async () => {
    await store.upsertVertices([account(1)]);
    const edge = delivery(edgeUpsertMessage(holds(1, 1), meta(1)), 'bank.entities', 1);
    expect(outcomes(await processor.prepareEntities([edge]))).toEqual([
      'm-1 missing person:test:1',
    ]);
    const writes = store.edgeWrites;
    expect(outcomes(await processor.prepareEntities([edge]))).toEqual([
      'm-1 missing person:test:1',
    ]);
    expect(store.edgeWrites).toBe(writes);

    // The person arrives in the same batch as the edge's next try: vertices are written first.
    const vertex = delivery(vertexUpsertMessage(person(1), meta(2)), 'bank.entities', 2);
    expect(outcomes(await processor.prepareEntities([vertex, edge]))).toEqual([
      'm-2 written',
      'm-1 written',
    ]);
    expect(edge.payloadReads).toBe(1);
  });
});

describe('IngestProcessor writing versions of one vertex out of order', () => {
  let store: FlakyGraphStore;
  let processor: IngestProcessor;
  const at = (minute: number) => ({
    id: `v-${minute}`,
    occurredAt: 1_735_689_600_000 + minute * 60_000,
  });
  const named = (name: string): GraphVertex => ({
    ...person(1),
    props: { ...person(1).props, name },
  });

  beforeEach(() => {
    store = new FlakyGraphStore();
    processor = processorOver(store, { versionMemory: 2 });
  });

  it('does not write a version older than one it wrote (a late redelivery), and writes an equal or newer one', async () => {
    const entity = (vertex: GraphVertex, minute: number, n: number) =>
      delivery(vertexUpsertMessage(vertex, at(minute)), 'bank.entities', n);
    expect(outcomes(await processor.prepareEntities([entity(named('B'), 2, 1)]))).toEqual([
      'm-1 written',
    ]);
    expect(outcomes(await processor.prepareEntities([entity(named('A'), 1, 2)]))).toEqual([
      'm-2 superseded',
    ]);
    expect((await store.getVertex(person(1).uid))?.props).toMatchObject({ name: 'B' });
    // The same time again is not older: written (the later delivery last, as without times).
    expect(outcomes(await processor.prepareEntities([entity(named('C'), 2, 3)]))).toEqual([
      'm-3 written',
    ]);
    expect(outcomes(await processor.prepareEntities([entity(named('D'), 3, 4)]))).toEqual([
      'm-4 written',
    ]);
    expect((await store.getVertex(person(1).uid))?.props).toMatchObject({ name: 'D' });
  });

  it('writes the version that happened last when one batch holds several, whatever their order', async () => {
    const batch = [
      delivery(vertexUpsertMessage(named('B'), at(2)), 'bank.entities', 1),
      delivery(vertexUpsertMessage(named('A'), at(1)), 'bank.entities', 2),
    ];
    expect(outcomes(await processor.prepareEntities(batch))).toEqual([
      'm-1 written',
      'm-2 written',
    ]);
    expect((await store.getVertex(person(1).uid))?.props).toMatchObject({ name: 'B' });
  });

  it('remembers only the most recently written versionMemory elements', async () => {
    const other = (n: number): GraphVertex => ({ ...person(n), props: { ...person(n).props } });
    await processor.prepareEntities([
      delivery(vertexUpsertMessage(named('B'), at(2)), 'bank.entities', 1),
    ]);
    // Two other vertices written since: person 1's version is forgotten (versionMemory 2).
    await processor.prepareEntities([
      delivery(vertexUpsertMessage(other(2), at(2)), 'bank.entities', 2),
      delivery(vertexUpsertMessage(other(3), at(2)), 'bank.entities', 3),
    ]);
    expect(
      outcomes(
        await processor.prepareEntities([
          delivery(vertexUpsertMessage(named('A'), at(1)), 'bank.entities', 4),
        ]),
      ),
    ).toEqual(['m-4 written']);
  });

  it('names what entity messages write (vertex uid, edge eid) as their order keys, and nothing for an undecodable one', () => {
    const keys = processor.entityKeys([
      delivery(vertexUpsertMessage(named('B'), at(1)), 'bank.entities', 1),
      delivery(edgeUpsertMessage(holds(1, 1), at(1)), 'bank.entities', 2),
      delivery({ payload: '{"type":', key: 'k', properties: {} }, 'bank.entities', 3),
    ]);
    expect([...keys]).toEqual([`v ${person(1).uid}`, `e ${holds(1, 1).eid}`]);
  });
});

describe('IngestProcessor and entity messages dated in the future', () => {
  const NOW = 1_750_000_000_000;
  let store: FlakyGraphStore;
  let processor: IngestProcessor;
  const named = (name: string): GraphVertex => ({
    ...person(1),
    props: { ...person(1).props, name },
  });

  beforeEach(() => {
    store = new FlakyGraphStore();
    processor = processorOver(store, { now: NOW });
  });

  it('refuses a version dated later than the clock allows, so it cannot hide the real updates after it', async () => {
    // A producer that sent microseconds: the version looks 55,000 years newer than any other.
    const micros = delivery(
      vertexUpsertMessage(named('Wrong'), { id: 'v-us', occurredAt: NOW * 1_000 }),
      'bank.entities',
      1,
    );
    const prepared = await processor.prepareEntities([micros]);
    expect(prepared.settlements.map((s) => s.outcome)).toEqual([
      {
        kind: 'invalid',
        reason:
          "occurredAt must not be more than 5 minutes after this worker's clock (was +057425-04-17T15:06:40.000Z, " +
          `clock 2025-06-15T15:06:40.000Z): a version dated in the future would hide every later ` +
          'update of its vertex or edge; occurredAt is epoch milliseconds',
      },
    ]);
    expect(await store.getVertex(person(1).uid)).toBeUndefined();
    // The real updates that follow are written, not superseded.
    const real = delivery(
      vertexUpsertMessage(named('Right'), { id: 'v-ms', occurredAt: NOW - 1_000 }),
      'bank.entities',
      2,
    );
    expect(outcomes(await processor.prepareEntities([real]))).toEqual(['m-2 written']);
    expect((await store.getVertex(person(1).uid))?.props).toMatchObject({ name: 'Right' });
  });

  it('refuses a version dated in epoch seconds with the reason, instead of passing it over as superseded', async () => {
    const inMs = delivery(
      vertexUpsertMessage(named('First'), { id: 'v-ms', occurredAt: NOW - 60_000 }),
      'bank.entities',
      1,
    );
    expect(outcomes(await processor.prepareEntities([inMs]))).toEqual(['m-1 written']);
    // The later update, from a producer that sends seconds: as milliseconds it is in 1970.
    const inSeconds = delivery(
      vertexUpsertMessage(named('Later'), { id: 'v-s', occurredAt: NOW / 1_000 }),
      'bank.entities',
      2,
    );
    const prepared = await processor.prepareEntities([inSeconds]);
    expect(prepared.settlements.map((s) => s.outcome)).toEqual([
      {
        kind: 'invalid',
        reason:
          'occurredAt must be epoch milliseconds, 100000000000 (1973-03-03T09:46:40.000Z) or later ' +
          '(was 1750000000, 1970-01-21T06:06:40.000Z read as milliseconds; epoch seconds?): a version ' +
          'dated that early would count as older than every other version of its vertex or edge and be passed over',
      },
    ]);
    expect((await store.getVertex(person(1).uid))?.props).toMatchObject({ name: 'First' });
  });

  it('writes a version up to five minutes ahead of the clock (clocks differ a little) and refuses one a millisecond later', async () => {
    const ahead = (ms: number, n: number) =>
      delivery(
        vertexUpsertMessage(named(`v${n}`), { id: `v-${n}`, occurredAt: NOW + ms }),
        'bank.entities',
        n,
      );
    expect(outcomes(await processor.prepareEntities([ahead(5 * 60_000, 1)]))).toEqual([
      'm-1 written',
    ]);
    const [late] = (await processor.prepareEntities([ahead(5 * 60_000 + 1, 2)])).settlements;
    expect(late.outcome.kind).toBe('invalid');
    expect(late.outcome.kind === 'invalid' ? late.outcome.reason : '').toContain(
      '(was 2025-06-15T15:11:40.001Z, clock 2025-06-15T15:06:40.000Z)',
    );
  });
});

describe('IngestProcessor and movements dated in the future', () => {
  const NOW = 1_750_000_000_000;
  const DAY = 86_400_000;

  it('writes a movement dated up to seven days ahead (a value date) and dead-letters one in microseconds', async () => {
    const store = new FlakyGraphStore();
    const processor = processorOver(store, { now: NOW });
    await store.upsertVertices([account(1), account(2)]);
    const dated = (n: number, timestamp: number) =>
      delivery(movementMessage({ ...movement(n, 1, 2), timestamp }, meta(n)), 'bank.movements', n);
    const prepared = await processor.prepareMovements([
      dated(1, NOW + 7 * DAY),
      dated(2, NOW * 1_000),
      dated(3, NOW + 7 * DAY + 1),
    ]);
    const byId = new Map(prepared.settlements.map((s) => [s.message.messageId, s.outcome]));
    expect(byId.get('m-1')?.kind).toBe('written');
    expect(byId.get('m-2')).toEqual({
      kind: 'invalid',
      reason:
        "payload.timestamp must not be more than 7 days after this worker's clock " +
        '(was +057425-04-17T15:06:40.000Z, clock 2025-06-15T15:06:40.000Z); timestamp is epoch ' +
        'milliseconds, and a value this far ahead is usually microseconds or a wrong year',
    });
    expect(byId.get('m-3')?.kind).toBe('invalid');
    expect(await store.getEdge(movement(2, 1, 2).movementId)).toBeUndefined();
    expect(
      prepared.activities.map((a) => (a.type === 'movement' ? a.movement.movementId : '')),
    ).toEqual([movement(1, 1, 2).movementId]);
  });
});

describe('IngestProcessor and currencies without a rate', () => {
  it('dead-letters a movement whose currency has no rate into the base currency, with the reason, and writes the rest', async () => {
    const store = new FlakyGraphStore();
    const processor = processorOver(store);
    await store.upsertVertices([account(1), account(2)]);
    const clp = { ...movement(2, 1, 2), currency: 'CLP' };
    const prepared = await processor.prepareMovements([
      delivery(movementMessage(movement(1, 1, 2), meta(1)), 'bank.movements', 1),
      delivery(movementMessage(clp, meta(2)), 'bank.movements', 2),
    ]);
    const byId = new Map(prepared.settlements.map((s) => [s.message.messageId, s.outcome]));
    expect(byId.get('m-1')?.kind).toBe('written');
    expect(byId.get('m-2')).toEqual({
      kind: 'invalid',
      reason: expect.stringContaining(
        'payload.currency: No exchange rate from CLP to USD on or before 2025-01-01',
      ) as unknown,
    });
    expect(await store.getEdge(clp.movementId)).toBeUndefined();
  });
});

describe('IngestProcessor and an erased person', () => {
  it('writes an entity message about an erased person without bringing the personal data back', async () => {
    const store = new FlakyGraphStore();
    const processor = processorOver(store);
    const full = person(1);
    // As POST /subjects/{id}/erase leaves it (GDPR Art. 17).
    await store.upsertVertices([
      {
        label: 'Person',
        uid: full.uid,
        props: { name: pseudonymFor(full.uid), isPep: false, isSanctioned: false },
      },
    ]);
    // The core banking system sends the customer again, with the sanctions flag now set.
    const update: GraphVertex = { ...full, props: { ...full.props, isSanctioned: true } };
    expect(
      outcomes(
        await processor.prepareEntities([
          delivery(vertexUpsertMessage(update, meta(1)), 'bank.entities', 1),
        ]),
      ),
    ).toEqual(['m-1 written']);
    expect(await store.getVertex(full.uid)).toEqual({
      label: 'Person',
      uid: full.uid,
      props: { name: pseudonymFor(full.uid), isPep: false, isSanctioned: true },
    });
  });
});

describe('IngestProcessor and a movement id used twice with other values', () => {
  let store: FlakyGraphStore;
  let processor: IngestProcessor;
  const deliver = (m: Movement, n: number) =>
    delivery(movementMessage(m, meta(n)), 'bank.movements', n);
  const reasonOf = (prepared: PreparedBatch, n: number): string | undefined => {
    const found = prepared.settlements.find((s) => s.message.messageId === `m-${n}`);
    return found?.outcome.kind === 'invalid' ? found.outcome.reason : found?.outcome.kind;
  };

  beforeEach(async () => {
    store = new FlakyGraphStore();
    processor = processorOver(store);
    await store.upsertVertices([account(1), account(2)]);
  });

  it('keeps the stored movement and dead-letters a later message with the same id and another amount', async () => {
    const first = movement(1, 1, 2, 1_000);
    expect(outcomes(await processor.prepareMovements([deliver(first, 1)]))).toEqual([
      'm-1 written',
    ]);
    const second = await processor.prepareMovements([
      deliver({ ...first, amountMinor: 99_999_999 }, 2),
      deliver(first, 3),
    ]);
    expect(reasonOf(second, 2)).toBe(
      `payload.movementId ${first.movementId} is stored already with other values (kept as stored); ` +
        'a movement is written once and never changed: send a correction under a movementId of its own',
    );
    expect(second.activities).toEqual([]);
    expect((await store.getEdge(first.movementId))?.props).toMatchObject({ amountMinor: 1_000 });
  });

  it('writes the first of two messages of one batch with the same id and other values, and refuses the second', async () => {
    const first = movement(2, 1, 2, 111);
    const prepared = await processor.prepareMovements([
      deliver(first, 1),
      deliver({ ...first, amountMinor: 222 }, 2),
      deliver(first, 3),
    ]);
    expect(reasonOf(prepared, 1)).toBe('written');
    expect(reasonOf(prepared, 3)).toBe('written');
    expect(reasonOf(prepared, 2)).toBe(
      `payload.movementId ${first.movementId} is used by an earlier message of this batch with other values; ` +
        'a movement is written once and never changed: send a correction under a movementId of its own',
    );
    expect((await store.getEdge(first.movementId))?.props).toMatchObject({ amountMinor: 111 });
  });
});
