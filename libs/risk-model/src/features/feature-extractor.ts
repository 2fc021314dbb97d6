import type { AccountDirectory, DetectedAlert, IdentifierUse } from '@app/detectors';
import { CHANNELS, familyOf } from '@app/vocabulary';
import type { BaseMoney, Movement } from '@app/vocabulary';
import { AccountWindow, DAY_MS, isWholeMinorUnits, WINDOW_MS } from './account-window';
import { FEATURE_NAMES } from './feature-set';
import { IdentifierUses } from './identifier-uses';

const IDLE_CAP_DAYS = 400;
/** Typology of the cycle search's alerts (the aml.cycle rule). */
const CYCLE_TYPOLOGY = 'cycle';
/** Most recent movements kept per account: bounds the state of very busy accounts. */
export const MAX_RECENT_PER_ACCOUNT = 256;

/** What is kept per account: the window of its recent movements and a few scalars. */
interface AccountState {
  window: AccountWindow;
  firstSeen: number;
  lastSeen: number;
  lastOutCurrency: string | undefined;
  lastOutChannel: string | undefined;
  lastAlertAt: number | undefined;
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
 * State is per account: an AccountWindow (the movements of the last 7 days, capped at
 * MAX_RECENT_PER_ACCOUNT, with running totals, so a movement costs a few updates rather than a
 * pass over the window) and a few scalars (first and last activity, last currency and format,
 * last alert), and when each account was last found in a cycle by the cycle search (any
 * account of the cycle, not only the two of the movement that closed it). It is bounded by the
 * window and the population, never by history.
 *
 * Identifier uses (USES edges: which account used which device, IP address, phone, e-mail or
 * address, since when) come in through `onIdentifierUse`, before the movements that should see
 * them; a movement reads only uses that began before it (see IdentifierUses, which also says how
 * they are bounded). They are facts about the accounts, not movements: a `trial` keeps them.
 */
export class MovementFeatureExtractor {
  private readonly state = new Map<string, AccountState>();
  private readonly highRisk: ReadonlySet<string>;
  private readonly reporting: ReadonlySet<string>;
  private readonly channelIndex: ReadonlyMap<string, number>;
  /** When each account was last an account of a cycle the cycle search found. */
  private readonly inCycleAt = new Map<string, number>();
  /** Set by `trial`: accounts touched, with their state as it was before. */
  private journal: Map<string, AccountState | undefined> | undefined;
  /** Set by `trial`: accounts whose cycle time changed, with the time before. */
  private cycleJournal: Map<string, number | undefined> | undefined;
  /** Who used which identifier since when (the shared-identifier features). */
  private readonly identifiers = new IdentifierUses();

  constructor(private readonly context: FeatureContext) {
    this.highRisk = new Set(context.highRiskJurisdictions);
    this.reporting = new Set(context.reportingRules ?? []);
    const channels = new Map<string, number>();
    CHANNELS.forEach((channel, i) => {
      if (!channels.has(channel)) channels.set(channel, i);
    });
    this.channelIndex = channels;
  }

  /**
   * An account's use of an identifier (a USES edge) with its first-use time. Only movements
   * after that time count it; feed it before them (it may come in any order, and again).
   */
  onIdentifierUse(use: IdentifierUse): void {
    this.identifiers.add(use);
  }

  /** Identifiers held and (account, identifier) uses kept for them (bounded, see IdentifierUses). */
  identifierStateSize(): { identifiers: number; uses: number } {
    return this.identifiers.size();
  }

  /**
   * The features of `movement` (in FEATURE_NAMES order) from the state before it, then the
   * movement and the alerts it raised (`alerts`: what the rules returned for it) are added to
   * the state.
   */
  onMovement(movement: Movement, alerts: readonly DetectedAlert[] = []): Float64Array {
    return this.onMovementInto(movement, alerts, new Float64Array(FEATURE_NAMES.length));
  }

  /** As `onMovement`, writing the features into `row` (one row reused: no allocation). */
  onMovementInto(
    movement: Movement,
    alerts: readonly DetectedAlert[],
    row: Float64Array,
  ): Float64Array {
    const base = this.context.money.of(movement);
    if (!isWholeMinorUnits(base))
      throw new RangeError(
        `The base money gave ${base} for movement ${movement.movementId}; features need whole minor units, 0 or more`,
      );
    this.compute(movement, base, alerts, row);
    this.update(movement, base, alerts);
    return row;
  }

