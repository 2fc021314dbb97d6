import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsOptional, IsString } from 'class-validator';
import { IsInstant } from '../common/strict-input.decorators';
import { IsObjectOfObjects } from '../common/validators';

export class ScanAlertsBodyDto {
  /** Rule ids to run (see GET /api/v1/alerts/rules); all rules when absent or empty. */
  @ApiPropertyOptional({ type: [String], example: ['aml.structuring', 'aml.fan-out'] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  rules?: string[];

  /** Start of the window (inclusive), ISO 8601. Rules read their look-back before it. */
  @ApiProperty({ example: '2024-10-01T00:00:00Z' })
  @IsInstant()
  from!: string;

  /** End of the window (exclusive), ISO 8601. */
  @ApiProperty({ example: '2025-01-01T00:00:00Z' })
  @IsInstant()
  to!: string;

  /** Per-rule parameter overrides for this scan: { "aml.fan-out": { "minCounterparties": 8 } }. */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'object' },
    example: { 'aml.fan-out': { minCounterparties: 8 } },
  })
  @IsOptional()
  @IsObjectOfObjects({ message: 'parameters must map each rule id to an object of parameters' })
  parameters?: Record<string, Record<string, unknown>>;

  /** false: detect and report without storing alerts (dry run). */
  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  persist?: boolean;
}
