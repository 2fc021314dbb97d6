import type { DetectorsConfig } from '@app/settings';
import { formatBase } from '@app/vocabulary';
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
import { tracks } from '../core/evaluator-helpers';
import {
  amountSpread,
  CounterpartyHistory,
  CounterpartyReach,
  spreadShare,
} from '../core/fan-history';
import type { Burst } from '../core/fan-history';
import { durationText, instant, MS_PER_DAY, plural } from '../core/format';
import { totalWithBase } from '../core/base-amounts';
import { minorIn } from '../core/parameters';
import { roundScore } from '../core/scoring';
import {
  DEFAULT_TRANSFER_FILTER,
  TRANSFER_FILTER_SPECS,
  TransferFilter,
} from '../core/transfer-filter';
import type { TransferFilterParams } from '../core/transfer-filter';

export type FanParams = TransferFilterParams & {
  /** The burst: new counterparties count together inside this many days. */
  windowDays: number;
  /** History before the burst that makes a counterparty known (and gives the usual volume). */
  historyDays: number;
  /** New counterparties at which a fan fires whatever its total ("more than 4" = 5). */
  minCounterparties: number;
  /** Fewest new counterparties of a small fan, which must also move at least `minTotal`. */
  minSmallFanCounterparties: number;
  /** Total (base currency, major units) a small fan must move. */
  minTotal: string;
  /**
   * In a small fan, counterparties other than the largest must carry at least this share of the
   * total (a fan spreads money; one large payment beside small everyday ones does not).
   */
  minSpreadShare: number;
  /** The burst must move at least this many times the key's usual volume for such a window. */
  spikeFactor: number;
  /**
   * A counterparty that dealt with at least this many distinct accounts in the fan's direction
   * (for fan-in: paid them; for fan-out: was paid by them) within the look-back is a business
   * dealing with the public and is not counted as a new counterparty (0 = off).
   */
  publicReach: number;
};

type Direction = 'in' | 'out';

/** Degree at which the degree part of the score is full. */
const FULL_DEGREE = 10;

class FanEvaluator implements Evaluator {
  private readonly history: CounterpartyHistory;
  private readonly reach: CounterpartyReach;
  private readonly episodes: EpisodeTracker;
  private readonly windowMs: number;
  private readonly filter: TransferFilter;
  private readonly ignored: ReadonlySet<string>;
  private readonly minTotalBase: number;

  constructor(
    ruleId: string,
    private readonly direction: Direction,
    private readonly params: FanParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowDays * MS_PER_DAY;
    this.history = new CounterpartyHistory(params.historyDays * MS_PER_DAY, this.windowMs);
    this.reach = new CounterpartyReach((params.historyDays + params.windowDays) * MS_PER_DAY);
    this.episodes = new EpisodeTracker(ruleId, this.windowMs);
    this.filter = new TransferFilter(params, context.money);
    this.ignored = new Set(params.ignoredChannels);
    this.minTotalBase = minorIn(params.minTotal, context.money.currency);
  }

  onMovement(m: Movement): AlertDraft[] {
    if (m.fromAccount === m.toAccount || this.ignored.has(m.channel)) return [];
    const key = this.direction === 'out' ? m.fromAccount : m.toAccount;
    const counterparty = this.direction === 'out' ? m.toAccount : m.fromAccount;
    // Every movement tells how many accounts its counterparty deals with, whoever the key is.
    if (this.params.publicReach > 0) this.reach.record(counterparty, key, m.timestamp);
    if (!tracks(this.context, key) || !isMonitored(this.context.accounts, key)) return [];
    const counted = this.filter.accepts(m);
    this.history.record(key, {
      timestamp: m.timestamp,
      counterparty,
      counted,
      baseMinor: counted ? this.context.money.of(m) : 0,
      movement: m,
    });
    if (!counted) return [];
    // m is part of a burst only with a counterparty new to the key and not public: asked first,
    // so a busy account's movements with known counterparties cost a look-up, not a burst.
    if (
      !this.history.isNew(key, counterparty, m.timestamp) ||
      this.isPublic(counterparty, m.timestamp)
    )
      return [];
    const burst = this.history.burst(key, m.timestamp, (party) =>
      this.isPublic(party, m.timestamp),
    );
    if (!burst || !burst.movements.includes(m)) return [];
    const degree = burst.counterparties.length;
    const broad = degree >= this.params.minCounterparties;
    if (degree < Math.min(this.params.minSmallFanCounterparties, this.params.minCounterparties))
      return [];
    if (!broad && burst.totalBase < this.minTotalBase) return [];
    if (!broad && spreadShare(this.byCounterparty(burst)) < this.params.minSpreadShare) return [];
    if (burst.totalBase < this.params.spikeFactor * burst.usualPerWindow) return [];
    return [this.draft(key, burst, m.timestamp)];
  }

  stateSize(): number {
    return this.history.size() + this.reach.size() + this.episodes.size();
  }