  /**
   * Runs `run` and then puts the state back as it was: what `onMovement` would answer, without
   * keeping the movements (the real-time endpoint's scoring without recording).
   */
  trial<T>(run: () => T): T {
    if (this.journal) return run();
    this.journal = new Map();
    this.cycleJournal = new Map();
    try {
      return run();
    } finally {
      const journal = this.journal;
      const cycleJournal = this.cycleJournal;
      this.journal = undefined;
      this.cycleJournal = undefined;
      for (const [uid, before] of journal) {
        if (before) this.state.set(uid, before);
        else this.state.delete(uid);
      }
      for (const [uid, before] of cycleJournal) {
        if (before === undefined) this.inCycleAt.delete(uid);
        else this.inCycleAt.set(uid, before);
      }
    }
  }

  /** Accounts tracked and past movements held (bounded by the window and the cap). */
  stateSize(): { accounts: number; movements: number } {
    let movements = 0;
    for (const s of this.state.values()) movements += s.window.size();
    return { accounts: this.state.size, movements };
  }

  private compute(
    m: Movement,
    base: number,
    alerts: readonly DetectedAlert[],
    f: Float64Array,
  ): void {
    const at = m.timestamp;
    const sender = this.fresh(m.fromAccount, at);
    const receiver = this.fresh(m.toAccount, at);
    const out = sender?.window;
    const inn = receiver?.window;
    let i = 0;
    f[i++] = Math.log10(1 + base / 100);
    f[i++] = m.receivedCurrency !== undefined && m.receivedCurrency !== m.currency ? 1 : 0;
    f[i++] = this.channelIndex.get(m.channel) ?? -1;
    f[i++] = out?.outs() ?? 0;
    f[i++] = out?.distinctPayees() ?? 0;
    f[i++] = out?.ins() ?? 0;
    f[i++] = out?.distinctPayers() ?? 0;
    f[i++] = inn?.ins() ?? 0;
    f[i++] = inn?.distinctPayers() ?? 0;
    f[i++] = inn?.outs() ?? 0;
    f[i++] = inn?.distinctPayees() ?? 0;
    f[i++] = out?.outsLast24h() ?? 0;
    f[i++] = inn?.insLast24h() ?? 0;
    const mean = out?.outMean() ?? 0;
    f[i++] = mean > 0 ? Math.log10(1 + mean / 100) : 0;
    f[i++] = mean > 0 ? base / mean : 0;
    f[i++] = mean > 0 && out ? out.outDispersion() : 0;
    f[i++] = base > 0 && out ? Math.min(10, out.inflowLast48h() / base) : 0;
    f[i++] = out?.receivedSimilar48h(base) ? 1 : 0;
    f[i++] = sender?.lastOutCurrency !== undefined && sender.lastOutCurrency !== m.currency ? 1 : 0;
    f[i++] = sender?.lastOutChannel !== undefined && sender.lastOutChannel !== m.channel ? 1 : 0;
    f[i++] = out?.distinctCurrencies() ?? 0;
    f[i++] = out?.hasPaid(m.toAccount) ? 0 : 1;
    const senderAccount = this.context.accounts.get(m.fromAccount);
    const receiverAccount = this.context.accounts.get(m.toAccount);
    const senderAge = ageDays(senderAccount?.openedAt, sender, at);
    const receiverAge = ageDays(receiverAccount?.openedAt, receiver, at);
    f[i++] = senderAge;
    f[i++] = receiverAge;
    f[i++] = idleDays(sender, at, senderAge);
    f[i++] = idleDays(receiver, at, receiverAge);
    const senderCountry = senderAccount?.country;
    const receiverCountry = receiverAccount?.country;
    f[i++] =
      this.riskyCountry(senderCountry) +
      this.riskyCountry(receiverCountry) +
      this.riskyCountry(m.country);
    f[i++] =
      senderCountry !== undefined &&
      receiverCountry !== undefined &&
      senderCountry !== receiverCountry
        ? 1
        : 0;
    f[i++] = m.amountMinor % 10_000 === 0 ? 1 : 0;
    let hits = 0;
    let maxScore = 0;
    let cycleAccounts = 0;
    for (const a of alerts) {
      if (!this.isSuspicion(a) || !a.movements.some((e) => e.movementId === m.movementId)) continue;
      hits += 1;
      maxScore = Math.max(maxScore, a.score);
      if (a.typology === CYCLE_TYPOLOGY) cycleAccounts = Math.max(cycleAccounts, a.parties.length);
    }
    f[i++] = hits;
    f[i++] = maxScore;
    const since = at - WINDOW_MS;
    f[i++] = (alertedSince(sender, since) ? 1 : 0) + (alertedSince(receiver, since) ? 1 : 0);
    f[i++] = cycleAccounts;
    f[i++] = this.inCycleSince(m.fromAccount, since) + this.inCycleSince(m.toAccount, since);
    f[i++] = inn?.hasPaid(m.fromAccount) ? 1 : 0;
    const shared = this.identifiers.sharedAt(m.fromAccount, m.toAccount, at);
    f[i++] = shared.sender;
    f[i++] = shared.receiver;
    f[i++] = shared.shared ? 1 : 0;
  }

