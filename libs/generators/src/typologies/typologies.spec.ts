import type { GroundTruthRecord, MovementEdge } from '@app/vocabulary';
import { generateBankInMemory } from '../bank/generate-bank';
import { distanceKm } from '../population/geography';
import { PROFILES } from '../profiles/bank-profile';
import { DatasetIndex } from '../testing/dataset-index';
import { structuringBandFloor } from './aml-rules.typologies';

const DAY = 86_400_000;
const THRESHOLD = 1_000_000; // 10,000.00 USD
const FLOOR = structuringBandFloor(THRESHOLD, 10);
const shapes = PROFILES.small.shapes;

let index: DatasetIndex;

beforeAll(async () => {
  index = new DatasetIndex(
    await generateBankInMemory({
      profile: 'small',
      seed: 7,
      referenceTime: '2025-01-01T00:00:00Z',
      days: 90,
    }),
  );
}, 60_000);

function times(movements: readonly MovementEdge[]): number[] {
  return movements.map((m) => m.props.timestamp);
}

function strictlyIncreasing(values: readonly number[]): boolean {
  return values.every((v, i) => i === 0 || v > values[i - 1]);
}

function each(
  typology: Parameters<DatasetIndex['records']>[0],
  check: (record: GroundTruthRecord, movements: MovementEdge[]) => void,
): void {
  const records = index.records(typology);
  expect(records.length).toBe(PROFILES.small.instances[typology]);
  for (const record of records) check(record, index.movementsOf(record));
}

