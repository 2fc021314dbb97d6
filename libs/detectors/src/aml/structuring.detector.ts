import type { DetectorsConfig } from '@app/settings';
import { formatBase } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { isCashPoint } from '../core/account-directory';
import { baseTotal, totalWithBase } from '../core/base-amounts';
import type {
  ActivityDetector,
  AlertDraft,
  AlertParty,
  Evaluator,
  EvaluatorContext,
} from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { inTimeOrder, tracks } from '../core/evaluator-helpers';
import { durationText, instant, MS_PER_DAY, MS_PER_HOUR, unique } from '../core/format';
import { minorIn } from '../core/parameters';
import { scoreAbove } from '../core/scoring';
import { KeyedWindows } from '../core/time-window';

export type StructuringParams = {
  /** Reporting threshold in major units of the base currency; amounts are compared converted. */
  threshold: string;
  /** Cash at or above threshold × (100 − band)% and below the threshold is "just below". */
  bandPercent: number;
  windowDays: number;
  minTransactions: number;
  /**
   * Hours within which a depositor passing its just-below-threshold cash on to another account
   * makes that account the beneficiary (many depositors feeding one collector).
   */
  forwardHours: number;
  /** The forwarded amount must be at least this share of the deposit. */
  forwardMinShare: number;
};

interface Deposit {
  timestamp: number;
  movement: Movement;
  /** The deposit in base-currency minor units. */
  baseMinor: number;
  forwarded: boolean;
}

interface Collected {
  timestamp: number;
  deposit: Movement;
  forward: Movement;
}

const RULE_ID = 'aml.structuring';

/** Lowest amount of the band just below the threshold, in minor units (rounded up). */
export function structuringBandLow(thresholdMinor: number, bandPercent: number): number {
  return Math.ceil((thresholdMinor * (100 - bandPercent)) / 100);
}

interface Keyed {
  key: string;
  direction: 'deposit' | 'withdrawal';
}

/**
 * The customer side of a cash movement: deposits go from a cash point to the customer,
 * withdrawals from the customer to a cash point.
 */
export function cashSideOf(m: Movement, context: EvaluatorContext): Keyed | undefined {
  if (m.channel !== 'cash') return undefined;
  const fromCash = isCashPoint(context.accounts, m.fromAccount);
  const toCash = isCashPoint(context.accounts, m.toAccount);
  if (fromCash && !toCash) return { key: m.toAccount, direction: 'deposit' };
  if (toCash && !fromCash) return { key: m.fromAccount, direction: 'withdrawal' };
  // Cash handed from one customer account to another: the beneficiary is structuring's key.
  if (!fromCash && !toCash) return { key: m.toAccount, direction: 'deposit' };
  return undefined;
}

class StructuringEvaluator implements Evaluator {
  private readonly windows: KeyedWindows<Movement>;
  private readonly deposits: KeyedWindows<Deposit>;
  private readonly collected: KeyedWindows<Collected>;
  private readonly episodes: EpisodeTracker;
  private readonly windowMs: number;
  /** The threshold and the band's low end in base-currency minor units. */
  private readonly thresholdMinor: number;
  private readonly low: number;

  constructor(
    private readonly params: StructuringParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowDays * MS_PER_DAY;
    this.thresholdMinor = minorIn(params.threshold, context.money.currency);
    this.low = structuringBandLow(this.thresholdMinor, params.bandPercent);
    this.windows = new KeyedWindows<Movement>(this.windowMs);
    this.deposits = new KeyedWindows<Deposit>(params.forwardHours * MS_PER_HOUR);
    this.collected = new KeyedWindows<Collected>(this.windowMs);
    this.episodes = new EpisodeTracker(RULE_ID, this.windowMs);
  }

  onMovement(m: Movement): AlertDraft[] {
    const side = cashSideOf(m, this.context);
    if (!side) return m.channel === 'cash' ? [] : this.forwarded(m);
    const { thresholdMinor, low } = this;
    const baseMinor = this.context.money.of(m);
    if (baseMinor < low || baseMinor >= thresholdMinor) return [];
    if (side.direction === 'deposit') {
      this.deposits.push(side.key, {
        timestamp: m.timestamp,
        movement: m,
        baseMinor,
        forwarded: false,
      });
    }
    if (!tracks(this.context, side.key)) return [];
    // Every currency counts together: the band is in the base currency.
    const keyOf = `${side.key}|${side.direction}`;
    const window = this.windows.push(keyOf, m).values();
    if (window.length < this.params.minTransactions) return [];

    const start = window[0].timestamp;
    const fingerprint = this.episodes.fingerprint([keyOf], start, m.timestamp);
    const sources = unique(
      window.map((w) => (side.direction === 'deposit' ? w.fromAccount : w.toAccount)),
    );
    const counterparties = sources.filter((uid) => !isCashPoint(this.context.accounts, uid));
    const parties: AlertParty[] = [
      { uid: side.key, role: 'subject' },
      ...counterparties.map((uid): AlertParty => ({ uid, role: 'counterparty' })),
    ];
    const verb = side.direction === 'deposit' ? 'received' : 'withdrew';
    const what = side.direction === 'deposit' ? 'cash deposits' : 'cash withdrawals';
    const via = side.direction === 'deposit' ? 'from' : 'at';
    const base = (minor: number): string => formatBase(this.context.money, minor);
    const totalBaseMinor = baseTotal(this.context.money, window);
    return [
      {
        fingerprint,
        subject: side.key,
        score: scoreAbove(
          window.length,
          this.params.minTransactions,
          this.params.minTransactions * 3,
        ),
        explanation:
          `Account ${side.key} ${verb} ${window.length} ${what} between ${base(low)} and ` +
          `${base(thresholdMinor - 1)}, just below the ${base(thresholdMinor)} ` +
          `reporting threshold, within ${durationText(this.windowMs)} ` +
          `(${instant(start)} to ${instant(m.timestamp)}), totalling ${totalWithBase(this.context.money, window, totalBaseMinor)} ` +
          `${via} ${sources.length} source${sources.length === 1 ? '' : 's'}.`,
        windowStart: start,
        windowEnd: m.timestamp,
        movements: window,
        parties,
        facts: {
          transactions: window.length,
          baseCurrency: this.context.money.currency,
          thresholdMinor,
          bandLowMinor: low,
          totalBaseMinor,
          sources: sources.length,
          direction: side.direction,
        },
      },
    ];
  }

