import type { BaseMoney, Movement } from '@app/vocabulary';
import { compareMovements } from './activity';
import { receivedCurrency, receivedMinor } from './evaluator-helpers';
import { Sweeper } from './sweeper';

/**
 * A transfer seen as one hop of a chain or cycle: the movement with what its sender paid and
 * what its receiver got, both in base-currency minor units at the movement's date. Chains and
 * cycles compare hops only through these base amounts, so a hop paid in yen and the next one in
 * euro are compared at the rates of their days.
 */
export interface Hop {
  readonly movement: Movement;
  readonly timestamp: number;
  /** What the sender paid, in base-currency minor units. */
  readonly paidBase: number;
  /** What the receiver got, in base-currency minor units. */
  readonly receivedBase: number;
}

/** The movement as a hop, its amounts converted with `money`. */
export function hopOf(movement: Movement, money: BaseMoney): Hop {
  const paidBase = money.of(movement);
  const sameSide =
    movement.receivedAmountMinor === undefined && movement.receivedCurrency === undefined;
  const receivedBase = sameSide
    ? paidBase
    : money.convert(receivedMinor(movement), receivedCurrency(movement), movement.timestamp);
  return { movement, timestamp: movement.timestamp, paidBase, receivedBase };
}

/** Shares are compared in basis points on integers, so a boundary share is exact. */
const BASIS = 10_000;

/** A share such as 0.75 in whole basis points (7500). */
export function basisPoints(share: number): number {
  return Math.round(share * BASIS);
}

/**
 * Whether `nextBase` is between `minBp` and `maxBp` basis points of `previousBase` (both in
 * base-currency minor units), compared exactly on integers.
 */
export function withinShare(
  previousBase: number,
  nextBase: number,
  minBp: number,
  maxBp: number,
): boolean {
  if (previousBase <= 0) return false;
  const scaled = nextBase * BASIS;
  return scaled >= previousBase * minBp && scaled <= previousBase * maxBp;
}

/** The share of what `previous` delivered that `next` carries on (for scores and text). */
export function forwardedShare(previous: Hop, next: Hop): number {
  return previous.receivedBase > 0 ? next.paidBase / previous.receivedBase : 0;
}

