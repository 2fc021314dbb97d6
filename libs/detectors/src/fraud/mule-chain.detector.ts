import type { DetectorsConfig } from '@app/settings';
import type { BaseMoney, Movement } from '@app/vocabulary';
import { isCashPoint } from '../core/account-directory';
import type {
  ActivityDetector,
  AlertDraft,
  AlertParty,
  Evaluator,
  EvaluatorContext,
} from '../core/detector';
import { EpisodeTracker } from '../core/episode-tracker';
import { receivedCurrency, receivedMinor } from '../core/evaluator-helpers';
import { amountWithBase } from '../core/base-amounts';
import { durationText, instant, MS_PER_MINUTE } from '../core/format';
import { scoreAbove } from '../core/scoring';
import { KeyedWindows } from '../core/time-window';
import {
  DEFAULT_TRANSFER_FILTER,
  TRANSFER_FILTER_SPECS,
  TransferFilter,
} from '../core/transfer-filter';
import type { TransferFilterParams } from '../core/transfer-filter';

/** The movements a chain may hop on, as a predicate. */
function filterOf(params: TransferFilterParams, money: BaseMoney): (m: Movement) => boolean {
  const filter = new TransferFilter(params, money);
  return (m) => filter.accepts(m);
}

export type MuleChainParams = TransferFilterParams & {
  /** Longest wait between receiving and passing on, in minutes. */
  maxHopMinutes: number;
  /** Hops (movements) in a chain needed to fire: 3 = four accounts. */
  minHops: number;
  /** Each hop forwards at least this share of the previous hop's amount (base currency)… */
  minRetained: number;
  /** …and at most this share more. */
  maxGain: number;
};

const RULE_ID = 'fraud.mule-chain';

export interface ChainOptions {
  ruleId: string;
  /** Whether a chain may pass through an account it already visited (a random walk may). */
  allowRevisits: boolean;
  /** Which movements may be hops. */
  accepts: (m: Movement) => boolean;
}

interface ChainLink {
  timestamp: number;
  movement: Movement;
  /** The chain that ends with this movement, first hop first. */
  chain: readonly Movement[];
  /** What the receiver got, in base-currency minor units (converted when first needed). */
  receivedBase?: number;
}

/** Follows funds hop by hop: each hop leaves the previous receiver soon after, keeping most of it. */
export class ChainEvaluator implements Evaluator {
  /** Recent chain ends by receiving account. */
  private readonly arrivals: KeyedWindows<ChainLink>;
  private readonly episodes: EpisodeTracker;
  private readonly hopMs: number;

  constructor(
    private readonly params: MuleChainParams,
    private readonly context: EvaluatorContext,
    private readonly options: ChainOptions,
  ) {
    this.hopMs = params.maxHopMinutes * MS_PER_MINUTE;
    this.arrivals = new KeyedWindows<ChainLink>(this.hopMs);
    // A chain is one episode as long as it keeps growing.
    this.episodes = new EpisodeTracker(
      options.ruleId,
      this.hopMs * Math.max(2, params.minHops * 2),
    );
  }

  onMovement(m: Movement): AlertDraft[] {
    if (m.fromAccount === m.toAccount || !this.options.accepts(m)) return [];
    const accounts = this.context.accounts;
    if (isCashPoint(accounts, m.fromAccount) || isCashPoint(accounts, m.toAccount)) return [];
    let best: ChainLink | undefined;
    let sent: number | undefined;
    const base = this.context.money;
    this.arrivals.get(m.fromAccount, m.timestamp)?.forEach((link) => {
      const previous = link.movement;
      if (previous.timestamp >= m.timestamp) return;
      // What the hop's sender received before against what it sends, in the base currency
      // (funds may arrive in one currency and leave in another).
      link.receivedBase ??= base.convert(
        receivedMinor(previous),
        receivedCurrency(previous),
        previous.timestamp,
      );
      const received = link.receivedBase;
      sent ??= base.of(m);
      if (sent < received * this.params.minRetained) return;
      if (sent > received * (1 + this.params.maxGain)) return;
      if (!this.options.allowRevisits && link.chain.some((x) => x.fromAccount === m.toAccount))
        return;
      if (!best || link.chain.length >= best.chain.length) best = link;
    });
    const chain = best ? [...best.chain, m] : [m];
    this.arrivals.push(m.toAccount, { timestamp: m.timestamp, movement: m, chain });
    if (chain.length < this.params.minHops) return [];
    return [this.draft(chain)];
  }

