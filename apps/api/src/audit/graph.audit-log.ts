import { BeforeApplicationShutdown, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { encodeUidCursor, GraphStore } from '@app/graph-store';
import { BatchRejectedError, Clock, GraphUnavailableError, ids } from '@app/vocabulary';
import type { AuditEntryVertex, GraphVertex } from '@app/vocabulary';
import {
  AuditChain,
  AuditChainLink,
  ChainedAuditEntry,
  isChained,
  withoutLink,
} from './audit-chain';
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

export interface GraphAuditLogOptions {
  /** Longest time an accepted entry waits before it is written (default 1 s). */
  flushIntervalMs?: number;
  /** Entries per write (one upsert of that many vertices; default 200). */
  batchSize?: number;
  /**
   * Entries of served requests held while the store does not take them (default 100,000).
   * At this many the API refuses new requests (503) rather than serve them unaudited.
   */
  servedQueueLimit?: number;
  /**
   * Entries of refused requests (every 4xx, 503) held one by one (default 1,000); beyond,
   * they are summarised: one entry per caller, route and status with a count.
   */
  refusedQueueLimit?: number;
  /** Readiness turns down when the oldest waiting entry is older than this (default 30 s). */
  backlogLimitMs?: number;
  /** Longest wait between two attempts while the store fails (default 30 s). */
  maxRetryDelayMs?: number;
  /**
   * Names this process in the entries' uids and is the id of its hash chain (default: random
   * letters and digits, new at every start).
   */
  writer?: string;
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
}

/** Longest string kept in an audit field (paths and ids beyond are cut, marked with "…"). */
export const AUDIT_FIELD_MAX = 2_000;

interface Pending {
  uid: string;
  entry: AuditEntry;
  /** When this process accepted it (for the backlog age). */
  queuedAt: number;
  /** Its place in this process's hash chain (a summary gets it when it is written). */
  link?: AuditChainLink;
}

function cut(value: string, fallback: string): string {
  if (value === '') return fallback;
  return value.length > AUDIT_FIELD_MAX ? `${value.slice(0, AUDIT_FIELD_MAX - 1)}…` : value;
}

/** The business id a "who looked at X" search finds the entry by: the first one in its path. */
function resourceOf(entry: AuditEntry): string | undefined {
  const first = Object.values(entry.resources)[0];
  return first === undefined || first === '' ? undefined : cut(first, first);
}

type StoredProps = Omit<AuditEntryVertex['props'], 'chainId' | 'seq' | 'prevHash' | 'hash'>;

/** The fields as stored (long strings cut, empty ones given a placeholder). */
function propsOf(entry: AuditEntry): StoredProps {
  const resource = resourceOf(entry);
  return {
    at: Date.parse(entry.at),
    principal: cut(entry.principal, 'unknown'),
    role: cut(entry.role, 'none'),
    method: cut(entry.method, 'UNKNOWN'),
    route: cut(entry.route, '(no route)'),
    path: cut(entry.path, '/'),
    resourceParams: Object.entries(entry.resources).map(
      ([name, value]) => `${name}=${cut(value, value)}`,
    ),
    ...(resource === undefined ? {} : { resource }),
    httpStatus: entry.status,
    correlationId: cut(entry.correlationId, ''),
    ...(entry.count !== undefined && entry.count > 1 ? { requestCount: entry.count } : {}),
    ...(entry.note === undefined || entry.note === '' ? {} : { note: cut(entry.note, '') }),
  };
}

function vertexOf(pending: Pending): AuditEntryVertex {
  return {
    label: 'AuditEntry',
    uid: pending.uid,
    props: { ...propsOf(pending.entry), ...(pending.link ?? {}) },
  };
}

/** The entry exactly as it reads back once stored: what its hash is taken over. */
function storedForm(entry: AuditEntry): AuditEntry {
  return fromProps(propsOf(entry));
}

function entryOf(vertex: AuditEntryVertex): AuditEntry | ChainedAuditEntry {
  const { chainId, seq, prevHash, hash } = vertex.props;
  const entry = fromProps(vertex.props);
  return chainId !== undefined && seq !== undefined && prevHash !== undefined && hash !== undefined
    ? { ...entry, chainId, seq, prevHash, hash }
    : entry;
}

function fromProps(props: StoredProps): AuditEntry {
  const resources: Record<string, string> = {};
  for (const param of props.resourceParams) {
    // Parameter names come from route patterns and never hold "=": split at the first one.
    const split = param.indexOf('=');
    resources[param.slice(0, split)] = param.slice(split + 1);
  }
  return {
    at: new Date(props.at).toISOString(),
    principal: props.principal,
    role: props.role,
    method: props.method,
    route: props.route,
    path: props.path,
    resources,
    status: props.httpStatus,
    correlationId: props.correlationId,
    ...(props.requestCount === undefined ? {} : { count: props.requestCount }),
    ...(props.note === undefined ? {} : { note: props.note }),
  };
}

function isAuditVertex(vertex: GraphVertex): vertex is AuditEntryVertex {
  return vertex.label === 'AuditEntry';
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The durable audit trail: one `AuditEntry` vertex per request, in the graph store every API
 * replica shares, so entries survive restarts and an admin sees every replica's entries.
 *
 * Writes go through an append queue: `record` only queues (a request never waits for the
 * audit), and the queue is written in batches of `batchSize` within `flushIntervalMs`, on
 * `flush()` and on shutdown. While the store fails, entries stay queued and are retried with a
 * growing delay; readiness turns down when the oldest waits longer than `backlogLimitMs`, and
 * `accepting` turns false (the API then refuses requests) when `servedQueueLimit` entries of
 * served requests wait. Refused requests (every 4xx, 503) queue apart and, past `refusedQueueLimit`, are folded
 * into one summary entry per caller, route and status: a flood of refusals can neither evict
 * nor delay the record of what was shown. An entry is written with a uid that embeds its time
 * and this process's sequence, so a write retried after a lost answer stores it once.
 *
 * Lists come newest first from the `AuditEntry` index (uid order), filtered by `principal` or
 * by `resource` (the first business id of the path: every route names at most one), merged
 * with the matching entries still queued in this process.
 */
export class GraphAuditLog
  extends AuditLog
  implements BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly served: Pending[] = [];
  private readonly refused: Pending[] = [];
  private readonly summaries = new Map<string, Pending>();
  private readonly writer: string;
  private readonly chain: AuditChain;
  private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>;
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly servedQueueLimit: number;
  private readonly refusedQueueLimit: number;
  private readonly backlogLimitMs: number;
  private readonly maxRetryDelayMs: number;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerIsNow = false;
  private writing: Promise<boolean> | undefined;
  private failures = 0;
  private lastError: string | undefined;

  constructor(
    private readonly store: GraphStore,
    private readonly clock: Clock,
    options: GraphAuditLogOptions = {},
  ) {
    super();
    this.flushIntervalMs = options.flushIntervalMs ?? 1_000;
    this.batchSize = Math.max(1, options.batchSize ?? 200);
    this.servedQueueLimit = options.servedQueueLimit ?? 100_000;
    this.refusedQueueLimit = options.refusedQueueLimit ?? 1_000;
    this.backlogLimitMs = options.backlogLimitMs ?? 30_000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.writer = options.writer ?? randomBytes(5).toString('hex');
    this.chain = new AuditChain(this.writer);
    this.logger = options.logger ?? new Logger('Audit');
  }

  get accepting(): boolean {
    return this.served.length < this.servedQueueLimit;
  }

  /** Entries accepted and not stored yet (summaries count once). */
  get pending(): number {
    return this.served.length + this.refused.length + this.summaries.size;
  }

  record(entry: AuditEntry): void {
    const now = this.clock.now();
    if (!isRefused(entry)) {
      this.served.push(this.sealed({ uid: this.nextUid(entry), entry, queuedAt: now }));
    } else if (this.refused.length < this.refusedQueueLimit) {
      this.refused.push(this.sealed({ uid: this.nextUid(entry), entry, queuedAt: now }));
    } else {
      this.summarise(entry, now);
    }
    this.schedule();
  }

  async listPage(query: AuditQuery): Promise<AuditPage> {
    // Uids sort newest first; a page resumes after the uid of the last entry it showed.
    const after =
      query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor, 'uid', query);
    const where: Record<string, string> = {};
    if (query.principal !== undefined) where.principal = query.principal;
    if (query.resource !== undefined) where.resource = query.resource;
    const page = await this.store.listVertices({
      label: 'AuditEntry',
      where,
      limit: query.limit,
      ...(after === undefined ? {} : { cursor: encodeUidCursor('AuditEntry', after) }),
    });
    const stored = page.items
      .filter(isAuditVertex)
      .map((vertex) => ({ uid: vertex.uid, entry: withoutLink(entryOf(vertex)) }));
    const queued = this.queued().filter(
      ({ uid, entry }) =>
        (after === undefined || uid > after) &&
        (query.principal === undefined || entry.principal === query.principal) &&
        (query.resource === undefined || resourceOf(entry) === query.resource),
    );
    const byUid = new Map<string, AuditEntry>();
    for (const { uid, entry } of [...queued, ...stored]) byUid.set(uid, entry);
    const merged = [...byUid.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const shown = merged.slice(0, query.limit);
    const last = shown.at(-1);
    const more = merged.length > shown.length || page.nextCursor !== undefined;
    return {
      items: shown.map(([, entry]) => entry),
      ...(more && last !== undefined
        ? { nextCursor: encodeAuditCursor('uid', last[0], query) }
        : {}),
    };
  }

  /**
   * Pages through every stored `AuditEntry` (every replica's), then adds this process's entries
   * sealed but not stored yet. Summaries still gathering refusals have no link yet and are left
   * out; so are entries of other replicas still in their queues (they show up as missing at the
   * end of their chain, which the verifier cannot tell from not yet written).
   */
  async readChain(max: number): Promise<AuditChainRead> {
    const byUid = new Map<string, ChainedAuditEntry>();
    let cursor: string | undefined;
    let truncated = false;
    let unchained = 0;
    do {
      const page = await this.store.listVertices({
        label: 'AuditEntry',
        limit: Math.min(1_000, max + 1),
        ...(cursor === undefined ? {} : { cursor }),
      });
      for (const vertex of page.items.filter(isAuditVertex)) {
        const entry = entryOf(vertex);
        if (!isChained(entry)) unchained += 1;
        else if (byUid.size < max) byUid.set(vertex.uid, entry);
        else truncated = true;
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined && !truncated);
    for (const pending of [...this.served, ...this.refused]) {
      if (pending.link === undefined || byUid.has(pending.uid)) continue;
      if (byUid.size >= max) {
        truncated = true;
        break;
      }
      byUid.set(pending.uid, { ...storedForm(pending.entry), ...pending.link });
    }
    return {
      entries: [...byUid.values()],
      truncated,
      ...(unchained > 0
        ? {
            note: `${unchained} entries written before the hash chain existed carry no link and were not checked.`,
          }
        : {}),
    };
  }

  async flush(): Promise<void> {
    this.clearTimer();
    while (this.pending > 0) {
      const emptied = await this.drain();
      if (!emptied && this.pending > 0) {
        throw new GraphUnavailableError(
          `${this.pending} audit entries could not be stored yet: ${this.lastError ?? 'the graph store failed'}`,
        );
      }
    }
  }

  health(): AuditLogHealth {
    const storage = `graph:${this.store.backend}`;
    const pending = this.pending;
    const oldest = Math.min(
      ...[this.served[0], this.refused[0], ...this.summaries.values()]
        .filter((item): item is Pending => item !== undefined)
        .map((item) => item.queuedAt),
    );
    const waitedMs = pending === 0 ? 0 : this.clock.now() - oldest;
    const error = this.lastError === undefined ? '' : ` Last error: ${this.lastError}`;
    if (!this.accepting) {
      return {
        ready: false,
        storage,
        pending,
        message:
          `${this.served.length} audit entries could not be stored yet (the most this API holds), ` +
          `so it refuses requests until the graph store takes them.${error}`,
      };
    }
    if (waitedMs >= this.backlogLimitMs) {
      return {
        ready: false,
        storage,
        pending,
        message: `${pending} audit entries wait to be stored, the oldest for ${Math.round(waitedMs / 1000)} s.${error}`,
      };
    }
    return { ready: true, storage, pending };
  }

  /** Writes what is queued before the HTTP server and the graph connection close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flushOrLog('before shutdown', false);
  }

  /** Writes what requests finishing during the shutdown added; logs anything left. */
  async onApplicationShutdown(): Promise<void> {
    await this.flushOrLog('at shutdown', true);
    this.clearTimer();
  }

  // -------------------------------------------------------------------------------------------

  /** Gives a queued entry its place in this process's chain (over the form it is stored in). */
  private sealed(pending: Pending): Pending {
    pending.link = this.chain.seal(storedForm(pending.entry));
    return pending;
  }

  private nextUid(entry: AuditEntry): string {
    this.seq += 1;
    return ids.auditEntry(Date.parse(entry.at), this.seq, this.writer);
  }

  /** Folds a refused request into the summary of its caller, route and status. */
  private summarise(entry: AuditEntry, now: number): void {
    const key = JSON.stringify([
      entry.principal,
      entry.role,
      entry.method,
      entry.route,
      entry.status,
    ]);
    const summary = this.summaries.get(key);
    if (summary !== undefined) {
      summary.entry = { ...summary.entry, count: (summary.entry.count ?? 1) + (entry.count ?? 1) };
      return;
    }
    if (this.summaries.size === 0) {
      this.logger.warn(
        `More than ${this.refusedQueueLimit} refused requests wait to be audited: further ones are summarised per caller, route and status`,
      );
    }
    this.summaries.set(key, {
      uid: this.nextUid(entry),
      entry: { ...entry, correlationId: '', count: entry.count ?? 1 },
      queuedAt: now,
    });
  }

  private queued(): Pending[] {
    return [...this.served, ...this.refused, ...this.summaries.values()];
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Arranges the next write: at once for a full batch, else within the flush interval; after a
   * failure, with a delay that doubles up to `maxRetryDelayMs`.
   */
  private schedule(): void {
    if (this.writing !== undefined || this.pending === 0) return;
    const retrying = this.failures > 0;
    const now = !retrying && this.pending >= this.batchSize;
    if (this.timer !== undefined) {
      if (!now || this.timerIsNow) return;
      this.clearTimer();
    }
    const delay = retrying
      ? Math.min(this.maxRetryDelayMs, this.flushIntervalMs * 2 ** (this.failures - 1))
      : now
        ? 0
        : this.flushIntervalMs;
    this.timerIsNow = now;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, delay);
    this.timer.unref();
  }

  /** Writes batches until the queue is empty (true) or the store fails (false). One at a time. */
  private drain(): Promise<boolean> {
    this.writing ??= this.writeAll().finally(() => {
      this.writing = undefined;
      this.schedule();
    });
    return this.writing;
  }

  private async writeAll(): Promise<boolean> {
    while (this.pending > 0) {
      if (!(await this.writeBatch())) return false;
    }
    return true;
  }

  private async writeBatch(): Promise<boolean> {
    // Summaries join the refused queue when written; new refusals then start new summaries.
    // They are sealed into the chain now: from here on they no longer change.
    this.refused.push(...[...this.summaries.values()].map((summary) => this.sealed(summary)));
    this.summaries.clear();
    const fromServed = this.served.slice(0, this.batchSize);
    const fromRefused = this.refused.slice(0, this.batchSize - fromServed.length);
    const batch = [...fromServed, ...fromRefused];
    try {
      await this.store.upsertVertices(batch.map(vertexOf));
    } catch (error: unknown) {
      if (error instanceof BatchRejectedError) {
        this.discardRejected(batch, error);
        return true;
      }
      this.failures += 1;
      this.lastError = reasonOf(error);
      if (this.failures === 1 || this.failures % 10 === 0) {
        this.logger.warn(
          `${this.pending} audit entries wait: the graph store refused the write (${this.failures} failures in a row; they stay queued and are retried): ${this.lastError}`,
        );
      }
      return false;
    }
    this.served.splice(0, fromServed.length);
    this.refused.splice(0, fromRefused.length);
    if (this.failures > 0) {
      this.logger.log(`Audit entries are stored again after ${this.failures} failed attempts`);
    }
    this.failures = 0;
    this.lastError = undefined;
    return true;
  }

  /**
   * Entries the vocabulary refuses (none should: the writer bounds every field) can never be
   * written; they leave the queue, in full in the log, so they do not block the others.
   */
  private discardRejected(batch: readonly Pending[], error: BatchRejectedError): void {
    const bad = new Set(error.rejected.map((item) => batch[item.index]));
    for (const queue of [this.served, this.refused]) {
      for (let i = queue.length - 1; i >= 0; i -= 1) {
        if (bad.has(queue[i])) queue.splice(i, 1);
      }
    }
    for (const item of bad) {
      this.logger.error(
        { audit: item?.entry, problems: error.rejected },
        'An audit entry was refused by the vocabulary and is kept in this log only',
      );
    }
  }

  private async flushOrLog(when: string, last: boolean): Promise<void> {
    try {
      await this.flush();
    } catch (error: unknown) {
      if (!last) return;
      for (const { entry } of this.queued()) {
        this.logger.error(
          { audit: entry },
          'An audit entry could not be stored in the graph at shutdown; it is kept in this log only',
        );
      }
      this.logger.error(
        `${this.pending} audit entries were not stored ${when}: ${reasonOf(error)}`,
      );
    }
  }
}
