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
import { shareWithin } from '../core/layer-contacts';
import { scoreAbove } from '../core/scoring';
import {
  DEFAULT_TRANSFER_FILTER,
  TRANSFER_FILTER_SPECS,
  TransferFilter,
} from '../core/transfer-filter';
import type { TransferFilterParams } from '../core/transfer-filter';

export type StackParams = TransferFilterParams & {
  windowDays: number;
  /** Fewest accounts in each of the three layers. */
  minLayerSize: number;
  /** Members have at most this many distinct counterparties each way. */
  maxDegree: number;
  /** The middle layer passes on at least this share of what it received. */
  minRetained: number;
};

const RULE_ID = 'aml.stack';

function countIn(keys: Iterable<string>, set: ReadonlySet<string>): number {
  let n = 0;
  for (const key of keys) if (set.has(key)) n += 1;
  return n;
}

class StackEvaluator implements Evaluator {
  private readonly flows: FlowIndex;
  private readonly episodes: EpisodeTracker;
  private readonly windowMs: number;
  private readonly filter: TransferFilter;

  constructor(
    private readonly params: StackParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowDays * MS_PER_DAY;
    this.filter = new TransferFilter(params, context.money);
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
    this.flows.add(m);
    const now = m.timestamp;
    const L = this.params.minLayerSize;
    const small = (account: string): boolean =>
      this.flows.senders(account, now).size <= this.params.maxDegree &&
      this.flows.receivers(account, now).size <= this.params.maxDegree;
    const middle = m.fromAccount;
    if (!small(middle) || !small(m.toAccount)) return [];

    const sendersOfMiddle = new Set([...this.flows.senders(middle, now).keys()].filter(small));
    const receiversOfMiddle = new Set(
      [...this.flows.receivers(middle, now).keys()].filter(
        (r) => small(r) && !sendersOfMiddle.has(r),
      ),
    );
    if (sendersOfMiddle.size < L || receiversOfMiddle.size < L) return [];

    const peers = new Set<string>([middle]);
    for (const s of sendersOfMiddle) {
      for (const x of this.flows.receivers(s, now).keys()) {
        if (peers.has(x) || sendersOfMiddle.has(x) || receiversOfMiddle.has(x) || !small(x))
          continue;
        if (
          countIn(this.flows.senders(x, now).keys(), sendersOfMiddle) >= L &&
          countIn(this.flows.receivers(x, now).keys(), receiversOfMiddle) >= L
        ) {
          peers.add(x);
        }
      }
    }
    if (peers.size < L) return [];
    const top = [...sendersOfMiddle]
      .filter((s) => countIn(this.flows.receivers(s, now).keys(), peers) >= L)
      .sort();
    const bottom = [...receiversOfMiddle]
      .filter((r) => countIn(this.flows.senders(r, now).keys(), peers) >= L)
      .sort();
    if (top.length < L || bottom.length < L) return [];
    const topSet = new Set(top);
    const bottomSet = new Set(bottom);
    const mids = [...peers].sort();

    const inbound = mids.flatMap((p) =>
      [...this.flows.senders(p, now).entries()]
        .filter(([s]) => topSet.has(s))
        .flatMap(([, list]) => list),
    );
    const outbound = mids.flatMap((p) =>
      [...this.flows.receivers(p, now).entries()]
        .filter(([r]) => bottomSet.has(r))
        .flatMap(([, list]) => list),
    );
    const firstIn = Math.min(...inbound.map((x) => x.timestamp));
    const laterOut = outbound.filter((x) => x.timestamp > firstIn);
    // Compared in the base currency: layers may pay in one currency and pass on in another.
    const inTotal = this.baseTotal(inbound);
    const outTotal = this.baseTotal(laterOut);
    if (laterOut.length === 0 || !shareWithin(outTotal, inTotal, this.params.minRetained, Infinity))
      return [];

    const movements = inTimeOrder([...inbound, ...laterOut]);
    const start = movements[0].timestamp;
    const parties: AlertParty[] = [
      ...top.map((uid, i): AlertParty => ({ uid, role: i === 0 ? 'subject' : 'member' })),
      ...mids.map((uid): AlertParty => ({ uid, role: 'member' })),
      ...bottom.map((uid): AlertParty => ({ uid, role: 'member' })),
    ];
    const size = Math.min(top.length, mids.length, bottom.length);
    return [
      {
        fingerprint: this.episodes.fingerprint([...top, ...mids, ...bottom], start, now),
        subject: top[0],
        score: scoreAbove(size, L, L * 3),
        explanation:
          `Funds moved through three stacked layers between ${instant(start)} and ${instant(now)} ` +
          `(within ${durationText(this.windowMs)}): ${top.length} accounts (${top.join(', ')}) paid ` +
          `${totalText(inbound)} into ${mids.length} accounts (${mids.join(', ')}), which passed ` +
          `${totalText(laterOut)} on to ${bottom.length} accounts (${bottom.join(', ')}).`,
        windowStart: start,
        windowEnd: now,
        movements,
        parties,
        facts: {
          top: top.length,
          middle: mids.length,
          bottom: bottom.length,
          inBaseMinor: inTotal,
          outBaseMinor: outTotal,
        },
      },
    ];
  }

  stateSize(): number {
    return this.flows.size() + this.episodes.size();
  }

  private baseTotal(movements: readonly Movement[]): number {
    let total = 0;
    for (const m of movements) total += this.context.money.of(m);
    return total;
  }
}

/**
 * Stack (layered) laundering: one layer of accounts pays a second, which passes the funds on to
 * a third; every member is small (few counterparties) and the middle layer keeps little.
 */
export const stackDetector: ActivityDetector<StackParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.2.1',
  typology: 'stack',
  family: 'aml',
  specificity: 3,
  description:
    'Three stacked dense layers of accounts: the first pays the second, which passes most of it (base currency) to the third, inside the window. Sparse stacks (parallel chains) are aml.stack-chain.',
  source: 'IBM AMLSim StackTypology (layered bipartite); FATF layering stage',
  parameters: [
    { name: 'windowDays', kind: 'integer', min: 1, max: 366, description: 'Window in days.' },
    {
      name: 'minLayerSize',
      kind: 'integer',
      min: 2,
      max: 1000,
      description: 'Fewest accounts per layer.',
    },
    {
      name: 'maxDegree',
      kind: 'integer',
      min: 2,
      max: 100000,
      description: 'Most distinct counterparties a member may have each way.',
    },
    {
      name: 'minRetained',
      kind: 'number',
      min: 0,
      max: 1,
      description: 'Share of the inflow the middle layer passes on at least.',
    },
    ...TRANSFER_FILTER_SPECS,
  ],
  defaults: (_config: DetectorsConfig): StackParams => ({
    ...DEFAULT_TRANSFER_FILTER,
    windowDays: 7,
    minLayerSize: 2,
    maxDegree: 10,
    minRetained: 0.7,
  }),
  lookbackMs: (params) => params.windowDays * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new StackEvaluator(params, context),
};
