import { KeyedWindows } from './time-window';

const EMPTY: ReadonlyMap<string, readonly never[]> = new Map();

/**
 * One sliding window per key (see KeyedWindows), with the window's items also grouped by a
 * second key (usually the counterparty). The groups are kept up to date as items enter and
 * leave the window, so "whom did this account deal with, and how" costs nothing however busy
 * the account is (regrouping the window on every question made each movement of a busy
 * account cost as much as its whole window).
 */
export class GroupedWindows<T extends { timestamp: number }> {
  private readonly windows: KeyedWindows<T>;
  private readonly groups = new Map<string, Map<string, T[]>>();

  constructor(
    windowMs: number,
    private readonly groupOf: (item: T) => string,
  ) {
    this.windows = new KeyedWindows<T>(windowMs, (key, item) => this.remove(key, item));
  }

  push(key: string, item: T): void {
    this.windows.push(key, item);
    let groups = this.groups.get(key);
    if (!groups) {
      groups = new Map();
      this.groups.set(key, groups);
    }
    const group = this.groupOf(item);
    const list = groups.get(group);
    if (list) list.push(item);
    else groups.set(group, [item]);
  }

  /**
   * The key's window as of `now`, grouped, each group oldest first. A live view: read it
   * before the next `push`.
   */
  groupsOf(key: string, now: number): ReadonlyMap<string, readonly T[]> {
    this.windows.get(key, now);
    return this.groups.get(key) ?? EMPTY;
  }

  /** Items held across all keys. */
  size(): number {
    return this.windows.size();
  }

  /** Removes `item`, the oldest of its key's window (so the first of its group). */
  private remove(key: string, item: T): void {
    const groups = this.groups.get(key);
    const group = this.groupOf(item);
    const list = groups?.get(group);
    if (!groups || !list) return;
    const at = list.indexOf(item);
    if (at >= 0) list.splice(at, 1);
    if (list.length > 0) return;
    groups.delete(group);
    if (groups.size === 0) this.groups.delete(key);
  }
}
