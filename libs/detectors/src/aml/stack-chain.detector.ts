import type { DetectorsConfig } from '@app/settings';
import { formatBase } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { isCashPoint, isMonitored } from '../core/account-directory';
import type {
  ActivityDetector,
  AlertDraft,
  AlertParty,
  Evaluator,
  EvaluatorContext,
  ParameterSpec,
} from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { inTimeOrder, tracks } from '../core/evaluator-helpers';
import { durationText, instant, money, MS_PER_DAY, MS_PER_HOUR } from '../core/format';
import { LayerContacts, shareWithin } from '../core/layer-contacts';
import { minorIn } from '../core/parameters';
import { roundScore } from '../core/scoring';
import { Sweeper } from '../core/sweeper';
import { KeyedWindows } from '../core/time-window';
import {
  DEFAULT_TRANSFER_FILTER,
  TRANSFER_FILTER_SPECS,
  TransferFilter,
} from '../core/transfer-filter';

export type StackChainParams = {
  /** Longest delay between the payment into the intermediary and the payment it passes on. */
  hopHours: number;
  /** The payment passed on is at least this share of the one received (base currency)… */
  minRetained: number;
  /** …and at most this share. */
  maxRetained: number;
  /** Both payments are at least this amount, in major units of the base currency. */
  minAmount: string;
  /** How far back the rule remembers who dealt with whom (new relationships, hubs). */
  historyDays: number;
  /**
   * Earlier payments between two accounts that were themselves hops of a chain found in the
   * last this many days do not make their relationship an old one: the same layer used again.
   */
  repeatDays: number;
  /**
   * The intermediary and the final receiver have at most this many distinct counterparties
   * each way in the history window: billers, merchants and businesses are not layers.
   */
  maxDegree: number;
  ignoredChannels: readonly string[];
  exemptReferences: readonly string[];
};

const RULE_ID = 'aml.stack-chain';

/** A payment into an account that the account may pass on. */
interface Arrival {
  timestamp: number;
  movement: Movement;
  /** Paid amount in base-currency minor units. */
  base: number;
  /** Already matched to a payment passed on (each arrival is followed once). */
  passedOn: boolean;
}

/** One hop through an intermediary: what arrived and what it passed on. */
interface Chain {
  into: Movement;
  out: Movement;
  inBase: number;
  outBase: number;
  roundTrip: boolean;
  score: number;
  /** The chain told in words (once: an alert that grows quotes it again and again). */
  text: string;
}

/** Alerts quote at most this many chains (the latest) so that evidence stays readable. */
const MAX_CHAINS_PER_ALERT = 50;

class StackChainEvaluator implements Evaluator {
  /** Chains per open episode (fingerprint), forgotten once idle for the hop window. */
  private readonly stacks = new Map<string, { lastAt: number; chains: Chain[] }>();
  private readonly sweeper = new Sweeper(1024);
  /** Movements that were hops of a chain found, with the time found (within repeatDays). */
  private readonly chained = new Map<string, number>();
  private readonly chainedSweeper = new Sweeper(1024);
  private readonly repeatMs: number;
  private readonly arrivals: KeyedWindows<Arrival>;
  private readonly contacts: LayerContacts;
  private readonly episodes: EpisodeTracker;
  private readonly hopMs: number;
  private readonly filter: TransferFilter;
  private readonly minBase: number;

  constructor(
    private readonly params: StackChainParams,
    private readonly context: EvaluatorContext,
  ) {
    this.hopMs = params.hopHours * MS_PER_HOUR;
    this.repeatMs = params.repeatDays * MS_PER_DAY;
    this.arrivals = new KeyedWindows<Arrival>(this.hopMs);
    this.contacts = new LayerContacts(params.historyDays * MS_PER_DAY);
    this.episodes = new EpisodeTracker(RULE_ID, this.hopMs);
    this.filter = new TransferFilter({ ...params, minAmount: '0' }, context.money);
    this.minBase = minorIn(params.minAmount, context.money.currency);
  }

  onMovement(m: Movement): AlertDraft[] {
    if (!this.filter.accepts(m)) return [];
    const accounts = this.context.accounts;
    if (isCashPoint(accounts, m.fromAccount) || isCashPoint(accounts, m.toAccount)) return [];
    const now = m.timestamp;
    const base = this.context.money.of(m);
    const drafts = base >= this.minBase ? this.passedOn(m, base) : [];
    // Whether m opens a relationship is judged before m itself is remembered.
    const firstContact = !this.contacts.hasPaid(
      m.fromAccount,
      m.toAccount,
      now,
      this.layerHop(now),
    );
    this.contacts.add(m);
    // Only a payment from someone new can be the first hop of a chain: no other is kept.
    if (firstContact && base >= this.minBase && isMonitored(accounts, m.toAccount)) {
      this.arrivals.push(m.toAccount, { timestamp: now, movement: m, base, passedOn: false });
    }
    return drafts;
  }

