import type { GraphStore } from '@app/graph-store';
import type { AccountDirectory, AccountInfo } from '../core/account-directory';

/**
 * Account facts read from the graph store on demand and cached (bounded: the oldest entries go
 * first once `capacity` is reached). Call `ensure` with a page's account ids before evaluating
 * the page, so that evaluators can read synchronously.
 */
export class StoreAccountDirectory implements AccountDirectory {
  private readonly cache = new Map<string, AccountInfo | null>();

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
      for (const uid of chunk) this.remember(uid, found.get(uid) ?? null);
    }
  }

  get(uid: string): AccountInfo | undefined {
    return this.cache.get(uid) ?? undefined;
  }

  private remember(uid: string, info: AccountInfo | null): void {
    if (this.cache.size >= this.capacity) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(uid, info);
  }
}
