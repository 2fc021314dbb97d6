import type { BaseMoney, PricedAmount } from '@app/vocabulary';
import { DAY, HOUR, mv, runDetector, T0, withdrawal } from '../testing/fixtures';
import { isRoundAmount, roundAmountsDetector } from './round-amounts.detector';

function transfers(round: number, other: number) {
  return [
    ...Array.from({ length: round }, (_, i) =>
      mv('acc:R', `acc:P${i}`, (i + 1) * 1_000_00, T0 + i * HOUR),
    ),
    ...Array.from({ length: other }, (_, i) =>
      mv('acc:R', `acc:Q${i}`, 812_34 + i, T0 + (round + i) * HOUR),
    ),
  ].sort((a, b) => a.timestamp - b.timestamp);
}

describe('roundAmountsDetector', () => {
  it('fires when 5 of 10 transactions in 7 days end in .00', () => {
    const { alerts } = runDetector(roundAmountsDetector, transfers(5, 5));
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain(
      '5 of 10 transactions (50%) of account acc:R within 7 days',
    );
  });

  it('does not fire with 9 transactions (near miss) nor with 4 round of 10', () => {
    expect(runDetector(roundAmountsDetector, transfers(5, 4)).alerts).toHaveLength(0);
    expect(runDetector(roundAmountsDetector, transfers(4, 6)).alerts).toHaveLength(0);
  });

  it('ignores cash withdrawals (banknotes are round) and small everyday amounts (decoy)', () => {
    const atm = Array.from({ length: 12 }, (_, i) => withdrawal('acc:R', 200_00, T0 + i * HOUR));
    const gifts = Array.from({ length: 12 }, (_, i) =>
      mv('acc:R', `acc:F${i}`, 20_00, T0 + i * HOUR, { channel: 'internal' }),
    );
    expect(runDetector(roundAmountsDetector, [...atm, ...gifts]).alerts).toHaveLength(0);
  });

  it('knows round amounts per currency exponent', () => {
    expect(isRoundAmount(1_000_00, 'USD')).toBe(true);
    expect(isRoundAmount(1_000_01, 'USD')).toBe(false);
    expect(isRoundAmount(5_000, 'JPY')).toBe(true);
    expect(isRoundAmount(5_050, 'JPY')).toBe(false);
  });

  describe('payroll is normal life', () => {
    /** 12 employees paid 3,000.00 each by acc:EMP on the 25th, one second apart, at 06:00. */
    function payroll(day: number, reference?: string, spacingMs = 1_000) {
      return Array.from({ length: 12 }, (_, k) =>
        mv('acc:EMP', `acc:E${k}`, 3_000_00, day + 6 * HOUR + k * spacingMs, {
          channel: 'ach',
          ...(reference ? { reference } : {}),
        }),
      );
    }
    const jan25 = Date.UTC(2025, 0, 25);
    const feb25 = Date.UTC(2025, 1, 25);

    it('raises nothing on two monthly payroll runs of round salaries (bulk runs, no purpose code)', () => {
      const movements = [...payroll(jan25), ...payroll(feb25)];
      expect(runDetector(roundAmountsDetector, movements).alerts).toHaveLength(0);
      // Without the bulk-run exemption the same runs fire: the test is not vacuous.
      expect(
        runDetector(roundAmountsDetector, movements, { overrides: { bulkMinPayees: 100 } }).alerts,
      ).toHaveLength(2);
    });

    it('raises nothing on salaries paid one by one through the day when the purpose code says salary', () => {
      const movements = [...payroll(jan25, 'salary', HOUR), ...payroll(feb25, 'SALARY', HOUR)];
      expect(runDetector(roundAmountsDetector, movements).alerts).toHaveLength(0);
      expect(
        runDetector(roundAmountsDetector, payroll(jan25, undefined, HOUR)).alerts,
      ).toHaveLength(1);
    });

    it('still fires on an employer that also sends round transfers spread over the week', () => {
      const laundering = Array.from({ length: 10 }, (_, i) =>
        mv('acc:EMP', `acc:X${i % 3}`, (i + 1) * 1_000_00, jan25 + DAY + i * 9 * HOUR),
      );
      const { alerts } = runDetector(roundAmountsDetector, [...payroll(jan25), ...laundering]);
      expect(alerts).toHaveLength(1);
      expect(alerts[0].movements.map((m) => m.movementId)).toEqual(
        laundering.map((m) => m.movementId),
      );
      expect(alerts[0].explanation).toContain('10 of 10 transactions (100%) of account acc:EMP');
    });
  });

  it('compares the minimum amount in the base currency', () => {
    // 1 EUR = 0.5 USD here: 150.00 EUR is 75.00 USD, under the 100.00 USD floor.
    const halfDollar: BaseMoney = {
      currency: 'USD',
      of: (a: PricedAmount) => halfDollar.convert(a.amountMinor, a.currency, a.timestamp),
      convert: (minor: number, currency: string) => (currency === 'EUR' ? minor / 2 : minor),
    };
    const euros = Array.from({ length: 10 }, (_, i) =>
      mv('acc:R', `acc:P${i}`, 150_00, T0 + i * HOUR, { currency: 'EUR' }),
    );
    expect(runDetector(roundAmountsDetector, euros, { money: halfDollar }).alerts).toHaveLength(0);
    const bigger = euros.map((m) => ({ ...m, amountMinor: 300_00 }));
    const { alerts } = runDetector(roundAmountsDetector, bigger, { money: halfDollar });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('totalling 3000.00 EUR (1500.00 USD)');
  });
});
