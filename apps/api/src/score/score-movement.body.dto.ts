import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  IsObject,
  ValidateNested,
} from 'class-validator';
import { BUSINESS_ID_PATTERN, BUSINESS_ID_RULE, CHANNELS } from '@app/vocabulary';
import type { Channel } from '@app/vocabulary';
import { IsInstant, objectsMessage } from '../common/strict-input.decorators';
import { TIMESTAMP_DESCRIPTION } from './activity-time';

/** Most movements in one batch request. */
export const MAX_BATCH = 500;

// Long forms reach the exact conversion, which names the rule (too many decimals, too large).
const DECIMAL = /^\d{1,30}(\.\d{1,30})?$/;
const CURRENCY = /^[A-Z]{3}$/;
const COUNTRY = /^[A-Z]{2}$/;
const DECIMAL_RULE = {
  message:
    '$property must be a positive decimal amount in major units written as text, e.g. "9500.00"',
};
const ID_RULE = { message: `$property ${BUSINESS_ID_RULE}` };

/**
 * One money movement as an analyst would write it. Amounts are decimal text in major units of
 * `currency` ("9500.00" USD is nine thousand five hundred dollars); they are converted to
 * integer minor units exactly, and refused when they carry more decimals than the currency has.
 */
export class MovementInputDto {
  /** The bank's id of the movement; recorded movements keep it. */
  @ApiProperty({
    example: 'mv:core:2025-000123',
    description:
      "The movement's id. To be recorded (record: true) it must be written mv:<bankId>:<id>, the id a bank import gives the bank's own movement_id, so that the same movement in a later import is stored once.",
  })
  @Matches(BUSINESS_ID_PATTERN, ID_RULE)
  movementId!: string;

  @ApiProperty({
    example: 'account:SYNB:3080006234',
    description: 'Paying account (in the store).',
  })
  @Matches(BUSINESS_ID_PATTERN, ID_RULE)
  fromAccount!: string;

  @ApiProperty({ example: 'cash:SYNB:branch-7', description: 'Receiving account (in the store).' })
  @Matches(BUSINESS_ID_PATTERN, ID_RULE)
  toAccount!: string;

  @ApiProperty({ example: '9500.00', description: 'Decimal text in major units of `currency`.' })
  @IsString()
  @Matches(DECIMAL, DECIMAL_RULE)
  amount!: string;

  @ApiProperty({ example: 'USD', description: 'ISO 4217 code in capitals.' })
  @Matches(CURRENCY, { message: '$property must be a three-letter ISO 4217 code in capitals' })
  currency!: string;

  @ApiProperty({ example: '2025-01-06T10:15:00Z', description: TIMESTAMP_DESCRIPTION })
  @IsInstant()
  timestamp!: string;

  @ApiProperty({ enum: CHANNELS, example: 'cash' })
  @IsIn(CHANNELS)
  channel!: Channel;

  /** Amount received in the beneficiary's currency when it differs (decimal text). */
  @ApiPropertyOptional({ example: '8700.00' })
  @IsOptional()
  @IsString()
  @Matches(DECIMAL, DECIMAL_RULE)
  receivedAmount?: string;

  @ApiPropertyOptional({ example: 'EUR' })
  @IsOptional()
  @Matches(CURRENCY, { message: '$property must be a three-letter ISO 4217 code in capitals' })
  receivedCurrency?: string;

  /** The device or IP identifier uid used to initiate the movement. */
  @ApiPropertyOptional({ example: 'ip:203.0.113.7' })
  @IsOptional()
  @Matches(BUSINESS_ID_PATTERN, ID_RULE)
  identifierUid?: string;

  @ApiPropertyOptional({ example: 'US', description: 'ISO 3166 two-letter code in capitals.' })
  @IsOptional()
  @Matches(COUNTRY, { message: '$property must be a two-letter ISO 3166 code in capitals' })
  country?: string;

  @ApiPropertyOptional({ example: 40.7128 })
  @IsOptional()
  @IsNumber(
    { allowNaN: false, allowInfinity: false },
    { message: '$property must be a JSON number in degrees, such as 40.7128 (not text)' },
  )
  @Min(-90)
  @Max(90)
  latitude?: number;

  @ApiPropertyOptional({ example: -74.006 })
  @IsOptional()
  @IsNumber(
    { allowNaN: false, allowInfinity: false },
    { message: '$property must be a JSON number in degrees, such as -74.006 (not text)' },
  )
  @Min(-180)
  @Max(180)
  longitude?: number;

  @ApiPropertyOptional({ example: 'invoice 2025-17' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reference?: string;
}

/** POST /api/v1/score/movement: one movement, flat, plus `record`. */
export class ScoreMovementBodyDto extends MovementInputDto {
  /**
   * true: write the movement to the store, keep it in the rules' windows and save the alerts
   * (admin only). false (default): answer only; nothing is stored or kept.
   */
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  record?: boolean;
}

/** POST /api/v1/score/movements: several movements in time order, scored as one sequence. */
export class ScoreMovementsBodyDto {
  @ApiProperty({ type: [MovementInputDto], minItems: 1, maxItems: MAX_BATCH })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH)
  @IsObject({ each: true, message: objectsMessage })
  @ValidateNested({ each: true })
  @Type(() => MovementInputDto)
  movements!: MovementInputDto[];

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  record?: boolean;
}
