import type { BaseMoney, Movement, PricedAmount } from '@app/vocabulary';
import { MemoryAccountDirectory } from '../core/account-directory';
import { resolveParameters } from '../core/parameters';
import { accountVertex, DAY, defaultConfig, HOUR, mv, runDetector, T0 } from '../testing/fixtures';
import { canonicalCycle, createCycleEvaluator, cycleDetector } from './cycle.detector';

/** A → B → C → A, each hop a day later and keeping 90% (AMLSim). */
function cycle(start = T0, gap = DAY, first = 9_000_00, accounts = ['acc:A', 'acc:B', 'acc:C']) {
  let amount = first;
  return accounts.map((from, i) => {
    const m = mv(from, accounts[(i + 1) % accounts.length], amount, start + i * gap);
    amount = Math.floor((amount * 9) / 10);
    return m;
  });
}

/** Fixed rates to USD (units of the currency per USD), minor units as the currency has them. */
class FixedRates implements BaseMoney {
  readonly currency = 'USD';
  private readonly perUsd: Record<string, { rate: number; decimals: number }> = {
    USD: { rate: 1, decimals: 2 },
    EUR: { rate: 0.8, decimals: 2 },
    JPY: { rate: 100, decimals: 0 },
  };

  of(amount: PricedAmount): number {
    return this.convert(amount.amountMinor, amount.currency);
  }

