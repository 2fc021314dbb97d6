import type { DetectorsConfig } from '@app/settings';
import { formatBase } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { isCashPoint, isMonitored } from '../core/account-directory';
import {
  basisPoints,
  EpisodeEvidence,
  forwardedShare,
  hopOf,
  PairHistory,
  RecentByAccount,
  withinShare,
} from '../core/chain-hops';
import type { Hop } from '../core/chain-hops';
import type {
  EvaluatorContext,
  ActivityDetector,
  AlertDraft,
  AlertParty,
  Evaluator,
} from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { minorIn } from '../core/parameters';
import { durationText, instant, money, MS_PER_DAY } from '../core/format';
import { roundScore } from '../core/scoring';
import {
  DEFAULT_TRANSFER_FILTER,
  TRANSFER_FILTER_SPECS,
  TransferFilter,
} from '../core/transfer-filter';
import type { TransferFilterParams } from '../core/transfer-filter';

export type CycleParams = TransferFilterParams & {
  windowDays: number;
  /** Fewest accounts in a cycle (2 = a round trip A -> B -> A, held to stricter tests). */
  minLength: number;
  /** Most accounts in a cycle. */
  maxLength: number;
  /** The closing amount must be at least this share of the first amount (base currency). */
  minRetained: number;
  /** Each hop carries at least this share of what its sender received (base currency)… */
  minHopShare: number;
  /** …and at most this share. */
  maxHopShare: number;
  /** Longest wait between receiving and passing on, in days. */
  maxHopDays: number;
  /** A two-account round trip must come back within this many days… */
  roundTripDays: number;
  /** …bring back at most this share of what went… */
  roundTripMaxShare: number;
  /** …and be between accounts that had not dealt with each other in this many days before. */
  newPairDays: number;
  /**
   * …and send at least this multiple of the median of the sender's other transfers in the window
   * (a sender with fewer than three has no usual amount yet).
   */
  roundTripMinMultiple: number;
  /** Out-hops of one account tried at each step of the search (closest to 100% passed on first). */
  maxBranching: number;
  /** Hops tried per closing movement, so hubs cannot stall a stream. */
  maxExpansions: number;
  /** Recent out-hops remembered per account (the newest). */
  maxOutPerAccount: number;
};

const RULE_ID = 'aml.cycle';

/** Movements kept as one alert's evidence when a cycle goes round again (the latest). */
const MAX_EVIDENCE = 48;

/** Recent payments per account from which its usual (median) amount is taken. */
const USUAL_AMOUNT_SAMPLE = 32;

/** The cycle's accounts rotated to start at the smallest id: one key per cycle, whatever the start. */
export function canonicalCycle(accounts: readonly string[]): string {
  let best = 0;
  for (let i = 1; i < accounts.length; i += 1) if (accounts[i] < accounts[best]) best = i;
  return [...accounts.slice(best), ...accounts.slice(0, best)].join('>');
}

/** Searches time-respecting cycles closed by each new transfer; state is bounded per account. */
export class CycleEvaluator implements Evaluator {
  /** Recent hops by sender (the out-edges the search walks), newest `maxOutPerAccount` kept. */
  private readonly outgoing: RecentByAccount<Hop>;
  private readonly pairs: PairHistory;
  /** What each account paid recently (base currency), for its usual amount. */
  private readonly paid: RecentByAccount<{ timestamp: number; base: number }>;
  /** Pairs whose round trip raised an alert, and when. */
  private readonly flaggedPairs: PairHistory;
  private readonly episodes: EpisodeTracker;
  /** Movements of every turn of a cycle within one episode. */
  private readonly evidence: EpisodeEvidence;
  private readonly windowMs: number;
  private readonly filter: TransferFilter;
  /** `minAmount` in base-currency minor units. */
  private readonly minBase: number;
  private readonly ignoredChannels: ReadonlySet<string>;
  private readonly hopMinBp: number;
  private readonly hopMaxBp: number;
  private readonly retainedBp: number;
  private readonly roundTripMaxBp: number;
  private readonly roundTripMinBp: number;
  /** Hops tried by all searches so far (for boundedness checks). */
  private steps = 0;

