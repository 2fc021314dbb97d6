import type { Clock } from '@app/vocabulary';

/** A read that took less than this (ms) is never reused: the next caller reads afresh. */
export const CHEAP_READ_MS = 200;

/** A costlier read answers again until this many times its own duration has passed. */
export const REUSE_FACTOR = 10;

/** What a shared read answers: the value, and when the read that made it began. */
export interface SharedAnswer<T> {
  value: T;
  /** Clock time (ms since the epoch) at which the read began: the value holds what was then. */
  startedAt: number;
}

interface FinishedRead<T> {
  answer: SharedAnswer<T>;
  finishedAt: number;
  tookMs: number;
}

interface Entry<T> {
  last?: FinishedRead<T>;
  running?: Promise<SharedAnswer<T>>;
}

/**
 * Costly whole-graph reads (counts, fraud rings) kept from loading the graph server, one entry
 * per key (the read's parameters):
 *
 * - a read that took less than CHEAP_READ_MS (the embedded store, a small graph) is made afresh
 *   for every caller: what a caller has just written is in what it reads next;
 * - otherwise callers that arrive while a read runs share it, and a finished read answers again
 *   until REUSE_FACTOR times its own duration has passed (a read of 2 s for 20 s): reading takes
 *   at most about a tenth of one server thread per key, however many callers there are;
 * - a failed read is not kept: its callers get the error, the next caller reads again;
 * - at most `maxKeys` keys are kept; past that the least recently asked one without a read
 *   running is forgotten, so callers varying the parameters cannot grow the memory.
 *
 * Every answer says when its read began (`startedAt`), for the caller to show.
 */
export class SharedReads<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys: number,
  ) {}

  /** The answer for `key`: shared, reused or read afresh with `read` (see the class). */
  read(key: string, read: () => Promise<T>): Promise<SharedAnswer<T>> {
    const entry = this.entryOf(key);
    const last = entry.last;
    if (last !== undefined && last.tookMs < CHEAP_READ_MS) return this.run(entry, read);
    if (last !== undefined && this.clock.now() - last.finishedAt < REUSE_FACTOR * last.tookMs) {
      return Promise.resolve(last.answer);
    }
    if (entry.running === undefined) {
      const running = this.run(entry, read).finally(() => {
        if (entry.running === running) entry.running = undefined;
      });
      entry.running = running;
    }
    return entry.running;
  }

  /** How many keys are kept now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** The entry of `key`, made the most recently asked; the oldest idle ones beyond the bound go. */
  private entryOf(key: string): Entry<T> {
    const entry = this.entries.get(key) ?? {};
    this.entries.delete(key);
    this.entries.set(key, entry);
    for (const [oldKey, old] of this.entries) {
      if (this.entries.size <= this.maxKeys) break;
      if (old.running === undefined && oldKey !== key) this.entries.delete(oldKey);
    }
    return entry;
  }

  private async run(entry: Entry<T>, read: () => Promise<T>): Promise<SharedAnswer<T>> {
    const startedAt = this.clock.now();
    const value = await read();
    const finishedAt = this.clock.now();
    const answer: SharedAnswer<T> = { value, startedAt };
    // A slower read that began earlier does not replace a newer one.
    if (entry.last === undefined || startedAt >= entry.last.answer.startedAt) {
      entry.last = { answer, finishedAt, tookMs: finishedAt - startedAt };
    }
    return answer;
  }
}
