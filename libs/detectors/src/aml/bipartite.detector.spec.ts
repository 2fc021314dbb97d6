import { DAY, HOUR, mv, runDetector, T0 } from '../testing/fixtures';
import type { BaseMoney, Movement, PricedAmount } from '@app/vocabulary';
import { bipartiteDetector } from './bipartite.detector';

function complete(senders: string[], receivers: string[], start = T0): Movement[] {
  let t = start;
  return senders.flatMap((s) =>
    receivers.map((r) => {
      t += HOUR;
      return mv(s, r, 1_500_00, t);
    }),
  );
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

const S = ['acc:S1', 'acc:S2', 'acc:S3'];
const R = ['acc:R1', 'acc:R2', 'acc:R3'];

describe('bipartiteDetector', () => {
  it('fires on three senders each paying the same three receivers', () => {
    const { alerts } = runDetector(bipartiteDetector, complete(S, R));
    expect(alerts).toHaveLength(1);
    expect(alerts[0].parties.map((p) => p.uid)).toEqual([...S, ...R]);
    expect(alerts[0].movements).toHaveLength(9);
    expect(alerts[0].explanation).toContain(
      '3 accounts (acc:S1, acc:S2, acc:S3) each paid at least 3 of the same 3 accounts',
    );
  });

  it('does not fire when one sender pays only two of the receivers (near miss)', () => {
    const movements = complete(S, R).filter(
      (m) => !(m.fromAccount === 'acc:S3' && m.toAccount === 'acc:R3'),
    );
    expect(runDetector(bipartiteDetector, movements).alerts).toHaveLength(0);
  });

  it('does not fire when the layer is spread over more than the window', () => {
    const movements = complete(S, R).map((m, i) => ({ ...m, timestamp: T0 + i * DAY }));
    expect(runDetector(bipartiteDetector, movements).alerts).toHaveLength(0);
  });

  it('leaves out busy receivers such as shops many customers already pay (decoy)', () => {
    const shops = ['acc:Shop1', 'acc:Shop2', 'acc:Shop3'];
    // Thirty-six regular customers, each paying one of the shops the day before.
    const earlier = Array.from({ length: 36 }, (_, i) =>
      mv(`acc:Regular${i + 1}`, shops[i % 3], 800_00, T0 - DAY + i * 60_000),
    );
    const shoppers = ['acc:C1', 'acc:C2', 'acc:C3'];
    expect(
      runDetector(bipartiteDetector, [...earlier, ...complete(shoppers, shops)]).alerts,
    ).toHaveLength(0);
    // The same three customers paying three quiet accounts are a bipartite layer.
    expect(runDetector(bipartiteDetector, complete(shoppers, shops)).alerts).toHaveLength(1);
  });

  it('applies the amount floor in the base currency', () => {
    // 480.00 EUR is 528.00 USD: above the 500.00 floor in USD although below it in euro.
    const inEuro = complete(S, R).map((m) => ({ ...m, amountMinor: 480_00, currency: 'EUR' }));
    expect(runDetector(bipartiteDetector, inEuro, { money }).alerts).toHaveLength(1);
    // 440.00 EUR is 484.00 USD: below the floor.
    const small = inEuro.map((m) => ({ ...m, amountMinor: 440_00 }));
    expect(runDetector(bipartiteDetector, small, { money }).alerts).toHaveLength(0);
  });
});