  constructor(
    private readonly params: CycleParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowDays * MS_PER_DAY;
    // The smallest amount is compared in the base currency (below), not in each movement's own.
    this.filter = new TransferFilter({ ...params, minAmount: '0' }, context.money);
    this.minBase = minorIn(params.minAmount, context.money.currency);
    this.ignoredChannels = new Set(params.ignoredChannels);
    this.outgoing = new RecentByAccount<Hop>(this.windowMs, params.maxOutPerAccount);
    this.pairs = new PairHistory(this.windowMs + params.newPairDays * MS_PER_DAY);
    this.flaggedPairs = new PairHistory(this.windowMs + params.newPairDays * MS_PER_DAY);
    this.paid = new RecentByAccount(this.windowMs, USUAL_AMOUNT_SAMPLE);
    this.episodes = new EpisodeTracker(RULE_ID, this.windowMs);
    this.evidence = new EpisodeEvidence(this.windowMs, MAX_EVIDENCE);
    this.hopMinBp = basisPoints(params.minHopShare);
    this.hopMaxBp = basisPoints(params.maxHopShare);
    this.retainedBp = basisPoints(params.minRetained);
    this.roundTripMaxBp = basisPoints(params.roundTripMaxShare);
    this.roundTripMinBp = basisPoints(params.roundTripMinMultiple);
  }

  onMovement(m: Movement): AlertDraft[] {
    const accounts = this.context.accounts;
    // Any payment between two accounts (small ones included) shows they know each other and
    // what the sender usually pays.
    if (m.fromAccount !== m.toAccount && !this.ignoredChannels.has(m.channel)) {
      this.pairs.record(m.fromAccount, m.toAccount, m.timestamp);
      this.paid.push(m.fromAccount, { timestamp: m.timestamp, base: this.context.money.of(m) });
    }
    // Cash through a branch or ATM is not the same money coming back, purchases are no hop, and
    // ordinary commerce and small change are left out (see TransferFilter).
    if (
      !this.filter.accepts(m) ||
      isCashPoint(accounts, m.fromAccount) ||
      isCashPoint(accounts, m.toAccount)
    ) {
      return [];
    }
    const hop = hopOf(m, this.context.money);
    if (hop.paidBase < this.minBase) return [];
    const path = this.findCycleClosedBy(hop);
    this.outgoing.push(m.fromAccount, hop);
    return path ? [this.draft(path)] : [];
  }

  stateSize(): number {
    return (
      this.outgoing.size() +
      this.pairs.size() +
      this.flaggedPairs.size() +
      this.episodes.size() +
      this.evidence.size()
    );
  }

  /** Hops tried by every search so far: at most `maxExpansions` per transfer. */
  searchSteps(): number {
    return this.steps;
  }

