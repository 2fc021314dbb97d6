import { DetectorsSettings, loadSettings } from '@app/settings';
import type { DetectorsConfig } from '@app/settings';
import { SingleCurrencyMoney } from '@app/vocabulary';
import type {
  AlertVertex,
  AccountVertex,
  BaseMoney,
  Channel,
  GraphEdge,
  GraphVertex,
  Movement,
} from '@app/vocabulary';
import { MemoryAccountDirectory } from '../core/account-directory';
import type { AccountEvent } from '../core/activity';
import type { ActivityDetector, AlertDraft, DetectorParams } from '../core/detector';
import { compareActivities } from '../core/activity';
import type { Activity } from '../core/activity';
import { resolveParameters } from '../core/parameters';

/** Monday 6 January 2025, 10:00 UTC: the default "start" of hand-built scenarios. */
export const T0 = Date.UTC(2025, 0, 6, 10, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** The `detectors` settings with their documented defaults (no environment). */
export function defaultConfig(env: Record<string, string> = {}): DetectorsConfig {
  return loadSettings(DetectorsSettings, env);
}

let counter = 0;

export interface MovementOptions {
  id?: string;
  channel?: Channel;
  currency?: string;
  country?: string;
  latitude?: number;
  longitude?: number;
  identifierUid?: string;
  reference?: string;
}

/** A movement of `amountMinor` minor units from one account to another at `timestamp`. */
export function mv(
  from: string,
  to: string,
  amountMinor: number,
  timestamp: number,
  options: MovementOptions = {},
): Movement {
  counter += 1;
  const { id, channel = 'wire', currency = 'USD', ...rest } = options;
  return {
    movementId: id ?? `mv:test:${String(counter).padStart(6, '0')}`,
    fromAccount: from,
    toAccount: to,
    amountMinor,
    currency,
    timestamp,
    channel,
    ...rest,
  };
}

/** A cash deposit at a branch into `account`. */
export function deposit(
  account: string,
  amountMinor: number,
  timestamp: number,
  branch = 'cash:bank1:b1',
): Movement {
  return mv(branch, account, amountMinor, timestamp, { channel: 'cash' });
}

/** A cash withdrawal from `account` at a branch. */
export function withdrawal(
  account: string,
  amountMinor: number,
  timestamp: number,
  branch = 'cash:bank1:b1',
): Movement {
  return mv(account, branch, amountMinor, timestamp, { channel: 'cash' });
}

export function accountVertex(
  uid: string,
  props: Partial<AccountVertex['props']> = {},
): AccountVertex {
  return {
    label: 'Account',
    uid,
    props: {
      accountType: uid.startsWith('cash:') ? 'cash-point' : 'personal',
      currency: 'USD',
      openedAt: Date.UTC(2020, 0, 1),
      status: 'active',
      bankId: 'bank1',
      country: 'US',
      ...props,
    },
  };
}

export function event(
  accountId: string,
  kind: AccountEvent['kind'],
  timestamp: number,
  extra: Partial<AccountEvent> = {},
): AccountEvent {
  counter += 1;
  return {
    eventId: `event:test:${String(counter).padStart(6, '0')}`,
    accountId,
    kind,
    timestamp,
    ...extra,
  };
}

export interface RunResult {
  /** Every draft in the order raised. */
  raised: AlertDraft[];
  /** The latest draft per fingerprint (what the alert store would hold). */
  alerts: AlertDraft[];
}

/**
 * Replays movements (and events) in time order through a fresh evaluator of `detector`, with
 * default parameters plus `overrides`.
 */
export function runDetector<P extends DetectorParams>(
  detector: ActivityDetector<P>,
  movements: readonly Movement[],
  options: {
    overrides?: Record<string, unknown>;
    config?: DetectorsConfig;
    vertices?: GraphVertex[];
    /** HOLDS edges (account holders), among others. */
    edges?: readonly GraphEdge[];
    events?: readonly AccountEvent[];
    keyFilter?: ReadonlySet<string>;
    /** Conversion into the base currency (default: USD only). */
    money?: BaseMoney;
  } = {},
): RunResult {
  const params = resolveParameters(detector, options.config ?? defaultConfig(), options.overrides);
  const accounts = new MemoryAccountDirectory(options.vertices ?? [], options.edges ?? []);
  const evaluator = detector.createEvaluator(params, {
    accounts,
    money: options.money ?? new SingleCurrencyMoney('USD'),
    keyFilter: options.keyFilter,
  });
  const activities: Activity[] = [
    ...movements.map((movement): Activity => ({ type: 'movement', movement })),
    ...(options.events ?? []).map((e): Activity => ({ type: 'event', event: e })),
  ].sort(compareActivities);
  const raised: AlertDraft[] = [];
  for (const activity of activities) {
    if (activity.type === 'movement') raised.push(...evaluator.onMovement(activity.movement));
    else raised.push(...(evaluator.onEvent?.(activity.event) ?? []));
  }
  const latest = new Map<string, AlertDraft>();
  for (const draft of raised) latest.set(draft.fingerprint, draft);
  return { raised, alerts: [...latest.values()] };
}

/** A valid Alert vertex with `explanation` (to check explanations against the vocabulary). */
export function alertWithExplanation(explanation: string): AlertVertex {
  return {
    label: 'Alert',
    uid: 'alert:aml.test:f1',
    props: {
      ruleId: 'aml.test',
      ruleVersion: '1.0.0',
      typology: 'structuring',
      score: 0.5,
      severity: 'medium',
      status: 'open',
      explanation,
      fingerprint: 'f1',
      createdAt: 1,
      updatedAt: 1,
      windowStart: 1,
      windowEnd: 2,
      movementIds: ['m1'],
    },
  };
}
