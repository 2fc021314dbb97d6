import type { Movement } from '@app/vocabulary';
import { KeyedWindows } from './time-window';

/**
 * Recent movements indexed both ways (by sender and by receiver) inside a sliding window, for
 * rules that look at small dense structures (bipartite layers, stacks).
 */
export class FlowIndex {
  private readonly bySender: KeyedWindows<Movement>;
  private readonly byReceiver: KeyedWindows<Movement>;

  constructor(windowMs: number) {
    this.bySender = new KeyedWindows<Movement>(windowMs);
    this.byReceiver = new KeyedWindows<Movement>(windowMs);
  }

  add(m: Movement): void {
    this.bySender.push(m.fromAccount, m);
    this.byReceiver.push(m.toAccount, m);
  }

  /** Receivers of `account` in the window, each with its movements (oldest first). */
  receivers(account: string, now: number): Map<string, Movement[]> {
    const result = new Map<string, Movement[]>();
    this.bySender.get(account, now)?.forEach((m) => {
      const list = result.get(m.toAccount);
      if (list) list.push(m);
      else result.set(m.toAccount, [m]);
    });
    return result;
  }

  /** Senders to `account` in the window, each with its movements (oldest first). */
  senders(account: string, now: number): Map<string, Movement[]> {
    const result = new Map<string, Movement[]>();
    this.byReceiver.get(account, now)?.forEach((m) => {
      const list = result.get(m.fromAccount);
      if (list) list.push(m);
      else result.set(m.fromAccount, [m]);
    });
    return result;
  }

  size(): number {
    return this.bySender.size() + this.byReceiver.size();
  }
}
