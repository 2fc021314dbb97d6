import type { BaseMoney, Movement, PricedAmount } from '@app/vocabulary';
import { accountVertex, DAY, HOUR, mv, runDetector, T0 } from '../testing/fixtures';
import { sparseBipartiteDetector } from './sparse-bipartite.detector';

/** USD base; 1 EUR = 1.10 USD and 1 JPY = 0.0070 USD (fixed, for the test). */
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

/** The layer starts 20 days after the first movement the rule sees (14 days are needed). */
const START = T0 + 20 * DAY;

/**
 * Ordinary life of `account` over the three weeks before the layer: four card purchases of
 * 40.00 and a 300.00 bill (largest sent 300.00), and a 900.00 transfer in (largest received).
 */
function habits(account: string, index: number): Movement[] {
  const t = T0 + index * HOUR;
  return [
    ...[0, 5, 10, 15].map((d) =>
      mv(account, 'acc:Grocer', 40_00, t + d * DAY, { channel: 'card' }),
    ),
    mv(account, 'acc:Utility', 300_00, t + 3 * DAY, { channel: 'ach' }),
    mv('acc:Employer', account, 900_00, t + 4 * DAY, { channel: 'ach' }),
  ];
}

const SENDERS = ['acc:S1', 'acc:S2', 'acc:S3', 'acc:S4'];
const RECEIVERS = ['acc:R1', 'acc:R2', 'acc:R3', 'acc:R4'];

function background(): Movement[] {
  return [...SENDERS, ...RECEIVERS].flatMap((a, i) => habits(a, i));
}

/** Sender i pays receiver i once, 10 hours apart, by ACH, amounts far above their habits. */
function matching(amounts: number[] = [9_000_00, 14_000_00, 6_500_00, 11_000_00]): Movement[] {
  return amounts.map((amount, i) =>
    mv(SENDERS[i], RECEIVERS[i], amount, START + i * 10 * HOUR, { channel: 'ach' }),
  );
}

