import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
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
import { STEP_UP_REQUIRED_ANSWER } from '../mfa/mfa.responses';
import { AuditEntryResponse } from './audit.responses';

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
  @ApiErrorResponses({
    badRequest: 'limit is out of range, or an unknown query parameter.',
    forbidden: `The key is not an admin key. ${STEP_UP_REQUIRED_ANSWER}`,
  })
  list(@Query() query: ListAuditQueryDto): Promise<AuditEntry[]> {
    return this.audit.list(query);
  }
}
