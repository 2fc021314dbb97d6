import type { FactoryProvider } from '@nestjs/common';
import { InvalidSettingsError, moneySettings } from '@app/settings';
import type { MoneyConfig } from '@app/settings';
import {
  DatedRateMoney,
  InvalidInputError,
  readFxRateTable,
  shippedFxRateTable,
} from '@app/vocabulary';
import type { BaseMoney, FxRateTable } from '@app/vocabulary';
import { BASE_MONEY } from './detectors.tokens';

/**
 * The base money of the `money` settings: the table of FX_RATES_FILE (or the built-in one) in
 * BASE_CURRENCY. An unreadable or invalid file, or a base currency the table lacks, stops the
 * boot with an {@link InvalidSettingsError} naming the variable, the file and the problem.
 */
export function baseMoneyFromSettings(config: MoneyConfig): BaseMoney {
  const file = config.fxRatesFile?.trim() ?? '';
  let table: FxRateTable;
  if (file === '') table = shippedFxRateTable();
  else {
    try {
      table = readFxRateTable(file);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      throw new InvalidSettingsError([
        { variable: 'FX_RATES_FILE', value: file, rule: error.message },
      ]);
    }
  }
  if (!table.has(config.baseCurrency)) {
    throw new InvalidSettingsError([
      {
        variable: 'BASE_CURRENCY',
        value: config.baseCurrency,
        rule: `must be a currency of ${table.source}, which has ${table.currencies.join(', ')}`,
      },
    ]);
  }
  return new DatedRateMoney(table, config.baseCurrency);
}

/** Provides {@link BASE_MONEY} from the `money` settings namespace. */
export const BASE_MONEY_PROVIDER: FactoryProvider<BaseMoney> = {
  provide: BASE_MONEY,
  inject: [moneySettings.KEY],
  useFactory: baseMoneyFromSettings,
};