class Recent<T> {
  items: T[] = [];
  head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  compact(): void {
    if (this.head > 32 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

const SWEEP_EVERY = 2048;

/** Timestamps kept per pair of accounts. */
const PAIR_TIMES = 8;

/**
 * The most recent items per account, bounded twice: by time (items older than the window are
 * dropped) and by count (at most `maxPerKey` newest items per account, so a hub with thousands
 * of transfers costs no more than a quiet account). Items must be pushed in time order per key.
 * Accounts whose items have all expired are swept away, so memory follows the window.
 */
export class RecentByAccount<T extends { timestamp: number }> {
  private readonly byKey = new Map<string, Recent<T>>();
  private readonly sweeper = new Sweeper(SWEEP_EVERY);

  constructor(
    private readonly windowMs: number,
    private readonly maxPerKey: number,
  ) {}

  push(key: string, item: T): void {
    if (this.sweeper.due()) this.sweep(item.timestamp);
    let recent = this.byKey.get(key);
    if (!recent) {
      recent = new Recent<T>();
      this.byKey.set(key, recent);
    }
    recent.items.push(item);
    this.evict(recent, item.timestamp);
  }

  /** How many items the account holds as of `now`. */
  count(key: string, now: number): number {
    const recent = this.byKey.get(key);
    if (!recent) return 0;
    this.evict(recent, now);
    return recent.length;
  }

  /**
   * Visits the account's items with a timestamp strictly after `after` and strictly before
   * `before`, oldest first, until `visit` returns false.
   */
  forEachBetween(key: string, after: number, before: number, visit: (item: T) => boolean): void {
    const recent = this.byKey.get(key);
    if (!recent) return;
    const { items } = recent;
    let low = recent.head;
    let high = items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (items[mid].timestamp <= after) low = mid + 1;
      else high = mid;
    }
    for (let i = low; i < items.length && items[i].timestamp < before; i += 1) {
      if (!visit(items[i])) return;
    }
  }

  /** Items held across all accounts. */
  size(): number {
    let total = 0;
    for (const recent of this.byKey.values()) total += recent.length;
    return total;
  }

  private evict(recent: Recent<T>, now: number): void {
    const from = now - this.windowMs;
    while (recent.head < recent.items.length && recent.items[recent.head].timestamp < from) {
      recent.head += 1;
    }
    while (recent.length > this.maxPerKey) recent.head += 1;
    recent.compact();
  }

  private sweep(now: number): void {
    this.sweeper.swept(this.byKey.size);
    for (const [key, recent] of this.byKey) {
      this.evict(recent, now);
      if (recent.length === 0) this.byKey.delete(key);
    }
  }
}

/**
 * When two accounts last dealt with each other (either direction), kept for `memoryMs`: lets a
 * rule ask whether a counterparty is new to an account, as a round trip between strangers looks
 * different from a family that sends money back and forth every month.
 */
export class PairHistory {
  /** Pair key -> timestamps of recent movements between the two, oldest first (a few). */
  private readonly pairs = new Map<string, number[]>();
  private readonly sweeper = new Sweeper(SWEEP_EVERY);

  constructor(private readonly memoryMs: number) {}

  record(a: string, b: string, timestamp: number): void {
    if (this.sweeper.due()) this.sweep(timestamp);
    const key = pairKey(a, b);
    const times = this.pairs.get(key);
    if (!times) {
      this.pairs.set(key, [timestamp]);
      return;
    }
    times.push(timestamp);
    if (times.length > PAIR_TIMES) times.shift();
  }

  /** Whether the two accounts dealt with each other at some time in [from, before). */
  dealtBetween(a: string, b: string, from: number, before: number): boolean {
    const times = this.pairs.get(pairKey(a, b));
    return times?.some((t) => t >= from && t < before) ?? false;
  }

  size(): number {
    return this.pairs.size;
  }

  private sweep(now: number): void {
    this.sweeper.swept(this.pairs.size);
    for (const [key, times] of this.pairs) {
      if (times[times.length - 1] < now - this.memoryMs) this.pairs.delete(key);
    }
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

interface Evidence {
  lastAt: number;
  turns: number;
  movements: Movement[];
}

/**
 * The evidence of an alert whose pattern repeats (a cycle going round again with new money):
 * a firing whose movements are all new adds them to the alert instead of replacing what it
 * showed; a firing that reuses some of them (the same money found again along another path)
 * replaces the evidence, as any growing pattern does. Bounded: at most `maxMovements` per alert
 * (the latest) and forgotten once the alert has been quiet for `gapMs`.
 */
export class EpisodeEvidence {
  private readonly byFingerprint = new Map<string, Evidence>();
  private readonly sweeper = new Sweeper(SWEEP_EVERY);

  constructor(
    private readonly gapMs: number,
    private readonly maxMovements: number,
  ) {}

  /** Adds a firing's movements; returns all of the alert's movements in time order and its turns. */
  add(
    fingerprint: string,
    movements: readonly Movement[],
    at: number,
  ): { movements: Movement[]; turns: number } {
    if (this.sweeper.due()) this.sweep(at);
    let evidence = this.byFingerprint.get(fingerprint);
    if (!evidence || at - evidence.lastAt > this.gapMs) {
      evidence = { lastAt: at, turns: 0, movements: [] };
      this.byFingerprint.set(fingerprint, evidence);
    }
    const known = new Set(evidence.movements.map((m) => m.movementId));
    const repeat = movements.every((m) => !known.has(m.movementId));
    const merged = repeat ? [...evidence.movements, ...movements] : [...movements];
    merged.sort(compareMovements);
    evidence.movements = merged.slice(-this.maxMovements);
    evidence.turns = repeat ? evidence.turns + 1 : Math.max(1, evidence.turns);
    evidence.lastAt = Math.max(evidence.lastAt, at);
    return { movements: [...evidence.movements], turns: evidence.turns };
  }

  size(): number {
    return this.byFingerprint.size;
  }

  private sweep(now: number): void {
    this.sweeper.swept(this.byFingerprint.size);
    for (const [key, evidence] of this.byFingerprint) {
      if (evidence.lastAt < now - this.gapMs) this.byFingerprint.delete(key);
    }
  }
}
