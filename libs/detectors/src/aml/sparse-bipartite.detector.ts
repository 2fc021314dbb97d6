import type { DetectorsConfig } from '@app/settings';
import { formatBase } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { isMonitored } from '../core/account-directory';
import { amountWithBase } from '../core/base-amounts';
import type { ActivityDetector, AlertDraft, Evaluator, EvaluatorContext } from '../core/detector';
import { fingerprintOf } from '../core/episode-tracker';
import { tracks } from '../core/evaluator-helpers';
import { instant, MS_PER_DAY, plural } from '../core/format';
import { scoreAbove } from '../core/scoring';
import { Sweeper } from '../core/sweeper';
import { TimeWindow } from '../core/time-window';
import {
  DEFAULT_TRANSFER_FILTER,
  TRANSFER_FILTER_SPECS,
  TransferFilter,
} from '../core/transfer-filter';
import type { TransferFilterParams } from '../core/transfer-filter';

export type SparseBipartiteParams = TransferFilterParams & {
  /** The pairs of one layer fall within this many days. */
  windowDays: number;
  /** Out-of-character pairs between distinct accounts needed in the window. */
  minPairs: number;
  /** Days of each account's own history the payment is compared with. */
  historyDays: number;
  /** Days the engine must have watched before it judges what is usual for an account. */
  minHistoryDays: number;
  /**
   * The payment must be at least this many times the largest amount the sender sent and the
   * receiver received during the history (any channel).
   */
  minMultiple: number;
};

const RULE_ID = 'aml.sparse-bipartite';

/**
 * Largest amount of one account in one direction over a sliding window: a monotonic queue
 * (timestamps increasing, amounts strictly decreasing), O(1) amortised per movement.
 */
class SlidingMax {
  private readonly times: number[] = [];
  private readonly amounts: number[] = [];
  private head = 0;

  push(timestamp: number, amount: number): void {
    while (this.times.length > this.head && this.amounts[this.amounts.length - 1] <= amount) {
      this.times.pop();
      this.amounts.pop();
    }
    this.times.push(timestamp);
    this.amounts.push(amount);
  }

  /** The largest amount at or after `from` (0 when none), dropping older entries. */
  maxSince(from: number): number {
    while (this.head < this.times.length && this.times[this.head] < from) this.head += 1;
    if (this.head > 32 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.amounts.splice(0, this.head);
      this.head = 0;
    }
    return this.head < this.amounts.length ? this.amounts[this.head] : 0;
  }

  get size(): number {
    return this.times.length - this.head;
  }
}

/** One out-of-character payment between two accounts that had not dealt with each other. */
interface Pair {
  timestamp: number;
  movement: Movement;
  baseMinor: number;
  /** Largest amounts the sender sent and the receiver received during the history (base minor). */
  usualSent: number;
  usualReceived: number;
  alerted: boolean;
}

class SparseBipartiteEvaluator implements Evaluator {
  private readonly filter: TransferFilter;
  private readonly historyMs: number;
  private readonly windowMs: number;
  private readonly sent = new Map<string, SlidingMax>();
  private readonly received = new Map<string, SlidingMax>();
  /** Last movement between two monitored accounts (either direction), keyed by the sorted pair. */
  private readonly contacts = new Map<string, number>();
  private readonly pairs = new TimeWindow<Pair>();
  /** How many pairs of the window each account takes part in (either side). */
  private readonly inPairs = new Map<string, number>();
  private readonly sweeper = new Sweeper(4096);
  private observedSince: number | undefined;

  constructor(
    private readonly params: SparseBipartiteParams,
    private readonly context: EvaluatorContext,
  ) {
    this.filter = new TransferFilter(params, context.money);
    this.historyMs = params.historyDays * MS_PER_DAY;
    this.windowMs = params.windowDays * MS_PER_DAY;
    this.observedSince = context.observedSince;
  }

