import type { GraphStore } from '@app/graph-store';
import type { Movement } from '@app/vocabulary';

/** A window of movements read page by page: `[from, to)`, epoch ms, optionally some channels. */
export interface MovementPagesQuery {
  from: number;
  to: number;
  channels?: readonly string[];
  /** Movements per `scanMovements` request. */
  pageSize: number;
  /**
   * `scanMovements` requests in flight at once (at least 1). The window is cut into
   * `SLICES_PER_READER` times as many slices of equal duration; that many slices are read side
   * by side, each up to `pagesAhead` pages ahead of its turn. Pages still come out in the
   * store's order.
   */
  readersAtOnce: number;
  /** Pages a slice read ahead of its turn may hold (default 8; 1 with one reader). */
  pagesAhead?: number;
  /** Once aborted, no slice starts another request (those in flight end unread). */
  signal?: AbortSignal;
}

/**
 * Slices per reader: small slices, so that a slice read ahead usually fits in `pagesAhead`
 * pages and its reader moves on to the next slice instead of waiting for its turn.
 */
export const SLICES_PER_READER = 8;

/**
 * The movements of a window in the store's order (timestamp, then movement id), as the pages
 * `scanMovements` answers, with at most `readersAtOnce` requests in flight and nothing held
 * beyond `readersAtOnce` × `pagesAhead` pages.
 *
 * Why: on a store across a network (JanusGraph, above all on Cassandra) a page costs a wait
 * for every edge it reads, one after another on one server thread, while the server and its
 * storage have cores to spare. The slices after the current one are read meanwhile, so that
 * their pages are there when their turn comes. On the in-memory store this only adds one short
 * request per slice.
 *
 * Stopping the iteration early (a `break`, or an error thrown by its consumer) stops every
 * slice's reads after the request each has in flight; a failed read is thrown when its page's
 * turn comes, not before, and the pages before it are read as usual.
 */
/**
 * How many reads a scan keeps in flight: a whole number of at least 1. A value that is not a
 * finite number (a setting that did not parse) means one read at a time.
 */
export function readersAtOnceOf(requested: number): number {
  return Number.isFinite(requested) ? Math.max(1, Math.floor(requested)) : 1;
}

export async function* movementPages(
  store: GraphStore,
  query: MovementPagesQuery,
): AsyncGenerator<Movement[]> {
  const readers = readersAtOnceOf(query.readersAtOnce);
  const slices =
    readers === 1
      ? sliceWindow(query.from, query.to, 1)
      : sliceWindow(query.from, query.to, readers * SLICES_PER_READER);
  const pagesAhead = Math.max(1, query.pagesAhead ?? (readers === 1 ? 1 : 8));
  const started: SliceReader[] = [];
  const start = (index: number): void => {
    const slice = slices[index];
    if (slice === undefined) return;
    started[index] = new SliceReader(store, { ...query, ...slice }, pagesAhead);
  };
  try {
    for (let index = 0; index < readers; index += 1) start(index);
    for (let index = 0; index < slices.length; index += 1) {
      const reader = started[index];
      for (;;) {
        const page = await reader.take();
        if (page === undefined) break;
        yield page;
      }
      start(index + readers);
    }
  } finally {
    for (const reader of started) reader?.stop();
  }
}

/** `[from, to)` cut into at most `parts` slices of equal duration (whole milliseconds). */
export function sliceWindow(
  from: number,
  to: number,
  parts: number,
): { from: number; to: number }[] {
  if (to <= from) return [];
  const count = Math.max(1, Math.min(parts, to - from));
  const width = Math.ceil((to - from) / count);
  const slices: { from: number; to: number }[] = [];
  for (let start = from; start < to; start += width) {
    slices.push({ from: start, to: Math.min(to, start + width) });
  }
  return slices;
}

/**
 * Reads one slice page after page as soon as it is created, up to `pagesAhead` pages ahead of
 * `take`; `take` answers them in order, then undefined once the slice is read.
 */
class SliceReader {
  private readonly pages: Movement[][] = [];
  private done = false;
  private failure: { error: unknown } | undefined;
  private stopped = false;
  /** Woken when a page arrives, the slice ends or a read fails. */
  private onPage: (() => void) | undefined;
  /** Woken when `take` makes room. */
  private onRoom: (() => void) | undefined;

  constructor(
    private readonly store: GraphStore,
    private readonly query: Omit<MovementPagesQuery, 'readersAtOnce' | 'pagesAhead'>,
    private readonly pagesAhead: number,
  ) {
    // `read` settles every failure itself (kept for `take`); nothing is left unhandled.
    void this.read();
  }

  async take(): Promise<Movement[] | undefined> {
    while (this.pages.length === 0 && !this.done && this.failure === undefined) {
      await new Promise<void>((resolve) => (this.onPage = resolve));
    }
    const page = this.pages.shift();
    if (page !== undefined) {
      this.wake('room');
      return page;
    }
    if (this.failure !== undefined) throw this.failure.error;
    return undefined;
  }

  stop(): void {
    this.stopped = true;
    this.wake('room');
  }

  private halted(): boolean {
    return this.stopped || this.query.signal?.aborted === true;
  }

  private async read(): Promise<void> {
    let after: { timestamp: number; movementId: string } | undefined;
    try {
      while (!this.halted()) {
        while (this.pages.length >= this.pagesAhead && !this.halted()) {
          await new Promise<void>((resolve) => (this.onRoom = resolve));
        }
        if (this.halted()) break;
        const page = await this.store.scanMovements({
          from: this.query.from,
          to: this.query.to,
          channels: this.query.channels,
          after,
          limit: this.query.pageSize,
        });
        if (page.length > 0) this.pages.push(page);
        const last = page[page.length - 1];
        if (page.length < this.query.pageSize || last === undefined) break;
        after = { timestamp: last.timestamp, movementId: last.movementId };
        this.wake('page');
      }
    } catch (error) {
      this.failure = { error };
    }
    this.done = true;
    this.wake('page');
  }

  private wake(which: 'page' | 'room'): void {
    const resolve = which === 'page' ? this.onPage : this.onRoom;
    if (which === 'page') this.onPage = undefined;
    else this.onRoom = undefined;
    resolve?.();
  }
}
