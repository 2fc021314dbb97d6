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
