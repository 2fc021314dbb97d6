import { formatBase } from '@app/vocabulary';
import type { BaseMoney, Movement } from '@app/vocabulary';
import { money, totalText } from './format';

/**
 * Alert text for amounts compared in the base currency: the original amount and currency, and
 * the converted amount when the currency differs ("9500.00 EUR = 10326.09 USD").
 */
export function amountWithBase(base: BaseMoney, m: Movement, baseMinor = base.of(m)): string {
  const original = money(m.amountMinor, m.currency);
  return m.currency === base.currency ? original : `${original} = ${formatBase(base, baseMinor)}`;
}

/** Sum of the movements' base-currency amounts, in base minor units. */
export function baseTotal(base: BaseMoney, movements: readonly Movement[]): number {
  let total = 0;
  for (const m of movements) total += base.of(m);
  return total;
}

/**
 * The total per original currency, plus the base-currency total when any currency differs
 * ("9500.00 EUR + 9000.00 USD = 19326.09 USD").
 */
export function totalWithBase(
  base: BaseMoney,
  movements: readonly Movement[],
  totalBaseMinor = baseTotal(base, movements),
): string {
  const original = totalText(movements);
  return movements.every((m) => m.currency === base.currency)
    ? original
    : `${original} = ${formatBase(base, totalBaseMinor)}`;
}
