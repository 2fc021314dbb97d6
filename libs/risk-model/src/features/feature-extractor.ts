import type { AccountDirectory, DetectedAlert } from '@app/detectors';
import { CHANNELS, familyOf } from '@app/vocabulary';
import type { BaseMoney, Movement } from '@app/vocabulary';
import { FEATURE_NAMES, FEATURE_WINDOW_DAYS } from './feature-set';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WINDOW_MS = FEATURE_WINDOW_DAYS * DAY_MS;
const IDLE_CAP_DAYS = 400;
/** Most recent movements kept per account: bounds the state of very busy accounts. */
export const MAX_RECENT_PER_ACCOUNT = 256;

/** One past movement of an account, as the features need it. */
interface Recent {
  at: number;
  counterparty: string;
  out: boolean;
  /** Base-currency minor units. */
  base: number;
  currency: string;
}

/** What is kept per account: a time-bounded, size-capped window and a few scalars. */
interface AccountState {
  recent: Recent[];
  firstSeen: number;
  lastSeen: number;
  lastOutCurrency?: string;
  lastOutChannel?: string;
  lastAlertAt?: number;
}

export interface FeatureContext {
  accounts: AccountDirectory;
  money: BaseMoney;
  /** ISO country codes treated as high-risk (DETECTORS_HIGH_RISK_JURISDICTIONS). */
  highRiskJurisdictions: readonly string[];
  /** Rule ids whose alerts mark a filing duty rather than suspicion (left out of rule hits). */
  reportingRules?: readonly string[];
}

/**
 * Features of each movement from what happened before it, one movement at a time, in time
 * order. It is the only definition of the features: training replays a dataset through it, and
 * scoring (batch, stream, real-time endpoint) feeds it the same way, so a movement gets the
 * same features whichever way it arrives (see the parity test).
 *
 * State is per account: the movements of the last 7 days, capped at MAX_RECENT_PER_ACCOUNT, and
 * a few scalars (first and last activity, last currency and format, last alert). It is bounded
 * by the window and the population, never by history.
 */
export class MovementFeatureExtractor {
  private readonly state = new Map<string, AccountState>();
  private readonly highRisk: ReadonlySet<string>;
  private readonly reporting: ReadonlySet<string>;
  /** Set by `trial`: accounts touched, with their state as it was before. */
  private journal: Map<string, AccountState | undefined> | undefined;

  constructor(private readonly context: FeatureContext) {
    this.highRisk = new Set(context.highRiskJurisdictions);
    this.reporting = new Set(context.reportingRules ?? []);
  }

  /**
   * The features of `movement` (in FEATURE_NAMES order) from the state before it, then the
   * movement and the alerts it raised (`alerts`: what the rules returned for it) are added to
   * the state.
   */
  onMovement(movement: Movement, alerts: readonly DetectedAlert[] = []): Float64Array {
    const features = this.compute(movement, alerts);
    this.update(movement, alerts);
    return features;
  }

  /**
   * Runs `run` and then puts the state back as it was: what `onMovement` would answer, without
   * keeping the movements (the real-time endpoint's scoring without recording).
   */
  trial<T>(run: () => T): T {
    if (this.journal) return run();
    this.journal = new Map();
    try {
      return run();
    } finally {
      const journal = this.journal;
      this.journal = undefined;
      for (const [uid, before] of journal) {
        if (before) this.state.set(uid, before);
        else this.state.delete(uid);
      }
    }
  }

  /** Accounts tracked and past movements held (bounded by the window and the cap). */
  stateSize(): { accounts: number; movements: number } {
    let movements = 0;
    for (const s of this.state.values()) movements += s.recent.length;
    return { accounts: this.state.size, movements };
  }

