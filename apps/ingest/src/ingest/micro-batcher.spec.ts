import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Batches of 2 strings; the flush of the batch starting with 'a' waits until `release()`. */
  function gatedBatcher() {
    const log: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const batcher = new MicroBatcher<string>(
      async (batch) => {
        log.push(`start ${batch.join('')}`);
        if (batch[0] === 'a') await gate;
        log.push(`end ${batch.join('')}`);
      },
      2,
      1000,
      () => undefined,
    );
    return { log, release: () => release(), batcher };
  }

  it('flushes when the batch is full, and the rest after the wait', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number>(
      (batch) => {
        batches.push(batch);
        return Promise.resolve();
      },
      3,
      100,
      () => undefined,
    );
    [1, 2, 3, 4].forEach((n) => batcher.add(n));
    await Promise.resolve();
    expect(batches).toEqual([[1, 2, 3]]);
    expect(batcher.pending).toBe(1);
    jest.advanceTimersByTime(99);
    await Promise.resolve();
    expect(batches).toEqual([[1, 2, 3]]);
    jest.advanceTimersByTime(1);
    await batcher.drain();
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('runs one flush at a time, in order, and drain waits for all of them', async () => {
    const { log, release, batcher } = gatedBatcher();
    ['a', 'b', 'c', 'd', 'e'].forEach((s) => batcher.add(s));
    const drained = batcher.drain();
    await Promise.resolve();
    expect(log).toEqual(['start ab']);
    release();
    await drained;
    expect(log).toEqual(['start ab', 'end ab', 'start cd', 'end cd', 'start e', 'end e']);
  });

  it('stop: the flush under way finishes; batches not started and items collected come back unwritten', async () => {
    const { log, release, batcher } = gatedBatcher();
    ['a', 'b', 'c', 'd', 'e'].forEach((s) => batcher.add(s));
    await Promise.resolve();
    expect(log).toEqual(['start ab']);
    const stopped = batcher.stop();
    release();

    await expect(stopped).resolves.toEqual(['e', 'c', 'd']);
    expect(log).toEqual(['start ab', 'end ab']);

    // Taking batches again after resume().
    batcher.resume();
    ['f', 'g'].forEach((s) => batcher.add(s));
    await batcher.drain();
    expect(log).toEqual(['start ab', 'end ab', 'start fg', 'end fg']);
  });

  it('stop with no flush under way writes what is collected (the batch in hand)', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number>(
      (batch) => {
        batches.push(batch);
        return Promise.resolve();
      },
      10,
      60_000,
      () => undefined,
    );
    [1, 2, 3].forEach((n) => batcher.add(n));

    await expect(batcher.stop()).resolves.toEqual([]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('reports a failed flush and goes on with the next', async () => {
    const errors: string[] = [];
    const done: number[][] = [];
    const batcher = new MicroBatcher<number>(
      (batch) => {
        if (batch[0] === 1) return Promise.reject(new Error('boom'));
        done.push(batch);
        return Promise.resolve();
      },
      1,
      10,
      (error, batch) => {
        errors.push(`${(error as Error).message} ${batch.join()}`);
      },
    );
    batcher.add(1);
    batcher.add(2);
    await batcher.drain();
    expect(errors).toEqual(['boom 1']);
    expect(done).toEqual([[2]]);
  });

  it('goes on with the next batch when the error handler fails too', async () => {
    const done: number[][] = [];
    const batcher = new MicroBatcher<number>(
      (batch) => {
        if (batch[0] === 1) return Promise.reject(new Error('boom'));
        done.push(batch);
        return Promise.resolve();
      },
      1,
      10,
      () => Promise.reject(new Error('the handler failed as well')),
    );
    batcher.add(1);
    batcher.add(2);
    await batcher.drain();
    expect(done).toEqual([[2]]);
  });

  it('refuses a batch size below 1', () => {
    expect(
      () =>
        new MicroBatcher<number>(
          () => Promise.resolve(),
          0,
          10,
          () => undefined,
        ),
    ).toThrow(/maxItems must be a whole number, at least 1/);
  });
});