  /**
   * Depth-first search for a time-respecting path from the receiver of `closing` back to its
   * sender: timestamps strictly increase along the path and stay inside the window that ends
   * with `closing`; each hop carries a share of what its sender received inside the band and
   * leaves within `maxHopDays` of it; every account but the origin is one the bank monitors
   * (an account at another bank shows only its dealings with our customers, so its "passing
   * on" would be a coincidence of amounts).
   * At most `maxBranching` out-hops are tried per account, those passing on closest to 100% of
   * what came in first (then the earliest), and `maxExpansions` in all, so the answer is
   * deterministic and the cost bounded.
   */
  private findCycleClosedBy(closing: Hop): Hop[] | undefined {
    const { minLength, maxLength, maxBranching } = this.params;
    if (maxLength < 2) return undefined;
    const accounts = this.context.accounts;
    const hopMs = this.params.maxHopDays * MS_PER_DAY;
    const start = closing.movement.toAccount;
    const target = closing.movement.fromAccount;
    if (!isMonitored(accounts, target)) return undefined;
    const earliest = closing.timestamp - this.windowMs;
    let budget = this.params.maxExpansions;
    const path: Hop[] = [];
    const visited = new Set<string>([start]);

    const closes = (): boolean => {
      const first = path[0];
      const last = path[path.length - 1];
      if (path.length + 1 < minLength || closing.timestamp - last.timestamp > hopMs) return false;
      // The closing hop must follow, in the band, and bring back enough of the first amount.
      if (!withinShare(first.paidBase, closing.receivedBase, this.retainedBp, Infinity)) {
        return false;
      }
      if (path.length === 1) return this.isSuspiciousRoundTrip(first, closing);
      return withinShare(last.receivedBase, closing.paidBase, this.hopMinBp, this.hopMaxBp);
    };

    /** The out-hops of `account` the path may go on with, closest to passing on 100% first. */
    const candidates = (account: string, after: number): Hop[] => {
      const previous = path[path.length - 1];
      const found: { hop: Hop; drift: number }[] = [];
      this.outgoing.forEachBetween(account, after, closing.timestamp, (next) => {
        if (previous) {
          // Out-hops come in time order: past the longest wait, none is left.
          if (next.timestamp - previous.timestamp > hopMs) return false;
          if (!withinShare(previous.receivedBase, next.paidBase, this.hopMinBp, this.hopMaxBp)) {
            return true;
          }
        } else if (!withinShare(next.paidBase, closing.receivedBase, this.retainedBp, Infinity)) {
          // A first hop larger than what came back / minRetained can never close.
          return true;
        }
        const to = next.movement.toAccount;
        // Every account but the origin passes money on: the bank must see all its flows.
        if (!isMonitored(accounts, to)) return true;
        // A cycle of L accounts has L hops: going on needs room for two more (one and the closing).
        if (to !== target && (visited.has(to) || path.length + 3 > maxLength)) return true;
        const drift = previous
          ? Math.abs(1 - forwardedShare(previous, next))
          : Math.abs(1 - closing.receivedBase / next.paidBase);
        found.push({ hop: next, drift });
        return true;
      });
      // Stable: equal drifts stay in time order.
      found.sort((a, b) => a.drift - b.drift);
      return found.slice(0, maxBranching).map((c) => c.hop);
    };

    const walk = (account: string, after: number): boolean => {
      for (const next of candidates(account, after)) {
        if (budget <= 0) return false;
        budget -= 1;
        this.steps += 1;
        path.push(next);
        const to = next.movement.toAccount;
        if (to === target) {
          if (closes()) return true;
        } else {
          visited.add(to);
          if (walk(to, next.timestamp)) return true;
          visited.delete(to);
        }
        path.pop();
      }
      return false;
    };

    return walk(start, earliest - 1) ? [...path, closing] : undefined;
  }

  /**
   * A two-account round trip (A pays B, B pays A back) is everyday life between people who know
   * each other, so it counts only between accounts with no dealings in the `newPairDays` before,
   * for at least `roundTripMinMultiple` times what A usually pays, coming back within
   * `roundTripDays` and at most `roundTripMaxShare` of what went.
   */
  private isSuspiciousRoundTrip(out: Hop, back: Hop): boolean {
    const { roundTripDays, newPairDays } = this.params;
    if (back.timestamp - out.timestamp > roundTripDays * MS_PER_DAY) return false;
    if (!withinShare(out.receivedBase, back.paidBase, this.hopMinBp, this.roundTripMaxBp)) {
      return false;
    }
    const a = out.movement.fromAccount;
    const b = out.movement.toAccount;
    const since = out.timestamp - newPairDays * MS_PER_DAY;
    // A pair repeating a flagged round trip stays suspicious, whatever it paid in between.
    if (this.flaggedPairs.dealtBetween(a, b, since, out.timestamp)) return true;
    return this.isUnusualAmount(a, out) && !this.pairs.dealtBetween(a, b, since, out.timestamp);
  }

  /**
   * Whether `out` is at least `roundTripMinMultiple` times the median of what `account` paid
   * before it in the window; true when fewer than three earlier payments give no usual amount.
   */
  private isUnusualAmount(account: string, out: Hop): boolean {
    const earlier: number[] = [];
    this.paid.forEachBetween(account, out.timestamp - this.windowMs - 1, out.timestamp, (p) => {
      earlier.push(p.base);
      return true;
    });
    if (earlier.length < 3) return true;
    earlier.sort((x, y) => x - y);
    const median = earlier[Math.floor(earlier.length / 2)];
    return withinShare(median, out.paidBase, this.roundTripMinBp, Infinity);
  }

