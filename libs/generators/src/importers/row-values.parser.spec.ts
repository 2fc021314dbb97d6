import { ImportFormatError } from './import-format.error';
import {
  canonicalDecimal,
  parseAmount,
  parseFlag,
  parseIdPart,
  parseIsoInstant,
  UTC_TIMESTAMP_RULE,
} from './row-values.parser';

const ctx = { file: '/data/in/sample.csv', line: 17 };

describe('parseAmount', () => {
  it.each([
    ['12618.72', 'USD', 1_261_872],
    ['0.01', 'EUR', 1],
    ['1.395073', 'BTC', 139_507_300],
    ['7', 'USD', 700],
    ['90071992547409.91', 'USD', 9_007_199_254_740_991],
    ['1500', 'JPY', 1500],
    ['12.300', 'USD', 1230],
  ])('reads %s %s as %i minor units, exactly', (text, currency, minor) => {
    expect(parseAmount(text, currency, ctx, 'Amount Paid')).toEqual({ minor, rounded: false });
  });

  it.each([
    ['433188.87', 'JPY', 433_189],
    ['433188.49', 'JPY', 433_188],
    ['0.5', 'JPY', 1],
    ['1.005', 'USD', 101],
    ['1.0049', 'USD', 100],
  ])('rounds %s %s half-up to %i and says so', (text, currency, minor) => {
    expect(parseAmount(text, currency, ctx, 'Amount Paid')).toEqual({ minor, rounded: true });
  });

  it.each(['12,5', '-3.00', '1e3', '', ' 12', '12.', '.5', 'NaN'])(
    'refuses "%s" naming file, line and column',
    (text) => {
      expect(() => parseAmount(text, 'USD', ctx, 'Amount Paid')).toThrow(
        new ImportFormatError(
          ctx.file,
          ctx.line,
          `column "Amount Paid" must be a decimal amount such as 1234.56, got "${text}"`,
        ),
      );
    },
  );

  it('refuses an amount beyond the exact integer range', () => {
    expect(() => parseAmount('90071992547409.92', 'USD', ctx, 'base_amt')).toThrow(
      'sample.csv line 17: column "base_amt" must be an amount in USD ("90071992547409.92" is too large: at most 90071992547409.91 USD)',
    );
  });
});

describe('canonicalDecimal', () => {
  it.each([
    ['0012.50', '12.5'],
    ['7.00', '7'],
    ['0.000', '0'],
    ['311.90', '311.9'],
    ['1.395073', '1.395073'],
  ])('spells %s as %s', (text, canonical) => {
    expect(canonicalDecimal(text)).toBe(canonical);
  });
});

describe('parseIsoInstant', () => {
  it('reads UTC date-times and dates', () => {
    expect(parseIsoInstant('2011-01-01T00:00:00Z', ctx, 't')).toBe(Date.UTC(2011, 0, 1));
    expect(parseIsoInstant('2012-02-29T13:45:10Z', ctx, 't')).toBe(
      Date.UTC(2012, 1, 29, 13, 45, 10),
    );
    expect(parseIsoInstant('2011-03-04', ctx, 't')).toBe(Date.UTC(2011, 2, 4));
    expect(parseIsoInstant('2011-03-04T05:06:07+00:00', ctx, 't')).toBe(
      Date.UTC(2011, 2, 4, 5, 6, 7),
    );
  });

  it('keeps milliseconds', () => {
    expect(parseIsoInstant('2011-01-01T00:00:00.500Z', ctx, 't')).toBe(Date.UTC(2011, 0, 1) + 500);
    expect(parseIsoInstant('2011-01-01T00:00:01.25Z', ctx, 't')).toBe(Date.UTC(2011, 0, 1) + 1250);
    expect(parseIsoInstant('2011-01-01T00:00:00.007+00:00', ctx, 't')).toBe(
      Date.UTC(2011, 0, 1) + 7,
    );
  });

  it.each([
    '2011-02-29T00:00:00Z',
    '2011-01-01T00:00:00+01:00',
    '01/02/2011',
    '2011-13-01',
    '2011-01-01T00:00:00',
    '2011-01-01 10:00',
    '2011-01-01T00:00:00.1234Z',
  ])('refuses %s', (text) => {
    expect(() => parseIsoInstant(text, ctx, 'tran_timestamp')).toThrow(
      `sample.csv line 17: column "tran_timestamp" ${UTC_TIMESTAMP_RULE}, got "${text}"`,
    );
  });
});

describe('parseFlag and parseIdPart', () => {
  it('reads the flags AMLworld and AMLSim write', () => {
    expect(['1', 'True', 'true', 'YES'].map((t) => parseFlag(t, ctx, 'f'))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['0', 'False', 'no'].map((t) => parseFlag(t, ctx, 'f'))).toEqual([false, false, false]);
    expect(() => parseFlag('maybe', ctx, 'is_sar')).toThrow(
      'column "is_sar" must be True or False (or 1 / 0), got "maybe"',
    );
  });

  it('keeps leading zeros and refuses characters that would break a business id', () => {
    expect(parseIdPart('0110994', ctx, 'From Bank')).toBe('0110994');
    expect(() => parseIdPart('01:10', ctx, 'From Bank')).toThrow(
      'column "From Bank" must be 1-80 letters',
    );
    expect(() => parseIdPart('', ctx, 'acct_id')).toThrow('column "acct_id" must be 1-80 letters');
  });
});
