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
import { tracks } from '../core/evaluator-helpers';
import { durationText, instant, money, MS_PER_HOUR, totalMinor, unique } from '../core/format';
import { minorIn } from '../core/parameters';
import { scoreAbove } from '../core/scoring';
import { KeyedWindows } from '../core/time-window';

export type PassThroughParams = {
  windowHours: number;
  /** Outflow must reach this share of the inflow. */
  minRatio: number;
  /** Inflow below this amount (major units, movement currency) is ignored. */
  minAmount: string;
};

const RULE_ID = 'aml.pass-through';

class PassThroughEvaluator implements Evaluator {
  private readonly inflows: KeyedWindows<Movement>;
  private readonly outflows: KeyedWindows<Movement>;
  private readonly episodes: EpisodeTracker;
  private readonly windowMs: number;

  constructor(
    private readonly params: PassThroughParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowHours * MS_PER_HOUR;
    this.inflows = new KeyedWindows<Movement>(this.windowMs);
    this.outflows = new KeyedWindows<Movement>(this.windowMs);
    this.episodes = new EpisodeTracker(RULE_ID, this.windowMs);
  }

  onMovement(m: Movement): AlertDraft[] {
    if (m.fromAccount === m.toAccount) return [];
    const accounts = this.context.accounts;
    if (tracks(this.context, m.toAccount) && !isCashPoint(accounts, m.toAccount))
      this.inflows.push(m.toAccount, m);
    const account = m.fromAccount;
    if (!tracks(this.context, account) || isCashPoint(accounts, account)) return [];
    const outs = this.outflows.push(account, m);
    const ins = (this.inflows.get(account, m.timestamp)?.values() ?? []).filter(
      (x) => x.timestamp <= m.timestamp && x.currency === m.currency,
    );
    if (ins.length === 0) return [];
    const inTotal = totalMinor(ins);
    if (inTotal < minorIn(this.params.minAmount, m.currency)) return [];
    const firstIn = ins[0].timestamp;
    const passed = outs.values().filter((x) => x.timestamp >= firstIn && x.currency === m.currency);
    const outTotal = totalMinor(passed);
    if (outTotal < inTotal * this.params.minRatio) return [];

    const movements = [...ins, ...passed].sort(
      (a, b) => a.timestamp - b.timestamp || (a.movementId < b.movementId ? -1 : 1),
    );
    const counterparties = unique([
      ...ins.map((x) => x.fromAccount),
      ...passed.map((x) => x.toAccount),
    ]).filter((uid) => uid !== account && !isCashPoint(accounts, uid));
    const parties: AlertParty[] = [
      { uid: account, role: 'subject' },
      ...counterparties.map((uid): AlertParty => ({ uid, role: 'counterparty' })),
    ];
    const span = m.timestamp - firstIn;
    return [
      {
        fingerprint: this.episodes.fingerprint([account], firstIn, m.timestamp),
        subject: account,
        score: scoreAbove(this.windowMs - span, 0, this.windowMs),
        explanation:
          `Account ${account} received ${money(inTotal, m.currency)} in ${ins.length} payment${ins.length === 1 ? '' : 's'} ` +
          `and passed ${money(outTotal, m.currency)} (${Math.round((outTotal / inTotal) * 1000) / 10}%) on in ` +
          `${passed.length} payment${passed.length === 1 ? '' : 's'} within ${durationText(span)} ` +
          `(${instant(firstIn)} to ${instant(m.timestamp)}; the rule looks ${durationText(this.windowMs)} back).`,
        windowStart: firstIn,
        windowEnd: m.timestamp,
        movements,
        parties,
        facts: { inMinor: inTotal, outMinor: outTotal, spanMs: span },
      },
    ];
  }

  stateSize(): number {
    return this.inflows.size() + this.outflows.size() + this.episodes.size();
  }
}

/**
 * Pass-through (rapid movement of funds): money that arrives and leaves an account within a
 * short window, outflow reaching most of the inflow.
 */
export const passThroughDetector: ActivityDetector<PassThroughParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.0.0',
  typology: 'pass-through',
  family: 'aml',
  description:
    'Inflow that leaves the account again within a short window: outflow reaches most of the inflow.',
  source:
    'Flagright transaction-rules library (pass-through / rapid movement of funds); FATF layering indicators',
  parameters: [
    {
      name: 'windowHours',
      kind: 'integer',
      min: 1,
      max: 24 * 90,
      description: 'How far back inflows count, in hours.',
    },
    {
      name: 'minRatio',
      kind: 'number',
      min: 0.01,
      max: 10,
      description: 'Outflow / inflow needed to fire.',
    },
    {
      name: 'minAmount',
      kind: 'decimal',
      description: 'Smallest inflow (major units) considered.',
    },
  ],
  defaults: (_config: DetectorsConfig): PassThroughParams => ({
    windowHours: 48,
    minRatio: 0.9,
    minAmount: '5000.00',
  }),
  lookbackMs: (params) => params.windowHours * MS_PER_HOUR,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new PassThroughEvaluator(params, context),
};