  private draft(cycle: readonly Hop[]): AlertDraft {
    const movements = cycle.map((h) => h.movement);
    const accounts = movements.map((m) => m.fromAccount);
    const key = canonicalCycle(accounts);
    const first = cycle[0];
    const last = cycle[cycle.length - 1];
    const retained = last.receivedBase / first.paidBase;
    const shares = cycle.slice(1).map((h, i) => forwardedShare(cycle[i], h));
    let slowest = 0;
    for (let i = 1; i < cycle.length; i += 1) {
      slowest = Math.max(slowest, cycle[i].timestamp - cycle[i - 1].timestamp);
    }
    const span = last.timestamp - first.timestamp;
    const fingerprint = this.episodes.fingerprint([key], first.timestamp, last.timestamp);
    // A cycle that goes round again adds its movements to the alert instead of replacing them.
    const episode = this.evidence.add(fingerprint, movements, last.timestamp);
    const parties: AlertParty[] = accounts.map((uid, i): AlertParty => ({
      uid,
      role: i === 0 ? 'subject' : 'member',
    }));
    const base = this.context.money;
    const quote = (h: Hop, side: 'paid' | 'received'): string => {
      const m = h.movement;
      const original =
        side === 'paid'
          ? money(m.amountMinor, m.currency)
          : money(m.receivedAmountMinor ?? m.amountMinor, m.receivedCurrency ?? m.currency);
      const converted = side === 'paid' ? h.paidBase : h.receivedBase;
      const currency = side === 'paid' ? m.currency : (m.receivedCurrency ?? m.currency);
      return currency === base.currency ? original : `${original} (${formatBase(base, converted)})`;
    };
    const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
    const lowest = Math.min(...shares);
    const highest = Math.max(...shares);
    const roundTrip = accounts.length === 2;
    const days = this.params.newPairDays;
    const repeat =
      roundTrip &&
      this.flaggedPairs.dealtBetween(
        accounts[0],
        accounts[1],
        first.timestamp - days * MS_PER_DAY,
        first.timestamp,
      );
    if (roundTrip) this.flaggedPairs.record(accounts[0], accounts[1], last.timestamp);
    return {
      fingerprint,
      subject: first.movement.fromAccount,
      score: this.score(accounts.length, shares, span),
      explanation:
        `Money went around a cycle of ${accounts.length} accounts (${[...accounts, first.movement.fromAccount].join(' -> ')}) ` +
        `in strictly increasing time from ${instant(first.timestamp)} to ${instant(last.timestamp)} ` +
        `(${durationText(span)}, hops at most ${durationText(slowest)} apart): ${quote(first, 'paid')} left and ` +
        `${quote(last, 'received')} came back (${pct(retained)} retained); each hop carried ` +
        (lowest === highest ? pct(lowest) : `${pct(lowest)} to ${pct(highest)}`) +
        ` of what its sender had received` +
        (repeat
          ? `; the two accounts already made a flagged round trip in the ${days} days before.`
          : roundTrip
            ? `; the two accounts had not dealt with each other in the ${days} days before, and the amount was unusual for the sender.`
            : '.') +
        (episode.turns > 1 ? ` Money went round it ${episode.turns} times in this episode.` : ''),
      windowStart: episode.movements[0].timestamp,
      windowEnd: last.timestamp,
      movements: episode.movements,
      parties,
      facts: {
        length: accounts.length,
        firstMinor: first.movement.amountMinor,
        lastMinor: last.movement.amountMinor,
        firstBaseMinor: first.paidBase,
        lastBaseMinor: last.receivedBase,
        retained: Math.round(retained * 1000) / 1000,
        slowestHopMs: slowest,
        cycle: key,
        turns: episode.turns,
      },
    };
  }

  /**
   * 0.5 to 1: longer cycles, hops that pass on close to what came in and quick hops look more
   * deliberate; a two-account round trip starts lower.
   */
  private score(length: number, shares: readonly number[], spanMs: number): number {
    const lengthPart = Math.min(1, (length - 2) / 4);
    const drift = shares.reduce((sum, s) => sum + Math.abs(1 - s), 0) / Math.max(1, shares.length);
    const bandWidth = Math.max(1 - this.params.minHopShare, this.params.maxHopShare - 1, 0.01);
    const fitPart = Math.max(0, 1 - drift / bandWidth);
    const speedPart = Math.max(0, 1 - spanMs / this.windowMs);
    return roundScore(0.5 + 0.2 * lengthPart + 0.15 * fitPart + 0.15 * speedPart);
  }
}

