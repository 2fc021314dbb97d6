import { HOUR, mv, runDetector, T0 } from '../testing/fixtures';
import { layeringChainDetector } from './layering-chain.detector';

/** A walk A→B→C→D→B→E, each hop 95% of the previous, a day apart. */
function walk(hops: number, gap = 24 * HOUR) {
  const path = ['acc:A', 'acc:B', 'acc:C', 'acc:D', 'acc:B', 'acc:E', 'acc:F'];
  let amount = 5_000_00;
  return Array.from({ length: hops }, (_, i) => {
    const m = mv(path[i], path[i + 1], amount, T0 + i * gap);
    amount = Math.floor((amount * 95) / 100);
    return m;
  });
}

describe('layeringChainDetector', () => {
  it('fires on five hops of shrinking amounts a day apart, revisiting an account', () => {
    const { alerts } = runDetector(layeringChainDetector, walk(5));
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain(
      'Funds moved in 5 hops through 5 accounts (acc:A -> acc:B -> acc:C -> acc:D -> acc:B -> acc:E)',
    );
  });

  it('does not fire on four hops (near miss) nor when a hop waits longer than three days', () => {
    expect(runDetector(layeringChainDetector, walk(4)).alerts).toHaveLength(0);
    expect(runDetector(layeringChainDetector, walk(5, 73 * HOUR)).alerts).toHaveLength(0);
  });

  it('grows one alert as the walk continues', () => {
    const { raised, alerts } = runDetector(layeringChainDetector, walk(6));
    expect(raised).toHaveLength(2);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].movements).toHaveLength(6);
  });
});
