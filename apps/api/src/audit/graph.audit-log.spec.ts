import { MemoryGraphStore } from '@app/graph-store';
import type { UpsertResult } from '@app/graph-store';
import { FixedClock, GraphUnavailableError } from '@app/vocabulary';
import type { GraphVertex } from '@app/vocabulary';
import type { AuditEntry } from './audit-log';
import { describeAuditLogContract } from './audit-log.contract';
import { verifyAuditChain } from './audit-chain';
import { AUDIT_FIELD_MAX, GraphAuditLog, GraphAuditLogOptions } from './graph.audit-log';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describeAuditLogContract('GraphAuditLog on MemoryGraphStore', () => {
  const store = new MemoryGraphStore();
  const clock = new FixedClock(Date.UTC(2025, 1, 3, 10));
  const options: GraphAuditLogOptions = { refusedQueueLimit: 20, batchSize: 25, logger: quiet };
  const opened: GraphAuditLog[] = [];
  const open = (writer: string): GraphAuditLog => {
    const log = new GraphAuditLog(store, clock, { ...options, writer });
    opened.push(log);
    return log;
  };
  const log = open('first');
  return Promise.resolve({
    log,
    restart: async () => {
      await log.beforeApplicationShutdown();
      await log.onApplicationShutdown();
      return open('second');
    },
    floodSize: 100,
    close: async () => {
      for (const one of opened) await one.onApplicationShutdown();
    },
  });
});

/** A memory store that counts vertex upserts and can be switched off like a stopped server. */
class SwitchableStore extends MemoryGraphStore {
  down = false;
  readonly writes: GraphVertex[][] = [];

  override upsertVertices(batch: readonly GraphVertex[]): Promise<UpsertResult> {
    if (this.down) {
      return Promise.reject(
        new GraphUnavailableError('JanusGraph at 127.0.0.1:8182 does not answer'),
      );
    }
    this.writes.push([...batch]);
    return super.upsertVertices(batch);
  }
}

const T0 = Date.UTC(2025, 1, 3, 10);

function served(n: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: new Date(T0 + n).toISOString(),
    principal: 'key-analyst00001',
    role: 'analyst',
    method: 'GET',
    route: '/api/v1/accounts/:accountId/risk',
    path: `/api/v1/accounts/account:bank:${n}/risk`,
    resources: { accountId: `account:bank:${n}` },
    status: 200,
    correlationId: `served-${n}`,
    ...overrides,
  };
}

function refused(n: number, principal = 'unauthenticated'): AuditEntry {
  return served(n, {
    principal,
    role: 'none',
    route: '(no route)',
    resources: {},
    status: 401,
    correlationId: `refused-${n}`,
  });
}

function setup(options: GraphAuditLogOptions = {}) {
  const store = new SwitchableStore();
  const clock = new FixedClock(T0);
  const errors: unknown[] = [];
  const logger = {
    log: () => undefined,
    warn: () => undefined,
    error: (m: unknown) => errors.push(m),
  };
  const log = new GraphAuditLog(store, clock, { writer: 'w1', logger, ...options });
  return { store, clock, log, errors };
}

