import { MemoryGraphStore } from '@app/graph-store';
import { movementEdge } from '@app/vocabulary';
import type { BaseMoney, GraphEdge, PricedAmount } from '@app/vocabulary';
import { StoreBatchDetection } from '../engine/store-scan';
import { DetectorRegistry } from '../registry/detector.registry';
import {
  accountVertex,
  DAY,
  defaultConfig,
  deposit,
  HOUR,
  runDetector,
  T0,
  withdrawal,
} from '../testing/fixtures';
import { cashAggregationDetector } from './cash-aggregation.detector';

function holds(person: string, account: string): GraphEdge {
  return {
    label: 'HOLDS',
    eid: `HOLDS:${person}>${account}`,
    from: person,
    to: account,
    props: { role: 'holder' },
  };
}

/** USD base; one EUR buys 1.10 USD on every day (enough to show the conversion). */
class EuroDollars implements BaseMoney {
  readonly currency = 'USD';
  of(amount: PricedAmount): number {
    return this.convert(amount.amountMinor, amount.currency);
  }
  convert(minor: number, currency: string): number {
    if (currency === 'USD') return minor;
    if (currency === 'EUR') return (minor * 11) / 10;
    throw new Error(`no rate for ${currency}`);
  }
}

const accounts = ['acc:A1', 'acc:A2', 'acc:B1'].map((uid) => accountVertex(uid));
// Alice holds A1 and A2; Bob holds B1.
const holderEdges = [
  holds('person:alice', 'acc:A1'),
  holds('person:alice', 'acc:A2'),
  holds('person:bob', 'acc:B1'),
];