describe('money-laundering network typologies (AMLSim shapes)', () => {
  it('fan-out: one account pays the configured number of distinct beneficiaries', () => {
    each('fan-out', (record, movements) => {
      const sources = new Set(movements.map((m) => m.from));
      const beneficiaries = new Set(movements.map((m) => m.to));
      expect(sources.size).toBe(1);
      expect(beneficiaries.size).toBe(record.parameters.beneficiaries);
      expect(beneficiaries.size).toBeGreaterThanOrEqual(Math.max(5, shapes.fanDegree[0]));
      expect(beneficiaries.size).toBeLessThanOrEqual(shapes.fanDegree[1]);
      expect(Math.max(...times(movements)) - Math.min(...times(movements))).toBeLessThan(30 * DAY);
    });
  });

  it('fan-in: the configured number of distinct originators pay one account', () => {
    each('fan-in', (record, movements) => {
      expect(new Set(movements.map((m) => m.to)).size).toBe(1);
      expect(new Set(movements.map((m) => m.from)).size).toBe(record.parameters.originators);
      expect(movements.length).toBeGreaterThanOrEqual(5);
    });
  });

  it('cycle: returns to the origin, strictly later at each hop, keeping 90% each time', () => {
    each('cycle', (record, movements) => {
      expect(movements.length).toBe(record.parameters.length);
      movements.forEach((m, i) => {
        const next = movements[(i + 1) % movements.length];
        expect(next.from).toBe(m.to);
      });
      expect(strictlyIncreasing(times(movements))).toBe(true);
      for (let i = 1; i < movements.length; i++) {
        expect(movements[i]?.props.amountMinor).toBe(
          Math.floor(((movements[i - 1]?.props.amountMinor ?? 0) * 9) / 10),
        );
      }
      expect(new Set(movements.map((m) => m.from)).size).toBe(movements.length);
    });
  });

  it('scatter-gather: every scatter precedes every gather, each intermediary passes on 90%', () => {
    each('scatter-gather', (record, movements) => {
      const k = record.parameters.intermediaries as number;
      const scatter = movements.filter((m) => m.from === movements[0]?.from);
      const gather = movements.filter((m) => m.from !== movements[0]?.from);
      expect(scatter).toHaveLength(k);
      expect(gather).toHaveLength(k);
      expect(new Set(gather.map((m) => m.to)).size).toBe(1);
      expect(Math.max(...times(scatter))).toBeLessThan(Math.min(...times(gather)));
      for (const g of gather) {
        const received = scatter.find((s) => s.to === g.from);
        expect(g.props.amountMinor).toBe(Math.floor(((received?.props.amountMinor ?? 0) * 9) / 10));
      }
    });
  });

  it('gather-scatter: every gather into the hub precedes every payment out of it', () => {
    each('gather-scatter', (record, movements) => {
      const hub = record.entities[0];
      const gather = movements.filter((m) => m.to === hub);
      const scatter = movements.filter((m) => m.from === hub);
      expect(gather.length + scatter.length).toBe(movements.length);
      expect(gather).toHaveLength(record.parameters.originators as number);
      expect(scatter).toHaveLength(record.parameters.beneficiaries as number);
      expect(Math.max(...times(gather))).toBeLessThan(Math.min(...times(scatter)));
    });
  });

  it('bipartite: every sender pays every receiver exactly once', () => {
    each('bipartite', (record, movements) => {
      const senders = new Set(movements.map((m) => m.from));
      const receivers = new Set(movements.map((m) => m.to));
      expect(senders.size).toBe(record.parameters.senders);
      expect(receivers.size).toBe(record.parameters.receivers);
      expect(new Set(movements.map((m) => `${m.from}>${m.to}`)).size).toBe(
        senders.size * receivers.size,
      );
      expect([...senders].some((s) => receivers.has(s))).toBe(false);
    });
  });

  it('stack: three layers, the second pays the third only after receiving from the first', () => {
    each('stack', (record, movements) => {
      const [w1, w2, w3] = (record.parameters.widths as readonly string[]).map(Number) as [
        number,
        number,
        number,
      ];
      expect(movements).toHaveLength(w1 * w2 + w2 * w3);
      const first = movements.slice(0, w1 * w2);
      const second = movements.slice(w1 * w2);
      const middle = new Set(first.map((m) => m.to));
      expect(middle.size).toBe(w2);
      expect(second.every((m) => middle.has(m.from))).toBe(true);
      expect(Math.max(...times(first))).toBeLessThan(Math.min(...times(second)));
    });
  });

  it('random: a time-ordered walk inside the group that reaches every member', () => {
    each('random', (record, movements) => {
      const members = new Set(record.entities);
      expect(movements).toHaveLength(record.parameters.transfers as number);
      expect(
        movements.every((m) => members.has(m.from) && members.has(m.to) && m.from !== m.to),
      ).toBe(true);
      expect(new Set(movements.flatMap((m) => [m.from, m.to])).size).toBe(members.size);
      for (let i = 1; i < movements.length; i++)
        expect(movements[i]?.from).toBe(movements[i - 1]?.to);
    });
  });
});

