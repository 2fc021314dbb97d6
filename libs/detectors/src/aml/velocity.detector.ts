import type { DetectorsConfig } from '@app/settings';
import type { Movement } from '@app/vocabulary';
import { isMonitored } from '../core/account-directory';
import { baseTotal, totalWithBase } from '../core/base-amounts';
import type { ActivityDetector, AlertDraft, Evaluator, EvaluatorContext } from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { tracks } from '../core/evaluator-helpers';
import { instant, MS_PER_DAY } from '../core/format';
import { scoreAbove } from '../core/scoring';
import { KeyedWindows } from '../core/time-window';

export type VelocityParams = {
  /** Transactions within any rolling 24 hours that fire the rule. */
  perDay: number;
  direction: string;
  /** References (case-insensitive) that never count, e.g. salary for payroll runs. */
  exemptReferences: readonly string[];
};

const RULE_ID = 'aml.velocity';

class VelocityEvaluator implements Evaluator {
  private readonly windows = new KeyedWindows<Movement>(MS_PER_DAY - 1);
  private readonly episodes = new EpisodeTracker(RULE_ID, MS_PER_DAY);

  private readonly exempt: ReadonlySet<string>;

  constructor(
    private readonly params: VelocityParams,
    private readonly context: EvaluatorContext,
  ) {
    this.exempt = new Set(params.exemptReferences.map((r) => r.toLowerCase()));
  }

  onMovement(m: Movement): AlertDraft[] {
    if (m.reference !== undefined && this.exempt.has(m.reference.toLowerCase())) return [];
    const keys: string[] = [];
    if (this.params.direction !== 'in') keys.push(m.fromAccount);
    if (this.params.direction !== 'out' && m.toAccount !== m.fromAccount) keys.push(m.toAccount);
    const drafts: AlertDraft[] = [];
    for (const key of keys) {
      if (!tracks(this.context, key) || !isMonitored(this.context.accounts, key)) continue;
      const window = this.windows.push(key, m);
      if (window.length < this.params.perDay) continue;
      const movements = window.values();
      const start = movements[0].timestamp;
      const totalBaseMinor = baseTotal(this.context.money, movements);
      drafts.push({
        fingerprint: this.episodes.fingerprint([key], start, m.timestamp),
        subject: key,
        score: scoreAbove(movements.length, this.params.perDay, this.params.perDay * 3),
        explanation:
          `Account ${key} made ${movements.length} transactions within 24 hours (${instant(start)} to ` +
          `${instant(m.timestamp)}), totalling ${totalWithBase(this.context.money, movements, totalBaseMinor)}; the rule fires at ${this.params.perDay} a day.`,
        windowStart: start,
        windowEnd: m.timestamp,
        movements,
        parties: [{ uid: key, role: 'subject' }],
        facts: {
          transactions: movements.length,
          perDay: this.params.perDay,
          baseCurrency: this.context.money.currency,
          totalBaseMinor,
        },
      });
    }
    return drafts;
  }

  stateSize(): number {
    return this.windows.size() + this.episodes.size();
  }
}

/** Velocity: an account making at least `velocityPerDay` transactions within 24 hours. */
export const velocityDetector: ActivityDetector<VelocityParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.2.0',
  typology: 'velocity-spike',
  family: 'aml',
  description:
    'An account making at least the configured number of transactions (100 by default) within any 24 hours.',
  source: 'Flagright transaction-rules library (transaction velocity: 100 transactions a day)',
  parameters: [
    {
      name: 'perDay',
      kind: 'integer',
      min: 2,
      max: 1000000,
      description: 'Transactions within 24 hours that fire.',
    },
    {
      name: 'direction',
      kind: 'string',
      values: ['out', 'in', 'both'],
      description: "Whose transactions count: the sender's ('out'), the receiver's ('in') or both.",
    },
    {
      name: 'exemptReferences',
      kind: 'stringList',
      description:
        'Payment references that never count (case-insensitive), e.g. salary for payroll runs.',
    },
  ],
  defaults: (config: DetectorsConfig): VelocityParams => ({
    perDay: config.velocityPerDay,
    direction: 'out',
    exemptReferences: ['salary'],
  }),
  lookbackMs: () => MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new VelocityEvaluator(params, context),
};
