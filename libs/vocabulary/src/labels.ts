/**
 * The one vocabulary of the bank's graph. Every app and library (loader, detectors,
 * streaming, API, seeder, importers) uses these constants; no other label strings exist.
 */
export const VertexLabel = {
  Person: 'Person',
  Company: 'Company',
  Account: 'Account',
  Identifier: 'Identifier',
  Event: 'Event',
  Alert: 'Alert',
  /** One entry of an alert's status history (the raise, then every analyst change). */
  StatusChange: 'StatusChange',
  /**
   * One request to the API (who looked at what, when, with what outcome): the durable audit
   * trail. No edges; listed by principal or resource through its label's index.
   */
  AuditEntry: 'AuditEntry',
  /**
   * An investigation case: alerts gathered by an analyst, with notes, attachment references and
   * its workflow history. No edges: its alerts are listed in its `alertIds`.
   */
  Case: 'Case',
  /**
   * A principal's built-in authenticator (TOTP second factor): its secret encrypted, its backup
   * codes hashed. One per principal (uid `totp:<principal id>`), no edges; read by uid only.
   */
  TotpEnrolment: 'TotpEnrolment',
} as const;
export type VertexLabel = (typeof VertexLabel)[keyof typeof VertexLabel];
export const VERTEX_LABELS: readonly VertexLabel[] = Object.values(VertexLabel);

/**
 * Edge labels. Money movements are edges (`TRANSFERRED`, account to account), see
 * docs/vocabulary.md for why.
 */
export const EdgeLabel = {
  /** Person|Company -> Account: holder, joint holder or signatory. */
  HOLDS: 'HOLDS',
  /** Person|Company -> Company: shareholding (a share in basis points, exact or a range). */
  OWNS: 'OWNS',
  /** Person|Company -> Company: every non-shareholding interest (votes, board, director, trustee…). */
  CONTROLS: 'CONTROLS',
  /** Account -> Identifier: the account used a device, IP, phone, email, address or card. */
  USES: 'USES',
  /** Account -> Account: one money movement. */
  TRANSFERRED: 'TRANSFERRED',
  /** Account -> Event: logins, credential and contact changes. */
  HAS_EVENT: 'HAS_EVENT',
  /** Alert -> Person|Company|Account|Identifier: the parties of an alert. */
  FLAGS: 'FLAGS',
  /** Alert -> StatusChange: one entry of the alert's status history (the audit trail). */
  HAS_STATUS_CHANGE: 'HAS_STATUS_CHANGE',
} as const;
export type EdgeLabel = (typeof EdgeLabel)[keyof typeof EdgeLabel];
export const EDGE_LABELS: readonly EdgeLabel[] = Object.values(EdgeLabel);

/**
 * Labels the analytics write themselves (alerts, their parties, their status history and the
 * API's audit trail). They are never taken from outside: the ingest stream and the importers
 * refuse them, so nobody can forge an alert or an audit trail by publishing a message.
 */
export const DERIVED_VERTEX_LABELS: readonly VertexLabel[] = [
  'Alert',
  'StatusChange',
  'AuditEntry',
  'Case',
  'TotpEnrolment',
];

/**
 * Labels kept out of the analysts' entity browsing (the audit trail is for admins only, through
 * its own endpoint; cases are read through /api/v1/cases; TOTP enrolments are never shown).
 */
export const RESTRICTED_VERTEX_LABELS: readonly VertexLabel[] = [
  'AuditEntry',
  'Case',
  'TotpEnrolment',
];

/**
 * Alerts and their status history: shown to analysts and admins only (through /alerts and, for
 * them, entity browsing); a viewer's entity browsing leaves them out, with the edges that lead to
 * them.
 */
export const ANALYST_VERTEX_LABELS: readonly VertexLabel[] = ['Alert', 'StatusChange'];
export const ANALYST_EDGE_LABELS: readonly EdgeLabel[] = ['FLAGS', 'HAS_STATUS_CHANGE'];

