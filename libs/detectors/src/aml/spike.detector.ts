import type { DetectorsConfig } from '@app/settings';
import { formatBase } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { isMonitored } from '../core/account-directory';
import { totalWithBase } from '../core/base-amounts';
import type { ActivityDetector, AlertDraft, Evaluator, EvaluatorContext } from '../core/detector';
import { fingerprintOf } from '../core/episode-tracker';
import { tracks } from '../core/evaluator-helpers';
import { MS_PER_DAY, utcDate } from '../core/format';
import { minorIn } from '../core/parameters';
import { scoreAbove } from '../core/scoring';
import { Sweeper } from '../core/sweeper';

export type SpikeParams = {
  /** Days of the account's own history compared against. */
  historyDays: number;
  /** Days the engine must have watched before a spike can be judged. */
  minHistoryDays: number;
  /** 'count' compares numbers of transactions a day, 'volume' amounts a day. */
  measure: string;
  /** A day must exceed this multiple of the busiest day in the history. */
  factor: number;
  /** Days with fewer transactions are never spikes (count and volume). */
  minTransactions: number;
  /** Days below this volume (major units of the base currency) are never spikes (volume measure). */
  minAmount: string;
  direction: string;
};

const RULE_ID = 'aml.spike';

interface DayTotals {
  count: number;
  /** Base-currency minor units (volume measure only; 0 when counting). */
  volume: number;
}

interface AccountDays {
  /** UTC day index -> totals (days with movements only, inside the history). */
  days: Map<number, DayTotals>;
  today: Movement[];
  todayIndex: number;
}

class SpikeEvaluator implements Evaluator {
  private readonly accounts = new Map<string, AccountDays>();
  private observedSince: number | undefined;
  private readonly sweeper = new Sweeper(4096);
  private readonly byVolume: boolean;
  private readonly minAmountBase: number;

  constructor(
    private readonly params: SpikeParams,
    private readonly context: EvaluatorContext,
  ) {
    this.observedSince = context.observedSince;
    this.byVolume = params.measure === 'volume';
    this.minAmountBase = minorIn(params.minAmount, context.money.currency);
  }

  onMovement(m: Movement): AlertDraft[] {
    this.observedSince ??= m.timestamp;
    const day = Math.floor(m.timestamp / MS_PER_DAY);
    if (this.sweeper.due()) this.sweep(day);
    const keys: string[] = [];
    if (this.params.direction !== 'in') keys.push(m.fromAccount);
    if (this.params.direction !== 'out' && m.toAccount !== m.fromAccount) keys.push(m.toAccount);
    const drafts: AlertDraft[] = [];
    let baseMinor: number | undefined;
    for (const key of keys) {
      if (!tracks(this.context, key) || !isMonitored(this.context.accounts, key)) continue;
      // Volumes add up in the base currency; counting needs no conversion.
      if (this.byVolume) baseMinor ??= this.context.money.of(m);
      const draft = this.add(key, m, day, baseMinor ?? 0);
      if (draft) drafts.push(draft);
    }
    return drafts;
  }

  stateSize(): number {
    let total = 0;
    for (const a of this.accounts.values()) total += a.days.size + a.today.length;
    return total;
  }

