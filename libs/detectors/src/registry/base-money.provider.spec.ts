import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { GraphStoreModule } from '@app/graph-store';
import { InvalidSettingsError, SettingsModule, moneySettings } from '@app/settings';
import type { BaseMoney } from '@app/vocabulary';
import { baseMoneyFromSettings } from './base-money.provider';
import { DetectorRegistry } from './detector.registry';
import { BASE_MONEY } from './detectors.tokens';
import { DetectorsModule } from './detectors.module';

const DAY_2024 = Date.parse('2024-06-03T10:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'fx-provider-'));

function settingsError(fn: () => unknown): InvalidSettingsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidSettingsError) return error;
    throw error;
  }
  throw new Error('no InvalidSettingsError');
}

describe('baseMoneyFromSettings', () => {
  it('uses the built-in table when FX_RATES_FILE is unset or empty', () => {
    for (const fxRatesFile of [undefined, '', '  ']) {
      const money = baseMoneyFromSettings({ fxRatesFile, baseCurrency: 'USD' });
      expect(money.currency).toBe('USD');
      // The shipped rate: 0.8534 EUR per USD.
      expect(money.convert(8534, 'EUR', DAY_2024)).toBe(10000);
    }
    expect(baseMoneyFromSettings({ baseCurrency: 'EUR' }).convert(10000, 'USD', DAY_2024)).toBe(
      8534,
    );
  });

  it('reads the ECB-layout file of FX_RATES_FILE', () => {
    const file = join(dir, 'ecb.csv');
    writeFileSync(file, 'Date,USD,JPY,\n2024-06-03,1.0867,169.12,\n');
    const money = baseMoneyFromSettings({ fxRatesFile: file, baseCurrency: 'JPY' });
    expect(money.convert(10867, 'USD', DAY_2024)).toBe(16912);
  });

  it('names FX_RATES_FILE, the file and the problem when the file is missing or invalid', () => {
    const missing = join(dir, 'missing.csv');
    const absent = settingsError(() =>
      baseMoneyFromSettings({ fxRatesFile: missing, baseCurrency: 'USD' }),
    );
    expect(absent.problems).toHaveLength(1);
    expect(absent.problems[0]).toMatchObject({ variable: 'FX_RATES_FILE', value: missing });
    expect(absent.problems[0]?.rule).toContain(`The FX rate table ${missing} cannot be read`);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'Date,USD\n2024-06-03,1,0867\n');
    const invalid = settingsError(() =>
      baseMoneyFromSettings({ fxRatesFile: bad, baseCurrency: 'USD' }),
    );
    expect(invalid.message).toContain(
      `FX_RATES_FILE="${bad}": The FX rate table ${bad} is invalid`,
    );
    expect(invalid.message).toContain(
      'line 2, column 1 (row): must have 2 columns like the header, has 3',
    );
  });

  it('names BASE_CURRENCY when the table has no rate for it', () => {
    const error = settingsError(() => baseMoneyFromSettings({ baseCurrency: 'ZAR' }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ variable: 'BASE_CURRENCY', value: 'ZAR' });
    expect(error.problems[0]?.rule).toMatch(
      /^must be a currency of the built-in FX rate table .*, which has AED, AUD, BRL, BTC/,
    );
  });
});

describe('DetectorsModule and BASE_MONEY', () => {
  it('gives the registry the base money of the money settings', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [SettingsModule, GraphStoreModule, DetectorsModule],
    })
      .overrideProvider(moneySettings.KEY)
      .useValue({ baseCurrency: 'EUR' })
      .compile();
    const money = moduleRef.get<BaseMoney>(BASE_MONEY);
    expect(money.currency).toBe('EUR');
    expect(moduleRef.get(DetectorRegistry).money).toBe(money);
    await moduleRef.close();
  });

  it('refuses to boot with an unreadable FX_RATES_FILE', async () => {
    const missing = join(dir, 'absent.csv');
    await expect(
      Test.createTestingModule({ imports: [SettingsModule, GraphStoreModule, DetectorsModule] })
        .overrideProvider(moneySettings.KEY)
        .useValue({ fxRatesFile: missing, baseCurrency: 'USD' })
        .compile(),
    ).rejects.toThrow(`FX_RATES_FILE="${missing}": The FX rate table ${missing} cannot be read`);
  });
});
