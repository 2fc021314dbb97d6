import type { DetectorsConfig } from '@app/settings';
import { formatBase } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { isCashPoint, isMonitored } from '../core/account-directory';
import { totalWithBase } from '../core/base-amounts';
import type {
  ActivityDetector,
  AlertDraft,
  AlertParty,
  Evaluator,
  EvaluatorContext,
} from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { receivedCurrency, receivedMinor, tracks } from '../core/evaluator-helpers';
import { durationText, instant, money, MS_PER_HOUR } from '../core/format';
import { minorIn } from '../core/parameters';
import { scoreAbove } from '../core/scoring';
import { KeyedWindows } from '../core/time-window';
import { ORDINARY_COMMERCE_REFERENCES } from '../core/transfer-filter';

export type PassThroughParams = {
  windowHours: number;
  /** Outflows after one large inflow must reach this share of it… */
  minRatio: number;
  /** …and stay below this share (more would be the account's own money leaving). */
  maxRatio: number;
  /** Only inflows of at least this amount (major units of the base currency) are followed. */
  minAmount: string;
  /** Outflows smaller than this share of the inflow are ordinary spending and not counted. */
  minOutflowShare: number;
  /** Inflow channels that are not followed (card takings of a merchant). */
  ignoredChannels: readonly string[];
  /** Purpose codes of movements that are neither followed nor counted (payroll, rent, invoices). */
  exemptReferences: readonly string[];
};

const RULE_ID = 'aml.pass-through';

/** A movement with its amount in base-currency minor units (received side for inflows). */
interface Flow {
  timestamp: number;
  movement: Movement;
  baseMinor: number;
}

class PassThroughEvaluator implements Evaluator {
  /** Large inflows still inside the window, per receiving account. */
  private readonly inflows: KeyedWindows<Flow>;
  /** Outflows inside the window, per sending account. */
  private readonly outflows: KeyedWindows<Flow>;
  private readonly episodes: EpisodeTracker;
  private readonly windowMs: number;
  private readonly ignored: ReadonlySet<string>;
  private readonly exempt: ReadonlySet<string>;
  private readonly minAmountBase: number;

  constructor(
    private readonly params: PassThroughParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowHours * MS_PER_HOUR;
    this.inflows = new KeyedWindows<Flow>(this.windowMs);
    this.outflows = new KeyedWindows<Flow>(this.windowMs);
    this.minAmountBase = minorIn(params.minAmount, context.money.currency);
    this.episodes = new EpisodeTracker(RULE_ID, this.windowMs);
    this.ignored = new Set(params.ignoredChannels);
    this.exempt = new Set(params.exemptReferences.map((r) => r.toLowerCase()));
  }

  onMovement(m: Movement): AlertDraft[] {
    if (m.fromAccount === m.toAccount) return [];
    if (m.reference !== undefined && this.exempt.has(m.reference.toLowerCase())) return [];
    const { accounts, money: base } = this.context;
    if (
      tracks(this.context, m.toAccount) &&
      isMonitored(accounts, m.toAccount) &&
      !this.ignored.has(m.channel)
    ) {
      // What the account received, in the base currency.
      const inBase = base.convert(receivedMinor(m), receivedCurrency(m), m.timestamp);
      if (inBase >= this.minAmountBase) {
        this.inflows.push(m.toAccount, { timestamp: m.timestamp, movement: m, baseMinor: inBase });
      }
    }
    const account = m.fromAccount;
    if (!tracks(this.context, account) || !isMonitored(accounts, account)) return [];
    const out: Flow = { timestamp: m.timestamp, movement: m, baseMinor: base.of(m) };
    const outs = this.outflows.push(account, out).values();
    const inflows = this.inflows.get(account, m.timestamp)?.values() ?? [];
    // The earliest large inflow whose following outflows now add up to most of it, compared in
    // the base currency (money may come in in one currency and leave in another).
    for (const inflow of inflows) {
      const received = inflow.baseMinor;
      if (inflow.timestamp >= m.timestamp) continue;
      const floor = received * this.params.minOutflowShare;
      const passed = outs.filter((x) => x.timestamp > inflow.timestamp && x.baseMinor >= floor);
      if (!passed.includes(out)) continue;
      let outTotal = 0;
      for (const x of passed) outTotal += x.baseMinor;
      if (
        outTotal < received * this.params.minRatio ||
        outTotal > received * this.params.maxRatio
      ) {
        continue;
      }
      return [this.draft(account, inflow, passed, outTotal)];
    }
    return [];
  }

