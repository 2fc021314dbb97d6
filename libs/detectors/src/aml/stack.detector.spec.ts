import type { BaseMoney, Movement, PricedAmount } from '@app/vocabulary';
import { HOUR, mv, runDetector, T0 } from '../testing/fixtures';
import { stackDetector } from './stack.detector';

function layers(top: string[], middle: string[], bottom: string[], keep = 0.9): Movement[] {
  let t = T0;
  const down = top.flatMap((s) => middle.map((m) => mv(s, m, 2_000_00, (t += HOUR))));
  const share = Math.floor((2_000_00 * top.length * keep) / bottom.length);
  const out = middle.flatMap((m) => bottom.map((d) => mv(m, d, share, (t += HOUR))));
  return [...down, ...out];
}

/** USD base; 1 EUR = 1.10 USD (fixed, for the test). */
const money: BaseMoney = {
  currency: 'USD',
  of(a: PricedAmount) {
    return this.convert(a.amountMinor, a.currency, a.timestamp);
  },
  convert(minor: number, currency: string) {
    return currency === 'EUR' ? Math.round(minor * 1.1) : minor;
  },
};

const TOP = ['acc:A1', 'acc:A2', 'acc:A3'];
const MID = ['acc:B1', 'acc:B2', 'acc:B3'];
const BOTTOM = ['acc:C1', 'acc:C2', 'acc:C3'];

describe('stackDetector', () => {
  it('fires on three layers where the middle passes the money on', () => {
    const { alerts } = runDetector(stackDetector, layers(TOP, MID, BOTTOM));
    expect(alerts).toHaveLength(1);
    expect(alerts[0].subject).toBe('acc:A1');
    expect(alerts[0].parties.map((p) => p.uid)).toEqual([...TOP, ...MID, ...BOTTOM]);
    expect(alerts[0].explanation).toContain(
      '3 accounts (acc:A1, acc:A2, acc:A3) paid 18000.00 USD into 3 accounts',
    );
  });

  it('does not fire with a one-account middle layer (near miss)', () => {
    expect(runDetector(stackDetector, layers(TOP, ['acc:B1'], BOTTOM)).alerts).toHaveLength(0);
  });

  it('does not fire when the middle keeps most of the money', () => {
    expect(runDetector(stackDetector, layers(TOP, MID, BOTTOM, 0.3)).alerts).toHaveLength(0);
  });

  it('compares what the middle passes on with what it received in the base currency', () => {
    // In: 9 x 2000.00 EUR = 19800.00 USD. Out in USD: 70% of the euro figure is 12600.00 USD,
    // only 63.6% in the base currency, so the middle kept too much.
    const mixed = layers(TOP, MID, BOTTOM, 0.7).map((m) =>
      m.toAccount.startsWith('acc:B') ? { ...m, currency: 'EUR' } : m,
    );
    expect(runDetector(stackDetector, mixed, { money }).alerts).toHaveLength(0);
    // Passing on 80% of the euro figure (14400.00 USD, 72.7%) is a stack.
    const passed = layers(TOP, MID, BOTTOM, 0.8).map((m) =>
      m.toAccount.startsWith('acc:B') ? { ...m, currency: 'EUR' } : m,
    );
    expect(runDetector(stackDetector, passed, { money }).alerts).toHaveLength(1);
  });
});
