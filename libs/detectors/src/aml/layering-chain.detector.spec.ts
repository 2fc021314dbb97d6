import type { BaseMoney, PricedAmount } from '@app/vocabulary';
import { accountVertex, DAY, HOUR, mv, runDetector, T0 } from '../testing/fixtures';
import { cycleDetector } from './cycle.detector';
import { layeringChainDetector } from './layering-chain.detector';

/** A walk A→B→C→D→B→E→F, each hop 95% of the previous, a day apart. */
function walk(hops: number, gap = 24 * HOUR, share = 0.95) {
  const path = ['acc:A', 'acc:B', 'acc:C', 'acc:D', 'acc:B', 'acc:E', 'acc:F'];
  let amount = 5_000_00;
  return Array.from({ length: hops }, (_, i) => {
    const m = mv(path[i], path[i + 1], amount, T0 + i * gap);
    amount = Math.floor(amount * share);
    return m;
  });
}

/** Fixed rates to USD: 0.8 EUR and 100 JPY (no decimals) per USD. */
class FixedRates implements BaseMoney {
  readonly currency = 'USD';

  of(amount: PricedAmount): number {
    return this.convert(amount.amountMinor, amount.currency);
  }

  convert(minor: number, currency: string): number {
    if (currency === 'EUR') return Math.round(minor / 0.8);
    if (currency === 'JPY') return Math.round(minor);
    return minor;
  }
}

describe('layeringChainDetector', () => {
  it('fires on three hops of shrinking amounts a day apart', () => {
    const { alerts } = runDetector(layeringChainDetector, walk(3));
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain(
      'Funds moved on in 3 hops through 4 accounts (acc:A -> acc:B -> acc:C -> acc:D)',
    );
    expect(alerts[0].explanation).toContain(
      'each account passing on 95% of what it had received at most 1 day later: 5000.00 USD in the first hop, 4512.50 USD in the last.',
    );
  });

  it('follows a walk through hops in different currencies, compared in the base currency', () => {
    // 10,000 USD, then 8,300 EUR (10,375 USD, 104%), then 1,010,000 JPY (10,100 USD, 97%).
    const movements = [
      mv('acc:A', 'acc:B', 10_000_00, T0),
      mv('acc:B', 'acc:C', 8_300_00, T0 + 30 * HOUR, { currency: 'EUR' }),
      mv('acc:C', 'acc:D', 1_010_000, T0 + 100 * HOUR, { currency: 'JPY' }),
    ];
    const { alerts } = runDetector(layeringChainDetector, movements, { money: new FixedRates() });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('passing on 97.3% to 103.8%');
    expect(alerts[0].explanation).toContain('1010000 JPY (10100.00 USD) in the last');
  });

  it('does not fire on two hops, on a hop after more than five days, nor on a 75% hop', () => {
    expect(runDetector(layeringChainDetector, walk(2)).alerts).toHaveLength(0);
    expect(runDetector(layeringChainDetector, walk(3, 121 * HOUR)).alerts).toHaveLength(0);
    expect(runDetector(layeringChainDetector, walk(3, 119 * HOUR)).alerts).toHaveLength(1);
    expect(runDetector(layeringChainDetector, walk(3, DAY, 0.75)).alerts).toHaveLength(0);
    expect(runDetector(layeringChainDetector, walk(3, DAY, 0.81)).alerts).toHaveLength(1);
  });

  it('grows one alert as the walk continues, revisiting an account', () => {
    const { raised, alerts } = runDetector(layeringChainDetector, walk(6));
    expect(raised).toHaveLength(4);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].movements).toHaveLength(6);
    expect(alerts[0].explanation).toContain('in 6 hops through 6 accounts');
  });

  it('leaves a walk back to its origin to the more specific cycle rule', () => {
    const movements = [
      mv('acc:A', 'acc:B', 5_000_00, T0),
      mv('acc:B', 'acc:C', 4_900_00, T0 + DAY),
      mv('acc:C', 'acc:A', 4_800_00, T0 + 2 * DAY),
    ];
    const walk = runDetector(layeringChainDetector, movements).alerts;
    const loop = runDetector(cycleDetector, movements).alerts;
    expect(walk.map((a) => a.movements)).toEqual(loop.map((a) => a.movements));
    expect(cycleDetector.specificity ?? 0).toBeGreaterThan(layeringChainDetector.specificity ?? 0);
  });

  it('does not chain through an account at another bank (only part of its flows is seen)', () => {
    const vertices = [accountVertex('acc:X', { accountType: 'external' })];
    const movements = [
      mv('acc:A', 'acc:X', 5_000_00, T0),
      mv('acc:X', 'acc:C', 4_900_00, T0 + DAY),
      mv('acc:C', 'acc:D', 4_800_00, T0 + 2 * DAY),
    ];
    expect(runDetector(layeringChainDetector, movements, { vertices }).alerts).toHaveLength(0);
    expect(runDetector(layeringChainDetector, movements).alerts).toHaveLength(1);
  });

  it('does not chain through a hub whose inflows and outflows match by chance', () => {
    // A clearing account with 20 transfers a day: one of its payments matches A's amount.
    const busy = Array.from({ length: 20 }, (_, i) =>
      mv(`acc:c${i}`, 'acc:Hub', 2_000_00 + i * 10_00, T0 + i * HOUR),
    );
    const movements = [
      ...busy,
      mv('acc:A', 'acc:Hub', 5_000_00, T0 + 21 * HOUR),
      mv('acc:Hub', 'acc:X', 4_950_00, T0 + 22 * HOUR),
      mv('acc:X', 'acc:Y', 4_900_00, T0 + 23 * HOUR),
    ];
    expect(runDetector(layeringChainDetector, movements).alerts).toHaveLength(0);
    expect(
      runDetector(layeringChainDetector, movements, { overrides: { hubTransfers: 100 } }).alerts,
    ).toHaveLength(1);
  });

  it('does not fire on salary passed on as rent and bills (ordinary commerce)', () => {
    const movements = [
      mv('acc:Employer', 'acc:P', 3_000_00, T0, { reference: 'salary' }),
      mv('acc:P', 'acc:Landlord', 2_800_00, T0 + DAY, { reference: 'rent' }),
      mv('acc:Landlord', 'acc:Builder', 2_700_00, T0 + 2 * DAY, { reference: 'invoice' }),
      mv('acc:Builder', 'acc:Shop', 2_600_00, T0 + 3 * DAY, { channel: 'card' }),
    ];
    expect(runDetector(layeringChainDetector, movements).alerts).toHaveLength(0);
  });

  it('scores longer and quicker walks higher', () => {
    const short = runDetector(layeringChainDetector, walk(3)).alerts[0];
    const long = runDetector(layeringChainDetector, walk(6)).alerts[0];
    const slow = runDetector(layeringChainDetector, walk(3, 100 * HOUR)).alerts[0];
    expect(long.score).toBeGreaterThan(short.score);
    expect(short.score).toBeGreaterThan(slow.score);
  });

  it('keeps the latest 24 hops of a long walk as evidence and counts them all', () => {
    const accounts = Array.from({ length: 31 }, (_, i) => `acc:w${i}`);
    const movements = accounts
      .slice(0, 30)
      .map((from, i) => mv(from, accounts[i + 1], 5_000_00, T0 + i * 6 * HOUR));
    const { alerts } = runDetector(layeringChainDetector, movements);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].facts.hops).toBe(30);
    expect(alerts[0].movements).toHaveLength(24);
    expect(alerts[0].explanation).toContain('in 30 hops (the latest 24 shown)');
  });
});
