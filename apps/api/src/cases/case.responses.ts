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
  @ApiProperty({ type: [AlertResponse], description: 'Its alerts still in the graph.' })
  alerts!: AlertResponse[];

  @ApiProperty({ type: [CaseNoteResponse], description: 'Oldest first.' })
  notes!: CaseNoteResponse[];

  @ApiProperty({ type: [CaseAttachmentResponse], description: 'Every note attachment, in order.' })
  attachments!: CaseAttachmentResponse[];

  @ApiProperty({ type: [CaseStatusChangeResponse], description: 'Oldest first.' })
  history!: CaseStatusChangeResponse[];
}
