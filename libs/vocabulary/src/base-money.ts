import { InvalidInputError } from './errors';
import { formatMinorUnits } from './money';

/** What a conversion needs of a movement: its paid amount, currency and date. */
export interface PricedAmount {
  amountMinor: number;
  currency: string;
  timestamp: number;
}

/**
 * Money in one base currency. Rules compare amounts (similarity, retained share, per-hop decay,
 * thresholds) only through this port, so that a movement in yen and one in euro are compared at
 * the rate of their day. Implementations read a dated reference-rate table.
 */
export interface BaseMoney {
  /** ISO 4217 code of the base currency, such as "USD". */
  readonly currency: string;
  /** The paid amount of `amount` in minor units of the base currency, at its own date. */
  of(amount: PricedAmount): number;
  /** `minor` units of `currency` on `at` (epoch ms) in minor units of the base currency. */
  convert(minor: number, currency: string, at: number): number;
}

/** Base-currency minor units as text ("1234.50 USD"). */
export function formatBase(money: BaseMoney, baseMinor: number): string {
  return formatMinorUnits(baseMinor, money.currency);
}

/** Thrown when an amount cannot be converted (no rate for that currency on or before that date). */
export class MissingRateError extends InvalidInputError {
  constructor(
    readonly currency: string,
    readonly at: number,
    readonly base: string,
  ) {
    const day = Number.isFinite(at) ? new Date(at).toISOString().slice(0, 10) : String(at);
    super(
      `No exchange rate from ${currency} to ${base} on or before ${day}; add the currency to the FX rate table (FX_RATES_FILE)`,
      [{ field: 'currency', rule: `must have a rate to ${base} on or before ${day}` }],
    );
  }
}

/**
 * Converts only amounts already in the base currency; any other currency throws
 * {@link MissingRateError}. For tests and single-currency data.
 */
export class SingleCurrencyMoney implements BaseMoney {
  constructor(readonly currency: string) {}

  of(amount: PricedAmount): number {
    return this.convert(amount.amountMinor, amount.currency, amount.timestamp);
  }

  convert(minor: number, currency: string, at: number): number {
    if (currency !== this.currency) throw new MissingRateError(currency, at, this.currency);
    return minor;
  }
}
