import type { AuditEntry } from './audit-log';
import { describeAuditLogContract } from './audit-log.contract';
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

  it('keeps the newest entries of each kind within its two bounds', async () => {
    const log = new MemoryAuditLog({ servedCapacity: 3, refusedCapacity: 2 });
    for (let n = 1; n <= 5; n += 1) log.record(entry(n, 200));
    for (let n = 6; n <= 10; n += 1) log.record(entry(n, n % 2 === 0 ? 401 : 429));
    const ids = (await log.list({ limit: 100 })).map((e) => e.correlationId);
    expect(ids).toEqual(['c10', 'c9', 'c5', 'c4', 'c3']);
  });

  it('is always ready: nothing waits to be stored', () => {
    const log = new MemoryAuditLog();
    log.record(entry(1, 200));
    expect(log.accepting).toBe(true);
    expect(log.health()).toEqual({ ready: true, storage: 'memory', pending: 0 });
  });
});
