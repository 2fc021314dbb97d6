import type { Movement } from '@app/vocabulary';
import { mv, T0, HOUR } from '../testing/fixtures';
import { FlowIndex } from './flow-index';

/** The counterparties of `account` regrouped from scratch (what FlowIndex keeps up to date). */
function regrouped(
  fed: readonly Movement[],
  account: string,
  now: number,
  windowMs: number,
  side: 'receivers' | 'senders',
): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const m of fed) {
    if (m.timestamp < now - windowMs || m.timestamp > now) continue;
    const [key, other] =
      side === 'receivers' ? [m.fromAccount, m.toAccount] : [m.toAccount, m.fromAccount];
    if (key !== account) continue;
    groups.set(other, [...(groups.get(other) ?? []), m.movementId]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}

const view = (map: ReadonlyMap<string, readonly Movement[]>): [string, string[]][] =>
  [...map.entries()]
    .map(([party, list]): [string, string[]] => [party, list.map((m) => m.movementId)])
    .sort(([a], [b]) => (a < b ? -1 : 1));

describe('FlowIndex', () => {
  it('forgets a counterparty once its last movement leaves the window', () => {
    const index = new FlowIndex(10 * HOUR);
    index.add(mv('a', 'b', 100, T0));
    index.add(mv('a', 'c', 100, T0 + 5 * HOUR));
    index.add(mv('a', 'b', 100, T0 + 6 * HOUR));
    expect([...index.receivers('a', T0 + 6 * HOUR).keys()].sort()).toEqual(['b', 'c']);
    // At T0 + 12 h the first a→b has left; b stays through the later one.
    expect(view(index.receivers('a', T0 + 12 * HOUR)).map(([p, l]) => [p, l.length])).toEqual([
      ['b', 1],
      ['c', 1],
    ]);
    expect([...index.receivers('a', T0 + 15 * HOUR + 1).keys()]).toEqual(['b']);
    expect(index.receivers('a', T0 + 17 * HOUR).size).toBe(0);
    expect(index.senders('b', T0 + 17 * HOUR).size).toBe(0);
    expect(index.senders('c', T0 + 17 * HOUR).size).toBe(0);
    expect(index.size()).toBe(0);
  });

  it('answers as regrouping the window from scratch would, on a busy random stream', () => {
    const windowMs = 24 * HOUR;
    const accounts = ['a', 'b', 'c', 'd', 'e', 'f'];
    const index = new FlowIndex(windowMs);
    const fed: Movement[] = [];
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor(seed / 65_536) % n;
    };
    let now = T0;
    for (let i = 0; i < 3000; i += 1) {
      now += next(3) * 600_000;
      const from = accounts[next(accounts.length)];
      const to = accounts[next(accounts.length)];
      const m = mv(from, to, 100, now);
      index.add(m);
      fed.push(m);
      if (i % 97 !== 0) continue;
      for (const account of accounts) {
        expect(view(index.receivers(account, now))).toEqual(
          regrouped(fed, account, now, windowMs, 'receivers'),
        );
        expect(view(index.senders(account, now))).toEqual(
          regrouped(fed, account, now, windowMs, 'senders'),
        );
      }
    }
  });
});
