import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { FraudRingService } from '@app/detectors';
import type { FraudRing, FraudRingParams } from '@app/detectors';
import { MinimumRole } from '../auth/roles.decorator';
import { API_V1 } from '../common/api-prefix';
import { ErrorBody } from '../common/error-body';
import { ListRingsQueryDto } from './list-rings.query.dto';

/** Fraud rings read from the graph: thin HTTP layer over FraudRingService (libs/detectors). */
@ApiTags('fraud')
@ApiSecurity('api-key')
@MinimumRole('analyst')
@Controller(`${API_V1}/fraud`)
export class FraudController {
  constructor(private readonly rings: FraudRingService) {}

  @Get('rings')
  @ApiOperation({
    summary:
      'Rings of accounts of different customers linked by more than one shared identifier (hubs left out): members and shared identifiers.',
  })
  @ApiBadRequestResponse({ type: ErrorBody })
  list(
    @Query() query: ListRingsQueryDto,
  ): Promise<{ rings: FraudRing[]; parameters: FraudRingParams }> {
    const parameters: Record<string, unknown> = {};
    if (query.hubCap !== undefined) parameters.hubCap = query.hubCap;
    if (query.minShared !== undefined) parameters.minSharedIdentifiers = query.minShared;
    if (query.minMembers !== undefined) parameters.minMembers = query.minMembers;
    if (query.kinds !== undefined) parameters.kinds = query.kinds;
    return this.rings.findRings({ accountIds: query.accounts, parameters });
  }
}
