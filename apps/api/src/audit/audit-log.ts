import { InvalidInputError } from '@app/vocabulary';
import type { ChainedAuditEntry } from './audit-chain';

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
  /** The HTTP status answered; 499 when the caller went away before the answer was complete. */
  status: number;
  correlationId: string;
  /**
   * Present on a summary: how many refused requests of the same caller, route and status it
   * stands for (written instead of one entry each when a flood of them outran the store).
   */
  count?: number;
  /**
   * What the action recorded besides the request (the reason given for an erasure). Stored in
   * the trail, never written to the log.
   */
  note?: string;
}

/**
 * A handler that wants more than the request in the audit trail (the reason for an erasure)
 * sets `auditNote` on the request; the audit middleware stores it with the entry.
 */
export interface RequestWithAuditNote {
  auditNote?: string;
}

export interface AuditQuery {
  principal?: string;
  resource?: string;
  limit: number;
  /** `nextCursor` of the previous page: the entries older than its last one. */
  cursor?: string;
}

/** One page of the trail, newest first; `nextCursor` when older entries may follow. */
export interface AuditPage {
  items: AuditEntry[];
  nextCursor?: string;
}

const AUDIT_CURSOR_VERSION = 1;

/**
 * The cursor of an audit page: where the page ended, in the adapter's own order (`uid` of the
 * stored vertex, or `seq` of the memory trail). Opaque to callers.
 */
export function encodeAuditCursor(
  kind: 'uid' | 'seq',
  after: string | number,
  query: Pick<AuditQuery, 'principal' | 'resource'>,
): string {
  return Buffer.from(
    JSON.stringify({ v: AUDIT_CURSOR_VERSION, k: kind, a: after, f: filterOf(query) }),
    'utf8',
  ).toString('base64url');
}

/** The filters a cursor was made under (a page must keep them). */
function filterOf(query: Pick<AuditQuery, 'principal' | 'resource'>): string {
  return JSON.stringify([query.principal ?? null, query.resource ?? null]);
}

/**
 * Where the page of a cursor of `kind`, made under the same filters as `query`, ended;
 * InvalidInputError naming `cursor` for any other text or other filters.
 */
export function decodeAuditCursor(cursor: string, kind: 'uid', query: AuditQuery): string;
export function decodeAuditCursor(cursor: string, kind: 'seq', query: AuditQuery): number;
export function decodeAuditCursor(
  cursor: string,
  kind: 'uid' | 'seq',
  query: AuditQuery,
): string | number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const fields =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as { v?: unknown; k?: unknown; a?: unknown; f?: unknown })
      : {};
  if (fields.v === AUDIT_CURSOR_VERSION && fields.k === kind && fields.f !== filterOf(query)) {
    throw new InvalidInputError('cursor was made for other filters', [
      {
        field: 'cursor',
        rule: 'must be used with the same principal and resource as the page that gave it',
      },
    ]);
  }
  const valid =
    fields.v === AUDIT_CURSOR_VERSION &&
    fields.k === kind &&
    (kind === 'uid'
      ? typeof fields.a === 'string' && fields.a !== ''
      : typeof fields.a === 'number' && Number.isSafeInteger(fields.a));
  if (!valid) {
    throw new InvalidInputError('cursor is not one this audit trail gave', [
      {
        field: 'cursor',
        rule: 'must be the nextCursor (X-Next-Cursor header) of an earlier answer of GET /api/v1/audit, unchanged',
      },
    ]);
  }
  return fields.a as string | number;
}

/**
 * Requests turned away before anything was shown or changed: every 4xx answer (no key or a bad
 * one, a role too low, bad input, nothing found, a body too large, too many requests…) and 503.
 * Anyone holding even a viewer key can cause as many of these as the rate limit lets through;
 * a flood of them must never push out the entries of requests that were served, so adapters
 * keep them apart (and summarise them per caller, route and status beyond their bound).
 * 499 (the caller went away during the answer) and other 5xx count as served: the request
 * reached a route and may have shown something.
 */
export function isRefusedStatus(status: number): boolean {
  return (status >= 400 && status < 500 && status !== 499) || status === 503;
}

export function isRefused(entry: Pick<AuditEntry, 'status'>): boolean {
  return isRefusedStatus(entry.status);
}

/** The stored entries with their links, for `verifyAuditChain`. */
export interface AuditChainRead {
  entries: ChainedAuditEntry[];
  /** True when there were more entries than asked for (only the first ones were read). */
  truncated: boolean;
  /** What the reader could not give (e.g. entries a bounded memory trail let go). */
  note?: string;
}

/** What readiness reports about the audit trail. */
export interface AuditLogHealth {
  /** False when entries cannot be stored in time: the API should not take more traffic. */
  ready: boolean;
  /** Name of the storage (`memory`, `graph:janusgraph`). */
  storage: string;
  /** Entries accepted but not stored yet. */
  pending: number;
  /** Why it is not ready, for an operator. */
  message?: string;
}

/**
 * Port for the audit trail. `record` accepts an entry at once (it never blocks a request and
 * never throws); the adapter stores it (memory: at once; graph: within about a second, in
 * batches). `accepting` turns false when an adapter could not keep one more served request's
 * entry: the middleware then refuses requests rather than serve them unaudited.
 *
 * Adapters: `MemoryAuditLog` (the embedded default, lost on restart) and `GraphAuditLog`
 * (AuditEntry vertices in the graph store: durable, shared by every API replica).
 */
export abstract class AuditLog {
  abstract record(entry: AuditEntry): void;
  /**
   * One page, newest first; entries accepted but not stored yet are included. Following
   * `nextCursor` lists each entry at most once, and every entry recorded before the first page
   * was read. An entry placed by its request's start time (a slow request) or still queued at
   * another API replica may land behind a page already read: re-read the first pages after a
   * pass for those. A refusal summary still gathering refusals changes place as it grows (the
   * memory trail) or count (the graph trail), so a pass may show it with an older count, or
   * miss it if it moved behind the cursor.
   */
  abstract listPage(query: AuditQuery): Promise<AuditPage>;
  /** The first page's entries (see `listPage`). */
  async list(query: AuditQuery): Promise<AuditEntry[]> {
    return (await this.listPage(query)).items;
  }
  /** Resolves when every entry accepted so far is stored; rejects with the store's error. */
  abstract flush(): Promise<void>;
  abstract get accepting(): boolean;
  abstract health(): AuditLogHealth;
  /**
   * Every entry held, with its link in the hash chain (at most `max`; any order): entries
   * stored and entries of this process accepted and sealed but not stored yet.
   */
  abstract readChain(max: number): Promise<AuditChainRead>;
}
