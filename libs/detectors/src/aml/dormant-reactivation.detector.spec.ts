import { DAY, accountVertex, mv, runDetector, T0 } from '../testing/fixtures';
import { testMoney } from '../testing/fx-fixtures';
import { dormantReactivationDetector } from './dormant-reactivation.detector';

describe('dormantReactivationDetector', () => {
  it('fires on the first movement after 400 idle days and follows the next movements into the same alert', () => {
    const movements = [
      mv('acc:Employer', 'acc:D', 600_00, T0),
      mv('acc:Src', 'acc:D', 30_000_00, T0 + 400 * DAY),
      mv('acc:D', 'acc:Sink', 18_000_00, T0 + 401 * DAY),
    ];
    const { raised, alerts } = runDetector(dormantReactivationDetector, movements);
    const mine = alerts.filter((a) => a.subject === 'acc:D');
    expect(mine).toHaveLength(1);
    expect(raised.filter((r) => r.subject === 'acc:D')).toHaveLength(2);
    expect(mine[0].explanation).toContain(
      'Account acc:D had no movements for 400 days (last on 2025-01-06)',
    );
    expect(mine[0].explanation).toContain('2 movements totalling 48000.00 USD within 1 day');
  });

  it('does not fire after 359 idle days (a day short of the dormancy period)', () => {
    const movements = [
      mv('acc:Employer', 'acc:D', 600_00, T0),
      mv('acc:Src', 'acc:D', 30_000_00, T0 + 359 * DAY),
    ];
    expect(
      runDetector(dormantReactivationDetector, movements).alerts.filter(
        (a) => a.subject === 'acc:D',
      ),
    ).toHaveLength(0);
  });

  it('fires at exactly 360 idle days', () => {
    const movements = [
      mv('acc:Employer', 'acc:D', 600_00, T0),
      mv('acc:Src', 'acc:D', 30_000_00, T0 + 360 * DAY),
    ];
    expect(
      runDetector(dormantReactivationDetector, movements).alerts.filter(
        (a) => a.subject === 'acc:D',
      ),
    ).toHaveLength(1);
  });

  it('infers dormancy from silence only when told the history is complete, and watched long enough', () => {
    const vertices = [accountVertex('acc:Old', { openedAt: T0 - 800 * DAY })];
    const late = [
      mv('acc:X', 'acc:Y', 1_00, T0),
      mv('acc:Src', 'acc:Old', 5_000_00, T0 + 365 * DAY),
    ];
    const early = [
      mv('acc:X', 'acc:Y', 1_00, T0),
      mv('acc:Src', 'acc:Old', 5_000_00, T0 + 30 * DAY),
    ];
    const subjects = (movements: typeof late, overrides: Record<string, unknown> = {}): string[] =>
      runDetector(dormantReactivationDetector, movements, { vertices, overrides }).alerts.map(
        (a) => a.subject,
      );
    // By default silence proves nothing: older movements may simply be missing from the data.
    expect(subjects(late)).not.toContain('acc:Old');
    expect(subjects(late, { assumeCompleteHistory: true })).toContain('acc:Old');
    expect(subjects(early, { assumeCompleteHistory: true })).not.toContain('acc:Old');
  });

  it('ignores cash points and accounts at other banks', () => {
    const vertices = [accountVertex('acc:Ext', { accountType: 'external' })];
    const movements = [
      mv('acc:Ext', 'cash:b:1', 1_00, T0),
      mv('acc:Ext', 'cash:b:1', 1_00, T0 + 400 * DAY),
    ];
    expect(runDetector(dormantReactivationDetector, movements, { vertices }).alerts).toHaveLength(
      0,
    );
  });

  it('applies the minimum amount in the base currency and totals mixed currencies', () => {
    const money = testMoney('USD');
    const overrides = { minAmount: '1000.00' };
    const history = mv('acc:Employer', 'acc:D', 600_00, T0);
    // 700 GBP = 1093.75 USD counts; 900 EUR = 1125 USD counts; 100000 JPY = 833.33 USD does not.
    const gbp = runDetector(
      dormantReactivationDetector,
      [
        history,
        mv('acc:Src', 'acc:D', 700_00, T0 + 400 * DAY, { currency: 'GBP' }),
        mv('acc:D', 'acc:Sink', 900_00, T0 + 401 * DAY, { currency: 'EUR' }),
      ],
      { money, overrides },
    ).alerts.filter((a) => a.subject === 'acc:D');
    expect(gbp).toHaveLength(1);
    expect(gbp[0].explanation).toContain(
      '2 movements totalling 900.00 EUR + 700.00 GBP = 2218.75 USD within 1 day',
    );
    expect(gbp[0].facts).toMatchObject({ baseCurrency: 'USD', totalBaseMinor: 2_218_75 });
    const yen = runDetector(
      dormantReactivationDetector,
      [history, mv('acc:Src', 'acc:D', 100_000, T0 + 400 * DAY, { currency: 'JPY' })],
      { money, overrides },
    ).alerts.filter((a) => a.subject === 'acc:D');
    expect(yen).toHaveLength(0);
  });
});
