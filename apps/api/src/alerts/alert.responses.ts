import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ALERT_STATUSES,
  CHANNELS,
  FLAG_ROLES,
  SEVERITIES,
  TYPOLOGIES,
  VERTEX_LABELS,
} from '@app/vocabulary';
import type {
  AlertStatus,
  Channel,
  FlagRole,
  Severity,
  Typology,
  VertexLabel,
} from '@app/vocabulary';
import {
  AccountPartyResponse,
  MoneyResponse,
  PartyRefResponse,
  VertexResponse,
} from '../presentation/analyst-format.responses';
import { RiskDto } from '../score/score-result.dto';
import { SCAN_JOB_STATUSES } from './scan-jobs.service';
import type { ScanJobStatus } from './scan-jobs.service';

/*
 * OpenAPI shapes of the alert answers (alert.view.ts, scan-job.view.ts and the rule catalogue).
 * Documentation only: the handlers build plain objects of the matching view types.
 */

/** An alert as stored, with ISO times beside the epoch ones (AlertView). */
export class AlertResponse {
  @ApiProperty({ example: 'alert:aml.structuring:3f2a9c1e' })
  alertId!: string;

  @ApiProperty({ example: 'aml.structuring' })
  ruleId!: string;

  @ApiProperty({ example: '2.1.0' })
  ruleVersion!: string;

  @ApiProperty({ enum: TYPOLOGIES, enumName: 'Typology', example: 'structuring' })
  typology!: Typology;

  @ApiProperty({ example: 0.82, minimum: 0, maximum: 1 })
  score!: number;

  @ApiProperty({ enum: SEVERITIES, enumName: 'Severity', example: 'high' })
  severity!: Severity;

  @ApiProperty({ enum: ALERT_STATUSES, enumName: 'AlertStatus', example: 'open' })
  status!: AlertStatus;

  @ApiProperty({
    example:
      'Account 3080006234 received 4 cash deposits of 9000.00 to 9999.99 USD within 3 days (total 38200.00 USD).',
    description: 'One sentence with the actual numbers.',
  })
  explanation!: string;

  @ApiProperty({
    example: 'aml.structuring|account:SYNB:3080006234|1735894800000',
    description: 'Deduplication key: rule, key entity and episode start.',
  })
  fingerprint!: string;

  @ApiProperty({ example: 1736158500000, description: 'Epoch milliseconds.' })
  createdAt!: number;

  @ApiProperty({ example: '2025-01-06T10:15:00.000Z' })
  createdAtIso!: string;

  @ApiProperty({ example: 1736158500000, description: 'Epoch milliseconds.' })
  updatedAt!: number;

  @ApiProperty({ example: '2025-01-06T10:15:00.000Z' })
  updatedAtIso!: string;

  @ApiProperty({ example: 1735894800000, description: 'Epoch milliseconds.' })
  windowStart!: number;

  @ApiProperty({ example: '2025-01-03T09:00:00.000Z' })
  windowStartIso!: string;

  @ApiProperty({ example: 1736158500000, description: 'Epoch milliseconds.' })
  windowEnd!: number;

  @ApiProperty({ example: '2025-01-06T10:15:00.000Z' })
  windowEndIso!: string;

  @ApiProperty({
    type: [String],
    example: ['mv:core:2025-000120', 'mv:core:2025-000123'],
    description: 'Evidence movements, in time order.',
  })
  movementIds!: string[];

  @ApiPropertyOptional({
    example: 'user:alice',
    description: 'Who works the alert; absent when nobody does.',
  })
  assignee?: string;

  @ApiProperty({
    type: RiskDto,
    nullable: true,
    description:
      "The learned risk model's score of the alert's latest movement, the model version and the reasons in words (RISK_MODEL_FILE); null when no model scored the alert (none configured, or the alert was stored before one was).",
  })
  risk!: RiskDto | null;
}

export class AlertPageResponse {
  @ApiProperty({ type: [AlertResponse] })
  items!: AlertResponse[];

  @ApiPropertyOptional({
    example: 'eyJ1IjoxNzM2MTU4NTAwMDAwfQ',
    description: 'Send as cursor for the next page; absent on the last page.',
  })
  nextCursor?: string;
}

/** One status change of an alert, newest last. */
export class StatusChangeResponse {
  @ApiProperty({ example: 'alert:aml.structuring:3f2a9c1e' })
  alertId!: string;

