import { DAY, mv, T0 } from '../testing/fixtures';
import { amountSpread, CounterpartyHistory, CounterpartyReach, spreadShare } from './fan-history';
import type { FlowEntry } from './fan-history';

function paid(to: string, amountMinor: number, at: number, counted = true): FlowEntry {
  return {
    timestamp: at,
    counterparty: to,
    counted,
    baseMinor: counted ? amountMinor : 0,
    movement: mv('acc:K', to, amountMinor, at),
  };
}

describe('CounterpartyHistory', () => {
  it('splits a burst into new and known counterparties and scales the usual volume to one burst', () => {
    const history = new CounterpartyHistory(30 * DAY, 7 * DAY);
    history.record('acc:K', paid('acc:Old', 3_000_00, T0 - 20 * DAY));
    history.record('acc:K', paid('acc:Small', 10_00, T0 - 10 * DAY, false));
    history.record('acc:K', paid('acc:Old', 1_000_00, T0 - DAY));
    history.record('acc:K', paid('acc:Small', 2_000_00, T0));
    history.record('acc:K', paid('acc:New1', 5_000_00, T0 + DAY));
    history.record('acc:K', paid('acc:New2', 4_000_00, T0 + 2 * DAY));
    history.record('acc:K', paid('acc:New2', 1_000_00, T0 + 3 * DAY));
    const burst = history.burst('acc:K', T0 + 3 * DAY);
    expect(burst?.counterparties).toEqual(['acc:New1', 'acc:New2']);
    expect(burst?.totalBase).toBe(10_000_00);
    expect(burst?.knownCounterparties).toBe(2);
    expect(burst?.usedOnce).toBe(1);
    // 3000.00 before the burst window, over 30 days: 700.00 per 7 days.
    expect(burst?.usualPerWindow).toBe(700_00);
  });

  it('forgets entries older than history plus burst (bounded state)', () => {
    const history = new CounterpartyHistory(30 * DAY, 7 * DAY);
    for (let day = 0; day < 100; day += 1)
      history.record('acc:K', paid(`acc:R${day}`, 1_000_00, T0 + day * DAY));
    expect(history.size()).toBeLessThanOrEqual(38);
    expect(history.burst('acc:Other', T0)).toBeUndefined();
  });
});

describe('CounterpartyHistory kept up to date against the window recomputed', () => {
  it('answers as recomputing from every entry would, on a busy random stream, and isNew / isInBurst agree with the burst', () => {
    const historyMs = 10 * DAY;
    const burstMs = 3 * DAY;
    const history = new CounterpartyHistory(historyMs, burstMs);
    const fed: { key: string; entry: FlowEntry }[] = [];
    let seed = 5;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor(seed / 65_536) % n;
    };
    const keys = ['acc:K1', 'acc:K2', 'acc:K3'];
    let now = T0;
    for (let i = 0; i < 4000; i += 1) {
      now += next(4) * 3_600_000;
      const key = keys[next(keys.length)];
      const entry = paid(`acc:C${next(12)}`, (1 + next(50)) * 100_00, now, next(5) !== 0);
      history.record(key, entry);
      fed.push({ key, entry });
      if (i % 53 !== 0) continue;
      for (const k of keys) {
        const held = fed.filter(
          (f) => f.key === k && f.entry.timestamp >= now - historyMs - burstMs,
        );
        const past = held.filter((f) => f.entry.timestamp < now - burstMs);
        const known = new Set(past.map((f) => f.entry.counterparty));
        const fresh = held.filter(
          (f) =>
            f.entry.timestamp >= now - burstMs &&
            f.entry.counted &&
            !known.has(f.entry.counterparty),
        );
        const burst = history.burst(k, now);
        if (held.length === 0) {
          expect(burst).toBeUndefined();
          continue;
        }
        const usual = past.reduce((sum, f) => sum + (f.entry.counted ? f.entry.baseMinor : 0), 0);
        expect(burst?.usualPerWindow).toBe(Math.round((usual * burstMs) / historyMs));
        expect(burst?.movements.map((m) => m.movementId)).toEqual(
          fresh.map((f) => f.entry.movement.movementId),
        );
        expect(burst?.counterparties).toEqual(
          [...new Set(fresh.map((f) => f.entry.counterparty))].sort(),
        );
        for (let c = 0; c < 12; c += 1) {
          const party = `acc:C${c}`;
          expect(history.isNew(k, party, now)).toBe(!known.has(party));
          expect(history.isInBurst(k, party, now)).toBe(burst?.counterparties.includes(party));
        }
      }
    }
  });
});

describe('CounterpartyReach', () => {
  it('counts distinct parties inside the window only, a repeated party once', () => {
    const reach = new CounterpartyReach(10 * DAY);
    ['acc:A', 'acc:B', 'acc:A', 'acc:C'].forEach((party, i) =>
      reach.record('acc:Payer', party, T0 + i * DAY),
    );
    expect(reach.reaches('acc:Payer', T0 + 3 * DAY, 3)).toBe(true);
    expect(reach.reaches('acc:Payer', T0 + 3 * DAY, 4)).toBe(false);
    // Eleven days on, acc:A's first payment and acc:B's have left the window.
    expect(reach.reaches('acc:Payer', T0 + 11 * DAY + 1, 2)).toBe(true);
    expect(reach.reaches('acc:Payer', T0 + 12 * DAY + 1, 2)).toBe(false);
    expect(reach.reaches('acc:Unknown', T0, 1)).toBe(false);
  });

  it('ignores what comes after the instant asked about', () => {
    const reach = new CounterpartyReach(10 * DAY);
    reach.record('acc:Payer', 'acc:A', T0);
    reach.record('acc:Payer', 'acc:B', T0 + DAY);
    expect(reach.reaches('acc:Payer', T0, 2)).toBe(false);
    expect(reach.reaches('acc:Payer', T0 + DAY, 2)).toBe(true);
  });
});

describe('amount measures', () => {
  it('spreadShare is the share beside the largest amount; amountSpread the largest over the smallest', () => {
    expect(spreadShare([9_000_00, 1_000_00])).toBeCloseTo(0.1);
    expect(spreadShare([5_000_00, 5_000_00])).toBe(0.5);
    expect(spreadShare([])).toBe(0);
    expect(amountSpread([2_000_00, 5_000_00])).toBe(2.5);
    expect(amountSpread([])).toBe(1);
  });
});
