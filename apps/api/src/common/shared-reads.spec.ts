import { FixedClock } from '@app/vocabulary';
import { CHEAP_READ_MS, REUSE_FACTOR, SharedReads } from './shared-reads';

const START = Date.UTC(2026, 11, 6, 12);

/** A read that takes `tookMs` on the test's clock and counts its calls. */
function timedRead(clock: FixedClock, tookMs: number, value: string) {
  const calls = { count: 0 };
  const read = async (): Promise<string> => {
    calls.count += 1;
    await Promise.resolve();
    clock.advance(tookMs);
    return `${value}#${calls.count}`;
  };
  return { calls, read };
}

describe('SharedReads', () => {
  it('keeps one answer per key: a costly read of one key is not given for another', async () => {
    const clock = new FixedClock(START);
    const reads = new SharedReads<string>(clock, 4);
    const a = timedRead(clock, 1_000, 'a');
    const b = timedRead(clock, 1_000, 'b');
    expect((await reads.read('a', a.read)).value).toBe('a#1');
    expect((await reads.read('b', b.read)).value).toBe('b#1');
    expect((await reads.read('a', a.read)).value).toBe('a#1');
    expect(a.calls.count).toBe(1);
    expect(b.calls.count).toBe(1);
  });

  it('says when the read began, also when it answers again', async () => {
    const clock = new FixedClock(START);
    const reads = new SharedReads<string>(clock, 1);
    const { read } = timedRead(clock, 1_000, 'a');
    expect((await reads.read('a', read)).startedAt).toBe(START);
    clock.advance(REUSE_FACTOR * 1_000 - 1);
    expect(await reads.read('a', read)).toEqual({ value: 'a#1', startedAt: START });
  });

  it('reads afresh for every caller while a read is cheap', async () => {
    const clock = new FixedClock(START);
    const reads = new SharedReads<string>(clock, 1);
    const { calls, read } = timedRead(clock, CHEAP_READ_MS - 1, 'a');
    await reads.read('a', read);
    expect((await reads.read('a', read)).value).toBe('a#2');
    expect(calls.count).toBe(2);
  });

  it(`forgets the least recently asked key beyond its bound, so varied questions cannot grow the memory`, async () => {
    const clock = new FixedClock(START);
    const reads = new SharedReads<string>(clock, 2);
    const a = timedRead(clock, 1_000, 'a');
    await reads.read('a', a.read);
    await reads.read('b', timedRead(clock, 1_000, 'b').read);
    await reads.read('a', a.read); // asked again: now the most recent
    await reads.read('c', timedRead(clock, 1_000, 'c').read);
    expect(reads.size).toBe(2);
    expect(a.calls.count).toBe(1);
    const b = timedRead(clock, 1_000, 'b');
    expect((await reads.read('b', b.read)).value).toBe('b#1');
    expect(b.calls.count).toBe(1);
  });

  it('does not forget a key whose read is still running', async () => {
    const clock = new FixedClock(START);
    const reads = new SharedReads<string>(clock, 1);
    const slow = timedRead(clock, 1_000, 'slow');
    await reads.read('slow', slow.read);
    clock.advance(REUSE_FACTOR * 1_000);
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const running = reads.read('slow', async () => {
      await gate;
      return slow.read();
    });
    await reads.read('other', timedRead(clock, 1_000, 'other').read);
    const sharer = reads.read('slow', slow.read);
    open();
    expect((await running).value).toBe('slow#2');
    expect((await sharer).value).toBe('slow#2');
    expect(slow.calls.count).toBe(2);
  });
});
