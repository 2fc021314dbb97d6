import Fraction from 'fraction.js';
import {
  bpFraction,
  integratedOwnership,
  rationalText,
  type ShareEdge,
} from './effective-ownership';

const isPerson = (uid: string): boolean => uid.startsWith('p');
const share = (owner: string, owned: string, bp: number): ShareEdge => ({
  owner,
  owned,
  share: bpFraction(bp),
});
const text = (result: Map<string, Fraction>): Record<string, string> =>
  Object.fromEntries([...result].map(([uid, value]) => [uid, rationalText(value)]));

describe('integratedOwnership', () => {
  it('multiplies along a chain exactly: 50% of 50% is 1/4, not 0.2499…', () => {
    const result = integratedOwnership(
      [share('p1', 'h', 5_000), share('h', 't', 5_000)],
      't',
      isPerson,
    );
    expect(text(result)).toEqual({ p1: '1/4' });
    expect(result.get('p1')?.equals(new Fraction(1, 4))).toBe(true);
  });

  it('adds across paths (direct 15% plus 60% of 20%)', () => {
    const result = integratedOwnership(
      [
        share('p1', 't', 1_500),
        share('p1', 'h', 6_000),
        share('h', 't', 2_000),
        share('p2', 'h', 4_000),
      ],
      't',
      isPerson,
    );
    expect(text(result)).toEqual({ p1: '27/100', p2: '2/25' });
  });

  it('sums the geometric series over a two-company cycle (closed form a/(1-xy))', () => {
    // p1 holds 60% of t, b holds 40% of t, t holds 30% of b, p2 holds 70% of b.
    const result = integratedOwnership(
      [
        share('p1', 't', 6_000),
        share('b', 't', 4_000),
        share('t', 'b', 3_000),
        share('p2', 'b', 7_000),
      ],
      't',
      isPerson,
    );
    const xy = new Fraction(4, 10).mul(new Fraction(3, 10));
    expect(result.get('p1')?.equals(new Fraction(6, 10).div(new Fraction(1).sub(xy)))).toBe(true);
    expect(
      result
        .get('p2')
        ?.equals(new Fraction(7, 10).mul(new Fraction(4, 10)).div(new Fraction(1).sub(xy))),
    ).toBe(true);
    // A closed system: the persons' integrated shares add up to exactly 100%.
    expect(
      result
        .get('p1')
        ?.add(result.get('p2') ?? 0)
        .equals(1),
    ).toBe(true);
  });

  it('ignores structures that are not upstream of the target', () => {
    const result = integratedOwnership(
      [share('p1', 't', 10_000), share('p2', 'other', 10_000), share('t', 'other', 5_000)],
      't',
      isPerson,
    );
    expect(text(result)).toEqual({ p1: '1/1' });
  });

  it('refuses a cycle that owns 100% of itself (no finite answer)', () => {
    expect(() =>
      integratedOwnership([share('a', 't', 10_000), share('t', 'a', 10_000)], 't', isPerson),
    ).toThrow('100% of itself');
  });
});
