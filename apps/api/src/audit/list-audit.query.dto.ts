import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { QueryNumber } from '../common/strict-input.decorators';

/** Query of GET /api/v1/audit. */
export class ListAuditQueryDto {
  /** Only entries of this caller (a `key-…` fingerprint). */
  @ApiPropertyOptional({ example: 'key-4f1c2a9e', description: 'Only entries of this caller.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  principal?: string;

  /** Only entries that named this business id. */
  @ApiPropertyOptional({
    example: 'account:SYNB:0123456789',
    description: 'Only entries that named this business id.',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  resource?: string;

  /** Newest entries first; at most this many. */
  @ApiPropertyOptional({
    type: 'integer',
    default: 100,
    minimum: 1,
    maximum: 1000,
    description: 'Most entries.',
  })
  @IsOptional()
  @QueryNumber()
  @Min(1)
  @Max(1000)
  limit: number = 100;

  /** The `X-Next-Cursor` header of the previous page: the entries older than it. */
  @ApiPropertyOptional({
    description:
      'The X-Next-Cursor header of the previous answer: the next (older) page. Absent: the newest entries.',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  cursor?: string;
}
