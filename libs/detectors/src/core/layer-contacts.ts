import type { Movement } from '@app/vocabulary';
import { GroupedWindows } from './grouped-windows';

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
 * Both questions cost one look-up (GroupedWindows), not a walk over a busy account's window.
 */
export class LayerContacts {
  private readonly paid: GroupedWindows<Contact>;
  private readonly paidBy: GroupedWindows<Contact>;

  constructor(readonly windowMs: number) {
    this.paid = new GroupedWindows<Contact>(windowMs, (c) => c.counterparty);
    this.paidBy = new GroupedWindows<Contact>(windowMs, (c) => c.counterparty);
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
    const payments = this.paid.groupsOf(from, now).get(to) ?? [];
    for (let i = payments.length - 1; i >= 0; i -= 1)
      if (!ignored(payments[i].movementId)) return true;
    return false;
  }

  /** Distinct accounts that paid `account` in the window, counted up to `cap + 1`. */
  payersOf(account: string, now: number, cap: number): number {
    return Math.min(this.paidBy.groupsOf(account, now).size, cap + 1);
  }

  /** Distinct accounts that `account` paid in the window, counted up to `cap + 1`. */
  payeesOf(account: string, now: number, cap: number): number {
    return Math.min(this.paid.groupsOf(account, now).size, cap + 1);
  }

  size(): number {
    return this.paid.size() + this.paidBy.size();
  }
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
