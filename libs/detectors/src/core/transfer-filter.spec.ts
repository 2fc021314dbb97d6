import { T0, mv } from '../testing/fixtures';
import { testMoney } from '../testing/fx-fixtures';
import { DEFAULT_TRANSFER_FILTER, TransferFilter } from './transfer-filter';

describe('TransferFilter', () => {
  const pay = (amountMinor: number, currency: string) =>
    mv('acc:A', 'acc:B', amountMinor, T0, { channel: 'wire', currency });

  it('compares the minimum amount (500.00) in the base currency', () => {
    const filter = new TransferFilter(DEFAULT_TRANSFER_FILTER, testMoney('USD'));
    // 50000 JPY = 416.67 USD, 70000 JPY = 583.33 USD, 400 GBP = 625 USD.
    expect(filter.accepts(pay(50_000, 'JPY'))).toBe(false);
    expect(filter.accepts(pay(70_000, 'JPY'))).toBe(true);
    expect(filter.accepts(pay(400_00, 'GBP'))).toBe(true);
    expect(filter.accepts(pay(499_99, 'USD'))).toBe(false);
    expect(filter.accepts(pay(500_00, 'USD'))).toBe(true);
  });

  it('still leaves out card and cash, payroll references and transfers to oneself', () => {
    const filter = new TransferFilter(DEFAULT_TRANSFER_FILTER, testMoney('USD'));
    const big = 10_000_00;
    expect(filter.accepts(mv('acc:A', 'acc:B', big, T0, { channel: 'card' }))).toBe(false);
    expect(filter.accepts(mv('acc:A', 'acc:B', big, T0, { channel: 'cash' }))).toBe(false);
    expect(filter.accepts(mv('acc:A', 'acc:B', big, T0, { reference: 'Salary' }))).toBe(false);
    expect(filter.accepts(mv('acc:A', 'acc:A', big, T0))).toBe(false);
  });
});
