import {
  accountVertex,
  DAY,
  deposit,
  HOUR,
  mv,
  runDetector,
  T0,
  withdrawal,
} from '../testing/fixtures';
import { testMoney } from '../testing/fx-fixtures';
import { structuringBandLow, structuringDetector } from './structuring.detector';

describe('structuringDetector', () => {
  it('fires on three cash deposits just below 10000.00 USD within the window, with exact amounts', () => {
    const movements = [
      deposit('acc:A', 9_500_00, T0),
      deposit('acc:A', 9_800_00, T0 + DAY),
      deposit('acc:A', 9_999_99, T0 + 2 * DAY),
    ];
    const { alerts } = runDetector(structuringDetector, movements);
    expect(alerts).toHaveLength(1);
    const [alert] = alerts;
    expect(alert.subject).toBe('acc:A');
    expect(alert.movements.map((m) => m.movementId)).toEqual(movements.map((m) => m.movementId));
    expect(alert.explanation).toContain(
      'received 3 cash deposits between 9000.00 USD and 9999.99 USD',
    );
    expect(alert.explanation).toContain('the 10000.00 USD reporting threshold');
    expect(alert.explanation).toContain('totalling 29299.99 USD');
    expect(alert.windowStart).toBe(T0);
    expect(alert.windowEnd).toBe(T0 + 2 * DAY);
  });

  it('does not fire with one deposit fewer (near miss)', () => {
    const { alerts } = runDetector(structuringDetector, [
      deposit('acc:A', 9_500_00, T0),
      deposit('acc:A', 9_800_00, T0 + DAY),
    ]);
    expect(alerts).toHaveLength(0);
  });

  it('does not count a deposit exactly at the threshold (it is reported, not structured)', () => {
    const { alerts } = runDetector(structuringDetector, [
      deposit('acc:A', 9_500_00, T0),
      deposit('acc:A', 9_800_00, T0 + DAY),
      deposit('acc:A', 10_000_00, T0 + 2 * DAY),
    ]);
    expect(alerts).toHaveLength(0);
  });

  it('does not fire when the third deposit falls a day outside the window', () => {
    const { alerts } = runDetector(structuringDetector, [
      deposit('acc:A', 9_500_00, T0),
      deposit('acc:A', 9_800_00, T0 + DAY),
      deposit('acc:A', 9_900_00, T0 + 31 * DAY),
    ]);
    expect(alerts).toHaveLength(0);
  });

  it('ignores ordinary cash below the band and non-cash transfers just below the threshold', () => {
    const { alerts } = runDetector(structuringDetector, [
      deposit('acc:A', 8_999_99, T0),
      deposit('acc:A', 500_00, T0 + HOUR),
      mv('acc:B', 'acc:A', 9_500_00, T0 + 2 * HOUR),
      mv('acc:B', 'acc:A', 9_600_00, T0 + 3 * HOUR),
      deposit('acc:A', 9_700_00, T0 + 4 * HOUR),
    ]);
    expect(alerts).toHaveLength(0);
  });

  it('fires for many depositors paying cash into one beneficiary and names them', () => {
    const movements = [
      mv('acc:D1', 'acc:B', 9_100_00, T0, { channel: 'cash' }),
      mv('acc:D2', 'acc:B', 9_200_00, T0 + HOUR, { channel: 'cash' }),
      mv('acc:D3', 'acc:B', 9_300_00, T0 + 2 * HOUR, { channel: 'cash' }),
    ];
    const { alerts } = runDetector(structuringDetector, movements);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].parties.map((p) => p.uid)).toEqual(['acc:B', 'acc:D1', 'acc:D2', 'acc:D3']);
    expect(alerts[0].explanation).toContain('from 3 sources');
  });

  it('fires on split withdrawals and recognises cash points from the account directory', () => {
    const vertices = [
      accountVertex('atm:7', { accountType: 'cash-point' }),
      accountVertex('acc:W'),
    ];
    const movements = [
      mv('acc:W', 'atm:7', 9_400_00, T0, { channel: 'cash' }),
      mv('acc:W', 'atm:7', 9_400_00, T0 + DAY, { channel: 'cash' }),
      mv('acc:W', 'atm:7', 9_400_00, T0 + 2 * DAY, { channel: 'cash' }),
    ];
    const { alerts } = runDetector(structuringDetector, movements, { vertices });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('Account acc:W withdrew 3 cash withdrawals');
    expect(alerts[0].parties).toEqual([{ uid: 'acc:W', role: 'subject' }]);
  });

  it('updates the same alert (same fingerprint) as the pattern grows', () => {
    const { raised, alerts } = runDetector(structuringDetector, [
      withdrawal('acc:X', 9_900_00, T0),
      withdrawal('acc:X', 9_900_00, T0 + DAY),
      withdrawal('acc:X', 9_900_00, T0 + 2 * DAY),
      withdrawal('acc:X', 9_900_00, T0 + 3 * DAY),
    ]);
    expect(raised).toHaveLength(2);
    expect(raised[0].fingerprint).toBe(raised[1].fingerprint);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].movements).toHaveLength(4);
    expect(alerts[0].score).toBeGreaterThan(raised[0].score);
  });

  it('takes the band and the threshold from overrides', () => {
    expect(structuringBandLow(1_000_000, 10)).toBe(900_000);
    const movements = [
      deposit('acc:A', 4_800_00, T0),
      deposit('acc:A', 4_900_00, T0 + DAY),
      deposit('acc:A', 4_950_00, T0 + DAY),
    ];
    expect(runDetector(structuringDetector, movements).alerts).toHaveLength(0);
    const { alerts } = runDetector(structuringDetector, movements, {
      overrides: { threshold: '5000.00', bandPercent: 5 },
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('between 4750.00 USD and 4999.99 USD');
  });

  it('refuses unknown parameters and bad values, naming the field', () => {
    expect(() => runDetector(structuringDetector, [], { overrides: { bandPercnt: 5 } })).toThrow(
      /parameters\.aml\.structuring\.bandPercnt is not a parameter/,
    );
    expect(() => runDetector(structuringDetector, [], { overrides: { bandPercent: 80 } })).toThrow(
      /bandPercent must be at most 50/,
    );
  });

  describe('in the base currency', () => {
    const money = testMoney('USD');
    const eur = (account: string, amountMinor: number, at: number) =>
      mv('cash:bank1:b1', account, amountMinor, at, { channel: 'cash', currency: 'EUR' });

    it('counts EUR cash deposits that fall just below the USD threshold once converted', () => {
      // 7600 EUR = 9500 USD, 9800 USD in USD, 7999.99 EUR = 9999.99 USD (1 EUR = 1.25 USD).
      const movements = [
        eur('acc:M', 7_600_00, T0),
        deposit('acc:M', 9_800_00, T0 + DAY),
        eur('acc:M', 7_999_99, T0 + 2 * DAY),
      ];
      const { alerts } = runDetector(structuringDetector, movements, { money });
      expect(alerts).toHaveLength(1);
      expect(alerts[0].explanation).toContain(
        'received 3 cash deposits between 9000.00 USD and 9999.99 USD, just below the 10000.00 USD reporting threshold',
      );
      expect(alerts[0].explanation).toContain(
        'totalling 15599.99 EUR + 9800.00 USD = 29299.99 USD',
      );
      expect(alerts[0].facts).toMatchObject({ baseCurrency: 'USD', totalBaseMinor: 29_299_99 });
    });

    it('no longer takes 9500 EUR for "just below 10000": it is 11875 USD', () => {
      const movements = [
        eur('acc:N', 9_500_00, T0),
        eur('acc:N', 9_600_00, T0 + DAY),
        eur('acc:N', 9_700_00, T0 + 2 * DAY),
      ];
      expect(runDetector(structuringDetector, movements, { money }).alerts).toHaveLength(0);
    });

    it('follows cash passed on in another currency to one collector', () => {
      // Each depositor receives 9200 USD in cash and forwards 7000 EUR (8750 USD, 95%).
      const movements = ['D1', 'D2', 'D3'].flatMap((d, i) => [
        deposit(`acc:${d}`, 9_200_00, T0 + i * HOUR),
        mv(`acc:${d}`, 'acc:COL', 7_000_00, T0 + i * HOUR + 30 * 60_000, { currency: 'EUR' }),
      ]);
      const { alerts } = runDetector(structuringDetector, movements, { money });
      const collected = alerts.find((a) => a.subject === 'acc:COL');
      expect(collected?.explanation).toContain(
        'Account acc:COL collected 21000.00 EUR = 26250.00 USD from 3 accounts',
      );
    });
  });
});
