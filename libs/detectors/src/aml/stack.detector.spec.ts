import type { Movement } from '@app/vocabulary';
import { HOUR, mv, runDetector, T0 } from '../testing/fixtures';
import { stackDetector } from './stack.detector';

function layers(top: string[], middle: string[], bottom: string[], keep = 0.9): Movement[] {
  let t = T0;
  const down = top.flatMap((s) => middle.map((m) => mv(s, m, 2_000_00, (t += HOUR))));
  const share = Math.floor((2_000_00 * top.length * keep) / bottom.length);
  const out = middle.flatMap((m) => bottom.map((d) => mv(m, d, share, (t += HOUR))));
  return [...down, ...out];
}

const TOP = ['acc:A1', 'acc:A2', 'acc:A3'];
const MID = ['acc:B1', 'acc:B2', 'acc:B3'];
const BOTTOM = ['acc:C1', 'acc:C2', 'acc:C3'];

describe('stackDetector', () => {
  it('fires on three layers where the middle passes the money on', () => {
    const { alerts } = runDetector(stackDetector, layers(TOP, MID, BOTTOM));
    expect(alerts).toHaveLength(1);
    expect(alerts[0].subject).toBe('acc:A1');
    expect(alerts[0].parties.map((p) => p.uid)).toEqual([...TOP, ...MID, ...BOTTOM]);
    expect(alerts[0].explanation).toContain(
      '3 accounts (acc:A1, acc:A2, acc:A3) paid 18000.00 USD into 3 accounts',
    );
  });

  it('does not fire with a one-account middle layer (near miss)', () => {
    expect(runDetector(stackDetector, layers(TOP, ['acc:B1'], BOTTOM)).alerts).toHaveLength(0);
  });

  it('does not fire when the middle keeps most of the money', () => {
    expect(runDetector(stackDetector, layers(TOP, MID, BOTTOM, 0.3)).alerts).toHaveLength(0);
  });
});
