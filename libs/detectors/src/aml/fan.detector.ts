import type { DetectorsConfig } from '@app/settings';
import type { Movement } from '@app/vocabulary';
import { isMonitored } from '../core/account-directory';
import type {
  ActivityDetector,
  AlertDraft,
  AlertParty,
  Evaluator,
  EvaluatorContext,
} from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { inTimeOrder, receivedCurrency, receivedMinor, tracks } from '../core/evaluator-helpers';
import { durationText, instant, money, MS_PER_DAY, totalText } from '../core/format';
import { scoreAbove } from '../core/scoring';
import { TimeWindow } from '../core/time-window';
import {
  DEFAULT_TRANSFER_FILTER,
  TRANSFER_FILTER_SPECS,
  TransferFilter,
} from '../core/transfer-filter';
import type { TransferFilterParams } from '../core/transfer-filter';
import { Sweeper } from '../core/sweeper';

export type FanParams = TransferFilterParams & {
  windowDays: number;
  /** Distinct counterparties needed to fire ("more than 4" = 5). */
  minCounterparties: number;
  /**
   * Payments count together only when their amounts are similar: the largest is at most
   * (1 + tolerance) times the smallest. 0 turns the similarity test off (plain counting).
   */
  similarAmountTolerance: number;
};

type Direction = 'in' | 'out';

interface KeyState {
  window: TimeWindow<Movement>;
  /** Movements per counterparty inside the window. */
  counts: Map<string, number>;
}

/**
 * The largest group of payments to (or from) distinct counterparties whose amounts lie within
 * one similarity band that contains `pivot`'s amount. Without a tolerance: all of them.
 */
export function similarGroup(
  movements: readonly Movement[],
  pivot: Movement,
  counterpartyOf: (m: Movement) => string,
  tolerance: number,
  amountOf: (m: Movement) => { amount: number; currency: string } = (m) => ({
    amount: m.amountMinor,
    currency: m.currency,
  }),
): Movement[] {
  const centre = amountOf(pivot);
  const items = movements
    .map((m) => ({ m, ...amountOf(m) }))
    .filter((x) => x.currency === centre.currency);
  if (tolerance <= 0) return items.map((x) => x.m);
  const low = centre.amount / (1 + tolerance);
  const high = centre.amount * (1 + tolerance);
  const near = items
    .filter((x) => x.amount >= low && x.amount <= high)
    .sort((a, b) => a.amount - b.amount || a.m.timestamp - b.m.timestamp);
  let best: Movement[] = [];
  let bestDistinct = 0;
  for (let start = 0; start < near.length; start += 1) {
    if (near[start].amount > centre.amount) break;
    const ceiling = near[start].amount * (1 + tolerance);
    if (ceiling < centre.amount) continue;
    const band: Movement[] = [];
    for (let end = start; end < near.length && near[end].amount <= ceiling; end += 1) {
      band.push(near[end].m);
    }
    const distinct = new Set(band.map(counterpartyOf)).size;
    if (distinct > bestDistinct) {
      best = band;
      bestDistinct = distinct;
    }
  }
  return best;
}

class FanEvaluator implements Evaluator {
  private readonly states = new Map<string, KeyState>();
  private readonly episodes: EpisodeTracker;
  private readonly windowMs: number;
  private readonly filter: TransferFilter;
  private readonly sweeper = new Sweeper(4096);

  constructor(
    ruleId: string,
    private readonly direction: Direction,
    private readonly params: FanParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowDays * MS_PER_DAY;
    this.episodes = new EpisodeTracker(ruleId, this.windowMs);
    this.filter = new TransferFilter(params);
  }

