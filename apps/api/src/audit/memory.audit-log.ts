import { AuditEntry, AuditLog, AuditLogHealth, AuditQuery, isRefused } from './audit-log';

export interface MemoryAuditLogOptions {
  /** Entries of served requests kept (the newest; default 10,000). */
  servedCapacity?: number;
  /** Entries of refused requests (401, 403, 429, 503) kept, apart (default 1,000). */
  refusedCapacity?: number;
}

interface Kept {
  seq: number;
  entry: AuditEntry;
}

/** A bounded first-in-first-out buffer: the oldest entry goes when a new one comes in full. */
class Ring {
  private readonly items: Kept[] = [];
  constructor(private readonly capacity: number) {}

  push(item: Kept): void {
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  get all(): readonly Kept[] {
    return this.items;
  }
}

/**
 * The audit trail of the embedded default: process memory, lost on restart (the graph adapter
 * is the durable one). Served requests and refused ones (401, 403, 429, 503) are kept in two
 * separate bounded buffers, so a flood of refusals, however long, cannot push out the record of
 * who was shown what.
 */
export class MemoryAuditLog extends AuditLog {
  private readonly served: Ring;
  private readonly refused: Ring;
  private seq = 0;

  constructor(options: MemoryAuditLogOptions = {}) {
    super();
    this.served = new Ring(options.servedCapacity ?? 10_000);
    this.refused = new Ring(options.refusedCapacity ?? 1_000);
  }

  get accepting(): boolean {
    return true;
  }

  record(entry: AuditEntry): void {
    this.seq += 1;
    (isRefused(entry) ? this.refused : this.served).push({ seq: this.seq, entry });
  }

  list(query: AuditQuery): Promise<AuditEntry[]> {
    const matches = (entry: AuditEntry): boolean =>
      (query.principal === undefined || entry.principal === query.principal) &&
      (query.resource === undefined || Object.values(entry.resources).includes(query.resource));
    const newestFirst = [...this.served.all, ...this.refused.all]
      .filter((kept) => matches(kept.entry))
      .sort((a, b) => b.seq - a.seq);
    return Promise.resolve(newestFirst.slice(0, query.limit).map((kept) => kept.entry));
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  health(): AuditLogHealth {
    return { ready: true, storage: 'memory', pending: 0 };
  }
}