  stateSize(): number {
    return this.inflows.size() + this.outflows.size() + this.episodes.size();
  }

  private draft(
    account: string,
    inflowFlow: Flow,
    passedFlows: Flow[],
    outTotal: number,
  ): AlertDraft {
    const inflow = inflowFlow.movement;
    const passed = passedFlows.map((x) => x.movement);
    const last = passed[passed.length - 1];
    const span = last.timestamp - inflow.timestamp;
    const counterparties = [inflow.fromAccount, ...passed.map((x) => x.toAccount)].filter(
      (uid, i, all) =>
        uid !== account && all.indexOf(uid) === i && !isCashPoint(this.context.accounts, uid),
    );
    const parties: AlertParty[] = [
      { uid: account, role: 'subject' },
      ...counterparties.map((uid): AlertParty => ({ uid, role: 'counterparty' })),
    ];
    const base = this.context.money;
    const received = inflowFlow.baseMinor;
    const currency = receivedCurrency(inflow);
    const receivedText =
      currency === base.currency
        ? money(receivedMinor(inflow), currency)
        : `${money(receivedMinor(inflow), currency)} = ${formatBase(base, received)}`;
    const kept = received - outTotal;
    return {
      fingerprint: this.episodes.fingerprint([account], inflow.timestamp, last.timestamp),
      subject: account,
      score: scoreAbove(this.windowMs - span, 0, this.windowMs),
      explanation:
        `Account ${account} received ${receivedText} from ${inflow.fromAccount} at ` +
        `${instant(inflow.timestamp)} and passed ${totalWithBase(base, passed, outTotal)} ` +
        `(${Math.round((outTotal / received) * 1000) / 10}%) on in ${passed.length} ` +
        `payment${passed.length === 1 ? '' : 's'} within ${durationText(span)}` +
        (kept >= 0 ? `, keeping ${formatBase(base, kept)}` : '') +
        ` (the rule follows inflows for ${durationText(this.windowMs)}).`,
      windowStart: inflow.timestamp,
      windowEnd: last.timestamp,
      movements: [inflow, ...passed],
      parties,
      facts: {
        baseCurrency: base.currency,
        inMinor: received,
        outMinor: outTotal,
        spanMs: span,
      },
    };
  }
}

/**
 * Pass-through (rapid movement of funds): a large inflow that leaves the account again within
 * a short window, the outflows reaching most of it. Amounts are compared in the base currency.
 */
export const passThroughDetector: ActivityDetector<PassThroughParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.2.0',
  typology: 'pass-through',
  family: 'aml',
  description:
    'A large inflow that leaves the account again within a short window: the outflows after it add up to most of it.',
  source:
    'Flagright transaction-rules library (pass-through / rapid movement of funds); FATF layering indicators',
  parameters: [
    {
      name: 'windowHours',
      kind: 'integer',
      min: 1,
      max: 24 * 90,
      description: 'How long an inflow is followed, in hours.',
    },
    {
      name: 'minRatio',
      kind: 'number',
      min: 0.01,
      max: 10,
      description: 'Outflow / inflow needed to fire.',
    },
    {
      name: 'maxRatio',
      kind: 'number',
      min: 0.01,
      max: 100,
      description: 'Outflow / inflow above which the rule does not fire.',
    },
    {
      name: 'minAmount',
      kind: 'decimal',
      description: 'Smallest inflow followed, in major units of the base currency.',
    },
    {
      name: 'minOutflowShare',
      kind: 'number',
      min: 0,
      max: 1,
      description: 'Outflows below this share of the inflow are not counted.',
    },
    { name: 'ignoredChannels', kind: 'stringList', description: 'Inflow channels not followed.' },
    {
      name: 'exemptReferences',
      kind: 'stringList',
      description: 'Purpose codes (case-insensitive) of movements neither followed nor counted.',
    },
  ],
  defaults: (_config: DetectorsConfig): PassThroughParams => ({
    windowHours: 48,
    minRatio: 0.9,
    maxRatio: 1.1,
    minAmount: '5000.00',
    minOutflowShare: 0.1,
    ignoredChannels: ['card'],
    exemptReferences: ORDINARY_COMMERCE_REFERENCES,
  }),
  lookbackMs: (params) => params.windowHours * MS_PER_HOUR,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new PassThroughEvaluator(params, context),
};
