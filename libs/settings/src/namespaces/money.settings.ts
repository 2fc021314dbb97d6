import { IsOptional, IsString, Matches } from 'class-validator';
import { EnvVar } from '../env-var.decorator';

/**
 * Money in one base currency (namespace `money`): the dated FX reference-rate table that rules
 * convert amounts with, and the currency they compare amounts in.
 */
export class MoneySettings {
  @EnvVar({
    name: 'FX_RATES_FILE',
    kind: 'string',
    description:
      'Dated FX reference rates, ECB CSV layout (Date,USD,JPY,...); unset = the built-in table of the generator and AMLworld currencies.',
  })
  @IsOptional()
  @IsString()
  fxRatesFile?: string;

  @EnvVar({
    name: 'BASE_CURRENCY',
    kind: 'string',
    default: 'USD',
    description:
      'Currency rules compare amounts in; DETECTORS_* amounts are in it. Must be a currency of the FX table.',
  })
  @Matches(/^[A-Z]{3}$/, {
    message: 'must be a three-letter currency code in capitals, such as USD or EUR',
  })
  baseCurrency!: string;
}
