import { DAY, HOUR, MINUTE, mv, runDetector, T0 } from '../testing/fixtures';
import { testMoney } from '../testing/fx-fixtures';
import { spikeDetector } from './spike.detector';

/** Three payments a week for 60 days, then `n` payments on one day. */
function history(n: number) {
  const usual = Array.from({ length: 26 }, (_, i) =>
    mv('acc:S', `acc:P${i % 5}`, 40_00, T0 + i * 2 * DAY + HOUR),
  );
  const spike = Array.from({ length: n }, (_, i) =>
    mv('acc:S', `acc:Q${i % 30}`, 90_00, T0 + 60 * DAY + i * 3 * MINUTE),
  );
  return [...usual, ...spike];
}

describe('spikeDetector', () => {
  it('fires when a day has more than five times the busiest day of the history', () => {
    const { alerts } = runDetector(spikeDetector, history(24));
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain(
      '24 transactions, 24 times its busiest day of the previous 90 days (1 transaction',
    );
  });

  it('does not fire below the minimum of 20 transactions (near miss)', () => {
    expect(runDetector(spikeDetector, history(19)).alerts).toHaveLength(0);
  });

  it('does not judge before 30 days of history have been watched', () => {
    // Watched from day 35 only: the spike on day 60 has 25 days of history behind it.
    const recent = history(24).filter((m) => m.timestamp >= T0 + 35 * DAY);
    expect(runDetector(spikeDetector, recent).alerts).toHaveLength(0);
    expect(
      runDetector(spikeDetector, recent, { overrides: { minHistoryDays: 20 } }).alerts,
    ).toHaveLength(1);
  });

  it('can compare volumes instead of counts', () => {
    const movements = [
      ...Array.from({ length: 40 }, (_, i) => mv('acc:S', 'acc:P', 1_000_00, T0 + i * DAY)),
      mv('acc:S', 'acc:Q', 60_000_00, T0 + 41 * DAY),
    ];
    expect(runDetector(spikeDetector, movements).alerts).toHaveLength(0);
    expect(
      runDetector(spikeDetector, movements, {
        overrides: { measure: 'volume', minTransactions: 1 },
      }).alerts,
    ).toHaveLength(1);
  });

  it('adds daily volumes in the base currency, whatever each payment is in', () => {
    const money = testMoney('USD');
    const overrides = { measure: 'volume', minTransactions: 1, minAmount: '1000.00' };
    // A usual day: 1000 USD. Day 41: 4000 EUR = 5000 USD, exactly 5 times, does not fire; a
    // further 1 GBP (1.56 USD) on that day lifts it above 5 times.
    const usual = Array.from({ length: 40 }, (_, i) =>
      mv('acc:S', 'acc:P', 1_000_00, T0 + i * DAY),
    );
    const eur = mv('acc:S', 'acc:Q', 4_000_00, T0 + 41 * DAY, { currency: 'EUR' });
    expect(runDetector(spikeDetector, [...usual, eur], { money, overrides }).alerts).toHaveLength(
      0,
    );
    const gbp = mv('acc:S', 'acc:Q', 1_00, T0 + 41 * DAY + HOUR, { currency: 'GBP' });
    const { alerts } = runDetector(spikeDetector, [...usual, eur, gbp], { money, overrides });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain(
      'made 2 transactions totalling 4000.00 EUR + 1.00 GBP = 5001.56 USD on 2025-02-16: 5001.56 USD, 5 times its busiest day',
    );
    expect(alerts[0].facts).toMatchObject({
      baseCurrency: 'USD',
      today: 5_001_56,
      busiest: 1_000_00,
    });
  });
});
