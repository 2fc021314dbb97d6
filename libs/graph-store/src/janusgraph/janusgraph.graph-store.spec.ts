import { Test } from '@nestjs/testing';
import type { ModuleRef } from '@nestjs/core';
import { process as gremlinProcess } from 'gremlin';
import {
  GremlinConnection,
  GremlinRequestOptions,
  GremlinResponseError,
  JanusGraphClient,
  JanusGraphClientConfig,
  JanusGraphQueryError,
} from '@app/janusgraph';
import { BatchRejectedError, ConflictError } from '@app/vocabulary';
import type { GraphEdge, GraphVertex } from '@app/vocabulary';
import { JanusGraphGraphStore } from './janusgraph.graph-store';
import { janusGraphStoreFactory } from './janusgraph.graph-store.factory';

/*
 * Round-trip accounting of the adapter with a scripted connection (the behaviour on a real
 * server is covered by the contract suite in janusgraph.graph-store.int-spec.ts).
 */

type Bytecode = gremlinProcess.Bytecode;

class ScriptedConnection implements GremlinConnection {
  readonly sent: Bytecode[] = [];
  answers: (unknown[] | Error)[] = [];
  /** Answers write requests (see `answerWrites`) when set; other requests take `answers`. */
  writes: ((rows: Map<string, unknown>[]) => unknown[] | Error) | undefined;
  /** Called as each request is answered (tests move their clock here). */
  onAnswer: (() => void) | undefined;
  inFlight = 0;
  maxInFlight = 0;
  isOpen = true;
  private closeListeners: ((code: number, reason: string) => void)[] = [];
  open(): Promise<void> {
    return Promise.resolve();
  }
  async submit(
    message: Bytecode | string,
    _bindings: unknown,
    _options: GremlinRequestOptions,
  ): Promise<unknown[]> {
    if (typeof message !== 'string') this.sent.push(message);
    const rows = typeof message === 'string' ? undefined : rowsOf(message);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    // Answer on a later turn, so that the store can have several requests in flight.
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight -= 1;
    this.onAnswer?.();
    const answer =
      rows !== undefined && this.writes !== undefined
        ? this.writes(rows)
        : (this.answers.shift() ?? []);
    if (answer instanceof Error) throw answer;
    return answer;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  onClose(listener: (code: number, reason: string) => void): void {
    this.closeListeners.push(listener);
  }
  /** What the pool sees when the server goes away. */
  simulateClose(code = 1006): void {
    for (const listener of this.closeListeners) listener(code, 'simulated');
  }
}

/** The vertex ids a `g.V(ids)` request asks for (its first source instruction's arguments). */
function vertexIdsAskedFor(bytecode: Bytecode): unknown[] {
  const steps = (bytecode as unknown as Instructions).stepInstructions;
  const first = steps[0];
  return first !== undefined && first[0] === 'V' ? first.slice(1) : [];
}

interface Instructions {
  sourceInstructions: unknown[][];
  stepInstructions: unknown[][];
}

/** The steps of a request as JSON text, to find what it does. */
function stepsOf(bytecode: Bytecode): string {
  return JSON.stringify((bytecode as unknown as Instructions).stepInstructions);
}

/** The argument of a request's `limit` step, or undefined. */
function limitOf(bytecode: Bytecode): unknown {
  const steps = (bytecode as unknown as Instructions).stepInstructions;
  return steps.find((step) => step[0] === 'limit')?.[1];
}

/** The items of an upsert write request (its `inject(rows)` argument), or undefined. */
function rowsOf(bytecode: Bytecode): Map<string, unknown>[] | undefined {
  const steps = (bytecode as unknown as Instructions).stepInstructions;
  const first = steps[0];
  const rows = first !== undefined && first[0] === 'inject' ? first[1] : undefined;
  return Array.isArray(rows) && rows.every((row) => row instanceof Map)
    ? (rows as Map<string, unknown>[])
    : undefined;
}

/** What a created vertex answers: its uid and the vertex id it got. */
const createdVertex = (uid: unknown, id: number): Map<string, unknown> =>
  new Map<string, unknown>([
    ['created', uid],
    ['id', id],
  ]);

/** What a server that creates every item answers: uid and id of a vertex, eid of an edge. */
const createEverything = (rows: Map<string, unknown>[]): unknown[] =>
  rows.map((row, i) => (row.has('eid') ? row.get('eid') : createdVertex(row.get('uid'), 1000 + i)));

/** Number of `sideEffect` steps of an update request: one per updated item. */
function writesIn(bytecode: Bytecode): number {
  const steps = (bytecode as unknown as Instructions).stepInstructions;
  return steps.filter((step) => step[0] === 'sideEffect').length;
}

const config: JanusGraphClientConfig = {
  host: 'graph.test',
  port: 8182,
  tls: false,
  tlsRejectUnauthorized: true,
  traversalSource: 'g',
  poolSize: 1,
  connectTimeoutMs: 1000,
  requestTimeoutMs: 1000,
  retryAttempts: 0,
  retryBaseDelayMs: 1,
  breakerThreshold: 5,
  breakerHalfOpenMs: 1000,
};

/**
 * A store on a scripted connection. Settling new keys (one read after each write that created
 * something) is off unless asked for, so that the round-trip counts below are of the writes.
 */
function setup(
  batchSize: number,
  writeConcurrency = 4,
  settleNewKeys = false,
  monotonicNow?: () => number,
) {
  const connection = new ScriptedConnection();
  const client = new JanusGraphClient(config, {
    connectionFactory: () => connection,
    logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const store = new JanusGraphGraphStore(client, {
    batchSize,
    writeConcurrency,
    settleNewKeys,
    monotonicNow,
  });
  return { connection, client, store };
}

/**
 * A store (one request in flight) whose clock moves only while a write request is answered, by
 * `timing.writeTakesMs` each time; `answerWrites` answers the write requests.
 */
function setupTimed(answerWrites: (rows: Map<string, unknown>[]) => unknown[]) {
  const timing = { clock: 0, writeTakesMs: 0 };
  const { connection, store } = setup(200, 1, false, () => timing.clock);
  connection.writes = (rows) => {
    timing.clock += timing.writeTakesMs;
    return answerWrites(rows);
  };
  return { connection, store, timing };
}

/** A store on a scripted connection to a JanusGraph without a mixed-index backend. */
function setupWithoutMixedIndex() {
  const connection = new ScriptedConnection();
  const client = new JanusGraphClient(
    { ...config, mixedIndexBackend: 'none' },
    {
      connectionFactory: () => connection,
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    },
  );
  const store = new JanusGraphGraphStore(client, { batchSize: 200, settleNewKeys: false });
  return { connection, store };
}

const person = (i: number): GraphVertex => ({
  label: 'Person',
  uid: `p${i}`,
  props: { name: `Person ${i}`, isPep: false, isSanctioned: false },
});

const uses = (eid: string, from: string, to: string): GraphEdge => ({
  label: 'USES',
  eid,
  from,
  to,
  props: { firstSeen: 1, lastSeen: 2 },
});

/** One row of the read of edge ends: uid, vertex id, label. */
const end = (uid: string, id: number, label: string): Map<string, unknown> =>
  new Map<string, unknown>([
    ['uid', uid],
    ['id', id],
    ['label', label],
  ]);

describe('JanusGraphGraphStore round trips', () => {
  it('writes a call of up to batchSize new vertices in one request, with no read before or after it', async () => {
    const { connection, store } = setup(200);
    connection.writes = createEverything;
    const batch = Array.from({ length: 150 }, (_unused, i) => person(i));
    await expect(store.upsertVertices(batch)).resolves.toEqual({
      created: 150,
      updated: 0,
      unchanged: 0,
    });
    expect(connection.sent).toHaveLength(1);
    expect(rowsOf(connection.sent[0])?.map((row) => row.get('uid'))).toEqual(
      batch.map((vertex) => vertex.uid),
    );
  });

  it('checks a larger call once, then writes batchSize items per request, writeConcurrency at a time', async () => {
    const { connection, store } = setup(100, 3);
    connection.answers.push([]); // the check: nothing stored yet
    connection.writes = createEverything;
    const batch = Array.from({ length: 950 }, (_unused, i) => person(i));
    await expect(store.upsertVertices(batch)).resolves.toEqual({
      created: 950,
      updated: 0,
      unchanged: 0,
    });
    expect(rowsOf(connection.sent[0])).toBeUndefined();
    expect(connection.sent.slice(1).map((bytecode) => rowsOf(bytecode)?.length)).toEqual([
      100, 100, 100, 100, 100, 100, 100, 100, 100, 50,
    ]);
    expect(connection.maxInFlight).toBe(3);
  });

  it('counts found vertices as unchanged or updated and sends only the changes, in one request', async () => {
    const { connection, store } = setup(200);
    const stored = (vertex: GraphVertex, name: string): Map<string, unknown> =>
      new Map<string, unknown>([
        ['uid', vertex.uid],
        ['label', 'Person'],
        [
          'props',
          new Map<string, unknown>([
            ['uid', vertex.uid],
            ['name', name],
            ['isPep', false],
            ['isSanctioned', false],
          ]),
        ],
      ]);
    connection.writes = (rows) =>
      rows.map((row, i) =>
        i === 0
          ? createdVertex(row.get('uid'), 1000)
          : stored(person(i), i === 1 ? 'Person 1' : 'Old name'),
      );
    connection.answers.push(['p0', 'p1', 'p2', 'p3']); // all of them are in the mixed index
    const batch = [person(0), person(1), person(2), person(3), person(1)];
    await expect(store.upsertVertices(batch)).resolves.toEqual({
      created: 1,
      updated: 2,
      unchanged: 2,
    });
    expect(connection.sent).toHaveLength(3);
    expect(rowsOf(connection.sent[0])).toHaveLength(4);
    expect(stepsOf(connection.sent[1])).toContain('["hasLabel","Person"]');
    expect(writesIn(connection.sent[2])).toBe(2);
  });

  describe('vertices an upsert finds already stored', () => {
    const storedPerson = (vertex: GraphVertex): Map<string, unknown> =>
      new Map<string, unknown>([
        ['uid', vertex.uid],
        ['label', 'Person'],
        ['props', new Map<string, unknown>(Object.entries({ uid: vertex.uid, ...vertex.props }))],
      ]);

    it('are looked up in their mixed index, and the ones it lacks are written again whole', async () => {
      const { connection, store } = setup(200);
      connection.writes = (rows) =>
        rows.map((row) => storedPerson(person(Number(String(row.get('uid')).slice(1)))));
      connection.answers.push(['p1']); // p2 is stored but missing from personSearch
      await expect(store.upsertVertices([person(1), person(2)])).resolves.toEqual({
        created: 0,
        updated: 0,
        unchanged: 2,
      });
      expect(connection.sent).toHaveLength(3);
      const lookUp = stepsOf(connection.sent[1]);
      expect(lookUp).toContain('["hasLabel","Person"]');
      expect(lookUp).toContain('["p1","p2"]');
      const rewrite = stepsOf(connection.sent[2]);
      expect(writesIn(connection.sent[2])).toBe(1);
      expect(rewrite).toContain('"p2"');
      expect(rewrite).not.toContain('"p1"');
      expect(rewrite).toContain('"uid","p2"'); // the uid too, the key of every listing
      expect(rewrite).toContain('"name","Person 2"');
    });

    it('are looked up when created by a write request that took half the request timeout or more, and written again whole when the index lacks them (the commit may have been cut short)', async () => {
      const { connection, store, timing } = setupTimed(createEverything);
      const created = { created: 2, updated: 0, unchanged: 0 };

      timing.writeTakesMs = 499; // config.requestTimeoutMs is 1000
      await expect(store.upsertVertices([person(0), person(1)])).resolves.toEqual(created);
      expect(connection.sent).toHaveLength(1); // the write only

      connection.sent.length = 0;
      timing.writeTakesMs = 500;
      connection.answers.push(['p2']); // p3 was stored, its mixed-index commit failed
      await expect(store.upsertVertices([person(2), person(3)])).resolves.toEqual(created);
      expect(connection.sent).toHaveLength(3);
      expect(stepsOf(connection.sent[1])).toContain('["p2","p3"]');
      const rewrite = stepsOf(connection.sent[2]);
      expect(writesIn(connection.sent[2])).toBe(1);
      expect(rewrite).toContain('"uid","p3"');
      expect(rewrite).toContain('"name","Person 3"');
      expect(rewrite).not.toContain('"p2"');
    });

    it('are not looked up without a mixed-index backend', async () => {
      const { connection, store } = setupWithoutMixedIndex();
      connection.writes = (rows) => rows.map(() => storedPerson(person(1)));
      await expect(store.upsertVertices([person(1)])).resolves.toEqual({
        created: 0,
        updated: 0,
        unchanged: 1,
      });
      expect(connection.sent).toHaveLength(1);
    });
  });

  it('stops sending write requests after one fails, tries that one once more, and reports the failure', async () => {
    const { connection, store } = setup(100, 1);
    let writes = 0;
    connection.writes = (rows) =>
      (writes += 1) >= 2
        ? new GremlinResponseError(597, 'rejected', undefined)
        : createEverything(rows);
    connection.answers.push([], [], []); // the check before writing, and the two explaining reads
    const batch = Array.from({ length: 450 }, (_unused, i) => person(i));
    await expect(store.upsertVertices(batch)).rejects.toBeInstanceOf(JanusGraphQueryError);
    const written = connection.sent.filter((bytecode) => rowsOf(bytecode) !== undefined);
    expect(written.map((bytecode) => rowsOf(bytecode)?.[0].get('uid'))).toEqual([
      'p0',
      'p100',
      'p100',
    ]);
  });

  it('fails loudly when the server answers for fewer items than it was sent', async () => {
    const { connection, store } = setup(200);
    connection.writes = (rows) => createEverything(rows).slice(1);
    await expect(store.upsertVertices([person(1), person(2)])).rejects.toThrow(
      'answered for 1 of 2 items',
    );
  });

  it('costs no round trip for an empty batch', async () => {
    const { connection, store } = setup(200);
    await expect(store.upsertVertices([])).resolves.toEqual({
      created: 0,
      updated: 0,
      unchanged: 0,
    });
    await expect(store.upsertEdges([])).resolves.toEqual({ created: 0, updated: 0, unchanged: 0 });
    expect(connection.sent).toHaveLength(0);
  });

  it('sends no write at all when one item of the batch is invalid', async () => {
    const { connection, store } = setup(200);
    const bad = {
      label: 'Person',
      uid: 'p-bad',
      props: { name: '', isPep: false, isSanctioned: false },
    } as GraphVertex;
    await expect(store.upsertVertices([person(1), bad])).rejects.toBeInstanceOf(BatchRejectedError);
    expect(connection.sent).toHaveLength(1);
  });

  it('refuses an edge request whose ends are not stored before writing it: a BatchRejectedError naming them', async () => {
    const { connection, store } = setup(200);
    connection.writes = createEverything;
    connection.answers.push(
      [], // the read of the ends finds neither
      [
        new Map<string, unknown>([
          ['edges', []],
          ['vertices', []],
        ]),
      ],
    );
    const error = await store.upsertEdges([uses('u1', 'acc-1', 'id-1')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchRejectedError);
    expect((error as BatchRejectedError).rejected[0].problems.map((p) => p.field)).toEqual([
      'from',
      'to',
    ]);
    expect(connection.sent).toHaveLength(2);
    expect(connection.sent.filter((bytecode) => rowsOf(bytecode) !== undefined)).toHaveLength(0);
  });

  it('reads the ends of an edge request once, then writes it with the ends given by vertex id', async () => {
    const { connection, store } = setup(200);
    connection.writes = createEverything;
    connection.answers.push([end('acc-1', 11, 'Account'), end('id-1', 12, 'Identifier')]);
    await expect(
      store.upsertEdges([uses('u1', 'acc-1', 'id-1'), uses('u2', 'acc-1', 'id-1')]),
    ).resolves.toEqual({ created: 2, updated: 0, unchanged: 0 });
    expect(connection.sent).toHaveLength(2);
    const rows = rowsOf(connection.sent[1]) ?? [];
    expect(rows.map((row) => row.get('eid'))).toEqual(['u1', 'u2']);
    const create = rows[0].get('create') as Map<unknown, unknown>;
    expect([...create.values()]).toEqual(expect.arrayContaining([11, 12]));
    expect(rows[0].has('from')).toBe(false);
  });

  describe('the ends an edge write found before', () => {
    const write = (eid: string, from = 'acc-1', to = 'id-1') => uses(eid, from, to);
    const ends = () => [end('acc-1', 11, 'Account'), end('id-1', 12, 'Identifier')];
    const writtenEndIds = (bytecode: Bytecode): unknown[] => {
      const create = (rowsOf(bytecode) ?? [])[0]?.get('create') as Map<unknown, unknown>;
      return [...create.values()].slice(1, 3); // after the label: the out and in vertex ids
    };
    /** A store that wrote one edge from acc-1 (vertex 11) to id-1 (vertex 12): it knows both. */
    const afterOneEdge = async () => {
      const fixture = setup(200);
      fixture.connection.writes = createEverything;
      fixture.connection.answers.push(ends());
      await fixture.store.upsertEdges([write('u1')]);
      fixture.connection.sent.length = 0;
      return fixture;
    };

    it('are not read again: the next write of edges between them sends the write alone', async () => {
      const { connection, store } = await afterOneEdge();
      await store.upsertEdges([write('u2')]);
      expect(connection.sent).toHaveLength(1);
      expect(writtenEndIds(connection.sent[0])).toEqual([11, 12]);
    });

    it('include the vertices an upsert created, as its settle read found them', async () => {
      const { connection, store } = setup(200, 4, true);
      connection.writes = createEverything;
      connection.answers.push([end('acc-1', 1000, 'Account'), end('id-1', 1001, 'Identifier')]);
      const account: GraphVertex = {
        label: 'Account',
        uid: 'acc-1',
        props: {
          accountType: 'personal',
          currency: 'GBP',
          openedAt: 0,
          status: 'active',
          bankId: 'bank-1',
          country: 'GB',
        },
      };
      const device: GraphVertex = {
        label: 'Identifier',
        uid: 'id-1',
        props: { kind: 'device', value: 'dev-1' },
      };
      await store.upsertVertices([account, device]);
      connection.sent.length = 0;
      await store.upsertEdges([write('u1')]);
      const endReads = connection.sent
        .map(stepsOf)
        .filter((steps) => steps.includes('["has","uid"'));
      expect(endReads).toEqual([]); // the write, then only the settle read of the new eid
      expect(writtenEndIds(connection.sent[0])).toEqual([1000, 1001]);
    });

    it('are read afresh and the write sent once more when it is refused (an end dropped since and written again)', async () => {
      const { connection, store } = await afterOneEdge();
      let refuse = true; // the next write only
      connection.writes = (rows) => {
        const refused = refuse;
        refuse = false;
        return refused
          ? new GremlinResponseError(500, 'Vertex id could not be resolved', undefined)
          : createEverything(rows);
      };
      connection.answers.push([end('acc-1', 21, 'Account'), end('id-1', 22, 'Identifier')]);
      await expect(store.upsertEdges([write('u2')])).resolves.toEqual({
        created: 1,
        updated: 0,
        unchanged: 0,
      });
      expect(connection.sent).toHaveLength(3); // the write with cached ends, the read, the write
      expect(writtenEndIds(connection.sent[0])).toEqual([11, 12]);
      expect(stepsOf(connection.sent[1])).toContain('"acc-1","id-1"');
      expect(writtenEndIds(connection.sent[2])).toEqual([21, 22]);
    });

    it('do not cause a second read when an end read just now is not stored (the part is refused as before)', async () => {
      const { connection, store } = await afterOneEdge();
      // id-9 is not stored: its read answers nothing; the check that explains it finds acc-1.
      connection.answers.push(
        [],
        [
          new Map<string, unknown>([
            ['edges', []],
            ['vertices', [end('acc-1', 11, 'Account')]],
          ]),
        ],
      );
      await expect(store.upsertEdges([write('u2', 'acc-1', 'id-9')])).rejects.toBeInstanceOf(
        BatchRejectedError,
      );
      const reads = connection.sent.map(stepsOf);
      expect(reads[0]).toContain('["id-9"]'); // only the end it had not met
      expect(reads.filter((steps) => steps.includes('"acc-1"'))).toHaveLength(1); // the check
    });

    it('are forgotten by clear() and when a connection to the server closes', async () => {
      const { connection, store } = setup(200);
      connection.writes = createEverything;
      const readsOfEnds = async (): Promise<number> => {
        connection.sent.length = 0;
        await store.upsertEdges([write('u1')]);
        return connection.sent.filter((bytecode) => rowsOf(bytecode) === undefined).length;
      };
      connection.answers.push(ends());
      expect(await readsOfEnds()).toBe(1);
      expect(await readsOfEnds()).toBe(0);
      await store.clear();
      connection.answers.push(ends());
      expect(await readsOfEnds()).toBe(1);
      connection.simulateClose();
      connection.answers.push(ends());
      expect(await readsOfEnds()).toBe(1);
    });
  });

  describe('settling keys another writer created at the same instant', () => {
    it('reads the uids a write created once more, and changes nothing when the index names the created vertices', async () => {
      const { connection, store } = setup(200, 4, true);
      connection.writes = createEverything;
      connection.answers.push([end('p0', 1000, 'Person'), end('p1', 1001, 'Person')]);
      await expect(store.upsertVertices([person(0), person(1)])).resolves.toEqual({
        created: 2,
        updated: 0,
        unchanged: 0,
      });
      expect(connection.sent).toHaveLength(2); // the write, the read of p0 and p1
      expect(stepsOf(connection.sent[1])).toContain('"p0","p1"');
    });

    it('merges a created vertex that the index does not name into the one it names', async () => {
      const { connection, store } = setup(200, 4, true);
      connection.writes = createEverything; // p0 gets 1000, p1 gets 1001
      connection.answers.push(
        [end('p0', 1000, 'Person'), end('p1', 7, 'Person')], // p1's index names vertex 7
        [], // the orphan 1001 has no edges
        [0], // the merge
      );
      await store.upsertVertices([person(0), person(1)]);
      expect(connection.sent).toHaveLength(4);
      expect(stepsOf(connection.sent[2])).toContain('["V",1001]'); // the orphan's edges
      const merge = stepsOf(connection.sent[3]);
      expect(merge).toContain('["V",1001]'); // the orphan, dropped
      expect(merge).toContain('["drop"]');
      expect(merge).toContain('["V",7]'); // the survivor, its uid written again
    });

    it('refuses an edge upsert that finds an eid stored twice as a conflict, after dropping the extra copy', async () => {
      const { connection, store } = setup(200, 4, true);
      const edge = uses('u1', 'acc-1', 'id-1');
      connection.answers.push([end('acc-1', 11, 'Account'), end('id-1', 12, 'Identifier')]);
      const found = new Map<string, unknown>([
        ['eid', 'u1'],
        ['label', 'USES'],
        ['from', 'acc-1'],
        ['to', 'id-1'],
        [
          'props',
          new Map<string, unknown>([
            ['firstSeen', 1],
            ['lastSeen', 2],
          ]),
        ],
      ]);
      connection.writes = () => [found, found]; // two edges hold u1
      connection.answers.push(['u1'], [1]); // the duplicate read, then the drop
      await expect(store.upsertEdges([edge])).rejects.toBeInstanceOf(ConflictError);
      expect(connection.sent).toHaveLength(4);
      expect(stepsOf(connection.sent[3])).toContain('["drop"]');
    });
  });

  describe('movements an upsert finds already stored', () => {
    const movement = (eid: string): GraphEdge => ({
      label: 'TRANSFERRED',
      eid,
      from: 'acc-1',
      to: 'acc-2',
      props: { amountMinor: 500, currency: 'GBP', timestamp: 10, channel: 'wire' },
    });
    const found = (eid: string): Map<string, unknown> =>
      new Map<string, unknown>([
        ['eid', eid],
        ['label', 'TRANSFERRED'],
        ['from', 'acc-1'],
        ['to', 'acc-2'],
        [
          'props',
          new Map<string, unknown>([
            ['amountMinor', 500],
            ['currency', 'GBP'],
            ['timestamp', 10],
            ['channel', 'wire'],
          ]),
        ],
      ]);
    it('are written again, unchanged, in one more request, so a missing mixed-index entry is mended', async () => {
      const { connection, store } = setup(200);
      connection.answers.push([end('acc-1', 11, 'Account'), end('acc-2', 12, 'Account')]);
      connection.writes = (rows) =>
        rows.map((row) => (row.get('eid') === 'm-new' ? 'm-new' : found(String(row.get('eid')))));
      connection.answers.push([2]);
      await expect(
        store.upsertEdges([movement('m-old-1'), movement('m-new'), movement('m-old-2')]),
      ).resolves.toEqual({ created: 1, updated: 0, unchanged: 2 });
      expect(connection.sent).toHaveLength(3);
      const reindex = stepsOf(connection.sent[2]);
      expect(reindex).toContain('["m-old-1","m-old-2"]');
      expect(reindex).not.toContain('m-new');
      expect(reindex).toContain('"property","timestamp"');
    });

    it('created by a write request that took half the request timeout or more are written again too (it may have been cut short)', async () => {
      const { connection, store, timing } = setupTimed((rows) => rows.map((row) => row.get('eid')));
      // The ends are read by the first call only; later calls find them in the store's cache.
      connection.answers.push([end('acc-1', 11, 'Account'), end('acc-2', 12, 'Account')]);
      const sentFor = async (edge: GraphEdge) => {
        connection.sent.length = 0;
        await expect(store.upsertEdges([edge])).resolves.toEqual({
          created: 1,
          updated: 0,
          unchanged: 0,
        });
        return connection.sent.map(stepsOf);
      };

      timing.writeTakesMs = 499; // config.requestTimeoutMs is 1000
      expect(await sentFor(movement('m-fast'))).toHaveLength(2); // the ends, the write

      timing.writeTakesMs = 500;
      const slow = await sentFor(movement('m-slow'));
      expect(slow).toHaveLength(2); // the write, the same movement written again
      expect(slow[1]).toContain('["m-slow"]');
      expect(slow[1]).toContain('"property","timestamp"');

      // Only movements have a mixed index to mend: a slow write of another edge is left alone.
      connection.answers.push([end('id-1', 13, 'Identifier')]);
      expect(await sentFor(uses('u-slow', 'acc-1', 'id-1'))).toHaveLength(2); // id-1, the write
    });

    it('are not written again without a mixed-index backend', async () => {
      const { connection, store } = setupWithoutMixedIndex();
      connection.answers.push([end('acc-1', 11, 'Account'), end('acc-2', 12, 'Account')]);
      connection.writes = (rows) => rows.map((row) => found(String(row.get('eid'))));
      await expect(store.upsertEdges([movement('m-old-1')])).resolves.toEqual({
        created: 0,
        updated: 0,
        unchanged: 1,
      });
      expect(connection.sent).toHaveLength(2);
    });
  });

  it('checks an edge call of several requests with one read and writes its requests with the ends it read', async () => {
    const { connection, store } = setup(2, 2);
    connection.writes = createEverything;
    connection.answers.push([
      new Map<string, unknown>([
        ['edges', []],
        ['vertices', [end('acc-1', 11, 'Account'), end('id-1', 12, 'Identifier')]],
      ]),
    ]);
    const batch = ['u1', 'u2', 'u3', 'u4', 'u5'].map((eid) => uses(eid, 'acc-1', 'id-1'));
    await expect(store.upsertEdges(batch)).resolves.toEqual({
      created: 5,
      updated: 0,
      unchanged: 0,
    });
    expect(connection.sent).toHaveLength(4); // the check, then 3 writes and no other read
    expect(connection.sent.slice(1).every((bytecode) => rowsOf(bytecode) !== undefined)).toBe(true);
  });

  it('refuses an edge whose stored end has a label the edge label does not allow, writing nothing', async () => {
    const { connection, store } = setup(200);
    connection.writes = createEverything;
    connection.answers.push(
      [end('acc-1', 11, 'Account'), end('id-1', 12, 'Account')],
      [
        new Map<string, unknown>([
          ['edges', []],
          [
            'vertices',
            [
              new Map([
                ['uid', 'acc-1'],
                ['label', 'Account'],
              ]),
              new Map([
                ['uid', 'id-1'],
                ['label', 'Account'],
              ]),
            ],
          ],
        ]),
      ],
    );
    const error = await store.upsertEdges([uses('u1', 'acc-1', 'id-1')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchRejectedError);
    expect(connection.sent.filter((bytecode) => rowsOf(bytecode) !== undefined)).toHaveLength(0);
  });

  it('looks the ends up by uid on the server when a vertex id is beyond what a number holds exactly', async () => {
    const { connection, store } = setup(200);
    connection.writes = createEverything;
    connection.answers.push([end('acc-1', 2 ** 60, 'Account'), end('id-1', 12, 'Identifier')]);
    await expect(store.upsertEdges([uses('u1', 'acc-1', 'id-1')])).resolves.toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
    });
    const rows = rowsOf(connection.sent[1]) ?? [];
    expect(rows[0].get('from')).toEqual(new Map([['uid', 'acc-1']]));
  });

  it('rethrows a refusal the stored graph does not explain, after sending the write once more', async () => {
    const { connection, store } = setup(200);
    let writes = 0;
    connection.writes = () => {
      writes += 1;
      return new GremlinResponseError(597, 'something else', {});
    };
    connection.answers.push([], []); // both explaining reads find nothing wrong
    await expect(store.upsertVertices([person(1)])).rejects.toThrow('something else');
    expect(writes).toBe(2);
  });

  it('writes an edge again, once, when its missing end was stored between the refusal and the look at the graph', async () => {
    const { connection, store } = setup(200);
    connection.writes = createEverything;
    const bothEnds = [end('acc-1', 11, 'Account'), end('id-1', 12, 'Identifier')];
    connection.answers.push(
      [end('id-1', 12, 'Identifier')], // the write's read of the ends: the account is missing
      [
        // the explaining read, a moment later: another writer has stored the account
        new Map<string, unknown>([
          ['edges', []],
          ['vertices', bothEnds],
        ]),
      ],
      bothEnds, // the second try's read of the ends
    );
    await expect(store.upsertEdges([uses('u1', 'acc-1', 'id-1')])).resolves.toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
    });
    const written = connection.sent.filter((bytecode) => rowsOf(bytecode) !== undefined);
    expect(written).toHaveLength(1);
    expect(rowsOf(written[0])?.map((row) => row.get('eid'))).toEqual(['u1']);
  });

  it('sends again only the requests of a call that were not answered before the refusal', async () => {
    const { connection, store } = setup(100, 1);
    const sentUids: unknown[][] = [];
    let refuseNext = false;
    connection.writes = (rows) => {
      sentUids.push(rows.map((row) => row.get('uid')));
      if (sentUids.length === 2) refuseNext = true;
      if (refuseNext) {
        refuseNext = false;
        return new GremlinResponseError(597, 'refused', undefined);
      }
      return createEverything(rows);
    };
    connection.answers.push([], []); // the check before writing, and the explaining read: all fine
    const batch = Array.from({ length: 250 }, (_unused, i) => person(i));
    await expect(store.upsertVertices(batch)).resolves.toMatchObject({ created: 250 });
    // Requests: p0-p99 answered, p100-p199 refused; then p100-p199 again and p200-p249.
    expect(sentUids.map((uids) => [uids[0], uids.length])).toEqual([
      ['p0', 100],
      ['p100', 100],
      ['p100', 100],
      ['p200', 50],
    ]);
  });

  it('reads the events of a long account list in one request per 1000 accounts, merged and cut at limit', async () => {
    const { connection, store } = setup(200);
    const row = (accountId: string, uid: string, timestamp: number): Map<string, unknown> =>
      new Map<string, unknown>([
        ['accountId', accountId],
        [
          'event',
          new Map<string, unknown>([
            ['uid', uid],
            ['label', 'Event'],
            [
              'props',
              new Map<string, unknown>([
                ['kind', 'login'],
                ['timestamp', timestamp],
              ]),
            ],
          ]),
        ],
      ]);
    connection.answers.push(
      [row('acc-1', 'event:b', 5)],
      [row('acc-1500', 'event:a', 5)],
      [row('acc-2000', 'event:c', 1)],
    );
    const accountIds = Array.from({ length: 2001 }, (_unused, i) => `acc-${i}`);
    const read = await store.getAccountEvents({ accountIds, from: 0, to: 10, limit: 2 });
    expect(connection.sent).toHaveLength(3);
    expect(read.map((r) => [r.accountId, r.event.uid])).toEqual([
      ['acc-2000', 'event:c'],
      ['acc-1500', 'event:a'],
    ]);
    expect(read[0].event).toEqual({
      label: 'Event',
      uid: 'event:c',
      props: { kind: 'login', timestamp: 1 },
    });
  });

  it('reads the holders of a long account list in one request per 1000 accounts', async () => {
    const { connection, store } = setup(200);
    const row = (accountId: string, holderUids: string[]): Map<string, unknown> =>
      new Map<string, unknown>([
        ['accountId', accountId],
        ['holderUids', holderUids],
      ]);
    connection.answers.push([row('acc-0', ['person:z', 'company:a'])], [], [row('acc-2000', [])]);
    const accountIds = Array.from({ length: 2001 }, (_unused, i) => `acc-${i}`);
    const holders = await store.getHolders([...accountIds, 'acc-0']);
    expect(connection.sent).toHaveLength(3);
    expect(holders.map((h) => h.accountId)).toEqual(accountIds);
    expect(holders[0]).toEqual({ accountId: 'acc-0', holderUids: ['company:a', 'person:z'] });
    expect(holders.slice(1).every((h) => h.holderUids.length === 0)).toBe(true);
  });

  it('reads a long edge id list in one request per 1000 eids, in the order asked', async () => {
    const { connection, store } = setup(200);
    const row = (eid: string): Map<string, unknown> =>
      new Map<string, unknown>([
        ['eid', eid],
        ['label', 'HAS_EVENT'],
        ['from', 'account:b:1'],
        ['to', `event:${eid}`],
        ['props', new Map<string, unknown>()],
      ]);
    connection.answers.push([row('e-999'), row('e-0')], [], [row('e-2000')]);
    const eids = Array.from({ length: 2001 }, (_unused, i) => `e-${i}`);
    const edges = await store.getEdges([...eids, 'e-0']);
    expect(connection.sent).toHaveLength(3);
    expect(edges.map((e) => e.eid)).toEqual(['e-0', 'e-999', 'e-2000']);
  });

  it('reads the uid of each movement end once: later pages take it from memory, a closed connection or clear() forgets it, a vanished end leaves its movement out', async () => {
    const { connection, store } = setup(200);
    const movementRow = (eid: string, fromId: number, toId: number) =>
      new Map<string, unknown>([
        ['eid', eid],
        ['fromId', fromId],
        ['toId', toId],
        [
          'props',
          new Map<string, unknown>([
            ['eid', [eid]],
            ['amountMinor', [1250]],
            ['currency', ['EUR']],
            ['timestamp', [5]],
            ['channel', ['wire']],
          ]),
        ],
      ]);
    const uidRow = (id: number, uid: string) =>
      new Map<string, unknown>([
        ['id', id],
        ['uid', uid],
      ]);
    const window = { from: 0, to: 10, limit: 10 };

    connection.answers.push(
      [movementRow('mv1', 1, 2), movementRow('mv2', 2, 3)],
      [uidRow(1, 'a1'), uidRow(2, 'a2'), uidRow(3, 'a3')],
    );
    const first = await store.scanMovements(window);
    expect(first.map((m) => [m.movementId, m.fromAccount, m.toAccount])).toEqual([
      ['mv1', 'a1', 'a2'],
      ['mv2', 'a2', 'a3'],
    ]);
    expect(first[0]).toMatchObject({ amountMinor: 1250, currency: 'EUR', channel: 'wire' });
    expect(connection.sent).toHaveLength(2);
    expect(vertexIdsAskedFor(connection.sent[1]).sort()).toEqual([1, 2, 3]);

    // Every end known: one request, no uid read.
    connection.answers.push([movementRow('mv3', 3, 1)]);
    const second = await store.getMovements({ accountIds: ['a3'], ...window, direction: 'out' });
    expect(second.map((m) => [m.fromAccount, m.toAccount])).toEqual([['a3', 'a1']]);
    expect(connection.sent).toHaveLength(3);

    // The server may have come back on other data: ids are read again. Id 9 no longer exists.
    connection.simulateClose();
    connection.answers.push(
      [movementRow('mv4', 1, 2), movementRow('mv5', 1, 9)],
      [uidRow(1, 'b1'), uidRow(2, 'b2')],
    );
    const third = await store.scanMovements(window);
    expect(third.map((m) => [m.movementId, m.fromAccount, m.toAccount])).toEqual([
      ['mv4', 'b1', 'b2'],
    ]);
    expect(vertexIdsAskedFor(connection.sent[4]).sort()).toEqual([1, 2, 9]);

    connection.answers.push([0], [movementRow('mv6', 1, 2)], [uidRow(1, 'c1'), uidRow(2, 'c2')]);
    await store.clear();
    const fourth = await store.scanMovements(window);
    expect(fourth.map((m) => [m.fromAccount, m.toAccount])).toEqual([['c1', 'c2']]);
    expect(connection.sent).toHaveLength(8);
  });

  it('clear() sizes each drop request by the time the one before took, so none nears the request timeout', async () => {
    const timing = { clock: 0 };
    const { connection, store } = setup(200, 4, false, () => timing.clock);
    // The request timeout is 1000 ms, so each drop aims at 100 ms.
    const tookMs = [500, 50, 10, 10, 10];
    connection.onAnswer = () => {
      timing.clock += tookMs.shift() ?? 0;
    };
    connection.answers.push([1000], [200], [400], [800], [30]);
    await store.clear();
    const limits = connection.sent.map(limitOf);
    // 1000 dropped in 500 ms: 200 next. 200 in 50 ms: 400 (at most twice the size before).
    // Then 800, then 1600; the last drop found fewer than it asked for, so the graph is empty.
    expect(limits).toEqual([1000, 200, 400, 800, 1600]);
  });

  it('clear() never asks for fewer than 100 or more than 5000 vertices at once', async () => {
    const timing = { clock: 0 };
    const { connection, store } = setup(200, 4, false, () => timing.clock);
    const tookMs = [100_000, 0, 0, 0, 0, 0, 0, 0];
    connection.onAnswer = () => {
      timing.clock += tookMs.shift() ?? 0;
    };
    connection.answers.push([1000], [100], [200], [400], [800], [1600], [3200], [5000], [0]);
    await store.clear();
    const limits = connection.sent.map(limitOf);
    expect(limits).toEqual([1000, 100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  describe('listings that meet a stale mixed-index entry (a vertex the storage no longer holds)', () => {
    /** A `vertexProjection()` row as the server sends it. */
    const row = (vertex: GraphVertex): Map<string, unknown> =>
      new Map<string, unknown>([
        ['uid', vertex.uid],
        ['label', vertex.label],
        ['props', new Map(Object.entries(vertex.props))],
      ]);
    /** What JanusGraph answers for an index entry whose vertex is gone: its default label, no uid. */
    const stale = (): Map<string, unknown> =>
      new Map<string, unknown>([
        ['label', 'vertex'],
        ['props', new Map()],
      ]);
    const setupWithWarnings = () => {
      const { connection, client } = setup(200);
      const warnings: string[] = [];
      const timing = { clock: 0 };
      const store = new JanusGraphGraphStore(client, {
        batchSize: 200,
        settleNewKeys: false,
        monotonicNow: () => timing.clock,
        logger: { warn: (message: string) => warnings.push(message) },
      });
      return { connection, store, warnings, timing };
    };

    it('leave it out of a page, keep paging past it, and warn once with how to remove it', async () => {
      const { connection, store, warnings } = setupWithWarnings();
      connection.answers.push([row(person(1)), stale(), row(person(2)), row(person(3))]);
      const page = await store.listVertices({ label: 'Person', limit: 3 });
      expect(page.items.map((vertex) => vertex.uid)).toEqual(['p1', 'p2', 'p3']);
      expect(page.nextCursor).toBeDefined();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(
        'Person mixed index lists 1 vertex(es) the storage no longer holds',
      );
      expect(warnings[0]).toContain('npm run graph:remove-stale-index-entries -- Person');

      connection.answers.push([stale()]);
      expect(
        await store.listVertices({ label: 'Person', limit: 3, cursor: page.nextCursor }),
      ).toEqual({
        items: [],
      });
    });

    it('read a page made only of stale rows again with more rows, so that the listing goes on past them', async () => {
      const { connection, store } = setupWithWarnings();
      // Limit 3: the first read asks for 4 rows, all stale; the second for 16.
      connection.answers.push(
        [stale(), stale(), stale(), stale()],
        [
          stale(),
          stale(),
          stale(),
          stale(),
          row(person(5)),
          row(person(6)),
          row(person(7)),
          row(person(9)),
        ],
      );
      const page = await store.listVertices({ label: 'Person', limit: 3 });
      expect(page.items.map((vertex) => vertex.uid)).toEqual(['p5', 'p6', 'p7']);
      // A fourth live row follows: the next page starts after p7.
      expect(page.nextCursor).toBeDefined();
      expect(connection.sent.map(limitOf)).toEqual([4, 16]);

      // Ordered by a property: the same, and a short second read ends the listing.
      const account: GraphVertex = {
        label: 'Account',
        uid: 'a8',
        props: {
          accountType: 'personal',
          currency: 'EUR',
          openedAt: 1_600_000_000_000,
          status: 'active',
          bankId: 'b1',
          country: 'DE',
        },
      };
      connection.answers.push([stale(), stale()], [stale(), stale(), row(account)]);
      const ordered = await store.listVerticesOrdered({
        label: 'Account',
        orderBy: 'openedAt',
        direction: 'asc',
        limit: 1,
      });
      expect(ordered.items.map((vertex) => vertex.uid)).toEqual(['a8']);
      expect(ordered.nextCursor).toBeUndefined();
      expect(connection.sent.slice(2).map(limitOf)).toEqual([2, 8]);
    });

    it('warn at most once a minute per listing and label, so a busy API does not flood the log', async () => {
      const { connection, store, warnings, timing } = setupWithWarnings();
      const listOnce = async (): Promise<void> => {
        connection.answers.push([stale(), row(person(1))]);
        await store.listVertices({ label: 'Person', limit: 5 });
      };
      await listOnce();
      timing.clock = 59_000;
      await listOnce();
      expect(warnings).toHaveLength(1);
      connection.answers.push([stale(), row(person(1))]);
      await store.searchByName({ label: 'Person', text: 'Person', limit: 5 });
      expect(warnings).toHaveLength(2); // another listing warns on its own
      timing.clock = 60_000;
      await listOnce();
      expect(warnings).toHaveLength(3);
      expect(warnings[2]).toContain('at most once a minute');
    });

    it('leave it out of a name search', async () => {
      const { connection, store, warnings } = setupWithWarnings();
      connection.answers.push([stale(), row(person(4))], []);
      const page = await store.searchByName({ label: 'Person', text: 'Person', limit: 10 });
      expect(page.items.map((vertex) => vertex.uid)).toEqual(['p4']);
      expect(warnings).toHaveLength(1);
    });

    it('still refuse a row with a label outside the vocabulary that has a uid (a bug, not a stale entry)', async () => {
      const { connection, store } = setupWithWarnings();
      connection.answers.push([
        new Map<string, unknown>([
          ['uid', 'x1'],
          ['label', 'vertex'],
          ['props', new Map()],
        ]),
      ]);
      await expect(store.listVertices({ label: 'Person', limit: 3 })).rejects.toThrow(
        'JanusGraph returned a vertex with label "vertex"',
      );
    });
  });

  it('answers empty windows and empty account lists without a round trip', async () => {
    const { connection, store } = setup(200);
    await expect(
      store.getMovements({ accountIds: [], from: 0, to: 10, direction: 'both' }),
    ).resolves.toEqual([]);
    await expect(
      store.getMovements({ accountIds: ['a1'], from: 10, to: 10, direction: 'out' }),
    ).resolves.toEqual([]);
    await expect(store.scanMovements({ from: 5, to: 5, limit: 10 })).resolves.toEqual([]);
    await expect(store.getVertices([])).resolves.toEqual([]);
    await expect(store.getEdges([])).resolves.toEqual([]);
    await expect(store.getAccountEvents({ accountIds: [], from: 0, to: 10 })).resolves.toEqual([]);
    await expect(store.getAccountEvents({ accountIds: ['a1'], from: 10, to: 10 })).resolves.toEqual(
      [],
    );
    await expect(store.getHolders([])).resolves.toEqual([]);
    expect(connection.sent).toHaveLength(0);
  });
});

describe('janusGraphStoreFactory', () => {
  it('uses the client of an imported JanusGraphModule and opens it if needed', async () => {
    const { client, connection } = setup(1);
    connection.answers.push([1], [1]); // the probe traversals of open(): GraphSON, then GraphBinary
    const moduleRef = await Test.createTestingModule({
      providers: [{ provide: JanusGraphClient, useValue: client }],
    }).compile();
    const store = await janusGraphStoreFactory(
      {
        ...config,
        backend: 'janusgraph',
        schemaBootstrap: false,
        batchSize: 50,
        writeConcurrency: 2,
        settleNewKeys: true,
        outageWaitMs: 0,
        mixedIndexBackend: 'search',
        binaryRequests: true,
      },
      moduleRef as unknown as ModuleRef,
    );
    expect(store.backend).toBe('janusgraph');
    expect(client.isOpen).toBe(true);
  });
});
