import { formatMinorUnits } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** Exact amount text, e.g. "9999.50 USD". */
export function money(amountMinor: number, currency: string): string {
  return formatMinorUnits(amountMinor, currency);
}

/** An instant as ISO 8601 UTC, e.g. "2025-03-04T10:15:00.000Z". */
export function instant(ms: number): string {
  return new Date(ms).toISOString();
}

/** A UTC calendar date, e.g. "2025-03-04". */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Sum of movement amounts per currency, formatted exactly and joined with " + "
 * ("29997.00 USD" or "100.00 EUR + 200.00 USD" when currencies are mixed).
 */
export function totalText(movements: readonly Movement[]): string {
  const byCurrency = new Map<string, number>();
  for (const m of movements)
    byCurrency.set(m.currency, (byCurrency.get(m.currency) ?? 0) + m.amountMinor);
  return [...byCurrency.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, amount]) => money(amount, currency))
    .join(' + ');
}

/** The total in minor units (meaningful when all movements share one currency). */
export function totalMinor(movements: readonly Movement[]): number {
  let total = 0;
  for (const m of movements) total += m.amountMinor;
  return total;
}

/** "30 days", "2 days 3 hours", "45 minutes": the two largest non-zero units. */
export function durationText(ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY);
  const hours = Math.floor((ms % MS_PER_DAY) / MS_PER_HOUR);
  const minutes = Math.round((ms % MS_PER_HOUR) / MS_PER_MINUTE);
  const parts: string[] = [];
  if (days > 0) parts.push(plural(days, 'day'));
  if (hours > 0) parts.push(plural(hours, 'hour'));
  if (minutes > 0 && days === 0) parts.push(plural(minutes, 'minute'));
  return parts.length === 0 ? 'under a minute' : parts.slice(0, 2).join(' ');
}

export function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** Deduplicated, in first-seen order. */
export function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}
