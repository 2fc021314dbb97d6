import { FEATURE_WINDOW_DAYS } from './feature-set';

const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const WINDOW_MS = FEATURE_WINDOW_DAYS * DAY_MS;
const TWO_DAYS_MS = 2 * DAY_MS;
const TWO_POW_32 = 2 ** 32;

/** One past movement of an account, as the features need it. */
export interface WindowEntry {
  readonly at: number;
  readonly counterparty: string;
  readonly out: boolean;
  /** Base-currency minor units: a whole number, 0 or more. */
  readonly base: number;
  readonly currency: string;
  /** `base` squared, exactly (payments out only): added and later taken back out of a sum. */
  readonly square: bigint;
}

/** Whether `value` is whole base-currency minor units the window can sum exactly. */
export function isWholeMinorUnits(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** `inflow` and `amount` are within 10% of the larger one (the pass-through test). */
export function similarAmounts(inflow: number, amount: number): boolean {
  return Math.abs(inflow - amount) <= 0.1 * Math.max(inflow, amount);
}

/**
 * An exact running sum of whole numbers below 2^53, held in two parts (multiples of 2^32 and
 * the rest) that stay exact however many values are added and taken out, so the sum never
 * drifts; `value()` rounds once.
 */
class ExactSum {
  private high = 0;
  private low = 0;

  add(value: number): void {
    const high = Math.floor(value / TWO_POW_32);
    this.high += high;
    this.low += value - high * TWO_POW_32;
  }

  remove(value: number): void {
    const high = Math.floor(value / TWO_POW_32);
    this.high -= high;
    this.low -= value - high * TWO_POW_32;
  }

  value(): number {
    return this.high * TWO_POW_32 + this.low;
  }

  exact(): bigint {
    return BigInt(this.high) * BigInt(TWO_POW_32) + BigInt(this.low);
  }

  copyFrom(other: ExactSum): void {
    this.high = other.high;
    this.low = other.low;
  }

  clear(): void {
    this.high = 0;
    this.low = 0;
  }
}

/**
 * How many distinct keys (counterparties, currencies) the window's movements have, without
 * counting per key: each key maps to the position of its latest movement, and a key is in the
 * window while that position is. Keys that left stay in the map (no delete per movement) until
 * they are most of it, then they are swept out at once.
 */
class DistinctKeys {
  private latest = new Map<string, number>();
  private count = 0;

  size(): number {
    return this.count;
  }

  /** Whether `key` is in the window whose oldest movement is at position `head`. */
  has(key: string, head: number): boolean {
    const last = this.latest.get(key);
    return last !== undefined && last >= head;
  }

  /** A movement with `key` enters at `position`; `head`: the window's oldest position. */
  enter(key: string, position: number, head: number): void {
    const last = this.latest.get(key);
    if (last === undefined || last < head) this.count += 1;
    this.latest.set(key, position);
    if (this.latest.size > 2 * this.count + 16) this.sweep(head);
  }

  /** The movement with `key` at `position` leaves the window. */
  leave(key: string, position: number): void {
    if (this.latest.get(key) === position) this.count -= 1;
  }

  copyFrom(other: DistinctKeys): void {
    this.latest = new Map(other.latest);
    this.count = other.count;
  }

  private sweep(head: number): void {
    for (const [key, last] of this.latest) if (last < head) this.latest.delete(key);
  }
}

/**
 * One account's recent movements, with running totals kept as movements come in and go out,
 * so that every feature reads a total instead of going through the movements again.
 *
 * The window holds the account's movements of the last 7 days before the time it was last
 * moved to (`advanceTo`), at most `cap` of them (the most recent). Movements leave from the
 * front, in the order they came: by time when `advanceTo` passes them, or when the cap is
 * exceeded. Totals over the whole window (counts, distinct counterparties and currencies, the
 * exact sum and sum of squares of the payments out) change by one movement at a time.
 *
 * The 24-hour and 48-hour totals need the window in time order: two more front markers that
 * only move forward while the times asked for grow. When movements came out of order, or a
 * time earlier than the last one is asked for, those totals are counted from the movements
 * instead (the same answer, more slowly), and rebuilt once the window is in order again.
 */
export class AccountWindow {
  private entries: WindowEntry[] = [];
  /** Index of the oldest movement still in the window. */
  private head = 0;
  /** Index of the latest movement that came in earlier than the one before it (0: none). */
  private lastDisorder = 0;
  /** The time the window was last moved to. */
  private now = Number.NEGATIVE_INFINITY;

  private outCount = 0;
  private inCount = 0;
  /** Movements ever pushed: the position of the next one (positions never repeat). */
  private pushed = 0;
  private readonly payees = new DistinctKeys();
  private readonly payers = new DistinctKeys();
  private readonly currencies = new DistinctKeys();
  private readonly outSum = new ExactSum();
  private outSquares = 0n;

  /** Whether the 24-hour and 48-hour markers and totals below are right for `placedAt`. */
  private placed = false;
  private placedAt = Number.NEGATIVE_INFINITY;
  private dayFrom = 0;
  private outsLastDay = 0;
  private insLastDay = 0;
  private twoDaysFrom = 0;
  private readonly inflow = new ExactSum();
  /** Amounts received in the 48-hour window, sorted ascending. */
  private inflowAmounts: number[] = [];

  constructor(private readonly cap: number) {}

  /** Movements held. */
  size(): number {
    return this.entries.length - this.head;
  }

  /**
   * Moves the window to `at`: movements at or before `at` minus 7 days leave from the front,
   * and the 24-hour and 48-hour totals are placed for `at`.
   */
  advanceTo(at: number): void {
    this.now = at;
    const cutoff = at - WINDOW_MS;
    while (this.head < this.entries.length && this.entries[this.head].at <= cutoff) this.dropHead();
    this.compact();
    if (this.lastDisorder > this.head) {
      this.placed = false;
    } else if (this.placed && at >= this.placedAt) {
      this.slideSubWindows(at);
    } else {
      this.rebuildSubWindows(at);
    }
  }

  /** Adds a movement at the end; the oldest leaves when the window holds more than the cap. */
  push(entry: WindowEntry): void {
    const index = this.entries.length;
    if (index > this.head && entry.at < this.entries[index - 1].at) {
      this.lastDisorder = index;
      this.placed = false;
    }
    const position = this.pushed;
    this.pushed += 1;
    this.entries.push(entry);
    this.enter(entry, position);
    if (this.placed) {
      if (entry.at > this.placedAt - DAY_MS) {
        this.enterLastDay(entry);
        this.enterTwoDays(entry);
      } else {
        this.placed = false;
      }
    }
    if (this.size() > this.cap) this.dropHead();
  }

  outs(): number {
    return this.outCount;
  }

  ins(): number {
    return this.inCount;
  }

  distinctPayees(): number {
    return this.payees.size();
  }

  distinctPayers(): number {
    return this.payers.size();
  }

  distinctCurrencies(): number {
    return this.currencies.size();
  }

  hasPaid(counterparty: string): boolean {
    return this.payees.has(counterparty, this.headPosition());
  }

  /** Mean payment out (0: none). */
  outMean(): number {
    return this.outCount > 0 ? this.outSum.value() / this.outCount : 0;
  }

  /**
   * Standard deviation of the payments out divided by their mean (0: none, or a mean of 0):
   * sqrt(n·Σx² − (Σx)²) / Σx from exact whole-number sums, rounded only at the end.
   */
  outDispersion(): number {
    if (this.outCount < 2) return 0;
    const sum = this.outSum.exact();
    if (sum === 0n) return 0;
    const spread = BigInt(this.outCount) * this.outSquares - sum * sum;
    return Math.sqrt(Number(spread)) / Number(sum);
  }

  outsLast24h(): number {
    if (this.placed) return this.outsLastDay;
    return this.count((e) => e.out && e.at > this.now - DAY_MS);
  }

  insLast24h(): number {
    if (this.placed) return this.insLastDay;
    return this.count((e) => !e.out && e.at > this.now - DAY_MS);
  }

  /** What the account received in the 48 hours before. */
  inflowLast48h(): number {
    if (this.placed) return this.inflow.value();
    const sum = new ExactSum();
    for (let i = this.head; i < this.entries.length; i += 1) {
      const e = this.entries[i];
      if (!e.out && e.at > this.now - TWO_DAYS_MS) sum.add(e.base);
    }
    return sum.value();
  }

  /**
   * Whether the account received an amount within 10% of `amount` in the 48 hours before. The
   * amounts within 10% of `amount` form one range around it, so the closest received amount
   * below and the closest above are the only ones to try.
   */
  receivedSimilar48h(amount: number): boolean {
    if (this.placed) {
      const values = this.inflowAmounts;
      const at = lowerBound(values, amount);
      return (
        (at < values.length && similarAmounts(values[at], amount)) ||
        (at > 0 && similarAmounts(values[at - 1], amount))
      );
    }
    for (let i = this.head; i < this.entries.length; i += 1) {
      const e = this.entries[i];
      if (!e.out && e.at > this.now - TWO_DAYS_MS && similarAmounts(e.base, amount)) return true;
    }
    return false;
  }

  /** A copy that shares nothing mutable with this window (for trials). */
  clone(): AccountWindow {
    const copy = new AccountWindow(this.cap);
    copy.entries = this.entries.slice(this.head);
    copy.lastDisorder = Math.max(0, this.lastDisorder - this.head);
    copy.now = this.now;
    copy.pushed = this.pushed;
    copy.outCount = this.outCount;
    copy.inCount = this.inCount;
    copy.payees.copyFrom(this.payees);
    copy.payers.copyFrom(this.payers);
    copy.currencies.copyFrom(this.currencies);
    copy.outSum.copyFrom(this.outSum);
    copy.outSquares = this.outSquares;
    copy.placed = this.placed;
    copy.placedAt = this.placedAt;
    copy.dayFrom = Math.max(0, this.dayFrom - this.head);
    copy.outsLastDay = this.outsLastDay;
    copy.insLastDay = this.insLastDay;
    copy.twoDaysFrom = Math.max(0, this.twoDaysFrom - this.head);
    copy.inflow.copyFrom(this.inflow);
    copy.inflowAmounts = [...this.inflowAmounts];
    return copy;
  }

  /** Position of the oldest movement held (positions count every movement ever pushed). */
  private headPosition(): number {
    return this.pushed - (this.entries.length - this.head);
  }

  private count(match: (entry: WindowEntry) => boolean): number {
    let n = 0;
    for (let i = this.head; i < this.entries.length; i += 1) if (match(this.entries[i])) n += 1;
    return n;
  }

  private dropHead(): void {
    const index = this.head;
    const entry = this.entries[index];
    this.leave(entry, this.headPosition());
    if (this.placed) {
      if (index >= this.dayFrom) {
        this.leaveLastDay(entry);
        this.dayFrom = index + 1;
      }
      if (index >= this.twoDaysFrom) {
        this.leaveTwoDays(entry);
        this.twoDaysFrom = index + 1;
      }
    }
    this.head += 1;
  }

  /** Gives the array's dropped front back once it is most of the array. */
  private compact(): void {
    const dropped = this.head;
    if (dropped < 32 || dropped * 2 < this.entries.length) return;
    this.entries = this.entries.slice(dropped);
    this.head = 0;
    this.lastDisorder = Math.max(0, this.lastDisorder - dropped);
    this.dayFrom = Math.max(0, this.dayFrom - dropped);
    this.twoDaysFrom = Math.max(0, this.twoDaysFrom - dropped);
  }

  private slideSubWindows(at: number): void {
    const end = this.entries.length;
    const day = at - DAY_MS;
    while (this.dayFrom < end && this.entries[this.dayFrom].at <= day)
      this.leaveLastDay(this.entries[this.dayFrom++]);
    const twoDays = at - TWO_DAYS_MS;
    while (this.twoDaysFrom < end && this.entries[this.twoDaysFrom].at <= twoDays)
      this.leaveTwoDays(this.entries[this.twoDaysFrom++]);
    this.placedAt = at;
  }

  /** Counts the 24-hour and 48-hour totals again from the movements (window in time order). */
  private rebuildSubWindows(at: number): void {
    const end = this.entries.length;
    this.outsLastDay = 0;
    this.insLastDay = 0;
    this.inflow.clear();
    this.inflowAmounts = [];
    this.dayFrom = this.head;
    while (this.dayFrom < end && this.entries[this.dayFrom].at <= at - DAY_MS) this.dayFrom += 1;
    for (let i = this.dayFrom; i < end; i += 1) this.enterLastDay(this.entries[i]);
    this.twoDaysFrom = this.head;
    while (this.twoDaysFrom < end && this.entries[this.twoDaysFrom].at <= at - TWO_DAYS_MS)
      this.twoDaysFrom += 1;
    for (let i = this.twoDaysFrom; i < end; i += 1) {
      const e = this.entries[i];
      if (e.out) continue;
      this.inflow.add(e.base);
      this.inflowAmounts.push(e.base);
    }
    this.inflowAmounts.sort((a, b) => a - b);
    this.placed = true;
    this.placedAt = at;
  }

  private enter(e: WindowEntry, position: number): void {
    const head = this.headPosition();
    this.currencies.enter(e.currency, position, head);
    if (e.out) {
      this.outCount += 1;
      this.payees.enter(e.counterparty, position, head);
      this.outSum.add(e.base);
      this.outSquares += e.square;
    } else {
      this.inCount += 1;
      this.payers.enter(e.counterparty, position, head);
    }
  }

  private leave(e: WindowEntry, position: number): void {
    this.currencies.leave(e.currency, position);
    if (e.out) {
      this.outCount -= 1;
      this.payees.leave(e.counterparty, position);
      this.outSum.remove(e.base);
      this.outSquares -= e.square;
    } else {
      this.inCount -= 1;
      this.payers.leave(e.counterparty, position);
    }
  }

  private enterLastDay(e: WindowEntry): void {
    if (e.out) this.outsLastDay += 1;
    else this.insLastDay += 1;
  }

  private leaveLastDay(e: WindowEntry): void {
    if (e.out) this.outsLastDay -= 1;
    else this.insLastDay -= 1;
  }

  private enterTwoDays(e: WindowEntry): void {
    if (e.out) return;
    this.inflow.add(e.base);
    this.inflowAmounts.splice(lowerBound(this.inflowAmounts, e.base), 0, e.base);
  }

  private leaveTwoDays(e: WindowEntry): void {
    if (e.out) return;
    this.inflow.remove(e.base);
    this.inflowAmounts.splice(lowerBound(this.inflowAmounts, e.base), 1);
  }
}

/** Index of the first value at or above `value` in ascending `values`. */
function lowerBound(values: readonly number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
