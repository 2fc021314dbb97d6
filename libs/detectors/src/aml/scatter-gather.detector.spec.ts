import { DAY, HOUR, mv, runDetector, T0 } from '../testing/fixtures';
import { testMoney } from '../testing/fx-fixtures';
import { scatterGatherDetector } from './scatter-gather.detector';

function scatterGather(k: number, keep = 0.9, gatherAfter = k * HOUR, amount = 2_500_00) {
  const middles = Array.from({ length: k }, (_, i) => `acc:M${i + 1}`);
  const scatter = middles.map((m, i) => mv('acc:O', m, amount + i * 100, T0 + i * HOUR));
  const gather = middles.map((m, i) =>
    mv(m, 'acc:D', Math.floor((amount + i * 100) * keep), T0 + gatherAfter + i * HOUR),
  );
  return { middles, movements: [...scatter, ...gather] };
}

describe('scatterGatherDetector', () => {
  it('fires when five intermediaries each pass most of what the origin sent on to one beneficiary', () => {
    const { middles, movements } = scatterGather(5);
    const { alerts } = runDetector(scatterGatherDetector, movements);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].subject).toBe('acc:O');
    expect(alerts[0].parties.map((p) => p.uid)).toEqual(['acc:O', 'acc:D', ...middles]);
    expect(alerts[0].explanation).toContain(
      'scattered 12510.00 USD (12510.00 USD) to 5 intermediaries',
    );
    expect(alerts[0].explanation).toContain('90% of the scattered total');
    expect(alerts[0].movements).toHaveLength(10);
  });

  it('fires from two intermediaries, its score rising with their number', () => {
    const two = runDetector(
      scatterGatherDetector,
      scatterGather(2, 0.9, 2 * HOUR, 6_000_00).movements,
    ).alerts;
    expect(two).toHaveLength(1);
    expect(two[0].facts.intermediaries).toBe(2);
    const eight = runDetector(scatterGatherDetector, scatterGather(8).movements).alerts;
    expect(eight[0].score).toBeGreaterThan(two[0].score);
  });

  it('does not fire on fewer than five intermediaries scattering under 10000.00 USD (near miss)', () => {
    const { movements } = scatterGather(3);
    const small = movements.map((m) => ({ ...m, amountMinor: Math.floor(m.amountMinor / 2) }));
    expect(runDetector(scatterGatherDetector, small).alerts).toHaveLength(0);
    const five = scatterGather(5).movements.map((m) => ({
      ...m,
      amountMinor: Math.floor(m.amountMinor / 4),
    }));
    expect(runDetector(scatterGatherDetector, five).alerts).toHaveLength(1);
  });

  it('does not fire with one intermediary (a 2-hop chain is a pass-through, not a scatter-gather)', () => {
    expect(runDetector(scatterGatherDetector, scatterGather(1).movements).alerts).toHaveLength(0);
  });

  it('regression: finds a scatter over days 1-3 and a gather over days 6-9', () => {
    const middles = ['acc:M1', 'acc:M2', 'acc:M3'];
    const scatter = middles.map((m, i) => mv('acc:O', m, 4_000_00, T0 + i * DAY));
    const gather = middles.map((m, i) => mv(m, 'acc:D', 3_800_00, T0 + (5 + i * 1.5) * DAY));
    const { alerts } = runDetector(scatterGatherDetector, [...scatter, ...gather]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].movements).toHaveLength(6);
    expect(alerts[0].explanation).toContain('(8 days;');
  });

  it('does not fire when the gather comes more than 14 days after the scatter', () => {
    expect(
      runDetector(scatterGatherDetector, scatterGather(5, 0.9, 15 * DAY).movements).alerts,
    ).toHaveLength(0);
  });

  it('compares forwarded shares in the base currency (433188 JPY = 3609.90 USD in, 3000.00 USD out: 83%)', () => {
    const middles = ['acc:M1', 'acc:M2', 'acc:M3'];
    const scatter = middles.map((m, i) =>
      mv('acc:O', m, 433_188, T0 + i * HOUR, { currency: 'JPY' }),
    );
    const gather = middles.map((m, i) => mv(m, 'acc:D', 3_000_00, T0 + (50 + i) * HOUR));
    const { alerts } = runDetector(scatterGatherDetector, [...scatter, ...gather], {
      money: testMoney(),
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('scattered 1299564 JPY (10829.70 USD)');
  });

  it('fires when the intermediaries pass the money back to the origin itself (AMLworld round trip)', () => {
    const { movements } = scatterGather(3, 0.9, 3 * HOUR, 4_000_00);
    const back = movements.map((m) => (m.toAccount === 'acc:D' ? { ...m, toAccount: 'acc:O' } : m));
    const { alerts } = runDetector(scatterGatherDetector, back);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('back to acc:O itself afterwards');
  });

  it('does not fire when intermediaries keep most of the money (payroll then shopping decoy)', () => {
    expect(runDetector(scatterGatherDetector, scatterGather(6, 0.3).movements).alerts).toHaveLength(
      0,
    );
  });

  it('does not fire when intermediaries pass on far more than they received (their own money)', () => {
    expect(runDetector(scatterGatherDetector, scatterGather(6, 1.6).movements).alerts).toHaveLength(
      0,
    );
  });

  it('does not fire when the gather leg comes before the scatter leg', () => {
    const { movements } = scatterGather(5);
    const reversed = movements.map((m) =>
      m.toAccount === 'acc:D' ? { ...m, timestamp: m.timestamp - 20 * HOUR } : m,
    );
    expect(runDetector(scatterGatherDetector, reversed).alerts).toHaveLength(0);
  });
});