  private add(key: string, m: Movement, day: number, baseMinor: number): AlertDraft | undefined {
    let state = this.accounts.get(key);
    if (!state) {
      state = { days: new Map(), today: [], todayIndex: day };
      this.accounts.set(key, state);
    }
    if (state.todayIndex !== day) {
      state.today = [];
      state.todayIndex = day;
    }
    state.today.push(m);
    const totals = state.days.get(day) ?? { count: 0, volume: 0 };
    totals.count += 1;
    totals.volume += baseMinor;
    state.days.set(day, totals);
    for (const d of state.days.keys()) if (d < day - this.params.historyDays) state.days.delete(d);

    const watchedDays = day - Math.floor((this.observedSince ?? m.timestamp) / MS_PER_DAY);
    if (watchedDays < this.params.minHistoryDays || totals.count < this.params.minTransactions)
      return undefined;
    const byCount = !this.byVolume;
    if (!byCount && totals.volume < this.minAmountBase) return undefined;
    const value = (t: DayTotals): number => (byCount ? t.count : t.volume);
    let busiest = 0;
    let busiestDay = -1;
    for (const [d, t] of state.days) {
      if (d !== day && value(t) > busiest) {
        busiest = value(t);
        busiestDay = d;
      }
    }
    const today = value(totals);
    if (busiest === 0 || today <= busiest * this.params.factor) return undefined;
    const movements = [...state.today];
    const what = (v: number): string =>
      byCount ? `${v} transaction${v === 1 ? '' : 's'}` : formatBase(this.context.money, v);
    return {
      fingerprint: fingerprintOf(RULE_ID, key, day),
      subject: key,
      score: scoreAbove(today / busiest, this.params.factor, this.params.factor * 4),
      explanation:
        `Account ${key} made ${movements.length} transactions totalling ${totalWithBase(this.context.money, movements)} on ${utcDate(m.timestamp)}: ` +
        `${what(today)}, ${Math.round((today / busiest) * 10) / 10} times its busiest day of the previous ` +
        `${this.params.historyDays} days (${what(busiest)} on ${utcDate(busiestDay * MS_PER_DAY)}); the rule fires above ` +
        `${this.params.factor} times.`,
      windowStart: movements[0].timestamp,
      windowEnd: m.timestamp,
      movements,
      parties: [{ uid: key, role: 'subject' }],
      facts: {
        measure: this.params.measure,
        baseCurrency: this.context.money.currency,
        today,
        busiest,
        ratio: Math.round((today / busiest) * 100) / 100,
      },
    };
  }

  private sweep(day: number): void {
    let visited = 0;
    for (const [key, state] of this.accounts) {
      visited += state.days.size;
      for (const d of state.days.keys())
        if (d < day - this.params.historyDays) state.days.delete(d);
      if (state.days.size === 0) this.accounts.delete(key);
    }
    this.sweeper.swept(visited);
  }
}

/**
 * Spike: an account's day far above its own history — more than `factor` times its busiest
 * day of the previous `historyDays`, by number of transactions (default) or by amount.
 */
export const spikeDetector: ActivityDetector<SpikeParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.2.0',
  typology: 'velocity-spike',
  family: 'aml',
  description:
    'A day of one account far above its own history: more than a multiple of its busiest day in the previous history window, by transactions (or by amount).',
  source:
    "Flagright transaction-rules library (transaction volume spike against the user's own history)",
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
      name: 'measure',
      kind: 'string',
      values: ['count', 'volume'],
      description: 'Transactions a day (count) or amount a day in the base currency (volume).',
    },
    {
      name: 'factor',
      kind: 'number',
      min: 1,
      max: 1000,
      description: 'Multiple of the busiest history day that fires.',
    },
    {
      name: 'minTransactions',
      kind: 'integer',
      min: 1,
      max: 100000,
      description: 'Fewest transactions in the day.',
    },
    {
      name: 'minAmount',
      kind: 'decimal',
      description:
        'Smallest daily volume that can fire (volume measure), in major units of the base currency.',
    },
    {
      name: 'direction',
      kind: 'string',
      values: ['out', 'in', 'both'],
      description: "Whose transactions count: the sender's ('out'), the receiver's ('in') or both.",
    },
  ],
  defaults: (_config: DetectorsConfig): SpikeParams => ({
    historyDays: 90,
    minHistoryDays: 30,
    measure: 'count',
    factor: 5,
    minTransactions: 20,
    minAmount: '10000.00',
    direction: 'out',
  }),
  lookbackMs: (params) => params.historyDays * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new SpikeEvaluator(params, context),
};