  private compute(m: Movement, alerts: readonly DetectedAlert[]): Float64Array {
    const at = m.timestamp;
    const base = this.context.money.of(m);
    const sender = this.fresh(m.fromAccount, at);
    const receiver = this.fresh(m.toAccount, at);
    const f = new Float64Array(FEATURE_NAMES.length);
    let i = 0;
    f[i++] = Math.log10(1 + base / 100);
    f[i++] = m.receivedCurrency !== undefined && m.receivedCurrency !== m.currency ? 1 : 0;
    f[i++] = (CHANNELS as readonly string[]).indexOf(m.channel);
    const out = summarize(sender, at, base, m.toAccount);
    const inn = summarize(receiver, at, base, m.toAccount);
    f[i++] = out.outCount;
    f[i++] = out.outDistinct;
    f[i++] = out.inCount;
    f[i++] = out.inDistinct;
    f[i++] = inn.inCount;
    f[i++] = inn.inDistinct;
    f[i++] = inn.outCount;
    f[i++] = inn.outDistinct;
    f[i++] = out.outLastDay;
    f[i++] = inn.inLastDay;
    const mean = out.outCount > 0 ? out.outSum / out.outCount : 0;
    f[i++] = mean > 0 ? Math.log10(1 + mean / 100) : 0;
    f[i++] = mean > 0 ? base / mean : 0;
    f[i++] = mean > 0 ? Math.sqrt(outVariance(sender, mean) / out.outCount) / mean : 0;
    f[i++] = base > 0 ? Math.min(10, out.inflow48h / base) : 0;
    f[i++] = out.similarInflow48h ? 1 : 0;
    f[i++] = sender?.lastOutCurrency !== undefined && sender.lastOutCurrency !== m.currency ? 1 : 0;
    f[i++] = sender?.lastOutChannel !== undefined && sender.lastOutChannel !== m.channel ? 1 : 0;
    f[i++] = out.currencies;
    f[i++] = out.paidCounterparty ? 0 : 1;
    const senderAge = this.ageDays(m.fromAccount, sender, at);
    const receiverAge = this.ageDays(m.toAccount, receiver, at);
    f[i++] = senderAge;
    f[i++] = receiverAge;
    f[i++] = idleDays(sender, at, senderAge);
    f[i++] = idleDays(receiver, at, receiverAge);
    const senderCountry = this.context.accounts.get(m.fromAccount)?.country;
    const receiverCountry = this.context.accounts.get(m.toAccount)?.country;
    f[i++] = [senderCountry, receiverCountry, m.country].filter(
      (c) => c !== undefined && this.highRisk.has(c),
    ).length;
    f[i++] =
      senderCountry !== undefined &&
      receiverCountry !== undefined &&
      senderCountry !== receiverCountry
        ? 1
        : 0;
    f[i++] = m.amountMinor % 10_000 === 0 ? 1 : 0;
    const hits = this.suspicionAlerts(alerts).filter((a) =>
      a.movements.some((e) => e.movementId === m.movementId),
    );
    f[i++] = hits.length;
    f[i++] = hits.reduce((max, a) => Math.max(max, a.score), 0);
    f[i++] =
      (alertedSince(sender, at - WINDOW_MS) ? 1 : 0) +
      (alertedSince(receiver, at - WINDOW_MS) ? 1 : 0);
    return f;
  }

  private suspicionAlerts(alerts: readonly DetectedAlert[]): DetectedAlert[] {
    return alerts.filter((a) => familyOf(a.typology) === 'aml' && !this.reporting.has(a.ruleId));
  }

  private ageDays(uid: string, state: AccountState | undefined, at: number): number {
    const opened = this.context.accounts.get(uid)?.openedAt;
    const since = Math.min(opened ?? at, state?.firstSeen ?? at);
    return Math.max(0, (at - since) / DAY_MS);
  }

  /** The account's state with movements older than the window dropped (undefined: never seen). */
  private fresh(uid: string, at: number): AccountState | undefined {
    const s = this.state.get(uid);
    if (!s) return undefined;
    let drop = 0;
    while (drop < s.recent.length && s.recent[drop].at <= at - WINDOW_MS) drop += 1;
    if (drop > 0) {
      this.remember(uid, s);
      s.recent = s.recent.slice(drop);
    }
    return s;
  }

