import type { Movement } from '@app/vocabulary';
import { GroupedWindows } from './grouped-windows';

/**
 * Recent movements indexed both ways (by sender and by receiver) inside a sliding window, for
 * rules that look at small dense structures (bipartite layers, stacks). Each account's
 * counterparties are kept up to date as movements enter and leave the window (GroupedWindows).
 */
export class FlowIndex {
  private readonly bySender: GroupedWindows<Movement>;
  private readonly byReceiver: GroupedWindows<Movement>;

  constructor(windowMs: number) {
    this.bySender = new GroupedWindows<Movement>(windowMs, (m) => m.toAccount);
    this.byReceiver = new GroupedWindows<Movement>(windowMs, (m) => m.fromAccount);
  }

  add(m: Movement): void {
    this.bySender.push(m.fromAccount, m);
    this.byReceiver.push(m.toAccount, m);
  }

  /**
   * Receivers of `account` in the window, each with its movements (oldest first). A live view:
   * read it before the next `add`.
   */
  receivers(account: string, now: number): ReadonlyMap<string, readonly Movement[]> {
    return this.bySender.groupsOf(account, now);
  }

  /** Senders to `account` in the window, each with its movements (oldest first); a live view. */
  senders(account: string, now: number): ReadonlyMap<string, readonly Movement[]> {
    return this.byReceiver.groupsOf(account, now);
  }

  size(): number {
    return this.bySender.size() + this.byReceiver.size();
  }
}
