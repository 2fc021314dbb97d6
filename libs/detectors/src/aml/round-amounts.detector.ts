import type { DetectorsConfig } from '@app/settings';
import { currencyExponent } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { isMonitored } from '../core/account-directory';
import type { ActivityDetector, AlertDraft, Evaluator, EvaluatorContext } from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { tracks } from '../core/evaluator-helpers';
import { durationText, instant, MS_PER_DAY, totalText } from '../core/format';
import { minorIn } from '../core/parameters';
import { scoreAbove } from '../core/scoring';
import { TimeWindow } from '../core/time-window';
import { Sweeper } from '../core/sweeper';

export type RoundAmountsParams = {
  windowDays: number;
  minTransactions: number;
  /** Share of round amounts needed (0.5 = half or more). */
  minRoundShare: number;
  /** Whose transactions count: the sender's ('out'), the receiver's ('in') or both. */
  direction: string;
  /** Transactions below this amount (major units) are ignored: small gifts and shared bills are often round. */
  minAmount: string;
  /** Channels left out: cash withdrawals come in banknotes, so they are round by nature. */
  ignoredChannels: readonly string[];
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

interface KeyState {
  window: TimeWindow<Movement>;
  round: number;
}

class RoundAmountsEvaluator implements Evaluator {
  private readonly states = new Map<string, KeyState>();
  private readonly episodes: EpisodeTracker;
  private readonly windowMs: number;
  private readonly sweeper = new Sweeper(4096);

  constructor(
    private readonly params: RoundAmountsParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowDays * MS_PER_DAY;
    this.episodes = new EpisodeTracker(RULE_ID, this.windowMs);
  }

  onMovement(m: Movement): AlertDraft[] {
    if (m.amountMinor < minorIn(this.params.minAmount, m.currency)) return [];
    if (this.params.ignoredChannels.includes(m.channel)) return [];
    if (this.sweeper.due()) this.sweep(m.timestamp);
    const keys: string[] = [];
    if (this.params.direction !== 'in') keys.push(m.fromAccount);
    if (this.params.direction !== 'out' && m.toAccount !== m.fromAccount) keys.push(m.toAccount);
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
      state = { window: new TimeWindow<Movement>(), round: 0 };
      this.states.set(key, state);
    }
    this.evict(state, m.timestamp);
    state.window.push(m);
    if (isRoundAmount(m.amountMinor, m.currency)) state.round += 1;
    const total = state.window.length;
    const share = state.round / total;
    if (total < this.params.minTransactions || share < this.params.minRoundShare) return undefined;
    const movements = state.window.values();
    const start = movements[0].timestamp;
    return {
      fingerprint: this.episodes.fingerprint([key], start, m.timestamp),
      subject: key,
      score: scoreAbove(share, this.params.minRoundShare, 1),
      explanation:
        `${state.round} of ${total} transactions (${Math.round(share * 1000) / 10}%) of account ${key} ` +
        `within ${durationText(this.windowMs)} (${instant(start)} to ${instant(m.timestamp)}) are round amounts ` +
        `ending in .00, totalling ${totalText(movements)}; the rule fires at ${Math.round(this.params.minRoundShare * 100)}% ` +
        `of ${this.params.minTransactions} or more transactions.`,
      windowStart: start,
      windowEnd: m.timestamp,
      movements,
      parties: [{ uid: key, role: 'subject' }],
      facts: { transactions: total, round: state.round },
    };
  }

  private evict(state: KeyState, now: number): void {
    state.window.evictBefore(now - this.windowMs, (old) => {
      if (isRoundAmount(old.amountMinor, old.currency)) state.round -= 1;
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

/** Round amounts: half or more of 10+ transactions of an account in 7 days end in .00. */
export const roundAmountsDetector: ActivityDetector<RoundAmountsParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.1.0',
  typology: 'round-amounts',
  family: 'aml',
  description:
    'Half or more of at least 10 transactions of one account within 7 days are round amounts ending in .00.',
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
  ],
  defaults: (_config: DetectorsConfig): RoundAmountsParams => ({
    windowDays: 7,
    minTransactions: 10,
    minRoundShare: 0.5,
    direction: 'out',
    minAmount: '100.00',
    ignoredChannels: ['cash'],
  }),
  lookbackMs: (params) => params.windowDays * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new RoundAmountsEvaluator(params, context),
};
