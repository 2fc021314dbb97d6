import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { MinimumRole } from '../auth/roles.decorator';
import { RequiresStepUp } from '../auth/step-up.decorator';
import { ApiErrorResponses, ApiProtectedErrors } from '../common/api-errors.decorator';
import { API_V1 } from '../common/api-prefix';
import { AuditEntry, AuditLog } from './audit-log';
import { STEP_UP_REQUIRED_ANSWER } from '../mfa/mfa.responses';
import { AuditEntryResponse } from './audit.responses';
import { ListAuditQueryDto } from './list-audit.query.dto';

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
  @ApiOkResponse({
    type: [AuditEntryResponse],
    description:
      'The entries, newest first. When older ones follow, the X-Next-Cursor header gives the cursor of the next page.',
    headers: {
      'X-Next-Cursor': {
        description: 'Pass it as cursor for the next (older) page; absent on the last page.',
        schema: { type: 'string' },
      },
    },
  })
  @ApiErrorResponses({
    badRequest:
      'limit is out of range, a cursor this API did not give, or an unknown query parameter.',
    forbidden: `The key is not an admin key. ${STEP_UP_REQUIRED_ANSWER}`,
  })
  async list(
    @Query() query: ListAuditQueryDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AuditEntry[]> {
    const page = await this.audit.listPage(query);
    if (page.nextCursor !== undefined) response.setHeader('X-Next-Cursor', page.nextCursor);
    return page.items;
  }
}
