import type { DetectorsConfig } from '@app/settings';
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
import { FlowIndex } from '../core/flow-index';
import { durationText, instant, MS_PER_DAY, totalText } from '../core/format';
import { minorIn } from '../core/parameters';
import { scoreAbove } from '../core/scoring';
import {
  DEFAULT_TRANSFER_FILTER,
  TRANSFER_FILTER_SPECS,
  TransferFilter,
} from '../core/transfer-filter';
import type { TransferFilterParams } from '../core/transfer-filter';

export type BipartiteParams = TransferFilterParams & {
  windowDays: number;
  minSenders: number;
  minReceivers: number;
  /**
   * Accounts with more distinct counterparties than this in the window (merchants, payroll
   * payers, utilities) are not members: a bipartite laundering layer is small and closed.
   */
  maxDegree: number;
};

const RULE_ID = 'aml.bipartite';

class BipartiteEvaluator implements Evaluator {
  private readonly flows: FlowIndex;
  private readonly episodes: EpisodeTracker;
  private readonly windowMs: number;
  private readonly filter: TransferFilter;
  private readonly minBase: number;

  constructor(
    private readonly params: BipartiteParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowDays * MS_PER_DAY;
    // The amount floor is applied in the base currency (below), not in each movement's own.
    this.filter = new TransferFilter({ ...params, minAmount: '0' }, context.money);
    this.minBase = minorIn(params.minAmount, context.money.currency);
    this.flows = new FlowIndex(this.windowMs);
    this.episodes = new EpisodeTracker(RULE_ID, this.windowMs);
  }

  onMovement(m: Movement): AlertDraft[] {
    if (!this.filter.accepts(m)) return [];
    if (
      isCashPoint(this.context.accounts, m.fromAccount) ||
      isCashPoint(this.context.accounts, m.toAccount)
    )
      return [];
    if (this.context.money.of(m) < this.minBase) return [];
    this.flows.add(m);
    const now = m.timestamp;
    const { minSenders, minReceivers, maxDegree } = this.params;
    const small = (account: string): boolean =>
      this.flows.senders(account, now).size <= maxDegree &&
      this.flows.receivers(account, now).size <= maxDegree;

    // m's receiver must itself be a member; otherwise m changes no layer (and hubs exit early).
    if (!small(m.toAccount)) return [];
    const receiversOfA = this.flows.receivers(m.fromAccount, now);
    if (receiversOfA.size < minReceivers || !small(m.fromAccount)) return [];
    const eligibleReceivers = new Set([...receiversOfA.keys()].filter(small));
    if (eligibleReceivers.size < minReceivers) return [];

    // Senders (to m's receiver) sharing at least minReceivers eligible receivers with m's sender.
    const senders = [m.fromAccount];
    for (const s of this.flows.senders(m.toAccount, now).keys()) {
      if (s === m.fromAccount || eligibleReceivers.has(s) || !small(s)) continue;
      let common = 0;
      for (const r of this.flows.receivers(s, now).keys())
        if (eligibleReceivers.has(r)) common += 1;
      if (common >= minReceivers) senders.push(s);
    }
    if (senders.length < minSenders) return [];
    const senderSet = new Set(senders);
    const receivers = [...eligibleReceivers].filter((r) => {
      let from = 0;
      for (const s of this.flows.senders(r, now).keys()) if (senderSet.has(s)) from += 1;
      return from >= minSenders;
    });
    if (receivers.length < minReceivers) return [];

    const receiverSet = new Set(receivers);
    const sortedSenders = [...senders].sort();
    const sortedReceivers = [...receivers].sort();
    const movements = inTimeOrder(
      sortedSenders.flatMap((s) =>
        [...this.flows.receivers(s, now).entries()]
          .filter(([r]) => receiverSet.has(r))
          .flatMap(([, list]) => list),
      ),
    );
    const start = movements[0].timestamp;
    const parties: AlertParty[] = [
      ...sortedSenders.map((uid, i): AlertParty => ({ uid, role: i === 0 ? 'subject' : 'member' })),
      ...sortedReceivers.map((uid): AlertParty => ({ uid, role: 'member' })),
    ];
    return [
      {
        fingerprint: this.episodes.fingerprint([...sortedSenders, ...sortedReceivers], start, now),
        subject: sortedSenders[0],
        score: scoreAbove(
          senders.length * receivers.length,
          minSenders * minReceivers,
          minSenders * minReceivers * 4,
        ),
        explanation:
          `${senders.length} accounts (${sortedSenders.join(', ')}) each paid at least ${minReceivers} of the same ` +
          `${receivers.length} accounts (${sortedReceivers.join(', ')}) between ${instant(start)} and ${instant(now)} ` +
          `(within ${durationText(this.windowMs)}): ${movements.length} payments totalling ${totalText(movements)} ` +
          `in a closed bipartite layer (no member has more than ${maxDegree} counterparties).`,
        windowStart: start,
        windowEnd: now,
        movements,
        parties,
        facts: {
          senders: senders.length,
          receivers: receivers.length,
          transactions: movements.length,
        },
      },
    ];
  }

  stateSize(): number {
    return this.flows.size() + this.episodes.size();
  }
}

/** Bipartite: a set of senders that all pay the same set of receivers within the window. */
export const bipartiteDetector: ActivityDetector<BipartiteParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.2.0',
  typology: 'bipartite',
  family: 'aml',
  specificity: 1,
  description:
    'Several senders that each pay several of the same receivers within the window, forming a small closed bipartite layer (amounts floored in the base currency).',
  source: 'IBM AMLSim BipartiteTypology; IBM AMLworld bipartite pattern (Altman et al. 2023)',
  parameters: [
    { name: 'windowDays', kind: 'integer', min: 1, max: 366, description: 'Window in days.' },
    { name: 'minSenders', kind: 'integer', min: 2, max: 1000, description: 'Senders needed.' },
    {
      name: 'minReceivers',
      kind: 'integer',
      min: 2,
      max: 1000,
      description: 'Receivers needed (each sender pays at least this many of them).',
    },
    {
      name: 'maxDegree',
      kind: 'integer',
      min: 2,
      max: 100000,
      description: 'Most distinct counterparties a member may have each way.',
    },
    ...TRANSFER_FILTER_SPECS.map((spec) =>
      spec.name === 'minAmount'
        ? {
            ...spec,
            description: 'Smallest movement (major units of the base currency) that counts.',
          }
        : spec,
    ),
  ],
  defaults: (_config: DetectorsConfig): BipartiteParams => ({
    ...DEFAULT_TRANSFER_FILTER,
    windowDays: 7,
    minSenders: 3,
    minReceivers: 3,
    maxDegree: 10,
  }),
  lookbackMs: (params) => params.windowDays * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new BipartiteEvaluator(params, context),
};
