import { DAY, HOUR, mv, runDetector, T0 } from '../testing/fixtures';
import { gatherScatterDetector } from './gather-scatter.detector';

function gatherScatter(sources: number, destinations: number, keep = 0.9, amount = 2_500_00) {
  const ins = Array.from({ length: sources }, (_, i) =>
    mv(`acc:S${i + 1}`, 'acc:H', amount, T0 + i * HOUR),
  );
  const share = Math.floor((amount * sources * keep) / destinations);
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
      'gathered 12500.00 USD (12500.00 USD) from 5 sources new to it and then scattered 11250.00 USD (11250.00 USD) to 5 other accounts',
    );
    expect(alerts[0].explanation).toContain('passing on 90%');
  });

  it('fires on two sources and two destinations when the gathering reaches 10000.00 USD', () => {
    expect(
      runDetector(gatherScatterDetector, gatherScatter(2, 2, 0.9, 6_000_00)).alerts,
    ).toHaveLength(1);
    // Near miss: 9000.00 USD gathered.
    expect(
      runDetector(gatherScatterDetector, gatherScatter(2, 2, 0.9, 4_500_00)).alerts,
    ).toHaveLength(0);
  });

  it('fires when the scatter pays out much more than was gathered (AMLworld), not when it pays out under a fifth', () => {
    expect(
      runDetector(gatherScatterDetector, gatherScatter(3, 6, 3, 4_000_00)).alerts,
    ).toHaveLength(1);
    expect(
      runDetector(gatherScatterDetector, gatherScatter(3, 2, 0.15, 10_000_00)).alerts,
    ).toHaveLength(0);
  });

  it('fires on five sources then five destinations whatever the balance (one huge inflow)', () => {
    const ins = gatherScatter(5, 5).filter((m) => m.toAccount === 'acc:H');
    const huge = { ...ins[0], amountMinor: 86_108_463_80 };
    const outs = gatherScatter(5, 5).filter((m) => m.fromAccount === 'acc:H');
    const all = [huge, ...ins.slice(1), ...outs];
    expect(runDetector(gatherScatterDetector, all).alerts).toHaveLength(1);
    const four = all.filter((m) => m.toAccount !== 'acc:D5');
    expect(runDetector(gatherScatterDetector, four).alerts).toHaveLength(0);
  });

  it('does not take one large inflow beside a small one for a gathering from few sources', () => {
    const ins = [mv('acc:S1', 'acc:H', 20_000_00, T0), mv('acc:S2', 'acc:H', 1_000_00, T0 + HOUR)];
    const outs = [
      mv('acc:H', 'acc:D1', 9_000_00, T0 + DAY),
      mv('acc:H', 'acc:D2', 9_000_00, T0 + 2 * DAY),
    ];
    expect(runDetector(gatherScatterDetector, [...ins, ...outs]).alerts).toHaveLength(0);
    const even = [
      { ...ins[0], amountMinor: 12_000_00 },
      { ...ins[1], amountMinor: 9_000_00 },
    ];
    expect(runDetector(gatherScatterDetector, [...even, ...outs]).alerts).toHaveLength(1);
  });

  it('regression: finds a gathering over days 1-3 and a scatter over days 6-9', () => {
    const ins = [0, 1, 2].map((d) => mv(`acc:S${d}`, 'acc:H', 5_000_00, T0 + d * DAY));
    const outs = [5, 6.5, 8].map((d, i) => mv('acc:H', `acc:D${i}`, 4_500_00, T0 + d * DAY));
    const { alerts } = runDetector(gatherScatterDetector, [...ins, ...outs]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].movements).toHaveLength(6);
  });

  it('does not fire with four destinations of a small total (near miss)', () => {
    expect(runDetector(gatherScatterDetector, gatherScatter(5, 1)).alerts).toHaveLength(0);
    expect(
      runDetector(gatherScatterDetector, gatherScatter(3, 4, 0.9, 1_500_00)).alerts,
    ).toHaveLength(0);
  });

  it('does not fire when the scatter happens more than the window after the gathering', () => {
    const late = gatherScatter(5, 5).map((m) =>
      m.fromAccount === 'acc:H' ? { ...m, timestamp: m.timestamp + 15 * DAY } : m,
    );
    expect(runDetector(gatherScatterDetector, late).alerts).toHaveLength(0);
  });

  it('does not count paying a source back as scattering', () => {
    const ins = [mv('acc:S1', 'acc:H', 8_000_00, T0), mv('acc:S2', 'acc:H', 8_000_00, T0 + HOUR)];
    const back = [
      mv('acc:H', 'acc:S1', 7_000_00, T0 + DAY),
      mv('acc:H', 'acc:D1', 7_000_00, T0 + 2 * DAY),
    ];
    expect(runDetector(gatherScatterDetector, [...ins, ...back]).alerts).toHaveLength(0);
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

  it('does not fire when the sources are known from the month before (a family pooling money monthly)', () => {
    const month = (start: number) => [
      mv('acc:Sister', 'acc:H', 6_000_00, start),
      mv('acc:Brother', 'acc:H', 6_000_00, start + HOUR),
      mv('acc:H', 'acc:Clinic', 5_000_00, start + DAY),
      mv('acc:H', 'acc:Mother', 5_000_00, start + 2 * DAY),
    ];
    const { raised } = runDetector(gatherScatterDetector, [...month(T0), ...month(T0 + 20 * DAY)]);
    // The first month has no history (all new); the second month's sources are known.
    expect(raised.length).toBeGreaterThan(0);
    expect(raised.every((d) => d.windowEnd < T0 + 20 * DAY)).toBe(true);
  });
  // Regressions from the generated medium bank (seed 42): each case below raised an alert before
  // gather-scatter 2.1.0, on a hub of other laundering or on ordinary life.
  it('regression: does not take one source paying twice beside a stranger for a gathering (a random walk passing a hub twice)', () => {
    const walk = [
      mv('acc:W', 'acc:H', 8_109_87, T0),
      mv('acc:H', 'acc:N1', 7_704_37, T0 + 18 * HOUR),
      mv('acc:W', 'acc:H', 5_663_40, T0 + 4 * DAY),
      mv('acc:X', 'acc:H', 597_06, T0 + 4 * DAY + 5 * HOUR, { channel: 'ach' }),
      mv('acc:H', 'acc:N2', 5_380_23, T0 + 6 * DAY),
    ];
    // Two sources by count, but 96% of the money comes from one of them.
    expect(runDetector(gatherScatterDetector, walk).alerts).toHaveLength(0);
    // The same money from two different sources is a gathering.
    const two = walk.map((m, i) => (i === 2 ? { ...m, fromAccount: 'acc:W2' } : m));
    expect(runDetector(gatherScatterDetector, two).alerts).toHaveLength(1);
  });

  it('regression: does not take one large payment on beside a small everyday one for a scatter (a cycle hop through a hub)', () => {
    const movements = [
      mv('acc:E1', 'acc:H', 4_548_20, T0, { channel: 'ach' }),
      mv('acc:E2', 'acc:H', 1_316_35, T0 + DAY, { channel: 'ach' }),
      mv('acc:H', 'acc:Utility', 577_94, T0 + 2 * DAY, { channel: 'ach' }),
      mv('acc:C1', 'acc:H', 23_946_81, T0 + 5 * DAY),
      mv('acc:H', 'acc:C2', 21_552_12, T0 + 5 * DAY + 4 * HOUR),
    ];
    expect(runDetector(gatherScatterDetector, movements).alerts).toHaveLength(0);
    // Split the onward payment between two accounts and it is a scatter.
    const split = [
      ...movements.slice(0, 4),
      mv('acc:H', 'acc:C2', 12_000_00, T0 + 5 * DAY + 4 * HOUR),
      mv('acc:H', 'acc:C3', 9_552_12, T0 + 5 * DAY + 5 * HOUR),
    ];
    expect(runDetector(gatherScatterDetector, split).alerts).toHaveLength(1);
  });

  it('lets a gathering from five or more new sources pass most of it on in one payment (AMLworld)', () => {
    // AMLworld LI-Medium: fifteen sources, then one very large payment and two small ones.
    const ins = Array.from({ length: 5 }, (_, i) =>
      mv(`acc:S${i + 1}`, 'acc:H', 8_000_00, T0 + i * HOUR, { channel: 'ach' }),
    );
    const outs = [
      mv('acc:H', 'acc:D1', 30_000_00, T0 + DAY, { channel: 'ach' }),
      mv('acc:H', 'acc:D2', 1_500_00, T0 + 2 * DAY, { channel: 'ach' }),
    ];
    expect(runDetector(gatherScatterDetector, [...ins, ...outs]).alerts).toHaveLength(1);
    // From four sources the same scatter is one payment on beside a small one.
    expect(runDetector(gatherScatterDetector, [...ins.slice(1), ...outs]).alerts).toHaveLength(0);
  });

  it('regression: does not count payments made before the money they would pass on had come in (bills, then transfers in)', () => {
    const movements = [
      mv('acc:E1', 'acc:H', 667_63, T0, { channel: 'ach' }),
      mv('acc:H', 'acc:B1', 1_747_01, T0 + HOUR, { channel: 'ach' }),
      mv('acc:H', 'acc:B2', 717_91, T0 + 9 * HOUR, { channel: 'ach' }),
      mv('acc:H', 'acc:B3', 3_570_20, T0 + 2 * DAY, { channel: 'ach' }),
      mv('acc:E2', 'acc:H', 2_081_00, T0 + 7 * DAY, { channel: 'ach' }),
      mv('acc:E3', 'acc:H', 5_181_92, T0 + 8 * DAY, { channel: 'ach' }),
      mv('acc:E4', 'acc:H', 822_58, T0 + 9 * DAY, { channel: 'ach' }),
      mv('acc:E5', 'acc:H', 1_820_45, T0 + 10 * DAY, { channel: 'ach' }),
      mv('acc:H', 'acc:B4', 602_49, T0 + 13 * DAY, { channel: 'ach' }),
    ];
    expect(runDetector(gatherScatterDetector, movements).alerts).toHaveLength(0);
    // The same payments made after the transfers came in pass the money on (the last one then
    // falls 24 days after the first transfer in, outside the 14-day window).
    const after = movements.map((m) =>
      m.fromAccount === 'acc:H' ? { ...m, timestamp: m.timestamp + 11 * DAY } : m,
    );
    const { alerts } = runDetector(gatherScatterDetector, after);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].facts).toMatchObject({ sources: 5, destinations: 3 });
  });
});