describe('rule-based AML typologies', () => {
  it('structuring: several cash deposits just below the threshold within a few days', () => {
    const subtypes = new Set<string>();
    each('structuring', (record, movements) => {
      subtypes.add(record.parameters.subtype as string);
      const cash = movements.filter((m) => m.props.channel === 'cash');
      expect(cash).toHaveLength(record.parameters.deposits as number);
      expect(cash.length).toBeGreaterThanOrEqual(3);
      for (const deposit of cash) {
        expect(index.vertex(deposit.from, 'Account').props.accountType).toBe('cash-point');
        expect(deposit.props.amountMinor).toBeGreaterThanOrEqual(FLOOR);
        expect(deposit.props.amountMinor).toBeLessThan(THRESHOLD);
      }
      expect(Math.max(...times(cash)) - Math.min(...times(cash))).toBeLessThan(5 * DAY);
      const collector = record.entities[0];
      const total = movements
        .filter((m) => m.to === collector)
        .reduce((sum, m) => sum + m.props.amountMinor, 0);
      expect(total).toBeGreaterThan(THRESHOLD);
      if (record.parameters.subtype === 'many-branches')
        expect(new Set(cash.map((m) => m.from)).size).toBeGreaterThan(1);
      if (record.parameters.subtype === 'one-account')
        expect(new Set(cash.map((m) => m.from)).size).toBe(1);
      if (record.parameters.subtype === 'many-depositors')
        expect(new Set(cash.map((m) => m.to)).size).toBe(cash.length);
    });
    expect([...subtypes].sort()).toEqual(['many-branches', 'many-depositors', 'one-account']);
  });

  it('structuring: ordinary customers never deposit cash inside the band', () => {
    const injected = new Set(index.records('structuring').flatMap((r) => r.movements));
    const inBand = index.movements.filter(
      (m) =>
        m.props.channel === 'cash' &&
        m.props.amountMinor >= FLOOR &&
        m.props.amountMinor < THRESHOLD,
    );
    expect(inBand.length).toBeGreaterThan(0);
    expect(inBand.filter((m) => !injected.has(m.eid))).toEqual([]);
  });

  it('pass-through: what comes in leaves again (95% or more) within a day and a half', () => {
    each('pass-through', (record, movements) => {
      const account = record.entities[0];
      const inflow = movements.filter((m) => m.to === account);
      const outflow = movements.filter((m) => m.from === account);
      // In the account's own currency: what arrived (received side) against what it paid out.
      const arrived = inflow.reduce(
        (s, m) => s + (m.props.receivedAmountMinor ?? m.props.amountMinor),
        0,
      );
      const paid = outflow.reduce((s, m) => s + m.props.amountMinor, 0);
      expect(
        outflow.every((m) => m.props.currency === index.vertex(account, 'Account').props.currency),
      ).toBe(true);
      expect(paid / arrived).toBeGreaterThanOrEqual(0.95);
      expect(paid).toBeLessThanOrEqual(arrived);
      expect(Math.max(...times(outflow)) - Math.min(...times(inflow))).toBeLessThan(1.6 * DAY);
    });
  });

  it('dormant-reactivation: the account was silent for 360+ days before the pattern', () => {
    each('dormant-reactivation', (record, movements) => {
      const account = record.entities[0];
      const start = Math.min(...times(movements));
      const all = [...(index.outgoing.get(account) ?? []), ...(index.incoming.get(account) ?? [])];
      const before = all.filter((m) => m.props.timestamp < start).map((m) => m.props.timestamp);
      expect(before.length).toBeGreaterThan(0);
      expect(start - Math.max(...before)).toBeGreaterThanOrEqual(360 * DAY);
      expect(index.vertex(account, 'Account').props.status).toBe('active');
    });
  });

  it('round-amounts: 10+ transfers in a week, most of the account’s payments then in whole hundreds', () => {
    each('round-amounts', (record, movements) => {
      const account = record.entities[0];
      expect(movements.length).toBeGreaterThanOrEqual(10);
      const [from, to] = [Math.min(...times(movements)), Math.max(...times(movements))];
      expect(to - from).toBeLessThanOrEqual(7 * DAY);
      const inWeek = (index.outgoing.get(account) ?? []).filter(
        (m) => m.props.timestamp >= from && m.props.timestamp <= to,
      );
      const round = inWeek.filter((m) => m.props.amountMinor % 100_00 === 0);
      expect(round.length / inWeek.length).toBeGreaterThanOrEqual(0.5);
    });
  });

  it('high-risk-jurisdiction: counterparties in KP, IR or MM, and no other flows there', () => {
    const highRisk = ['KP', 'IR', 'MM'];
    const injected = new Set(index.records('high-risk-jurisdiction').flatMap((r) => r.movements));
    each('high-risk-jurisdiction', (record, movements) => {
      expect(highRisk).toContain(record.parameters.country);
      for (const m of movements) {
        const countries = [
          index.vertex(m.from, 'Account').props.country,
          index.vertex(m.to, 'Account').props.country,
        ];
        expect(countries).toContain(record.parameters.country);
      }
    });
    const other = index.movements.filter(
      (m) =>
        !injected.has(m.eid) &&
        [m.from, m.to].some((a) => highRisk.includes(index.vertex(a, 'Account').props.country)),
    );
    expect(other).toEqual([]);
  });

  it('velocity-spike: one day far above the account’s own daily history', () => {
    each('velocity-spike', (record, movements) => {
      const account = record.entities[0];
      expect(movements).toHaveLength(shapes.velocitySpikeMovements);
      const day = Math.floor((movements[0]?.props.timestamp ?? 0) / DAY);
      expect(
        movements.every((m) => Math.floor(m.props.timestamp / DAY) === day && m.from === account),
      ).toBe(true);
      const otherDays = (index.outgoing.get(account) ?? []).filter(
        (m) => Math.floor(m.props.timestamp / DAY) !== day,
      );
      expect(movements.length).toBeGreaterThan(10 * Math.max(1, otherDays.length / 89));
    });
  });
});