  stateSize(): number {
    return (
      this.arrivals.size() +
      this.contacts.size() +
      this.episodes.size() +
      this.stacks.size +
      this.chained.size
    );
  }

  /** m leaves an intermediary: the arrival it passes on, if one matches. */
  private passedOn(m: Movement, base: number): AlertDraft[] {
    const middle = m.fromAccount;
    const receiver = m.toAccount;
    const now = m.timestamp;
    const { maxDegree, minRetained, maxRetained } = this.params;
    if (!tracks(this.context, middle) || !isMonitored(this.context.accounts, middle)) return [];
    const window = this.arrivals.get(middle, now);
    if (!window) return [];
    let best: Arrival | undefined;
    let bestGap = Number.POSITIVE_INFINITY;
    window.forEach((a) => {
      if (a.timestamp >= now || a.passedOn) return;
      if (!shareWithin(base, a.base, minRetained, maxRetained)) return;
      const gap = Math.abs(base - a.base);
      if (gap < bestGap) {
        best = a;
        bestGap = gap;
      }
    });
    if (!best) return [];
    const arrival: Arrival = best;
    const sender = arrival.movement.fromAccount;
    const roundTrip = sender === receiver;
    // A new relationship on the way out too (a round trip goes back to where it came from).
    if (!roundTrip && this.contacts.hasPaid(middle, receiver, now, this.layerHop(now))) return [];
    // Hubs are not layers: the intermediary and the final receiver are small accounts.
    if (
      this.contacts.payersOf(middle, now, maxDegree) > maxDegree ||
      this.contacts.payeesOf(middle, now, maxDegree) > maxDegree ||
      this.contacts.payersOf(receiver, now, maxDegree) > maxDegree
    )
      return [];
    arrival.passedOn = true;
    if (this.chainedSweeper.due()) this.sweepChained(now);
    this.chained.set(arrival.movement.movementId, now);
    this.chained.set(m.movementId, now);
    return [this.draft(arrival, m, base, roundTrip)];
  }

  /** Whether a movement was a hop of a chain found within repeatDays before `now`. */
  private layerHop(now: number): (movementId: string) => boolean {
    return (movementId) => {
      const at = this.chained.get(movementId);
      return at !== undefined && now - at <= this.repeatMs;
    };
  }

  private sweepChained(now: number): void {
    this.chainedSweeper.swept(this.chained.size);
    for (const [id, at] of this.chained) if (now - at > this.repeatMs) this.chained.delete(id);
  }

  private draft(arrival: Arrival, out: Movement, outBase: number, roundTrip: boolean): AlertDraft {
    const into = arrival.movement;
    const middle = out.fromAccount;
    const told = { into, out, inBase: arrival.base, outBase, roundTrip };
    const chain: Chain = {
      ...told,
      score: this.chainScore(arrival.base, outBase, out.timestamp - into.timestamp),
      text: this.chainText(told),
    };
    const now = out.timestamp;
    const fingerprint = this.episodes.fingerprint(
      [middle, into.fromAccount, out.toAccount],
      into.timestamp,
      now,
    );
    // Chains that share an account within the hop window are one stack (one alert that grows).
    if (this.sweeper.due()) this.sweepStacks(now);
    const stack = this.stacks.get(fingerprint) ?? { lastAt: now, chains: [] };
    stack.chains.push(chain);
    if (stack.chains.length > MAX_CHAINS_PER_ALERT) stack.chains.shift();
    stack.lastAt = now;
    this.stacks.set(fingerprint, stack);
    const chains = stack.chains;
    const parties = new Map<string, AlertParty['role']>();
    for (const c of chains) {
      parties.set(c.out.fromAccount, 'member');
      for (const uid of [c.into.fromAccount, c.out.toAccount])
        if (!parties.has(uid)) parties.set(uid, 'counterparty');
    }
    const first = chains[0];
    const subject = first.out.fromAccount;
    const movements = inTimeOrder(chains.flatMap((c) => [c.into, c.out]));
    const start = movements[0].timestamp;
    const lead =
      chains.length === 1
        ? ''
        : `${chains.length} forwarding chains sharing accounts between ${instant(start)} and ` +
          `${instant(now)}, each a layer of a stack: `;
    return {
      fingerprint,
      subject,
      score: Math.max(...chains.map((c) => c.score)),
      explanation: lead + chains.map((c) => c.text).join(' '),
      windowStart: start,
      windowEnd: now,
      movements,
      parties: [...parties.entries()]
        .map(([uid, role]): AlertParty => ({ uid, role: uid === subject ? 'subject' : role }))
        .sort((a, b) => (a.uid === subject ? -1 : b.uid === subject ? 1 : 0)),
      facts: {
        chains: chains.length,
        inBaseMinor: chains.reduce((sum, c) => sum + c.inBase, 0),
        outBaseMinor: chains.reduce((sum, c) => sum + c.outBase, 0),
        roundTrips: chains.filter((c) => c.roundTrip).length,
      },
    };
  }