  @ApiProperty({
    enum: ALERT_STATUSES,
    enumName: 'AlertStatus',
    nullable: true,
    example: 'open',
    description: 'Null for the change that raised the alert.',
  })
  from!: AlertStatus | null;

  @ApiProperty({ enum: ALERT_STATUSES, enumName: 'AlertStatus', example: 'investigating' })
  to!: AlertStatus;

  @ApiProperty({ example: 1736244000000, description: 'Epoch milliseconds.' })
  at!: number;

  @ApiProperty({ example: '2025-01-07T10:00:00.000Z' })
  atIso!: string;

  @ApiProperty({ example: 'Branch CCTV requested' })
  note!: string;

  @ApiProperty({
    example: 'key-4f1c2a9e',
    description: 'Who made the change: an API key fingerprint, or "detector".',
  })
  actor!: string;
}

/** An evidence movement for analysts: amount in major units, named parties. */
export class MovementResponse extends MoneyResponse {
  @ApiProperty({ example: 'mv:core:2025-000123' })
  movementId!: string;

  @ApiProperty({ example: 'cash:SYNB:branch-7', description: 'uid of the paying account.' })
  fromAccount!: string;

  @ApiProperty({ example: 'account:SYNB:3080006234', description: 'uid of the receiving account.' })
  toAccount!: string;

  @ApiProperty({ example: 1736158500000, description: 'Epoch milliseconds.' })
  timestamp!: number;

  @ApiProperty({ example: '2025-01-06T10:15:00.000Z' })
  timestampIso!: string;

  @ApiProperty({ enum: CHANNELS, enumName: 'Channel', example: 'cash' })
  channel!: Channel;

  @ApiPropertyOptional({ description: 'Received amount in minor units, when another currency.' })
  receivedAmountMinor?: number;

  @ApiPropertyOptional({ example: 'EUR' })
  receivedCurrency?: string;

  @ApiPropertyOptional({
    example: 'ip:203.0.113.7',
    description: 'The device or IP used to start the movement.',
  })
  identifierUid?: string;

  @ApiPropertyOptional({ example: 'US' })
  country?: string;

  @ApiPropertyOptional({ example: 40.7128 })
  latitude?: number;

  @ApiPropertyOptional({ example: -74.006 })
  longitude?: number;

  @ApiPropertyOptional({ example: 'rent' })
  reference?: string;

  @ApiProperty({ type: AccountPartyResponse, description: 'The paying account and its holders.' })
  from!: AccountPartyResponse;

  @ApiProperty({
    type: AccountPartyResponse,
    description: 'The receiving account and its holders.',
  })
  to!: AccountPartyResponse;

  @ApiPropertyOptional({
    type: MoneyResponse,
    description: 'What the receiver got, when it differs (another currency).',
  })
  received?: MoneyResponse;
}

/** A flagged party of an alert, named. */
export class AlertPartyResponse {
  @ApiProperty({ example: 'account:SYNB:3080006234' })
  uid!: string;

  @ApiProperty({ enum: VERTEX_LABELS, enumName: 'VertexLabel', example: 'Account' })
  label!: VertexLabel;

  @ApiProperty({ example: '3080006234' })
  name!: string;

  @ApiPropertyOptional({ example: '3080006234' })
  businessId?: string;

  @ApiPropertyOptional({ example: 'US' })
  country?: string;

  @ApiProperty({ enum: FLAG_ROLES, enumName: 'FlagRole', example: 'subject' })
  role!: FlagRole;

  @ApiPropertyOptional({
    type: [PartyRefResponse],
    description: 'Holders of a flagged account (customers, with names and business ids).',
  })
  holders?: PartyRefResponse[];

  @ApiProperty({ type: VertexResponse, description: 'The flagged vertex as stored.' })
  vertex!: VertexResponse;
}

/** An alert with its evidence: parties, movements in time order and status history. */
export class AlertDetailResponse extends AlertResponse {
  @ApiProperty({
    type: [AlertPartyResponse],
    description: 'Flagged vertices: the subject first, then counterparties, members, identifiers.',
  })
  parties!: AlertPartyResponse[];

  @ApiProperty({
    type: [MovementResponse],
    description: 'Evidence movements in time order (those still in the graph).',
  })
  movements!: MovementResponse[];

