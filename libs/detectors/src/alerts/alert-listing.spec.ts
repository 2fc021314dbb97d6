import { MemoryGraphStore } from '@app/graph-store';
import { FixedClock, ids, InvalidInputError } from '@app/vocabulary';
import type { AlertVertex, FieldProblem, GraphEdge, Typology } from '@app/vocabulary';
import { accountVertex } from '../testing/fixtures';
import { AlertRepository } from './alert.repository';
import type { AlertFilter, AlertSort, StoredAlert } from './alert.repository';
import { GraphAlertStatusHistory } from './graph.alert-status-history';

const T = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;

/** A small seeded generator (mulberry32): the same alerts on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 60 alerts with few distinct scores, raise times and model risks (many ties), half flagging
 * account A; every fourth (all flagging A) has no model risk (raised without a model).
 */
function alerts(): { vertices: AlertVertex[]; flags: GraphEdge[] } {
  const random = seeded(14);
  const vertices: AlertVertex[] = [];
  const flags: GraphEdge[] = [];
  for (let i = 0; i < 60; i += 1) {
    const uid = `alert:test.rule:${Math.floor(random() * 1e9).toString(36)}${i}`;
    const createdAt = T + Math.floor(random() * 6) * HOUR;
    vertices.push({
      label: 'Alert',
      uid,
      props: {
        ruleId: 'test.rule',
        ruleVersion: '1.0.0',
        typology: i % 3 === 0 ? 'fan-in' : 'fan-out',
        score: Math.floor(random() * 5) / 4,
        severity: 'medium',
        status: 'open',
        explanation: `alert ${i}`,
        fingerprint: String(i),
        createdAt,
        updatedAt: createdAt,
        windowStart: T + i * HOUR,
        windowEnd: T + (i + 1) * HOUR,
        movementIds: [],
        ...(i % 4 === 2
          ? {}
          : {
              riskScore: Math.floor(random() * 4) / 4,
              riskThreshold: 0.5,
              riskModelVersion: 'risk-test',
              riskReasons: [JSON.stringify({ feature: 'f', effect: 1, text: `reason ${i}` })],
            }),
      },
    });
    if (i % 2 === 0) {
      flags.push({
        label: 'FLAGS',
        eid: ids.structural('FLAGS', uid, 'account:b:A'),
        from: uid,
        to: 'account:b:A',
        props: { role: 'subject' },
      });
    }
  }
  return { vertices, flags };
}

async function setup(): Promise<{ repository: AlertRepository; stored: StoredAlert[] }> {
  const store = new MemoryGraphStore();
  const repository = new AlertRepository(
    store,
    new GraphAlertStatusHistory(store),
    new FixedClock(T),
  );
  const { vertices, flags } = alerts();
  await store.upsertVertices([accountVertex('account:b:A'), ...vertices]);
  await store.upsertEdges(flags);
  const stored = vertices.map((v): StoredAlert => {
    const { riskScore, riskThreshold, riskModelVersion, riskReasons: _reasons, ...props } = v.props;
    return {
      alertId: v.uid,
      ...props,
      typology: props.typology as Typology,
      ...(riskScore === undefined
        ? {}
        : {
            risk: {
              score: riskScore,
              threshold: riskThreshold ?? -1,
              modelVersion: riskModelVersion ?? '',
              reasons: [{ feature: 'f', effect: 1, text: `reason ${props.fingerprint}` }],
            },
          }),
    };
  });
  return { repository, stored };
}

/**
 * What the listing must give: every matching alert in the sort's order, ties by id; by risk,
 * the alerts without one after all others (in id order) whatever the direction.
 */
function expected(stored: readonly StoredAlert[], sort: AlertSort | undefined): string[] {
  const value = (a: StoredAlert): number | undefined =>
    sort?.by === 'raisedAt' ? a.createdAt : sort?.by === 'risk' ? a.risk?.score : a.score;
  const sign = sort?.direction === 'asc' ? 1 : -1;
  return [...stored]
    .sort((a, b) => {
      const x = value(a);
      const y = value(b);
      if (sort !== undefined && x !== y) {
        if (x === undefined) return 1;
        if (y === undefined) return -1;
        return (x - y) * sign;
      }
      return a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0;
    })
    .map((a) => a.alertId);
}

function byRisk(stored: readonly StoredAlert[], alertId: string): boolean {
  return stored.find((a) => a.alertId === alertId)?.risk !== undefined;
}

async function allPages(
  repository: AlertRepository,
  filter: AlertFilter,
  limit: number,
  sort?: AlertSort,
): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard += 1) {
    const page = await repository.list(filter, limit, cursor, sort);
    pages.push(page.items.map((a) => a.alertId));
    cursor = page.nextCursor;
    if (cursor === undefined) return pages;
  }
  throw new Error('the cursor does not advance');
}

async function problemsOf(promise: Promise<unknown>): Promise<readonly FieldProblem[]> {
  try {
    await promise;
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).problems;
  }
  throw new Error('expected a rejection');
}

