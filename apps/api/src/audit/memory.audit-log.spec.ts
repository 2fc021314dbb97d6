import type { AuditEntry } from './audit-log';
import { describeAuditLogContract } from './audit-log.contract';
import { verifyAuditChain } from './audit-chain';
import { MemoryAuditLog } from './memory.audit-log';

describeAuditLogContract('MemoryAuditLog', () => {
  // Small bounds, so that a flood bigger than both would evict served entries from one buffer.
  const log = new MemoryAuditLog({ servedCapacity: 100, refusedCapacity: 10 });
  return Promise.resolve({
    log,
    // Process memory is its storage: the same process is the only "restart" it survives.
    restart: () => Promise.resolve(log),
    floodSize: 150,
    close: () => Promise.resolve(),
  });
});

describe('MemoryAuditLog', () => {
  const entry = (n: number, status: number): AuditEntry => ({
    at: new Date(Date.UTC(2025, 1, 3) + n).toISOString(),
    principal: status === 200 ? 'key-analyst' : 'unauthenticated',
    role: status === 200 ? 'analyst' : 'none',
    method: 'GET',
    route: '/api/v1/graph/stats',
    path: '/api/v1/graph/stats',
    resources: {},
    status,
    correlationId: `c${n}`,
  });

  it('keeps the newest entries of each kind within its two bounds, older refusals as counts', async () => {
    const log = new MemoryAuditLog({ servedCapacity: 3, refusedCapacity: 2 });
    for (let n = 1; n <= 5; n += 1) log.record(entry(n, 200));
    for (let n = 6; n <= 10; n += 1) log.record(entry(n, n % 2 === 0 ? 401 : 429));
    const listed = (await log.list({ limit: 100 })).map((e) => [
      e.correlationId,
      e.status,
      e.count,
    ]);
    // c6 and c8 (401) and c7 (429) left the refused buffer: they are counted, not forgotten.
    expect(listed).toEqual([
      ['c10', 401, undefined],
      ['c9', 429, undefined],
      ['', 401, 2],
      ['', 429, 1],
      ['c5', 200, undefined],
      ['c4', 200, undefined],
      ['c3', 200, undefined],
    ]);
  });

  it("keeps an analyst's entry and counts every refusal when a viewer floods it with 4xx", async () => {
    const log = new MemoryAuditLog({ servedCapacity: 5, refusedCapacity: 10, summaryCapacity: 2 });
    const analyst: AuditEntry = {
      ...entry(0, 200),
      principal: 'key-analyst',
      correlationId: 'seen',
    };
    log.record(analyst);
    const statuses = [400, 404, 413, 429, 401, 403];
    for (let n = 1; n <= 600; n += 1) {
      const status = statuses[n % statuses.length] ?? 400;
      log.record({ ...entry(n, status), principal: 'key-viewer', role: 'viewer' });
    }
    expect(await log.list({ principal: 'key-analyst', limit: 10 })).toEqual([analyst]);
    const all = await log.list({ limit: 1_000 });
    const counted = all.reduce((sum, e) => sum + (e.count ?? 1), 0);
    expect(counted).toBe(601);
    // Two summaries per caller and route, then one per status for the rest.
    expect(all.filter((e) => e.principal === '(other)').length).toBeGreaterThan(0);
  });

  it('is always ready: nothing waits to be stored', () => {
    const log = new MemoryAuditLog();
    log.record(entry(1, 200));
    expect(log.accepting).toBe(true);
    expect(log.health()).toEqual({ ready: true, storage: 'memory', pending: 0 });
  });

  it('seals entries into its chain as recorded; entries let go show as a gap, with a note saying why', async () => {
    const log = new MemoryAuditLog({ servedCapacity: 3, refusedCapacity: 2, chainId: 'mem' });
    for (let n = 1; n <= 3; n += 1) log.record(entry(n, 200));
    const whole = await log.readChain(100);
    expect(whole.note).toBeUndefined();
    expect(verifyAuditChain(whole.entries)).toMatchObject({ ok: true, checked: 3 });
    log.record(entry(4, 200));
    const bounded = await log.readChain(100);
    expect(bounded.note).toContain('let go of 1 older entries');
    expect(verifyAuditChain(bounded.entries).broken).toMatchObject({
      chainId: 'mem',
      seq: 1,
      problem: 'gap',
    });
  });
});
