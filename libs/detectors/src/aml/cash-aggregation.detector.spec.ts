import { DAY, deposit, HOUR, runDetector, T0, withdrawal } from '../testing/fixtures';
import { cashAggregationDetector } from './cash-aggregation.detector';

// T0 is Monday 2025-01-06 10:00 UTC.
describe('cashAggregationDetector', () => {
  it('fires when cash of one business day adds up to more than 10000.00 USD', () => {
    const movements = [deposit('acc:A', 6_000_00, T0), deposit('acc:A', 4_000_01, T0 + 3 * HOUR)];
    const { alerts } = runDetector(cashAggregationDetector, movements);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain(
      'made 2 cash deposits counting toward business day 2025-01-06',
    );
    expect(alerts[0].explanation).toContain(
      'totalling 10000.01 USD, over the 10000.00 USD reporting threshold',
    );
    expect(alerts[0].facts.totalMinor).toBe(10_000_01);
  });

  it('does not fire when the day total is exactly at the threshold (near miss)', () => {
    const movements = [deposit('acc:A', 6_000_00, T0), deposit('acc:A', 4_000_00, T0 + 3 * HOUR)];
    expect(runDetector(cashAggregationDetector, movements).alerts).toHaveLength(0);
  });

  it('does not aggregate across two business days', () => {
    const movements = [deposit('acc:A', 6_000_00, T0), deposit('acc:A', 6_000_00, T0 + DAY)];
    expect(runDetector(cashAggregationDetector, movements).alerts).toHaveLength(0);
  });

  it('rolls a Friday night and a Sunday deposit into Monday, together with Monday daytime', () => {
    const friday = Date.UTC(2025, 0, 10, 20);
    const sunday = Date.UTC(2025, 0, 12, 11);
    const monday = Date.UTC(2025, 0, 13, 9);
    const movements = [
      deposit('acc:A', 3_500_00, friday),
      deposit('acc:A', 3_500_00, sunday),
      deposit('acc:A', 3_500_00, monday),
    ];
    const { alerts } = runDetector(cashAggregationDetector, movements);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].facts.businessDay).toBe('2025-01-13');
    expect(alerts[0].movements).toHaveLength(3);
  });

  it('does not roll a Friday daytime deposit into Monday', () => {
    const movements = [
      deposit('acc:A', 6_000_00, Date.UTC(2025, 0, 10, 12)),
      deposit('acc:A', 6_000_00, Date.UTC(2025, 0, 13, 9)),
    ];
    expect(runDetector(cashAggregationDetector, movements).alerts).toHaveLength(0);
  });

  it('uses the time zone setting for the night cut-off', () => {
    // 22:30 UTC and 23:30 UTC on Monday: in New York 17:30 (Monday) and 18:30 (Tuesday).
    const movements = [
      deposit('acc:A', 6_000_00, Date.UTC(2025, 0, 6, 22, 30)),
      deposit('acc:A', 6_000_00, Date.UTC(2025, 0, 6, 23, 30)),
    ];
    expect(runDetector(cashAggregationDetector, movements).alerts).toHaveLength(1);
    expect(
      runDetector(cashAggregationDetector, movements, {
        overrides: { timezone: 'America/New_York' },
      }).alerts,
    ).toHaveLength(0);
  });

  it('leaves a single reportable deposit to the ordinary CTR and keeps deposits apart from withdrawals', () => {
    expect(
      runDetector(cashAggregationDetector, [
        deposit('acc:A', 12_000_00, T0),
        deposit('acc:A', 100_00, T0 + HOUR),
      ]).alerts,
    ).toHaveLength(0);
    expect(
      runDetector(cashAggregationDetector, [
        deposit('acc:A', 6_000_00, T0),
        withdrawal('acc:A', 6_000_00, T0 + HOUR),
      ]).alerts,
    ).toHaveLength(0);
  });
});
