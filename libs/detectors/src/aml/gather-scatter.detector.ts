import type { DetectorsConfig } from '@app/settings';
import type { Movement } from '@app/vocabulary';
import { isMonitored } from '../core/account-directory';
import type {
  ActivityDetector,
  AlertDraft,
  AlertParty,
  Evaluator,
  EvaluatorContext,
} from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { receivedCurrency, receivedMinor, tracks } from '../core/evaluator-helpers';
import { durationText, instant, MS_PER_DAY, totalMinor, totalText, unique } from '../core/format';
import { scoreAbove } from '../core/scoring';
import { KeyedWindows } from '../core/time-window';
import {
  DEFAULT_TRANSFER_FILTER,
  TRANSFER_FILTER_SPECS,
  TransferFilter,
} from '../core/transfer-filter';
import type { TransferFilterParams } from '../core/transfer-filter';

export type GatherScatterParams = TransferFilterParams & {
  windowDays: number;
  minSources: number;
  minDestinations: number;
  /** Paid out after the gathering: at least this share of what was gathered… */
  minRetained: number;
  /** …and at most this share more. */
  maxGain: number;
};

const RULE_ID = 'aml.gather-scatter';

class GatherScatterEvaluator implements Evaluator {
  private readonly inflows: KeyedWindows<Movement>;
  private readonly outflows: KeyedWindows<Movement>;
  private readonly episodes: EpisodeTracker;
  private readonly windowMs: number;
  private readonly filter: TransferFilter;

  constructor(
    private readonly params: GatherScatterParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowDays * MS_PER_DAY;
    this.filter = new TransferFilter(params);
    this.inflows = new KeyedWindows<Movement>(this.windowMs);
    this.outflows = new KeyedWindows<Movement>(this.windowMs);
    this.episodes = new EpisodeTracker(RULE_ID, this.windowMs);
  }

  onMovement(m: Movement): AlertDraft[] {
    if (!this.filter.accepts(m)) return [];
    if (m.fromAccount === m.toAccount) return [];
    const hub = m.fromAccount;
    if (tracks(this.context, m.toAccount) && isMonitored(this.context.accounts, m.toAccount)) {
      this.inflows.push(m.toAccount, m);
    }
    if (!tracks(this.context, hub) || !isMonitored(this.context.accounts, hub)) return [];
    const outs = this.outflows.push(hub, m).values();
    const ins = (this.inflows.get(hub, m.timestamp)?.values() ?? []).filter(
      (x) => x.timestamp < m.timestamp && receivedCurrency(x) === m.currency,
    );
    if (ins.length === 0) return [];
    const gatherStart = ins[0].timestamp;
    const scattered = outs.filter((x) => x.timestamp > gatherStart && x.currency === m.currency);
    const sources = unique(ins.map((x) => x.fromAccount)).sort();
    const destinations = unique(scattered.map((x) => x.toAccount)).sort();
    if (
      sources.length < this.params.minSources ||
      destinations.length < this.params.minDestinations
    )
      return [];
    if (sources.some((s) => destinations.includes(s))) return [];
    const inTotal = ins.reduce((sum, x) => sum + receivedMinor(x), 0);
    const outTotal = totalMinor(scattered);
    if (
      outTotal < inTotal * this.params.minRetained ||
      outTotal > inTotal * (1 + this.params.maxGain)
    )
      return [];

    const movements = [...ins, ...scattered];
    const parties: AlertParty[] = [
      { uid: hub, role: 'subject' },
      ...[...sources, ...destinations].map((uid): AlertParty => ({ uid, role: 'counterparty' })),
    ];
    const breadth = Math.min(
      sources.length / this.params.minSources,
      destinations.length / this.params.minDestinations,
    );
    return [
      {
        fingerprint: this.episodes.fingerprint([hub], gatherStart, m.timestamp),
        subject: hub,
        score: scoreAbove(breadth, 1, 3),
        explanation:
          `Account ${hub} gathered ${totalText(ins)} from ${sources.length} sources and then scattered ` +
          `${totalText(scattered)} to ${destinations.length} other accounts between ${instant(gatherStart)} ` +
          `and ${instant(m.timestamp)} (within ${durationText(this.windowMs)}), passing on ` +
          `${Math.round((outTotal / inTotal) * 1000) / 10}% of what came in.`,
        windowStart: gatherStart,
        windowEnd: m.timestamp,
        movements: movements.sort(
          (a, b) => a.timestamp - b.timestamp || (a.movementId < b.movementId ? -1 : 1),
        ),
        parties,
        facts: {
          sources: sources.length,
          destinations: destinations.length,
          inMinor: inTotal,
          outMinor: outTotal,
        },
      },
    ];
  }

  stateSize(): number {
    return this.inflows.size() + this.outflows.size() + this.episodes.size();
  }
}

/**
 * Gather-scatter: one hub collects from several sources and then pays out about the same
 * amount to several other accounts (fan-in then fan-out, in that time order).
 */
export const gatherScatterDetector: ActivityDetector<GatherScatterParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.1.0',
  typology: 'gather-scatter',
  family: 'aml',
  specificity: 2,
  description:
    'One account collects from several sources and then pays about the same amount out to several different accounts inside the window.',
  source:
    'IBM AMLSim GatherScatter typology; IBM AMLworld gather-scatter pattern (Altman et al. 2023)',
  parameters: [
    {
      name: 'windowDays',
      kind: 'integer',
      min: 1,
      max: 366,
      description: 'Window from first inflow to last outflow.',
    },
    {
      name: 'minSources',
      kind: 'integer',
      min: 2,
      max: 1000,
      description: 'Distinct sources needed.',
    },
    {
      name: 'minDestinations',
      kind: 'integer',
      min: 2,
      max: 1000,
      description: 'Distinct destinations needed.',
    },
    {
      name: 'minRetained',
      kind: 'number',
      min: 0,
      max: 1,
      description: 'Smallest share of the gathered amount paid out.',
    },
    {
      name: 'maxGain',
      kind: 'number',
      min: 0,
      max: 10,
      description: 'Largest share above the gathered amount paid out.',
    },
    ...TRANSFER_FILTER_SPECS,
  ],
  defaults: (config: DetectorsConfig): GatherScatterParams => ({
    ...DEFAULT_TRANSFER_FILTER,
    windowDays: 7,
    minSources: config.fanMinCounterparties,
    minDestinations: config.fanMinCounterparties,
    minRetained: 0.7,
    maxGain: 0.1,
  }),
  lookbackMs: (params) => params.windowDays * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new GatherScatterEvaluator(params, context),
};
