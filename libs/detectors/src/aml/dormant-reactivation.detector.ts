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
import { fingerprintOf } from '../core/episode-tracker';
import { tracks } from '../core/evaluator-helpers';
import { durationText, instant, MS_PER_DAY, utcDate } from '../core/format';
import { minorIn } from '../core/parameters';
import { scoreAbove } from '../core/scoring';

export type DormantReactivationParams = {
  dormantDays: number;
  /** Days after reactivation during which further movements join the same alert. */
  followDays: number;
  /**
   * A first movement below this amount (major units of the base currency) does not count as
   * reactivation.
   */
  minAmount: string;
  /** Treat an account the bank has marked `dormant` (and not seen active) as dormant. */
  useAccountStatus: boolean;
  /**
   * Infer dormancy from silence: an account opened long ago with no movement since the replay
   * began counts as dormant once the replay has covered the dormancy period. Only sound when the
   * store holds every movement of that period; off by default because generated and imported
   * datasets hold older movements for a few accounts only.
   */
  assumeCompleteHistory: boolean;
};

const RULE_ID = 'aml.dormant-reactivation';

interface Reactivation {
  fingerprint: string;
  at: number;
  reason: string;
  idleDays: number | undefined;
  movements: Movement[];
}

class DormantReactivationEvaluator implements Evaluator {
  /** Last movement per account. One number per account: bounded by the bank, not by time. */
  private readonly lastActivity = new Map<string, number>();
  private readonly open = new Map<string, Reactivation>();
  private observedSince: number | undefined;
  private seen = 0;
  private readonly dormantMs: number;
  private readonly followMs: number;
  private readonly minAmountBase: number;

  constructor(
    private readonly params: DormantReactivationParams,
    private readonly context: EvaluatorContext,
  ) {
    this.dormantMs = params.dormantDays * MS_PER_DAY;
    this.followMs = params.followDays * MS_PER_DAY;
    this.minAmountBase = minorIn(params.minAmount, context.money.currency);
    this.observedSince = context.observedSince;
  }

  onMovement(m: Movement): AlertDraft[] {
    this.observedSince ??= m.timestamp;
    this.seen += 1;
    if (this.seen % 4096 === 0) {
      for (const [account, r] of this.open)
        if (m.timestamp - r.at > this.followMs) this.open.delete(account);
    }
    const drafts: AlertDraft[] = [];
    for (const account of m.fromAccount === m.toAccount
      ? [m.fromAccount]
      : [m.fromAccount, m.toAccount]) {
      if (!tracks(this.context, account) || isCashPoint(this.context.accounts, account)) continue;
      if (this.context.accounts.get(account)?.accountType === 'external') continue;
      const draft = this.evaluate(account, m);
      if (draft) drafts.push(draft);
      this.lastActivity.set(account, m.timestamp);
    }
    return drafts;
  }

  stateSize(): number {
    let total = this.lastActivity.size;
    for (const r of this.open.values()) total += r.movements.length;
    return total;
  }

  private evaluate(account: string, m: Movement): AlertDraft | undefined {
    const open = this.open.get(account);
    if (open && m.timestamp - open.at <= this.followMs) {
      open.movements.push(m);
      return this.draft(account, open);
    }
    if (open) this.open.delete(account);
    const reason = this.dormancy(account, m.timestamp);
    if (!reason) return undefined;
    // Compared in the base currency (no conversion needed when any amount counts).
    if (this.minAmountBase > 0 && this.context.money.of(m) < this.minAmountBase) return undefined;
    const reactivation: Reactivation = {
      fingerprint: fingerprintOf(RULE_ID, account, m.timestamp),
      at: m.timestamp,
      reason: reason.text,
      idleDays: reason.idleDays,
      movements: [m],
    };
    this.open.set(account, reactivation);
    return this.draft(account, reactivation);
  }

