import { currencyExponent, toMinorUnits } from '@app/vocabulary';
import { ImportFormatError } from './import-format.error';
import { quoteInput } from './text-input';

/** Where a value comes from, for error messages. */
export interface RowContext {
  file: string;
  line: number;
}

/** Throws the format error for one column of one row. */
export function columnError(ctx: RowContext, column: string, rule: string, got: string): never {
  throw new ImportFormatError(
    ctx.file,
    ctx.line,
    `column "${column}" ${rule}, got "${quoteInput(got)}"`,
    column,
  );
}

/** A non-negative amount in minor units, and whether it had to be rounded to get there. */
export interface ParsedAmount {
  minor: number;
  /** True when the text had more (non-zero) decimals than the currency has minor units. */
  rounded: boolean;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal amount such as "1.395073" (Bitcoin) or "12618.72" into integer minor units
 * of `currency`, exactly (no floating point). When the text has more decimals than the
 * currency (AMLworld writes Yen with two decimals; JPY has none), the amount is rounded
 * half-up to the minor unit and `rounded` is true. Commas, signs and exponents are refused.
 */
export function parseAmount(
  text: string,
  currency: string,
  ctx: RowContext,
  column: string,
): ParsedAmount {
  const match = DECIMAL.exec(text);
  if (!match) columnError(ctx, column, 'must be a decimal amount such as 1234.56', text);
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const exponent = currencyExponent(currency);
  let decimal = text;
  let rounded = false;
  if (fraction.length > exponent && !/^0*$/.test(fraction.slice(exponent))) {
    // Half-up at the minor unit, in BigInt so that no digit is lost.
    const kept = BigInt(whole + fraction.slice(0, exponent));
    const roundUp = (fraction[exponent] ?? '0') >= '5';
    const digits = (roundUp ? kept + 1n : kept).toString().padStart(exponent + 1, '0');
    decimal = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
    rounded = true;
  }
  try {
    return { minor: toMinorUnits(decimal, currency), rounded };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return columnError(ctx, column, `must be an amount in ${currency} (${reason})`, text);
  }
}

/**
 * The canonical spelling of a decimal ("0012.50" -> "12.5", "7.00" -> "7"), so that the same
 * amount written two ways gives the same movement key.
 */
export function canonicalDecimal(text: string): string {
  const match = DECIMAL.exec(text);
  if (!match) return text;
  const whole = (match[1] ?? '0').replace(/^0+(?=\d)/, '');
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/** Epoch ms of a UTC calendar instant, or undefined when a part is out of range (e.g. 31 June). */
export function utcInstant(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number | undefined {
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  const valid =
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month - 1 &&
    check.getUTCDate() === day &&
    check.getUTCHours() === hour &&
    check.getUTCMinutes() === minute &&
    check.getUTCSeconds() === second;
  return valid && ms >= 0 ? ms : undefined;
}

// A date, or a date and time with its zone (Z or a zero offset) and up to 3 decimals of a second.
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]00:?00))?$/;

/** The rule a timestamp of AMLSim breaks, as its error message says it. */
export const UTC_TIMESTAMP_RULE =
  'must be a UTC timestamp such as 2011-01-01T00:00:00Z or 2011-01-01T00:00:00.500Z (a time needs its zone, Z or +00:00; up to 3 decimals of a second), or a date such as 2011-01-01 (midnight UTC)';

/**
 * Parses an ISO 8601 date or UTC date-time ("2011-01-01T00:00:00Z", "2011-01-01T00:00:00.5Z",
 * "2011-01-01") into epoch ms, milliseconds included. A time must carry its zone: AMLSim writes
 * "Z" (as in its public outputs), and a time without one would be read in some zone by guess.
 * Only UTC is accepted: an offset other than +00:00 would silently move every movement. A date
 * alone is midnight UTC.
 */
export function parseIsoInstant(text: string, ctx: RowContext, column: string): number {
  const match = ISO_INSTANT.exec(text);
  const seconds = match
    ? utcInstant(
        Number(match[1]),
        Number(match[2]),
        Number(match[3]),
        Number(match[4] ?? 0),
        Number(match[5] ?? 0),
        Number(match[6] ?? 0),
      )
    : undefined;
  if (seconds === undefined) columnError(ctx, column, UTC_TIMESTAMP_RULE, text);
  return seconds + Number((match?.[7] ?? '').padEnd(3, '0'));
}

/** Reads "True"/"False"/"1"/"0"/"yes"/"no" in any case. */
export function parseFlag(text: string, ctx: RowContext, column: string): boolean {
  const value = text.trim().toLowerCase();
  if (value === 'true' || value === '1' || value === 'yes') return true;
  if (value === 'false' || value === '0' || value === 'no') return false;
  return columnError(ctx, column, 'must be True or False (or 1 / 0)', text);
}

/** A whole number (possibly negative, such as AMLSim's alert_id -1). */
export function parseInteger(text: string, ctx: RowContext, column: string): number {
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    columnError(ctx, column, 'must be a whole number', text);
  }
  return Number(text);
}

const ID_PART = /^[A-Za-z0-9][A-Za-z0-9._@+#-]*$/;

/**
 * An account number, bank id or other key that becomes part of a business id. It is kept as
 * written (leading zeros are significant: bank "0110994" is not bank "110994").
 */
export function parseIdPart(text: string, ctx: RowContext, column: string): string {
  if (!ID_PART.test(text) || text.length > 80) {
    columnError(
      ctx,
      column,
      'must be 1-80 letters, digits or . _ @ + # - (starting with a letter or digit)',
      text,
    );
  }
  return text;
}
