import { InvalidArgumentError } from 'commander';

/**
 * Parsers of the seeder's date and time options. `Date.parse` rolls impossible dates over
 * (2022-02-30 becomes 2022-03-02), so each value is also checked field by field: a month of
 * 1-12, a day that exists in that month, hours 0-23, minutes and seconds 0-59.
 */

/** `YYYY-MM-DD`, optionally `THH:MM`, `:SS`, fractions of a second and a zone (`Z`, `+HH:MM`). */
const DATE_TIME_FIELDS =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|[+-](\d{2}):(\d{2}))?$/;

/** Whether `text` (YYYY-MM-DD with an optional time and zone) names a date and time that exist. */
export function isRealDateTime(text: string): boolean {
  const fields = DATE_TIME_FIELDS.exec(text);
  if (fields === null) return false;
  const [year, month, day, hour, minute, second, zoneHours, zoneMinutes] = fields
    .slice(1)
    .map((field) => (field === undefined ? 0 : Number(field)));
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    zoneHours <= 23 &&
    zoneMinutes <= 59
  );
}

function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0); // day 0 of the next month: the last day of `month`
  return date.getUTCDate();
}

/** A calendar date option (`--as-of`), written YYYY-MM-DD; returns the text. */
export function calendarDateOption(text: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    throw new InvalidArgumentError('must be a date written YYYY-MM-DD');
  }
  if (!isRealDateTime(text)) throw notReal(text, '2025-01-01');
  return text;
}

/** An instant option (`--reference-time`): ISO 8601 with a time and a zone; returns the text. */
export function isoInstantOption(text: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    throw new InvalidArgumentError('must be an ISO 8601 timestamp such as 2025-01-01T00:00:00Z');
  }
  if (!isRealDateTime(text)) throw notReal(text, '2025-01-01T00:00:00Z');
  return text;
}

/** A UTC instant option (`--step-epoch`): `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS]Z`; returns ms. */
export function utcInstantOption(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z)?$/.test(text)) {
    throw new InvalidArgumentError('must be a UTC date such as 2017-01-01 or 2017-01-01T00:00:00Z');
  }
  if (!isRealDateTime(text)) throw notReal(text, '2017-01-01T00:00:00Z');
  return Date.parse(text);
}

/** The refusal of a well-written date (and time) that does not exist, such as 2022-02-30. */
function notReal(text: string, example: string): InvalidArgumentError {
  return new InvalidArgumentError(
    text.includes('T')
      ? `not a real calendar date and time: give a day that exists in that month and a time from 00:00 to 23:59:59, such as ${example}`
      : 'not a real calendar date: give a day that exists in that month, written YYYY-MM-DD',
  );
}
