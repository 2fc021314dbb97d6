import type {
  AccountStatus,
  AccountType,
  AlertStatus,
  CaseCloseReason,
  CaseStatus,
  Channel,
  CompanyType,
  EventKind,
  FlagRole,
  HolderRole,
  IdentifierKind,
  InterestType,
  Severity,
} from './labels';

/**
 * Conventions (see docs/vocabulary.md):
 * - every vertex has a business id `uid`, unique across the whole graph (prefixes below);
 * - every edge has a business id `eid`, unique across the whole graph;
 * - money is an integer in minor units (`amountMinor`) with an ISO 4217 `currency`;
 * - shares are integer basis points (10000 = 100%): `shareMinBp`..`shareMaxBp`, equal when exact;
 * - instants are epoch milliseconds (UTC); calendar dates are `YYYY-MM-DD` strings.
 */

export interface PersonProps {
  name: string;
  birthDate?: string;
  nationality?: string;
  residence?: string;
  isPep: boolean;
  isSanctioned: boolean;
}

export interface CompanyProps {
  name: string;
  jurisdiction: string;
  registrationNumber?: string;
  companyType: CompanyType;
  isShell: boolean;
  isNominee: boolean;
  hasBearerShares: boolean;
  isSanctioned: boolean;
}

export interface AccountProps {
  accountType: AccountType;
  currency: string;
  openedAt: number;
  status: AccountStatus;
  bankId: string;
  country: string;
}

export interface IdentifierProps {
  kind: IdentifierKind;
  value: string;
}

export interface EventProps {
  kind: EventKind;
  timestamp: number;
  country?: string;
  latitude?: number;
  longitude?: number;
  identifierUid?: string;
}

export interface AlertProps {
  ruleId: string;
  ruleVersion: string;
  typology: string;
  score: number;
  severity: Severity;
  status: AlertStatus;
  explanation: string;
  fingerprint: string;
  createdAt: number;
  updatedAt: number;
  windowStart: number;
  windowEnd: number;
  movementIds: string[];
  /** Who works the alert (a principal id or a name the team uses); absent when nobody does. */
  assignee?: string;
  /**
   * The learned risk model's view of the alert's latest movement (RISK_MODEL_FILE): its score
   * (0 to 1), threshold and version. All three or none: alerts raised without a model, or
   * stored before the model came, have none.
   */
  riskScore?: number;
  riskThreshold?: number;
  riskModelVersion?: string;
  /** The features that raised the score most, one JSON document `{feature, effect, text}` each. */
  riskReasons?: string[];
}

/**
 * One status change of an alert, as a vertex of its own (an append-only audit trail: who changed
 * the status, when, from what, to what and why). `seq` numbers the alert's changes: 0 is the
 * raise (no `fromStatus`), analyst changes count from 1.
 */
export interface StatusChangeProps {
  alertId: string;
  seq: number;
  /** Absent for the raise. */
  fromStatus?: AlertStatus;
  toStatus: AlertStatus;
  at: number;
  note: string;
  /** Who made the change (an API key fingerprint, or "detector" for the raise). */
  actor: string;
}

/**
 * One request to the API, as the audit trail keeps it (vertex uid `audit:…`, see
 * `ids.auditEntry`). Strings are cut to a bounded length by the writer.
 */
export interface AuditEntryProps {
  /** When the request arrived (epoch ms). */
  at: number;
  /** Who called: an API key fingerprint (`key-…`), `anonymous` or `unauthenticated`. */
  principal: string;
  /** The caller's role (`viewer`, `analyst`, `admin`), or `none`. */
  role: string;
  method: string;
  /** The route pattern (`/api/v1/entities/:uid`), or `(no route)`. */
  route: string;
  /** The path asked for, without the query string. */
  path: string;
  /** The business ids named in the path, as `name=value` pairs. */
  resourceParams: string[];
  /** The (first) business id named in the path: what "who looked at X" searches. */
  resource?: string;
  /** The HTTP status answered; 499 when the caller went away before the answer was complete. */
  httpStatus: number;
  correlationId: string;
  /** How many refused requests this entry stands for when a flood of them was summarised. */
  requestCount?: number;
  /** What the action recorded besides the request itself (e.g. the reason given for an erasure). */
  note?: string;
  /**
   * The hash chain (absent on entries written before it existed): the writing process's chain,
   * this entry's place in it (1, 2, 3… with no gaps), the previous entry's hash (a fixed
   * genesis value for seq 1) and this entry's SHA-256 over its fields and `prevHash`.
   */
  chainId?: string;
  seq?: number;
  prevHash?: string;
  hash?: string;
}

/**
 * An investigation case (vertex uid `case:<uuid>`). Its alerts, notes and workflow history live
 * on the vertex itself: `alertIds` lists the alerts, `notes` and `history` hold one JSON
 * document per note or status change, oldest first (read and written by the API's case store).
 */
export interface CaseProps {
  title: string;
  description?: string;
  status: CaseStatus;
  /** Set while the case is closed. */
  closeReason?: CaseCloseReason;
  assignee?: string;
  /** Who opened the case (a principal id). */
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  alertIds: string[];
  notes: string[];
  history: string[];
}

/**
 * A principal's built-in authenticator (vertex uid `totp:<principal id>`, written by the API's
 * TOTP enrolments). The TOTP secret is stored only encrypted (AES-256-GCM under the API's
 * TOTP_ENCRYPTION_KEY); each backup code only as its scrypt hash and salt, one JSON document
 * `{salt, hash, used}` per code.
 */
