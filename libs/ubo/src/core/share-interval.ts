import Fraction from 'fraction.js';

/**
 * Exact ownership arithmetic. A share is a fraction of the whole (1 = 100%), held as a bigint
 * rational (fraction.js 5), so that 50% x 50% is exactly 1/4 and a threshold test at exactly
 * 25% can never fail by rounding.
 */
export type Rational = Fraction;

export const BP_PER_WHOLE = 10_000;

export function rational(numerator: number | bigint, denominator: number | bigint = 1): Fraction {
  return new Fraction(numerator, denominator);
}

export const ZERO: Fraction = rational(0);
export const ONE: Fraction = rational(1);

/** Basis points to a fraction of the whole: 2500 -> 1/4. */
export function fromBp(bp: number): Fraction {
  return new Fraction(bp, BP_PER_WHOLE);
}

/** Always "numerator/denominator" (also for whole numbers: "1/1"), like the ground truth. */
export function formatRational(value: Fraction): string {
  return `${value.s * value.n}/${value.d}`;
}

/** Parses "3/4", "1" or "0.25" into an exact fraction; throws RangeError on anything else. */
export function parseRational(text: string): Fraction {
  const match = /^\s*(-?\d+)(?:\s*\/\s*(\d+))?\s*$/.exec(text);
  if (match) {
    const denominator = match[2] === undefined ? 1n : BigInt(match[2]);
    if (denominator === 0n) throw new RangeError(`"${text}" has a zero denominator`);
    return new Fraction(BigInt(match[1]), denominator);
  }
  if (/^\s*-?\d+\.\d+\s*$/.test(text)) return new Fraction(text.trim());
  throw new RangeError(`"${text}" is not a rational number such as "1/4"`);
}

/**
 * A fraction of the whole as a percent string with `places` decimals, rounded down ('floor')
 * or up ('ceil') so that a displayed range always contains the exact value.
 */
export function percentText(value: Fraction, mode: 'floor' | 'ceil', places = 4): string {
  const scale = 10n ** BigInt(places);
  const numerator = value.s * value.n * 100n * scale;
  let whole = numerator / value.d;
  const remainder = numerator % value.d;
  if (remainder !== 0n) {
    if (mode === 'ceil' && numerator > 0n) whole += 1n;
    if (mode === 'floor' && numerator < 0n) whole -= 1n;
  }
  const negative = whole < 0n;
  const digits = (negative ? -whole : whole).toString().padStart(places + 1, '0');
  const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return `${negative ? '-' : ''}${text}`;
}

export function minOf(a: Fraction, b: Fraction): Fraction {
  return a.compare(b) <= 0 ? a : b;
}

export function maxOf(a: Fraction, b: Fraction): Fraction {
  return a.compare(b) >= 0 ? a : b;
}

/**
 * A share known as a range `lo..hi` (fractions of the whole), each bound inclusive or
 * exclusive (BODS `exclusiveMinimum` / `exclusiveMaximum`). Exact shares have lo = hi.
 *
 * Products and sums keep track of whether each bound can actually be reached: the product's
 * lower bound is reached only if both factors can reach theirs (or one of them can be 0).
 */
export class ShareInterval {
  private constructor(
    readonly lo: Fraction,
    readonly hi: Fraction,
    readonly loExclusive: boolean,
    readonly hiExclusive: boolean,
  ) {}

  static of(lo: Fraction, hi: Fraction, loExclusive = false, hiExclusive = false): ShareInterval {
    if (lo.compare(hi) > 0) {
      throw new RangeError(
        `share range ${formatRational(lo)}..${formatRational(hi)} has min above max`,
      );
    }
    return new ShareInterval(lo, hi, loExclusive, hiExclusive);
  }

  static exact(value: Fraction): ShareInterval {
    return new ShareInterval(value, value, false, false);
  }

  static fromBp(
    minBp: number,
    maxBp: number,
    minExclusive = false,
    maxExclusive = false,
  ): ShareInterval {
    return ShareInterval.of(fromBp(minBp), fromBp(maxBp), minExclusive, maxExclusive);
  }

  static readonly zero = new ShareInterval(ZERO, ZERO, false, false);
  static readonly one = new ShareInterval(ONE, ONE, false, false);
  /** Nothing is known: anything from 0% to 100%. */
  static readonly unknown = new ShareInterval(ZERO, ONE, false, false);

  get isExact(): boolean {
    return this.lo.equals(this.hi) && !this.loExclusive && !this.hiExclusive;
  }

  /** True when the share can only be 0. */
  get isZero(): boolean {
    return this.hi.equals(ZERO);
  }

  add(other: ShareInterval): ShareInterval {
    return new ShareInterval(
      this.lo.add(other.lo),
      this.hi.add(other.hi),
      this.loExclusive || other.loExclusive,
      this.hiExclusive || other.hiExclusive,
    );
  }

  mul(other: ShareInterval): ShareInterval {
    const reached = (a: Fraction, aExclusive: boolean, b: Fraction, bExclusive: boolean): boolean =>
      (!aExclusive && !bExclusive) ||
      (!aExclusive && a.equals(ZERO)) ||
      (!bExclusive && b.equals(ZERO));
    return new ShareInterval(
      this.lo.mul(other.lo),
      this.hi.mul(other.hi),
      !reached(this.lo, this.loExclusive, other.lo, other.loExclusive),
      !reached(this.hi, this.hiExclusive, other.hi, other.hiExclusive),
    );
  }

  /** The same range with both bounds treated as reachable (used where tracking is not possible). */
  inclusive(): ShareInterval {
    return new ShareInterval(this.lo, this.hi, false, false);
  }

  equals(other: ShareInterval): boolean {
    return (
      this.lo.equals(other.lo) &&
      this.hi.equals(other.hi) &&
      this.loExclusive === other.loExclusive &&
      this.hiExclusive === other.hiExclusive
    );
  }

  toString(): string {
    if (this.isExact) return formatRational(this.lo);
    return `${this.loExclusive ? '(' : '['}${formatRational(this.lo)}, ${formatRational(this.hi)}${this.hiExclusive ? ')' : ']'}`;
  }
}

/** How a threshold is compared: EU/US "25% or more", UK "more than 25%". */
export type ThresholdComparator = 'at-least' | 'more-than';

/** Whether a share certainly, possibly or certainly not meets a threshold. */
export type Qualifies = 'yes' | 'no' | 'possibly';

export function meetsThreshold(
  share: ShareInterval,
  threshold: Fraction,
  comparator: ThresholdComparator,
): Qualifies {
  const lo = share.lo.compare(threshold);
  const hi = share.hi.compare(threshold);
  if (comparator === 'at-least') {
    if (lo >= 0) return 'yes';
    if (hi < 0 || (hi === 0 && share.hiExclusive)) return 'no';
    return 'possibly';
  }
  if (lo > 0 || (lo === 0 && share.loExclusive)) return 'yes';
  if (hi <= 0) return 'no';
  return 'possibly';
}

const RANK: Readonly<Record<Qualifies, number>> = { no: 0, possibly: 1, yes: 2 };

/** The weaker of two answers (a chain is only as certain as its weakest link). */
export function weakest(a: Qualifies, b: Qualifies): Qualifies {
  return RANK[a] <= RANK[b] ? a : b;
}

/** The stronger of two answers (a person qualifies if any route qualifies). */
export function strongest(a: Qualifies, b: Qualifies): Qualifies {
  return RANK[a] >= RANK[b] ? a : b;
}
