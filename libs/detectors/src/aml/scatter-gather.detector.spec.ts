import { HOUR, mv, runDetector, T0 } from '../testing/fixtures';
import { scatterGatherDetector } from './scatter-gather.detector';

function scatterGather(k: number, keep = 0.9) {
  const middles = Array.from({ length: k }, (_, i) => `acc:M${i + 1}`);
  const scatter = middles.map((m, i) => mv('acc:O', m, 2_500_00 + i * 100, T0 + i * HOUR));
  const gather = middles.map((m, i) =>
    mv(m, 'acc:D', Math.floor((2_500_00 + i * 100) * keep), T0 + (k + i) * HOUR),
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
    expect(alerts[0].explanation).toContain('scattered 12510.00 USD to 5 intermediaries');
    expect(alerts[0].movements).toHaveLength(10);
  });

  it('does not fire with four intermediaries (near miss)', () => {
    expect(runDetector(scatterGatherDetector, scatterGather(4).movements).alerts).toHaveLength(0);
  });

  it('does not fire when intermediaries keep most of the money (payroll then shopping decoy)', () => {
    expect(runDetector(scatterGatherDetector, scatterGather(6, 0.3).movements).alerts).toHaveLength(
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
