import { DAY, HOUR, mv, runDetector, T0 } from '../testing/fixtures';
import { gatherScatterDetector } from './gather-scatter.detector';

function gatherScatter(sources: number, destinations: number, keep = 0.9) {
  const ins = Array.from({ length: sources }, (_, i) =>
    mv(`acc:S${i + 1}`, 'acc:H', 2_500_00, T0 + i * HOUR),
  );
  const share = Math.floor((2_500_00 * sources * keep) / destinations);
  const outs = Array.from({ length: destinations }, (_, i) =>
    mv('acc:H', `acc:D${i + 1}`, share, T0 + (sources + i) * HOUR),
  );
  return [...ins, ...outs];
}

describe('gatherScatterDetector', () => {
  it('fires when a hub gathers from five sources and scatters about the same to five others', () => {
    const { alerts } = runDetector(gatherScatterDetector, gatherScatter(5, 5));
    expect(alerts).toHaveLength(1);
    expect(alerts[0].subject).toBe('acc:H');
    expect(alerts[0].explanation).toContain(
      'gathered 12500.00 USD from 5 sources and then scattered 11250.00 USD to 5 other accounts',
    );
    expect(alerts[0].explanation).toContain('passing on 90%');
  });

  it('does not fire with four destinations (near miss)', () => {
    expect(runDetector(gatherScatterDetector, gatherScatter(5, 4)).alerts).toHaveLength(0);
  });

  it('does not fire when the scatter happens more than the window after the gathering', () => {
    const late = gatherScatter(5, 5).map((m) =>
      m.fromAccount === 'acc:H' ? { ...m, timestamp: m.timestamp + 8 * DAY } : m,
    );
    expect(runDetector(gatherScatterDetector, late).alerts).toHaveLength(0);
  });

  it('does not fire on a landlord collecting rent and paying invoices (decoy)', () => {
    const rent = Array.from({ length: 8 }, (_, i) =>
      mv(`acc:T${i + 1}`, 'acc:L', 1_500_00, T0 + i * HOUR, { channel: 'ach', reference: 'rent' }),
    );
    const bills = Array.from({ length: 6 }, (_, i) =>
      mv('acc:L', `acc:V${i + 1}`, 1_800_00, T0 + (10 + i) * HOUR, {
        channel: 'ach',
        reference: 'invoice',
      }),
    );
    expect(runDetector(gatherScatterDetector, [...rent, ...bills]).alerts).toHaveLength(0);
  });
});
