import { currencyExponent, isCurrencyCode } from '@app/vocabulary';

/**
 * Exact conversions of the exchange format's human-friendly values (decimal text, percentages,
 * ISO 8601 times) into the graph's integers. No floating point touches money or shares: digits
 * are moved as text and read with BigInt. Each function returns the value, or the rule that the
 * text breaks (a string) so that the caller can name the file, line and field.
 */

export type Converted<T> = { value: T } | { rule: string };

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** A currency code that ISO 4217 knows (the schema has checked that it is 3 capitals). */
export function currencyCode(text: string): Converted<string> {
  return isCurrencyCode(text)
    ? { value: text }
    : {
        rule: `must be an ISO 4217 currency code in use, such as EUR or USD ("${text}" is not one)`,
      };
}

/**
 * Minor units of a decimal amount in major units ("1234.50" USD -> 123450, "1500" JPY -> 1500,
 * "1.250" KWD -> 1250). More decimals than the currency has (its ISO 4217 exponent) is refused,
 * not rounded: a bank's own export should carry exact amounts.
 */
export function decimalToMinor(text: string, currency: string): Converted<number> {
  const match = DECIMAL.exec(text);
  if (!match) return { rule: 'must be a decimal amount such as "1234.50"' };
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const exponent = currencyExponent(currency);
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > exponent) {
    return {
      rule:
        exponent === 0
          ? `must be a whole number of ${currency} (${currency} has no minor unit)`
          : `must have at most ${exponent} decimals (${currency} has ${exponent})`,
    };
  }
  const minor = BigInt(whole + significant.padEnd(exponent, '0'));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { rule: `must be at most ${maxMajor(exponent)} ${currency}` };
  }
  return { value: Number(minor) };
}

function maxMajor(exponent: number): string {
  const digits = String(Number.MAX_SAFE_INTEGER);
  return exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Basis points of a percentage ("25" -> 2500, "12.5" -> 1250, "0.01" -> 1), 0..100% only. */
export function percentToBp(text: string): Converted<number> {
  const match = DECIMAL.exec(text);
  const fraction = match?.[2] ?? '';
  if (!match || fraction.length > 2) {
    return { rule: 'must be a percentage with at most 2 decimals, such as "25" or "12.5"' };
  }
  const bp = Number(BigInt((match[1] ?? '0') + fraction.padEnd(2, '0')));
  if (bp > 10000) return { rule: 'must be at most 100 (percent)' };
  return { value: bp };
}

/** The percentage text of basis points (2500 -> "25", 1250 -> "12.5"). */
export function bpToPercent(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const cents = String(bp % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return cents === '' ? String(whole) : `${whole}.${cents}`;
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch ms of a calendar instant in UTC, or undefined when a part is out of range. */
function utc(parts: readonly number[]): number | undefined {
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, ms = 0] = parts;
  const value = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(value);
  const same =
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month - 1 &&
    check.getUTCDate() === day &&
    check.getUTCHours() === hour &&
    check.getUTCMinutes() === minute &&
    check.getUTCSeconds() === second;
  return same && year >= 1970 ? value : undefined;
}

/**
 * Epoch ms of an ISO 8601 date-time with seconds and a time zone ("2024-03-31T14:05:00Z",
 * "2024-03-31T16:05:00.250+02:00"). The offset is applied exactly; a time without a zone is
 * refused (it would silently shift every movement by the reader's zone).
 */
export function isoDateTimeToMs(text: string): Converted<number> {
  const match = DATE_TIME.exec(text);
  const rule =
    'must be an ISO 8601 date and time with seconds and a time zone, such as 2024-03-31T14:05:00Z';
  if (!match) return { rule };
  const numbers = match.slice(1, 7).map(Number);
  const ms = Number((match[7] ?? '').padEnd(3, '0'));
  const local = utc([...numbers, ms]);
  if (local === undefined) return { rule: `${rule} (no such date or time, or before 1970)` };
  if (match[8] !== undefined) return { value: local };
  const hours = Number(match[10]);
  const minutes = Number(match[11]);
  if (hours > 23 || minutes > 59) return { rule: `${rule} (the offset is out of range)` };
  const offset = (hours * 60 + minutes) * 60_000 * (match[9] === '-' ? -1 : 1);
  return { value: local - offset };
}

/** Epoch ms of midnight UTC of a calendar date ("2024-03-31"). */
export function isoDateToMs(text: string): Converted<number> {
  const match = DATE.exec(text);
  const value = match ? utc(match.slice(1, 4).map(Number)) : undefined;
  return value === undefined
    ? { rule: 'must be a calendar date written YYYY-MM-DD, from 1970 on' }
    : { value };
}

/** A flag as CSV writes it ("true"/"false") or as JSON does (true/false). */
export function flagValue(value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return value === true || value === 'true';
}

/** Degrees of a latitude or longitude given as a JSON number or decimal text. */
export function degrees(value: unknown, limit: number): Converted<number> {
  const number = typeof value === 'number' ? value : Number(value);
  if (typeof value === 'string' && !/^-?\d{1,3}(\.\d{1,10})?$/.test(value)) {
    return { rule: `must be a number of degrees between -${limit} and ${limit}` };
  }
  if (!Number.isFinite(number) || number < -limit || number > limit) {
    return { rule: `must be a number of degrees between -${limit} and ${limit}` };
  }
  return { value: number };
}