describe('GraphAuditLog', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('writes queued entries within the flush interval without being asked, one upsert per batch', async () => {
    jest.useFakeTimers();
    const { store, log } = setup({ flushIntervalMs: 1_000, batchSize: 2 });
    log.record(served(1));
    await jest.advanceTimersByTimeAsync(999);
    expect(store.writes).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(store.writes.map((batch) => batch.length)).toEqual([1]);
    for (let n = 2; n <= 6; n += 1) log.record(served(n));
    // A full batch is written at once, and the queue is drained batch after batch.
    await jest.advanceTimersByTimeAsync(0);
    expect(store.writes.map((batch) => batch.length)).toEqual([1, 2, 2, 1]);
    expect(log.pending).toBe(0);
  });

  it('keeps entries while the store is down, retries, and stores every one when it answers again', async () => {
    const { store, clock, log } = setup({ backlogLimitMs: 30_000 });
    store.down = true;
    for (let n = 1; n <= 3; n += 1) log.record(served(n));
    await expect(log.flush()).rejects.toThrow(
      '3 audit entries could not be stored yet: JanusGraph at 127.0.0.1:8182 does not answer',
    );
    expect(log.pending).toBe(3);
    expect(log.health()).toMatchObject({ ready: true, pending: 3 });
    clock.advance(30_000);
    expect(log.health()).toEqual({
      ready: false,
      storage: 'graph:memory',
      pending: 3,
      message:
        '3 audit entries wait to be stored, the oldest for 30 s. Last error: JanusGraph at 127.0.0.1:8182 does not answer',
    });
    store.down = false;
    await log.flush();
    expect(log.health()).toEqual({ ready: true, storage: 'graph:memory', pending: 0 });
    expect((await log.list({ limit: 10 })).map((e) => e.correlationId)).toEqual([
      'served-3',
      'served-2',
      'served-1',
    ]);
  });

  it('stops accepting when its queue of served entries is full (the API then refuses requests)', async () => {
    const { store, log } = setup({ servedQueueLimit: 2 });
    store.down = true;
    log.record(served(1));
    expect(log.accepting).toBe(true);
    log.record(served(2));
    expect(log.accepting).toBe(false);
    // A request admitted before the limit still gets its entry: nothing accepted is dropped.
    log.record(served(3));
    expect(log.pending).toBe(3);
    expect(log.health()).toMatchObject({ ready: false });
    expect(log.health().message).toContain('refuses requests until the graph store takes them');
    store.down = false;
    await log.flush();
    expect(log.accepting).toBe(true);
  });

  it('summarises a flood of refused requests per caller, route and status, accounting for every one, and writes served entries first', async () => {
    const { store, log } = setup({ refusedQueueLimit: 3, batchSize: 4 });
    for (let n = 1; n <= 50; n += 1)
      log.record(refused(n, n % 2 === 0 ? 'unauthenticated' : 'key-stranger0001'));
    log.record(served(100));
    await log.flush();
    expect(store.writes[0]?.[0]?.uid).toContain(':w1');
    expect(store.writes[0]?.[0]?.props).toMatchObject({ principal: 'key-analyst00001' });
    const listed = await log.list({ limit: 100 });
    const refusals = listed.filter((e) => e.status === 401);
    expect(refusals).toHaveLength(3 + 2);
    expect(refusals.reduce((sum, e) => sum + (e.count ?? 1), 0)).toBe(50);
    const summaries = refusals.filter((e) => e.count !== undefined);
    expect(summaries.map((e) => [e.principal, e.count]).sort()).toEqual([
      ['key-stranger0001', 23],
      ['unauthenticated', 24],
    ]);
  });

  it('cuts overlong fields instead of losing the entry', async () => {
    const { log } = setup();
    const long = 'x'.repeat(5_000);
    log.record(served(1, { path: `/api/v1/entities/${long}`, resources: { uid: long } }));
    await log.flush();
    const [stored] = await log.list({ limit: 1 });
    expect(stored?.path).toHaveLength(AUDIT_FIELD_MAX);
    expect(stored?.path.endsWith('…')).toBe(true);
    expect(stored?.resources.uid).toHaveLength(AUDIT_FIELD_MAX);
  });

  it('writes what is queued on shutdown, and logs in full what the store did not take', async () => {
    const { store, log, errors } = setup();
    log.record(served(1));
    await log.beforeApplicationShutdown();
    expect(store.writes).toHaveLength(1);
    store.down = true;
    log.record(served(2));
    await log.onApplicationShutdown();
    expect(errors).toContainEqual({ audit: served(2) });
  });

  it('keeps an entry recorded after the write started for the next write (nothing lost in between)', async () => {
    const { store, log } = setup({ batchSize: 10 });
    log.record(served(1));
    const flushing = log.flush();
    log.record(served(2));
    await flushing;
    expect(log.pending).toBe(0);
    expect(store.writes.flat().map((v) => v.uid)).toHaveLength(2);
  });

  describe('hash chain', () => {
    it('chains summaries of a flood as they are written, and the stored chain verifies', async () => {
      const { log } = setup({ refusedQueueLimit: 3, batchSize: 4 });
      for (let n = 1; n <= 30; n += 1)
        log.record(refused(n, n % 2 ? 'key-stranger0001' : 'unauthenticated'));
      log.record(served(100));
      await log.flush();
      for (let n = 31; n <= 40; n += 1) log.record(refused(n));
      await log.flush();
      const { entries } = await log.readChain(1_000);
      const summaries = entries.filter((e) => e.count !== undefined);
      expect(summaries.length).toBeGreaterThanOrEqual(2);
      expect(summaries.every((e) => e.chainId === 'w1' && e.hash.length === 64)).toBe(true);
      expect(entries.reduce((sum, e) => sum + (e.count ?? 1), 0)).toBe(41);
      const report = verifyAuditChain(entries);
      expect(report).toMatchObject({ ok: true, checked: entries.length });
      expect(report.chains).toEqual([
        expect.objectContaining({ chainId: 'w1', lastSeq: entries.length }),
      ]);
    });

    it('hashes the stored form, so an entry with cut fields verifies after it is read back', async () => {
      const { log } = setup();
      log.record(served(1, { path: `/api/v1/entities/${'y'.repeat(5_000)}`, principal: '' }));
      log.record(served(2, { note: 'erasure: reason "court order 17"' }));
      await log.flush();
      const { entries } = await log.readChain(10);
      expect(entries.find((e) => e.seq === 2)?.note).toBe('erasure: reason "court order 17"');
      expect(verifyAuditChain(entries).ok).toBe(true);
    });

    it('finds an entry changed in the store, and one removed from it', async () => {
      const { store, log } = setup();
      for (let n = 1; n <= 4; n += 1) log.record(served(n));
      await log.flush();
      const page = await store.listVertices({ label: 'AuditEntry', limit: 10 });
      const seqOf = (v: GraphVertex): number | undefined =>
        v.label === 'AuditEntry' ? v.props.seq : undefined;
      const third = page.items.find((v) => seqOf(v) === 3);
      if (third?.label !== 'AuditEntry') throw new Error('the third entry was not stored');
      await store.upsertVertices([
        { ...third, props: { ...third.props, principal: 'key-nobody' } },
      ]);
      const reader = new GraphAuditLog(store, new FixedClock(T0), { writer: 'reader' });
      const changed = verifyAuditChain((await reader.readChain(100)).entries);
      expect(changed.broken).toMatchObject({ chainId: 'w1', seq: 3, problem: 'hash' });

      const rest = page.items.filter((v) => seqOf(v) !== 2);
      await store.clear();
      await store.upsertVertices(rest.map((v) => (v.uid === third.uid ? third : v)));
      const removed = verifyAuditChain((await reader.readChain(100)).entries);
      expect(removed.broken).toMatchObject({ chainId: 'w1', seq: 2, problem: 'gap' });
    });

    it('hands out links to entries not stored yet too, so that nothing is missed while the store is down', async () => {
      const { store, log } = setup();
      log.record(served(1));
      await log.flush();
      store.down = true;
      log.record(served(2));
      const { entries } = await log.readChain(10);
      expect(entries.map((e) => e.seq).sort()).toEqual([1, 2]);
      expect(verifyAuditChain(entries).ok).toBe(true);
    });
  });
});