  stateSize(): number {
    return this.arrivals.size() + this.episodes.size();
  }

  private draft(chain: readonly Movement[]): AlertDraft {
    const first = chain[0];
    const last = chain[chain.length - 1];
    const base = this.context.money;
    const firstBase = base.of(first);
    const lastBase = base.of(last);
    const path = [first.fromAccount, ...chain.map((x) => x.toAccount)];
    const distinct = [...new Set(path)];
    const parties: AlertParty[] = distinct.map((uid, i): AlertParty => ({
      uid,
      role: i === 0 ? 'subject' : 'member',
    }));
    let slowest = 0;
    for (let i = 1; i < chain.length; i += 1)
      slowest = Math.max(slowest, chain[i].timestamp - chain[i - 1].timestamp);
    return {
      // Keyed by the chain's first movement: every extension maps to the same alert.
      fingerprint: this.episodes.fingerprint([first.movementId], first.timestamp, last.timestamp),
      subject: first.fromAccount,
      score: scoreAbove(chain.length, this.params.minHops, this.params.minHops * 2),
      explanation:
        `Funds moved in ${chain.length} hops through ${distinct.length} accounts (${path.join(' -> ')}) ` +
        `within ${durationText(last.timestamp - first.timestamp)} (${instant(first.timestamp)} to ${instant(last.timestamp)}), ` +
        `each hop at most ${durationText(slowest)} after the previous one: ${amountWithBase(base, first, firstBase)} ` +
        `in, ${amountWithBase(base, last, lastBase)} out at the end.`,
      windowStart: first.timestamp,
      windowEnd: last.timestamp,
      movements: [...chain],
      parties,
      facts: {
        hops: chain.length,
        accounts: distinct.length,
        slowestHopMs: slowest,
        baseCurrency: base.currency,
        firstBaseMinor: firstBase,
        lastBaseMinor: lastBase,
      },
    };
  }
}

/** Mule chains: funds passed on through several accounts, each hop within minutes. */
export const muleChainDetector: ActivityDetector<MuleChainParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.1.0',
  typology: 'mule-chain',
  family: 'fraud',
  specificity: 3,
  description:
    'Funds passed through several accounts in a row, each account forwarding most of what it received within minutes.',
  source:
    'Money-mule indicators (Europol EMMA, UK Finance); DOMAIN.md section 3 (funds moved through several accounts within minutes)',
  parameters: [
    {
      name: 'maxHopMinutes',
      kind: 'integer',
      min: 1,
      max: 24 * 60 * 7,
      description: 'Longest wait between receiving and forwarding.',
    },
    {
      name: 'minHops',
      kind: 'integer',
      min: 2,
      max: 100,
      description: 'Movements in a chain needed to fire.',
    },
    {
      name: 'minRetained',
      kind: 'number',
      min: 0,
      max: 1,
      description: 'Share of the previous hop each hop forwards at least.',
    },
    {
      name: 'maxGain',
      kind: 'number',
      min: 0,
      max: 10,
      description: 'Share above the previous hop a hop may carry.',
    },
    ...TRANSFER_FILTER_SPECS,
  ],
  defaults: (_config: DetectorsConfig): MuleChainParams => ({
    maxHopMinutes: 120,
    minHops: 3,
    minRetained: 0.8,
    maxGain: 0.02,
    ...DEFAULT_TRANSFER_FILTER,
  }),
  lookbackMs: (params) => params.maxHopMinutes * MS_PER_MINUTE * 12,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) =>
    new ChainEvaluator(params, context, {
      ruleId: RULE_ID,
      allowRevisits: false,
      accepts: filterOf(params, context.money),
    }),
};
