import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EDGE_LABELS, VERTEX_LABELS } from '@app/vocabulary';
import type { EdgeLabel, VertexLabel } from '@app/vocabulary';

/*
 * OpenAPI shapes of the parts every answer for analysts shares (see analyst-format.ts):
 * money in major units with its base-currency value, parties with names and business ids,
 * vertices and edges with ISO times. Documentation only: the handlers build plain objects.
 */

/** Money in the base currency. */
export class BaseAmountResponse {
  @ApiProperty({ example: '9500.00', description: 'Major units, as a decimal string.' })
  amount!: string;

  @ApiProperty({ example: 950000, description: 'Integer minor units (cents).' })
  amountMinor!: number;

  @ApiProperty({ example: 'USD', description: 'The base currency (ISO 4217).' })
  currency!: string;
}

/** An amount with its currency and its value in the base currency. */
export class MoneyResponse {
  @ApiProperty({ example: '9500.00', description: 'Major units, as a decimal string.' })
  amount!: string;

  @ApiProperty({ example: 950000, description: 'Integer minor units (cents).' })
  amountMinor!: number;

  @ApiProperty({ example: 'USD', description: 'ISO 4217 currency code.' })
  currency!: string;

  @ApiProperty({
    type: BaseAmountResponse,
    nullable: true,
    description:
      'The same money in the base currency at the rate of its day; null when the FX table has no rate for it.',
  })
  base!: BaseAmountResponse | null;
}

/** The display name and business id of a vertex. */
export class PartyRefResponse {
  @ApiProperty({ example: 'person:SYNB:000123', description: 'Business id (uid) of the vertex.' })
  uid!: string;

  @ApiProperty({ enum: VERTEX_LABELS, enumName: 'VertexLabel', example: 'Person' })
  label!: VertexLabel;

  @ApiProperty({
    example: 'Maria Lopez',
    description: 'Person or company name; the account number or identifier value for other labels.',
  })
  name!: string;

  @ApiPropertyOptional({
    example: '0123456789',
    description: 'Company registration number, account number or identifier value.',
  })
  businessId?: string;

  @ApiPropertyOptional({
    example: 'US',
    description: 'Country of a company (jurisdiction), person (residence) or account.',
  })
  country?: string;
}

/** An account with the names and business ids of the customers who hold it. */
export class AccountPartyResponse extends PartyRefResponse {
  @ApiProperty({ type: [PartyRefResponse], description: 'The customers who hold the account.' })
  holders!: PartyRefResponse[];
}

const VERTEX_PROPS_DESCRIPTION =
  'The stored properties of the vertex; which ones depends on the label (see docs/vocabulary.md). ' +
  'Every epoch-millisecond time x (openedAt, timestamp, createdAt…) has an ISO 8601 sibling xIso.';

/** A vertex of the graph as stored, with ISO times beside epoch ones. */
export class VertexResponse {
  @ApiProperty({ enum: VERTEX_LABELS, enumName: 'VertexLabel', example: 'Account' })
  label!: VertexLabel;

  @ApiProperty({ example: 'account:SYNB:0123456789' })
  uid!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: VERTEX_PROPS_DESCRIPTION,
    example: {
      accountType: 'personal',
      currency: 'USD',
      openedAt: 1577836800000,
      openedAtIso: '2020-01-01T00:00:00.000Z',
      status: 'active',
      bankId: 'SYNB',
      country: 'US',
    },
  })
  props!: Record<string, unknown>;
}

/** An entity for analysts: the vertex, its name and business id, and an account's holders. */
export class EntityResponse extends VertexResponse {
  @ApiProperty({ type: PartyRefResponse })
  party!: PartyRefResponse;

  @ApiPropertyOptional({
    type: [PartyRefResponse],
    description: 'For an account: the customers who hold it.',
  })
  holders?: PartyRefResponse[];
}

/** A neighbourhood vertex: the vertex with its name and business id. */
export class NeighbourResponse extends VertexResponse {
  @ApiProperty({ type: PartyRefResponse })
  party!: PartyRefResponse;
}

/** An edge for analysts: ISO times, and for a money movement its amount in major units. */
export class RelationResponse {
  @ApiProperty({ enum: EDGE_LABELS, enumName: 'EdgeLabel', example: 'TRANSFERRED' })
  label!: EdgeLabel;

  @ApiProperty({ example: 'mv:core:2025-000123', description: 'Business id of the edge.' })
  eid!: string;

  @ApiProperty({ example: 'account:SYNB:0123456789', description: 'uid of the source vertex.' })
  from!: string;

  @ApiProperty({ example: 'account:SYNB:3080006234', description: 'uid of the target vertex.' })
  to!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The stored properties of the edge; which ones depends on the label. Epoch times have an ISO sibling xIso.',
    example: {
      amountMinor: 950000,
      currency: 'USD',
      timestamp: 1736158500000,
      timestampIso: '2025-01-06T10:15:00.000Z',
      channel: 'cash',
    },
  })
  props!: Record<string, unknown>;

  @ApiPropertyOptional({
    type: MoneyResponse,
    description: 'For a money movement (TRANSFERRED): its amount in major units.',
  })
  money?: MoneyResponse;
}

/** The declared content of a download that is not JSON. */
export function textContent(mediaType: string, description: string): Record<string, object> {
  return { [mediaType]: { schema: { type: 'string', description } } };
}
