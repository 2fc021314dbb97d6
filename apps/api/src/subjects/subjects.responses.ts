import { ApiProperty, ApiPropertyOptional, OmitType, PickType } from '@nestjs/swagger';
import type { StoredAlert } from '@app/detectors';
import { EDGE_LABELS, VERTEX_LABELS } from '@app/vocabulary';
import type { EdgeLabel, Movement, VertexLabel } from '@app/vocabulary';
import { AlertResponse, MovementResponse } from '../alerts/alert.responses';
import { RiskDto } from '../score/score-result.dto';
import { AuditEntryResponse, SameKeys } from '../audit/audit.responses';
import type { Bounded, ErasureResult, SubjectExport } from './subjects.service';

/*
 * OpenAPI shapes of the data-subject answers (subjects.service.ts: SubjectExport,
 * ErasureResult). Documentation only: the handlers return the service's objects, which hold the
 * graph's records as stored (epoch-millisecond times, amounts in minor units). Fields missing
 * here fail to compile (`SUBJECT_SHAPES_COMPLETE`).
 */

/** A vertex of the graph as stored. */
export class StoredVertexResponse {
  @ApiProperty({ enum: VERTEX_LABELS, enumName: 'VertexLabel', example: 'Person' })
  label!: VertexLabel;

  @ApiProperty({ example: 'person:syn:00001234' })
  uid!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The stored properties; which ones depends on the label (see docs/vocabulary.md). Times are epoch milliseconds.',
    example: { name: 'Maria Lopez', birthDate: '1984-03-12', nationality: 'ES', isPep: false },
  })
  props!: Record<string, unknown>;
}

/** An edge of the graph as stored. */
export class StoredEdgeResponse {
  @ApiProperty({ enum: EDGE_LABELS, enumName: 'EdgeLabel', example: 'HOLDS' })
  label!: EdgeLabel;

  @ApiProperty({ example: 'HOLDS:person:syn:00001234>account:SYNB:0123456789' })
  eid!: string;

  @ApiProperty({ example: 'person:syn:00001234', description: 'uid of the source vertex.' })
  from!: string;

  @ApiProperty({ example: 'account:SYNB:0123456789', description: 'uid of the target vertex.' })
  to!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The stored properties; which ones depends on the label.',
    example: { role: 'primary', since: 1577836800000 },
  })
  props!: Record<string, unknown>;
}

/** An account the person holds, with the holding. */
export class SubjectAccountResponse {
  @ApiProperty({ type: StoredVertexResponse, description: 'The Account vertex.' })
  account!: StoredVertexResponse;

  @ApiProperty({ type: StoredEdgeResponse, description: 'The HOLDS edge, with its role.' })
  holding!: StoredEdgeResponse;
}

/** An identifier the person's accounts use. */
export class SubjectIdentifierResponse {
  @ApiProperty({ type: StoredVertexResponse, description: 'The Identifier vertex.' })
  identifier!: StoredVertexResponse;

  @ApiProperty({
    type: [String],
    example: ['account:SYNB:0123456789'],
    description: "The person's accounts that use it.",
  })
  usedBy!: string[];
}

/**
 * A money movement as stored: amount in minor units, epoch-millisecond time (Movement). The
 * stored fields of the alert evidence's MovementResponse, without its ISO time, major-unit amounts
 * and named parties.
 */
export class StoredMovementResponse extends PickType(MovementResponse, [
  'movementId',
  'fromAccount',
  'toAccount',
  'amountMinor',
  'currency',
  'timestamp',
  'channel',
  'receivedAmountMinor',
  'receivedCurrency',
  'identifierUid',
  'country',
  'latitude',
  'longitude',
  'reference',
] as const) {}

/**
 * An alert as stored (StoredAlert): the alert answer without the ISO times, and with the
 * learned model's risk only when a model scored the alert.
 */
export class StoredAlertResponse extends OmitType(AlertResponse, [
  'createdAtIso',
  'updatedAtIso',
  'windowStartIso',
  'windowEndIso',
  'risk',
] as const) {
  @ApiPropertyOptional({
    type: RiskDto,
    description:
      "The learned risk model's score of the alert's latest movement; absent when no model scored the alert.",
  })
  risk?: RiskDto;
}

/** The parts every list of an export has: it may have been cut at its limit (Bounded). */
class BoundedListResponse {
  @ApiProperty({ example: 10000, description: 'Most items this list holds in one export.' })
  limit!: number;

  @ApiProperty({ example: false, description: 'True when the list was cut at its limit.' })
  truncated!: boolean;

