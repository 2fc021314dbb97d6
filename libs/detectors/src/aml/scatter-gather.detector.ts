import type { DetectorsConfig } from '@app/settings';
import { formatBase } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { isCashPoint } from '../core/account-directory';
import type {
  ActivityDetector,
  AlertDraft,
  AlertParty,
  Evaluator,
  EvaluatorContext,
} from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { inTimeOrder } from '../core/evaluator-helpers';
import { durationText, instant, MS_PER_DAY, totalText } from '../core/format';
import { minorIn } from '../core/parameters';
import { roundScore } from '../core/scoring';
import { KeyedWindows } from '../core/time-window';
import {
  DEFAULT_TRANSFER_FILTER,
  TRANSFER_FILTER_SPECS,
  TransferFilter,
} from '../core/transfer-filter';
import type { TransferFilterParams } from '../core/transfer-filter';
import { Sweeper } from '../core/sweeper';

export type ScatterGatherParams = TransferFilterParams & {
  windowDays: number;
  /** Intermediaries that must each receive from the origin and pass on to the beneficiary. */
  minIntermediaries: number;
  /** Intermediaries at which the pattern fires whatever its total. */
  minCounterparties: number;
  /** Total (base currency, major units) a smaller pattern must scatter. */
  minTotal: string;
  /** Each intermediary passes on at least this share of what it received. */
  minRetained: number;
  /** …and at most this share more. */
  maxGain: number;
};

const RULE_ID = 'aml.scatter-gather';

interface Leg {
  intermediary: string;
  scatter: Movement;
  gather: Movement;
}

interface PairState {
  legs: Map<string, Leg>;
  lastAt: number;
}

class ScatterGatherEvaluator implements Evaluator {
  private readonly inflows: KeyedWindows<Movement>;
  private readonly pairs = new Map<string, PairState>();
  private readonly episodes: EpisodeTracker;
  private readonly windowMs: number;
  private readonly filter: TransferFilter;
  private readonly sweeper = new Sweeper(4096);
  private readonly minTotalBase: number;

  constructor(
    private readonly params: ScatterGatherParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowDays * MS_PER_DAY;
    this.minTotalBase = minorIn(params.minTotal, context.money.currency);
    this.filter = new TransferFilter(params, context.money);
    this.inflows = new KeyedWindows<Movement>(this.windowMs);
    this.episodes = new EpisodeTracker(RULE_ID, this.windowMs);
  }

  onMovement(m: Movement): AlertDraft[] {
    if (!this.filter.accepts(m)) return [];
    const drafts: AlertDraft[] = [];
    if (this.sweeper.due()) this.sweep(m.timestamp);
    const intermediary = m.fromAccount;
    const beneficiary = m.toAccount;
    if (intermediary !== beneficiary && !isCashPoint(this.context.accounts, beneficiary)) {
      // Latest matching scatter leg into the intermediary, per origin, compared in the base
      // currency (a leg may arrive in yen and leave in dollars).
      const byOrigin = new Map<string, Movement>();
      let forwarded: number | undefined;
      this.inflows.get(intermediary, m.timestamp)?.forEach((scatter) => {
        const origin = scatter.fromAccount;
        // The beneficiary may be the origin itself (AMLworld gathers back to the source at times).
        if (origin === intermediary || scatter.timestamp >= m.timestamp) return;
        if (isCashPoint(this.context.accounts, origin)) return;
        forwarded ??= this.context.money.of(m);
        const received = this.context.money.of(scatter);
        if (forwarded < received * this.params.minRetained) return;
        if (forwarded > received * (1 + this.params.maxGain)) return;
        byOrigin.set(origin, scatter);
      });
      for (const [origin, scatter] of byOrigin) {
        const draft = this.addLeg(
          origin,
          beneficiary,
          { intermediary, scatter, gather: m },
          m.timestamp,
        );
        if (draft) drafts.push(draft);
      }
    }
    this.inflows.push(m.toAccount, m);
    return drafts;
  }

  stateSize(): number {
    let total = this.inflows.size() + this.episodes.size();
    for (const pair of this.pairs.values()) total += pair.legs.size;
    return total;
  }

