import type { DetectorsConfig } from '@app/settings';
import type { Movement } from '@app/vocabulary';
import { isCashPoint } from '../core/account-directory';
import type { ActivityDetector, AlertDraft, Evaluator, EvaluatorContext } from '../core/detector';
import { fingerprintOf } from '../core/episode-tracker';
import { tracks } from '../core/evaluator-helpers';
import { money, MS_PER_DAY, utcDate } from '../core/format';
import { minorIn } from '../core/parameters';
import { scoreAbove } from '../core/scoring';

export type SpikeParams = {
  /** Days of the account's own history compared against. */
  historyDays: number;
  /** Days the engine must have watched before a spike can be judged. */
  minHistoryDays: number;
  /** A day's volume must exceed this multiple of the busiest day in the history. */
  factor: number;
  /** Days below this volume (major units) are never spikes. */
  minAmount: string;
  direction: string;
};

const RULE_ID = 'aml.spike';

interface AccountDays {
  /** UTC day index -> volume in minor units (days with movements only). */
  totals: Map<number, number>;
  today: Movement[];
  todayIndex: number;
}

class SpikeEvaluator implements Evaluator {
  private readonly accounts = new Map<string, AccountDays>();
  private observedSince: number | undefined;
  private seen = 0;

  constructor(
    private readonly params: SpikeParams,
    private readonly context: EvaluatorContext,
  ) {
    this.observedSince = context.observedSince;
  }

  onMovement(m: Movement): AlertDraft[] {
    this.observedSince ??= m.timestamp;
    this.seen += 1;
    const day = Math.floor(m.timestamp / MS_PER_DAY);
    if (this.seen % 4096 === 0) this.sweep(day);
    const keys: string[] = [];
    if (this.params.direction !== 'in') keys.push(m.fromAccount);
    if (this.params.direction !== 'out' && m.toAccount !== m.fromAccount) keys.push(m.toAccount);
    const drafts: AlertDraft[] = [];
    for (const key of keys) {
      if (!tracks(this.context, key) || isCashPoint(this.context.accounts, key)) continue;
      const draft = this.add(key, m, day);
      if (draft) drafts.push(draft);
    }
    return drafts;
  }

  stateSize(): number {
    let total = 0;
    for (const a of this.accounts.values()) total += a.totals.size + a.today.length;
    return total;
  }

  private add(key: string, m: Movement, day: number): AlertDraft | undefined {
    let state = this.accounts.get(key);
    if (!state) {
      state = { totals: new Map(), today: [], todayIndex: day };
      this.accounts.set(key, state);
    }
    if (state.todayIndex !== day) {
      state.today = [];
      state.todayIndex = day;
    }
    state.today.push(m);
    state.totals.set(day, (state.totals.get(day) ?? 0) + m.amountMinor);
    for (const d of state.totals.keys())
      if (d < day - this.params.historyDays) state.totals.delete(d);

    const watchedDays = day - Math.floor((this.observedSince ?? m.timestamp) / MS_PER_DAY);
    if (watchedDays < this.params.minHistoryDays) return undefined;
    const volume = state.totals.get(day) ?? 0;
    if (volume < minorIn(this.params.minAmount, m.currency)) return undefined;
    let busiest = 0;
    let busiestDay = -1;
    for (const [d, total] of state.totals) {
      if (d !== day && total > busiest) {
        busiest = total;
        busiestDay = d;
      }
    }
    if (busiest === 0 || volume <= busiest * this.params.factor) return undefined;
    const movements = [...state.today];
    return {
      fingerprint: fingerprintOf(RULE_ID, key, day),
      subject: key,
      score: scoreAbove(volume / busiest, this.params.factor, this.params.factor * 4),
      explanation:
        `Account ${key} moved ${money(volume, m.currency)} on ${utcDate(m.timestamp)} in ${movements.length} ` +
        `transaction${movements.length === 1 ? '' : 's'}, ${Math.round((volume / busiest) * 10) / 10} times its busiest day ` +
        `of the previous ${this.params.historyDays} days (${money(busiest, m.currency)} on ${utcDate(busiestDay * MS_PER_DAY)}); ` +
        `the rule fires above ${this.params.factor} times.`,
      windowStart: movements[0].timestamp,
      windowEnd: m.timestamp,
      movements,
      parties: [{ uid: key, role: 'subject' }],
      facts: {
        volumeMinor: volume,
        busiestMinor: busiest,
        ratio: Math.round((volume / busiest) * 100) / 100,
      },
    };
  }

  private sweep(day: number): void {
    for (const [key, state] of this.accounts) {
      for (const d of state.totals.keys())
        if (d < day - this.params.historyDays) state.totals.delete(d);
      if (state.totals.size === 0) this.accounts.delete(key);
    }
  }
}

/**
 * Spike: an account's daily volume far above its own history — more than `factor` times its
 * busiest day of the previous `historyDays`.
 */
export const spikeDetector: ActivityDetector<SpikeParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.0.0',
  typology: 'velocity-spike',
  family: 'aml',
  description:
    "A day's volume of one account more than a multiple of its busiest day in the previous history window.",
  source:
    'Flagright transaction-rules library (transaction volume spike against the user’s own history)',
  parameters: [
    {
      name: 'historyDays',
      kind: 'integer',
      min: 7,
      max: 366,
      description: 'History compared against, in days.',
    },
    {
      name: 'minHistoryDays',
      kind: 'integer',
      min: 1,
      max: 366,
      description: 'Days watched before spikes are judged.',
    },
    {
      name: 'factor',
      kind: 'number',
      min: 1,
      max: 1000,
      description: 'Multiple of the busiest history day that fires.',
    },
    {
      name: 'minAmount',
      kind: 'decimal',
      description: 'Smallest daily volume (major units) that can fire.',
    },
    {
      name: 'direction',
      kind: 'string',
      values: ['out', 'in', 'both'],
      description: "Whose volume counts: the sender's ('out'), the receiver's ('in') or both.",
    },
  ],
  defaults: (_config: DetectorsConfig): SpikeParams => ({
    historyDays: 90,
    minHistoryDays: 30,
    factor: 5,
    minAmount: '10000.00',
    direction: 'out',
  }),
  lookbackMs: (params) => params.historyDays * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new SpikeEvaluator(params, context),
};