describe('sparseBipartiteDetector', () => {
  it('fires once per payment of a matching of out-of-character first payments', () => {
    const layer = matching();
    const { alerts } = runDetector(sparseBipartiteDetector, [...background(), ...layer]);
    expect(alerts.map((a) => a.movements[0].movementId).sort()).toEqual(
      layer.map((m) => m.movementId).sort(),
    );
    const first = alerts.find((a) => a.subject === 'acc:S1');
    expect(first?.parties).toEqual([
      { uid: 'acc:S1', role: 'subject' },
      { uid: 'acc:R1', role: 'counterparty' },
    ]);
    expect(first?.explanation).toContain('acc:S1 paid acc:R1 9000.00 USD by ach');
    expect(first?.explanation).toContain(
      '30 times the largest amount the sender had sent in the previous 30 days (300.00 USD)',
    );
    expect(first?.explanation).toContain('10 times the largest amount the receiver had received');
    // Raised when the third pair completed the layer; the fourth pair's alert names all four.
    expect(first?.explanation).toContain('one of 3 such payments by ach');
    expect(first?.explanation).toContain('(acc:S2 → acc:R2, acc:S3 → acc:R3)');
    expect(alerts.find((a) => a.subject === 'acc:S4')?.facts.pairsInWindow).toBe(4);
  });

  it('needs minPairs payments: two pairs are not a layer', () => {
    const layer = matching().slice(0, 2);
    expect(runDetector(sparseBipartiteDetector, [...background(), ...layer]).alerts).toHaveLength(
      0,
    );
  });

  it('compares amounts in the base currency: a yen payment worth little is not out of character', () => {
    // 130,000 JPY is 910.00 USD here: about 3 times 300.00 sent, but not 3 times 900.00 received.
    const layer = matching();
    const yen = { ...layer[3], amountMinor: 130_000, currency: 'JPY' };
    const { alerts } = runDetector(
      sparseBipartiteDetector,
      [...background(), ...layer.slice(0, 3), yen],
      {
        money,
      },
    );
    expect(alerts.map((a) => a.subject).sort()).toEqual(['acc:S1', 'acc:S2', 'acc:S3']);
    const euro = { ...layer[3], amountMinor: 10_000_00, currency: 'EUR' };
    const withEuro = runDetector(
      sparseBipartiteDetector,
      [...background(), ...layer.slice(0, 3), euro],
      {
        money,
      },
    );
    expect(withEuro.alerts.find((a) => a.subject === 'acc:S4')?.explanation).toContain(
      '10000.00 EUR = 11000.00 USD',
    );
  });

  it('does not fire when a payment is not far above what one side usually moves', () => {
    // 1,800.00 is 6 times the senders' largest payment but only twice the receivers' largest
    // receipt (900.00): a receiver used to such sums.
    const layer = matching([1_800_00, 1_800_00, 1_800_00, 1_800_00]);
    expect(runDetector(sparseBipartiteDetector, [...background(), ...layer]).alerts).toHaveLength(
      0,
    );
    expect(
      runDetector(sparseBipartiteDetector, [...background(), ...layer], {
        overrides: { minMultiple: 2 },
      }).alerts,
    ).toHaveLength(4);
  });

  it('does not fire between accounts that paid each other before (family transfers)', () => {
    // Each pair sent money the other way two weeks earlier: known relations, not first contact.
    const earlier = SENDERS.map((s, i) =>
      mv(RECEIVERS[i], s, 100_00, T0 + 6 * DAY + i * HOUR, { channel: 'internal' }),
    );
    expect(
      runDetector(sparseBipartiteDetector, [...background(), ...earlier, ...matching()]).alerts,
    ).toHaveLength(0);
  });

  it('does not fire on a few friends each sending a few hundred to someone new (internal transfers)', () => {
    // Four people with no earlier payments each send 700.00 to a different friend: unusual for
    // them, but below the 1,000.00 floor of a layering payment.
    const friends = [1, 2, 3, 4].map((i) =>
      mv(`acc:Friend${i}`, `acc:Other${i}`, 700_00, START + i * HOUR, { channel: 'internal' }),
    );
    expect(runDetector(sparseBipartiteDetector, [...background(), ...friends]).alerts).toHaveLength(
      0,
    );
    expect(
      runDetector(sparseBipartiteDetector, [...background(), ...friends], {
        overrides: { minAmount: '500.00' },
      }).alerts,
    ).toHaveLength(4);
  });

  it('does not fire on a payroll run (one payer, exempt reference) or on a fan-out', () => {
    const payroll = RECEIVERS.map((r, i) =>
      mv('acc:NewEmployer', r, 9_000_00, START + i * 1_000, {
        channel: 'ach',
        reference: 'salary',
      }),
    );
    expect(runDetector(sparseBipartiteDetector, [...background(), ...payroll]).alerts).toHaveLength(
      0,
    );
    // The same payments without a reference: one sender to many receivers is a fan, not a matching.
    const fan = payroll.map((m) => ({ ...m, reference: undefined }));
    expect(runDetector(sparseBipartiteDetector, [...background(), ...fan]).alerts).toHaveLength(0);
  });

  it('does not fire on shoppers paying a merchant or on payments to other banks', () => {
    // Large purchases from one merchant: every pair shares the receiver.
    const shop = SENDERS.map((s, i) =>
      mv(s, 'acc:CarDealer', 9_000_00, START + i * HOUR, { channel: 'ach' }),
    );
    expect(runDetector(sparseBipartiteDetector, [...background(), ...shop]).alerts).toHaveLength(0);
    // The receivers are accounts at another bank: their habits are unknown, so no judgement.
    const vertices = RECEIVERS.map((r) => accountVertex(r, { accountType: 'external' }));
    expect(
      runDetector(sparseBipartiteDetector, [...background(), ...matching()], { vertices }).alerts,
    ).toHaveLength(0);
  });

  it('does not fire when the payments spread over more than the window or use different channels', () => {
    const spread = matching().map((m, i) => ({ ...m, timestamp: START + i * 2 * DAY }));
    expect(runDetector(sparseBipartiteDetector, [...background(), ...spread]).alerts).toHaveLength(
      0,
    );
    const mixed: Movement[] = matching().map((m, i) => ({
      ...m,
      channel: i % 2 === 0 ? 'ach' : 'wire',
    }));
    expect(runDetector(sparseBipartiteDetector, [...background(), ...mixed]).alerts).toHaveLength(
      0,
    );
  });

  it('judges nothing before minHistoryDays have been watched', () => {
    const early = matching().map((m, i) => ({ ...m, timestamp: T0 + 10 * DAY + i * HOUR }));
    const quiet = background().filter((m) => m.timestamp < T0 + 10 * DAY);
    expect(runDetector(sparseBipartiteDetector, [...quiet, ...early]).alerts).toHaveLength(0);
    expect(
      runDetector(sparseBipartiteDetector, [...quiet, ...early], {
        overrides: { minHistoryDays: 7 },
      }).alerts,
    ).toHaveLength(4);
  });
});
