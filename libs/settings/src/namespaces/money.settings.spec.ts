import { InvalidSettingsError } from '../settings.error';
import { loadAllSettings } from '../settings';
import { loadSettings } from '../load-settings';
import { MoneySettings } from './money.settings';

function messageOf(env: Record<string, string>): string {
  try {
    loadAllSettings(env);
  } catch (error: unknown) {
    if (error instanceof InvalidSettingsError) return error.message;
    throw error;
  }
  throw new Error('expected InvalidSettingsError');
}

describe('money settings', () => {
  it('defaults to the built-in FX table (no file) and USD', () => {
    expect(loadAllSettings({}).money).toEqual({ baseCurrency: 'USD' });
  });

  it('reads the FX table file and the base currency', () => {
    expect(
      loadSettings(MoneySettings, {
        FX_RATES_FILE: '/data/eurofxref-hist.csv',
        BASE_CURRENCY: 'EUR',
      }),
    ).toEqual({ fxRatesFile: '/data/eurofxref-hist.csv', baseCurrency: 'EUR' });
  });

  it.each(['usd', 'US', 'EURO', ''])(
    'refuses BASE_CURRENCY=%j naming the variable and the rule',
    (value) => {
      expect(messageOf({ BASE_CURRENCY: value })).toContain(
        `BASE_CURRENCY=${JSON.stringify(value)}: must be a three-letter currency code in capitals, such as USD or EUR`,
      );
    },
  );
});