  stateSize(): number {
    return (
      this.windows.size() + this.deposits.size() + this.collected.size() + this.episodes.size()
    );
  }

  /**
   * A non-cash transfer out of an account that has just received cash below the threshold:
   * if it passes most of that cash on, the receiver collects structured deposits.
   */
  private forwarded(m: Movement): AlertDraft[] {
    if (m.fromAccount === m.toAccount || !tracks(this.context, m.toAccount)) return [];
    const recent = this.deposits.get(m.fromAccount, m.timestamp);
    if (!recent) return [];
    let match: Deposit | undefined;
    let forwardBase: number | undefined;
    recent.forEach((d) => {
      if (match || d.forwarded || d.movement.timestamp > m.timestamp) return;
      forwardBase ??= this.context.money.of(m);
      // Compared in the base currency: the cash may be passed on in another currency.
      if (forwardBase >= d.baseMinor * this.params.forwardMinShare && forwardBase <= d.baseMinor) {
        match = d;
      }
    });
    if (!match) return [];
    match.forwarded = true;
    const collector = m.toAccount;
    const key = `${collector}|collected`;
    const items = this.collected
      .push(key, { timestamp: m.timestamp, deposit: match.movement, forward: m })
      .values();
    const depositors = unique(items.map((i) => i.forward.fromAccount)).sort();
    if (depositors.length < this.params.minTransactions) return [];
    const movements = inTimeOrder(items.flatMap((i) => [i.deposit, i.forward]));
    const deposits = items.map((i) => i.deposit);
    const forwards = items.map((i) => i.forward);
    const { thresholdMinor } = this;
    const start = movements[0].timestamp;
    const parties: AlertParty[] = [
      { uid: collector, role: 'subject' },
      ...depositors.map((uid): AlertParty => ({ uid, role: 'counterparty' })),
    ];
    return [
      {
        fingerprint: this.episodes.fingerprint([key], start, m.timestamp),
        subject: collector,
        score: scoreAbove(
          depositors.length,
          this.params.minTransactions,
          this.params.minTransactions * 3,
        ),
        explanation:
          `Account ${collector} collected ${totalWithBase(this.context.money, forwards)} from ${depositors.length} accounts ` +
          `(${depositors.join(', ')}), each passing on a cash deposit just below the ` +
          `${formatBase(this.context.money, thresholdMinor)} reporting threshold within ${durationText(this.params.forwardHours * MS_PER_HOUR)}; ` +
          `the deposits total ${totalWithBase(this.context.money, deposits)} between ${instant(start)} and ${instant(m.timestamp)}.`,
        windowStart: start,
        windowEnd: m.timestamp,
        movements,
        parties,
        facts: {
          depositors: depositors.length,
          baseCurrency: this.context.money.currency,
          thresholdMinor,
          direction: 'collected',
        },
      },
    ];
  }
}

/**
 * Structuring: several cash deposits (or withdrawals) each just below the cash reporting
 * threshold within a rolling window, for one account — whether one depositor or many pay into
 * that beneficiary. Amounts are compared in the base currency, whatever currency each is in.
 */
export const structuringDetector: ActivityDetector<StructuringParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.2.0',
  typology: 'structuring',
  family: 'aml',
  specificity: 2,
  description:
    'Several cash transactions just below the reporting threshold into (or out of) one account within a rolling window.',
  source:
    '31 CFR 1010.311 (CTR over 10,000 USD) and 31 U.S.C. 5324 (structuring); band and window after Tazama banded rule configs',
  parameters: [
    {
      name: 'threshold',
      kind: 'decimal',
      description: 'Cash reporting threshold in major units of the base currency.',
    },
    {
      name: 'bandPercent',
      kind: 'integer',
      min: 1,
      max: 50,
      description: 'Width of the band just below the threshold, in percent.',
    },
    {
      name: 'windowDays',
      kind: 'integer',
      min: 1,
      max: 366,
      description: 'Rolling window in days.',
    },
    {
      name: 'minTransactions',
      kind: 'integer',
      min: 2,
      max: 1000,
      description: 'Transactions in the band needed to fire.',
    },
    {
      name: 'forwardHours',
      kind: 'integer',
      min: 1,
      max: 24 * 30,
      description: 'Hours within which forwarded cash makes the receiver a collector.',
    },
    {
      name: 'forwardMinShare',
      kind: 'number',
      min: 0,
      max: 1,
      description: 'Smallest share of the deposit that must be forwarded.',
    },
  ],
  defaults: (config: DetectorsConfig): StructuringParams => ({
    threshold: config.cashReportingThreshold,
    bandPercent: config.structuringBandPercent,
    windowDays: config.windowDays,
    minTransactions: 3,
    forwardHours: 24,
    forwardMinShare: 0.9,
  }),
  lookbackMs: (params) => params.windowDays * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new StructuringEvaluator(params, context),
};