  onMovement(m: Movement): AlertDraft[] {
    const now = m.timestamp;
    this.observedSince ??= now;
    if (this.sweeper.due()) this.sweep(now);
    if (m.fromAccount === m.toAccount) return [];
    const accounts = this.context.accounts;
    const monitored = isMonitored(accounts, m.fromAccount) && isMonitored(accounts, m.toAccount);
    const baseMinor = this.context.money.of(m);
    const since = now - this.historyMs;
    const key =
      m.fromAccount < m.toAccount
        ? `${m.fromAccount}\u0000${m.toAccount}`
        : `${m.toAccount}\u0000${m.fromAccount}`;

    let pair: Pair | undefined;
    if (
      monitored &&
      tracks(this.context, m.fromAccount) &&
      now - this.observedSince >= this.params.minHistoryDays * MS_PER_DAY &&
      this.filter.accepts(m)
    ) {
      const last = this.contacts.get(key);
      const firstContact = last === undefined || last < since;
      const usualSent = this.sent.get(m.fromAccount)?.maxSince(since) ?? 0;
      const usualReceived = this.received.get(m.toAccount)?.maxSince(since) ?? 0;
      const multiple = this.params.minMultiple;
      if (
        firstContact &&
        baseMinor >= multiple * usualSent &&
        baseMinor >= multiple * usualReceived
      ) {
        pair = { timestamp: now, movement: m, baseMinor, usualSent, usualReceived, alerted: false };
      }
    }

    this.remember(this.sent, m.fromAccount, now, baseMinor);
    this.remember(this.received, m.toAccount, now, baseMinor);
    if (monitored) this.contacts.set(key, now);

    this.pairs.evictBefore(now - this.windowMs, (old) => {
      this.release(old.movement.fromAccount);
      this.release(old.movement.toAccount);
    });
    if (!pair) return [];
    const clash =
      (this.inPairs.get(m.fromAccount) ?? 0) > 0 || (this.inPairs.get(m.toAccount) ?? 0) > 0;
    this.pairs.push(pair);
    this.inPairs.set(m.fromAccount, (this.inPairs.get(m.fromAccount) ?? 0) + 1);
    this.inPairs.set(m.toAccount, (this.inPairs.get(m.toAccount) ?? 0) + 1);
    // An account already in another pair of the window makes a fan or a chain, not a matching.
    if (clash) return [];

    const layer = this.pairs
      .values()
      .filter(
        (p) =>
          p.movement.channel === m.channel &&
          this.inPairs.get(p.movement.fromAccount) === 1 &&
          this.inPairs.get(p.movement.toAccount) === 1,
      );
    if (layer.length < this.params.minPairs) return [];
    return layer.filter((p) => !p.alerted).map((p) => this.draft(p, layer));
  }

  stateSize(): number {
    let total = this.contacts.size + this.pairs.length;
    for (const q of this.sent.values()) total += q.size;
    for (const q of this.received.values()) total += q.size;
    return total;
  }

  private remember(
    map: Map<string, SlidingMax>,
    account: string,
    at: number,
    amount: number,
  ): void {
    let queue = map.get(account);
    if (!queue) {
      queue = new SlidingMax();
      map.set(account, queue);
    }
    queue.push(at, amount);
  }

  private release(account: string): void {
    const count = (this.inPairs.get(account) ?? 0) - 1;
    if (count > 0) this.inPairs.set(account, count);
    else this.inPairs.delete(account);
  }

  private draft(pair: Pair, layer: readonly Pair[]): AlertDraft {
    pair.alerted = true;
    const m = pair.movement;
    const money = this.context.money;
    const { historyDays, minMultiple } = this.params;
    const times = (usual: number): number =>
      usual === 0 ? Number.POSITIVE_INFINITY : pair.baseMinor / usual;
    const sentTimes = times(pair.usualSent);
    const receivedTimes = times(pair.usualReceived);
    const habit = (usual: number, ratio: number, who: string, verb: string): string =>
      usual === 0
        ? `${who} had ${verb} nothing in the previous ${plural(historyDays, 'day')}`
        : `${Math.floor(ratio * 10) / 10} times the largest amount ${who} had ${verb} in the previous ` +
          `${plural(historyDays, 'day')} (${formatBase(money, usual)})`;
    const others = layer.filter((p) => p !== pair);
    const shown = others
      .slice(0, 5)
      .map((p) => `${p.movement.fromAccount} → ${p.movement.toAccount}`)
      .join(', ');
    const more = others.length > 5 ? ` and ${others.length - 5} more` : '';
    const start = layer[0].timestamp;
    const end = layer[layer.length - 1].timestamp;
    const weakest = Math.min(sentTimes, receivedTimes);
    return {
      fingerprint: fingerprintOf(RULE_ID, m.movementId),
      subject: m.fromAccount,
      score: scoreAbove(
        Number.isFinite(weakest) ? weakest : minMultiple * 10,
        minMultiple,
        minMultiple * 10,
      ),
      explanation:
        `${m.fromAccount} paid ${m.toAccount} ${amountWithBase(money, m, pair.baseMinor)} by ${m.channel} ` +
        `at ${instant(m.timestamp)}, the first payment between them in ${plural(historyDays, 'day')}: ` +
        `${habit(pair.usualSent, sentTimes, 'the sender', 'sent')}, and ` +
        `${habit(pair.usualReceived, receivedTimes, 'the receiver', 'received')}. ` +
        `It is one of ${layer.length} such payments by ${m.channel} between ${instant(start)} and ${instant(end)}, ` +
        `each between two accounts that took part in no other (${shown}${more}): unconnected senders ` +
        `each paying one new receiver far beyond their habits (at least ${minMultiple} times), the sparse form ` +
        `of a bipartite layering layer. Check whether the senders and receivers share owners, devices or addresses.`,
      windowStart: m.timestamp,
      windowEnd: m.timestamp,
      movements: [m],
      parties: [
        { uid: m.fromAccount, role: 'subject' },
        { uid: m.toAccount, role: 'counterparty' },
      ],
      facts: {
        baseCurrency: money.currency,
        pairsInWindow: layer.length,
        timesLargestSent: Number.isFinite(sentTimes)
          ? Math.floor(sentTimes * 100) / 100
          : 'none sent',
        timesLargestReceived: Number.isFinite(receivedTimes)
          ? Math.floor(receivedTimes * 100) / 100
          : 'none received',
      },
    };
  }

