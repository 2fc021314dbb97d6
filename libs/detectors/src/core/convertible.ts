import { MissingRateError } from '@app/vocabulary';
import type { BaseMoney, Movement } from '@app/vocabulary';
import { receivedCurrency, receivedMinor } from './evaluator-helpers';

/** A movement's amount that cannot be converted: which field, and the missing rate. */
export interface ConversionProblem {
  field: 'currency' | 'receivedCurrency';
  error: MissingRateError;
}

/**
 * Why a movement's amounts cannot be compared in the base currency (no rate for its currency,
 * or for the currency received, on or before its date), or undefined when they can. The rules
 * compare amounts only through the dated rate table, so such a movement cannot be judged.
 */
export function conversionProblem(money: BaseMoney, m: Movement): ConversionProblem | undefined {
  const attempt = (field: ConversionProblem['field'], convert: () => void) => {
    try {
      convert();
      return undefined;
    } catch (error) {
      if (error instanceof MissingRateError) return { field, error };
      throw error;
    }
  };
  return (
    attempt('currency', () => money.of(m)) ??
    (m.receivedAmountMinor !== undefined || m.receivedCurrency !== undefined
      ? attempt('receivedCurrency', () =>
          money.convert(receivedMinor(m), receivedCurrency(m), m.timestamp),
        )
      : undefined)
  );
}

/**
 * Stored movements the rules passed over because their amounts cannot be converted into the
 * base currency: one such movement must not stop a scan or every real-time decision (an outside
 * review: one CLP movement imported without a CLP rate failed every scan over it and every
 * real-time score afterwards). Reported with the scan so the rate table can be completed.
 */
export class UnconvertedMovements {
  private count = 0;
  private readonly currencies = new Set<string>();

  constructor(private readonly money: BaseMoney | undefined) {}

  /** True when `m` can be judged (nothing noted). */
  convertible(m: Movement): boolean {
    return this.money === undefined || conversionProblem(this.money, m) === undefined;
  }

  /** True when `m` can be judged; otherwise notes it and returns false. */
  accepts(m: Movement): boolean {
    if (this.money === undefined) return true;
    const problem = conversionProblem(this.money, m);
    if (problem === undefined) return true;
    this.count += 1;
    this.currencies.add(problem.error.currency);
    return false;
  }

  summary(): { movements: number; currencies: string[] } {
    return { movements: this.count, currencies: [...this.currencies].sort() };
  }
}
