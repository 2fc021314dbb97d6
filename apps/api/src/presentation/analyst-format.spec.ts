import { SingleCurrencyMoney } from '@app/vocabulary';
import type { BaseMoney } from '@app/vocabulary';
import { majorUnits, moneyView, withIsoTimes } from './analyst-format';
import { spreadsheetSafe } from './csv';

describe('answers written for analysts', () => {
  it('writes minor units as major-unit decimals, by the currency exponent', () => {
    expect(majorUnits(123_450, 'USD')).toBe('1234.50');
    expect(majorUnits(5, 'EUR')).toBe('0.05');
    expect(majorUnits(150_000, 'JPY')).toBe('150000');
    expect(majorUnits(1_234, 'KWD')).toBe('1.234');
  });

  it('gives the base value, or null when the FX table has no rate for the currency', () => {
    const usd = new SingleCurrencyMoney('USD');
    expect(moneyView(usd, 999_950, 'USD', 0)).toEqual({
      amount: '9999.50',
      amountMinor: 999_950,
      currency: 'USD',
      base: { amount: '9999.50', amountMinor: 999_950, currency: 'USD' },
    });
    expect(moneyView(usd, 100, 'EUR', 0).base).toBeNull();
  });

  it('lets an unexpected conversion failure through instead of hiding it', () => {
    const broken: BaseMoney = {
      currency: 'USD',
      of: () => 0,
      convert: () => {
        throw new TypeError('table not loaded');
      },
    };
    expect(() => moneyView(broken, 100, 'USD', 0)).toThrow(TypeError);
  });

  it('adds an ISO sibling to each epoch field and leaves other fields alone', () => {
    expect(withIsoTimes({ openedAt: 0, name: 'x', timestamp: 'soon' })).toEqual({
      openedAt: 0,
      openedAtIso: '1970-01-01T00:00:00.000Z',
      name: 'x',
      timestamp: 'soon',
    });
  });

  it('neutralises CSV cells a spreadsheet would run as formulas, not negative numbers', () => {
    expect(spreadsheetSafe('=HYPERLINK("x")')).toBe(`'=HYPERLINK("x")`);
    expect(spreadsheetSafe('+1 555')).toBe(`'+1 555`);
    expect(spreadsheetSafe('@SUM(A1)')).toBe(`'@SUM(A1)`);
    expect(spreadsheetSafe('-2+3')).toBe(`'-2+3`);
    expect(spreadsheetSafe('-12.50')).toBe('-12.50');
    expect(spreadsheetSafe('Acme')).toBe('Acme');
  });
});
