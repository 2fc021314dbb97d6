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
  Matches,
  Max,
  Min,
  IsObject,
  ValidateNested,
} from 'class-validator';
import { BUSINESS_ID_PATTERN, BUSINESS_ID_RULE, EVENT_KINDS } from '@app/vocabulary';
import type { EventKind } from '@app/vocabulary';
import { IsInstant, objectsMessage } from '../common/strict-input.decorators';
import { TIMESTAMP_DESCRIPTION } from './activity-time';
import { MAX_BATCH } from './score-movement.body.dto';

const ID_RULE = { message: `$property ${BUSINESS_ID_RULE}` };

/** One account event: a login, a credential, contact or device change. */
export class AccountEventInputDto {
  @ApiProperty({
    example: 'event:core:login-88412',
    description:
      "The event's id. To be recorded (record: true) it must be written event:<bankId>:<id>, the id a bank import gives the bank's own event_id, so that the same event in a later import is stored once.",
  })
  @Matches(BUSINESS_ID_PATTERN, ID_RULE)
  eventId!: string;

  @ApiProperty({ example: 'account:SYNB:3080006234', description: 'The account (in the store).' })
  @Matches(BUSINESS_ID_PATTERN, ID_RULE)
  accountId!: string;

  @ApiProperty({ enum: EVENT_KINDS, example: 'login' })
  @IsIn(EVENT_KINDS)
  kind!: EventKind;

  @ApiProperty({ example: '2025-01-06T10:14:00Z', description: TIMESTAMP_DESCRIPTION })
  @IsInstant()
  timestamp!: string;

  @ApiPropertyOptional({ example: 'US' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: '$property must be a two-letter ISO 3166 code in capitals' })
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

  /** The device or IP identifier uid the event came from. */
  @ApiPropertyOptional({ example: 'ip:203.0.113.7' })
  @IsOptional()
  @Matches(BUSINESS_ID_PATTERN, ID_RULE)
  identifierUid?: string;
}

/** POST /api/v1/score/event: one account event, flat, plus `record`. */
export class ScoreEventBodyDto extends AccountEventInputDto {
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  record?: boolean;
}

/** POST /api/v1/score/events: several account events in time order. */
export class ScoreEventsBodyDto {
  @ApiProperty({ type: [AccountEventInputDto], minItems: 1, maxItems: MAX_BATCH })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH)
  @IsObject({ each: true, message: objectsMessage })
  @ValidateNested({ each: true })
  @Type(() => AccountEventInputDto)
  events!: AccountEventInputDto[];

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  record?: boolean;
}
