import type { DetectorsConfig } from '@app/settings';
import { formatBase } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { isCashPoint, isMonitored } from '../core/account-directory';
import {
  basisPoints,
  forwardedShare,
  hopOf,
  RecentByAccount,
  withinShare,
} from '../core/chain-hops';
import type { Hop } from '../core/chain-hops';
import type {
  ActivityDetector,
  AlertDraft,
  AlertParty,
  Evaluator,
  EvaluatorContext,
} from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { minorIn } from '../core/parameters';
import { durationText, instant, money, MS_PER_HOUR } from '../core/format';
import { roundScore } from '../core/scoring';
import {
  DEFAULT_TRANSFER_FILTER,
  TRANSFER_FILTER_SPECS,
  TransferFilter,
} from '../core/transfer-filter';
import type { TransferFilterParams } from '../core/transfer-filter';

export type LayeringChainParams = TransferFilterParams & {
  /** Longest wait between receiving and passing on, in hours. */
  maxHopHours: number;
  /** Hops (movements) in a chain needed to fire: 3 = four accounts. */
  minHops: number;
  /** Each hop passes on at least this share of what its sender received (base currency)… */
  minHopShare: number;
  /** …and at most this share. */
  maxHopShare: number;
  /**
   * An account with more transfers than this (in and out) within one hop's wait is a hub (a
   * clearing account, a busy business), not a link of a walk: every inflow would match some
   * outflow there.
   */
  hubTransfers: number;
};

const RULE_ID = 'aml.layering-chain';

/** Hops kept per chain as evidence (the latest); longer walks keep counting. */
const MAX_KEPT_HOPS = 24;

/** The end of a walk: the hop that reached an account, and the walk up to it. */
interface WalkEnd {
  timestamp: number;
  hop: Hop;
  /** The latest hops of the walk, first hop first, this one last (at most MAX_KEPT_HOPS). */
  hops: readonly Hop[];
  /** Hops in the whole walk. */
  length: number;
  /** The walk's first movement (the alert's key). */
  originMovementId: string;
  originTimestamp: number;
}

/**
 * Follows funds hop by hop: each hop leaves the previous receiver within the wait, passing on a
 * share of what came in inside the band (base currency). Accounts may be passed through again;
 * a walk back to its origin is also a cycle, and case consolidation then keeps the more
 * specific aml.cycle alert when both show the same movements.
 */
class LayeringWalkEvaluator implements Evaluator {
  /** Recent walk ends by receiving account. */
  private readonly arrivals: RecentByAccount<WalkEnd>;
  /** Recent accepted transfers by account (either side), to recognise hubs. */
  private readonly activity: RecentByAccount<{ timestamp: number }>;
  private readonly episodes: EpisodeTracker;
  private readonly filter: TransferFilter;
  /** `minAmount` in base-currency minor units. */
  private readonly minBase: number;
  private readonly hopMs: number;
  private readonly minBp: number;
  private readonly maxBp: number;

  constructor(
    private readonly params: LayeringChainParams,
    private readonly context: EvaluatorContext,
  ) {
    this.hopMs = params.maxHopHours * MS_PER_HOUR;
    // The smallest amount is compared in the base currency (below), not in each movement's own.
    this.filter = new TransferFilter({ ...params, minAmount: '0' }, context.money);
    this.minBase = minorIn(params.minAmount, context.money.currency);
    this.arrivals = new RecentByAccount<WalkEnd>(this.hopMs, params.hubTransfers + 1);
    this.activity = new RecentByAccount<{ timestamp: number }>(this.hopMs, params.hubTransfers + 1);
    this.episodes = new EpisodeTracker(RULE_ID, this.hopMs * Math.max(2, params.minHops * 2));
    this.minBp = basisPoints(params.minHopShare);
    this.maxBp = basisPoints(params.maxHopShare);
  }