/** The evaluator of a run, typed (tests read its search effort). */
export function createCycleEvaluator(
  params: CycleParams,
  context: EvaluatorContext,
): CycleEvaluator {
  return new CycleEvaluator(params, context);
}

/**
 * Time-respecting cycles: funds leave an account and return to it through other accounts, each
 * hop later than the one before, within the window, each hop passing on a share of what came in
 * inside a band (in the base currency, so hops may change currency).
 */
export const cycleDetector: ActivityDetector<CycleParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '2.0.0',
  typology: 'cycle',
  family: 'aml',
  specificity: 2,
  description:
    'Funds that return to their origin through 1 to 11 other accounts with strictly increasing timestamps inside the window, each hop passing on 75-125% of what came in (base currency, so hops may change currency); a two-account round trip counts only between strangers, for at least twice the sender’s usual payment, within a week, bringing back at most what went. Length, per-hop share and speed raise the score.',
  source:
    'IBM AMLSim CycleTypology (amount x 0.9 per hop) and IBM AMLworld cycle pattern (Altman et al. 2023; 2 to 13 hops in mixed currencies)',
  parameters: [
    {
      name: 'windowDays',
      kind: 'integer',
      min: 1,
      max: 366,
      description: 'Longest time from first to closing hop.',
    },
    {
      name: 'minLength',
      kind: 'integer',
      min: 2,
      max: 24,
      description: 'Fewest accounts in a cycle.',
    },
    {
      name: 'maxLength',
      kind: 'integer',
      min: 2,
      max: 24,
      description: 'Most accounts in a cycle.',
    },
    {
      name: 'minRetained',
      kind: 'number',
      min: 0,
      max: 1,
      description: 'Share of the first amount the closing hop must bring back.',
    },
    {
      name: 'minHopShare',
      kind: 'number',
      min: 0,
      max: 1,
      description: 'Smallest share of what came in that a hop passes on.',
    },
    {
      name: 'maxHopShare',
      kind: 'number',
      min: 1,
      max: 10,
      description: 'Largest share of what came in that a hop passes on.',
    },
    {
      name: 'maxHopDays',
      kind: 'integer',
      min: 1,
      max: 366,
      description: 'Longest wait between receiving and passing on, in days.',
    },
    {
      name: 'roundTripDays',
      kind: 'integer',
      min: 1,
      max: 366,
      description: 'Longest time a two-account round trip may take.',
    },
    {
      name: 'roundTripMaxShare',
      kind: 'number',
      min: 0,
      max: 10,
      description: 'Largest share of what went that a two-account round trip brings back.',
    },
    {
      name: 'newPairDays',
      kind: 'integer',
      min: 0,
      max: 366,
      description:
        'Days before a round trip in which its two accounts must not have dealt with each other.',
    },
    {
      name: 'roundTripMinMultiple',
      kind: 'number',
      min: 0,
      max: 1000,
      description:
        "Smallest multiple of the sender's usual (median) payment that a round trip sends.",
    },
    {
      name: 'maxBranching',
      kind: 'integer',
      min: 1,
      max: 1000,
      description: 'Out-hops of one account tried at each step of the search.',
    },
    {
      name: 'maxExpansions',
      kind: 'integer',
      min: 1,
      max: 1000000,
      description: 'Hops tried per closing movement.',
    },
    {
      name: 'maxOutPerAccount',
      kind: 'integer',
      min: 1,
      max: 100000,
      description: 'Recent out-hops remembered per account.',
    },
    ...TRANSFER_FILTER_SPECS,
  ],
  defaults: (config: DetectorsConfig): CycleParams => ({
    ...DEFAULT_TRANSFER_FILTER,
    windowDays: config.windowDays,
    minLength: 2,
    maxLength: config.cycleMaxLength,
    minRetained: config.cycleMinRetained,
    minHopShare: 0.75,
    maxHopShare: 1.25,
    maxHopDays: 10,
    roundTripDays: 7,
    roundTripMaxShare: 1,
    newPairDays: 30,
    roundTripMinMultiple: 2,
    maxBranching: 8,
    maxExpansions: 2000,
    maxOutPerAccount: 64,
  }),
  lookbackMs: (params) => (params.windowDays + params.newPairDays) * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => createCycleEvaluator(params, context),
};
