import { SingleCurrencyMoney } from '@app/vocabulary';
import type { BaseMoney, PricedAmount } from '@app/vocabulary';
import { DAY, HOUR, mv, T0 } from '../testing/fixtures';
import {
  basisPoints,
  EpisodeEvidence,
  forwardedShare,
  hopOf,
  PairHistory,
  RecentByAccount,
  withinShare,
} from './chain-hops';

/** 0.8 EUR per USD; other currencies as USD. */
const eurMoney: BaseMoney = {
  currency: 'USD',
  of: (a: PricedAmount) => (a.currency === 'EUR' ? Math.round(a.amountMinor / 0.8) : a.amountMinor),
  convert: (minor: number, currency: string) =>
    currency === 'EUR' ? Math.round(minor / 0.8) : minor,
};

describe('chain hops', () => {
  it('converts both sides of a hop into the base currency', () => {
    const paidInEur = mv('acc:A', 'acc:B', 800_00, T0, { currency: 'EUR' });
    expect(hopOf(paidInEur, eurMoney)).toMatchObject({
      paidBase: 1_000_00,
      receivedBase: 1_000_00,
    });
    const crossCurrency = { ...paidInEur, receivedAmountMinor: 1_010_00, receivedCurrency: 'USD' };
    const hop = hopOf(crossCurrency, eurMoney);
    expect(hop).toMatchObject({ paidBase: 1_000_00, receivedBase: 1_010_00 });
    const next = hopOf(mv('acc:B', 'acc:C', 909_00, T0 + HOUR), new SingleCurrencyMoney('USD'));
    expect(forwardedShare(hop, next)).toBeCloseTo(0.9, 6);
  });

  it('compares shares exactly at the band edges', () => {
    expect(basisPoints(0.75)).toBe(7_500);
    expect(withinShare(1_000_00, 750_00, 7_500, 12_500)).toBe(true);
    expect(withinShare(1_000_00, 749_99, 7_500, 12_500)).toBe(false);
    expect(withinShare(1_000_00, 1_250_00, 7_500, 12_500)).toBe(true);
    expect(withinShare(1_000_00, 1_250_01, 7_500, 12_500)).toBe(false);
    expect(withinShare(0, 1, 0, Infinity)).toBe(false);
  });

  it('keeps per account only the newest items inside the window', () => {
    const recent = new RecentByAccount<{ timestamp: number; n: number }>(DAY, 3);
    for (let n = 0; n < 5; n += 1) recent.push('acc:Hub', { timestamp: T0 + n * HOUR, n });
    recent.push('acc:Quiet', { timestamp: T0, n: 99 });
    const seen: number[] = [];
    recent.forEachBetween('acc:Hub', T0 - 1, T0 + DAY, (item) => {
      seen.push(item.n);
      return true;
    });
    expect(seen).toEqual([2, 3, 4]);
    // Strictly after `after` and strictly before `before`.
    const between: number[] = [];
    recent.forEachBetween('acc:Hub', T0 + 2 * HOUR, T0 + 4 * HOUR, (item) => {
      between.push(item.n);
      return true;
    });
    expect(between).toEqual([3]);
    expect(recent.size()).toBe(4);
    expect(recent.count('acc:Hub', T0 + DAY + 3 * HOUR)).toBe(2);
    expect(recent.count('acc:Hub', T0 + DAY + 3 * HOUR + 1)).toBe(1);
    expect(recent.count('acc:Quiet', T0 + DAY + 3 * HOUR)).toBe(0);
  });

  it('remembers which accounts dealt with each other, either way, for a while', () => {
    const pairs = new PairHistory(30 * DAY);
    pairs.record('acc:B', 'acc:A', T0);
    expect(pairs.dealtBetween('acc:A', 'acc:B', T0 - DAY, T0 + 1)).toBe(true);
    expect(pairs.dealtBetween('acc:A', 'acc:B', T0 + 1, T0 + DAY)).toBe(false);
    expect(pairs.dealtBetween('acc:A', 'acc:C', T0 - DAY, T0 + 1)).toBe(false);
  });

  it('gathers the movements of an alert that fires again, bounded and forgotten when quiet', () => {
    const evidence = new EpisodeEvidence(DAY, 3);
    const [a, b, c, d] = [0, 1, 2, 3].map((i) => mv('acc:A', 'acc:B', 1_000_00, T0 + i * HOUR));
    expect(evidence.add('fp', [b, a], T0 + HOUR).movements).toEqual([a, b]);
    // New money: added to what the alert showed (the latest three kept).
    expect(evidence.add('fp', [c, d], T0 + 3 * HOUR)).toEqual({ movements: [b, c, d], turns: 2 });
    // The same money along another path: replaces the evidence.
    expect(evidence.add('fp', [a, d], T0 + 3 * HOUR)).toEqual({ movements: [a, d], turns: 2 });
    // Quiet for longer than the gap: a new episode starts from scratch.
    expect(evidence.add('fp', [a], T0 + 3 * HOUR + DAY + 1)).toEqual({ movements: [a], turns: 1 });
  });
});
