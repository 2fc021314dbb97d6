/**
 * A bounded map of facts about JanusGraph's own vertex ids (a vertex id's uid, a uid's vertex id
 * and label), kept by the store to save reads. Such a fact holds for the life of the graph, but
 * not across graphs: everything is dropped when `epoch()` changes (the client counts closed
 * connections; a server that comes back may hold other data) and by `clear()`. When full, the
 * entries set longest ago leave first. Callers that act on an entry must still cope with a
 * vertex deleted since it was stored (another process may drop vertices): the store reads again
 * and retries.
 */
export class ServerIdCache<K, V> {
  private readonly entries = new Map<K, V>();
  private filledUnder: number;

  constructor(
    private readonly maxEntries: number,
    private readonly epoch: () => number,
  ) {
    this.filledUnder = epoch();
  }

  /** The entry of `key`, when known under the current epoch. */
  get(key: K): V | undefined {
    this.dropIfStale();
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    this.dropIfStale();
    this.entries.delete(key); // set again: it becomes the newest
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private dropIfStale(): void {
    const now = this.epoch();
    if (now === this.filledUnder) return;
    this.entries.clear();
    this.filledUnder = now;
  }
}