  @ApiPropertyOptional({
    example:
      'Only the oldest 10000 movements are listed (up to 2025-01-06T10:15:00.000Z); read the later ones per account through the entities API.',
    description: 'Present when cut: what was left out and where to read it.',
  })
  note?: string;
}

export class SubjectMovementsResponse extends BoundedListResponse {
  @ApiProperty({ type: [StoredMovementResponse], description: 'Oldest first.' })
  items!: StoredMovementResponse[];
}

export class SubjectAlertsResponse extends BoundedListResponse {
  @ApiProperty({ type: [StoredAlertResponse], description: 'In alert id order.' })
  items!: StoredAlertResponse[];
}

export class SubjectAuditResponse extends BoundedListResponse {
  @ApiProperty({ type: [AuditEntryResponse], description: 'Newest first.' })
  items!: AuditEntryResponse[];
}

/** Companies the person owns or controls. */
export class SubjectOwnershipResponse {
  @ApiProperty({ type: [StoredVertexResponse], description: 'The Company vertices.' })
  companies!: StoredVertexResponse[];

  @ApiProperty({ type: [StoredEdgeResponse], description: 'The OWNS and CONTROLS edges.' })
  relations!: StoredEdgeResponse[];
}

/** Everything held about a person (SubjectExport). */
export class SubjectExportResponse {
  @ApiProperty({ example: 'person:syn:00001234' })
  personId!: string;

  @ApiProperty({ example: '2025-06-01T09:30:00.000Z', description: 'When the export was made.' })
  exportedAt!: string;

  @ApiProperty({ type: StoredVertexResponse, description: 'The Person vertex.' })
  person!: StoredVertexResponse;

  @ApiProperty({ type: [SubjectAccountResponse], description: 'Accounts the person holds.' })
  accounts!: SubjectAccountResponse[];

  @ApiProperty({
    type: [SubjectIdentifierResponse],
    description: 'Identifiers (email, phone, address, device, IP, card) their accounts use.',
  })
  identifiers!: SubjectIdentifierResponse[];

  @ApiProperty({
    type: SubjectMovementsResponse,
    description: 'Money movements into and out of their accounts.',
  })
  movements!: SubjectMovementsResponse;

  @ApiProperty({
    type: SubjectAlertsResponse,
    description: 'Alerts that flag the person or one of their accounts.',
  })
  alerts!: SubjectAlertsResponse;

  @ApiProperty({ type: SubjectOwnershipResponse })
  ownership!: SubjectOwnershipResponse;

  @ApiProperty({
    type: SubjectAuditResponse,
    description: 'Audit entries of requests that named the person or one of their accounts.',
  })
  audit!: SubjectAuditResponse;
}

/** What an erasure did (ErasureResult). */
export class ErasureResultResponse {
  @ApiProperty({ example: 'person:syn:00001234' })
  personId!: string;

  @ApiProperty({
    example: true,
    description:
      'False when an earlier erasure had already done everything (erasing twice is harmless).',
  })
  changed!: boolean;

  @ApiProperty({ example: 'erased-5d41402abc4b', description: 'The name the person now carries.' })
  pseudonym!: string;

  @ApiProperty({
    type: [String],
    example: ['birthDate', 'nationality', 'residence'],
    description: 'Person fields removed by this request.',
  })
  removedFields!: string[];

  @ApiProperty({
    type: [String],
    example: ['email:maria.lopez@example.com'],
    description: 'Contact identifiers (email, phone, address) whose value now is a pseudonym.',
  })
  pseudonymisedIdentifiers!: string[];

  @ApiProperty({
    type: [String],
    example: ['address:12 calle mayor, 28013 madrid, es'],
    description:
      "Contact identifiers kept as they are because other customers' accounts use them too (shared contact data is AML evidence).",
  })
  sharedIdentifiersKept!: string[];

  @ApiProperty({
    example:
      'Kept as AML law requires (EU AMLR 2024/1624 Art. 77, AMLD: 5 years after the end of the business relationship): accounts, movements, alerts and their evidence, the ownership structure and the audit trail. Business ids (including identifier ids) are not changed.',
    description: 'What is kept, and why.',
  })
  retained!: string;
}

export const SUBJECT_SHAPES_COMPLETE: readonly true[] = [
  true satisfies SameKeys<SubjectExportResponse, SubjectExport>,
  true satisfies SameKeys<ErasureResultResponse, ErasureResult>,
  true satisfies SameKeys<StoredMovementResponse, Movement>,
  true satisfies SameKeys<StoredAlertResponse, StoredAlert>,
  true satisfies SameKeys<SubjectMovementsResponse, Bounded<Movement>>,
];