  private sweep(now: number): void {
    const since = now - this.historyMs;
    let visited = 0;
    for (const [key, at] of this.contacts) {
      visited += 1;
      if (at < since) this.contacts.delete(key);
    }
    for (const map of [this.sent, this.received]) {
      for (const [account, queue] of map) {
        visited += 1;
        queue.maxSince(since);
        if (queue.size === 0) map.delete(account);
      }
    }
    this.sweeper.swept(visited);
  }
}

/**
 * Sparse bipartite: several unconnected senders, each paying one receiver it had not dealt with,
 * far above what either side usually sends or receives, through one channel within a few days.
 */
export const sparseBipartiteDetector: ActivityDetector<SparseBipartiteParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.0.0',
  typology: 'bipartite',
  family: 'aml',
  // Broad: one payment of a layer; a more specific alert holding that payment shows it instead.
  specificity: -1,
  description:
    'Several payments within a few days through one channel, each between two accounts that had not dealt with each other and take part in no other such payment, each far above what the sender usually sends and the receiver usually receives: a sparse bipartite layer (a matching of senders to receivers).',
  source:
    "IBM AMLworld bipartite pattern (Altman et al. 2023), whose layers are matchings of single payments; the common monitoring indicator of a payment out of line with the customer's own history",
  parameters: [
    {
      name: 'windowDays',
      kind: 'integer',
      min: 1,
      max: 31,
      description: 'Days within which the payments of one layer fall.',
    },
    {
      name: 'minPairs',
      kind: 'integer',
      min: 1,
      max: 1000,
      description: 'Such payments between distinct accounts needed in the window.',
    },
    {
      name: 'historyDays',
      kind: 'integer',
      min: 1,
      max: 366,
      description: "Days of each account's own history the payment is compared with.",
    },
    {
      name: 'minHistoryDays',
      kind: 'integer',
      min: 0,
      max: 366,
      description: 'Days watched before the rule judges what is usual for an account.',
    },
    {
      name: 'minMultiple',
      kind: 'integer',
      min: 1,
      max: 1000,
      description:
        'The payment is at least this many times the largest amount the sender sent and the receiver received in the history.',
    },
    ...TRANSFER_FILTER_SPECS.map((spec) =>
      spec.name === 'minAmount'
        ? {
            ...spec,
            description: 'Smallest payment (major units of the base currency) that counts.',
          }
        : spec,
    ),
  ],
  defaults: (_config: DetectorsConfig): SparseBipartiteParams => ({
    ...DEFAULT_TRANSFER_FILTER,
    // Friends' transfers of a few hundred (internal channel) made false layers at 500.00.
    minAmount: '1000.00',
    windowDays: 3,
    minPairs: 3,
    historyDays: 30,
    minHistoryDays: 14,
    minMultiple: 3,
  }),
  lookbackMs: (params) => (params.historyDays + params.windowDays) * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new SparseBipartiteEvaluator(params, context),
};
