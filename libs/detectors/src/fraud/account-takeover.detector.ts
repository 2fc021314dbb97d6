import type { DetectorsConfig } from '@app/settings';
import type { Movement } from '@app/vocabulary';
import type { AccountEvent } from '../core/activity';
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
import { durationText, instant, MS_PER_HOUR, totalMinor, totalText } from '../core/format';
import { minorIn } from '../core/parameters';
import { scoreAbove } from '../core/scoring';
import { DEFAULT_TRANSFER_FILTER, TransferFilter } from '../core/transfer-filter';

export type AccountTakeoverParams = {
  /** The change must follow the new login, and the transfer the change, within this many hours. */
  windowHours: number;
  /** Outgoing amount (major units, total after the change) that counts as draining. */
  minDrainAmount: string;
  /** Count an account's very first login as "new" (no history to compare with). */
  firstLoginIsNew: boolean;
  /** A login farther than this from every place the account was seen at is from a new location. */
  newLocationKm: number;
};

const RULE_ID = 'fraud.account-takeover';
const MAX_KNOWN = 64;

interface Sequence {
  login: AccountEvent;
  reasons: string[];
  change?: AccountEvent;
  drains: Movement[];
}

interface Place {
  latitude: number;
  longitude: number;
}

interface AccountState {
  devices: Set<string>;
  countries: Set<string>;
  /** Recent distinct places of the account's logins and payments (at most MAX_PLACES). */
  places: Place[];
  sequence?: Sequence;
}

const MAX_PLACES = 16;
const SAME_PLACE_KM = 50;

function remember(set: Set<string>, value: string | undefined): void {
  if (value === undefined || set.has(value)) return;
  if (set.size >= MAX_KNOWN) set.delete(set.values().next().value as string);
  set.add(value);
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
    this.filter = new TransferFilter({ ...DEFAULT_TRANSFER_FILTER, minAmount: '0.00' });
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
      if (e.identifierUid !== undefined && knowsDevices && !state.devices.has(e.identifierUid))
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
      if (reasons.length > 0 && (hasHistory || this.params.firstLoginIsNew)) {
        state.sequence = { login: e, reasons, drains: [] };
      }
      remember(state.devices, e.identifierUid);
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
    const drained = totalMinor(sequence.drains);
    const threshold = minorIn(this.params.minDrainAmount, m.currency);
    if (drained < threshold) return [];
    return [this.draft(account, sequence, drained, threshold)];
  }

  stateSize(): number {
    let total = 0;
    for (const s of this.states.values())
      total += s.devices.size + s.countries.size + (s.sequence ? 1 + s.sequence.drains.length : 0);
    return total;
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
      state = { devices: new Set(), countries: new Set(), places: [] };
      this.states.set(account, state);
    }
    return state;
  }

  private draft(account: string, s: Sequence, drained: number, threshold: number): AlertDraft {
    const change = s.change as AccountEvent;
    const last = s.drains[s.drains.length - 1];
    const receivers = [...new Set(s.drains.map((m) => m.toAccount))].sort();
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
        `Account ${account}: login with ${s.reasons.join(' and ')} at ${instant(s.login.timestamp)}, ` +
        `then a ${change.kind} at ${instant(change.timestamp)}, then ${s.drains.length} outgoing ` +
        `transfer${s.drains.length === 1 ? '' : 's'} totalling ${totalText(s.drains)} to ${receivers.join(', ')} ` +
        `by ${instant(last.timestamp)} (${durationText(last.timestamp - s.login.timestamp)} after the login).`,
      windowStart: s.login.timestamp,
      windowEnd: last.timestamp,
      movements: [...s.drains],
      events: [s.login, change],
      parties,
      facts: { drainedMinor: drained, transfers: s.drains.length, changeKind: change.kind },
    };
  }
}

/**
 * Account takeover: a login from a new device or location, then a credential or contact
 * change, then outgoing transfers that drain the account, each step within the window.
 */
export const accountTakeoverDetector: ActivityDetector<AccountTakeoverParams> = {
  kind: 'activity',
  id: RULE_ID,
  version: '1.1.0',
  typology: 'account-takeover',
  family: 'fraud',
  description:
    'A login from a new device or location, then a credential or contact change, then a draining outgoing transfer, each within hours of the previous step.',
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
      description: 'Outgoing total after the change that counts as draining (major units).',
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
  batchPlan: (params) => ({
    kind: 'accounts',
    direction: 'out',
    needsEvents: true,
    select: (m) =>
      m.amountMinor >= minorIn(params.minDrainAmount, m.currency) / 10 ? [m.fromAccount] : [],
  }),
  createEvaluator: (params, context) => new AccountTakeoverEvaluator(params, context),
};
