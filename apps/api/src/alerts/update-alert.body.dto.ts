import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { ALERT_STATUSES } from '@app/vocabulary';
import type { AlertStatus } from '@app/vocabulary';
import { HasNoControlCharacters, IsNotBlank } from '../common/strict-input.decorators';

/** Longest status note of an alert. */
export const ALERT_NOTE_MAX = 2_000;

export class UpdateAlertBodyDto {
  /** The new status; allowed changes depend on the current one (e.g. closed alerts can be reopened). */
  @ApiPropertyOptional({ enum: ALERT_STATUSES, example: 'investigating' })
  @IsOptional()
  @IsIn(ALERT_STATUSES)
  status?: AlertStatus;

  /** Why: kept in the alert's status history; required with status. */
  @ApiPropertyOptional({ example: 'Branch CCTV requested' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(ALERT_NOTE_MAX)
  @IsNotBlank()
  @HasNoControlCharacters()
  note?: string;

  /** Who works the alert, or an empty string to take it off its assignee. */
  @ApiPropertyOptional({ example: 'user:alice', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsNotBlank()
  @HasNoControlCharacters()
  assignee?: string;
}

export class AssignAlertsBodyDto {
  /** The alerts to assign; all of them or none (an unknown id changes nothing). */
  @ApiProperty({
    type: [String],
    example: ['alert:aml.structuring:3f2a9c1e', 'alert:aml.fan-out:9b1c2d3e'],
    maxItems: 500,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  alertIds!: string[];

  /** Who works them, or an empty string to take them off their assignee. */
  @ApiProperty({ example: 'user:alice', maxLength: 200 })
  @IsString()
  @MaxLength(200)
  @IsNotBlank()
  @HasNoControlCharacters()
  assignee!: string;
}