  /**
   * Whether a counterparty deals with so many accounts (a payer paying the public, a payee paid
   * by it) that it is not one of a few parties feeding or fed by the key.
   */
  private isPublic(party: string, now: number): boolean {
    return this.params.publicReach > 0 && this.reach.reaches(party, now, this.params.publicReach);
  }

  /**
   * The burst's amounts summed per counterparty: a fan spreads money over counterparties, so one
   * payer paying twice beside a stranger is one large source, not two similar ones.
   */
  private byCounterparty(burst: Burst): number[] {
    const totals = new Map<string, number>();
    burst.movements.forEach((x, i) => {
      const party = this.direction === 'out' ? x.toAccount : x.fromAccount;
      totals.set(party, (totals.get(party) ?? 0) + burst.baseAmounts[i]);
    });
    return [...totals.values()];
  }

  private draft(key: string, burst: Burst, now: number): AlertDraft {
    const { movements, counterparties } = burst;
    const degree = counterparties.length;
    const start = movements[0].timestamp;
    const base = (minor: number): string => formatBase(this.context.money, minor);
    const parties: AlertParty[] = [
      { uid: key, role: 'subject' },
      ...counterparties.map((uid): AlertParty => ({ uid, role: 'counterparty' })),
    ];
    const out = this.direction === 'out';
    const spread = amountSpread(burst.baseAmounts);
    const ratio =
      burst.usualPerWindow > 0 ? Math.round((burst.totalBase / burst.usualPerWindow) * 10) / 10 : 0;
    // Score: 0.5 at the gate, rising with the degree, the concentration in time, the size
    // against the account's usual volume and the share of counterparties used only once.
    const degreePart = Math.min(
      1,
      Math.max(0, (degree - this.params.minSmallFanCounterparties) / FULL_DEGREE),
    );
    const concentration = 1 - Math.min(1, (now - start) / this.windowMs);
    // Without history the usual volume is unknown: no credit for the spike.
    const spikePart =
      burst.usualPerWindow <= 0
        ? 0
        : Math.min(1, Math.max(0, (ratio / this.params.spikeFactor - 1) / 9));
    const oncePart = burst.usedOnce / degree;
    const score = roundScore(
      0.5 + 0.25 * degreePart + 0.1 * concentration + 0.1 * spikePart + 0.05 * oncePart,
    );
    const usual =
      burst.usualPerWindow > 0
        ? `${ratio} times its usual ${out ? 'outgoing' : 'incoming'} transfer volume for ${durationText(this.windowMs)} (${base(burst.usualPerWindow)})`
        : `with no ${out ? 'outgoing' : 'incoming'} transfers of its own in the ${plural(this.params.historyDays, 'day')} before`;
    const leftOut = [
      burst.knownCounterparties > 0
        ? `${plural(burst.knownCounterparties, 'counterparty')} it already knew`
        : '',
      burst.publicCounterparties > 0
        ? `${plural(burst.publicCounterparties, 'counterparty')} that ${out ? 'was paid by' : 'paid'} ` +
          `${this.params.publicReach} or more different accounts in ${plural(this.params.historyDays + this.params.windowDays, 'day')}`
        : '',
    ].filter((part) => part !== '');
    const known = leftOut.length > 0 ? ` (${leftOut.join(' and ')} left out)` : '';
    const gate =
      degree >= this.params.minCounterparties
        ? `${this.params.minCounterparties} or more new counterparties`
        : `${this.params.minSmallFanCounterparties} or more new counterparties moving at least ${base(this.minTotalBase)}, ` +
          `${Math.round(this.params.minSpreadShare * 100)}% or more of it beside the largest ${out ? 'payee' : 'payer'}`;
    return {
      fingerprint: this.episodes.fingerprint([key], start, now),
      subject: key,
      score,
      explanation:
        `Account ${key} ${out ? 'sent' : 'received'} ${plural(movements.length, 'transfer')} ` +
        `${out ? 'to' : 'from'} ${degree} counterparties it had not ${out ? 'paid' : 'been paid by'} in the ` +
        `previous ${plural(this.params.historyDays, 'day')}${known}, within ${durationText(now - start)} ` +
        `(${instant(start)} to ${instant(now)}), totalling ${totalWithBase(this.context.money, movements, burst.totalBase)}, ` +
        `${usual}; amounts from ${base(Math.min(...burst.baseAmounts))} ` +
        `to ${base(Math.max(...burst.baseAmounts))}. The rule fires at ${gate} within ` +
        `${durationText(this.windowMs)}, at least ${this.params.spikeFactor} times the account's usual volume.`,
      windowStart: start,
      windowEnd: now,
      movements,
      parties,
      facts: {
        counterparties: degree,
        transactions: movements.length,
        direction: this.direction,
        totalBaseMinor: burst.totalBase,
        usualBaseMinor: burst.usualPerWindow,
        knownCounterparties: burst.knownCounterparties,
        publicCounterparties: burst.publicCounterparties,
        usedOnce: burst.usedOnce,
        amountSpread: Number.isFinite(spread) ? spread : -1,
        spreadShare: Math.round(spreadShare(this.byCounterparty(burst)) * 1000) / 1000,
      },
    };
  }
}

