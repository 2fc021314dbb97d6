import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AccountRiskService } from '@app/detectors';
import type { AccountRisk } from '@app/detectors';
import { alertView } from '../alerts/alert.view';
import type { AlertView } from '../alerts/alert.view';
import { MinimumRole } from '../auth/roles.decorator';
import { API_V1 } from '../common/api-prefix';
import { ApiErrorResponses, ApiProtectedErrors } from '../common/api-errors.decorator';
import { PartyDirectory } from '../presentation/party-directory.service';
import type { AccountParty } from '../presentation/party-directory.service';
import { AccountRiskResponse } from './account.responses';

/** The risk summary for analysts: the account with its holders, alerts with ISO times. */
export type AccountRiskView = Omit<AccountRisk, 'recentAlerts'> & {
  account: AccountParty;
  recentAlerts: AlertView[];
};

/** Account risk: thin HTTP layer over AccountRiskService (libs/detectors). */
@ApiTags('accounts')
@ApiSecurity('api-key')
@ApiProtectedErrors()
@MinimumRole('analyst')
@Controller(`${API_V1}/accounts`)
export class AccountsController {
  constructor(
    private readonly risk: AccountRiskService,
    private readonly parties: PartyDirectory,
  ) {}

  @Get(':accountId/risk')
  @ApiOperation({
    summary:
      'Risk summary of an account: its holders (names, business ids), score from its active alerts, alerts by typology and status, high-risk country, fraud rings.',
  })
  @ApiParam({ name: 'accountId', description: 'Account uid, e.g. account:SYNB:0123456789.' })
  @ApiOkResponse({ type: AccountRiskResponse, description: 'The risk summary.' })
  @ApiErrorResponses({ notFound: 'No account has this uid.' })
  async get(@Param('accountId') accountId: string): Promise<AccountRiskView> {
    const risk = await this.risk.risk(accountId);
    const accounts = await this.parties.accounts([accountId]);
    return {
      ...risk,
      account: accounts.get(accountId) ?? {
        uid: accountId,
        label: 'Account',
        name: accountId,
        holders: [],
      },
      recentAlerts: risk.recentAlerts.map(alertView),
    };
  }
}
