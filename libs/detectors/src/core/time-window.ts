import { Sweeper } from './sweeper';
/** Items of a sliding window, oldest first; eviction drops from the head in O(1) amortised. */
export class TimeWindow<T extends { timestamp: number }> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  /** Drops every item strictly older than `from`, telling `onEvict` about each one. */
  evictBefore(from: number, onEvict?: (item: T) => void): void {
    while (this.head < this.items.length && this.items[this.head].timestamp < from) {
      onEvict?.(this.items[this.head]);
      this.head += 1;
    }
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** The items still in the window, oldest first (a copy). */
  values(): T[] {
    return this.items.slice(this.head);
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** The oldest item, if any. */
  first(): T | undefined {
    return this.length > 0 ? this.items[this.head] : undefined;
  }

  /** The newest item, if any. */
  last(): T | undefined {
    return this.length > 0 ? this.items[this.items.length - 1] : undefined;
  }

  /**
   * Visits items with a timestamp strictly after `after` (found by binary search), oldest
   * first, until `visit` returns false.
   */
  forEachAfter(after: number, visit: (item: T) => boolean): void {
    let low = this.head;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.items[mid].timestamp <= after) low = mid + 1;
      else high = mid;
    }
    for (let i = low; i < this.items.length; i += 1) if (!visit(this.items[i])) return;
  }

  /** Visits the items in the window, oldest first, without copying. */
  forEach(visit: (item: T) => void): void {
    for (let i = this.head; i < this.items.length; i += 1) visit(this.items[i]);
  }
}

const SWEEP_EVERY = 2048;

/**
 * One sliding window per key (usually an account), with eviction by event time. Keys whose
 * window has emptied are dropped, so memory follows the movements inside the window, not the
 * history.
 */
export class KeyedWindows<T extends { timestamp: number }> {
  private readonly windows = new Map<string, TimeWindow<T>>();
  private readonly sweeper = new Sweeper(SWEEP_EVERY);

  constructor(private readonly windowMs: number) {}

  /** Adds an item and evicts what fell out of that key's window; returns the window. */
  push(key: string, item: T): TimeWindow<T> {
    if (this.sweeper.due()) this.sweep(item.timestamp);
    let window = this.windows.get(key);
    if (!window) {
      window = new TimeWindow<T>();
      this.windows.set(key, window);
    }
    window.push(item);
    window.evictBefore(item.timestamp - this.windowMs);
    return window;
  }

  /** The key's window as of `now` (evicted first), or undefined when it is empty. */
  get(key: string, now: number): TimeWindow<T> | undefined {
    const window = this.windows.get(key);
    if (!window) return undefined;
    window.evictBefore(now - this.windowMs);
    if (window.length === 0) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  /** Entries held across all keys. */
  size(): number {
    let total = 0;
    for (const window of this.windows.values()) total += window.length;
    return total;
  }

  keys(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    this.sweeper.swept(this.windows.size);
    for (const [key, window] of this.windows) {
      window.evictBefore(now - this.windowMs);
      if (window.length === 0) this.windows.delete(key);
    }
  }
}
