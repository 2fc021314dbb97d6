import { DAY, HOUR, mv, runDetector, T0 } from '../testing/fixtures';
import { canonicalCycle, cycleDetector } from './cycle.detector';

/** A → B → C → A, each hop a day later and keeping 90% (AMLSim). */
function cycle(start = T0, gap = DAY, first = 9_000_00, accounts = ['acc:A', 'acc:B', 'acc:C']) {
  let amount = first;
  return accounts.map((from, i) => {
    const m = mv(from, accounts[(i + 1) % accounts.length], amount, start + i * gap);
    amount = Math.floor((amount * 9) / 10);
    return m;
  });
}

describe('cycleDetector', () => {
  it('finds a time-respecting three-account cycle with a 10% margin per hop, in time order', () => {
    const movements = cycle();
    const { alerts } = runDetector(cycleDetector, movements);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].movements.map((m) => m.movementId)).toEqual(
      movements.map((m) => m.movementId),
    );
    expect(alerts[0].explanation).toContain(
      'cycle of 3 accounts (acc:A -> acc:B -> acc:C -> acc:A)',
    );
    expect(alerts[0].explanation).toContain(
      '9000.00 USD left and 7290.00 USD came back (81% retained)',
    );
  });

  it('does not close a cycle whose hops are not in increasing time order (near miss)', () => {
    const [ab, bc, ca] = cycle();
    const early = { ...ca, timestamp: bc.timestamp - HOUR }; // C pays A before B paid C
    expect(runDetector(cycleDetector, [ab, bc, early]).alerts).toHaveLength(0);
  });

  it('does not fire when the loop takes a day longer than the window', () => {
    const movements = cycle(T0, 15 * DAY + DAY / 2);
    expect(runDetector(cycleDetector, movements).alerts).toHaveLength(0);
    expect(runDetector(cycleDetector, cycle(T0, 14 * DAY)).alerts).toHaveLength(1);
  });

  it('does not fire on a family loop over months (decoy)', () => {
    const loop = [
      mv('acc:Mum', 'acc:Son', 600_00, T0, { channel: 'internal', reference: 'gift' }),
      mv('acc:Son', 'acc:Dad', 650_00, T0 + 40 * DAY, { channel: 'internal', reference: 'loan' }),
      mv('acc:Dad', 'acc:Mum', 700_00, T0 + 80 * DAY, {
        channel: 'internal',
        reference: 'rent share',
      }),
    ];
    expect(runDetector(cycleDetector, loop).alerts).toHaveLength(0);
  });

  it('does not accept a hop that loses more than the tolerance, nor a two-account round trip', () => {
    const [ab, bc, ca] = cycle();
    const lossy = { ...bc, amountMinor: Math.floor(ab.amountMinor * 0.7) };
    expect(
      runDetector(cycleDetector, [
        ab,
        lossy,
        { ...ca, amountMinor: Math.floor(lossy.amountMinor * 0.9) },
      ]).alerts,
    ).toHaveLength(0);
    const roundTrip = [
      mv('acc:A', 'acc:B', 5_000_00, T0),
      mv('acc:B', 'acc:A', 4_900_00, T0 + DAY),
    ];
    expect(runDetector(cycleDetector, roundTrip).alerts).toHaveLength(0);
    expect(
      runDetector(cycleDetector, roundTrip, { overrides: { minLength: 2 } }).alerts,
    ).toHaveLength(1);
  });

  it('keys a cycle by its accounts rotated to the smallest id, so repeats update one alert', () => {
    expect(canonicalCycle(['acc:C', 'acc:A', 'acc:B'])).toBe('acc:A>acc:B>acc:C');
    const first = cycle(T0);
    const again = cycle(T0 + 5 * DAY);
    const { raised, alerts } = runDetector(cycleDetector, [...first, ...again]);
    expect(raised.length).toBeGreaterThanOrEqual(2);
    expect(alerts).toHaveLength(1);
  });

  it('finds cycles up to the maximum length and not beyond', () => {
    const six = ['acc:1', 'acc:2', 'acc:3', 'acc:4', 'acc:5', 'acc:6'];
    expect(runDetector(cycleDetector, cycle(T0, HOUR * 6, 9_000_00, six)).alerts).toHaveLength(1);
    expect(
      runDetector(cycleDetector, cycle(T0, HOUR * 6, 9_000_00, six), {
        overrides: { maxLength: 5 },
      }).alerts,
    ).toHaveLength(0);
  });
});
