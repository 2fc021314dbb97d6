/**
 * A list kept in order by a comparator, sorted lazily: appends are O(1) and only mark the list
 * dirty when they break the order; the next read sorts once (O(n log n)), and reads after
 * that are binary searches (O(log n)). Loads that arrive in order (the usual case for
 * movements) never sort at all.
 */
export class SortedList<T> {
  private items: T[] = [];
  private dirty = false;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    const last = this.items[this.items.length - 1];
    if (last !== undefined && this.compare(last, item) > 0) this.dirty = true;
    this.items.push(item);
  }

  /** Call after changing the sort key of an item already in the list. */
  markDirty(): void {
    this.dirty = true;
  }

  /** The items in order. Do not modify the returned array. */
  sorted(): readonly T[] {
    if (this.dirty) {
      this.items.sort(this.compare);
      this.dirty = false;
    }
    return this.items;
  }

  /** Index of the first item for which `isAfterStart` is true (items must be partitioned). */
  firstIndex(isAfterStart: (item: T) => boolean): number {
    const items = this.sorted();
    let low = 0;
    let high = items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (isAfterStart(items[middle])) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

/** Orders strings by UTF-16 code units, the order Java's String.compareTo (JanusGraph) uses. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
