import type { Movement } from '@app/vocabulary';
import { compareMovements } from './activity';
import type { EvaluatorContext } from './detector';

/** Whether an evaluator may track and alert on this key (see EvaluatorContext.keyFilter). */
export function tracks(context: EvaluatorContext, key: string): boolean {
  return context.keyFilter === undefined || context.keyFilter.has(key);
}

/** Movements sorted by timestamp then id, without duplicates (a copy). */
export function inTimeOrder(movements: Iterable<Movement>): Movement[] {
  const byId = new Map<string, Movement>();
  for (const m of movements) byId.set(m.movementId, m);
  return [...byId.values()].sort(compareMovements);
}

/** Earliest timestamp of a non-empty list of movements. */
export function firstTimestamp(movements: readonly Movement[]): number {
  let first = Number.POSITIVE_INFINITY;
  for (const m of movements) first = Math.min(first, m.timestamp);
  return first;
}

/** The amount the receiver got, in the receiver's currency (differs for cross-currency movements). */
export function receivedMinor(m: Movement): number {
  return m.receivedAmountMinor ?? m.amountMinor;
}

/** The receiver's currency of a movement. */
export function receivedCurrency(m: Movement): string {
  return m.receivedCurrency ?? m.currency;
}