  onMovement(m: Movement): AlertDraft[] {
    if (!this.filter.accepts(m)) return [];
    const key = this.direction === 'out' ? m.fromAccount : m.toAccount;
    const other = this.counterpartyOf(m);
    if (!tracks(this.context, key) || !isMonitored(this.context.accounts, key)) return [];
    if (this.sweeper.due()) this.sweep(m.timestamp);

    let state = this.states.get(key);
    if (!state) {
      state = { window: new TimeWindow<Movement>(), counts: new Map() };
      this.states.set(key, state);
    }
    this.evict(state, m.timestamp);
    state.window.push(m);
    state.counts.set(other, (state.counts.get(other) ?? 0) + 1);
    if (state.counts.size < this.params.minCounterparties) return [];

    const group = similarGroup(
      state.window.values(),
      m,
      (x) => this.counterpartyOf(x),
      this.params.similarAmountTolerance,
      // The key account's view: what it sent, or what it received in its own currency.
      (x) =>
        this.direction === 'out'
          ? { amount: x.amountMinor, currency: x.currency }
          : { amount: receivedMinor(x), currency: receivedCurrency(x) },
    );
    const others = [...new Set(group.map((x) => this.counterpartyOf(x)))].sort();
    if (others.length < this.params.minCounterparties) return [];
    const movements = inTimeOrder(group);
    const start = movements[0].timestamp;
    const fingerprint = this.episodes.fingerprint([key], start, m.timestamp);
    const parties: AlertParty[] = [
      { uid: key, role: 'subject' },
      ...others.map((uid): AlertParty => ({ uid, role: 'counterparty' })),
    ];
    const verb = this.direction === 'out' ? 'sent' : 'received';
    const preposition = this.direction === 'out' ? 'to' : 'from';
    const incoming = this.direction === 'in';
    const amounts = movements.map((x) => (incoming ? receivedMinor(x) : x.amountMinor));
    const currency = incoming ? receivedCurrency(m) : m.currency;
    const similar =
      this.params.similarAmountTolerance > 0
        ? ` of similar amounts (${money(Math.min(...amounts), currency)} to ${money(Math.max(...amounts), currency)})`
        : '';
    return [
      {
        fingerprint,
        subject: key,
        score: scoreAbove(
          others.length,
          this.params.minCounterparties,
          this.params.minCounterparties * 3,
        ),
        explanation:
          `Account ${key} ${verb} ${movements.length} payments${similar} ${preposition} ${others.length} distinct ` +
          `counterparties within ${durationText(m.timestamp - start)} (${instant(start)} to ${instant(m.timestamp)}), ` +
          `totalling ${totalText(movements)}; the rule fires at ${this.params.minCounterparties} or more within ` +
          `${durationText(this.windowMs)}.`,
        windowStart: start,
        windowEnd: m.timestamp,
        movements,
        parties,
        facts: {
          counterparties: others.length,
          transactions: movements.length,
          direction: this.direction,
        },
      },
    ];
  }

  stateSize(): number {
    let total = this.episodes.size();
    for (const state of this.states.values()) total += state.window.length;
    return total;
  }

  private counterpartyOf(m: Movement): string {
    return this.direction === 'out' ? m.toAccount : m.fromAccount;
  }

  private evict(state: KeyState, now: number): void {
    state.window.evictBefore(now - this.windowMs, (old) => {
      const other = this.counterpartyOf(old);
      const left = (state.counts.get(other) ?? 1) - 1;
      if (left <= 0) state.counts.delete(other);
      else state.counts.set(other, left);
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

function fanDetector(direction: Direction): ActivityDetector<FanParams> {
  const id = direction === 'out' ? 'aml.fan-out' : 'aml.fan-in';
  return {
    kind: 'activity',
    id,
    version: '1.1.0',
    typology: direction === 'out' ? 'fan-out' : 'fan-in',
    family: 'aml',
    description:
      direction === 'out'
        ? 'One account pays more than 4 distinct counterparties within 30 days, in transfers of similar amounts (card purchases, cash and payroll runs do not count).'
        : 'One account is paid by more than 4 distinct counterparties within 30 days, in transfers of similar amounts (card takings, cash and salaries do not count).',
    source:
      `Flagright transaction-rules library (${direction === 'out' ? 'fan-out' : 'fan-in'}: more than 4 counterparties in 30 days); ` +
      `IBM AMLSim ${direction === 'out' ? 'FanOut' : 'FanIn'} typology; FATF red flag: many transfers of similar amounts`,
    parameters: [
      {
        name: 'windowDays',
        kind: 'integer',
        min: 1,
        max: 366,
        description: 'Rolling window in days.',
      },
      {
        name: 'minCounterparties',
        kind: 'integer',
        min: 2,
        max: 100000,
        description: 'Distinct counterparties needed to fire.',
      },
      {
        name: 'similarAmountTolerance',
        kind: 'number',
        min: 0,
        max: 100,
        description: 'Largest / smallest amount − 1 within a group (0 = any amounts).',
      },
      ...TRANSFER_FILTER_SPECS,
    ],
    defaults: (config: DetectorsConfig): FanParams => ({
      windowDays: config.windowDays,
      minCounterparties: config.fanMinCounterparties,
      similarAmountTolerance: 0.25,
      ...DEFAULT_TRANSFER_FILTER,
    }),
    lookbackMs: (params) => params.windowDays * MS_PER_DAY,
    batchPlan: (params) => ({
      kind: 'fan',
      direction,
      minCounterparties: params.minCounterparties,
    }),
    createEvaluator: (params, context) => new FanEvaluator(id, direction, params, context),
  };
}

/** Fan-out: one account paying many distinct counterparties similar amounts in the window. */
export const fanOutDetector = fanDetector('out');
/** Fan-in: one account paid similar amounts by many distinct counterparties in the window. */
export const fanInDetector = fanDetector('in');
