import type { DetectorsConfig } from '@app/settings';
import type { Movement } from '@app/vocabulary';
import { assertTimeZone, businessDayOf } from '../core/business-day';
import type { ActivityDetector, AlertDraft, Evaluator, EvaluatorContext } from '../core/detector';
import { fingerprintOf } from '../core/episode-tracker';
import { tracks } from '../core/evaluator-helpers';
import { MS_PER_DAY, money, totalMinor } from '../core/format';
import { minorIn } from '../core/parameters';
import { scoreAbove } from '../core/scoring';
import { Sweeper } from '../core/sweeper';
import { cashSideOf } from './structuring.detector';

export type CashAggregationParams = {
  threshold: string;
  /** IANA time zone that defines business days. */
  timezone: string;
  /** Local hour from which a deposit counts toward the next business day ("night"). */
  cutoffHour: number;
  minTransactions: number;
};

const RULE_ID = 'aml.cash-aggregation';

interface DayState {
  day: string;
  movements: Movement[];
}

class CashAggregationEvaluator implements Evaluator {
  /** Per account, direction and currency: the current business day's cash. */
  private readonly days = new Map<string, DayState>();
  private readonly sweeper = new Sweeper(1024);

  constructor(
    private readonly params: CashAggregationParams,
    private readonly context: EvaluatorContext,
  ) {
    assertTimeZone(params.timezone);
  }

  onMovement(m: Movement): AlertDraft[] {
    const side = cashSideOf(m, this.context);
    if (!side || !tracks(this.context, side.key)) return [];
    const day = businessDayOf(m.timestamp, this.params.timezone, this.params.cutoffHour);
    const key = `${side.key}|${side.direction}|${m.currency}`;
    let state = this.days.get(key);
    if (!state || state.day !== day) {
      state = { day, movements: [] };
      this.days.set(key, state);
    }
    state.movements.push(m);
    if (this.sweeper.due()) this.evictOldDays(day);

    const thresholdMinor = minorIn(this.params.threshold, m.currency);
    const total = totalMinor(state.movements);
    const largest = Math.max(...state.movements.map((x) => x.amountMinor));
    // Aggregation is what makes the day reportable: several transactions, none reportable alone.
    if (
      state.movements.length < this.params.minTransactions ||
      total <= thresholdMinor ||
      largest > thresholdMinor
    ) {
      return [];
    }
    const movements = [...state.movements];
    const what = side.direction === 'deposit' ? 'cash deposits' : 'cash withdrawals';
    return [
      {
        fingerprint: fingerprintOf(RULE_ID, key, day),
        subject: side.key,
        score: scoreAbove(total, thresholdMinor, thresholdMinor * 3),
        explanation:
          `Account ${side.key} made ${movements.length} ${what} counting toward business day ${day} ` +
          `(${this.params.timezone}; nights from ${this.params.cutoffHour}:00 and weekends roll to the next business day), ` +
          `totalling ${money(total, m.currency)}, over the ${money(thresholdMinor, m.currency)} reporting threshold ` +
          `although no single one exceeds it (largest ${money(largest, m.currency)}).`,
        windowStart: movements[0].timestamp,
        windowEnd: m.timestamp,
        movements,
        parties: [{ uid: side.key, role: 'subject' }],
        facts: {
          businessDay: day,
          transactions: movements.length,
          totalMinor: total,
          thresholdMinor,
          largestMinor: largest,
          direction: side.direction,
        },
      },
    ];
  }

  stateSize(): number {
    let total = 0;
    for (const state of this.days.values()) total += state.movements.length;
    return total;
  }

  /** Business days only move forward: days before the current one can never grow again. */
  private evictOldDays(currentDay: string): void {
    this.sweeper.swept(this.days.size);
    for (const [key, state] of this.days) if (state.day < currentDay) this.days.delete(key);
  }
}

/**
 * Cash aggregation per business day (31 CFR 1010.313): several cash transactions by or for one
 * account that together exceed the reporting threshold on one business day, although none does
 * alone. Night and weekend cash counts toward the next business day.
 */
export const cashAggregationDetector: ActivityDetector<CashAggregationParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.0.0',
  typology: 'structuring',
  purpose: 'reporting',
  family: 'aml',
  description:
    'Multiple cash transactions of one account in one business day that together exceed the reporting threshold while each stays at or below it.',
  source:
    '31 CFR 1010.313 (aggregation of multiple currency transactions) with 31 CFR 1010.311 threshold',
  parameters: [
    { name: 'threshold', kind: 'decimal', description: 'Cash reporting threshold in major units.' },
    { name: 'timezone', kind: 'string', description: 'IANA time zone of the business day.' },
    {
      name: 'cutoffHour',
      kind: 'integer',
      min: 1,
      max: 24,
      description:
        'Local hour from which cash counts toward the next business day (24 = no night roll).',
    },
    {
      name: 'minTransactions',
      kind: 'integer',
      min: 2,
      max: 1000,
      description: 'Transactions in the day needed to fire.',
    },
  ],
  defaults: (config: DetectorsConfig): CashAggregationParams => ({
    threshold: config.cashReportingThreshold,
    timezone: config.timezone,
    cutoffHour: 18,
    minTransactions: 2,
  }),
  lookbackMs: () => 4 * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan', channels: ['cash'] }),
  createEvaluator: (params, context) => new CashAggregationEvaluator(params, context),
};
