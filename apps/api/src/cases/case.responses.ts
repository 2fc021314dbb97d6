import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CASE_CLOSE_REASONS, CASE_STATUSES } from '@app/vocabulary';
import type { CaseCloseReason, CaseStatus } from '@app/vocabulary';
import { AlertResponse } from '../alerts/alert.responses';

/*
 * OpenAPI shapes of the case answers (case.view.ts). Documentation only: the handlers build
 * plain objects of the matching view types.
 */

const CASE_ID_EXAMPLE = 'case:20250107T100000Z-5b0f6c1e-2f7d-4d8e-9a55-0c1b2d3e4f5a';

/** A case without its notes and history (CaseView). */
export class CaseResponse {
  @ApiProperty({ example: CASE_ID_EXAMPLE, description: 'Starts with its creation time (UTC).' })
  caseId!: string;

  @ApiProperty({ example: 'Cash structuring around account 3080006234' })
  title!: string;

  @ApiPropertyOptional({ example: 'Deposits just under the reporting threshold, 3 branches.' })
  description?: string;

  @ApiProperty({ enum: CASE_STATUSES, enumName: 'CaseStatus', example: 'investigating' })
  status!: CaseStatus;

  @ApiPropertyOptional({
    enum: CASE_CLOSE_REASONS,
    enumName: 'CaseCloseReason',
    description: 'Why the case was closed; present while it is closed.',
  })
  closeReason?: CaseCloseReason;

  @ApiPropertyOptional({ example: 'user:alice', description: 'Absent when nobody works it.' })
  assignee?: string;

  @ApiProperty({ example: 'key-4f1c2a9e', description: 'Who opened the case.' })
  createdBy!: string;

  @ApiProperty({ example: 1736244000000, description: 'Epoch milliseconds.' })
  createdAt!: number;

  @ApiProperty({ example: '2025-01-07T10:00:00.000Z' })
  createdAtIso!: string;

  @ApiProperty({ example: 1736244000000, description: 'Epoch milliseconds.' })
  updatedAt!: number;

  @ApiProperty({ example: '2025-01-07T10:00:00.000Z' })
  updatedAtIso!: string;

  @ApiProperty({ type: [String], example: ['alert:aml.structuring:3f2a9c1e'] })
  alertIds!: string[];

  @ApiProperty({ example: 2 })
  noteCount!: number;
}

export class CasePageResponse {
  @ApiProperty({ type: [CaseResponse] })
  items!: CaseResponse[];

  @ApiPropertyOptional({
    example: 'Y2FzZToyMDI1MDEwN1QxMDAwMDBa',
    description: 'Send as cursor for the next page; absent on the last page.',
  })
  nextCursor?: string;
}

export class AttachmentRefResponse {
  @ApiProperty({ example: 'invoice-2024-117.pdf' })
  name!: string;

  @ApiPropertyOptional({ example: 'https://dms.example.org/docs/117' })
  uri?: string;

  @ApiPropertyOptional({ example: 'DMS-117' })
  reference?: string;

  @ApiPropertyOptional({
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  })
  sha256?: string;
}

export class CaseAttachmentResponse extends AttachmentRefResponse {
  @ApiProperty({ example: '0f8e2a4c-9d1b-4c3e-8a7f-6b5d4c3b2a19', description: 'Its note.' })
  noteId!: string;
}

export class CaseNoteResponse {
  @ApiProperty({ example: '0f8e2a4c-9d1b-4c3e-8a7f-6b5d4c3b2a19' })
  noteId!: string;

  @ApiProperty({ example: 'Customer says the cash is from a car sale; invoice requested.' })
  text!: string;

  @ApiProperty({ example: 'key-4f1c2a9e' })
  author!: string;

  @ApiProperty({ example: 1736244000000, description: 'Epoch milliseconds.' })
  at!: number;

  @ApiProperty({ example: '2025-01-07T10:00:00.000Z' })
  atIso!: string;