  onMovement(m: Movement): AlertDraft[] {
    if (!this.filter.accepts(m)) return [];
    const accounts = this.context.accounts;
    if (isCashPoint(accounts, m.fromAccount) || isCashPoint(accounts, m.toAccount)) return [];
    const hop = hopOf(m, this.context.money);
    if (hop.paidBase < this.minBase) return [];
    this.activity.push(m.fromAccount, { timestamp: m.timestamp });
    this.activity.push(m.toAccount, { timestamp: m.timestamp });
    const previous = this.bestPredecessor(hop);
    const end: WalkEnd = previous
      ? {
          timestamp: m.timestamp,
          hop,
          hops: [...previous.hops.slice(-(MAX_KEPT_HOPS - 1)), hop],
          length: previous.length + 1,
          originMovementId: previous.originMovementId,
          originTimestamp: previous.originTimestamp,
        }
      : {
          timestamp: m.timestamp,
          hop,
          hops: [hop],
          length: 1,
          originMovementId: m.movementId,
          originTimestamp: m.timestamp,
        };
    this.arrivals.push(m.toAccount, end);
    return end.length >= this.params.minHops ? [this.draft(end)] : [];
  }

  stateSize(): number {
    return this.arrivals.size() + this.activity.size() + this.episodes.size();
  }

  /**
   * The walk this hop continues: one that reached its sender within the wait and whose last hop
   * it carries on inside the band. The longest walk wins, then the share closest to 100%, then
   * the earliest. Hubs continue no walk.
   */
  private bestPredecessor(hop: Hop): WalkEnd | undefined {
    const m = hop.movement;
    // The bank sees all flows of its own accounts only: an account at another bank that seems
    // to pass money on is a coincidence of amounts. Hubs pass on nothing recognisable either.
    if (
      !isMonitored(this.context.accounts, m.fromAccount) ||
      this.activity.count(m.fromAccount, m.timestamp) > this.params.hubTransfers
    ) {
      return undefined;
    }
    let best: WalkEnd | undefined;
    let bestDrift = Infinity;
    this.arrivals.forEachBetween(
      m.fromAccount,
      m.timestamp - this.hopMs - 1,
      m.timestamp,
      (end) => {
        if (!withinShare(end.hop.receivedBase, hop.paidBase, this.minBp, this.maxBp)) return true;
        const drift = Math.abs(1 - forwardedShare(end.hop, hop));
        if (
          !best ||
          end.length > best.length ||
          (end.length === best.length && drift < bestDrift)
        ) {
          best = end;
          bestDrift = drift;
        }
        return true;
      },
    );
    return best;
  }

  private draft(end: WalkEnd): AlertDraft {
    const hops = end.hops;
    const first = hops[0];
    const last = hops[hops.length - 1];
    const path = [first.movement.fromAccount, ...hops.map((h) => h.movement.toAccount)];
    const distinct = [...new Set(path)];
    const parties: AlertParty[] = distinct.map((uid, i): AlertParty => ({
      uid,
      role: i === 0 ? 'subject' : 'member',
    }));
    const shares = hops.slice(1).map((h, i) => forwardedShare(hops[i], h));
    let slowest = 0;
    for (let i = 1; i < hops.length; i += 1) {
      slowest = Math.max(slowest, hops[i].timestamp - hops[i - 1].timestamp);
    }
    const base = this.context.money;
    const quote = (h: Hop): string => {
      const text = money(h.movement.amountMinor, h.movement.currency);
      return h.movement.currency === base.currency
        ? text
        : `${text} (${formatBase(base, h.paidBase)})`;
    };
    const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
    const lowest = Math.min(...shares);
    const highest = Math.max(...shares);
    const shown = hops.length < end.length ? ` (the latest ${hops.length} shown)` : '';
    return {
      // Keyed by the walk's first movement: every extension maps to the same alert.
      fingerprint: this.episodes.fingerprint(
        [end.originMovementId],
        end.originTimestamp,
        last.timestamp,
      ),
      subject: first.movement.fromAccount,
      score: this.score(end.length, shares, slowest),
      explanation:
        `Funds moved on in ${end.length} hops${shown} through ${distinct.length} accounts (${path.join(' -> ')}) ` +
        `within ${durationText(last.timestamp - first.timestamp)} (${instant(first.timestamp)} to ${instant(last.timestamp)}), ` +
        `each account passing on ` +
        (lowest === highest ? pct(lowest) : `${pct(lowest)} to ${pct(highest)}`) +
        ` of what it had received at most ${durationText(slowest)} later: ${quote(first)} in the first hop, ` +
        `${quote(last)} in the last.`,
      windowStart: first.timestamp,
      windowEnd: last.timestamp,
      movements: hops.map((h) => h.movement),
      parties,
      facts: {
        hops: end.length,
        accounts: distinct.length,
        slowestHopMs: slowest,
        firstBaseMinor: first.paidBase,
        lastBaseMinor: last.paidBase,
      },
    };
  }

