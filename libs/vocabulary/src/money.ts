/** Exact money helpers: amounts are integers in minor units; no floating point on the way in. */

/** Minor units per major unit; ISO 4217 exponents for currencies the product sees most. */
const EXPONENTS: Readonly<Record<string, number>> = { JPY: 0, KRW: 0, BHD: 3, KWD: 3, BTC: 8 };

/**
 * The ISO 4217 codes in use, from the ICU data of Node (`Intl.supportedValuesOf`), and BTC,
 * which the product reads too (8 decimals) though ISO 4217 has no code for it.
 */
const CURRENCY_CODES: ReadonlySet<string> = new Set([...Intl.supportedValuesOf('currency'), 'BTC']);

/** True for a currency code in use (ISO 4217, or BTC); `ZZZ` or `usd` are not. */
export function isCurrencyCode(code: string): boolean {
  return CURRENCY_CODES.has(code);
}

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

/** Parses a decimal string such as "9999.50" into minor units exactly. Throws on bad input. */
export function toMinorUnits(decimal: string, currency: string): number {
  const exponent = currencyExponent(currency);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) throw new RangeError(`"${decimal}" is not a decimal amount`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > exponent && !/^0*$/.test(fraction.slice(exponent))) {
    throw new RangeError(`"${decimal}" has more than ${exponent} decimals for ${currency}`);
  }
  const minor = BigInt(whole + fraction.slice(0, exponent).padEnd(exponent, '0'));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    const digits = String(Number.MAX_SAFE_INTEGER);
    const largest =
      exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
    throw new RangeError(`"${decimal}" is too large: at most ${largest} ${currency}`);
  }
  return (sign === '-' ? -1 : 1) * Number(minor);
}

/** Formats minor units as a decimal string ("999950" USD -> "9999.50"). */
export function formatMinorUnits(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = minor < 0;
  const digits = Math.abs(minor)
    .toString()
    .padStart(exponent + 1, '0');
  const text = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return `${negative ? '-' : ''}${text} ${currency}`;
}
