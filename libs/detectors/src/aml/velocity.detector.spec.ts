import { MINUTE, mv, runDetector, T0 } from '../testing/fixtures';
import { testMoney } from '../testing/fx-fixtures';
import { velocityDetector } from './velocity.detector';

const burst = (n: number, gap = 5 * MINUTE, reference?: string) =>
  Array.from({ length: n }, (_, i) =>
    mv('acc:V', `acc:P${i % 40}`, 90_00, T0 + i * gap, { channel: 'ach', reference }),
  );

describe('velocityDetector', () => {
  it('fires at 100 transactions within 24 hours', () => {
    const { alerts } = runDetector(velocityDetector, burst(100));
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('made 100 transactions within 24 hours');
  });

  it('does not fire at 99 (near miss) nor when 100 are spread over more than a day', () => {
    expect(runDetector(velocityDetector, burst(99)).alerts).toHaveLength(0);
    expect(runDetector(velocityDetector, burst(100, 15 * MINUTE)).alerts).toHaveLength(0);
  });

  it('does not count a payroll run (decoy) nor incoming payments by default', () => {
    expect(runDetector(velocityDetector, burst(150, 1000 / 60, 'salary')).alerts).toHaveLength(0);
    const incoming = Array.from({ length: 120 }, (_, i) =>
      mv(`acc:C${i}`, 'acc:Shop', 10_00, T0 + i * MINUTE),
    );
    expect(runDetector(velocityDetector, incoming).alerts).toHaveLength(0);
    expect(
      runDetector(velocityDetector, incoming, { overrides: { direction: 'in' } }).alerts,
    ).toHaveLength(1);
  });

  it('quotes the total of a mixed-currency burst in the base currency too', () => {
    const mixed = burst(100).map((m, i) => (i % 2 === 0 ? { ...m, currency: 'EUR' } : m));
    const { alerts } = runDetector(velocityDetector, mixed, { money: testMoney('USD') });
    expect(alerts).toHaveLength(1);
    // 50 x 90 EUR (112.50 USD each) + 50 x 90 USD.
    expect(alerts[0].explanation).toContain('totalling 4500.00 EUR + 4500.00 USD = 10125.00 USD');
    expect(alerts[0].facts).toMatchObject({ baseCurrency: 'USD', totalBaseMinor: 10_125_00 });
  });
});
