import { Sweeper } from './sweeper';

describe('Sweeper', () => {
  it('is due every minInterval calls while sweeps are small', () => {
    const sweeper = new Sweeper(3);
    const due = Array.from({ length: 7 }, () => {
      const now = sweeper.due();
      if (now) sweeper.swept(1);
      return now;
    });
    expect(due).toEqual([false, false, true, false, false, true, false]);
  });

  it('waits as many calls as the last sweep visited entries (amortised O(1) per call)', () => {
    const sweeper = new Sweeper(2);
    sweeper.due();
    expect(sweeper.due()).toBe(true);
    sweeper.swept(5);
    const next = Array.from({ length: 5 }, () => sweeper.due());
    expect(next).toEqual([false, false, false, false, true]);
  });
});