  /** Closer amounts and shorter delays score higher; a same-amount hop at once scores 1. */
  private chainScore(inBase: number, outBase: number, delay: number): number {
    const closeness = 1 - Math.min(1, Math.abs(1 - outBase / inBase) / 0.15);
    const speed = 1 - Math.min(1, delay / this.hopMs);
    return roundScore(0.5 + 0.3 * closeness + 0.2 * speed);
  }

  private chainText(c: Omit<Chain, 'score' | 'text'>): string {
    const base = this.context.money;
    const converted = (m: Movement, b: number): string =>
      m.currency === base.currency
        ? money(m.amountMinor, m.currency)
        : `${money(m.amountMinor, m.currency)} (${formatBase(base, b)})`;
    const middle = c.out.fromAccount;
    return (
      `Account ${middle} received ${converted(c.into, c.inBase)} from ${c.into.fromAccount} ` +
      `(who had not paid it in the previous ${durationText(this.contacts.windowMs)}) at ` +
      `${instant(c.into.timestamp)} and ${durationText(c.out.timestamp - c.into.timestamp)} ` +
      `later paid ${converted(c.out, c.outBase)} ` +
      (c.roundTrip
        ? `back to ${c.out.toAccount}`
        : `on to ${c.out.toAccount}, an account it had not paid before`) +
      ` (${Math.round((c.outBase / c.inBase) * 1000) / 10}% of what arrived, in ${base.currency}).`
    );
  }

  private sweepStacks(now: number): void {
    this.sweeper.swept(this.stacks.size);
    for (const [fingerprint, stack] of this.stacks)
      if (now - stack.lastAt > this.hopMs) this.stacks.delete(fingerprint);
  }
}

const FILTER_SPECS: readonly ParameterSpec[] = TRANSFER_FILTER_SPECS.filter(
  (s) => s.name !== 'minAmount',
);

/**
 * Stack (layering through parallel chains), one chain at a time: an account receives a payment
 * from someone new and passes nearly the same amount (in the base currency) on to someone it
 * never paid before, within days. AMLworld's stacks are sets of such disjoint 2-hop chains;
 * every chain is evidence of the stack on its own.
 */
export const stackChainDetector: ActivityDetector<StackChainParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.0.0',
  typology: 'stack',
  family: 'aml',
  // The least specific reading of a forwarding hop: when another rule (pass-through, cycle,
  // mule chain, scatter-gather…) shows the same movements, its alert is the case.
  specificity: -1,
  description:
    'A forwarding layer: an account passes on 85–110% (base currency) of a payment from a new sender to a new receiver (or back) within 96 h; neither it nor the receiver is a hub; chains sharing accounts form one alert.',
  source:
    'IBM AMLworld stack pattern (parallel 2-hop chains; Altman et al. 2023); FATF layering indicators (funds passed through accounts)',
  parameters: [
    {
      name: 'hopHours',
      kind: 'integer',
      min: 1,
      max: 24 * 30,
      description: 'Longest delay, in hours, between receiving and passing on.',
    },
    {
      name: 'minRetained',
      kind: 'number',
      min: 0.01,
      max: 10,
      description: 'Smallest share of the payment received that is passed on.',
    },
    {
      name: 'maxRetained',
      kind: 'number',
      min: 0.01,
      max: 10,
      description: 'Largest share of the payment received that is passed on.',
    },
    {
      name: 'minAmount',
      kind: 'decimal',
      description: 'Smallest payment (major units of the base currency) followed.',
    },
    {
      name: 'historyDays',
      kind: 'integer',
      min: 1,
      max: 366,
      description: 'Days of contacts remembered (new relationships, hub degree).',
    },
    {
      name: 'repeatDays',
      kind: 'integer',
      min: 0,
      max: 366,
      description:
        'Days during which hops of a chain found may be repeated between the same accounts.',
    },
    {
      name: 'maxDegree',
      kind: 'integer',
      min: 1,
      max: 100000,
      description: 'Most distinct counterparties the intermediary and receiver may have.',
    },
    ...FILTER_SPECS,
  ],
  defaults: (_config: DetectorsConfig): StackChainParams => ({
    hopHours: 96,
    minRetained: 0.85,
    maxRetained: 1.1,
    minAmount: '1000.00',
    historyDays: 45,
    repeatDays: 14,
    maxDegree: 10,
    ignoredChannels: DEFAULT_TRANSFER_FILTER.ignoredChannels,
    exemptReferences: DEFAULT_TRANSFER_FILTER.exemptReferences,
  }),
  lookbackMs: (params) => params.historyDays * MS_PER_DAY + params.hopHours * MS_PER_HOUR,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new StackChainEvaluator(params, context),
};