  @ApiProperty({ type: [AttachmentRefResponse] })
  attachments!: AttachmentRefResponse[];
}

export class CaseStatusChangeResponse {
  @ApiProperty({
    enum: CASE_STATUSES,
    enumName: 'CaseStatus',
    nullable: true,
    example: 'investigating',
    description: 'Null for the change that opened the case.',
  })
  from!: CaseStatus | null;

  @ApiProperty({ enum: CASE_STATUSES, enumName: 'CaseStatus', example: 'escalated' })
  to!: CaseStatus;

  @ApiProperty({ example: 1736244000000, description: 'Epoch milliseconds.' })
  at!: number;

  @ApiProperty({ example: '2025-01-07T10:00:00.000Z' })
  atIso!: string;

  @ApiProperty({ example: 'key-4f1c2a9e', description: 'Who moved the case.' })
  actor!: string;

  @ApiPropertyOptional({ enum: CASE_CLOSE_REASONS, enumName: 'CaseCloseReason' })
  closeReason?: CaseCloseReason;

  @ApiPropertyOptional({ example: 'Customer could not explain the deposits.' })
  note?: string;
}

/** A case with its alerts, notes, attachment references and status history. */
export class CaseDetailResponse extends CaseResponse {
  @ApiProperty({
    type: [AlertResponse],
    description:
      'Its alerts still in the graph. Empty for a viewer, who sees no alerts: alertIds still names them.',
  })
  alerts!: AlertResponse[];

  @ApiProperty({ type: [CaseNoteResponse], description: 'Oldest first.' })
  notes!: CaseNoteResponse[];

  @ApiProperty({ type: [CaseAttachmentResponse], description: 'Every note attachment, in order.' })
  attachments!: CaseAttachmentResponse[];

  @ApiProperty({ type: [CaseStatusChangeResponse], description: 'Oldest first.' })
  history!: CaseStatusChangeResponse[];
}

/** One end of a movement in a report (ReportParty). */
export class ReportPartyResponse {
  @ApiProperty({ example: '3080006234', description: 'The account number.' })
  account!: string;

  @ApiProperty({
    type: [String],
    example: ['Maria Keller', 'Keller Trading GmbH (HRB 12345)'],
    description: 'Holders of the account, with business ids.',
  })
  names!: string[];
}

/** An evidence movement in a report (ReportMovement). */
export class ReportMovementResponse {
  @ApiProperty({ example: 'mv:SYNB:000123' })
  movementId!: string;

  @ApiProperty({ example: '2025-01-06T10:00:00.000Z', description: 'ISO 8601, UTC.' })
  timeIso!: string;

  @ApiProperty({ type: ReportPartyResponse })
  from!: ReportPartyResponse;

  @ApiProperty({ type: ReportPartyResponse })
  to!: ReportPartyResponse;

  @ApiProperty({ example: '9500.00', description: 'Major units, as a decimal string.' })
  amount!: string;

  @ApiProperty({ example: 'USD' })
  currency!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '8740.00',
    description: 'In the base currency at the rate of the day; null without a rate.',
  })
  baseAmount!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'EUR' })
  baseCurrency!: string | null;

  @ApiProperty({ example: 'cash' })
  channel!: string;

  @ApiPropertyOptional({ example: 'INV-2024-117' })
  reference?: string;
}

/** A status change in a report (ReportStatusChange). */
export class ReportStatusChangeResponse {
  @ApiProperty({ example: '2025-01-07T10:00:00.000Z' })
  atIso!: string;

  @ApiProperty({ type: String, nullable: true, example: 'open', description: 'null when opened.' })
  from!: string | null;

  @ApiProperty({ example: 'investigating' })
  to!: string;

  @ApiProperty({ example: 'key-4f1c2a9e' })
  actor!: string;

  @ApiPropertyOptional({ example: 'false-positive' })
  closeReason?: string;

  @ApiPropertyOptional({ example: 'Calling the customer.' })
  note?: string;
}

