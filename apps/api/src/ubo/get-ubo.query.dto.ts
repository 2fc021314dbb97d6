import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { UBO_CONVENTIONS, UBO_REGIMES, UboConvention, UboRegime } from '@app/settings';
import { THRESHOLD_COMPARATORS, ThresholdComparator, UBO_METHODS, UboMethod } from '@app/ubo';

/** Options of one UBO computation; anything left out comes from the `ubo` settings. */
export class UboOptionsDto {
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
    type: 'integer',
    minimum: 1,
    maximum: 10000,
    example: 1500,
    description: 'Threshold in basis points (2500 = 25%); only with regime custom.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'thresholdBp must be a whole number of basis points' })
  @Min(1, { message: 'thresholdBp must be at least 1 basis point' })
  @Max(10000, { message: 'thresholdBp must be at most 10000 basis points' })
  thresholdBp?: number;

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
    type: 'integer',
    minimum: 1,
    maximum: 100,
    description: 'Deepest ownership layer read above the company.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'maxDepth must be a whole number' })
  @Min(1, { message: 'maxDepth must be between 1 and 100' })
  @Max(100, { message: 'maxDepth must be between 1 and 100' })
  maxDepth?: number;

  @ApiPropertyOptional({
    enum: UBO_CONVENTIONS,
    description:
      'Cycles: integrated (geometric series over all paths) or simple-paths (no entity twice on a chain).',
  })
  @IsOptional()
  @IsIn(UBO_CONVENTIONS, { message: `convention must be one of ${UBO_CONVENTIONS.join(', ')}` })
  convention?: UboConvention;

  @ApiPropertyOptional({
    example: '2025-06-30',
    description: 'Interests ended on or before this date are ignored (default: today, UTC).',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'asOf must be a date written YYYY-MM-DD' })
  asOf?: string;
}

/** Query of GET /api/v1/ubo/:companyId (and /network, /bods). */
export class GetUboQueryDto extends UboOptionsDto {}

/** Query of GET /api/v1/ubo/:companyId/export: the UBO options and the file format. */
export class ExportUboQueryDto extends UboOptionsDto {
  /** json (the full answer) or csv (one row per chain of each owner and control person). */
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'], { message: 'format must be one of json, csv' })
  format?: 'json' | 'csv';
}

/** Query of GET /api/v1/ubo/:companyId/network: the UBO options and the format. */
export class GetNetworkQueryDto extends UboOptionsDto {
  /** json (nodes and edges) or graphml (a download for Gephi, yEd or Cytoscape). */
  @ApiPropertyOptional({ enum: ['json', 'graphml'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'graphml'], { message: 'format must be one of json, graphml' })
  format?: 'json' | 'graphml';
}