describe('fraud typologies', () => {
  it('fraud-ring: accounts of different households share two or more identifiers used by nobody else', () => {
    each('fraud-ring', (record) => {
      const accounts = record.entities.filter((e) => e.startsWith('account:'));
      const identifiers = record.entities.filter((e) =>
        /^(device|phone|ip|email|address|card):/.test(e),
      );
      expect(accounts.length).toBeGreaterThanOrEqual(3);
      expect(identifiers.length).toBeGreaterThanOrEqual(2);
      for (const identifier of identifiers)
        expect([...(index.accountsUsing.get(identifier) ?? [])].sort()).toEqual(
          [...accounts].sort(),
        );
      const holders = accounts.map(
        (a) =>
          index.dataset.edges.find(
            (e) => e.label === 'HOLDS' && e.to === a && e.props.role === 'holder',
          )?.from,
      );
      expect(new Set(holders).size).toBe(accounts.length);
    });
  });

  it('account-takeover: new-device login, credential change, contact change, then draining transfers', () => {
    each('account-takeover', (record, movements) => {
      const victim = record.entities[0];
      const events = record.entities
        .filter((e) => e.startsWith('event:'))
        .map((uid) => index.vertex(uid, 'Event'));
      expect(events.map((e) => e.props.kind)).toEqual([
        'login',
        'device-added',
        'credential-change',
        'contact-change',
      ]);
      expect(strictlyIncreasing(events.map((e) => e.props.timestamp))).toBe(true);
      const lastEvent = Math.max(...events.map((e) => e.props.timestamp));
      expect(movements.length).toBeGreaterThanOrEqual(1);
      expect(movements.every((m) => m.from === victim && m.props.timestamp > lastEvent)).toBe(true);
      expect(Math.max(...times(movements)) - (events[0]?.props.timestamp ?? 0)).toBeLessThan(
        3 * 3_600_000,
      );
      // The device was new: the victim had never logged in with it before the takeover.
      const device = events[0]?.props.identifierUid;
      const earlier = (index.eventsOf.get(victim) ?? []).filter(
        (e) => e.props.timestamp < (events[0]?.props.timestamp ?? 0),
      );
      expect(earlier.some((e) => e.props.identifierUid === device)).toBe(false);
    });
  });

  it('mule-chain: funds hop through several accounts, each hop within 20 minutes', () => {
    each('mule-chain', (record, movements) => {
      expect(movements).toHaveLength((record.parameters.hops as number) + 1);
      for (let i = 1; i < movements.length; i++) {
        const previous = movements[i - 1];
        const current = movements[i];
        expect(current.from).toBe(previous.to);
        expect(current.props.timestamp - previous.props.timestamp).toBeGreaterThan(0);
        expect(current.props.timestamp - previous.props.timestamp).toBeLessThanOrEqual(20 * 60_000);
        expect(current.props.amountMinor).toBeLessThanOrEqual(previous.props.amountMinor);
      }
    });
  });

  it('card-velocity: 10+ cards for one account in a day, or one card for 10+ accounts', () => {
    const variants = new Set<string>();
    each('card-velocity', (record, movements) => {
      variants.add(record.parameters.variant as string);
      expect(movements.every((m) => m.props.channel === 'card')).toBe(true);
      expect(Math.max(...times(movements)) - Math.min(...times(movements))).toBeLessThan(DAY);
      const cards = new Set(movements.map((m) => m.props.identifierUid));
      const accounts = new Set(movements.map((m) => m.from));
      if (record.parameters.variant === 'many-cards-one-account') {
        expect(accounts.size).toBe(1);
        expect(cards.size).toBeGreaterThanOrEqual(10);
      } else {
        expect(cards.size).toBe(1);
        expect(accounts.size).toBeGreaterThanOrEqual(10);
      }
    });
    expect(variants.size).toBe(2);
  });

  it('impossible-travel: two logins thousands of kilometres apart faster than any plane', () => {
    each('impossible-travel', (record) => {
      const [home, away] = record.entities
        .filter((e) => e.startsWith('event:'))
        .map((uid) => index.vertex(uid, 'Event').props);
      const km = distanceKm(
        { latitude: home?.latitude ?? 0, longitude: home?.longitude ?? 0 },
        { latitude: away?.latitude ?? 0, longitude: away?.longitude ?? 0 },
      );
      const hours = ((away?.timestamp ?? 0) - (home?.timestamp ?? 0)) / 3_600_000;
      expect(km).toBeGreaterThan(5_000);
      expect(hours).toBeGreaterThan(0);
      expect(km / hours).toBeGreaterThan(1_000);
    });
  });

  it('impossible-travel: no other account moves between logins faster than a plane', () => {
    const injected = new Set(index.records('impossible-travel').flatMap((r) => r.entities));
    const violations: string[] = [];
    for (const [account, events] of index.eventsOf) {
      if (injected.has(account)) continue;
      for (let i = 1; i < events.length; i++) {
        const a = events[i - 1]?.props;
        const b = events[i]?.props;
        if (
          a?.latitude === undefined ||
          a.longitude === undefined ||
          b?.latitude === undefined ||
          b.longitude === undefined
        )
          continue;
        const km = distanceKm(
          { latitude: a.latitude, longitude: a.longitude },
          { latitude: b.latitude, longitude: b.longitude },
        );
        const hours = Math.max(1 / 60, (b.timestamp - a.timestamp) / 3_600_000);
        if (km / hours > 1_000)
          violations.push(`${account}: ${Math.round(km)} km in ${hours.toFixed(2)} h`);
      }
    }
    expect(index.eventsOf.size).toBeGreaterThan(100);
    expect(violations).toEqual([]);
  });
});

describe('decoys', () => {
  it('payroll fan-outs, merchant fan-ins and family loops are labelled as decoys', () => {
    const payroll = index.records('fan-out', true);
    const merchant = index.records('fan-in', true);
    const family = index.records('cycle', true);
    expect(payroll.length).toBeGreaterThan(0);
    expect(merchant.length).toBeGreaterThan(0);
    expect(family.length).toBeGreaterThan(0);
    for (const record of payroll) {
      const movements = index.movementsOf(record);
      expect(new Set(movements.map((m) => m.from)).size).toBe(1);
      expect(movements.every((m) => m.props.reference === 'salary')).toBe(true);
      expect(new Set(movements.map((m) => m.to)).size).toBeGreaterThanOrEqual(5);
    }
    for (const record of family) {
      const movements = index.movementsOf(record);
      expect(movements[movements.length - 1]?.to).toBe(movements[0]?.from);
      expect(Math.max(...times(movements)) - Math.min(...times(movements))).toBeGreaterThan(
        30 * DAY,
      );
    }
  });
});
