import type { BaseMoney, PricedAmount } from '@app/vocabulary';
import { accountVertex, DAY, HOUR, mv, runDetector, T0 } from '../testing/fixtures';
import { stackChainDetector } from './stack-chain.detector';

/** USD base; 1 EUR = 1.10 USD, 1 JPY = 0.0070 USD (fixed, for the test). */
const money: BaseMoney = {
  currency: 'USD',
  of(a: PricedAmount) {
    return this.convert(a.amountMinor, a.currency, a.timestamp);
  },
  convert(minor: number, currency: string) {
    if (currency === 'EUR') return Math.round(minor * 1.1);
    if (currency === 'JPY') return Math.round(minor * 0.7);
    return minor;
  },
};

describe('stackChainDetector', () => {
  it('fires on one forwarding chain A -> B -> C of nearly the same sum within days', () => {
    const { alerts } = runDetector(stackChainDetector, [
      mv('acc:A', 'acc:B', 12_000_00, T0),
      mv('acc:B', 'acc:C', 11_400_00, T0 + 30 * HOUR),
    ]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].subject).toBe('acc:B');
    expect(alerts[0].parties.map((p) => p.uid)).toEqual(['acc:B', 'acc:A', 'acc:C']);
    expect(alerts[0].explanation).toContain(
      'received 12000.00 USD from acc:A (who had not paid it in the previous 45 days)',
    );
    expect(alerts[0].explanation).toContain('1 day 6 hours later paid 11400.00 USD on to acc:C');
    expect(alerts[0].explanation).toContain('(95% of what arrived, in USD)');
  });

  it('finds each chain of a stack of parallel chains, each with its own evidence', () => {
    const { alerts } = runDetector(stackChainDetector, [
      mv('acc:A1', 'acc:B1', 5_000_00, T0),
      mv('acc:A2', 'acc:B2', 9_000_00, T0 + HOUR),
      mv('acc:B1', 'acc:C1', 4_700_00, T0 + 20 * HOUR),
      mv('acc:B2', 'acc:C2', 9_000_00, T0 + 50 * HOUR),
    ]);
    expect(alerts.map((a) => a.subject).sort()).toEqual(['acc:B1', 'acc:B2']);
    expect(alerts.map((a) => a.movements.length)).toEqual([2, 2]);
  });

  it('compares the two payments in the base currency when they change currency', () => {
    // 10000 EUR = 11000 USD in; 1,500,000 JPY = 10500 USD out (95.5%).
    const { alerts } = runDetector(
      stackChainDetector,
      [
        mv('acc:A', 'acc:B', 10_000_00, T0, { currency: 'EUR' }),
        mv('acc:B', 'acc:C', 1_500_000, T0 + 10 * HOUR, { currency: 'JPY' }),
      ],
      { money },
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('10000.00 EUR (11000.00 USD)');
    expect(alerts[0].explanation).toContain('1500000 JPY (10500.00 USD)');
  });

  it('fires on a round trip to a new counterparty (A -> B -> A)', () => {
    const { alerts } = runDetector(stackChainDetector, [
      mv('acc:A', 'acc:B', 15_000_00, T0),
      mv('acc:B', 'acc:A', 14_800_00, T0 + 11 * HOUR),
    ]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('paid 14800.00 USD back to acc:A');
  });

  it('does not fire when the amount passed on is far from what arrived (near miss)', () => {
    const movements = [
      mv('acc:A', 'acc:B', 12_000_00, T0),
      mv('acc:B', 'acc:C', 6_000_00, T0 + 30 * HOUR),
    ];
    expect(runDetector(stackChainDetector, movements).alerts).toHaveLength(0);
  });

  it('does not fire when the money leaves after the hop window', () => {
    const movements = [
      mv('acc:A', 'acc:B', 12_000_00, T0),
      mv('acc:B', 'acc:C', 12_000_00, T0 + 5 * DAY),
    ];
    expect(runDetector(stackChainDetector, movements).alerts).toHaveLength(0);
  });

  it('does not fire on family members sending money back and forth every month', () => {
    const movements = [0, 1, 2, 3].flatMap((month) => [
      mv('acc:parent', 'acc:child', 2_000_00, T0 + month * 30 * DAY, { reference: 'gift' }),
      mv('acc:child', 'acc:parent', 2_000_00, T0 + month * 30 * DAY + 2 * DAY),
    ]);
    // The first month is a new relationship and looks like a round trip; later months do not.
    const { raised } = runDetector(stackChainDetector, movements);
    expect(raised.map((d) => d.windowStart)).toEqual([T0]);
  });

  it('does not fire on a salary followed by rent, nor on a payroll run', () => {
    const payroll = ['acc:E1', 'acc:E2', 'acc:E3'].flatMap((e, i) => [
      mv('acc:employer', e, 3_000_00, T0 + i * HOUR, { reference: 'salary' }),
      mv(e, 'acc:landlord', 2_900_00, T0 + DAY + i * HOUR, { reference: 'rent' }),
    ]);
    expect(runDetector(stackChainDetector, payroll).alerts).toHaveLength(0);
  });

  it('does not fire when the receiver is a hub paid by many (a biller or merchant)', () => {
    const customers = Array.from({ length: 12 }, (_, i) =>
      mv(`acc:P${i}`, 'acc:biller', 1_200_00, T0 + i * HOUR),
    );
    const chain = [
      mv('acc:A', 'acc:B', 2_000_00, T0 + DAY),
      mv('acc:B', 'acc:biller', 1_950_00, T0 + 2 * DAY),
    ];
    expect(runDetector(stackChainDetector, [...customers, ...chain]).alerts).toHaveLength(0);
  });

  it('does not fire on a merchant receiving many payments and paying a supplier', () => {
    const sales = Array.from({ length: 15 }, (_, i) =>
      mv(`acc:buyer${i}`, 'acc:shop', 1_500_00, T0 + i * HOUR),
    );
    const supplier = mv('acc:shop', 'acc:supplier', 1_480_00, T0 + DAY);
    expect(runDetector(stackChainDetector, [...sales, supplier]).alerts).toHaveLength(0);
  });

  it('does not follow payments into accounts of other banks, which the bank cannot see leave', () => {
    const vertices = [accountVertex('acc:B', { accountType: 'external' })];
    const movements = [
      mv('acc:A', 'acc:B', 12_000_00, T0),
      mv('acc:B', 'acc:C', 12_000_00, T0 + HOUR),
    ];
    expect(runDetector(stackChainDetector, movements, { vertices }).alerts).toHaveLength(0);
  });

  it('passes each arrival on once: a second similar payment out is not a second chain', () => {
    const { alerts } = runDetector(stackChainDetector, [
      mv('acc:A', 'acc:B', 5_000_00, T0),
      mv('acc:B', 'acc:C', 5_000_00, T0 + HOUR),
      mv('acc:B', 'acc:D', 5_000_00, T0 + 2 * HOUR),
    ]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].parties.map((p) => p.uid)).toEqual(['acc:B', 'acc:A', 'acc:C']);
  });

  it('keeps chains that share accounts in one growing alert with all their evidence', () => {
    // A -> B -> C, then C passes it on again to D: two layers of one stack.
    const { alerts } = runDetector(stackChainDetector, [
      mv('acc:A', 'acc:B', 8_000_00, T0),
      mv('acc:B', 'acc:C', 7_800_00, T0 + 5 * HOUR),
      mv('acc:C', 'acc:D', 7_700_00, T0 + 30 * HOUR),
    ]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].movements.map((m) => m.toAccount)).toEqual(['acc:B', 'acc:C', 'acc:D']);
    expect(alerts[0].subject).toBe('acc:B');
    expect(alerts[0].parties.map((p) => p.uid)).toEqual(['acc:B', 'acc:A', 'acc:C', 'acc:D']);
    expect(alerts[0].explanation).toMatch(/^2 forwarding chains sharing accounts/);
  });

  it('fires again when the same two accounts repeat a round trip within days', () => {
    const trip = (start: number, amount: number) => [
      mv('acc:A', 'acc:B', amount, start),
      mv('acc:B', 'acc:A', amount, start + 16 * HOUR),
    ];
    const { raised } = runDetector(stackChainDetector, [
      ...trip(T0, 22_000_00),
      ...trip(T0 + 5 * DAY, 11_000_00),
    ]);
    expect(raised.map((d) => d.facts.inBaseMinor)).toEqual([22_000_00, 11_000_00]);
    // Once more after the repeat window (14 days) the pair is an old relationship.
    const late = runDetector(stackChainDetector, [
      ...trip(T0, 22_000_00),
      ...trip(T0 + 20 * DAY, 11_000_00),
    ]);
    expect(late.raised).toHaveLength(1);
  });
});