function fanDetector(direction: Direction): ActivityDetector<FanParams> {
  const id = direction === 'out' ? 'aml.fan-out' : 'aml.fan-in';
  const out = direction === 'out';
  return {
    kind: 'activity',
    id,
    version: '2.2.0',
    typology: out ? 'fan-out' : 'fan-in',
    family: 'aml',
    // The most generic network shape: an alert showing the same movements as another rule's
    // (a round-amount burst, a layer of a stack) stays with that rule.
    specificity: -1,
    description: out
      ? 'One account pays counterparties it had not paid in the previous 30 days within 7 days: 5 or more, or 2 or more moving at least 10000.00 in the base currency with 15% or more beside the largest payee, and at least 3 times its usual outgoing volume (card purchases, cash, payroll, rent, utilities and invoices do not count, nor payees paid by 20 or more different accounts in 37 days: shops and billers).'
      : 'One account is paid by counterparties that had not paid it in the previous 30 days within 7 days: 5 or more, or 2 or more moving at least 10000.00 in the base currency with 15% or more beside the largest payer, and at least 3 times its usual incoming volume (card takings, cash, salaries, rent, utilities and invoices do not count, nor payers that paid 20 or more different accounts in 37 days: employers, marketplaces, insurers).',
    source:
      `Flagright transaction-rules library (${out ? 'fan-out' : 'fan-in'}: more than 4 counterparties); ` +
      `IBM AMLSim ${out ? 'FanOut' : 'FanIn'} and IBM AMLworld ${out ? 'fan-out' : 'fan-in'} typologies (Altman et al. 2023); ` +
      'FATF red flags: transfers to or from many new counterparties, volume far above the account profile',
    parameters: [
      {
        name: 'windowDays',
        kind: 'integer',
        min: 1,
        max: 366,
        description: 'Burst window in days: new counterparties count together inside it.',
      },
      {
        name: 'historyDays',
        kind: 'integer',
        min: 1,
        max: 366,
        description:
          'History before the burst in days: a counterparty seen in it is known, not new; it also gives the usual volume.',
      },
      {
        name: 'minCounterparties',
        kind: 'integer',
        min: 2,
        max: 100000,
        description: 'New counterparties at which a fan fires whatever its total.',
      },
      {
        name: 'minSmallFanCounterparties',
        kind: 'integer',
        min: 2,
        max: 100000,
        description:
          'Fewest new counterparties of a smaller fan, which must move at least minTotal.',
      },
      {
        name: 'minTotal',
        kind: 'decimal',
        description: 'Total a smaller fan must move, in the base currency (major units).',
      },
      {
        name: 'minSpreadShare',
        kind: 'number',
        min: 0,
        max: 1,
        description:
          'Smaller fans: share of the total that counterparties other than the largest must carry.',
      },
      {
        name: 'spikeFactor',
        kind: 'number',
        min: 0,
        max: 1000,
        description:
          'The burst must move at least this many times what the account usually moves in such a window (0 = off).',
      },
      {
        name: 'publicReach',
        kind: 'integer',
        min: 0,
        max: 1000000,
        description:
          'A counterparty that paid (fan-in) or was paid by (fan-out) this many different accounts within windowDays + historyDays deals with the public (employer, marketplace, shop, biller) and does not count as a new counterparty (0 = off).',
      },
      ...TRANSFER_FILTER_SPECS,
    ],
    defaults: (config: DetectorsConfig): FanParams => ({
      windowDays: 7,
      historyDays: config.windowDays,
      minCounterparties: config.fanMinCounterparties,
      minSmallFanCounterparties: 2,
      minTotal: '10000.00',
      minSpreadShare: 0.15,
      spikeFactor: 3,
      publicReach: 20,
      ...DEFAULT_TRANSFER_FILTER,
    }),
    lookbackMs: (params) => (params.windowDays + params.historyDays) * MS_PER_DAY,
    // How many accounts a counterparty deals with needs every movement, not only the
    // candidates' own: the whole window is scanned (with the look-back). Without that test,
    // accounts with a counted transfer are candidates and only their movements are replayed.
    batchPlan: (params, money) => {
      if (params.publicReach > 0) return { kind: 'scan' };
      const filter = new TransferFilter(params, money);
      return {
        kind: 'accounts',
        direction,
        needsEvents: false,
        select: (m) => (filter.accepts(m) ? [out ? m.fromAccount : m.toAccount] : []),
      };
    },
    createEvaluator: (params, context) => new FanEvaluator(id, direction, params, context),
  };
}

/** Fan-out: one account paying several new counterparties in a short burst, far above its usual volume. */
export const fanOutDetector = fanDetector('out');
/** Fan-in: one account paid by several new counterparties in a short burst, far above its usual volume. */
export const fanInDetector = fanDetector('in');
