import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { MinimumRole } from '../auth/roles.decorator';
import { RequiresStepUp } from '../auth/step-up.decorator';
import { API_V1 } from '../common/api-prefix';
import { AuditEntry, AuditLog } from './audit-log';

export class ListAuditQueryDto {
  /** Only entries of this caller (a `key-…` fingerprint). */
  @IsOptional()
  @IsString()
  principal?: string;

  /** Only entries that named this business id. */
  @IsOptional()
  @IsString()
  resource?: string;

  /** Newest entries first; at most this many. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;
}

@ApiTags('audit')
@ApiSecurity('api-key')
@MinimumRole('admin')
@Controller(`${API_V1}/audit`)
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @RequiresStepUp()
  @Get()
  @ApiOperation({ summary: 'Who looked at what: the newest audit entries (admin only).' })
  list(@Query() query: ListAuditQueryDto): Promise<AuditEntry[]> {
    return this.audit.list(query);
  }
}
