import { DAY, HOUR, MINUTE, accountVertex, mv, runDetector, T0 } from '../testing/fixtures';
import { testMoney } from '../testing/fx-fixtures';
import { passThroughDetector } from './pass-through.detector';

describe('passThroughDetector', () => {
  it('fires when a large inflow leaves again within hours, quoting what was kept', () => {
    const movements = [
      mv('acc:Src', 'acc:P', 25_000_00, T0),
      mv('acc:P', 'acc:Sink1', 12_000_00, T0 + 5 * HOUR),
      mv('acc:P', 'acc:Sink2', 12_250_00, T0 + 5 * HOUR + 20 * MINUTE),
    ];
    const { alerts } = runDetector(passThroughDetector, movements);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('received 25000.00 USD from acc:Src');
    expect(alerts[0].explanation).toContain(
      'passed 24250.00 USD (97%) on in 2 payments within 5 hours 20 minutes, keeping 750.00 USD',
    );
    expect(alerts[0].movements.map((m) => m.toAccount)).toEqual([
      'acc:P',
      'acc:Sink1',
      'acc:Sink2',
    ]);
  });

  it('does not fire when only 89% leaves (near miss)', () => {
    const movements = [
      mv('acc:Src', 'acc:P', 10_000_00, T0),
      mv('acc:P', 'acc:Sink', 8_900_00, T0 + HOUR),
    ];
    expect(runDetector(passThroughDetector, movements).alerts).toHaveLength(0);
  });

  it('does not fire when the money leaves a day after the window', () => {
    const movements = [
      mv('acc:Src', 'acc:P', 10_000_00, T0),
      mv('acc:P', 'acc:Sink', 9_800_00, T0 + 3 * DAY),
    ];
    expect(runDetector(passThroughDetector, movements).alerts).toHaveLength(0);
  });

  it('does not follow salaries or small inflows, nor count small spending (decoy: salary then rent)', () => {
    const movements = [
      mv('acc:Employer', 'acc:P', 6_000_00, T0, { channel: 'ach', reference: 'salary' }),
      mv('acc:P', 'acc:Landlord', 5_900_00, T0 + HOUR, { channel: 'ach', reference: 'rent' }),
      mv('acc:Friend', 'acc:P', 1_000_00, T0 + 2 * HOUR),
      mv('acc:P', 'acc:Other', 990_00, T0 + 3 * HOUR),
    ];
    expect(runDetector(passThroughDetector, movements).alerts).toHaveLength(0);
  });

  it('compares the inflow as received in the account currency', () => {
    const inflow = {
      ...mv('acc:Src', 'acc:P', 10_000_00, T0, { currency: 'GBP' }),
      receivedAmountMinor: 12_700_00,
      receivedCurrency: 'USD',
    };
    const vertices = [
      accountVertex('acc:Src', { currency: 'GBP', country: 'GB', accountType: 'external' }),
    ];
    const { alerts } = runDetector(
      passThroughDetector,
      [inflow, mv('acc:P', 'acc:Sink', 12_500_00, T0 + HOUR)],
      { vertices },
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('received 12700.00 USD');
  });

  it('compares in the base currency money that comes in in EUR and leaves in USD and GBP', () => {
    const money = testMoney('USD');
    // 20000 EUR = 25000 USD in; 12000 USD + 7800 GBP (= 12187.50 USD) out: 97.75%.
    const movements = [
      mv('acc:Src', 'acc:P', 20_000_00, T0, { currency: 'EUR' }),
      mv('acc:P', 'acc:Sink1', 12_000_00, T0 + 5 * HOUR),
      mv('acc:P', 'acc:Sink2', 7_800_00, T0 + 6 * HOUR, { currency: 'GBP' }),
    ];
    const { alerts } = runDetector(passThroughDetector, movements, { money });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain(
      'received 20000.00 EUR = 25000.00 USD from acc:Src at 2025-01-06T10:00:00.000Z and passed ' +
        '7800.00 GBP + 12000.00 USD = 24187.50 USD (96.8%) on in 2 payments within 6 hours, keeping 812.50 USD',
    );
    expect(alerts[0].facts).toMatchObject({ baseCurrency: 'USD', inMinor: 25_000_00 });
    // 780000 JPY is 6500 USD, not 7800: 18500 USD out of 25000 (74%) does not fire.
    const yen = mv('acc:P', 'acc:Sink2', 780_000, T0 + 6 * HOUR, { currency: 'JPY' });
    const lessOut = runDetector(passThroughDetector, [movements[0], movements[1], yen], { money });
    expect(lessOut.alerts).toHaveLength(0);
  });
});
