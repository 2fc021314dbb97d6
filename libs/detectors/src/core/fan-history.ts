import type { Movement } from '@app/vocabulary';
import { compareMovements } from './activity';
import { KeyedWindows } from './time-window';

/** One movement of a key account, as the fan rules remember it. */
export interface FlowEntry {
  timestamp: number;
  /** The other side of the movement. */
  counterparty: string;
  /** Whether the movement counts as a transfer (see TransferFilter); others only make a counterparty known. */
  counted: boolean;
  /** Amount in base-currency minor units (0 when not counted). */
  baseMinor: number;
  movement: Movement;
}

/**
 * Transfers of one key inside a burst window to or from counterparties that the key had not dealt
 * with (in that direction) during the history before the burst, with the key's usual volume.
 */
export interface Burst {
  /** Counted movements of the burst to/from new counterparties, in time order. */
  movements: Movement[];
  /** The new counterparties, sorted. */
  counterparties: string[];
  /** Base-currency amounts of `movements`, in the same order. */
  baseAmounts: number[];
  /** Sum of `baseAmounts`. */
  totalBase: number;
  /** Counterparties of the burst that the key already knew (left out of the counts). */
  knownCounterparties: number;
  /**
   * New counterparties of the burst left out because they deal with many accounts (see
   * {@link CounterpartyReach}): an employer or marketplace paying the public, a shop paid by it.
   */
  publicCounterparties: number;
  /**
   * Base-currency volume of the key's counted transfers during the history before the burst,
   * scaled to the length of one burst window: what the key usually moves in such a window.
   */
  usualPerWindow: number;
  /** New counterparties that appear in exactly one movement of the burst. */
  usedOnce: number;
}

/**
 * Per key (an account), its movements in one direction over `historyMs + burstMs`, in a sliding
 * window with eviction: enough to tell which counterparties of a recent burst are new to the key
 * and how large the burst is against the key's usual volume. Memory follows the movements inside
 * the window, not the history.
 */
export class CounterpartyHistory {
  private readonly windows: KeyedWindows<FlowEntry>;

  constructor(
    private readonly historyMs: number,
    private readonly burstMs: number,
  ) {
    this.windows = new KeyedWindows<FlowEntry>(historyMs + burstMs);
  }

  record(key: string, entry: FlowEntry): void {
    this.windows.push(key, entry);
  }

  /**
   * The burst of `key` ending at `now` (the last `burstMs`), or undefined when nothing is held.
   * New counterparties for which `leaveOut` is true are not part of it (counted apart).
   */
  burst(
    key: string,
    now: number,
    leaveOut: (counterparty: string) => boolean = () => false,
  ): Burst | undefined {
    const window = this.windows.get(key, now);
    if (!window) return undefined;
    const burstStart = now - this.burstMs;
    const known = new Set<string>();
    let before = 0;
    const recent: FlowEntry[] = [];
    window.forEach((entry) => {
      if (entry.timestamp < burstStart) {
        known.add(entry.counterparty);
        if (entry.counted) before += entry.baseMinor;
      } else if (entry.counted && entry.timestamp <= now) {
        recent.push(entry);
      }
    });
    const leftOut = new Map<string, boolean>();
    const isLeftOut = (counterparty: string): boolean => {
      let out = leftOut.get(counterparty);
      if (out === undefined) {
        out = leaveOut(counterparty);
        leftOut.set(counterparty, out);
      }
      return out;
    };
    const fresh = recent.filter((e) => !known.has(e.counterparty) && !isLeftOut(e.counterparty));
    const uses = new Map<string, number>();
    for (const e of fresh) uses.set(e.counterparty, (uses.get(e.counterparty) ?? 0) + 1);
    const knownInBurst = new Set(
      recent.filter((e) => known.has(e.counterparty)).map((e) => e.counterparty),
    );
    fresh.sort((a, b) => compareMovements(a.movement, b.movement));
    return {
      movements: fresh.map((e) => e.movement),
      counterparties: [...uses.keys()].sort(),
      baseAmounts: fresh.map((e) => e.baseMinor),
      totalBase: fresh.reduce((sum, e) => sum + e.baseMinor, 0),
      knownCounterparties: knownInBurst.size,
      publicCounterparties: [...leftOut.values()].filter((out) => out).length,
      usualPerWindow: Math.round((before * this.burstMs) / this.historyMs),
      usedOnce: [...uses.values()].filter((n) => n === 1).length,
    };
  }

  size(): number {
    return this.windows.size();
  }
}

/** One movement seen from the side a fan rule does not key on: who dealt with whom, and when. */
interface ReachEntry {
  timestamp: number;
  party: string;
}

/**
 * How many distinct accounts an account dealt with in one direction over a sliding window: for
 * fan-in, the accounts each payer paid; for fan-out, the accounts each payee was paid by. A payer
 * that pays dozens of different accounts a month is a business paying the public (an employer, a
 * marketplace paying out sellers, an insurer, a benefits office), not one of a few people feeding
 * a collection account; a payee paid by dozens is a shop or a biller. Memory follows the movements
 * inside the window.
 */
export class CounterpartyReach {
  private readonly windows: KeyedWindows<ReachEntry>;

  constructor(windowMs: number) {
    this.windows = new KeyedWindows<ReachEntry>(windowMs);
  }

  record(account: string, party: string, timestamp: number): void {
    this.windows.push(account, { timestamp, party });
  }

  /**
   * Whether `account` dealt with at least `atLeast` distinct parties in the window ending at
   * `now` (stops counting once there).
   */
  reaches(account: string, now: number, atLeast: number): boolean {
    if (atLeast <= 0) return true;
    const window = this.windows.get(account, now);
    if (!window || window.length < atLeast) return false;
    const parties = new Set<string>();
    window.forEachAfter(Number.NEGATIVE_INFINITY, (entry) => {
      if (entry.timestamp > now) return false;
      parties.add(entry.party);
      return parties.size < atLeast;
    });
    return parties.size >= atLeast;
  }

  size(): number {
    return this.windows.size();
  }
}

/**
 * Spread of amounts: the largest over the smallest (1 = all equal). Laundering fans of AMLworld
 * spread widely, AMLSim's repeat one amount; neither is a gate, both are shown to the analyst.
 */
export function amountSpread(amounts: readonly number[]): number {
  if (amounts.length === 0) return 1;
  const low = Math.min(...amounts);
  const high = Math.max(...amounts);
  return low > 0 ? Math.round((high / low) * 100) / 100 : Number.POSITIVE_INFINITY;
}

/**
 * Share of a burst's total that goes to (or comes from) counterparties other than the largest
 * one: 0 when one payment carries everything. A fan spreads money; one large payment next to
 * small everyday ones does not.
 */
export function spreadShare(amounts: readonly number[]): number {
  let total = 0;
  let largest = 0;
  for (const a of amounts) {
    total += a;
    largest = Math.max(largest, a);
  }
  return total > 0 ? (total - largest) / total : 0;
}
