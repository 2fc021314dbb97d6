import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AccountRiskService } from '@app/detectors';
import type { AccountRisk } from '@app/detectors';
import { MinimumRole } from '../auth/roles.decorator';
import { API_V1 } from '../common/api-prefix';
import { ErrorBody } from '../common/error-body';

/** Account risk: thin HTTP layer over AccountRiskService (libs/detectors). */
@ApiTags('accounts')
@ApiSecurity('api-key')
@MinimumRole('analyst')
@Controller(`${API_V1}/accounts`)
export class AccountsController {
  constructor(private readonly risk: AccountRiskService) {}

  @Get(':accountId/risk')
  @ApiOperation({
    summary:
      'Risk summary of an account: score from its active alerts, alerts by typology and status, high-risk country, fraud rings.',
  })
  @ApiParam({ name: 'accountId', description: 'Account uid, e.g. account:SYNB:0123456789.' })
  @ApiNotFoundResponse({ type: ErrorBody })
  get(@Param('accountId') accountId: string): Promise<AccountRisk> {
    return this.risk.risk(accountId);
  }
}
