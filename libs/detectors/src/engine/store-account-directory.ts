import type { GraphStore } from '@app/graph-store';
import type { AccountDirectory, AccountInfo } from '../core/account-directory';

interface Known {
  info: AccountInfo;
  holders: readonly string[];
}

/**
 * Account facts and holders read from the graph store on demand and cached (bounded: the
 * oldest entries go first once `capacity` is reached). Call `ensure` with a page's account ids
 * before evaluating the page, so that evaluators can read synchronously; it costs two reads
 * (vertices, then the holders of the accounts found) per 1000 ids not yet cached.
 */
export class StoreAccountDirectory implements AccountDirectory {
  private readonly cache = new Map<string, Known | null>();

  constructor(
    private readonly store: GraphStore,
    private readonly capacity = 200_000,
  ) {}

  async ensure(uids: Iterable<string>): Promise<void> {
    const missing = [...new Set(uids)].filter((uid) => !this.cache.has(uid));
    for (let i = 0; i < missing.length; i += 1000) {
      const chunk = missing.slice(i, i + 1000);
      const found = new Map<string, AccountInfo>();
      for (const vertex of await this.store.getVertices(chunk)) {
        if (vertex.label !== 'Account') continue;
        found.set(vertex.uid, {
          uid: vertex.uid,
          accountType: vertex.props.accountType,
          country: vertex.props.country,
          openedAt: vertex.props.openedAt,
          status: vertex.props.status,
        });
      }
      const holders = new Map(
        found.size === 0
          ? []
          : (await this.store.getHolders([...found.keys()])).map(
              (h) => [h.accountId, h.holderUids] as const,
            ),
      );
      for (const uid of chunk) {
        const info = found.get(uid);
        this.remember(uid, info ? { info, holders: holders.get(uid) ?? [] } : null);
      }
    }
  }

  /** Drops what is cached about some accounts (e.g. accounts found missing, since imported). */
  forget(uids: Iterable<string>): void {
    for (const uid of uids) this.cache.delete(uid);
  }

  get(uid: string): AccountInfo | undefined {
    return this.cache.get(uid)?.info;
  }

  holdersOf(uid: string): readonly string[] {
    return this.cache.get(uid)?.holders ?? [];
  }

  private remember(uid: string, info: Known | null): void {
    if (this.cache.size >= this.capacity) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(uid, info);
  }
}
