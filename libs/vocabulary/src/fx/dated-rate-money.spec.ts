import { MissingRateError } from '../base-money';
import { InvalidInputError } from '../errors';
import { DatedRateMoney } from './dated-rate-money';
import { FxRateTable } from './fx-rate-table';

const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);

const ECB = FxRateTable.parse(
  [
    'Date,USD,JPY,GBP,BTC,',
    '2024-03-08,1.0938,160.89,0.85,N/A,',
    '2024-03-07,1.0900,,0.8555,,',
    '2024-03-06,1.0850,N/A,0.8560,0.00002,',
  ].join('\n'),
  'ecb.csv',
);

describe('DatedRateMoney', () => {
  it('rounds half-up to whole minor units of the base', () => {
    // 2 USD per EUR: 1 US cent is exactly half a euro cent.
    const money = new DatedRateMoney(FxRateTable.parse('Date,USD\n2024-01-01,2\n', 'x.csv'), 'EUR');
    expect(money.convert(1, 'USD', day('2024-01-01'))).toBe(1);
    expect(money.convert(3, 'USD', day('2024-01-01'))).toBe(2);
    expect(money.convert(5, 'USD', day('2024-01-01'))).toBe(3);
    expect(money.convert(4, 'USD', day('2024-01-01'))).toBe(2);
    expect(money.convert(-1, 'USD', day('2024-01-01'))).toBe(-1);
    expect(money.convert(0, 'USD', day('2024-01-01'))).toBe(0);
  });

  it('converts a cross rate through the anchor exactly', () => {
    const usd = new DatedRateMoney(ECB, 'USD');
    // 85.00 GBP / 0.85 = 100 EUR; x 1.0938 = 109.38 USD.
    expect(usd.convert(8500, 'GBP', day('2024-03-08'))).toBe(10938);
    // 100.00 USD on the 7th: / 1.09 x 0.8555 = 78.486238... GBP.
    const gbp = new DatedRateMoney(ECB, 'GBP');
    expect(gbp.convert(10000, 'USD', day('2024-03-07'))).toBe(7849);
  });

  it('minds currencies without decimals (JPY)', () => {
    const usd = new DatedRateMoney(ECB, 'USD');
    // 16089 yen = 100 EUR = 109.38 USD.
    expect(usd.convert(16089, 'JPY', day('2024-03-08'))).toBe(10938);
    const jpy = new DatedRateMoney(ECB, 'JPY');
    // 1.00 EUR = 160.89 yen -> 161 whole yen.
    expect(jpy.convert(100, 'EUR', day('2024-03-08'))).toBe(161);
    expect(jpy.of({ amountMinor: 10938, currency: 'USD', timestamp: day('2024-03-08') })).toBe(
      16089,
    );
  });

  it('minds Bitcoin with 8 decimals', () => {
    const eur = new DatedRateMoney(ECB, 'EUR');
    // 0.00002 BTC per EUR: 1 BTC (10^8 satoshi) = 50,000.00 EUR.
    expect(eur.convert(100_000_000, 'BTC', day('2024-03-06'))).toBe(5_000_000);
    // BTC has no rate on the 8th (N/A) and keeps the 6th's.
    expect(eur.convert(1, 'BTC', day('2024-03-08'))).toBe(0);
    expect(eur.convert(1_000, 'BTC', day('2024-03-08'))).toBe(50);
    const btc = new DatedRateMoney(ECB, 'BTC');
    // 1.00 USD on the 6th: / 1.085 x 0.00002 = 0.0000184331... BTC = 1843.3 satoshi.
    expect(btc.convert(100, 'USD', day('2024-03-06'))).toBe(1843);
  });

  it('uses the Friday row for a weekend date and the latest row before a later date', () => {
    const eur = new DatedRateMoney(ECB, 'EUR');
    expect(eur.convert(10938, 'USD', day('2024-03-09') + 12 * 3_600_000)).toBe(10000);
    expect(eur.convert(10938, 'USD', day('2024-03-10'))).toBe(10000);
    // The 7th (1.09) until its last millisecond, then the 8th (1.0938).
    expect(eur.convert(10900, 'USD', day('2024-03-08') - 1)).toBe(10000);
    expect(eur.convert(10900, 'USD', day('2024-03-08'))).toBe(9965);
  });

  it('throws MissingRateError before the first row or for a currency without a rate', () => {
    const usd = new DatedRateMoney(ECB, 'USD');
    expect(() => usd.convert(100, 'EUR', day('2024-03-05'))).toThrow(MissingRateError);
    expect(() => usd.convert(100, 'JPY', day('2024-03-07'))).toThrow(
      'No exchange rate from JPY to USD on or before 2024-03-07',
    );
    expect(() => usd.convert(100, 'CHF', day('2024-03-08'))).toThrow(MissingRateError);
    // The base itself needs no rate.
    expect(usd.convert(100, 'USD', day('1999-01-01'))).toBe(100);
  });

  it('refuses a base currency the table does not have', () => {
    expect(() => new DatedRateMoney(ECB, 'CHF')).toThrow(InvalidInputError);
    expect(() => new DatedRateMoney(ECB, 'CHF')).toThrow(
      'The base currency CHF is not in the FX rate table ecb.csv (it has BTC, EUR, GBP, JPY, USD)',
    );
  });

  it('refuses amounts that are not whole minor units', () => {
    const usd = new DatedRateMoney(ECB, 'USD');
    expect(() => usd.convert(1.5, 'EUR', day('2024-03-08'))).toThrow(RangeError);
    expect(() => usd.convert(Number.NaN, 'EUR', day('2024-03-08'))).toThrow(RangeError);
  });
});
