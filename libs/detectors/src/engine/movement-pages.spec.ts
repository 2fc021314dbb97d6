import { MemoryGraphStore } from '@app/graph-store';
import type { MovementWindowQuery } from '@app/graph-store';
import { movementEdge, GraphUnavailableError } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { accountVertex, HOUR, mv, T0 } from '../testing/fixtures';
import { movementPages, readersAtOnceOf, sliceWindow } from './movement-pages';

/**
 * A store whose `scanMovements` answers on a later turn, counting requests in flight and every
 * request made; `failFrom` makes requests starting at or after that instant fail.
 */
class SlowStore extends MemoryGraphStore {
  requests = 0;
  inFlight = 0;
  maxInFlight = 0;
  failFrom: number | undefined;

  override async scanMovements(query: MovementWindowQuery): Promise<Movement[]> {
    this.requests += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.failFrom !== undefined && query.from >= this.failFrom)
        throw new GraphUnavailableError('the test made this read fail');
      return await super.scanMovements(query);
    } finally {
      this.inFlight -= 1;
    }
  }
}

const WINDOW = { from: T0, to: T0 + 100 * HOUR };

/**
 * 300 movements over the window: several at the same millisecond (ties ordered by id), some on
 * the window's edges, some outside it.
 */
async function bank(): Promise<{ store: SlowStore; inWindow: Movement[] }> {
  const store = new SlowStore();
  const accounts = ['account:t:A', 'account:t:B', 'account:t:C'];
  await store.upsertVertices(accounts.map((uid) => accountVertex(uid)));
  const movements: Movement[] = [];
  for (let i = 0; i < 300; i += 1) {
    const at = T0 - 2 * HOUR + Math.floor((i * 7919) % 104) * HOUR + (i % 3 === 0 ? 0 : i % 5);
    movements.push(
      mv(accounts[i % 3], accounts[(i + 1) % 3], 100 + i, at, { id: `m-${1000 + i}` }),
    );
  }
  await store.upsertEdges(movements.map(movementEdge));
  const inWindow = movements
    .filter((m) => m.timestamp >= WINDOW.from && m.timestamp < WINDOW.to)
    .sort((a, b) => a.timestamp - b.timestamp || (a.movementId < b.movementId ? -1 : 1));
  return { store, inWindow };
}

async function collect(pages: AsyncGenerator<Movement[]>): Promise<Movement[][]> {
  const all: Movement[][] = [];
  for await (const page of pages) all.push(page);
  return all;
}

describe('movementPages', () => {
  it.each([
    [1, 7],
    [2, 7],
    [3, 50],
    [4, 1000],
  ])(
    'answers every movement of the window once, in the store order, with %i reader(s) and pages of %i',
    async (readersAtOnce, pageSize) => {
      const { store, inWindow } = await bank();
      const pages = await collect(movementPages(store, { ...WINDOW, pageSize, readersAtOnce }));
      expect(inWindow.length).toBeGreaterThan(200);
      expect(pages.flat().map((m) => m.movementId)).toEqual(inWindow.map((m) => m.movementId));
      expect(pages.every((page) => page.length > 0 && page.length <= pageSize)).toBe(true);
    },
  );

  it('keeps at most readersAtOnce requests in flight', async () => {
    const { store } = await bank();
    await collect(movementPages(store, { ...WINDOW, pageSize: 5, readersAtOnce: 3 }));
    expect(store.maxInFlight).toBe(3);
    const single = await bank();
    await collect(movementPages(single.store, { ...WINDOW, pageSize: 5, readersAtOnce: 1 }));
    expect(single.store.maxInFlight).toBe(1);
  });

  it('reads ahead no more than readersAtOnce x pagesAhead pages of a reader that does not take them', async () => {
    const { store } = await bank();
    const pages = movementPages(store, { ...WINDOW, pageSize: 5, readersAtOnce: 2, pagesAhead: 3 });
    await pages.next();
    for (let turn = 0; turn < 50; turn += 1) await new Promise((r) => setImmediate(r));
    // One page taken; each of the 2 slices read side by side holds at most 3 more pages.
    expect(store.requests).toBeLessThanOrEqual(1 + 2 * 3);
    expect(store.requests).toBeGreaterThanOrEqual(2);
    await pages.return(undefined);
  });

  it('starts no request once the consumer stops early', async () => {
    const { store } = await bank();
    const pages = movementPages(store, { ...WINDOW, pageSize: 5, readersAtOnce: 2 });
    await pages.next();
    await pages.return(undefined);
    const afterStop = store.requests;
    for (let turn = 0; turn < 50; turn += 1) await new Promise((r) => setImmediate(r));
    // The requests in flight when it stopped may end; none is started after them.
    expect(store.requests).toBeLessThanOrEqual(afterStop);
    expect(store.inFlight).toBe(0);
  });

  it('answers the pages before a failed read, then throws that read failure at its turn', async () => {
    const { store, inWindow } = await bank();
    store.failFrom = WINDOW.from + 50 * HOUR;
    const seen: Movement[] = [];
    const reading = (async () => {
      for await (const page of movementPages(store, { ...WINDOW, pageSize: 5, readersAtOnce: 2 }))
        seen.push(...page);
    })();
    await expect(reading).rejects.toBeInstanceOf(GraphUnavailableError);
    const before = inWindow.filter((m) => m.timestamp < WINDOW.from + 50 * HOUR);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.map((m) => m.movementId)).toEqual(
      before.slice(0, seen.length).map((m) => m.movementId),
    );
  });

  it('reads one request at a time, every movement still, when readersAtOnce is not a number', async () => {
    const { store, inWindow } = await bank();
    const pages = await collect(
      movementPages(store, { ...WINDOW, pageSize: 9, readersAtOnce: Number.NaN }),
    );
    expect(pages.flat()).toHaveLength(inWindow.length);
    expect(store.maxInFlight).toBe(1);
  });

  it('turns any requested number of reads at once into a whole number of at least 1', () => {
    expect([3, 2.7, 1, 0, -4, Number.NaN, Number.POSITIVE_INFINITY].map(readersAtOnceOf)).toEqual([
      3, 2, 1, 1, 1, 1, 1,
    ]);
  });

  it('cuts a window into slices of equal duration that cover it exactly', () => {
    expect(sliceWindow(0, 10, 3)).toEqual([
      { from: 0, to: 4 },
      { from: 4, to: 8 },
      { from: 8, to: 10 },
    ]);
    expect(sliceWindow(5, 7, 16)).toEqual([
      { from: 5, to: 6 },
      { from: 6, to: 7 },
    ]);
    expect(sliceWindow(7, 7, 4)).toEqual([]);
  });
});
