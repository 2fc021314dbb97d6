import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { ALERT_SORT_KEYS } from '@app/detectors';
import type { AlertSortKey } from '@app/detectors';
import { ALERT_STATUSES, SEVERITIES, TYPOLOGIES } from '@app/vocabulary';
import type { AlertStatus, Severity, Typology } from '@app/vocabulary';
import { IsInstant, QueryNumber } from '../common/strict-input.decorators';

export class ListAlertsQueryDto {
  /** Only alerts with this status. */
  @ApiPropertyOptional({ enum: ALERT_STATUSES })
  @IsOptional()
  @IsIn(ALERT_STATUSES)
  status?: AlertStatus;

  /** Only alerts of this typology. */
  @ApiPropertyOptional({ enum: TYPOLOGIES })
  @IsOptional()
  @IsIn(TYPOLOGIES)
  typology?: Typology;

  /** Only alerts of this rule id, e.g. aml.structuring. */
  @ApiPropertyOptional({ example: 'aml.structuring' })
  @IsOptional()
  @IsString()
  rule?: string;

  /** Only alerts that flag this account (or any vertex uid). */
  @ApiPropertyOptional({ example: 'account:SYNB:0123456789' })
  @IsOptional()
  @IsString()
  account?: string;

  /** Only alerts whose window ends at or after this instant (ISO 8601). */
  @ApiPropertyOptional({ example: '2024-10-01T00:00:00Z' })
  @IsOptional()
  @IsInstant()
  from?: string;

  /** Only alerts whose window starts before this instant (ISO 8601). */
  @ApiPropertyOptional({ example: '2025-01-01T00:00:00Z' })
  @IsOptional()
  @IsInstant()
  to?: string;

  /** Only alerts of this assignee. */
  @ApiPropertyOptional({ example: 'user:alice' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  assignee?: string;

  /** Only alerts of this severity. */
  @ApiPropertyOptional({ enum: SEVERITIES })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity;

  /** Only alerts scoring at least this (0 to 1). */
  @ApiPropertyOptional({ example: 0.7, minimum: 0, maximum: 1 })
  @IsOptional()
  @QueryNumber({ fraction: true })
  @Min(0)
  @Max(1)
  minScore?: number;

  /**
   * Order of the whole listing (not of one page): score (the rule's), raisedAt (when the alert
   * was first stored) or risk (the learned model's score; alerts the model did not score come
   * after all scored ones, in alert id order, in both directions). Ties come in alert id order,
   * so pages never repeat or skip an alert. Without it, alerts come in alert id order.
   */
  @ApiPropertyOptional({ enum: ALERT_SORT_KEYS, example: 'score' })
  @IsOptional()
  @IsIn(ALERT_SORT_KEYS)
  sort?: AlertSortKey;

  /** Direction of sort: desc (highest or newest first, the default) or asc. Needs sort. */
  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  direction?: 'asc' | 'desc';

  /** nextCursor of the previous page (of the same filters, sort and direction). */
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  cursor?: string;

  /** Page size. */
  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @QueryNumber()
  @Min(1)
  @Max(500)
  limit: number = 50;
}
