/** The shapes of the API answers the app reads (see the OpenAPI document at /docs). */
export interface AlertSummary {
  alertId: string;
  ruleId: string;
  typology: string;
  score: number;
  severity: string;
  status: string;
  explanation: string;
  windowStartIso: string;
  windowEndIso: string;
  movementIds: string[];
  createdAtIso: string;
  updatedAtIso: string;
  /** The learned risk model's score of the alert, or null when no model scored it. */
  risk?: AlertRiskView | null;
}

/** The learned model's view of an alert: score, threshold, model version, reasons in words. */
export interface AlertRiskView {
  modelVersion: string;
  score: number;
  threshold: number;
  reasons: { feature: string; effect: number; text: string }[];
}

export interface AlertPage {
  items: AlertSummary[];
  nextCursor?: string;
}

export interface PartyRef {
  uid: string;
  label: string;
  name?: string;
  country?: string;
  holders?: { uid: string; name?: string }[];
}

export interface AlertMovement {
  movementId: string;
  fromAccount: string;
  toAccount: string;
  amount: string;
  currency: string;
  base: { amount: string; currency: string };
  timestampIso: string;
  channel?: string;
  from?: PartyRef;
  to?: PartyRef;
}

export interface HistoryEntry {
  from: string | null;
  to: string;
  atIso: string;
  note: string;
  actor: string;
}

export interface AlertDetail extends AlertSummary {
  ruleVersion: string;
  movements: AlertMovement[];
  parties: (PartyRef & { role?: string })[];
  history: HistoryEntry[];
}

export interface Vertex {
  label: string;
  uid: string;
  props: Record<string, unknown>;
  party?: PartyRef;
}

export interface Edge {
  label: string;
  eid: string;
  from: string;
  to: string;
  props: Record<string, unknown>;
  money?: { amount: string; currency: string };
}

export interface EntityAnswer {
  entity: Vertex;
  neighbourhood: { vertices: Vertex[]; edges: Edge[]; truncated: boolean };
}

export interface EntityPage {
  items: Vertex[];
  nextCursor?: string;
}

export interface ShareRange {
  minBp: number;
  maxBp: number;
}

export interface NetworkNode {
  id: string;
  /** Person or Company. */
  label: string;
  name?: string;
  layer: number;
  role: string;
  jurisdiction?: string;
  flags: string[];
  share?: { minPercent: string; maxPercent: string };
}

export interface NetworkEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  interestType?: string;
  share: ShareRange | null;
  inCycle: boolean;
}

export interface UboNetwork {
  target: string;
  options: { regime: string; thresholdBp: number; source?: string };
  nodes: NetworkNode[];
  edges: NetworkEdge[];
}

export interface RingIdentifier {
  identifierUid: string;
  kind: string;
  accountIds: string[];
}

export interface FraudRing {
  members: string[];
  customers: number;
  identifiers: RingIdentifier[];
  density: number;
  parties: PartyRef[];
}

export interface AttachmentRef {
  name: string;
  uri?: string;
  reference?: string;
  sha256?: string;
}

export interface CaseSummary {
  caseId: string;
  title: string;
  description?: string;
  status: string;
  closeReason?: string;
  assignee?: string;
  createdBy: string;
  createdAtIso: string;
  updatedAtIso: string;
  alertIds: string[];
  noteCount: number;
}

export interface CasePage {
  items: CaseSummary[];
  nextCursor?: string;
}

export interface CaseNote {
  noteId: string;
  text: string;
  author: string;
  atIso: string;
  attachments: AttachmentRef[];
}

export interface CaseStatusChange {
  from: string | null;
  to: string;
  atIso: string;
  actor: string;
  closeReason?: string;
  note?: string;
}

export interface CaseDetail extends CaseSummary {
  alerts: AlertSummary[];
  notes: CaseNote[];
  history: CaseStatusChange[];
}
