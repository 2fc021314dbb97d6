/** One access to the analytics: who looked at what, when, and with what outcome. */
export interface AuditEntry {
  at: string;
  principal: string;
  role: string;
  method: string;
  route: string;
  path: string;
  /** Business ids named in the request (path parameters). */
  resources: Readonly<Record<string, string>>;
  status: number;
  correlationId: string;
}

export interface AuditQuery {
  principal?: string;
  resource?: string;
  limit: number;
}

/** Port for audit storage; the default keeps the newest entries in memory and logs every one. */
export abstract class AuditLog {
  abstract record(entry: AuditEntry): Promise<void>;
  abstract list(query: AuditQuery): Promise<AuditEntry[]>;
}

export class MemoryAuditLog extends AuditLog {
  private readonly entries: AuditEntry[] = [];

  constructor(private readonly capacity = 10000) {
    super();
  }

  record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
    if (this.entries.length > this.capacity)
      this.entries.splice(0, this.entries.length - this.capacity);
    return Promise.resolve();
  }

  list(query: AuditQuery): Promise<AuditEntry[]> {
    const matches = this.entries.filter(
      (e) =>
        (query.principal === undefined || e.principal === query.principal) &&
        (query.resource === undefined || Object.values(e.resources).includes(query.resource)),
    );
    return Promise.resolve(matches.slice(-query.limit).reverse());
  }
}