  convert(minor: number, currency: string): number {
    const { rate, decimals } = this.perUsd[currency];
    return Math.round((minor / 10 ** decimals / rate) * 100);
  }
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
      '9000.00 USD left and 7290.00 USD came back (81% retained); each hop carried 90% of what its sender had received.',
    );
  });

  it('does not close a cycle whose hops are not in increasing time order (near miss)', () => {
    const [ab, bc, ca] = cycle();
    const early = { ...ca, timestamp: bc.timestamp - HOUR }; // C pays A before B paid C
    expect(runDetector(cycleDetector, [ab, bc, early]).alerts).toHaveLength(0);
  });

  it('does not fire when the loop takes a day longer than the window', () => {
    const overrides = { maxHopDays: 30 };
    const movements = cycle(T0, 15 * DAY + DAY / 2);
    expect(runDetector(cycleDetector, movements, { overrides }).alerts).toHaveLength(0);
    expect(runDetector(cycleDetector, cycle(T0, 14 * DAY), { overrides }).alerts).toHaveLength(1);
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

  it('does not accept a hop that passes on less than 75% of what came in (near miss at 76%)', () => {
    const [ab, bc, ca] = cycle();
    const hop = (share: number) => {
      const middle = { ...bc, amountMinor: Math.floor(ab.amountMinor * share) };
      return [ab, middle, { ...ca, amountMinor: Math.floor(middle.amountMinor * 0.9) }];
    };
    expect(runDetector(cycleDetector, hop(0.7)).alerts).toHaveLength(0);
    expect(runDetector(cycleDetector, hop(0.76)).alerts).toHaveLength(1);
  });

  it('finds a 12-account cycle whose hops change currency, comparing them in the base currency', () => {
    const accounts = Array.from({ length: 12 }, (_, i) => `acc:${String(i).padStart(2, '0')}`);
    const currencies = ['USD', 'EUR', 'JPY'] as const;
    // 10,000 USD each hop, +/- up to 8%, paid in USD, EUR (0.8/USD) or JPY (100/USD).
    const drift = [1, 1.08, 0.95, 1.02, 0.93, 1.05, 1, 0.97, 1.06, 0.94, 1.01, 0.99];
    const movements = accounts.map((from, i) => {
      const currency = currencies[i % 3];
      const usd = 10_000 * drift[i];
      const amountMinor =
        currency === 'USD'
          ? Math.round(usd * 100)
          : currency === 'EUR'
            ? Math.round(usd * 0.8 * 100)
            : Math.round(usd * 100);
      return mv(from, accounts[(i + 1) % 12], amountMinor, T0 + i * 9 * HOUR, { currency });
    });
    const money = new FixedRates();
    const { alerts } = runDetector(cycleDetector, movements, { money });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].facts.length).toBe(12);
    expect(alerts[0].movements).toHaveLength(12);
    // Original amounts are quoted with their base-currency value.
    expect(alerts[0].explanation).toContain('came back');
    expect(alerts[0].explanation).toContain('(9900.00 USD)');
    // Twelve accounts need a maximum length of twelve.
    expect(
      runDetector(cycleDetector, movements, { money, overrides: { maxLength: 11 } }).alerts,
    ).toHaveLength(0);
  });

  it('scores longer, tighter and quicker cycles higher', () => {
    const three = runDetector(cycleDetector, cycle()).alerts[0];
    const six = runDetector(
      cycleDetector,
      cycle(T0, 6 * HOUR, 9_000_00, ['acc:1', 'acc:2', 'acc:3', 'acc:4', 'acc:5', 'acc:6']),
    ).alerts[0];
    const slowThree = runDetector(cycleDetector, cycle(T0, 10 * DAY)).alerts[0];
    expect(six.score).toBeGreaterThan(three.score);
    expect(three.score).toBeGreaterThan(slowThree.score);
  });

  describe('two-account round trips', () => {
    const out = () => mv('acc:A', 'acc:B', 8_564_30, T0);

    it('fires when strangers send most of it back within days', () => {
      const first = out();
      const back = mv('acc:B', 'acc:A', 7_089_87, T0 + 4 * DAY);
      const { alerts } = runDetector(cycleDetector, [first, back]);
      expect(alerts).toHaveLength(1);
      expect(alerts[0].explanation).toContain('cycle of 2 accounts (acc:A -> acc:B -> acc:A)');
      expect(alerts[0].explanation).toContain(
        'the two accounts had not dealt with each other in the 30 days before',
      );
      // Round trips score below longer cycles.
      const three = runDetector(cycleDetector, cycle()).alerts[0];
      expect(alerts[0].score).toBeLessThan(three.score);
    });

    it('does not fire between accounts that paid each other in the month before (family)', () => {
      const dinner = mv('acc:A', 'acc:B', 40_00, T0 - 20 * DAY, { channel: 'internal' });
      const back = mv('acc:B', 'acc:A', 8_000_00, T0 + 2 * DAY);
      expect(runDetector(cycleDetector, [dinner, out(), back]).alerts).toHaveLength(0);
      const longAgo = { ...dinner, timestamp: T0 - 31 * DAY };
      expect(runDetector(cycleDetector, [longAgo, out(), back]).alerts).toHaveLength(1);
    });

    it('fires again when a pair repeats a flagged round trip a week later', () => {
      const first = [out(), mv('acc:B', 'acc:A', 8_000_00, T0 + 2 * DAY)];
      const again = [
        mv('acc:A', 'acc:B', 9_394_80, T0 + 9 * DAY),
        mv('acc:B', 'acc:A', 9_394_80, T0 + 11 * DAY),
      ];
      const { raised } = runDetector(cycleDetector, [...first, ...again]);
      expect(raised).toHaveLength(2);
      expect(raised[1].explanation).toContain(
        'the two accounts already made a flagged round trip in the 30 days before',
      );
    });

    it('does not fire when money goes back and forth every month', () => {
      // Small sums every fortnight, and once a month a larger one lent and paid back.
      const movements = [0, 1, 2].flatMap((month) => [
        mv('acc:Mum', 'acc:Son', 50_00, T0 + month * 30 * DAY - 15 * DAY, { channel: 'internal' }),
        mv('acc:Mum', 'acc:Son', 1_000_00, T0 + month * 30 * DAY, { channel: 'internal' }),
        mv('acc:Son', 'acc:Mum', 1_000_00, T0 + month * 30 * DAY + 3 * DAY, {
          channel: 'internal',
        }),
      ]);
      expect(runDetector(cycleDetector, movements).alerts).toHaveLength(0);
    });

    it('does not fire for an amount the sender pays every few days (AMLSim-like traffic)', () => {
      // A pays 700-900 to different accounts twice a week; a round trip of 900 is usual for A.
      const usual = [700_00, 800_00, 900_00, 750_00, 850_00].map((amount, i) =>
        mv('acc:A', `acc:payee${i}`, amount, T0 - (i + 1) * 3 * DAY),
      );
      const trip = (amount: number) => [
        mv('acc:A', 'acc:B', amount, T0),
        mv('acc:B', 'acc:A', Math.round(amount * 0.9), T0 + DAY),
      ];
      expect(runDetector(cycleDetector, [...usual, ...trip(900_00)]).alerts).toHaveLength(0);
      // Twice the usual (median 800) is unusual; just under it is not.
      expect(runDetector(cycleDetector, [...usual, ...trip(1_600_00)]).alerts).toHaveLength(1);
      expect(runDetector(cycleDetector, [...usual, ...trip(1_599_00)]).alerts).toHaveLength(0);
    });

    it('does not fire after more than a week, nor when more comes back than went', () => {
      const late = mv('acc:B', 'acc:A', 8_000_00, T0 + 8 * DAY);
      expect(runDetector(cycleDetector, [out(), late]).alerts).toHaveLength(0);
      const more = mv('acc:B', 'acc:A', 8_700_00, T0 + DAY);
      expect(runDetector(cycleDetector, [out(), more]).alerts).toHaveLength(0);
      expect(
        runDetector(cycleDetector, [out(), more], { overrides: { roundTripMaxShare: 1.05 } })
          .alerts,
      ).toHaveLength(1);
    });

    it('leaves round trips out with minLength 3', () => {
      const back = mv('acc:B', 'acc:A', 8_000_00, T0 + DAY);
      expect(
        runDetector(cycleDetector, [out(), back], { overrides: { minLength: 3 } }).alerts,
      ).toHaveLength(0);
    });
  });

  it('does not pass through accounts at other banks, nor hops more than 10 days apart', () => {
    const vertices = [accountVertex('acc:B', { accountType: 'external' })];
    expect(runDetector(cycleDetector, cycle(), { vertices }).alerts).toHaveLength(0);
    // The origin may be outside the bank: only the accounts that pass money on must be seen.
    const outside = [accountVertex('acc:A', { accountType: 'external' })];
    expect(runDetector(cycleDetector, cycle(), { vertices: outside }).alerts).toHaveLength(1);
    expect(runDetector(cycleDetector, cycle(T0, 10 * DAY + HOUR)).alerts).toHaveLength(0);
    expect(runDetector(cycleDetector, cycle(T0, 10 * DAY)).alerts).toHaveLength(1);
  });

  it('does not fire on salary in and rent out, nor on card purchases', () => {
    const movements = [
      mv('acc:Employer', 'acc:P', 3_000_00, T0, { reference: 'salary' }),
      mv('acc:P', 'acc:Landlord', 1_500_00, T0 + DAY, { reference: 'rent' }),
      mv('acc:Landlord', 'acc:Employer', 1_400_00, T0 + 2 * DAY, { channel: 'card' }),
    ];
    expect(runDetector(cycleDetector, movements).alerts).toHaveLength(0);
  });

  it('keys a cycle by its accounts rotated to the smallest id, so repeats update one alert', () => {
    expect(canonicalCycle(['acc:C', 'acc:A', 'acc:B'])).toBe('acc:A>acc:B>acc:C');
    const first = cycle(T0);
    const again = cycle(T0 + 5 * DAY);
    const { raised, alerts } = runDetector(cycleDetector, [...first, ...again]);
    expect(raised.length).toBeGreaterThanOrEqual(2);
    expect(alerts).toHaveLength(1);
    // Both turns stay in the alert's evidence, so each can be traced.
    expect(alerts[0].movements.map((m) => m.movementId)).toEqual(
      [...first, ...again].map((m) => m.movementId),
    );
    expect(alerts[0].windowStart).toBe(T0);
    expect(alerts[0].explanation).toContain('Money went round it 2 times in this episode.');
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

  it('bounds the search on a hub with many in- and out-transfers and still finds the cycle', () => {
    // 40 accounts pay a hub, the hub pays 40 others who pay on to each other: every account of
    // the dense middle could start thousands of paths.
    const movements: Movement[] = [];
    let t = T0;
    for (let i = 0; i < 40; i += 1) {
      movements.push(mv(`acc:in${i}`, 'acc:Hub', 5_000_00, (t += HOUR)));
      movements.push(mv('acc:Hub', `acc:out${i}`, 5_000_00, (t += HOUR)));
    }
    for (let i = 0; i < 40; i += 1) {
      for (let j = 1; j <= 3; j += 1) {
        movements.push(mv(`acc:out${i}`, `acc:out${(i + j) % 40}`, 5_000_00, (t += 10 * 60_000)));
      }
    }
    // The real cycle: in0 -> Hub -> out0 -> ... -> back to in0.
    movements.push(mv('acc:out5', 'acc:in0', 4_900_00, (t += HOUR)));
    const run = (overrides: Record<string, unknown>) => {
      const params = resolveParameters(cycleDetector, defaultConfig(), overrides);
      const evaluator = createCycleEvaluator(params, {
        accounts: new MemoryAccountDirectory(),
        money: new FixedRates(),
      });
      const raised = movements.flatMap((m) => evaluator.onMovement(m));
      return { raised, steps: evaluator.searchSteps(), state: evaluator.stateSize() };
    };
    const bounded = run({ maxExpansions: 200, maxBranching: 4, minLength: 3 });
    expect(bounded.steps).toBeLessThanOrEqual(200 * movements.length);
    expect(bounded.raised.some((a) => a.movements.at(-1)?.toAccount === 'acc:in0')).toBe(true);
    // The same search without caps tries many times more hops.
    const unbounded = run({ maxExpansions: 1_000_000, maxBranching: 1000, minLength: 3 });
    expect(unbounded.steps).toBeGreaterThan(5 * bounded.steps);
    // Memory: at most maxOutPerAccount out-hops per account, whatever the hub sends.
    const capped = run({ maxOutPerAccount: 8, minLength: 3 });
    expect(capped.state).toBeLessThan(run({ minLength: 3 }).state);
  });
});
