import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../errors';
import {
  SHIPPED_FX_RATE_SOURCES,
  readFxRateTable,
  shippedBaseMoney,
  shippedFxRateTable,
} from './shipped-fx-rates';
import { SHIPPED_FX_RATES_CSV } from './shipped-fx-rates.data';

/** Currencies of AMLworld (importers/amlworld/amlworld.mapping.ts) and of the generator. */
const NEEDED = [
  ...['USD', 'EUR', 'CNY', 'INR', 'RUB', 'SAR', 'AUD', 'CAD', 'CHF', 'BRL', 'MXN', 'ILS'],
  ...['GBP', 'JPY', 'BTC', 'PLN', 'NGN', 'AED', 'HKD', 'SGD', 'IRR', 'MMK', 'KPW'],
];
const AMLWORLD_DAY = Date.parse('2022-09-01T00:00:00Z');
const GENERATED_DAY = Date.parse('2024-10-03T12:00:00Z');

describe('shipped FX table', () => {
  it('embeds exactly the text of shipped-fx-rates.csv', () => {
    expect(SHIPPED_FX_RATES_CSV).toBe(
      readFileSync(join(__dirname, 'shipped-fx-rates.csv'), 'utf8'),
    );
  });

  it('prices every currency of AMLworld and of the generator, in both eras', () => {
    const money = shippedBaseMoney();
    for (const currency of NEEDED) {
      expect(() => money.convert(100, currency, AMLWORLD_DAY)).not.toThrow();
      expect(() => money.convert(100, currency, GENERATED_DAY)).not.toThrow();
      expect(SHIPPED_FX_RATE_SOURCES[currency]).toEqual(expect.any(String));
    }
    expect(Object.keys(SHIPPED_FX_RATE_SOURCES).sort()).toEqual(shippedFxRateTable().currencies);
  });

  it("uses AMLworld's implied rates on AMLworld's days and on the generator's", () => {
    const money = shippedBaseMoney('USD');
    // 85.34 EUR at AMLworld's 0.8534 EUR per USD (the generator's rate too), 1054 JPY at 105.4.
    expect(money.convert(8534, 'EUR', AMLWORLD_DAY)).toBe(10000);
    expect(money.convert(8534, 'EUR', GENERATED_DAY)).toBe(10000);
    expect(money.convert(1054, 'JPY', GENERATED_DAY)).toBe(1000);
    // 1 BTC = 20,000 USD.
    expect(money.convert(100_000_000, 'BTC', GENERATED_DAY)).toBe(2_000_000);
  });

  it('converts into another base currency of the table', () => {
    expect(shippedBaseMoney('EUR').convert(10000, 'USD', GENERATED_DAY)).toBe(8534);
  });
});

describe('readFxRateTable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fx-'));

  it('reads an ECB-layout file', () => {
    const file = join(dir, 'rates.csv');
    writeFileSync(file, 'Date,USD\n2024-01-02,1.1\n');
    expect(readFxRateTable(file).rateOn('USD', Date.parse('2024-01-03'))?.rate.units).toBe(11n);
  });

  it('names a missing file', () => {
    const file = join(dir, 'absent.csv');
    expect(() => readFxRateTable(file)).toThrow(InvalidInputError);
    expect(() => readFxRateTable(file)).toThrow(`The FX rate table ${file} cannot be read`);
  });

  it('names an invalid file and its line', () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'Date,USD\n2024-01-02,one\n');
    expect(() => readFxRateTable(file)).toThrow(
      `The FX rate table ${file} is invalid (expected the ECB reference-rate layout`,
    );
    expect(() => readFxRateTable(file)).toThrow('line 2, column 2 (USD)');
  });
});
