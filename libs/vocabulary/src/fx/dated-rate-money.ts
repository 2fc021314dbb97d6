import { InvalidInputError } from '../errors';
import { MissingRateError, type BaseMoney, type PricedAmount } from '../base-money';
import { currencyExponent } from '../money';
import type { FxRateTable } from './fx-rate-table';

/** The exact factor base-minor / source-minor valid over [from, until). */
interface Factor {
  readonly from: number;
  readonly until: number;
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/**
 * Money in one base currency from a dated reference-rate table. An amount converts at the rates
 * of the latest row on or before its own date (per currency), as a cross rate through the
 * table's anchor: `amount / rate[currency] * rate[base]`. Arithmetic is exact (BigInt); the
 * result is rounded half away from zero ("half-up" on magnitudes) to whole minor units of the
 * base currency, minding each currency's exponent (JPY 0 decimals, BTC 8).
 */
export class DatedRateMoney implements BaseMoney {
  /** Last factor per currency: consecutive amounts of one period reuse it. */
  private readonly factors = new Map<string, Factor>();

  constructor(
    private readonly table: FxRateTable,
    readonly currency: string,
  ) {
    if (!table.has(currency)) {
      throw new InvalidInputError(
        `The base currency ${currency} is not in the FX rate table ${table.source} (it has ${table.currencies.join(', ')})`,
        [{ field: 'currency', rule: `must be one of ${table.currencies.join(', ')}` }],
      );
    }
  }

  of(amount: PricedAmount): number {
    return this.convert(amount.amountMinor, amount.currency, amount.timestamp);
  }

  convert(minor: number, currency: string, at: number): number {
    if (!Number.isSafeInteger(minor)) {
      throw new RangeError(`${minor} is not a whole number of minor units of ${currency}`);
    }
    if (currency === this.currency) return minor;
    const factor = this.factor(currency, at);
    const result = Number(divideRounded(BigInt(minor) * factor.numerator, factor.denominator));
    if (!Number.isSafeInteger(result)) {
      throw new RangeError(
        `${minor} ${currency} minor units are too large to convert to ${this.currency}`,
      );
    }
    return result;
  }

  private factor(currency: string, at: number): Factor {
    const cached = this.factors.get(currency);
    if (cached !== undefined && cached.from <= at && at < cached.until) return cached;
    const source = this.table.rateOn(currency, at);
    const base = this.table.rateOn(this.currency, at);
    if (source === undefined || base === undefined) {
      throw new MissingRateError(currency, at, this.currency);
    }
    // minor_base = minor * 10^(eBase - eSource) * (base.units / base.scale) / (source.units / source.scale)
    const shift = currencyExponent(this.currency) - currencyExponent(currency);
    let numerator = base.rate.units * source.rate.scale;
    let denominator = base.rate.scale * source.rate.units;
    if (shift >= 0) numerator *= 10n ** BigInt(shift);
    else denominator *= 10n ** BigInt(-shift);
    const common = gcd(numerator, denominator);
    const factor: Factor = {
      from: Math.max(source.from, base.from),
      until: Math.min(source.until, base.until),
      numerator: numerator / common,
      denominator: denominator / common,
    };
    this.factors.set(currency, factor);
    return factor;
  }
}

/** n / d rounded to the nearest integer, halves away from zero; d > 0. */
function divideRounded(n: bigint, d: bigint): bigint {
  const negative = n < 0n;
  const magnitude = negative ? -n : n;
  const q = (2n * magnitude + d) / (2n * d);
  return negative ? -q : q;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
