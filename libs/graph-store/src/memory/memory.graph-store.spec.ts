import { movementEdge } from '@app/vocabulary';
import type { AlertVertex, GraphEdge, Movement } from '@app/vocabulary';
import {
  buildBankFixture,
  compareMovements,
  describeGraphStoreContract,
  describeVertexSearchContract,
  expectedFanCandidates,
  expectedMovements,
  expectedScan,
  HOUR,
  loadBankFixture,
} from '../contract';
import { MemoryGraphStore } from './memory.graph-store';

describeGraphStoreContract('MemoryGraphStore', () =>
  Promise.resolve({ store: new MemoryGraphStore(), close: () => Promise.resolve() }),
);

describeVertexSearchContract('MemoryGraphStore', () =>
  Promise.resolve({ store: new MemoryGraphStore(), close: () => Promise.resolve() }),
);

/** A small seeded generator (mulberry32) so the randomised test is the same on every run. */
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

describe('MemoryGraphStore (memory-specific)', () => {
  const fx = buildBankFixture();
  let store: MemoryGraphStore;

  beforeEach(async () => {
    store = new MemoryGraphStore();
    await loadBankFixture(store, fx);
  });

  it('reports the memory backend', () => {
    expect(store.backend).toBe('memory');
  });

  it('returns copies: changing a returned vertex, edge or movement changes nothing stored', async () => {
    const alert = (await store.getVertex(fx.alert)) as AlertVertex;
    alert.props.movementIds.push('mv:fx:forged');
    alert.props.score = 0;
    const edge = (await store.getEdge(fx.movement(1))) as GraphEdge & { label: 'TRANSFERRED' };
    edge.props.amountMinor = 1;
    const [movement] = await store.getMovements({
      accountIds: [fx.account.a1],
      from: fx.t0,
      to: fx.t0 + 2 * HOUR,
      direction: 'out',
    });
    movement.amountMinor = 2;
    const [scanned] = await store.scanMovements({ from: fx.t0, to: fx.t0 + 2 * HOUR, limit: 1 });
    scanned.timestamp = 0;

    const original = fx.vertices.find((v) => v.uid === fx.alert);
    expect(await store.getVertex(fx.alert)).toEqual(original);
    expect(await store.getEdge(fx.movement(1))).toEqual(
      movementEdge(fx.movements.find((m) => m.movementId === fx.movement(1)) as Movement),
    );
    const again = await store.scanMovements({ from: fx.t0, to: fx.t0 + 2 * HOUR, limit: 1 });
    expect(again[0].amountMinor).toBe(120_000);
    expect(again[0].timestamp).toBe(fx.t0 + HOUR);
  });

  it('returns copies from subgraphs, listings and counts', async () => {
    const near = await store.getNeighbourhood({ uid: fx.alert, depth: 1, limit: 10 });
    for (const v of near.vertices) (v.props as unknown as Record<string, unknown>).name = 'changed';
    const sub = await store.getOwnershipSubgraph(fx.company.opco, 5);
    for (const e of sub.edges) (e.props as unknown as Record<string, unknown>).shareMinBp = 1;
    const page = await store.listVertices({ label: 'Person', limit: 10 });
    for (const v of page.items) (v.props as unknown as Record<string, unknown>).name = 'changed';
    const counts = await store.counts();
    (counts.vertices as Record<string, number>).Person = 99;
    const shared = await store.findSharedIdentifiers({ hubCap: 4 });
    shared[0].accountIds.push('account:fxbank:forged');

    expect(await store.getVertices(fx.vertices.map((v) => v.uid))).toEqual(fx.vertices);
    const ownership = fx.edges.filter((e) => e.label === 'OWNS');
    for (const e of ownership) expect(await store.getEdge(e.eid)).toEqual(e);
    expect((await store.counts()).vertices.Person).toBe(4);
    expect((await store.findSharedIdentifiers({ hubCap: 4 }))[0].accountIds).not.toContain(
      'account:fxbank:forged',
    );
  });

  it('keeps its own copy of written data: changing the input afterwards changes nothing', async () => {
    const fresh = new MemoryGraphStore();
    const vertices = structuredClone(fx.vertices);
    await fresh.upsertVertices(vertices);
    const alert = vertices.find((v): v is AlertVertex => v.label === 'Alert');
    alert?.props.movementIds.push('mv:fx:forged');
    (vertices[0].props as unknown as Record<string, unknown>).name = 'changed';
    expect(await fresh.getVertices(fx.vertices.map((v) => v.uid))).toEqual(fx.vertices);
  });

  it('keeps separate instances separate', async () => {
    const other = new MemoryGraphStore();
    expect(await other.getVertex(fx.person.alice)).toBeUndefined();
    await other.clear();
    expect(await store.getVertex(fx.person.alice)).toBeDefined();
  });

  it('answers like a full scan on 2,000 movements written in random order and then updated', async () => {
    const random = seeded(20250106);
    const accounts = fx.vertices.filter((v) => v.label === 'Account').map((v) => v.uid);
    const pick = (): string => accounts[Math.floor(random() * accounts.length)];
    const span = 30 * 24 * HOUR;
    let movements: Movement[] = Array.from({ length: 2000 }, (_, i) => ({
      movementId: `mv:rnd:${i.toString(36)}`,
      fromAccount: pick(),
      toAccount: pick(),
      amountMinor: 1 + Math.floor(random() * 1_000_000),
      currency: 'GBP',
      // coarse timestamps so that many movements share one
      timestamp: fx.t0 + Math.floor(random() * 500) * Math.floor(span / 500),
      channel: random() < 0.5 ? 'wire' : 'cash',
    }));
    const big = new MemoryGraphStore();
    await big.upsertVertices(fx.vertices);
    for (let i = 0; i < movements.length; i += 250) {
      await big.upsertEdges(movements.slice(i, i + 250).map(movementEdge));
    }
    const check = async (): Promise<void> => {
      for (const [from, to] of [
        [fx.t0, fx.t0 + span],
        [fx.t0 + 3 * 24 * HOUR, fx.t0 + 4 * 24 * HOUR + 7],
      ]) {
        for (const direction of ['in', 'out', 'both'] as const) {
          const asked = accounts.slice(0, 3);
          expect(await big.getMovements({ accountIds: asked, from, to, direction })).toEqual(
            expectedMovements(movements, asked, from, to, direction),
          );
        }
        expect(await big.scanMovements({ from, to, limit: 5000, channels: ['cash'] })).toEqual(
          expectedScan(movements, from, to, ['cash']),
        );
        for (const direction of ['in', 'out'] as const) {
          expect(
            await big.selectFanCandidates({
              direction,
              from,
              to,
              minCounterparties: 2,
              limit: 100,
            }),
          ).toEqual(expectedFanCandidates(movements, direction, from, to, 2));
        }
      }
      const paged: Movement[] = [];
      let after: { timestamp: number; movementId: string } | undefined;
      for (;;) {
        const page = await big.scanMovements({ from: fx.t0, to: fx.t0 + span, limit: 333, after });
        paged.push(...page);
        const last = page[page.length - 1];
        if (page.length < 333 || !last) break;
        after = { timestamp: last.timestamp, movementId: last.movementId };
      }
      expect(paged).toEqual([...movements].sort(compareMovements));
    };
    await check();
    // Move every tenth movement in time; indexes must re-order.
    const moved = movements
      .filter((_, i) => i % 10 === 0)
      .map((m) => ({ ...m, timestamp: fx.t0 + Math.floor(random() * span) }));
    expect(await big.upsertEdges(moved.map(movementEdge))).toEqual({
      created: 0,
      updated: moved.length,
      unchanged: 0,
    });
    const byId = new Map(moved.map((m) => [m.movementId, m]));
    movements = movements.map((m) => byId.get(m.movementId) ?? m);
    await check();
  });
});