/** An alert with its evidence in a report (ReportAlert). */
export class ReportAlertResponse {
  @ApiProperty({ example: 'alert:aml.structuring:3f2a9c1e' })
  alertId!: string;

  @ApiProperty({ example: 'aml.structuring' })
  ruleId!: string;

  @ApiProperty({ example: 'structuring' })
  typology!: string;

  @ApiProperty({ example: 'high' })
  severity!: string;

  @ApiProperty({ example: 0.82 })
  score!: number;

  @ApiProperty({ example: 'investigating' })
  status!: string;

  @ApiPropertyOptional({ example: 'user:alice' })
  assignee?: string;

  @ApiProperty({ example: '2025-01-06T00:00:00.000Z' })
  windowStartIso!: string;

  @ApiProperty({ example: '2025-01-07T00:00:00.000Z' })
  windowEndIso!: string;

  @ApiProperty({ example: '4 cash deposits of 9,500.00 USD within 2 days, each under 10,000.00.' })
  explanation!: string;

  @ApiProperty({ type: [ReportMovementResponse], description: 'In time order.' })
  movements!: ReportMovementResponse[];

  @ApiProperty({ type: [ReportStatusChangeResponse] })
  history!: ReportStatusChangeResponse[];
}

/** A note in a report (ReportNote). */
export class ReportNoteResponse {
  @ApiProperty({ example: '0d8f5c1a-3b2e-4c6f-9a1d-7e2b4c5d6f70' })
  noteId!: string;

  @ApiProperty({ example: '2025-01-07T11:00:00.000Z' })
  atIso!: string;

  @ApiProperty({ example: 'key-4f1c2a9e' })
  author!: string;

  @ApiProperty({ example: 'Invoice received.' })
  text!: string;

  @ApiProperty({ type: [AttachmentRefResponse] })
  attachments!: AttachmentRefResponse[];
}

/** The case part of a case report (ReportCase). */
export class ReportCaseResponse {
  @ApiProperty({ example: CASE_ID_EXAMPLE })
  caseId!: string;

  @ApiProperty({ example: 'Cash structuring around account 3080006234' })
  title!: string;

  @ApiPropertyOptional()
  description?: string;

  @ApiProperty({ enum: CASE_STATUSES, example: 'reported' })
  status!: string;

  @ApiPropertyOptional({ enum: CASE_CLOSE_REASONS })
  closeReason?: string;

  @ApiPropertyOptional({ example: 'user:alice' })
  assignee?: string;

  @ApiProperty({ example: 'key-4f1c2a9e' })
  createdBy!: string;

  @ApiProperty({ example: '2025-01-07T10:00:00.000Z' })
  createdAtIso!: string;

  @ApiProperty({ example: '2025-01-09T16:30:00.000Z' })
  updatedAtIso!: string;

  @ApiProperty({ type: [ReportNoteResponse], description: 'Oldest first.' })
  notes!: ReportNoteResponse[];

  @ApiProperty({ type: [ReportStatusChangeResponse], description: 'Oldest first.' })
  history!: ReportStatusChangeResponse[];
}

/** The JSON report of a case or an alert (InvestigationReport of case-report.ts). */
export class InvestigationReportResponse {
  @ApiProperty({ enum: ['case', 'alert'], example: 'case' })
  kind!: 'case' | 'alert';

  @ApiProperty({ example: 'Case report: Cash structuring around account 3080006234' })
  title!: string;

  @ApiProperty({ example: '2025-01-09T17:00:00.000Z', description: 'When it was generated.' })
  generatedAtIso!: string;

  @ApiProperty({ example: 'key-4f1c2a9e', description: 'Who generated it.' })
  generatedBy!: string;

  @ApiPropertyOptional({ type: ReportCaseResponse, description: 'Present in a case report.' })
  case?: ReportCaseResponse;

  @ApiProperty({ type: [ReportAlertResponse] })
  alerts!: ReportAlertResponse[];
}
