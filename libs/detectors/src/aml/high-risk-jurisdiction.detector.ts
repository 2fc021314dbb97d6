import type { DetectorsConfig } from '@app/settings';
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
import { tracks } from '../core/evaluator-helpers';
import { instant, MS_PER_DAY, unique } from '../core/format';
import { minorIn } from '../core/parameters';
import { scoreAbove } from '../core/scoring';
import { TimeWindow } from '../core/time-window';
import { Sweeper } from '../core/sweeper';

export type HighRiskJurisdictionParams = {
  /** ISO country codes on the list in use. */
  jurisdictions: readonly string[];
  /** Date of that list (FATF publications are dated). */
  listDate: string;
  /** Days over which further exposure joins the same alert. */
  windowDays: number;
  /** Movements below this amount (major units of the base currency) are ignored. */
  minAmount: string;
};

const RULE_ID = 'aml.high-risk-jurisdiction';

interface Exposure {
  fingerprint: string;
  window: TimeWindow<Movement>;
  countries: Map<string, readonly string[]>;
}

class HighRiskJurisdictionEvaluator implements Evaluator {
  private readonly list: ReadonlySet<string>;
  private readonly episodes: EpisodeTracker;
  private readonly exposures = new Map<string, Exposure>();
  private readonly windowMs: number;
  private readonly sweeper = new Sweeper(4096);
  private readonly minAmountBase: number;

  constructor(
    private readonly params: HighRiskJurisdictionParams,
    private readonly context: EvaluatorContext,
  ) {
    this.list = new Set(params.jurisdictions);
    this.windowMs = params.windowDays * MS_PER_DAY;
    this.episodes = new EpisodeTracker(RULE_ID, this.windowMs);
    this.minAmountBase = minorIn(params.minAmount, context.money.currency);
  }

  onMovement(m: Movement): AlertDraft[] {
    if (this.sweeper.due()) this.sweep(m.timestamp);
    const accounts = this.context.accounts;
    const countryOf = (uid: string): string | undefined => accounts.get(uid)?.country;
    const drafts: AlertDraft[] = [];
    for (const [account, other] of [
      [m.fromAccount, m.toAccount],
      [m.toAccount, m.fromAccount],
    ] as const) {
      if (account === other || !tracks(this.context, account) || isCashPoint(accounts, account))
        continue;
      const own = countryOf(account);
      // The exposed party is the bank's customer outside the listed countries.
      if (
        accounts.get(account)?.accountType === 'external' ||
        (own !== undefined && this.list.has(own))
      )
        continue;
      const hits: string[] = [];
      if (m.country !== undefined && this.list.has(m.country)) hits.push(m.country);
      const theirs = countryOf(other);
      if (theirs !== undefined && this.list.has(theirs) && !hits.includes(theirs))
        hits.push(theirs);
      if (hits.length === 0) continue;
      // Compared in the base currency (no conversion needed when any amount counts).
      if (this.minAmountBase > 0 && this.context.money.of(m) < this.minAmountBase) return [];
      drafts.push(this.expose(account, m, hits));
    }
    return drafts;
  }

  stateSize(): number {
    let total = this.episodes.size();
    for (const e of this.exposures.values()) total += e.window.length;
    return total;
  }

  private expose(account: string, m: Movement, hits: readonly string[]): AlertDraft {
    const fingerprint = this.episodes.fingerprint([account], m.timestamp, m.timestamp);
    let exposure = this.exposures.get(account);
    if (!exposure || exposure.fingerprint !== fingerprint) {
      exposure = { fingerprint, window: new TimeWindow<Movement>(), countries: new Map() };
      this.exposures.set(account, exposure);
    }
    const { window, countries } = exposure;
    window.push(m);
    countries.set(m.movementId, hits);
    window.evictBefore(m.timestamp - this.windowMs, (old) => countries.delete(old.movementId));
    const movements = window.values();
    const first = movements[0];
    const counterparties = unique(
      movements.map((x) => (x.fromAccount === account ? x.toAccount : x.fromAccount)),
    ).filter((uid) => !isCashPoint(this.context.accounts, uid));
    const parties: AlertParty[] = [
      { uid: account, role: 'subject' },
      ...counterparties.map((uid): AlertParty => ({ uid, role: 'counterparty' })),
    ];
    const listed = unique([...countries.values()].flat()).sort();
    const totalBaseMinor = baseTotal(this.context.money, movements);
    return {
      fingerprint,
      subject: account,
      score: scoreAbove(movements.length, 1, 5),
      explanation:
        `Account ${account} has ${movements.length} movement${movements.length === 1 ? '' : 's'} totalling ` +
        `${totalWithBase(this.context.money, movements, totalBaseMinor)} between ${instant(first.timestamp)} and ${instant(m.timestamp)} made in or with ` +
        `accounts in ${listed.join(', ')}, on the high-risk jurisdiction list dated ${this.params.listDate}.`,
      windowStart: first.timestamp,
      windowEnd: m.timestamp,
      movements,
      parties,
      facts: {
        movements: movements.length,
        countries: listed.join(','),
        listDate: this.params.listDate,
        baseCurrency: this.context.money.currency,
        totalBaseMinor,
      },
    };
  }

  private sweep(now: number): void {
    this.sweeper.swept(this.exposures.size);
    for (const [account, exposure] of this.exposures) {
      const last = exposure.window.last();
      if (!last || now - last.timestamp > this.windowMs) this.exposures.delete(account);
    }
  }
}

/**
 * High-risk jurisdiction exposure: a movement made in, or with an account held in, a country
 * on the dated high-risk list (FATF "call for action" and, if configured, "increased monitoring").
 */
export const highRiskJurisdictionDetector: ActivityDetector<HighRiskJurisdictionParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.1.0',
  typology: 'high-risk-jurisdiction',
  family: 'aml',
  description:
    'A movement made in a listed high-risk country, or with a counterparty account held in one; later exposure within the window joins the same alert.',
  source:
    'FATF high-risk jurisdictions subject to a call for action (dated list in settings); Flagright high-risk country rule',
  parameters: [
    {
      name: 'jurisdictions',
      kind: 'stringList',
      description: 'ISO country codes treated as high-risk.',
    },
    { name: 'listDate', kind: 'string', description: 'Date of the list, quoted in explanations.' },
    {
      name: 'windowDays',
      kind: 'integer',
      min: 1,
      max: 366,
      description: 'Days over which exposure joins one alert.',
    },
    {
      name: 'minAmount',
      kind: 'decimal',
      description: 'Smallest movement considered, in major units of the base currency.',
    },
  ],
  defaults: (config: DetectorsConfig): HighRiskJurisdictionParams => ({
    jurisdictions: config.highRiskJurisdictions,
    listDate: config.highRiskListDate,
    windowDays: config.windowDays,
    minAmount: '0.00',
  }),
  lookbackMs: (params) => params.windowDays * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new HighRiskJurisdictionEvaluator(params, context),
};
