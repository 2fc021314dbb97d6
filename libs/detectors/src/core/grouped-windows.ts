import { Sweeper } from './sweeper';
import { TimeWindow } from './time-window';

const EMPTY: ReadonlyMap<string, readonly never[]> = new Map();
const SWEEP_EVERY = 2048;

/** One key's window and the same items grouped (each group oldest first). */
interface KeyItems<T extends { timestamp: number }> {
  window: TimeWindow<T>;
  groups: Map<string, T[]>;
}

/**
 * One sliding window per key (like KeyedWindows), with the window's items also grouped by a
 * second key (usually the counterparty). The groups are kept up to date as items enter and
 * leave the window, so "whom did this account deal with, and how" costs nothing however busy
 * the account is (regrouping the window on every question made each movement of a busy
 * account cost as much as its whole window).
 *
 * Feed items in time order per key. Every change is made by this object's own methods on its
 * own fields (no callback kept from construction), and an item leaving the window is removed as
 * the head of its group (by position, not identity), so StreamDetectionEngine.trial, which
 * journals writes through proxies, puts everything back (an outside review found a callback
 * holding the unproxied object: evictions inside a trial were not undone).
 */
export class GroupedWindows<T extends { timestamp: number }> {
  private readonly keys = new Map<string, KeyItems<T>>();
  private readonly sweeper = new Sweeper(SWEEP_EVERY);

  constructor(
    private readonly windowMs: number,
    private readonly groupOf: (item: T) => string,
  ) {}

  push(key: string, item: T): void {
    if (this.sweeper.due()) this.sweep(item.timestamp);
    let items = this.keys.get(key);
    if (!items) {
      items = { window: new TimeWindow<T>(), groups: new Map() };
      this.keys.set(key, items);
    }
    items.window.push(item);
    const group = this.groupOf(item);
    const list = items.groups.get(group);
    if (list) list.push(item);
    else items.groups.set(group, [item]);
    this.evict(items, item.timestamp);
  }

  /**
   * The key's window as of `now`, grouped, each group oldest first. A live view: read it
   * before the next `push`.
   */
  groupsOf(key: string, now: number): ReadonlyMap<string, readonly T[]> {
    const items = this.keys.get(key);
    if (!items) return EMPTY;
    this.evict(items, now);
    if (items.window.length === 0) {
      this.keys.delete(key);
      return EMPTY;
    }
    return items.groups;
  }

  /** Items held across all keys. */
  size(): number {
    let total = 0;
    for (const items of this.keys.values()) total += items.window.length;
    return total;
  }

  /** Drops what is older than the window at `now`, each item as the head of its group. */
  private evict(items: KeyItems<T>, now: number): void {
    const groups = items.groups;
    items.window.evictBefore(now - this.windowMs, (item) => {
      const group = this.groupOf(item);
      const list = groups.get(group);
      if (!list) return;
      list.shift();
      if (list.length === 0) groups.delete(group);
    });
  }

  private sweep(now: number): void {
    this.sweeper.swept(this.keys.size);
    for (const [key, items] of this.keys) {
      this.evict(items, now);
      if (items.window.length === 0) this.keys.delete(key);
    }
  }
}
