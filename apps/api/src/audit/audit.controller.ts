import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { MinimumRole } from '../auth/roles.decorator';
import { RequiresStepUp } from '../auth/step-up.decorator';
import { ApiErrorResponses, ApiProtectedErrors } from '../common/api-errors.decorator';
import { API_V1 } from '../common/api-prefix';
import { AuditEntry, AuditLog } from './audit-log';

export class ListAuditQueryDto {
  /** Only entries of this caller (a `key-…` fingerprint). */
  @ApiPropertyOptional({ example: 'key-4f1c2a9e', description: 'Only entries of this caller.' })
  @IsOptional()
  @IsString()
  principal?: string;

  /** Only entries that named this business id. */
  @ApiPropertyOptional({
    example: 'account:SYNB:0123456789',
    description: 'Only entries that named this business id.',
  })
  @IsOptional()
  @IsString()
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
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;
}

/** One audit entry (AuditEntry), for the OpenAPI document. */
export class AuditEntryResponse {
  @ApiProperty({ example: '2025-06-01T09:30:00.000Z' })
  at!: string;

  @ApiProperty({ example: 'key-4f1c2a9e', description: 'Fingerprint of the API key used.' })
  principal!: string;

  @ApiProperty({ example: 'analyst' })
  role!: string;

  @ApiProperty({ example: 'GET' })
  method!: string;

  @ApiProperty({ example: '/api/v1/entities/:uid', description: 'The route template.' })
  route!: string;

  @ApiProperty({ example: '/api/v1/entities/account:SYNB:0123456789' })
  path!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { uid: 'account:SYNB:0123456789' },
    description: 'Business ids named in the request (path parameters).',
  })
  resources!: Record<string, string>;

  @ApiProperty({ example: 200, description: 'The HTTP status answered; 499 when the caller left.' })
  status!: number;

  @ApiProperty({ example: '0d6c1a7e-5b1f-4f5e-9f73-2a4b1c9d8e10' })
  correlationId!: string;

  @ApiPropertyOptional({
    example: 40,
    description:
      'On a summary entry: how many refused requests of the same caller, route and status it stands for.',
  })
  count?: number;
}

@ApiTags('audit')
@ApiSecurity('api-key')
@ApiProtectedErrors({ forbidden: 'The key is not an admin key.' })
@MinimumRole('admin')
@Controller(`${API_V1}/audit`)
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @RequiresStepUp()
  @Get()
  @ApiOperation({ summary: 'Who looked at what: the newest audit entries (admin only).' })
  @ApiOkResponse({ type: [AuditEntryResponse], description: 'The entries, newest first.' })
  @ApiErrorResponses({ badRequest: 'limit is out of range, or an unknown query parameter.' })
  list(@Query() query: ListAuditQueryDto): Promise<AuditEntry[]> {
    return this.audit.list(query);
  }
}