  private update(m: Movement, alerts: readonly DetectedAlert[]): void {
    const base = this.context.money.of(m);
    const alerted = new Set<string>();
    for (const a of this.suspicionAlerts(alerts)) for (const p of a.parties) alerted.add(p.uid);
    const touch = (uid: string, counterparty: string, out: boolean): void => {
      const existing = this.state.get(uid);
      this.remember(uid, existing);
      const s: AccountState = existing ?? {
        recent: [],
        firstSeen: m.timestamp,
        lastSeen: m.timestamp,
      };
      s.recent.push({ at: m.timestamp, counterparty, out, base, currency: m.currency });
      if (s.recent.length > MAX_RECENT_PER_ACCOUNT) s.recent.shift();
      s.lastSeen = m.timestamp;
      if (out) {
        s.lastOutCurrency = m.currency;
        s.lastOutChannel = m.channel;
      }
      if (alerted.has(uid)) s.lastAlertAt = m.timestamp;
      this.state.set(uid, s);
    };
    touch(m.fromAccount, m.toAccount, true);
    touch(m.toAccount, m.fromAccount, false);
  }

  /** In a trial, keeps the first version of an account's state seen, to restore it after. */
  private remember(uid: string, before: AccountState | undefined): void {
    if (this.journal && !this.journal.has(uid))
      this.journal.set(uid, before ? { ...before, recent: [...before.recent] } : undefined);
  }
}

/** What the features read from one account's window, gathered in one pass. */
interface WindowSummary {
  outCount: number;
  outDistinct: number;
  inCount: number;
  inDistinct: number;
  outLastDay: number;
  inLastDay: number;
  outSum: number;
  inflow48h: number;
  similarInflow48h: boolean;
  currencies: number;
  /** Whether the account paid `counterparty` in the window. */
  paidCounterparty: boolean;
}

function summarize(
  state: AccountState | undefined,
  at: number,
  base: number,
  counterparty: string,
): WindowSummary {
  const summary: WindowSummary = {
    outCount: 0,
    outDistinct: 0,
    inCount: 0,
    inDistinct: 0,
    outLastDay: 0,
    inLastDay: 0,
    outSum: 0,
    inflow48h: 0,
    similarInflow48h: false,
    currencies: 0,
    paidCounterparty: false,
  };
  if (!state) return summary;
  const outs = new Set<string>();
  const ins = new Set<string>();
  const currencies = new Set<string>();
  for (const r of state.recent) {
    currencies.add(r.currency);
    const lastDay = r.at > at - DAY_MS;
    if (r.out) {
      summary.outCount += 1;
      outs.add(r.counterparty);
      if (lastDay) summary.outLastDay += 1;
      summary.outSum += r.base;
      if (r.counterparty === counterparty) summary.paidCounterparty = true;
    } else {
      summary.inCount += 1;
      ins.add(r.counterparty);
      if (lastDay) summary.inLastDay += 1;
      if (r.at > at - 2 * DAY_MS) {
        summary.inflow48h += r.base;
        if (Math.abs(r.base - base) <= 0.1 * Math.max(r.base, base))
          summary.similarInflow48h = true;
      }
    }
  }
  summary.outDistinct = outs.size;
  summary.inDistinct = ins.size;
  summary.currencies = currencies.size;
  return summary;
}

/** Sum of squared deviations of the account's payments from `mean` (two passes: exact enough). */
function outVariance(state: AccountState | undefined, mean: number): number {
  let sum = 0;
  for (const r of state?.recent ?? []) if (r.out) sum += (r.base - mean) ** 2;
  return sum;
}

function idleDays(state: AccountState | undefined, at: number, ageDays: number): number {
  const idle = state ? (at - state.lastSeen) / DAY_MS : ageDays;
  return Math.min(IDLE_CAP_DAYS, Math.max(0, idle));
}

function alertedSince(state: AccountState | undefined, since: number): boolean {
  return state?.lastAlertAt !== undefined && state.lastAlertAt > since;
}
