import type { DetectorsConfig } from '@app/settings';
import { currencyExponent } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { isMonitored } from '../core/account-directory';
import type { ActivityDetector, AlertDraft, Evaluator, EvaluatorContext } from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { tracks } from '../core/evaluator-helpers';
import { durationText, instant, money, MS_PER_DAY, MS_PER_MINUTE, totalText } from '../core/format';
import { minorIn } from '../core/parameters';
import { scoreAbove } from '../core/scoring';
import { TimeWindow } from '../core/time-window';
import { Sweeper } from '../core/sweeper';
import { ORDINARY_COMMERCE_REFERENCES, TransferFilter } from '../core/transfer-filter';

export type RoundAmountsParams = {
  windowDays: number;
  minTransactions: number;
  /** Share of round amounts needed (0.5 = half or more). */
  minRoundShare: number;
  /** Whose transactions count: the sender's ('out'), the receiver's ('in') or both. */
  direction: string;
  /**
   * Transactions below this amount (major units of the base currency) are ignored: small gifts
   * and shared bills are often round.
   */
  minAmount: string;
  /** Channels left out: cash withdrawals come in banknotes, so they are round by nature. */
  ignoredChannels: readonly string[];
  /** Purpose codes (references, case-insensitive) of ordinary commerce that never count. */
  exemptReferences: readonly string[];
  /**
   * Distinct payees that one account pays within `bulkWindowMinutes` to make a bulk run
   * (payroll, supplier run): its payments do not count.
   */
  bulkMinPayees: number;
  bulkWindowMinutes: number;
};

const RULE_ID = 'aml.round-amounts';

/**
 * True when the amount "ends in .00": a whole number of major units. For currencies without
 * minor units (JPY) a whole hundred counts instead.
 */
export function isRoundAmount(amountMinor: number, currency: string): boolean {
  const exponent = currencyExponent(currency);
  return amountMinor % (exponent === 0 ? 100 : 10 ** exponent) === 0;
}

/** A transaction in one key's window; `bulk` once it is known to be part of a bulk run. */
interface Entry {
  movement: Movement;
  timestamp: number;
  round: boolean;
  bulk: boolean;
}

interface KeyState {
  window: TimeWindow<Entry>;
  /** Entries in the window that count (not part of a bulk run), and the round ones among them. */
  counted: number;
  round: number;
}

class RoundAmountsEvaluator implements Evaluator {
  private readonly states = new Map<string, KeyState>();
  private readonly episodes: EpisodeTracker;
  private readonly windowMs: number;
  private readonly bulkMs: number;
  private readonly minAmountBase: number;
  private readonly filter: TransferFilter;
  private readonly sweeper = new Sweeper(4096);

  constructor(
    private readonly params: RoundAmountsParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowDays * MS_PER_DAY;
    this.bulkMs = params.bulkWindowMinutes * MS_PER_MINUTE;
    this.episodes = new EpisodeTracker(RULE_ID, this.windowMs);
    this.minAmountBase = minorIn(params.minAmount, context.money.currency);
    // Amounts are compared in the base currency below, so the filter's own floor is zero.
    this.filter = new TransferFilter(
      {
        ignoredChannels: params.ignoredChannels,
        exemptReferences: params.exemptReferences,
        minAmount: '0',
      },
      context.money,
    );
  }

  onMovement(m: Movement): AlertDraft[] {
    if (!this.filter.accepts(m)) return [];
    if (this.context.money.of(m) < this.minAmountBase) return [];
    if (this.sweeper.due()) this.sweep(m.timestamp);
    const keys: string[] = [];
    if (this.params.direction !== 'in') keys.push(m.fromAccount);
    if (this.params.direction !== 'out') keys.push(m.toAccount);
    const drafts: AlertDraft[] = [];
    for (const key of keys) {
      if (!tracks(this.context, key) || !isMonitored(this.context.accounts, key)) continue;
      const draft = this.add(key, m);
      if (draft) drafts.push(draft);
    }
    return drafts;
  }

  stateSize(): number {
    let total = this.episodes.size();
    for (const state of this.states.values()) total += state.window.length;
    return total;
  }

