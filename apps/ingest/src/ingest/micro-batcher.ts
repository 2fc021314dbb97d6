/**
 * Collects items and hands them to `flush` in batches of up to `maxItems`, or after `maxWaitMs`
 * when fewer arrived. Flushes run one at a time, in order. A flush that fails is handed to
 * `onError` with its batch, which must dispose of every item (the worker nacks the messages it
 * did not settle); an `onError` that fails itself is ignored, so one batch never stops the
 * next. `drain()` writes what is left and waits for every flush (graceful shutdown).
 */
export class MicroBatcher<T> {
  private items: T[] = [];
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly flush: (batch: T[]) => Promise<void>,
    private readonly maxItems: number,
    private readonly maxWaitMs: number,
    private readonly onError: (error: unknown, batch: readonly T[]) => void | Promise<void>,
  ) {
    if (!Number.isSafeInteger(maxItems) || maxItems < 1) {
      throw new RangeError(`maxItems must be a whole number, at least 1 (got ${maxItems})`);
    }
  }

  /** Items waiting for the next flush. */
  get pending(): number {
    return this.items.length;
  }

  add(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.maxItems) {
      this.cut();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.cut(), this.maxWaitMs);
    }
  }

  /** Flushes what is collected now and resolves when every flush so far has finished. */
  async drain(): Promise<void> {
    this.cut();
    await this.chain;
  }

  private cut(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.items.length === 0) return;
    const batch = this.items;
    this.items = [];
    this.chain = this.chain
      .then(() => this.flush(batch))
      .catch((error: unknown) => this.onError(error, batch))
      .catch(() => undefined);
  }
}