// T0 is Monday 2025-01-06 10:00 UTC.
describe('cashAggregationDetector', () => {
  it('fires when cash of one business day adds up to more than 10000.00 USD', () => {
    const movements = [deposit('acc:A', 6_000_00, T0), deposit('acc:A', 4_000_01, T0 + 3 * HOUR)];
    const { alerts } = runDetector(cashAggregationDetector, movements);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain(
      'made 2 cash deposits counting toward business day 2025-01-06',
    );
    expect(alerts[0].explanation).toContain(
      'totalling 10000.01 USD, over the 10000.00 USD reporting threshold',
    );
    expect(alerts[0].facts.totalMinor).toBe(10_000_01);
  });

  it('does not fire when the day total is exactly at the threshold (near miss)', () => {
    const movements = [deposit('acc:A', 6_000_00, T0), deposit('acc:A', 4_000_00, T0 + 3 * HOUR)];
    expect(runDetector(cashAggregationDetector, movements).alerts).toHaveLength(0);
  });

  it('does not aggregate across two business days', () => {
    const movements = [deposit('acc:A', 6_000_00, T0), deposit('acc:A', 6_000_00, T0 + DAY)];
    expect(runDetector(cashAggregationDetector, movements).alerts).toHaveLength(0);
  });

  it('rolls a Friday night and a Sunday deposit into Monday, together with Monday daytime', () => {
    const friday = Date.UTC(2025, 0, 10, 20);
    const sunday = Date.UTC(2025, 0, 12, 11);
    const monday = Date.UTC(2025, 0, 13, 9);
    const movements = [
      deposit('acc:A', 3_500_00, friday),
      deposit('acc:A', 3_500_00, sunday),
      deposit('acc:A', 3_500_00, monday),
    ];
    const { alerts } = runDetector(cashAggregationDetector, movements);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].facts.businessDay).toBe('2025-01-13');
    expect(alerts[0].movements).toHaveLength(3);
  });

  it('does not roll a Friday daytime deposit into Monday', () => {
    const movements = [
      deposit('acc:A', 6_000_00, Date.UTC(2025, 0, 10, 12)),
      deposit('acc:A', 6_000_00, Date.UTC(2025, 0, 13, 9)),
    ];
    expect(runDetector(cashAggregationDetector, movements).alerts).toHaveLength(0);
  });

  it('uses the time zone setting for the night cut-off', () => {
    // 22:30 UTC and 23:30 UTC on Monday: in New York 17:30 (Monday) and 18:30 (Tuesday).
    const movements = [
      deposit('acc:A', 6_000_00, Date.UTC(2025, 0, 6, 22, 30)),
      deposit('acc:A', 6_000_00, Date.UTC(2025, 0, 6, 23, 30)),
    ];
    expect(runDetector(cashAggregationDetector, movements).alerts).toHaveLength(1);
    expect(
      runDetector(cashAggregationDetector, movements, {
        overrides: { timezone: 'America/New_York' },
      }).alerts,
    ).toHaveLength(0);
  });

  it('leaves a single reportable deposit to the ordinary CTR and keeps deposits apart from withdrawals', () => {
    expect(
      runDetector(cashAggregationDetector, [
        deposit('acc:A', 12_000_00, T0),
        deposit('acc:A', 100_00, T0 + HOUR),
      ]).alerts,
    ).toHaveLength(0);
    expect(
      runDetector(cashAggregationDetector, [
        deposit('acc:A', 6_000_00, T0),
        withdrawal('acc:A', 6_000_00, T0 + HOUR),
      ]).alerts,
    ).toHaveLength(0);
  });

  describe('aggregates per person (31 CFR 1010.313), across the accounts they hold', () => {
    it('reports one person paying 6,000 USD cash into each of two accounts on one business day', () => {
      const movements = [deposit('acc:A1', 6_000_00, T0), deposit('acc:A2', 6_000_00, T0 + HOUR)];
      const { alerts } = runDetector(cashAggregationDetector, movements, {
        vertices: accounts,
        edges: holderEdges,
      });
      expect(alerts).toHaveLength(1);
      expect(alerts[0].subject).toBe('person:alice');
      expect(alerts[0].parties).toEqual([
        { uid: 'person:alice', role: 'subject' },
        { uid: 'acc:A1', role: 'member' },
        { uid: 'acc:A2', role: 'member' },
      ]);
      expect(alerts[0].explanation).toContain(
        'Holder person:alice made 2 cash deposits into 2 accounts acc:A1, acc:A2 counting toward business day 2025-01-06',
      );
      expect(alerts[0].facts).toMatchObject({ accounts: 2, totalMinor: 12_000_00 });
    });

    it('does not add up the cash of two different people', () => {
      const movements = [deposit('acc:A1', 6_000_00, T0), deposit('acc:B1', 6_000_00, T0 + HOUR)];
      expect(
        runDetector(cashAggregationDetector, movements, {
          vertices: accounts,
          edges: holderEdges,
        }).alerts,
      ).toHaveLength(0);
    });

    it('treats an account without a known holder as its own person', () => {
      const movements = [
        deposit('acc:A1', 6_000_00, T0),
        deposit('acc:orphan', 6_000_00, T0 + HOUR),
        deposit('acc:orphan', 4_500_00, T0 + 2 * HOUR),
      ];
      const { alerts } = runDetector(cashAggregationDetector, movements, {
        vertices: accounts,
        edges: holderEdges,
      });
      expect(alerts.map((a) => a.subject)).toEqual(['acc:orphan']);
      expect(alerts[0].movements).toHaveLength(2);
    });

    it('compares in the base currency and quotes the original amounts', () => {
      // 5,000 EUR (5,500 USD) + 5,000 USD: 10,500 USD although 10,000 in face value.
      const movements = [
        { ...deposit('acc:A1', 5_000_00, T0), currency: 'EUR' },
        deposit('acc:A2', 5_000_00, T0 + HOUR),
      ];
      const { alerts } = runDetector(cashAggregationDetector, movements, {
        vertices: accounts,
        edges: holderEdges,
        money: new EuroDollars(),
      });
      expect(alerts).toHaveLength(1);
      expect(alerts[0].facts).toMatchObject({ totalMinor: 10_500_00, baseCurrency: 'USD' });
      expect(alerts[0].explanation).toContain('totalling 10500.00 USD');
      expect(alerts[0].explanation).toContain('5000.00 EUR = 5500.00 USD into acc:A1');
      expect(alerts[0].explanation).toContain('5000.00 USD into acc:A2');
    });

    it('finds the same person-level report in a scan over the graph store (holders read there)', async () => {
      const store = new MemoryGraphStore();
      await store.upsertVertices([
        ...accounts,
        accountVertex('cash:bank1:b1'),
        {
          label: 'Person',
          uid: 'person:alice',
          props: { name: 'Alice', isPep: false, isSanctioned: false },
        },
        {
          label: 'Person',
          uid: 'person:bob',
          props: { name: 'Bob', isPep: false, isSanctioned: false },
        },
      ]);
      const movements = [
        deposit('acc:A1', 6_000_00, T0),
        deposit('acc:B1', 6_000_00, T0 + HOUR),
        deposit('acc:A2', 6_000_00, T0 + 2 * HOUR),
      ];
      await store.upsertEdges([...holderEdges, ...movements.map(movementEdge)]);
      const registry = new DetectorRegistry([cashAggregationDetector], defaultConfig());
      const result = await new StoreBatchDetection(store).scan(registry.instantiate(), {
        from: T0 - DAY,
        to: T0 + DAY,
        now: T0 + DAY,
      });
      expect(result.alerts.map((a) => [a.subject, a.movements.map((m) => m.toAccount)])).toEqual([
        ['person:alice', ['acc:A1', 'acc:A2']],
      ]);
    });
  });
});