  /** 1 when the cycle search found `uid` in a cycle after `since`. */
  private inCycleSince(uid: string, since: number): number {
    const at = this.inCycleAt.get(uid);
    return at !== undefined && at > since ? 1 : 0;
  }

  private riskyCountry(country: string | undefined): number {
    return country !== undefined && this.highRisk.has(country) ? 1 : 0;
  }

  private isSuspicion(alert: DetectedAlert): boolean {
    return familyOf(alert.typology) === 'aml' && !this.reporting.has(alert.ruleId);
  }

  /** The account's state with its window moved to `at` (undefined: never seen). */
  private fresh(uid: string, at: number): AccountState | undefined {
    const s = this.state.get(uid);
    if (!s) return undefined;
    this.remember(uid, s);
    s.window.advanceTo(at);
    return s;
  }

  private update(m: Movement, base: number, alerts: readonly DetectedAlert[]): void {
    let alerted: Set<string> | undefined;
    for (const a of alerts) {
      if (!this.isSuspicion(a)) continue;
      alerted ??= new Set();
      for (const p of a.parties) alerted.add(p.uid);
      if (a.typology === CYCLE_TYPOLOGY)
        for (const p of a.parties) this.markInCycle(p.uid, m.timestamp);
    }
    const square = BigInt(base) * BigInt(base);
    this.touch(m, m.fromAccount, { counterparty: m.toAccount, out: true, square }, base, alerted);
    this.touch(
      m,
      m.toAccount,
      { counterparty: m.fromAccount, out: false, square: 0n },
      base,
      alerted,
    );
  }

  /** Adds `m` to the state of `uid`, as its sender (`side.out`) or its beneficiary. */
  private touch(
    m: Movement,
    uid: string,
    side: { counterparty: string; out: boolean; square: bigint },
    base: number,
    alerted: ReadonlySet<string> | undefined,
  ): void {
    const { counterparty, out, square } = side;
    const existing = this.state.get(uid);
    this.remember(uid, existing);
    // Every field set from the start: one object shape for all accounts.
    const s: AccountState = existing ?? {
      window: new AccountWindow(MAX_RECENT_PER_ACCOUNT),
      firstSeen: m.timestamp,
      lastSeen: m.timestamp,
      lastOutCurrency: undefined,
      lastOutChannel: undefined,
      lastAlertAt: undefined,
    };
    s.window.push({ at: m.timestamp, counterparty, out, base, currency: m.currency, square });
    s.lastSeen = m.timestamp;
    if (out) {
      s.lastOutCurrency = m.currency;
      s.lastOutChannel = m.channel;
    }
    if (alerted?.has(uid)) s.lastAlertAt = m.timestamp;
    if (!existing) this.state.set(uid, s);
  }

  /** Records that the cycle search found `uid` in a cycle at `at` (the latest time is kept). */
  private markInCycle(uid: string, at: number): void {
    const before = this.inCycleAt.get(uid);
    if (before !== undefined && before >= at) return;
    if (this.cycleJournal && !this.cycleJournal.has(uid)) this.cycleJournal.set(uid, before);
    this.inCycleAt.set(uid, at);
  }

  /** In a trial, keeps the first version of an account's state seen, to restore it after. */
  private remember(uid: string, before: AccountState | undefined): void {
    if (this.journal && !this.journal.has(uid))
      this.journal.set(uid, before ? { ...before, window: before.window.clone() } : undefined);
  }
}

function ageDays(
  openedAt: number | undefined,
  state: AccountState | undefined,
  at: number,
): number {
  const since = Math.min(openedAt ?? at, state?.firstSeen ?? at);
  return Math.max(0, (at - since) / DAY_MS);
}

function idleDays(state: AccountState | undefined, at: number, ageDays: number): number {
  const idle = state ? (at - state.lastSeen) / DAY_MS : ageDays;
  return Math.min(IDLE_CAP_DAYS, Math.max(0, idle));
}

function alertedSince(state: AccountState | undefined, since: number): boolean {
  return state?.lastAlertAt !== undefined && state.lastAlertAt > since;
}
