import { MINUTE, mv, runDetector, T0 } from '../testing/fixtures';
import { testMoney } from '../testing/fx-fixtures';
import { muleChainDetector } from './mule-chain.detector';

function chain(hops: number, gap = 10 * MINUTE, keep = 0.98) {
  const path = ['acc:Src', 'acc:M1', 'acc:M2', 'acc:M3', 'acc:M4', 'acc:Sink'];
  let amount = 9_000_00;
  return Array.from({ length: hops }, (_, i) => {
    const m = mv(path[i], path[i + 1], amount, T0 + i * gap, { channel: 'internal' });
    amount = Math.floor(amount * keep);
    return m;
  });
}

describe('muleChainDetector', () => {
  it('fires on three hops minutes apart, each keeping a small cut', () => {
    const { alerts } = runDetector(muleChainDetector, chain(3));
    expect(alerts).toHaveLength(1);
    expect(alerts[0].subject).toBe('acc:Src');
    expect(alerts[0].explanation).toContain(
      'Funds moved in 3 hops through 4 accounts (acc:Src -> acc:M1 -> acc:M2 -> acc:M3) within 20 minutes',
    );
  });

  it('does not fire on two hops (near miss) nor when a hop waits more than two hours', () => {
    expect(runDetector(muleChainDetector, chain(2)).alerts).toHaveLength(0);
    expect(runDetector(muleChainDetector, chain(3, 121 * MINUTE)).alerts).toHaveLength(0);
  });

  it('grows one alert as the chain gets longer', () => {
    const { raised, alerts } = runDetector(muleChainDetector, chain(5));
    expect(raised).toHaveLength(3);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].movements).toHaveLength(5);
  });

  it('does not chain a salary paid on as rent (decoy), nor hops that keep most of the money', () => {
    const payday = [
      mv('acc:Employer', 'acc:E', 3_000_00, T0, { channel: 'ach', reference: 'salary' }),
      mv('acc:E', 'acc:Landlord', 2_950_00, T0 + 5 * MINUTE, { channel: 'ach', reference: 'rent' }),
      mv('acc:Landlord', 'acc:Bank', 2_900_00, T0 + 10 * MINUTE),
    ];
    expect(runDetector(muleChainDetector, payday).alerts).toHaveLength(0);
    expect(runDetector(muleChainDetector, chain(4, 10 * MINUTE, 0.5)).alerts).toHaveLength(0);
  });

  it('follows hops that change currency, comparing them in the base currency', () => {
    // 8000 EUR = 10000 USD, then 6250 GBP = 9765.63 USD (97.7%), then 9600 USD (98.3%).
    const hops = [
      mv('acc:Src', 'acc:M1', 8_000_00, T0, { channel: 'internal', currency: 'EUR' }),
      mv('acc:M1', 'acc:M2', 6_250_00, T0 + 10 * MINUTE, { channel: 'internal', currency: 'GBP' }),
      mv('acc:M2', 'acc:M3', 9_600_00, T0 + 20 * MINUTE, { channel: 'internal' }),
    ];
    const { alerts } = runDetector(muleChainDetector, hops, { money: testMoney('USD') });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain(
      '8000.00 EUR = 10000.00 USD in, 9600.00 USD out at the end.',
    );
    expect(alerts[0].facts).toMatchObject({ firstBaseMinor: 10_000_00, lastBaseMinor: 9_600_00 });
    // 6250 yen is not 6250 of anything else: the chain breaks at that hop.
    const yen = [
      hops[0],
      mv('acc:M1', 'acc:M2', 6_250, T0 + 10 * MINUTE, { channel: 'internal', currency: 'JPY' }),
      hops[2],
    ];
    expect(runDetector(muleChainDetector, yen, { money: testMoney('USD') }).alerts).toHaveLength(0);
  });

  it('applies the minimum hop amount (500.00) in the base currency', () => {
    // 60000 JPY = 500 USD per hop passes; 59000 JPY = 491.67 USD does not.
    const yenChain = (amount: number) =>
      ['acc:Src', 'acc:M1', 'acc:M2'].map((from, i, path) =>
        mv(from, path[i + 1] ?? 'acc:M3', amount, T0 + i * 10 * MINUTE, {
          channel: 'internal',
          currency: 'JPY',
        }),
      );
    const money = testMoney('USD');
    expect(runDetector(muleChainDetector, yenChain(60_000), { money }).alerts).toHaveLength(1);
    expect(runDetector(muleChainDetector, yenChain(59_000), { money }).alerts).toHaveLength(0);
  });
});
