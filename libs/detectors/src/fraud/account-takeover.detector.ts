import type { DetectorsConfig } from '@app/settings';
import { formatBase } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import type { AccountEvent } from '../core/activity';
import { totalWithBase } from '../core/base-amounts';
import type {
  ActivityDetector,
  AlertDraft,
  AlertParty,
  Evaluator,
  EvaluatorContext,
} from '../core/detector';
import { fingerprintOf } from '../core/episode-tracker';
import { tracks } from '../core/evaluator-helpers';
import { distanceKm } from '../core/geo';
import { durationText, instant, MS_PER_HOUR } from '../core/format';
import { minorIn } from '../core/parameters';
import { scoreAbove } from '../core/scoring';
import { DEFAULT_TRANSFER_FILTER, TransferFilter } from '../core/transfer-filter';

export type AccountTakeoverParams = {
  /** The change must follow the new login, and the transfer the change, within this many hours. */
  windowHours: number;
  /**
   * Outgoing amount (major units of the base currency, total after the change) that counts as
   * draining.
   */
  minDrainAmount: string;
  /** Count an account's very first login as "new" (no history to compare with). */
  firstLoginIsNew: boolean;
  /** A login farther than this from every place the account was seen at is from a new location. */
  newLocationKm: number;
};

const RULE_ID = 'fraud.account-takeover';
const MAX_KNOWN = 64;

interface Sequence {
  /** The login (or, without one, the device enrolment) the sequence starts with. */
  login: AccountEvent;
  /** The device enrolment that made the login suspicious, when it is not `login` itself. */
  enrolment?: AccountEvent;
  reasons: string[];
  change?: AccountEvent;
  drains: Movement[];
  /** Sum of `drains` in base-currency minor units. */
  drainedBase: number;
}

interface Place {
  latitude: number;
  longitude: number;
}

interface AccountState {
  /** Devices the account was seen using, with when each was first seen. */
  devices: Map<string, number>;
  countries: Set<string>;
  /** Recent distinct places of the account's logins and payments (at most MAX_PLACES). */
  places: Place[];
  /** The account's latest login, for a device enrolment that follows it in the same session. */
  lastLogin?: AccountEvent;
  sequence?: Sequence;
}

const MAX_PLACES = 16;
const SAME_PLACE_KM = 50;

function remember(set: Set<string>, value: string | undefined): void {
  if (value === undefined || set.has(value)) return;
  if (set.size >= MAX_KNOWN) set.delete(set.values().next().value as string);
  set.add(value);
}

function rememberDevice(devices: Map<string, number>, uid: string | undefined, at: number): void {
  if (uid === undefined || devices.has(uid)) return;
  if (devices.size >= MAX_KNOWN) devices.delete(devices.keys().next().value as string);
  devices.set(uid, at);
}

class AccountTakeoverEvaluator implements Evaluator {
  private readonly states = new Map<string, AccountState>();
  private readonly windowMs: number;
  /** Transfers that can drain: card purchases, cash and ordinary commerce (rent, bills) cannot. */
  private readonly filter: TransferFilter;

  constructor(
    private readonly params: AccountTakeoverParams,
    private readonly context: EvaluatorContext,
  ) {
    this.windowMs = params.windowHours * MS_PER_HOUR;
    this.filter = new TransferFilter(
      { ...DEFAULT_TRANSFER_FILTER, minAmount: '0.00' },
      context.money,
    );
  }