export interface TotpEnrolmentProps {
  principalId: string;
  /** `v1.<iv>.<tag>.<ciphertext>` (base64url), bound to the principal id. */
  encryptedSecret: string;
  confirmed: boolean;
  enrolledAt: number;
  backupCodes: string[];
  /** The last TOTP time step used (a code of that step or an earlier one is refused). */
  lastUsedStep?: number;
}

export interface VertexPropsByLabel {
  Person: PersonProps;
  Company: CompanyProps;
  Account: AccountProps;
  Identifier: IdentifierProps;
  Event: EventProps;
  Alert: AlertProps;
  StatusChange: StatusChangeProps;
  AuditEntry: AuditEntryProps;
  Case: CaseProps;
  TotpEnrolment: TotpEnrolmentProps;
}

export interface HoldsProps {
  role: HolderRole;
  since?: number;
}

export interface OwnsProps {
  interestType: InterestType;
  shareMinBp: number;
  shareMaxBp: number;
  /** True when the bound is exclusive (BODS exclusiveMinimum / exclusiveMaximum). */
  shareMinExclusive: boolean;
  shareMaxExclusive: boolean;
  directOrIndirect: 'direct' | 'indirect' | 'unknown';
  beneficialOwnershipOrControl: boolean;
  startDate?: string;
  endDate?: string;
  source?: string;
}

export interface ControlsProps {
  interestType: InterestType;
  /** Voting rights and similar interests may carry a share; otherwise absent. */
  shareMinBp?: number;
  shareMaxBp?: number;
  /** True when the bound is exclusive (BODS exclusiveMinimum / exclusiveMaximum); absent = inclusive. */
  shareMinExclusive?: boolean;
  shareMaxExclusive?: boolean;
  directOrIndirect: 'direct' | 'indirect' | 'unknown';
  beneficialOwnershipOrControl: boolean;
  startDate?: string;
  endDate?: string;
  source?: string;
}

export interface UsesProps {
  firstSeen: number;
  lastSeen: number;
}

export interface TransferredProps {
  amountMinor: number;
  currency: string;
  timestamp: number;
  channel: Channel;
  /** Amount received in the beneficiary's currency when it differs (AMLworld). */
  receivedAmountMinor?: number;
  receivedCurrency?: string;
  /** The device or IP identifier uid used to initiate the movement, when known. */
  identifierUid?: string;
  country?: string;
  latitude?: number;
  longitude?: number;
  /** Free reference text, such as "salary" or "rent". */
  reference?: string;
}

export type HasEventProps = Record<string, never>;

export interface FlagsProps {
  role: FlagRole;
}

export type HasStatusChangeProps = Record<string, never>;

export interface EdgePropsByLabel {
  HOLDS: HoldsProps;
  OWNS: OwnsProps;
  CONTROLS: ControlsProps;
  USES: UsesProps;
  TRANSFERRED: TransferredProps;
  HAS_EVENT: HasEventProps;
  FLAGS: FlagsProps;
  HAS_STATUS_CHANGE: HasStatusChangeProps;
}

export interface VertexOf<L extends keyof VertexPropsByLabel> {
  label: L;
  uid: string;
  props: VertexPropsByLabel[L];
}

export interface EdgeOf<L extends keyof EdgePropsByLabel> {
  label: L;
  eid: string;
  from: string;
  to: string;
  props: EdgePropsByLabel[L];
}

export type GraphVertex = {
  [L in keyof VertexPropsByLabel]: VertexOf<L>;
}[keyof VertexPropsByLabel];
export type GraphEdge = { [L in keyof EdgePropsByLabel]: EdgeOf<L> }[keyof EdgePropsByLabel];

export type PersonVertex = VertexOf<'Person'>;
export type CompanyVertex = VertexOf<'Company'>;
export type AccountVertex = VertexOf<'Account'>;
export type IdentifierVertex = VertexOf<'Identifier'>;
export type EventVertex = VertexOf<'Event'>;
export type AlertVertex = VertexOf<'Alert'>;
export type StatusChangeVertex = VertexOf<'StatusChange'>;
export type AuditEntryVertex = VertexOf<'AuditEntry'>;
export type CaseVertex = VertexOf<'Case'>;
export type TotpEnrolmentVertex = VertexOf<'TotpEnrolment'>;
export type OwnsEdge = EdgeOf<'OWNS'>;
export type ControlsEdge = EdgeOf<'CONTROLS'>;
export type MovementEdge = EdgeOf<'TRANSFERRED'>;

/** A money movement as the analytics read it: the TRANSFERRED edge, flattened. */
export interface Movement extends TransferredProps {
  movementId: string;
  fromAccount: string;
  toAccount: string;
}

export function movementOf(edge: MovementEdge): Movement {
  return { movementId: edge.eid, fromAccount: edge.from, toAccount: edge.to, ...edge.props };
}

export function movementEdge(m: Movement): MovementEdge {
  const { movementId, fromAccount, toAccount, ...props } = m;
  return { label: 'TRANSFERRED', eid: movementId, from: fromAccount, to: toAccount, props };
}

/**
 * True when two edges are the same element with the same values: label, ends and every property
 * given (a property left undefined counts as absent). A movement message sent again is the same;
 * one with another amount under the same id is not.
 */
export function sameEdgeValues(a: GraphEdge, b: GraphEdge): boolean {
  if (a.label !== b.label || a.eid !== b.eid || a.from !== b.from || a.to !== b.to) return false;
  const props = (edge: GraphEdge): [string, unknown][] =>
    Object.entries(edge.props)
      .filter(([, value]) => value !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return JSON.stringify(props(a)) === JSON.stringify(props(b));
}
