import type { Movement } from '@app/vocabulary';
import { compareMovements } from './activity';
import { Sweeper } from './sweeper';
import { KeyedWindows, TimeWindow } from './time-window';

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

/** One key's movements, split at the burst window's start as of the last time asked. */
interface KeyFlows {
  /** Entries at or after the burst window's start, oldest first. */
  recent: TimeWindow<FlowEntry>;
  /** Entries of the history before it (and not older than history plus burst), oldest first. */
  past: TimeWindow<FlowEntry>;
  /** Entries of `past` per counterparty: the counterparties the key already knew. */
  known: Map<string, number>;
  /** Counted entries of `recent` per counterparty. */
  recentCounted: Map<string, number>;
  /** Base-currency total of the counted entries of `past`. */
  pastBase: number;
}

const SWEEP_EVERY = 2048;

/** Adds `delta` to a count, dropping it at 0. */
function add(counts: Map<string, number>, key: string, delta: number): void {
  const count = (counts.get(key) ?? 0) + delta;
  if (count > 0) counts.set(key, count);
  else counts.delete(key);
}

/**
 * Per key (an account), its movements in one direction over `historyMs + burstMs`, in a sliding
 * window with eviction: enough to tell which counterparties of a recent burst are new to the key
 * and how large the burst is against the key's usual volume. Memory follows the movements inside
 * the window, not the history.
 *
 * The counterparties known from the history and its volume are kept up to date as movements
 * cross the burst window's start and leave the history (feed in time order), so a question costs
 * the burst window only, and whether one counterparty is new costs one look-up (`isNew`): a busy
 * account's history is not walked again for each of its movements.
 */
export class CounterpartyHistory {
  private readonly keys = new Map<string, KeyFlows>();
  private readonly sweeper = new Sweeper(SWEEP_EVERY);

  constructor(
    private readonly historyMs: number,
    private readonly burstMs: number,
  ) {}

  /**
   * Adds one movement of `key`. Feed in time order per key (as every engine does): what has
   * crossed into the history or left it is not moved back for an earlier `now`.
   */
  record(key: string, entry: FlowEntry): void {
    if (this.sweeper.due()) this.sweep(entry.timestamp);
    let flows = this.keys.get(key);
    if (!flows) {
      flows = {
        recent: new TimeWindow(),
        past: new TimeWindow(),
        known: new Map(),
        recentCounted: new Map(),
        pastBase: 0,
      };
      this.keys.set(key, flows);
    }
    flows.recent.push(entry);
    if (entry.counted) add(flows.recentCounted, entry.counterparty, 1);
    this.advance(flows, entry.timestamp);
  }

  /**
   * Whether `counterparty` is new to `key` as of `now`: no movement with it in the history
   * before the burst window (the same test `burst` applies).
   */
  isNew(key: string, counterparty: string, now: number): boolean {
    const flows = this.keys.get(key);
    if (!flows) return true;
    this.advance(flows, now);
    return !flows.known.has(counterparty);
  }

  /**
   * Whether `counterparty` is one of the new counterparties of `key`'s burst ending at `now`
   * (before any `leaveOut`): new to the key, with a counted movement in the burst window.
   */
  isInBurst(key: string, counterparty: string, now: number): boolean {
    const flows = this.keys.get(key);
    if (!flows) return false;
    this.advance(flows, now);
    return flows.recentCounted.has(counterparty) && !flows.known.has(counterparty);
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
    const flows = this.keys.get(key);
    if (!flows) return undefined;
    this.advance(flows, now);
    if (flows.recent.length === 0 && flows.past.length === 0) {
      this.keys.delete(key);
      return undefined;
    }
    const known = flows.known;
    const leftOut = new Map<string, boolean>();
    const isLeftOut = (counterparty: string): boolean => {
      let out = leftOut.get(counterparty);
      if (out === undefined) {
        out = leaveOut(counterparty);
        leftOut.set(counterparty, out);
      }
      return out;
    };
    const fresh: FlowEntry[] = [];
    const knownInBurst = new Set<string>();
    flows.recent.forEach((entry) => {
      if (!entry.counted || entry.timestamp > now) return;
      if (known.has(entry.counterparty)) knownInBurst.add(entry.counterparty);
      else if (!isLeftOut(entry.counterparty)) fresh.push(entry);
    });
    const uses = new Map<string, number>();
    for (const e of fresh) uses.set(e.counterparty, (uses.get(e.counterparty) ?? 0) + 1);
    fresh.sort((a, b) => compareMovements(a.movement, b.movement));
    return {
      movements: fresh.map((e) => e.movement),
      counterparties: [...uses.keys()].sort(),
      baseAmounts: fresh.map((e) => e.baseMinor),
      totalBase: fresh.reduce((sum, e) => sum + e.baseMinor, 0),
      knownCounterparties: knownInBurst.size,
      publicCounterparties: [...leftOut.values()].filter((out) => out).length,
      usualPerWindow: Math.round((flows.pastBase * this.burstMs) / this.historyMs),
      usedOnce: [...uses.values()].filter((n) => n === 1).length,
    };
  }

  size(): number {
    let total = 0;
    for (const flows of this.keys.values()) total += flows.recent.length + flows.past.length;
    return total;
  }

  /** Moves what is now older than the burst window into the history, and forgets the oldest. */
  private advance(flows: KeyFlows, now: number): void {
    const burstStart = now - this.burstMs;
    flows.recent.evictBefore(burstStart, (moved) => {
      flows.past.push(moved);
      add(flows.known, moved.counterparty, 1);
      if (!moved.counted) return;
      add(flows.recentCounted, moved.counterparty, -1);
      flows.pastBase += moved.baseMinor;
    });
    flows.past.evictBefore(burstStart - this.historyMs, (gone) => {
      add(flows.known, gone.counterparty, -1);
      if (gone.counted) flows.pastBase -= gone.baseMinor;
    });
  }

  private sweep(now: number): void {
    this.sweeper.swept(this.keys.size);
    for (const [key, flows] of this.keys) {
      this.advance(flows, now);
      if (flows.recent.length === 0 && flows.past.length === 0) this.keys.delete(key);
    }
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
