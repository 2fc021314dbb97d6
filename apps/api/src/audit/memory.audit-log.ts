import { randomBytes } from 'node:crypto';
import { AuditChain, AuditChainLink, ChainedAuditEntry } from './audit-chain';
import {
  AuditChainRead,
  AuditEntry,
  AuditLog,
  AuditLogHealth,
  AuditPage,
  AuditQuery,
  decodeAuditCursor,
  encodeAuditCursor,
  isRefused,
} from './audit-log';

export interface MemoryAuditLogOptions {
  /** Entries of served requests kept (the newest; default 10,000). */
  servedCapacity?: number;
  /** Entries of refused requests (every 4xx, 503) kept one by one, apart (default 1,000). */
  refusedCapacity?: number;
  /**
   * Summaries (one per caller, method, route and status, with a count) the older refused
   * entries are folded into (default 1,000); beyond, they fold into one summary per status.
   */
  summaryCapacity?: number;
  /** The id of this trail's hash chain (default: random letters and digits). */
  chainId?: string;
}

interface Kept {
  seq: number;
  entry: AuditEntry;
  /** Its place in the hash chain (summaries, made of entries let go, have none). */
  link?: AuditChainLink;
}

/** A bounded first-in-first-out buffer: the oldest entries go (and are returned) when full. */
class Ring {
  private readonly items: Kept[] = [];
  constructor(private readonly capacity: number) {}

  push(item: Kept): Kept[] {
    this.items.push(item);
    return this.items.length > this.capacity
      ? this.items.splice(0, this.items.length - this.capacity)
      : [];
  }

  get all(): readonly Kept[] {
    return this.items;
  }
}

const OTHER = '(other)';

function withoutNote(entry: AuditEntry): AuditEntry {
  const { note: _note, ...rest } = entry;
  return rest;
}

/**
 * The audit trail of the embedded default: process memory, lost on restart (the graph adapter
 * is the durable one). Served requests and refused ones (every 4xx, 503) are kept in two
 * separate bounded buffers, so a flood of refusals, however long, cannot push out the record of
 * who was shown what. A refused entry pushed out of its buffer is not forgotten either: it is
 * folded into a summary per caller, method, route and status that counts them, so a flood
 * cannot hide who else was refused.
 *
 * Every entry is sealed into the hash chain as it is recorded. An entry let go from a full
 * buffer leaves a gap in the chain that `verifyAuditChain` reports; `readChain` says how many
 * were let go, so that an operator can tell the bound from a removal.
 */
export class MemoryAuditLog extends AuditLog {
  private readonly served: Ring;
  private readonly refused: Ring;
  private readonly summaries = new Map<string, Kept>();
  private readonly summaryCapacity: number;
  private readonly chain: AuditChain;
  private seq = 0;
  private dropped = 0;

  constructor(options: MemoryAuditLogOptions = {}) {
    super();
    this.chain = new AuditChain(options.chainId ?? randomBytes(5).toString('hex'));
    this.served = new Ring(options.servedCapacity ?? 10_000);
    this.refused = new Ring(options.refusedCapacity ?? 1_000);
    this.summaryCapacity = options.summaryCapacity ?? 1_000;
  }

  get accepting(): boolean {
    return true;
  }

  record(entry: AuditEntry): void {
    this.seq += 1;
    const kept = { seq: this.seq, entry, link: this.chain.seal(entry) };
    if (!isRefused(entry)) {
      this.dropped += this.served.push(kept).length;
      return;
    }
    for (const evicted of this.refused.push(kept)) {
      this.dropped += 1;
      this.summarise(evicted);
    }
  }

  listPage(query: AuditQuery): Promise<AuditPage> {
    // A bad cursor rejects the promise (the executor catches the throw).
    return new Promise((resolve) => resolve(this.pageOf(query)));
  }

  private pageOf(query: AuditQuery): AuditPage {
    const before =
      query.cursor === undefined
        ? Number.POSITIVE_INFINITY
        : decodeAuditCursor(query.cursor, 'seq', query);
    const matches = (entry: AuditEntry): boolean =>
      (query.principal === undefined || entry.principal === query.principal) &&
      (query.resource === undefined || Object.values(entry.resources).includes(query.resource));
    const newestFirst = [...this.served.all, ...this.refused.all, ...this.summaries.values()]
      .filter((kept) => kept.seq < before && matches(kept.entry))
      .sort((a, b) => b.seq - a.seq);
    const shown = newestFirst.slice(0, query.limit);
    const last = shown.at(-1);
    return {
      items: shown.map((kept) => kept.entry),
      ...(newestFirst.length > shown.length && last !== undefined
        ? { nextCursor: encodeAuditCursor('seq', last.seq, query) }
        : {}),
    };
  }

  readChain(max: number): Promise<AuditChainRead> {
    const entries: ChainedAuditEntry[] = [];
    for (const kept of [...this.served.all, ...this.refused.all]) {
      if (kept.link !== undefined) entries.push({ ...kept.entry, ...kept.link });
    }
    entries.sort((a, b) => a.seq - b.seq);
    return Promise.resolve({
      entries: entries.slice(0, max),
      truncated: entries.length > max,
      ...(this.dropped > 0
        ? {
            note: `The memory audit trail is bounded: it let go of ${this.dropped} older entries (refused ones are kept as counted summaries), so their places show as gaps. Use the JanusGraph backend for a complete, durable trail.`,
          }
        : {}),
    });
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  health(): AuditLogHealth {
    return { ready: true, storage: 'memory', pending: 0 };
  }

  /** Folds a refused entry into the summary of its caller, method, route and status. */
  private summarise(kept: Kept): void {
    const { entry } = kept;
    let key = JSON.stringify([
      entry.principal,
      entry.role,
      entry.method,
      entry.route,
      entry.status,
    ]);
    let folded: AuditEntry = { ...entry, path: entry.route, resources: {}, correlationId: '' };
    if (!this.summaries.has(key) && this.summaries.size >= this.summaryCapacity) {
      key = JSON.stringify([OTHER, entry.status]);
      folded = {
        ...folded,
        principal: OTHER,
        role: OTHER,
        method: OTHER,
        route: OTHER,
        path: OTHER,
      };
    }
    const summary = this.summaries.get(key);
    const count = (summary?.entry.count ?? 0) + (entry.count ?? 1);
    // Keeps the time of the newest refusal folded in; the listing order follows it.
    this.summaries.set(key, { seq: kept.seq, entry: { ...withoutNote(folded), count } });
  }
}