  /** Why the account counts as dormant just before `at`, or undefined when it does not. */
  private dormancy(
    account: string,
    at: number,
  ): { text: string; idleDays: number | undefined } | undefined {
    const last = this.lastActivity.get(account);
    if (last !== undefined) {
      if (at - last < this.dormantMs) return undefined;
      const idleDays = Math.floor((at - last) / MS_PER_DAY);
      return { text: `had no movements for ${idleDays} days (last on ${utcDate(last)})`, idleDays };
    }
    const info = this.context.accounts.get(account);
    if (!info) return undefined;
    const since = this.observedSince ?? at;
    const watchedLongEnough = at - since >= this.dormantMs;
    if (
      this.params.assumeCompleteHistory &&
      watchedLongEnough &&
      at - info.openedAt >= this.dormantMs
    ) {
      const idleDays = Math.floor((at - Math.max(since, info.openedAt)) / MS_PER_DAY);
      return {
        text: `had no movements for at least ${idleDays} days (opened ${utcDate(info.openedAt)}, watched since ${utcDate(since)})`,
        idleDays,
      };
    }
    if (this.params.useAccountStatus && info.status === 'dormant') {
      return {
        text: `is marked dormant by the bank and showed no movements before`,
        idleDays: undefined,
      };
    }
    return undefined;
  }

  private draft(account: string, r: Reactivation): AlertDraft {
    const first = r.movements[0];
    const last = r.movements[r.movements.length - 1];
    const counterparties = [
      ...new Set(r.movements.map((x) => (x.fromAccount === account ? x.toAccount : x.fromAccount))),
    ].filter((uid) => uid !== account && !isCashPoint(this.context.accounts, uid));
    const parties: AlertParty[] = [
      { uid: account, role: 'subject' },
      ...counterparties.map((uid): AlertParty => ({ uid, role: 'counterparty' })),
    ];
    const idle = r.idleDays ?? this.params.dormantDays;
    const totalBaseMinor = baseTotal(this.context.money, r.movements);
    return {
      fingerprint: r.fingerprint,
      subject: account,
      score: scoreAbove(idle, this.params.dormantDays, this.params.dormantDays * 3),
      explanation:
        `Account ${account} ${r.reason}, then became active on ${instant(first.timestamp)}: ` +
        `${r.movements.length} movement${r.movements.length === 1 ? '' : 's'} totalling ${totalWithBase(this.context.money, r.movements, totalBaseMinor)}` +
        (r.movements.length > 1
          ? ` within ${durationText(last.timestamp - first.timestamp)}`
          : '') +
        ` (dormant means at least ${this.params.dormantDays} days without movements).`,
      windowStart: first.timestamp,
      windowEnd: last.timestamp,
      movements: [...r.movements],
      parties,
      facts: {
        idleDays: r.idleDays ?? -1,
        movements: r.movements.length,
        baseCurrency: this.context.money.currency,
        totalBaseMinor,
      },
    };
  }
}

/** Dormant account reactivation: an account idle for at least `dormantDays` becomes active. */
export const dormantReactivationDetector: ActivityDetector<DormantReactivationParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.2.0',
  typology: 'dormant-reactivation',
  family: 'aml',
  specificity: 1,
  description:
    'An account without movements for at least the dormancy period (360 days by default) starts moving money again.',
  source:
    'Flagright transaction-rules library (dormant account: inactive 360 days or more, then active)',
  parameters: [
    {
      name: 'dormantDays',
      kind: 'integer',
      min: 1,
      max: 3660,
      description: 'Days without movements that make an account dormant.',
    },
    {
      name: 'followDays',
      kind: 'integer',
      min: 0,
      max: 366,
      description: 'Days after reactivation whose movements join the alert.',
    },
    {
      name: 'minAmount',
      kind: 'decimal',
      description: 'Smallest first movement that counts, in major units of the base currency.',
    },
    {
      name: 'useAccountStatus',
      kind: 'boolean',
      description: "Trust the bank's own dormant status for accounts not yet seen active.",
    },
    {
      name: 'assumeCompleteHistory',
      kind: 'boolean',
      description:
        'Infer dormancy from silence since the replay began (only when the store holds every movement).',
    },
  ],
  defaults: (config: DetectorsConfig): DormantReactivationParams => ({
    dormantDays: config.dormantDays,
    followDays: config.windowDays,
    minAmount: '0.00',
    useAccountStatus: false,
    assumeCompleteHistory: false,
  }),
  // Twice the dormancy period, so that batch scans see the last movement of accounts idle for
  // up to twice as long (longer silences are found with assumeCompleteHistory).
  lookbackMs: (params) => 2 * params.dormantDays * MS_PER_DAY,
  batchPlan: () => ({ kind: 'scan' }),
  createEvaluator: (params, context) => new DormantReactivationEvaluator(params, context),
};
