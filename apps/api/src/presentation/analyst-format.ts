import { formatMinorUnits, MissingRateError } from '@app/vocabulary';
import type { BaseMoney, GraphEdge, GraphVertex } from '@app/vocabulary';

/*
 * How the API writes answers for analysts (one rule everywhere):
 * - every epoch-millisecond field `x` keeps its number and gains an ISO 8601 UTC sibling `xIso`
 *   (`createdAt` + `createdAtIso`, `timestamp` + `timestampIso`);
 * - every amount in minor units gains `amount` in major units as a decimal string, with its
 *   `currency`, and `base`: the same money in the base currency at the rate of its day (null when
 *   the FX table has no rate for it);
 * - parties come with their names and business ids, not only uids.
 */

/** ISO 8601 (UTC, milliseconds) of an epoch-millisecond instant. */
export function isoOf(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Minor units as a decimal in major units, without the currency (123450 USD -> "1234.50"). */
export function majorUnits(minor: number, currency: string): string {
  const text = formatMinorUnits(minor, currency);
  return text.slice(0, text.length - currency.length - 1);
}

/** Money in the base currency. */
export interface BaseAmount {
  amount: string;
  amountMinor: number;
  currency: string;
}

/** An amount with its currency and base-currency value. */
export interface MoneyView {
  amount: string;
  amountMinor: number;
  currency: string;
  /** The same money in the base currency at the rate of its day; null without a rate. */
  base: BaseAmount | null;
}

export function moneyView(
  money: BaseMoney,
  amountMinor: number,
  currency: string,
  at: number,
): MoneyView {
  return {
    amount: majorUnits(amountMinor, currency),
    amountMinor,
    currency,
    base: baseOf(money, amountMinor, currency, at),
  };
}

function baseOf(money: BaseMoney, minor: number, currency: string, at: number): BaseAmount | null {
  try {
    const baseMinor = money.convert(minor, currency, at);
    return {
      amount: majorUnits(baseMinor, money.currency),
      amountMinor: baseMinor,
      currency: money.currency,
    };
  } catch (error: unknown) {
    // No rate for that currency on that day: the answer says so with null rather than failing.
    if (error instanceof MissingRateError) return null;
    throw error;
  }
}

/** Stored properties that hold epoch-millisecond instants (vertices and edges). */
const INSTANT_KEYS: ReadonlySet<string> = new Set([
  'openedAt',
  'timestamp',
  'createdAt',
  'updatedAt',
  'windowStart',
  'windowEnd',
  'at',
  'since',
  'firstSeen',
  'lastSeen',
]);

/** `record` with an `xIso` sibling after every epoch field `x` of `keys` that holds a number. */
export function withIsoTimes<T extends object>(
  record: T,
  keys: Iterable<string> = INSTANT_KEYS,
): T & Record<string, unknown> {
  const out: Record<string, unknown> = Object.assign<Record<string, unknown>, T>({}, record);
  for (const key of keys) {
    const value = out[key];
    if (typeof value === 'number' && Number.isFinite(value)) out[`${key}Iso`] = isoOf(value);
  }
  return out as T & Record<string, unknown>;
}

/** The display name and business id of a vertex, for any label. */
export interface PartyRef {
  uid: string;
  label: GraphVertex['label'];
  /** Person or company name; the account number, identifier value… for other labels. */
  name: string;
  /** Company registration number, account number or identifier value, when there is one. */
  businessId?: string;
  /** Country of a company (jurisdiction), person (residence) or account. */
  country?: string;
}

export function partyRefOf(vertex: GraphVertex): PartyRef {
  switch (vertex.label) {
    case 'Person':
      return compact({
        uid: vertex.uid,
        label: vertex.label,
        name: vertex.props.name,
        country: vertex.props.residence ?? vertex.props.nationality,
      });
    case 'Company':
      return compact({
        uid: vertex.uid,
        label: vertex.label,
        name: vertex.props.name,
        businessId: vertex.props.registrationNumber,
        country: vertex.props.jurisdiction,
      });
    case 'Account':
      return {
        uid: vertex.uid,
        label: vertex.label,
        name: accountNumberOf(vertex.uid),
        businessId: accountNumberOf(vertex.uid),
        country: vertex.props.country,
      };
    case 'Identifier':
      return {
        uid: vertex.uid,
        label: vertex.label,
        name: `${vertex.props.kind} ${vertex.props.value}`,
        businessId: vertex.props.value,
      };
    case 'Event':
    case 'Alert':
    case 'StatusChange':
    case 'AuditEntry':
    case 'Case':
    case 'TotpEnrolment':
      return { uid: vertex.uid, label: vertex.label, name: vertex.uid };
  }
}

/** The bank's own account number: the last part of `account:<bank>:<number>`. */
export function accountNumberOf(uid: string): string {
  const parts = uid.split(':');
  return parts.length >= 3 ? parts.slice(2).join(':') : uid;
}

/** An entity (vertex) for analysts: its props with ISO times, plus its name and business id. */
export function vertexView(vertex: GraphVertex): GraphVertex & { party: PartyRef } {
  return {
    ...vertex,
    props: withIsoTimes(vertex.props),
    party: partyRefOf(vertex),
  } as GraphVertex & { party: PartyRef };
}

/** An edge for analysts: ISO times, and the amount of a money movement in major units. */
export function edgeView(edge: GraphEdge, money: BaseMoney): GraphEdge & { money?: MoneyView } {
  const props = withIsoTimes(edge.props);
  if (edge.label !== 'TRANSFERRED') return { ...edge, props } as GraphEdge;
  return {
    ...edge,
    props,
    money: moneyView(money, edge.props.amountMinor, edge.props.currency, edge.props.timestamp),
  } as GraphEdge & { money: MoneyView };
}

function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}