describe('AlertRepository listing order', () => {
  const sorts: AlertSort[] = [
    { by: 'score', direction: 'desc' },
    { by: 'score', direction: 'asc' },
    { by: 'raisedAt', direction: 'desc' },
    { by: 'raisedAt', direction: 'asc' },
    { by: 'risk', direction: 'desc' },
    { by: 'risk', direction: 'asc' },
  ];

  it('reads every alert back with its model risk, or none', async () => {
    const { repository, stored } = await setup();
    const pages = await allPages(repository, {}, 60);
    const byId = new Map(stored.map((a) => [a.alertId, a] as const));
    const listed = await repository.list({}, 60);
    expect(pages.flat()).toHaveLength(60);
    for (const alert of listed.items) expect(alert).toEqual(byId.get(alert.alertId));
    expect(listed.items.filter((a) => a.risk === undefined)).toHaveLength(15);
    expect(await repository.get(stored[0].alertId)).toEqual(stored[0]);
  });

  it.each([7, 15, 45, 60])(
    'by risk, pages of %i run from the scored alerts into the unscored ones without a gap',
    async (limit) => {
      const { repository, stored } = await setup();
      for (const direction of ['desc', 'asc'] as const) {
        const sort: AlertSort = { by: 'risk', direction };
        const pages = await allPages(repository, {}, limit, sort);
        expect(pages.flat()).toEqual(expected(stored, sort));
        expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
        expect(
          pages
            .flat()
            .slice(-15)
            .every((id) => !byRisk(stored, id)),
        ).toBe(true);
      }
    },
  );

  it('by risk, keeps store-side and paging-time filters in both parts', async () => {
    const { repository, stored } = await setup();
    const sort: AlertSort = { by: 'risk', direction: 'desc' };
    const filter: AlertFilter = { typology: 'fan-out', minScore: 0.25 };
    const matching = stored.filter((a) => a.typology === 'fan-out' && a.score >= 0.25);
    expect(matching.some((a) => a.risk === undefined)).toBe(true);
    const pages = await allPages(repository, filter, 4, sort);
    expect(pages.flat()).toEqual(expected(matching, sort));
  });

  it.each(sorts)('orders the whole queue by $by $direction across pages of 7', async (sort) => {
    const { repository, stored } = await setup();
    const pages = await allPages(repository, {}, 7, sort);
    expect(pages.flat()).toEqual(expected(stored, sort));
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 4]);
  });

  it.each(sorts)('orders the alerts of one account by $by $direction too', async (sort) => {
    const { repository, stored } = await setup();
    const flagged = stored.filter((_, i) => i % 2 === 0);
    const pages = await allPages(repository, { accountId: 'account:b:A' }, 4, sort);
    expect(pages.flat()).toEqual(expected(flagged, sort));
    expect(pages[0]).toHaveLength(4);
  });

  it('keeps store-side filters and paging-time filters with a sort', async () => {
    const { repository, stored } = await setup();
    const sort: AlertSort = { by: 'score', direction: 'desc' };
    const filter: AlertFilter = { typology: 'fan-in', minScore: 0.5 };
    const pages = await allPages(repository, filter, 3, sort);
    const matching = stored.filter((a) => a.typology === 'fan-in' && a.score >= 0.5);
    expect(matching.length).toBeGreaterThan(3);
    expect(pages.flat()).toEqual(expected(matching, sort));
  });

  it('without a sort, lists in alert id order as before', async () => {
    const { repository, stored } = await setup();
    const pages = await allPages(repository, {}, 25);
    expect(pages.flat()).toEqual(expected(stored, undefined));
  });

  it('refuses a cursor made for another order, naming the field', async () => {
    const { repository } = await setup();
    const byScore = await repository.list({}, 5, undefined, { by: 'score', direction: 'desc' });
    const byId = await repository.list({}, 5);
    const account = await repository.list({ accountId: 'account:b:A' }, 5, undefined, {
      by: 'raisedAt',
      direction: 'asc',
    });
    const cases: [string | undefined, AlertSort | undefined, AlertFilter][] = [
      [byScore.nextCursor, { by: 'score', direction: 'asc' }, {}],
      [byScore.nextCursor, { by: 'raisedAt', direction: 'desc' }, {}],
      [byScore.nextCursor, undefined, {}],
      [byId.nextCursor, { by: 'score', direction: 'desc' }, {}],
      [account.nextCursor, { by: 'score', direction: 'asc' }, { accountId: 'account:b:A' }],
      [account.nextCursor, undefined, { accountId: 'account:b:A' }],
      [byScore.nextCursor, { by: 'risk', direction: 'desc' }, {}],
    ];
    for (const [cursor, sort, filter] of cases) {
      expect(cursor).toBeDefined();
      const problems = await problemsOf(repository.list(filter, 5, cursor, sort));
      expect(problems.map((p) => p.field)).toEqual(['cursor']);
    }
  });
});
