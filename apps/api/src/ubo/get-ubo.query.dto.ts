import { ApiPropertyOptional } from '@nestjs/swagger';
import type { ApiPropertyOptions } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min, ValidateBy } from 'class-validator';
import type { ValidationArguments } from 'class-validator';
import { UBO_CONVENTIONS, UBO_REGIMES, UboConvention, UboRegime } from '@app/settings';
import {
  calendarDateRule,
  THRESHOLD_COMPARATORS,
  ThresholdComparator,
  UBO_METHODS,
  UboMethod,
} from '@app/ubo';
import { QueryNumber } from '../common/strict-input.decorators';

/** A calendar date written YYYY-MM-DD that exists ("2024-02-30" does not). */
function IsCalendarDate(): PropertyDecorator {
  const rule = (value: unknown): string | undefined =>
    typeof value === 'string' ? calendarDateRule(value) : 'must be a date written YYYY-MM-DD';
  return ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: (value: unknown) => rule(value) === undefined,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'asOf'} ${rule(args?.value) ?? ''}`,
    },
  });
}

const THRESHOLD_BP_DOC: ApiPropertyOptions = {
  type: 'integer',
  minimum: 1,
  maximum: 10000,
  example: 1500,
  description: 'Threshold in basis points (2500 = 25%); only with regime custom.',
};

const MAX_DEPTH_DOC: ApiPropertyOptions = {
  type: 'integer',
  minimum: 1,
  maximum: 100,
  description: 'Deepest ownership layer read above the company.',
};

const THRESHOLD_BP_MIN = 'thresholdBp must be at least 1 basis point';
const THRESHOLD_BP_MAX = 'thresholdBp must be at most 10000 basis points';
const MAX_DEPTH_RANGE = 'maxDepth must be between 1 and 100';

/**
 * The UBO options other than numbers, the same in a query string and in a JSON body; anything
 * left out comes from the `ubo` settings.
 */
abstract class UboChoicesDto {
  @ApiPropertyOptional({
    enum: UBO_REGIMES,
    description:
      'eu (AMLR, 25% or more, multiply chains), uk (PSC, more than 25%, majority chains), us (FinCEN CDD, plus one control-prong person), custom (your threshold).',
  })
  @IsOptional()
  @IsIn(UBO_REGIMES, { message: `regime must be one of ${UBO_REGIMES.join(', ')}` })
  regime?: UboRegime;

  @ApiPropertyOptional({
    enum: UBO_METHODS,
    description:
      'How indirect ownership is attributed (EBA Q&A 2022_6622); each regime allows some: eu multiplication, uk dominancy, us and custom all three.',
  })
  @IsOptional()
  @IsIn(UBO_METHODS, { message: `method must be one of ${UBO_METHODS.join(', ')}` })
  method?: UboMethod;

  @ApiPropertyOptional({
    enum: THRESHOLD_COMPARATORS,
    description:
      'at-least ("25% or more") or more-than ("more than 25%"); only with regime custom.',
  })
  @IsOptional()
  @IsIn(THRESHOLD_COMPARATORS, {
    message: `comparator must be one of ${THRESHOLD_COMPARATORS.join(', ')}`,
  })
  comparator?: ThresholdComparator;

  @ApiPropertyOptional({
    enum: UBO_CONVENTIONS,
    description:
      'Cycles: integrated (geometric series over all paths) or simple-paths (no entity twice on a chain).',
  })
  @IsOptional()
  @IsIn(UBO_CONVENTIONS, { message: `convention must be one of ${UBO_CONVENTIONS.join(', ')}` })
  convention?: UboConvention;

  @ApiPropertyOptional({
    format: 'date',
    pattern: '^\\d{4}-\\d{2}-\\d{2}$',
    example: '2025-06-30',
    description:
      'A calendar date written YYYY-MM-DD; interests ended on or before it are ignored (default: today, UTC).',
  })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;
}

/** Options of one UBO computation in a JSON body (POST /ubo/evaluate): numbers are JSON numbers. */
export class UboOptionsDto extends UboChoicesDto {
  @ApiPropertyOptional(THRESHOLD_BP_DOC)
  @IsOptional()
  @IsInt({ message: 'thresholdBp must be a whole number of basis points, as a JSON number' })
  @Min(1, { message: THRESHOLD_BP_MIN })
  @Max(10000, { message: THRESHOLD_BP_MAX })
  thresholdBp?: number;

  @ApiPropertyOptional(MAX_DEPTH_DOC)
  @IsOptional()
  @IsInt({ message: 'maxDepth must be a whole number, as a JSON number' })
  @Min(1, { message: MAX_DEPTH_RANGE })
  @Max(100, { message: MAX_DEPTH_RANGE })
  maxDepth?: number;
}

/**
 * Query of GET /api/v1/ubo/:companyId (and /network, /bods): the same options, with numbers
 * written in decimal digits.
 */
export class GetUboQueryDto extends UboChoicesDto {
  @ApiPropertyOptional(THRESHOLD_BP_DOC)
  @IsOptional()
  @QueryNumber()
  @Min(1, { message: THRESHOLD_BP_MIN })
  @Max(10000, { message: THRESHOLD_BP_MAX })
  thresholdBp?: number;

  @ApiPropertyOptional(MAX_DEPTH_DOC)
  @IsOptional()
  @QueryNumber()
  @Min(1, { message: MAX_DEPTH_RANGE })
  @Max(100, { message: MAX_DEPTH_RANGE })
  maxDepth?: number;
}

/** Query of GET /api/v1/ubo/:companyId/export: the UBO options and the file format. */
export class ExportUboQueryDto extends GetUboQueryDto {
  /** json (the full answer) or csv (one row per chain of each owner and control person). */
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'], { message: 'format must be one of json, csv' })
  format?: 'json' | 'csv';
}

/** Query of GET /api/v1/ubo/:companyId/network: the UBO options and the format. */
export class GetNetworkQueryDto extends GetUboQueryDto {
  /** json (nodes and edges) or graphml (a download for Gephi, yEd or Cytoscape). */
  @ApiPropertyOptional({ enum: ['json', 'graphml'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'graphml'], { message: 'format must be one of json, graphml' })
  format?: 'json' | 'graphml';
}