  onEvent(e: AccountEvent): AlertDraft[] {
    if (!tracks(this.context, e.accountId)) return [];
    const state = this.state(e.accountId);
    if (state.sequence && e.timestamp - state.sequence.login.timestamp > 2 * this.windowMs)
      state.sequence = undefined;
    if (e.kind === 'login' || e.kind === 'device-added') {
      // A device is new only against devices seen before, a place only against places seen before.
      const hasHistory =
        state.devices.size > 0 || state.countries.size > 0 || state.places.length > 0;
      const reasons: string[] = [];
      const knowsDevices = state.devices.size > 0 || this.params.firstLoginIsNew;
      // A device enrolment is the bank's own record that a device joined the account: new unless
      // the account was already using that device before this session (before the window).
      const firstSeen =
        e.identifierUid === undefined ? undefined : state.devices.get(e.identifierUid);
      const enrolled =
        e.kind === 'device-added' &&
        e.identifierUid !== undefined &&
        (firstSeen === undefined || e.timestamp - firstSeen <= this.windowMs);
      if (enrolled || (e.identifierUid !== undefined && knowsDevices && firstSeen === undefined))
        reasons.push(`new device ${e.identifierUid}`);
      if (e.country !== undefined && !state.countries.has(e.country))
        reasons.push(`new location ${e.country}`);
      else if (e.latitude !== undefined && e.longitude !== undefined && state.places.length > 0) {
        const km = Math.min(
          ...state.places.map((p) =>
            distanceKm(p.latitude, p.longitude, e.latitude ?? 0, e.longitude ?? 0),
          ),
        );
        if (km > this.params.newLocationKm)
          reasons.push(`new location ${Math.round(km)} km from the account's usual places`);
      }
      if (reasons.length > 0 && (hasHistory || enrolled || this.params.firstLoginIsNew)) {
        this.open(state, e, reasons, enrolled);
      }
      if (e.kind === 'login') state.lastLogin = e;
      rememberDevice(state.devices, e.identifierUid, e.timestamp);
      remember(state.countries, e.country);
      this.rememberPlace(state, e.latitude, e.longitude);
    } else {
      const sequence = state.sequence;
      if (sequence && !sequence.change && e.timestamp - sequence.login.timestamp <= this.windowMs) {
        sequence.change = e;
      }
    }
    return [];
  }

  onMovement(m: Movement): AlertDraft[] {
    const account = m.fromAccount;
    if (!tracks(this.context, account)) return [];
    if (m.latitude !== undefined && m.longitude !== undefined) {
      // Where the account pays in person tells where it usually is.
      const seen = this.state(account);
      this.rememberPlace(seen, m.latitude, m.longitude);
      remember(seen.countries, m.country);
    }
    const state = this.states.get(account);
    const sequence = state?.sequence;
    if (!state || !sequence?.change || m.timestamp - sequence.change.timestamp > this.windowMs)
      return [];
    if (m.timestamp < sequence.change.timestamp || !this.filter.accepts(m)) return [];
    sequence.drains.push(m);
    // Drains add up in the base currency, whatever currency each transfer is in.
    sequence.drainedBase += this.context.money.of(m);
    const drained = sequence.drainedBase;
    const threshold = minorIn(this.params.minDrainAmount, this.context.money.currency);
    if (drained < threshold) return [];
    return [this.draft(account, sequence, drained, threshold)];
  }

  stateSize(): number {
    let total = 0;
    for (const s of this.states.values())
      total += s.devices.size + s.countries.size + (s.sequence ? 1 + s.sequence.drains.length : 0);
    return total;
  }

  /**
   * Starts a sequence at a suspicious login or device enrolment. Enrolling the device a sequence
   * began with continues that sequence; enrolling the device of a login in the window starts
   * the sequence at that login, where the session began.
   */
  private open(state: AccountState, e: AccountEvent, reasons: string[], enrolled: boolean): void {
    const sameSession = (login: AccountEvent | undefined): login is AccountEvent =>
      login !== undefined &&
      login.identifierUid === e.identifierUid &&
      e.timestamp - login.timestamp <= this.windowMs;
    if (enrolled && sameSession(state.sequence?.login)) return;
    if (enrolled && sameSession(state.lastLogin)) {
      state.sequence = {
        login: state.lastLogin,
        enrolment: e,
        reasons,
        drains: [],
        drainedBase: 0,
      };
    } else {
      state.sequence = { login: e, reasons, drains: [], drainedBase: 0 };
    }
  }

  private rememberPlace(
    state: AccountState,
    latitude: number | undefined,
    longitude: number | undefined,
  ): void {
    if (latitude === undefined || longitude === undefined) return;
    if (
      state.places.some(
        (p) => distanceKm(p.latitude, p.longitude, latitude, longitude) <= SAME_PLACE_KM,
      )
    )
      return;
    if (state.places.length >= MAX_PLACES) state.places.shift();
    state.places.push({ latitude, longitude });
  }

  private state(account: string): AccountState {
    let state = this.states.get(account);
    if (!state) {
      state = { devices: new Map(), countries: new Set(), places: [] };
      this.states.set(account, state);
    }
    return state;
  }

