import type { SharedIdentifierInput } from '../core/detector';
import { resolveParameters } from '../core/parameters';
import { defaultConfig, T0 } from '../testing/fixtures';
import { findFraudRings, fraudRingDetector } from './fraud-ring.detector';

const params = resolveParameters(fraudRingDetector, defaultConfig());
const shared = (
  identifierUid: string,
  kind: SharedIdentifierInput['kind'],
  ...accountIds: string[]
): SharedIdentifierInput => ({
  identifierUid,
  kind,
  accountIds,
});

const RING = ['acc:1', 'acc:2', 'acc:3', 'acc:4'];

describe('fraud rings', () => {
  it('links exactly the pairs that share enough identifiers, on random overlapping identifiers (checked pair by pair)', () => {
    let seed = 11;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor(seed / 65_536) % n;
    };
    const input = Array.from({ length: 60 }, (_, i) =>
      shared(
        `device:r${i}`,
        'device',
        ...Array.from({ length: 2 + next(9) }, () => `acc:${String(next(40)).padStart(2, '0')}`),
      ),
    );
    const holders = new Map([
      ['acc:01', ['person:p']],
      ['acc:02', ['person:p']],
    ]);
    const options = { ...params, maxRingSize: 1000, minMembers: 2 };
    const rings = findFraudRings(input, options, holders);
    expect(rings.length).toBeGreaterThan(0);
    const uses = (account: string): Set<string> =>
      new Set(input.filter((s) => s.accountIds.includes(account)).map((s) => s.identifierUid));
    for (const ring of rings) {
      let links = 0;
      let possible = 0;
      const used = new Set<string>();
      for (const [i, a] of ring.members.entries()) {
        for (const b of ring.members.slice(i + 1)) {
          if ((holders.get(a)?.[0] ?? a) === (holders.get(b)?.[0] ?? b)) continue;
          possible += 1;
          const both = [...uses(a)].filter((uid) => uses(b).has(uid));
          if (both.length < options.minSharedIdentifiers) continue;
          links += 1;
          both.forEach((uid) => used.add(uid));
        }
      }
      expect(ring.density).toBe(Math.round((links / possible) * 1000) / 1000);
      expect(ring.identifiers.map((x) => x.identifierUid)).toEqual([...used].sort());
    }
    // The one customer's two accounts are never linked to each other.
    const both = rings.find((r) => r.members.includes('acc:01') && r.members.includes('acc:02'));
    expect(both === undefined || both.customers < both.members.length).toBe(true);
  });

  it('finds accounts of different customers sharing a device and a phone', () => {
    const rings = findFraudRings(
      [shared('device:d1', 'device', ...RING), shared('phone:+1555', 'phone', ...RING)],
      params,
    );
    expect(rings).toHaveLength(1);
    expect(rings[0].members).toEqual(RING);
    expect(rings[0].customers).toBe(4);
    expect(rings[0].density).toBe(1);
    expect(rings[0].identifiers.map((i) => i.identifierUid)).toEqual(['device:d1', 'phone:+1555']);
  });

  it('needs more than one shared identifier (near miss: a device alone links nobody)', () => {
    expect(findFraudRings([shared('device:d1', 'device', ...RING)], params)).toHaveLength(0);
  });

  it('ignores hubs used by more accounts than the cap (public Wi-Fi)', () => {
    const many = Array.from({ length: 11 }, (_, i) => `acc:${i + 1}`);
    expect(
      findFraudRings(
        [shared('ip:1.1.1.1', 'ip', ...many), shared('device:d1', 'device', ...many)],
        params,
      ),
    ).toHaveLength(0);
  });

  it('does not link a household sharing its address and home IP (decoy), addresses being left out', () => {
    const family = ['acc:mum', 'acc:dad', 'acc:kid'];
    expect(
      findFraudRings(
        [shared('address:1-main-st', 'address', ...family), shared('ip:10.0.0.1', 'ip', ...family)],
        params,
      ),
    ).toHaveLength(0);
  });

  it("counts one customer's accounts once: they share everything without forming a ring", () => {
    const holders = new Map([
      ['acc:1', ['person:a']],
      ['acc:2', ['person:a']],
      ['acc:3', ['person:a']],
    ]);
    const input = [
      shared('device:d1', 'device', 'acc:1', 'acc:2', 'acc:3'),
      shared('email:a@x', 'email', 'acc:1', 'acc:2', 'acc:3'),
    ];
    expect(findFraudRings(input, params)).toHaveLength(1);
    expect(findFraudRings(input, params, holders)).toHaveLength(0);
  });

  it('raises one alert per ring, keyed by its first member, with members and identifiers as parties', () => {
    const drafts = fraudRingDetector.detect(
      { shared: [shared('device:d1', 'device', ...RING), shared('phone:+1555', 'phone', ...RING)] },
      params,
      T0,
    );
    expect(drafts).toHaveLength(1);
    expect(drafts[0].subject).toBe('acc:1');
    expect(drafts[0].parties.filter((p) => p.role === 'identifier').map((p) => p.uid)).toEqual([
      'device:d1',
      'phone:+1555',
    ]);
    expect(drafts[0].explanation).toContain('4 accounts of 4 different customers');
  });

  it('splits a large component into Louvain communities deterministically', () => {
    const a = Array.from({ length: 30 }, (_, i) => `acc:a${String(i).padStart(2, '0')}`);
    const b = Array.from({ length: 30 }, (_, i) => `acc:b${String(i).padStart(2, '0')}`);
    const input: SharedIdentifierInput[] = [];
    // Two dense clusters of 30 linked by pairs of identifiers shared by 5 accounts each, and one bridge.
    for (const [group, name] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      for (let i = 0; i < 30; i += 5) {
        const five = group.slice(i, i + 5);
        input.push(
          shared(`device:${name}${i}`, 'device', ...five),
          shared(`phone:${name}${i}`, 'phone', ...five),
        );
        const next = group.slice((i + 3) % 30, ((i + 3) % 30) + 5);
        input.push(
          shared(`email:${name}${i}`, 'email', ...next),
          shared(`card:${name}${i}`, 'card', ...next),
        );
      }
    }
    input.push(
      shared('device:bridge', 'device', a[0], b[0]),
      shared('phone:bridge', 'phone', a[0], b[0]),
    );
    const first = findFraudRings(input, { ...params, maxRingSize: 50 });
    const second = findFraudRings(input, { ...params, maxRingSize: 50 });
    expect(first).toEqual(second);
    expect(first.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...first.map((r) => r.members.length))).toBeLessThanOrEqual(50);
  });
});
