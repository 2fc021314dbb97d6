import { InvalidInputError } from '@app/vocabulary';

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      throw new InvalidInputError(`"${timeZone}" is not a time zone`, [
        { field: 'timezone', rule: 'must be an IANA time zone such as UTC or America/New_York' },
      ]);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Checks a time zone name; throws InvalidInputError when the runtime does not know it. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

function localParts(ms: number, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (
      part.type === 'year' ||
      part.type === 'month' ||
      part.type === 'day' ||
      part.type === 'hour'
    ) {
      parts[part.type] = Number(part.value);
    }
  }
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour };
}

/**
 * The business day an instant counts toward, as `YYYY-MM-DD` in `timeZone`
 * (31 CFR 1010.313: transactions on nights and weekends count toward the next business day).
 *
 * A business day is Monday to Friday. An instant at or after `cutoffHour` local time, or on a
 * Saturday or Sunday, belongs to the next business day; an instant before the cut-off on a
 * weekday belongs to that day (an early-morning deposit counts toward the day that follows it).
 * Public holidays are not modelled.
 */
export function businessDayOf(ms: number, timeZone: string, cutoffHour: number): string {
  const local = localParts(ms, timeZone);
  // Calendar arithmetic on the local date, done in UTC so that no zone shifts it.
  let date = new Date(Date.UTC(local.year, local.month - 1, local.day));
  const isWeekend = (d: Date): boolean => d.getUTCDay() === 0 || d.getUTCDay() === 6;
  if (local.hour >= cutoffHour || isWeekend(date)) {
    do {
      date = new Date(date.getTime() + 86_400_000);
    } while (isWeekend(date));
  }
  return date.toISOString().slice(0, 10);
}