  /** 0.5 to 1: longer walks, hops close to 100% passed on and quick hops look more deliberate. */
  private score(length: number, shares: readonly number[], slowestMs: number): number {
    const { minHops, minHopShare, maxHopShare } = this.params;
    const lengthPart = Math.min(1, (length - minHops) / 6);
    const drift = shares.reduce((sum, s) => sum + Math.abs(1 - s), 0) / Math.max(1, shares.length);
    const fitPart = Math.max(0, 1 - drift / Math.max(1 - minHopShare, maxHopShare - 1, 0.01));
    const speedPart = Math.max(0, 1 - slowestMs / this.hopMs);
    return roundScore(0.5 + 0.25 * lengthPart + 0.15 * fitPart + 0.1 * speedPart);
  }
}

/**
 * Layering walk: funds hop on from account to account over hours or days, each account passing
 * on most of what it received (AMLSim and AMLworld "random" typology). Slower and longer than a
 * mule chain; amounts are compared in the base currency, so hops may change currency.
 */
export const layeringChainDetector: ActivityDetector<LayeringChainParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '2.0.0',
  typology: 'random',
  family: 'aml',
  specificity: 1,
  description:
    'Funds hopping on through a chain of accounts, each account passing on 80-120% of what it received (base currency, so hops may change currency) within 5 days; revisits allowed. Accounts at other banks and hubs are no link. Length, per-hop share and speed raise the score.',
  source:
    'IBM AMLSim RandomTypology (random walk of funds within a group); IBM AMLworld random pattern (Altman et al. 2023); FATF layering indicators',
  parameters: [
    {
      name: 'maxHopHours',
      kind: 'integer',
      min: 1,
      max: 24 * 30,
      description: 'Longest wait between receiving and passing on, in hours.',
    },
    {
      name: 'minHops',
      kind: 'integer',
      min: 2,
      max: 100,
      description: 'Movements in a chain needed to fire.',
    },
    {
      name: 'minHopShare',
      kind: 'number',
      min: 0,
      max: 1,
      description: 'Smallest share of what it received that an account passes on.',
    },
    {
      name: 'maxHopShare',
      kind: 'number',
      min: 1,
      max: 10,
      description: 'Largest share of what it received that an account passes on.',
    },
    {
      name: 'hubTransfers',
      kind: 'integer',
      min: 1,
      max: 100000,
      description: 'Transfers within one wait above which an account is a hub, not a link.',
    },
    ...TRANSFER_FILTER_SPECS,
  ],
  defaults: (_config: DetectorsConfig): LayeringChainParams => ({
    ...DEFAULT_TRANSFER_FILTER,
    minAmount: '1000.00',
    maxHopHours: 120,
    minHops: 3,
    minHopShare: 0.8,
    maxHopShare: 1.2,
    hubTransfers: 12,
  }),
  lookbackMs: (params) => params.maxHopHours * MS_PER_HOUR * Math.max(params.minHops, 12),
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new LayeringWalkEvaluator(params, context),
};
