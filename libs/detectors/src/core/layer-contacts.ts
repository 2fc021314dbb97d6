import type { Movement } from '@app/vocabulary';
import { KeyedWindows } from './time-window';

interface Contact {
  timestamp: number;
  counterparty: string;
  movementId: string;
}

/**
 * Who dealt with whom recently: for every account, the counterparties it paid and was paid by
 * inside a sliding window (bounded by the movements in the window). Rules that follow money
 * through layers ask whether a payment opens a new relationship and whether an account is a
 * hub (a biller or a business with many counterparties) rather than a small private account.
 */
export class LayerContacts {
  private readonly paid: KeyedWindows<Contact>;
  private readonly paidBy: KeyedWindows<Contact>;

  constructor(readonly windowMs: number) {
    this.paid = new KeyedWindows<Contact>(windowMs);
    this.paidBy = new KeyedWindows<Contact>(windowMs);
  }

  add(m: Movement): void {
    const { timestamp, movementId } = m;
    this.paid.push(m.fromAccount, { timestamp, counterparty: m.toAccount, movementId });
    this.paidBy.push(m.toAccount, { timestamp, counterparty: m.fromAccount, movementId });
  }

  /**
   * Whether `from` paid `to` inside the window before `now` (movements already added), not
   * counting the payments `ignored` says to leave out.
   */
  hasPaid(
    from: string,
    to: string,
    now: number,
    ignored: (movementId: string) => boolean = () => false,
  ): boolean {
    let found = false;
    this.paid.get(from, now)?.forEach((c) => {
      if (c.counterparty === to && !ignored(c.movementId)) found = true;
    });
    return found;
  }

  /** Distinct accounts that paid `account` in the window, counted up to `cap + 1`. */
  payersOf(account: string, now: number, cap: number): number {
    return distinct(this.paidBy, account, now, cap);
  }

  /** Distinct accounts that `account` paid in the window, counted up to `cap + 1`. */
  payeesOf(account: string, now: number, cap: number): number {
    return distinct(this.paid, account, now, cap);
  }

  size(): number {
    return this.paid.size() + this.paidBy.size();
  }
}

function distinct(
  windows: KeyedWindows<Contact>,
  account: string,
  now: number,
  cap: number,
): number {
  const seen = new Set<string>();
  const window = windows.get(account, now);
  if (!window) return 0;
  window.forEachAfter(Number.NEGATIVE_INFINITY, (c) => {
    seen.add(c.counterparty);
    return seen.size <= cap;
  });
  return seen.size;
}

/**
 * Whether `part` lies within [minShare, maxShare] of `whole` (both in minor units of one
 * currency), compared exactly with shares as basis points; `maxShare` may be Infinity.
 */
export function shareWithin(
  part: number,
  whole: number,
  minShare: number,
  maxShare: number,
): boolean {
  if (whole <= 0) return false;
  const p = BigInt(Math.round(part)) * 10_000n;
  const w = BigInt(Math.round(whole));
  if (p < w * BigInt(Math.round(minShare * 10_000))) return false;
  return !Number.isFinite(maxShare) || p <= w * BigInt(Math.round(maxShare * 10_000));
}
