// Test-only (uses jest globals): the AuditLog contract suite. Spec files run it against every
// adapter and storage; production code never imports it.
import { verifyAuditChain } from './audit-chain';
import type { AuditEntry, AuditLog } from './audit-log';

/** What an adapter's spec hands to the contract. */
export interface AuditLogSubject {
  /** The adapter under test. */
  log: AuditLog;
  /**
   * Stops the adapter as the application does on shutdown (without an explicit flush) and
   * returns a new one over the same storage, as after a restart of the API.
   */
  restart(): Promise<AuditLog>;
  /** More refused requests than the adapter keeps one by one. */
  floodSize: number;
  /** Releases everything, the restarted adapters included. */
  close(): Promise<void>;
}

const T0 = Date.UTC(2025, 1, 3, 9, 0, 0);

export function describeAuditLogContract(name: string, make: () => Promise<AuditLogSubject>): void {
  describe(`AuditLog contract: ${name}`, () => {
    let subject: AuditLogSubject;
    let log: AuditLog;
    let callers = 0;

    /** A new caller per test, so that tests can share the storage. */
    const newCaller = (): string => {
      callers += 1;
      return `key-contract${String(callers).padStart(4, '0')}`;
    };

    const entry = (
      principal: string,
      second: number,
      overrides: Partial<AuditEntry> = {},
    ): AuditEntry => ({
      at: new Date(T0 + second * 1000).toISOString(),
      principal,
      role: 'analyst',
      method: 'GET',
      route: '/api/v1/entities/:uid',
      path: `/api/v1/entities/person:contract:${second}`,
      resources: { uid: `person:contract:${second}` },
      status: 200,
      correlationId: `${principal}-${second}`,
      ...overrides,
    });

    beforeEach(async () => {
      subject = await make();
      log = subject.log;
    });

    afterEach(async () => {
      await subject.close();
    });

    it('pages through the trail with nextCursor: every entry once, newest first; a cursor it did not give is refused naming the field', async () => {
      const caller = newCaller();
      const recorded = [1, 2, 3, 4, 5].map((second) => entry(caller, second));
      for (const one of recorded) log.record(one);
      const pages: AuditEntry[][] = [];
      let cursor: string | undefined;
      do {
        const page = await log.listPage({
          principal: caller,
          limit: 2,
          ...(cursor === undefined ? {} : { cursor }),
        });
        pages.push(page.items);
        cursor = page.nextCursor;
      } while (cursor !== undefined && pages.length < 10);
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual([...recorded].reverse());
      // The same, once the entries are stored (the graph adapter then pages its index).
      await log.flush();
      const first = await log.listPage({ principal: caller, limit: 3 });
      expect(first.items).toEqual(recorded.slice(2).reverse());
      const rest = await log.listPage({ principal: caller, limit: 3, cursor: first.nextCursor });
      expect(rest).toEqual({ items: recorded.slice(0, 2).reverse() });

      const refused: unknown = await log
        .listPage({ principal: caller, limit: 2, cursor: 'not-a-cursor' })
        .catch((error: unknown) => error);
      expect(refused).toMatchObject({ problems: [expect.objectContaining({ field: 'cursor' })] });
      // A cursor keeps the filters of its page: with others it would list a partial trail.
      const otherFilters: unknown = await log
        .listPage({ principal: newCaller(), limit: 2, cursor: first.nextCursor })
        .catch((error: unknown) => error);
      expect(otherFilters).toMatchObject({
        message: 'cursor was made for other filters',
        problems: [expect.objectContaining({ field: 'cursor' })],
      });
    });

    it('lists newest first, every field as recorded', async () => {
      const caller = newCaller();
      const first = entry(caller, 1);
      const second = entry(caller, 2, {
        method: 'PATCH',
        route: '/api/v1/alerts/:alertId',
        path: '/api/v1/alerts/alert:fan-out:abc',
        resources: { alertId: 'alert:fan-out:abc' },
        status: 404,
      });
      const third = entry(caller, 3, {
        route: '/api/v1/graph/stats',
        path: '/api/v1/graph/stats',
        resources: {},
      });
      for (const one of [first, second, third]) log.record(one);
      await log.flush();
      expect(await log.list({ principal: caller, limit: 10 })).toEqual([third, second, first]);
    });

    it('orders entries of the same millisecond by the order they were recorded', async () => {
      const caller = newCaller();
      const recorded = [1, 2, 3].map((n) => entry(caller, 7, { correlationId: `same-ms-${n}` }));
      for (const one of recorded) log.record(one);
      await log.flush();
      const listed = await log.list({ principal: caller, limit: 10 });
      expect(listed.map((e) => e.correlationId)).toEqual(['same-ms-3', 'same-ms-2', 'same-ms-1']);
    });

    it('filters by principal, by resource, by both, and keeps to the limit', async () => {
      const alice = newCaller();
      const bob = newCaller();
      const shared = { resources: { uid: `person:contract:shared-${alice}` } };
      log.record(entry(alice, 1, shared));
      log.record(entry(bob, 2, shared));
      log.record(entry(alice, 3));
      log.record(entry(bob, 4));
      await log.flush();
      const principals = (entries: AuditEntry[]): string[] => entries.map((e) => e.principal);
      const seconds = (entries: AuditEntry[]): string[] => entries.map((e) => e.at.slice(17, 19));
      expect(seconds(await log.list({ principal: alice, limit: 10 }))).toEqual(['03', '01']);
      const byResource = await log.list({ resource: shared.resources.uid, limit: 10 });
      expect(principals(byResource)).toEqual([bob, alice]);
      expect(
        principals(await log.list({ principal: alice, resource: shared.resources.uid, limit: 10 })),
      ).toEqual([alice]);
      expect(seconds(await log.list({ principal: bob, limit: 1 }))).toEqual(['04']);
      expect(await log.list({ principal: newCaller(), limit: 10 })).toEqual([]);
    });

    it('lists an entry at once, before it is stored', async () => {
      const caller = newCaller();
      const one = entry(caller, 5);
      log.record(one);
      expect(await log.list({ principal: caller, limit: 10 })).toEqual([one]);
      await log.flush();
      expect(await log.list({ principal: caller, limit: 10 })).toEqual([one]);
    });

    it('keeps served entries however many refused requests follow them', async () => {
      const analyst = newCaller();
      const served = entry(analyst, 1);
      log.record(served);
      for (let i = 0; i < subject.floodSize; i += 1) {
        log.record(
          entry('unauthenticated', 2 + (i % 50), {
            role: 'none',
            route: '(no route)',
            resources: {},
            status: 401,
            correlationId: `flood-${i}`,
          }),
        );
      }
      await log.flush();
      expect(await log.list({ principal: analyst, limit: 10 })).toEqual([served]);
      expect(await log.list({ resource: served.resources.uid, limit: 10 })).toEqual([served]);
    });

    it('keeps served entries however many 4xx answers a caller with a key provokes', async () => {
      const analyst = newCaller();
      const viewer = newCaller();
      const served = entry(analyst, 1);
      log.record(served);
      const statuses = [400, 404, 413, 429];
      for (let i = 0; i < subject.floodSize; i += 1) {
        log.record(
          entry(viewer, 2 + (i % 50), {
            role: 'viewer',
            status: statuses[i % statuses.length] ?? 400,
            correlationId: `flood-4xx-${i}`,
          }),
        );
      }
      await log.flush();
      expect(await log.list({ principal: analyst, limit: 10 })).toEqual([served]);
      const refused = await log.list({ principal: viewer, limit: subject.floodSize });
      expect(refused.reduce((sum, e) => sum + (e.count ?? 1), 0)).toBe(subject.floodSize);
    });

    it('survives a restart of the adapter over the same storage, unflushed entries included', async () => {
      const caller = newCaller();
      const stored = entry(caller, 1);
      const queued = entry(caller, 2, { status: 403, role: 'viewer' });
      log.record(stored);
      await log.flush();
      log.record(queued);
      const restarted = await subject.restart();
      expect(await restarted.list({ principal: caller, limit: 10 })).toEqual([queued, stored]);
      const later = entry(caller, 3);
      restarted.record(later);
      await restarted.flush();
      expect(await restarted.list({ principal: caller, limit: 10 })).toEqual([
        later,
        queued,
        stored,
      ]);
    });

    it('seals every entry into one hash chain that verifies, however record() calls interleave with writes', async () => {
      const callers = [newCaller(), newCaller(), newCaller()];
      const tag = `chain-${callers[0] ?? ''}`;
      // Three callers record concurrently from separate tasks while writes are under way; five
      // of the requests were refused (kept within every adapter's bound of single entries).
      await Promise.all(
        callers.map(async (caller, c) => {
          for (let i = 0; i < 20; i += 1) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            const refused = c === 1 && i % 4 === 0;
            log.record(
              entry(caller, i, {
                correlationId: `${tag}-${c}-${i}`,
                ...(refused ? { status: 403, role: 'viewer' } : {}),
              }),
            );
            if (i % 7 === 0) await log.flush();
          }
        }),
      );
      await log.flush();
      const read = await log.readChain(100_000);
      const mine = read.entries.filter((e) => e.correlationId.startsWith(tag));
      expect(mine).toHaveLength(60);
      const chainIds = new Set(mine.map((e) => e.chainId));
      expect(chainIds.size).toBe(1);
      const report = verifyAuditChain(read.entries.filter((e) => chainIds.has(e.chainId)));
      expect(report.broken).toBeUndefined();
      expect(report.ok).toBe(true);
      expect(new Set(mine.map((e) => e.seq)).size).toBe(60);
    });

    it('is ready and accepting while its storage answers', async () => {
      log.record(entry(newCaller(), 1));
      await log.flush();
      expect(log.accepting).toBe(true);
      expect(log.health()).toMatchObject({ ready: true, pending: 0 });
    });
  });
}
