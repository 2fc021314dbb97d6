import { ApiProperty } from '@nestjs/swagger';
import { SEVERITIES } from '@app/vocabulary';
import type { Severity } from '@app/vocabulary';
import { AlertResponse } from '../alerts/alert.responses';
import { FraudRingResponse } from '../fraud/fraud.responses';
import { AccountPartyResponse } from '../presentation/analyst-format.responses';

/* OpenAPI shape of GET /accounts/{accountId}/risk (AccountRiskView). Documentation only. */

export class AccountRiskResponse {
  @ApiProperty({ example: 'account:SYNB:0123456789' })
  accountId!: string;

  @ApiProperty({ type: AccountPartyResponse, description: 'The account with its holders.' })
  account!: AccountPartyResponse;

  @ApiProperty({
    example: 0.91,
    minimum: 0,
    maximum: 1,
    description: '1 − Π(1 − score) over the active alerts: 0 without any.',
  })
  riskScore!: number;

  @ApiProperty({ enum: [...SEVERITIES, 'none'], example: 'high' })
  riskLevel!: Severity | 'none';

  @ApiProperty({ example: 2 })
  activeAlerts!: number;

  @ApiProperty({ example: 3 })
  totalAlerts!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { structuring: 2, 'fan-out': 1 },
    description: 'Alerts per typology.',
  })
  byTypology!: Record<string, number>;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { open: 2, 'closed-false-positive': 1 },
    description: 'Alerts per status (statuses without alerts are left out).',
  })
  byStatus!: Record<string, number>;

  @ApiProperty({ example: false, description: 'The account country is on the high-risk list.' })
  highRiskCountry!: boolean;

  @ApiProperty({ example: 'US' })
  country!: string;

  @ApiProperty({ type: [FraudRingResponse], description: 'Fraud rings the account is in.' })
  rings!: FraudRingResponse[];

  @ApiProperty({ type: [AlertResponse], description: 'The ten most recently updated alerts.' })
  recentAlerts!: AlertResponse[];
}
