/**
 * Collects items and hands them to `flush` in batches of up to `maxItems`, or after `maxWaitMs`
 * when fewer arrived. Flushes run one at a time, in order. A flush that fails is handed to
 * `onError` with its batch, which must dispose of every item (the worker nacks the messages it
 * did not settle); an `onError` that fails itself is ignored, so one batch never stops the
 * next. `drain()` writes what is left and waits for every flush. `stop()` is the bounded
 * version for shutdown: it lets the flush under way finish (or, when none is, writes what is
 * collected), and hands back the items of every batch not yet started, unwritten.
 */
export class MicroBatcher<T> {
  private items: T[] = [];
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  /** Batches cut and not finished (the one being flushed included). */
  private queued = 0;
  private stopping = false;
  /** Items of batches skipped because of `stop()`. */
  private skipped: T[] = [];

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

  /**
   * Shutdown with a bound: the flush under way finishes; when none is under way or waiting, what
   * is collected is written as the last batch. Every batch that has not started is skipped, and
   * its items are returned unwritten (the caller leaves them for the broker to deliver again).
   * So a stop waits for one batch, not for every batch the receive queue had filled. `resume()`
   * undoes it.
   */
  async stop(): Promise<T[]> {
    if (this.queued === 0) this.cut(true);
    this.stopping = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.skipped.push(...this.items);
    this.items = [];
    await this.chain;
    const skipped = this.skipped;
    this.skipped = [];
    return skipped;
  }

  /** Takes batches again after `stop()`. */
  resume(): void {
    this.stopping = false;
  }

  /** `last`: written even when `stop()` comes before its turn (the batch in hand at a stop). */
  private cut(last = false): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.items.length === 0) return;
    const batch = this.items;
    this.items = [];
    this.queued += 1;
    this.chain = this.chain
      .then(() => {
        if (!this.stopping || last) return this.flush(batch);
        this.skipped.push(...batch);
        return undefined;
      })
      .catch((error: unknown) => this.onError(error, batch))
      .catch(() => undefined)
      .finally(() => {
        this.queued -= 1;
      });
  }
}
