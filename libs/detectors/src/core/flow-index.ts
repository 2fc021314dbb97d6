import type { Movement } from '@app/vocabulary';
import { KeyedWindows } from './time-window';

/** Per account, its counterparties in one direction, each with its movements (oldest first). */
class Counterparties {
  private readonly byAccount = new Map<string, Map<string, Movement[]>>();

  add(account: string, counterparty: string, m: Movement): void {
    let groups = this.byAccount.get(account);
    if (!groups) {
      groups = new Map();
      this.byAccount.set(account, groups);
    }
    const list = groups.get(counterparty);
    if (list) list.push(m);
    else groups.set(counterparty, [m]);
  }

  /** Removes `m`, the oldest movement of the account's window (so the first of its list). */
  evict(account: string, counterparty: string, m: Movement): void {
    const groups = this.byAccount.get(account);
    const list = groups?.get(counterparty);
    if (!groups || !list) return;
    const at = list.indexOf(m);
    if (at >= 0) list.splice(at, 1);
    if (list.length > 0) return;
    groups.delete(counterparty);
    if (groups.size === 0) this.byAccount.delete(account);
  }

  of(account: string): ReadonlyMap<string, readonly Movement[]> {
    return this.byAccount.get(account) ?? EMPTY;
  }
}

const EMPTY: ReadonlyMap<string, readonly Movement[]> = new Map();

/**
 * Recent movements indexed both ways (by sender and by receiver) inside a sliding window, for
 * rules that look at small dense structures (bipartite layers, stacks). The counterparties of
 * each account are kept up to date as movements enter and leave the window, so asking for them
 * costs nothing however busy the account is (regrouping the window on every question made a
 * busy account's every movement cost as much as its whole window).
 */
export class FlowIndex {
  private readonly bySender: KeyedWindows<Movement>;
  private readonly byReceiver: KeyedWindows<Movement>;
  private readonly receiversOf = new Counterparties();
  private readonly sendersOf = new Counterparties();

  constructor(windowMs: number) {
    this.bySender = new KeyedWindows<Movement>(windowMs, (sender, m) =>
      this.receiversOf.evict(sender, m.toAccount, m),
    );
    this.byReceiver = new KeyedWindows<Movement>(windowMs, (receiver, m) =>
      this.sendersOf.evict(receiver, m.fromAccount, m),
    );
  }

  add(m: Movement): void {
    this.bySender.push(m.fromAccount, m);
    this.receiversOf.add(m.fromAccount, m.toAccount, m);
    this.byReceiver.push(m.toAccount, m);
    this.sendersOf.add(m.toAccount, m.fromAccount, m);
  }

  /**
   * Receivers of `account` in the window, each with its movements (oldest first). A live view:
   * read it before the next `add`.
   */
  receivers(account: string, now: number): ReadonlyMap<string, readonly Movement[]> {
    this.bySender.get(account, now);
    return this.receiversOf.of(account);
  }

  /** Senders to `account` in the window, each with its movements (oldest first); a live view. */
  senders(account: string, now: number): ReadonlyMap<string, readonly Movement[]> {
    this.byReceiver.get(account, now);
    return this.sendersOf.of(account);
  }

  size(): number {
    return this.bySender.size() + this.byReceiver.size();
  }
}