  private add(key: string, m: Movement): AlertDraft | undefined {
    let state = this.states.get(key);
    if (!state) {
      state = { window: new TimeWindow<Entry>(), counted: 0, round: 0 };
      this.states.set(key, state);
    }
    this.evict(state, m.timestamp);
    const entry: Entry = {
      movement: m,
      timestamp: m.timestamp,
      round: isRoundAmount(m.amountMinor, m.currency),
      bulk: false,
    };
    if (m.fromAccount === key) this.markBulkRun(key, state, entry);
    state.window.push(entry);
    if (!entry.bulk) {
      state.counted += 1;
      if (entry.round) state.round += 1;
    }
    const total = state.counted;
    if (entry.bulk || total < this.params.minTransactions) return undefined;
    const share = state.round / total;
    if (share < this.params.minRoundShare) return undefined;
    const movements: Movement[] = [];
    state.window.forEach((e) => {
      if (!e.bulk) movements.push(e.movement);
    });
    const start = movements[0].timestamp;
    const base = this.context.money.currency;
    const baseTotal = movements.reduce((sum, x) => sum + this.context.money.of(x), 0);
    const original = totalText(movements);
    return {
      fingerprint: this.episodes.fingerprint([key], start, m.timestamp),
      subject: key,
      score: scoreAbove(share, this.params.minRoundShare, 1),
      explanation:
        `${state.round} of ${total} transactions (${Math.round(share * 1000) / 10}%) of account ${key} ` +
        `within ${durationText(this.windowMs)} (${instant(start)} to ${instant(m.timestamp)}) are round amounts ` +
        `ending in .00, totalling ${original}` +
        (original === money(baseTotal, base) ? '' : ` (${money(baseTotal, base)})`) +
        `; the rule fires at ${Math.round(this.params.minRoundShare * 100)}% of ${this.params.minTransactions} or more transactions ` +
        `(payments of bulk runs to ${this.params.bulkMinPayees} or more payees within ${this.params.bulkWindowMinutes} minutes, such as payroll, do not count).`,
      windowStart: start,
      windowEnd: m.timestamp,
      movements,
      parties: [{ uid: key, role: 'subject' }],
      facts: {
        transactions: total,
        round: state.round,
        totalBaseMinor: baseTotal,
        baseCurrency: base,
      },
    };
  }

  /**
   * A bulk run: the key pays `bulkMinPayees` distinct payees within `bulkWindowMinutes` (an
   * employer's payroll, a supplier run: one file of payments, each payee once). The new
   * payment and the key's other payments of the run stop counting.
   */
  private markBulkRun(key: string, state: KeyState, entry: Entry): void {
    const run: Entry[] = [];
    const payees = new Set<string>([entry.movement.toAccount]);
    state.window.forEachAfter(entry.timestamp - this.bulkMs, (e) => {
      if (e.movement.fromAccount === key) {
        run.push(e);
        payees.add(e.movement.toAccount);
      }
      return true;
    });
    if (payees.size < this.params.bulkMinPayees) return;
    entry.bulk = true;
    for (const e of run) {
      if (e.bulk) continue;
      e.bulk = true;
      state.counted -= 1;
      if (e.round) state.round -= 1;
    }
  }

  private evict(state: KeyState, now: number): void {
    state.window.evictBefore(now - this.windowMs, (old) => {
      if (old.bulk) return;
      state.counted -= 1;
      if (old.round) state.round -= 1;
    });
  }

  private sweep(now: number): void {
    this.sweeper.swept(this.states.size);
    for (const [key, state] of this.states) {
      this.evict(state, now);
      if (state.window.length === 0) this.states.delete(key);
    }
  }
}

/**
 * Round amounts: half or more of 10+ transactions of an account in 7 days end in .00. Payments
 * of ordinary commerce (purpose codes salary, rent, utility, invoice) and payments of bulk runs
 * (one account paying 5+ distinct payees within 30 minutes: payroll, supplier runs) do not
 * count: an employer paying round salaries is normal life, repeated round transfers spread over
 * days are the pattern.
 */
export const roundAmountsDetector: ActivityDetector<RoundAmountsParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '2.0.0',
  typology: 'round-amounts',
  family: 'aml',
  description:
    'Half or more of at least 10 transactions of one account within 7 days are round amounts ending in .00, leaving out payroll and other bulk runs to many payees and payments of ordinary commerce (salary, rent, utility, invoice).',
  source:
    'Flagright transaction-rules library (round amounts: 50% or more of 10+ transactions in 7 days end in .00)',
  parameters: [
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
      min: 1,
      max: 100000,
      description: 'Transactions needed in the window.',
    },
    {
      name: 'minRoundShare',
      kind: 'number',
      min: 0.01,
      max: 1,
      description: 'Share of round amounts needed.',
    },
    {
      name: 'direction',
      kind: 'string',
      values: ['out', 'in', 'both'],
      description: "Whose transactions count: the sender's ('out'), the receiver's ('in') or both.",
    },
    {
      name: 'minAmount',
      kind: 'decimal',
      description: 'Transactions below this amount (major units) are ignored.',
    },
    {
      name: 'ignoredChannels',
      kind: 'stringList',
      description: 'Channels left out (cash is round by nature).',
    },
    {
      name: 'exemptReferences',
      kind: 'stringList',
      description:
        'Payment references (purpose codes, case-insensitive) that never count, e.g. salary.',
    },
    {
      name: 'bulkMinPayees',
      kind: 'integer',
      min: 2,
      max: 100000,
      description:
        'Distinct payees one account pays within bulkWindowMinutes that make a bulk run (payroll); its payments do not count.',
    },
    {
      name: 'bulkWindowMinutes',
      kind: 'integer',
      min: 1,
      max: 1440,
      description: 'Span of a bulk run in minutes.',
    },
  ],
  defaults: (_config: DetectorsConfig): RoundAmountsParams => ({
    windowDays: 7,
    minTransactions: 10,
    minRoundShare: 0.5,
    direction: 'out',
    minAmount: '100.00',
    ignoredChannels: ['cash'],
    exemptReferences: ORDINARY_COMMERCE_REFERENCES,
    bulkMinPayees: 5,
    bulkWindowMinutes: 30,
  }),
  lookbackMs: (params) => params.windowDays * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new RoundAmountsEvaluator(params, context),
};
