import {
  Allow,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Min,
} from 'class-validator';
import {
  CHANNELS,
  DERIVED_EDGE_LABELS,
  EDGE_LABELS,
  INGESTABLE_VERTEX_LABELS,
} from '@app/vocabulary';
import { ALL_MESSAGE_TYPES, ENVELOPE_VERSION } from './envelope.types';

/*
 * class-validator DTOs of the stream messages: the envelope and the shape of each payload.
 * The vocabulary validators (`validateVertex` / `validateEdge`) then check every property rule,
 * so a rule is written once, in the vocabulary. Messages use `{ field } {rule}` wording.
 */

const MESSAGE_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/+#>-]{0,199}$/;

export class EnvelopeDto {
  @IsIn(ALL_MESSAGE_TYPES, { message: `must be one of ${ALL_MESSAGE_TYPES.join(', ')}` })
  type!: string;

  @IsIn([ENVELOPE_VERSION], {
    message: `must be ${ENVELOPE_VERSION} (the only envelope version this code reads)`,
  })
  version!: number;

  @IsString({ message: 'must be a string' })
  @Matches(MESSAGE_ID, {
    message: 'must be 1-200 characters: letters, digits and . _ : @ / + # > - (a UUID fits)',
  })
  id!: string;

  @IsInt({ message: 'must be a whole number of epoch milliseconds' })
  @Min(0, { message: 'must be 0 or more' })
  occurredAt!: number;

  @IsObject({ message: 'must be an object' })
  payload!: Record<string, unknown>;
}

export class VertexPayloadDto {
  @IsIn(INGESTABLE_VERTEX_LABELS, {
    message: `must be one of ${INGESTABLE_VERTEX_LABELS.join(', ')} (alerts and their status history are written by the analytics, never ingested)`,
  })
  label!: string;

  @IsString({ message: 'must be a string' })
  uid!: string;

  @IsObject({ message: 'must be an object' })
  props!: Record<string, unknown>;
}

const ENTITY_EDGE_LABELS = EDGE_LABELS.filter(
  (label) => label !== 'TRANSFERRED' && !DERIVED_EDGE_LABELS.includes(label),
);

export class EdgePayloadDto {
  @IsIn(ENTITY_EDGE_LABELS, {
    message: `must be one of ${ENTITY_EDGE_LABELS.join(', ')} (movements go to the movements topic as movement.recorded)`,
  })
  label!: string;

  @IsString({ message: 'must be a string' })
  eid!: string;

  @IsString({ message: 'must be a string' })
  from!: string;

  @IsString({ message: 'must be a string' })
  to!: string;

  @IsObject({ message: 'must be an object' })
  props!: Record<string, unknown>;
}

/** A `Movement`; ranges, patterns and currencies are checked by the vocabulary afterwards. */
export class MovementPayloadDto {
  @IsString({ message: 'must be a string' })
  movementId!: string;

  @IsString({ message: 'must be a string' })
  fromAccount!: string;

  @IsString({ message: 'must be a string' })
  toAccount!: string;

  @IsInt({ message: 'must be a whole number of minor units' })
  amountMinor!: number;

  @IsString({ message: 'must be a string' })
  currency!: string;

  @IsInt({ message: 'must be a whole number of epoch milliseconds' })
  timestamp!: number;

  @IsIn(CHANNELS, { message: `must be one of ${CHANNELS.join(', ')}` })
  channel!: string;

  @IsOptional()
  @IsInt({ message: 'must be a whole number of minor units' })
  receivedAmountMinor?: number;

  @IsOptional()
  @IsString({ message: 'must be a string' })
  receivedCurrency?: string;

  @IsOptional()
  @IsString({ message: 'must be a string' })
  identifierUid?: string;

  @IsOptional()
  @IsString({ message: 'must be a string' })
  country?: string;

  @IsOptional()
  @IsNumber({}, { message: 'must be a number' })
  latitude?: number;

  @IsOptional()
  @IsNumber({}, { message: 'must be a number' })
  longitude?: number;

  @IsOptional()
  @IsString({ message: 'must be a string' })
  reference?: string;
}

/** Light check of alerts read back from the alerts topic. */
export class AlertPayloadDto {
  @IsString() alertId!: string;
  @IsString() ruleId!: string;
  @IsString() ruleVersion!: string;
  @IsString() typology!: string;
  @IsString() severity!: string;
  @IsNumber() score!: number;
  @IsString() explanation!: string;
  @IsString() fingerprint!: string;
  @IsString() subject!: string;
  @IsInt() windowStart!: number;
  @IsInt() windowEnd!: number;
  @IsString({ each: true }) movementIds!: string[];
  @Allow() parties!: unknown;
  @IsOptional() @IsObject() risk?: unknown;
}
