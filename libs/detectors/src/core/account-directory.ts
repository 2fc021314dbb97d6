import type { AccountProps, GraphEdge, GraphVertex } from '@app/vocabulary';

/** What rules need to know about an account beyond its movements. */
export interface AccountInfo {
  uid: string;
  accountType: AccountProps['accountType'];
  country: string;
  openedAt: number;
  status: AccountProps['status'];
}

/**
 * Synchronous look-up of account facts for evaluators. Engines fill it before evaluation
 * (from a dataset's vertices or from the store, page by page), so rules stay synchronous.
 */
export interface AccountDirectory {
  get(uid: string): AccountInfo | undefined;
  /**
   * Holders of the account (uids of the Persons and Companies that HOLD it), in uid order;
   * empty when none is known. Rules that aggregate per customer (cash reporting) read it.
   */
  holdersOf(uid: string): readonly string[];
}

/** Prefix of cash-point ids (`ids.cashPoint`); used when the directory does not know an id. */
const CASH_POINT_PREFIX = 'cash:';

/** True when the account is a branch or ATM cash point (the cash side of a cash movement). */
export function isCashPoint(accounts: AccountDirectory, uid: string): boolean {
  const info = accounts.get(uid);
  if (info) return info.accountType === 'cash-point';
  return uid.startsWith(CASH_POINT_PREFIX);
}

/**
 * True when the account is one the bank monitors as a customer's account: not a cash point and
 * not an account at another bank (`external`), whose owner is another bank's customer.
 */
export function isMonitored(accounts: AccountDirectory, uid: string): boolean {
  if (isCashPoint(accounts, uid)) return false;
  return accounts.get(uid)?.accountType !== 'external';
}

/**
 * A directory held in memory; `add` accepts any vertices and edges and keeps the accounts and
 * their holders (HOLDS edges).
 */
export class MemoryAccountDirectory implements AccountDirectory {
  private readonly accounts = new Map<string, AccountInfo>();
  private readonly holders = new Map<string, string[]>();

  constructor(vertices: Iterable<GraphVertex> = [], edges: Iterable<GraphEdge> = []) {
    this.add(vertices, edges);
  }

  add(vertices: Iterable<GraphVertex>, edges: Iterable<GraphEdge> = []): void {
    for (const edge of edges) {
      if (edge.label !== 'HOLDS') continue;
      const list = this.holders.get(edge.to) ?? [];
      if (!list.includes(edge.from)) {
        list.push(edge.from);
        list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      }
      this.holders.set(edge.to, list);
    }
    for (const vertex of vertices) {
      if (vertex.label !== 'Account') continue;
      this.accounts.set(vertex.uid, {
        uid: vertex.uid,
        accountType: vertex.props.accountType,
        country: vertex.props.country,
        openedAt: vertex.props.openedAt,
        status: vertex.props.status,
      });
    }
  }

  has(uid: string): boolean {
    return this.accounts.has(uid);
  }

  get(uid: string): AccountInfo | undefined {
    return this.accounts.get(uid);
  }

  holdersOf(uid: string): readonly string[] {
    return this.holders.get(uid) ?? [];
  }

  get size(): number {
    return this.accounts.size;
  }
}