  @ApiProperty({ type: [StatusChangeResponse], description: 'Status changes, oldest first.' })
  history!: StatusChangeResponse[];
}

/** One parameter of a rule, with its default. */
export class RuleParameterResponse {
  @ApiProperty({ example: 'minCounterparties' })
  name!: string;

  @ApiProperty({
    enum: ['integer', 'number', 'boolean', 'string', 'decimal', 'stringList'],
    example: 'integer',
  })
  kind!: 'integer' | 'number' | 'boolean' | 'string' | 'decimal' | 'stringList';

  @ApiProperty({ example: 'Distinct receivers within the window.' })
  description!: string;

  @ApiPropertyOptional({ example: 2 })
  min?: number;

  @ApiPropertyOptional({ example: 1000 })
  max?: number;

  @ApiPropertyOptional({ type: [String], description: 'Allowed values of a string parameter.' })
  values?: string[];

  @ApiProperty({
    oneOf: [
      { type: 'number' },
      { type: 'string' },
      { type: 'boolean' },
      { type: 'array', items: { type: 'string' } },
    ],
    example: 10,
    description:
      'The value used when a scan does not override it (amounts are integer minor units).',
  })
  default!: number | string | boolean | string[];
}

/** A rule as GET /alerts/rules describes it. */
export class RuleResponse {
  @ApiProperty({ example: 'aml.fan-out' })
  id!: string;

  @ApiProperty({ example: '1.2.0' })
  version!: string;

  @ApiProperty({ enum: TYPOLOGIES, enumName: 'Typology', example: 'fan-out' })
  typology!: Typology;

  @ApiProperty({ enum: ['aml', 'fraud'], example: 'aml' })
  family!: 'aml' | 'fraud';

  @ApiProperty({
    enum: ['activity', 'structural'],
    example: 'activity',
    description: 'activity: reads movements and events in time order; structural: reads the graph.',
  })
  kind!: 'activity' | 'structural';

  @ApiProperty({ example: 'One account pays many distinct receivers within a short window.' })
  description!: string;

  @ApiProperty({ example: 'FATF, Money laundering typologies (fan-out)' })
  source!: string;

  @ApiProperty({ type: [RuleParameterResponse] })
  parameters!: RuleParameterResponse[];
}

export class ScanRequestEchoResponse {
  @ApiProperty({
    type: [String],
    example: ['aml.structuring'],
    description: 'Rules asked for; empty = all.',
  })
  rules!: string[];

  @ApiProperty({ example: 1727740800000 })
  from!: number;

  @ApiProperty({ example: 1735689600000 })
  to!: number;

  @ApiProperty({ example: '2024-10-01T00:00:00.000Z' })
  fromIso!: string;

  @ApiProperty({ example: '2025-01-01T00:00:00.000Z' })
  toIso!: string;

  @ApiProperty({ example: true, description: 'false: a dry run that stores no alert.' })
  persist!: boolean;
}

export class ScanProgressResponse {
  @ApiProperty({
    enum: ['detecting', 'scoring', 'saving'],
    example: 'detecting',
    description:
      'detecting: rules run over the store; scoring: the learned risk model (when configured) reads the movements up to the alerts; saving: alerts are stored.',
  })
  phase!: 'detecting' | 'scoring' | 'saving';

  @ApiProperty({ example: 3, description: 'Rules whose alerts are complete.' })
  rulesDone!: number;

  @ApiProperty({ example: 20 })
  rulesTotal!: number;

  @ApiProperty({ example: 15200, description: 'Movements of the window read so far.' })
  movementsScanned!: number;
}

export class RuleRunResponse {
  @ApiProperty({ example: 'aml.structuring' })
  ruleId!: string;

  @ApiProperty({ example: 2, description: 'Distinct alerts (latest version each).' })
  alerts!: number;

  @ApiProperty({ example: 3, description: 'Times the rule fired, growth included.' })
  raised!: number;

  @ApiPropertyOptional({ description: 'Candidate accounts considered (candidate-based rules).' })
  candidates?: number;

  @ApiPropertyOptional({ description: 'True when a candidate limit cut the candidates.' })
  truncated?: boolean;
}

export class ScanAlertCountsResponse {
  @ApiProperty({ example: 5 }) detected!: number;
  @ApiProperty({ example: 3 }) created!: number;
  @ApiProperty({ example: 1 }) updated!: number;
  @ApiProperty({ example: 1 }) unchanged!: number;
}