  private draft(account: string, s: Sequence, drained: number, threshold: number): AlertDraft {
    const change = s.change as AccountEvent;
    const last = s.drains[s.drains.length - 1];
    const receivers = [...new Set(s.drains.map((m) => m.toAccount))].sort();
    const start = s.login.kind === 'login' ? 'login' : 'device enrolment';
    const parties: AlertParty[] = [
      { uid: account, role: 'subject' },
      ...receivers.map((uid): AlertParty => ({ uid, role: 'counterparty' })),
      ...(s.login.identifierUid
        ? [{ uid: s.login.identifierUid, role: 'identifier' as const }]
        : []),
    ];
    return {
      fingerprint: fingerprintOf(RULE_ID, account, s.login.timestamp),
      subject: account,
      score: scoreAbove(drained, threshold, threshold * 5),
      explanation:
        `Account ${account}: ${start} with ${s.reasons.join(' and ')} at ${instant(s.login.timestamp)}` +
        (s.enrolment ? ` (device enrolled at ${instant(s.enrolment.timestamp)})` : '') +
        `, then a ${change.kind} at ${instant(change.timestamp)}, then ${s.drains.length} outgoing ` +
        `transfer${s.drains.length === 1 ? '' : 's'} totalling ${totalWithBase(this.context.money, s.drains, drained)} to ${receivers.join(', ')} ` +
        `by ${instant(last.timestamp)} (${durationText(last.timestamp - s.login.timestamp)} after the ${start}); ` +
        `draining starts at ${formatBase(this.context.money, threshold)}.`,
      windowStart: s.login.timestamp,
      windowEnd: last.timestamp,
      movements: [...s.drains],
      events: s.enrolment ? [s.login, s.enrolment, change] : [s.login, change],
      parties,
      facts: {
        drainedMinor: drained,
        baseCurrency: this.context.money.currency,
        transfers: s.drains.length,
        changeKind: change.kind,
      },
    };
  }
}

/**
 * Account takeover: a login from a new device or location, then a credential or contact
 * change, then outgoing transfers that drain the account, each step within the window.
 * Novelty is judged against the devices and places the account was seen using; a device
 * enrolment (`device-added`) makes its device new by itself, so a takeover of an account with
 * no login in the look-back (a customer who rarely banks online) is still caught.
 */
export const accountTakeoverDetector: ActivityDetector<AccountTakeoverParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.3.0',
  typology: 'account-takeover',
  family: 'fraud',
  description:
    'A login from a new device or location (a device enrolment counts as a new device), then a credential or contact change, then a draining outgoing transfer, each within hours of the previous step.',
  source:
    'FFIEC authentication guidance and account-takeover indicators; DOMAIN.md section 3 (new device or location, credential or contact change, draining transfer)',
  parameters: [
    {
      name: 'windowHours',
      kind: 'integer',
      min: 1,
      max: 24 * 30,
      description: 'Most hours between consecutive steps.',
    },
    {
      name: 'minDrainAmount',
      kind: 'decimal',
      description:
        'Outgoing total after the change that counts as draining, in major units of the base currency.',
    },
    {
      name: 'firstLoginIsNew',
      kind: 'boolean',
      description: "Treat an account's first ever login as from a new device.",
    },
    {
      name: 'newLocationKm',
      kind: 'number',
      min: 1,
      max: 20000,
      description: "Distance from the account's usual places that makes a login's location new.",
    },
  ],
  defaults: (_config: DetectorsConfig): AccountTakeoverParams => ({
    windowHours: 72,
    minDrainAmount: '1000.00',
    firstLoginIsNew: false,
    newLocationKm: 300,
  }),
  lookbackMs: () => 90 * 24 * MS_PER_HOUR,
  batchPlan: (params, money) => {
    // Candidates: senders of at least a tenth of the drain amount (base currency) in the window.
    const floor = minorIn(params.minDrainAmount, money.currency) / 10;
    return {
      kind: 'accounts',
      direction: 'out',
      needsEvents: true,
      select: (m) => (money.of(m) >= floor ? [m.fromAccount] : []),
    };
  },
  createEvaluator: (params, context) => new AccountTakeoverEvaluator(params, context),
};