/** Vertex labels an analyst may browse as entities. */
export const BROWSABLE_VERTEX_LABELS: readonly VertexLabel[] = VERTEX_LABELS.filter(
  (label) => !RESTRICTED_VERTEX_LABELS.includes(label),
);
export const DERIVED_EDGE_LABELS: readonly EdgeLabel[] = ['FLAGS', 'HAS_STATUS_CHANGE'];

/** Vertex labels a producer may send (the bank's own records). */
export const INGESTABLE_VERTEX_LABELS: readonly VertexLabel[] = VERTEX_LABELS.filter(
  (label) => !DERIVED_VERTEX_LABELS.includes(label),
);

/** Which vertex labels each edge label may connect (from -> to). */
export const EDGE_ENDPOINTS: Readonly<
  Record<EdgeLabel, { from: readonly VertexLabel[]; to: readonly VertexLabel[] }>
> = {
  HOLDS: { from: ['Person', 'Company'], to: ['Account'] },
  OWNS: { from: ['Person', 'Company'], to: ['Company'] },
  CONTROLS: { from: ['Person', 'Company'], to: ['Company'] },
  USES: { from: ['Account'], to: ['Identifier'] },
  TRANSFERRED: { from: ['Account'], to: ['Account'] },
  HAS_EVENT: { from: ['Account'], to: ['Event'] },
  FLAGS: { from: ['Alert'], to: ['Person', 'Company', 'Account', 'Identifier'] },
  HAS_STATUS_CHANGE: { from: ['Alert'], to: ['StatusChange'] },
};

/** Interest types of the Open Ownership BODS 0.4 codelist. */
export const INTEREST_TYPES = [
  'shareholding',
  'votingRights',
  'appointmentOfBoard',
  'otherInfluenceOrControl',
  'seniorManagingOfficial',
  'settlor',
  'trustee',
  'protector',
  'beneficiaryOfLegalArrangement',
  'rightsToSurplusAssetsOnDissolution',
  'rightsToProfitOrIncome',
  'rightsGrantedByContract',
  'conditionalRightsGrantedByContract',
  'controlViaCompanyRulesOrArticles',
  'controlByLegalFramework',
  'boardMember',
  'boardChair',
  'unknownInterest',
  'unpublishedInterest',
  'enjoymentAndUseOfAssets',
  'rightToProfitOrIncomeFromAssets',
  'nominee',
  'nominator',
] as const;
export type InterestType = (typeof INTEREST_TYPES)[number];

export const COMPANY_TYPES = [
  'company',
  'trust',
  'partnership',
  'foundation',
  'fund',
  'listed-company',
  'state-body',
] as const;
export type CompanyType = (typeof COMPANY_TYPES)[number];

export const ACCOUNT_TYPES = ['personal', 'business', 'cash-point', 'external'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export const ACCOUNT_STATUSES = ['active', 'dormant', 'closed'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const HOLDER_ROLES = ['holder', 'joint-holder', 'signatory'] as const;
export type HolderRole = (typeof HOLDER_ROLES)[number];

export const IDENTIFIER_KINDS = ['device', 'ip', 'phone', 'email', 'address', 'card'] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

/** Payment formats: the AMLworld set plus card and salary kinds used by the generator. */
export const CHANNELS = [
  'wire',
  'ach',
  'cheque',
  'cash',
  'card',
  'credit-card',
  'crypto',
  'reinvestment',
  'internal',
] as const;
export type Channel = (typeof CHANNELS)[number];

export const EVENT_KINDS = [
  'login',
  'credential-change',
  'contact-change',
  'device-added',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const ALERT_STATUSES = [
  'open',
  'investigating',
  'escalated',
  'closed-false-positive',
  'closed-reported',
] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** The investigation workflow of a case (the allowed moves are in the API's case workflow). */
export const CASE_STATUSES = ['open', 'investigating', 'escalated', 'reported', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Why a case was closed. */
export const CASE_CLOSE_REASONS = [
  'reported',
  'false-positive',
  'no-further-action',
  'duplicate',
] as const;
export type CaseCloseReason = (typeof CASE_CLOSE_REASONS)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const FLAG_ROLES = ['subject', 'counterparty', 'member', 'identifier'] as const;
export type FlagRole = (typeof FLAG_ROLES)[number];
