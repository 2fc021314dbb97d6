import type { DetectorsConfig } from '@app/settings';
import type { Movement } from '@app/vocabulary';
import { assertTimeZone, businessDayOf } from '../core/business-day';
import type {
  ActivityDetector,
  AlertDraft,
  AlertParty,
  Evaluator,
  EvaluatorContext,
} from '../core/detector';
import { fingerprintOf } from '../core/episode-tracker';
import { listedMovements } from '../core/explanation';
import { tracks } from '../core/evaluator-helpers';
import { MS_PER_DAY, money } from '../core/format';
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
/** Deposits or withdrawals listed in an explanation; the rest are counted (all in movementIds). */
const LISTED_MOVEMENTS = 50;

interface DayState {
  day: string;
  movements: Movement[];
}

/** A cash movement with its customer account and its amount in the base currency. */
interface Counted {
  movement: Movement;
  account: string;
  baseMinor: number;
}

class CashAggregationEvaluator implements Evaluator {
  /** Per person (or holder-less account) and direction: the current business day's cash. */
  private readonly days = new Map<string, DayState>();
  private readonly sweeper = new Sweeper(1024);
  private readonly thresholdMinor: number;

  constructor(
    private readonly params: CashAggregationParams,
    private readonly context: EvaluatorContext,
  ) {
    assertTimeZone(params.timezone);
    this.thresholdMinor = minorIn(params.threshold, context.money.currency);
  }

  onMovement(m: Movement): AlertDraft[] {
    const side = cashSideOf(m, this.context);
    if (!side || !tracks(this.context, side.key)) return [];
    const day = businessDayOf(m.timestamp, this.params.timezone, this.params.cutoffHour);
    if (this.sweeper.due()) this.evictOldDays(day);
    // 31 CFR 1010.313 aggregates per person: every holder of the account counts the cash toward
    // their own day; an account whose holders are unknown stands for its own person.
    const holders = this.context.accounts.holdersOf(side.key);
    const persons = holders.length > 0 ? holders : [side.key];
    const drafts: AlertDraft[] = [];
    for (const person of persons) {
      const key = `${person}|${side.direction}`;
      let state = this.days.get(key);
      if (!state || state.day !== day) {
        state = { day, movements: [] };
        this.days.set(key, state);
      }
      state.movements.push(m);
      const draft = this.check(person, holders.length > 0, side.direction, state);
      if (draft) drafts.push(draft);
    }
    return drafts;
  }

  stateSize(): number {
    let total = 0;
    for (const state of this.days.values()) total += state.movements.length;
    return total;
  }

  private check(
    person: string,
    isHolder: boolean,
    direction: 'deposit' | 'withdrawal',
    state: DayState,
  ): AlertDraft | undefined {
    const counted = state.movements.map((movement): Counted => ({
      movement,
      account: direction === 'deposit' ? movement.toAccount : movement.fromAccount,
      baseMinor: this.context.money.of(movement),
    }));
    const total = counted.reduce((sum, c) => sum + c.baseMinor, 0);
    const largest = Math.max(...counted.map((c) => c.baseMinor));
    const threshold = this.thresholdMinor;
    // Aggregation is what makes the day reportable: several transactions, none reportable alone.
    if (counted.length < this.params.minTransactions || total <= threshold || largest > threshold)
      return undefined;
    const base = this.context.money.currency;
    const accounts = [...new Set(counted.map((c) => c.account))].sort();
    const what = direction === 'deposit' ? 'cash deposits' : 'cash withdrawals';
    const who = isHolder
      ? `Holder ${person} made ${counted.length} ${what} ${direction === 'deposit' ? 'into' : 'from'} ` +
        `${accounts.length === 1 ? 'account' : `${accounts.length} accounts`} ${accounts.join(', ')}`
      : `Account ${person} made ${counted.length} ${what}`;
    const items = counted.map(({ movement: x, account, baseMinor }) => {
      const original = money(x.amountMinor, x.currency);
      const converted = x.currency === base ? '' : ` = ${money(baseMinor, base)}`;
      return `${original}${converted} ${direction === 'deposit' ? 'into' : 'from'} ${account}`;
    });
    const last = counted[counted.length - 1].movement;
    return {
      fingerprint: fingerprintOf(RULE_ID, `${person}|${direction}`, state.day),
      subject: person,
      score: scoreAbove(total, threshold, threshold * 3),
      explanation:
        `${who} counting toward business day ${state.day} ` +
        `(${this.params.timezone}; nights from ${this.params.cutoffHour}:00 and weekends roll to the next business day), ` +
        `totalling ${money(total, base)}, over the ${money(threshold, base)} reporting threshold ` +
        `although no single one exceeds it (largest ${money(largest, base)}): ${listedMovements(items, LISTED_MOVEMENTS)}.`,
      windowStart: counted[0].movement.timestamp,
      windowEnd: last.timestamp,
      movements: counted.map((c) => c.movement),
      parties: [
        { uid: person, role: 'subject' },
        ...(isHolder ? accounts.map((uid): AlertParty => ({ uid, role: 'member' })) : []),
      ],
      facts: {
        businessDay: state.day,
        transactions: counted.length,
        accounts: accounts.length,
        totalMinor: total,
        thresholdMinor: threshold,
        largestMinor: largest,
        baseCurrency: base,
        direction,
      },
    };
  }

  /** Business days only move forward: days before the current one can never grow again. */
  private evictOldDays(currentDay: string): void {
    this.sweeper.swept(this.days.size);
    for (const [key, state] of this.days) if (state.day < currentDay) this.days.delete(key);
  }
}

/**
 * Cash aggregation per business day (31 CFR 1010.313): several cash transactions by or for one
 * person — across all the accounts they hold (HOLDS) — that together exceed the reporting
 * threshold on one business day, although none does alone. Amounts are compared in the base
 * currency. Night and weekend cash counts toward the next business day. An account with no
 * known holder counts as its own person; each holder of a joint account counts its cash.
 */
export const cashAggregationDetector: ActivityDetector<CashAggregationParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '2.0.0',
  typology: 'structuring',
  purpose: 'reporting',
  family: 'aml',
  description:
    'Multiple cash transactions of one person (all the accounts they hold) in one business day that together exceed the reporting threshold while each stays at or below it.',
  source:
    '31 CFR 1010.313 (aggregation of multiple currency transactions) with 31 CFR 1010.311 threshold',
  parameters: [
    {
      name: 'threshold',
      kind: 'decimal',
      description: 'Cash reporting threshold in major units of the base currency.',
    },
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