  private addLeg(
    origin: string,
    beneficiary: string,
    leg: Leg,
    now: number,
  ): AlertDraft | undefined {
    const pairKey = `${origin}>${beneficiary}`;
    let pair = this.pairs.get(pairKey);
    if (!pair) {
      pair = { legs: new Map(), lastAt: now };
      this.pairs.set(pairKey, pair);
    }
    pair.lastAt = now;
    for (const [key, old] of pair.legs)
      if (old.scatter.timestamp < now - this.windowMs) pair.legs.delete(key);
    if (!pair.legs.has(leg.intermediary)) pair.legs.set(leg.intermediary, leg);
    if (pair.legs.size < this.params.minIntermediaries) return undefined;

    const legs = [...pair.legs.values()];
    const movements = inTimeOrder(legs.flatMap((l) => [l.scatter, l.gather]));
    const start = movements[0].timestamp;
    const intermediaries = legs.map((l) => l.intermediary).sort();
    const parties: AlertParty[] = [
      { uid: origin, role: 'subject' },
      { uid: beneficiary, role: 'counterparty' },
      ...intermediaries.map((uid): AlertParty => ({ uid, role: 'member' })),
    ];
    const scattered = legs.map((l) => l.scatter);
    const gathered = legs.map((l) => l.gather);
    const money = this.context.money;
    const scatteredBase = scattered.reduce((sum, x) => sum + money.of(x), 0);
    const gatheredBase = gathered.reduce((sum, x) => sum + money.of(x), 0);
    // Fewer intermediaries than minCounterparties: the scatter must be large.
    if (legs.length < this.params.minCounterparties && scatteredBase < this.minTotalBase)
      return undefined;
    const share = scatteredBase > 0 ? Math.round((gatheredBase / scatteredBase) * 1000) / 10 : 0;
    // Score: 0.5 at the gate, rising with the number of intermediaries and with how close the
    // gathered total is to the scattered one.
    const breadth = Math.min(1, (legs.length - this.params.minIntermediaries) / 8);
    const closeness = Math.max(0, 1 - Math.abs(1 - share / 100) / 0.3);
    return {
      fingerprint: this.episodes.fingerprint([pairKey], start, now),
      subject: origin,
      score: roundScore(0.5 + 0.35 * breadth + 0.15 * closeness),
      explanation:
        `Account ${origin} scattered ${totalText(scattered)} (${formatBase(money, scatteredBase)}) to ` +
        `${legs.length} intermediaries (${intermediaries.join(', ')}), which each passed ` +
        `${Math.round(this.params.minRetained * 100)}% to ${Math.round((1 + this.params.maxGain) * 100)}% ` +
        `of what they received ${beneficiary === origin ? `back to ${origin} itself` : `on to ${beneficiary}`} afterwards, gathering ${totalText(gathered)} ` +
        `(${formatBase(money, gatheredBase)}, ${share}% of the scattered total) between ${instant(start)} ` +
        `and ${instant(now)} (${durationText(now - start)}; the rule looks ${durationText(this.windowMs)} back).`,
      windowStart: start,
      windowEnd: now,
      movements,
      parties,
      facts: {
        intermediaries: legs.length,
        origin,
        beneficiary,
        scatteredBaseMinor: scatteredBase,
        gatheredBaseMinor: gatheredBase,
      },
    };
  }

  private sweep(now: number): void {
    this.sweeper.swept(this.pairs.size);
    for (const [key, pair] of this.pairs)
      if (now - pair.lastAt > this.windowMs) this.pairs.delete(key);
  }
}

/**
 * Scatter-gather: an origin pays several intermediaries, each of which later passes most of it
 * on to one beneficiary (fan-out then fan-in, in that time order).
 */
export const scatterGatherDetector: ActivityDetector<ScatterGatherParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '2.0.1',
  typology: 'scatter-gather',
  family: 'aml',
  specificity: 2,
  description:
    'One origin pays intermediaries which each forward 70% to 125% of what they received (compared in the base currency) to one beneficiary afterwards, all within 14 days: 5 or more intermediaries, or 2 or more scattering at least 10000.00 in the base currency.',
  source:
    'IBM AMLSim ScatterGather typology; IBM AMLworld scatter-gather pattern (Altman et al. 2023)',
  parameters: [
    {
      name: 'windowDays',
      kind: 'integer',
      min: 1,
      max: 366,
      description: 'Window from first scatter to last gather.',
    },
    {
      name: 'minIntermediaries',
      kind: 'integer',
      min: 2,
      max: 1000,
      description: 'Intermediaries needed to fire.',
    },
    {
      name: 'minCounterparties',
      kind: 'integer',
      min: 2,
      max: 1000,
      description: 'Intermediaries at which the pattern fires whatever its total.',
    },
    {
      name: 'minTotal',
      kind: 'decimal',
      description:
        'Total a pattern with fewer intermediaries must scatter, in the base currency (major units).',
    },
    {
      name: 'minRetained',
      kind: 'number',
      min: 0,
      max: 1,
      description: 'Share of the received amount each intermediary forwards at least.',
    },
    {
      name: 'maxGain',
      kind: 'number',
      min: 0,
      max: 10,
      description: 'Share above the received amount an intermediary may forward.',
    },
    ...TRANSFER_FILTER_SPECS,
  ],
  defaults: (config: DetectorsConfig): ScatterGatherParams => ({
    ...DEFAULT_TRANSFER_FILTER,
    windowDays: 14,
    minIntermediaries: 2,
    minCounterparties: config.fanMinCounterparties,
    minTotal: '10000.00',
    minRetained: 0.7,
    maxGain: 0.25,
  }),
  lookbackMs: (params) => params.windowDays * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new ScatterGatherEvaluator(params, context),
};
