import Fraction from 'fraction.js';
import { solveCycleExactly } from './linear-solve';
import type { CycleSystem } from './linear-solve';

/** A deterministic generator (a linear congruential one), so each run checks the same systems. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** Every member holds `density` of the others, each a share of 1 to `maxBp` basis points. */
function randomCycle(n: number, seed: number, maxBp: number, density: number): CycleSystem {
  const random = generator(seed);
  const rows = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => j)
      .filter((j) => j !== i && random() < density)
      .map((col) => {
        const bp = 1 + Math.floor(random() * maxBp);
        return { col, weight: new Fraction(bp, 10_000), bp };
      }),
  );
  // What each member holds of the target outside the cycle: rationals with odd denominators.
  const b = Array.from({ length: n }, (_, i) =>
    i % 3 === 0 ? new Fraction(1 + Math.floor(random() * 97), 3 * (i + 7)) : new Fraction(0),
  );
  return { rows, b };
}

/** (I - W) x, row by row, in exact rationals. */
function applied(system: CycleSystem, x: readonly Fraction[]): Fraction[] {
  return system.rows.map((row, i) =>
    row.reduce((sum, { col, weight }) => sum.sub(weight.mul(x[col])), x[i]),
  );
}

describe('solveCycleExactly (fraction-free elimination)', () => {
  it.each([
    [3, 1, 4000, 1],
    [12, 2, 900, 0.5],
    [30, 3, 300, 1],
    [52, 4, 90, 1],
    [40, 5, 2000, 0.1],
  ])(
    'solves a cycle of %i members exactly (seed %i): (I - W) x is b to the last digit',
    (n, seed, maxBp, density) => {
      const system = randomCycle(n, seed, maxBp, density);
      const x = solveCycleExactly(system);
      expect(x).not.toBeNull();
      const back = applied(system, x as Fraction[]);
      expect(back.map((value) => value.toFraction())).toEqual(
        system.b.map((value) => value.toFraction()),
      );
    },
  );

  it('gives the geometric series of a two-company loop: A holds half of B, B half of A', () => {
    const half = new Fraction(1, 2);
    const x = solveCycleExactly({
      rows: [[{ col: 1, weight: half, bp: 5000 }], [{ col: 0, weight: half, bp: 5000 }]],
      b: [new Fraction(1), new Fraction(0)],
    });
    // x0 = 1 + x1/2, x1 = x0/2: x0 = 4/3, x1 = 2/3.
    expect(x?.map((value) => value.toFraction())).toEqual(['4/3', '2/3']);
  });

  it('answers null for a loop whose series does not converge (each holds all of the other)', () => {
    const all = new Fraction(1);
    expect(
      solveCycleExactly({
        rows: [[{ col: 1, weight: all, bp: 10_000 }], [{ col: 0, weight: all, bp: 10_000 }]],
        b: [new Fraction(1), new Fraction(0)],
      }),
    ).toBeNull();
  });

  it('answers null when a series diverges though the system is regular (three members, 90% each way)', () => {
    const most = new Fraction(9, 10);
    const row = (a: number, b: number) => [
      { col: a, weight: most, bp: 9000 },
      { col: b, weight: most, bp: 9000 },
    ];
    expect(
      solveCycleExactly({
        rows: [row(1, 2), row(0, 2), row(0, 1)],
        b: [new Fraction(1), new Fraction(0), new Fraction(0)],
      }),
    ).toBeNull();
  });
});
