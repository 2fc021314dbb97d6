import {
  bpToPercent,
  decimalToMinor,
  isoDateTimeToMs,
  isoDateToMs,
  percentToBp,
} from './bank-exchange.values';

describe('decimalToMinor: exact, by the currency exponent', () => {
  it.each([
    ['1234.50', 'USD', 123450],
    ['0.01', 'EUR', 1],
    ['7', 'USD', 700],
    ['12.300', 'USD', 1230],
    ['1500', 'JPY', 1500],
    ['1500.000', 'JPY', 1500],
    ['1.250', 'KWD', 1250],
    ['0.001', 'BHD', 1],
    ['1.39507300', 'BTC', 139507300],
    ['90071992547409.91', 'USD', Number.MAX_SAFE_INTEGER],
  ])('reads %s %s as %i minor units', (text, currency, minor) => {
    expect(decimalToMinor(text, currency)).toEqual({ value: minor });
  });

  it.each([
    ['1.005', 'USD', 'must have at most 2 decimals (USD has 2)'],
    ['0.5', 'JPY', 'must be a whole number of JPY (JPY has no minor unit)'],
    ['1.2505', 'KWD', 'must have at most 3 decimals (KWD has 3)'],
    ['90071992547409.92', 'USD', 'must be at most 90071992547409.91 USD'],
    ['-1.00', 'USD', 'must be a decimal amount such as "1234.50"'],
    ['1e3', 'USD', 'must be a decimal amount such as "1234.50"'],
  ])('refuses %s %s', (text, currency, rule) => {
    expect(decimalToMinor(text, currency)).toEqual({ rule });
  });
});

describe('percentToBp and bpToPercent', () => {
  it.each([
    ['25', 2500],
    ['12.5', 1250],
    ['33.33', 3333],
    ['0.01', 1],
    ['100', 10000],
    ['0', 0],
  ])('reads %s%% as %i basis points and writes it back', (text, bp) => {
    expect(percentToBp(text)).toEqual({ value: bp });
    expect(bpToPercent(bp)).toBe(text);
  });

  it('refuses more than 2 decimals and more than 100%', () => {
    expect(percentToBp('33.333')).toHaveProperty('rule');
    expect(percentToBp('100.01')).toEqual({ rule: 'must be at most 100 (percent)' });
  });
});

describe('isoDateTimeToMs and isoDateToMs', () => {
  it('applies offsets exactly and keeps milliseconds', () => {
    expect(isoDateTimeToMs('2024-03-31T14:05:00Z')).toEqual({
      value: Date.UTC(2024, 2, 31, 14, 5),
    });
    expect(isoDateTimeToMs('2024-03-31T16:05:00+02:00')).toEqual({
      value: Date.UTC(2024, 2, 31, 14, 5),
    });
    expect(isoDateTimeToMs('2024-03-31T09:35:00.25-04:30')).toEqual({
      value: Date.UTC(2024, 2, 31, 14, 5, 0, 250),
    });
    expect(isoDateToMs('2024-02-29')).toEqual({ value: Date.UTC(2024, 1, 29) });
  });

  it.each([
    '2024-03-31T14:05:00',
    '2024-03-31 14:05Z',
    '2023-02-29T00:00:00Z',
    '2024-03-31T14:05:00+25:00',
  ])('refuses %s', (text) => {
    expect(isoDateTimeToMs(text)).toHaveProperty('rule');
  });

  it('refuses impossible dates', () => {
    expect(isoDateToMs('2023-02-29')).toHaveProperty('rule');
  });
});