export class ScanRiskResponse {
  @ApiProperty({ example: true, description: 'Whether a learned risk model is configured.' })
  modelConfigured!: boolean;

  @ApiProperty({
    example: 'risk-0d4c2379d300',
    nullable: true,
    type: String,
    description: 'The model version that scored the alerts; null when none was scored.',
  })
  modelVersion!: string | null;

  @ApiProperty({ example: 5, description: 'Alerts the model scored (those with movements).' })
  alertsScored!: number;

  @ApiProperty({
    example: 48210,
    description: 'Stored movements the model read, history before the alerts included.',
  })
  movementsFed!: number;
}

/** What a finished scan found. */
export class ScanReportResponse {
  @ApiProperty({ example: 1727740800000 })
  from!: number;

  @ApiProperty({ example: 1735689600000 })
  to!: number;

  @ApiProperty({ example: '2024-10-01T00:00:00.000Z' })
  fromIso!: string;

  @ApiProperty({ example: '2025-01-01T00:00:00.000Z' })
  toIso!: string;

  @ApiProperty({ example: 15200 })
  movementsScanned!: number;

  @ApiProperty({ example: 420, description: 'Account events (logins, changes) replayed.' })
  eventsScanned!: number;

  @ApiProperty({
    example: 0,
    description:
      'Movements the rules passed over because their currency has no rate into the base currency on their date (see currenciesWithoutRate; add them to FX_RATES_FILE and scan again).',
  })
  movementsNotConverted!: number;

  @ApiProperty({ type: [String], example: [] })
  currenciesWithoutRate!: string[];

  @ApiProperty({ type: [RuleRunResponse] })
  rules!: RuleRunResponse[];

  @ApiProperty({ type: ScanAlertCountsResponse })
  alerts!: ScanAlertCountsResponse;

  @ApiProperty({ type: [String], example: ['alert:aml.structuring:3f2a9c1e'] })
  alertIds!: string[];

  @ApiProperty({ type: ScanRiskResponse })
  risk!: ScanRiskResponse;

  @ApiProperty({ example: 1840 })
  durationMs!: number;
}

export class ScanJobErrorResponse {
  @ApiProperty({ example: 'graph_unavailable' })
  error!: string;

  @ApiProperty({ example: 'JanusGraph at janusgraph:8182 does not answer' })
  message!: string;
}

/** A scan job: status, progress, times, and the report once it succeeded. */
export class ScanJobResponse {
  @ApiProperty({ example: 'scan-6b0f3a2c-1d4e-4c1b-9a57-3e2f8d9c0b11' })
  jobId!: string;

  @ApiProperty({ enum: SCAN_JOB_STATUSES, enumName: 'ScanJobStatus', example: 'running' })
  status!: ScanJobStatus;

  @ApiProperty({
    example: '/api/v1/alerts/scan/scan-6b0f3a2c-1d4e-4c1b-9a57-3e2f8d9c0b11',
    description: 'Where to follow it: GET to read, DELETE to cancel.',
  })
  href!: string;

  @ApiProperty({ type: ScanRequestEchoResponse })
  request!: ScanRequestEchoResponse;

  @ApiProperty({ type: ScanProgressResponse })
  progress!: ScanProgressResponse;

  @ApiProperty({ example: 1736158500000 })
  createdAt!: number;

  @ApiProperty({ example: '2025-01-06T10:15:00.000Z' })
  createdAtIso!: string;

  @ApiPropertyOptional({ example: 1736158500010 })
  startedAt?: number;

  @ApiPropertyOptional({ example: '2025-01-06T10:15:00.010Z' })
  startedAtIso?: string;

  @ApiPropertyOptional({ example: 1736158501850 })
  finishedAt?: number;

  @ApiPropertyOptional({ example: '2025-01-06T10:15:01.850Z' })
  finishedAtIso?: string;

  @ApiProperty({ example: false, description: 'True from a cancel request until it stopped.' })
  cancelRequested!: boolean;

  @ApiPropertyOptional({ type: ScanReportResponse, description: 'Once succeeded.' })
  report?: ScanReportResponse;

  @ApiPropertyOptional({ type: ScanJobErrorResponse, description: 'Once failed: why.' })
  error?: ScanJobErrorResponse;
}
