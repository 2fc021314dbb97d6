import {
  BatchRejectedError,
  ConflictError,
  EDGE_LABELS,
  EntityNotFoundError,
  ids as vocabularyIds,
  InvalidInputError,
  movementEdge,
  pseudonymFor,
  VERTEX_LABELS,
} from '@app/vocabulary';
import type {
  AccountVertex,
  EventVertex,
  FieldProblem,
  GraphEdge,
  GraphVertex,
  IdentifierVertex,
  Movement,
  PersonVertex,
  RejectedItem,
} from '@app/vocabulary';
import type { GraphCounts, GraphStore } from '../graph-store.port';
import {
  byId,
  compareMovements,
  eidsOf,
  expectedAccountEvents,
  expectedFanCandidates,
  expectedHolders,
  expectedMovements,
  expectedNeighbourhoodEdges,
  expectedScan,
  uidsOf,
} from './expectations';
import { ContractStore } from './contract-store';
import { buildBankFixture, fixtureEdges, HOUR } from './fixture';

/** What an adapter's spec hands to the contract: a ready store and how to release it. */
export interface ContractSubject {
  store: GraphStore;
  close(): Promise<void>;
}

/** The error a promise rejects with; fails the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected the call to be rejected, but it resolved');
}

async function rejectedItems(promise: Promise<unknown>): Promise<readonly RejectedItem[]> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(BatchRejectedError);
  return (error as BatchRejectedError).rejected;
}

/** The problems of the InvalidInputError a promise rejects with; fails the test otherwise. */
async function invalidInput(promise: Promise<unknown>): Promise<readonly FieldProblem[]> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(InvalidInputError);
  return (error as InvalidInputError).problems;
}

function fieldsOf(items: readonly RejectedItem[], index: number): string[] {
  return (items.find((item) => item.index === index)?.problems ?? []).map((p) => p.field);
}

function rulesOf(items: readonly RejectedItem[], index: number): string {
  return (items.find((item) => item.index === index)?.problems ?? [])
    .map((p) => p.rule)
    .join(' | ');
}

function emptyCounts(): GraphCounts {
  return {
    vertices: Object.fromEntries(VERTEX_LABELS.map((l) => [l, 0])) as GraphCounts['vertices'],
    edges: Object.fromEntries(EDGE_LABELS.map((l) => [l, 0])) as GraphCounts['edges'],
  };
}

function tally(vertices: readonly GraphVertex[], edges: readonly GraphEdge[]): GraphCounts {
  const counts = emptyCounts();
  const v = counts.vertices as Record<string, number>;
  const e = counts.edges as Record<string, number>;
  for (const vertex of vertices) v[vertex.label] += 1;
  for (const edge of edges) e[edge.label] += 1;
  return counts;
}

const ids = (movements: readonly Movement[]): string[] => movements.map((m) => m.movementId);

/**
 * The behaviour every GraphStore adapter must have. Call it from an adapter's spec:
 *
 *   describeGraphStoreContract('MemoryGraphStore', async () => {
 *     const store = new MemoryGraphStore();
 *     return { store, close: async () => {} };
 *   });
 *
 * `make` runs once for the suite; every test starts from an empty store or from the ~90-element
 * fixture (each describe block says which, see ContractStore: the store is cleared or reloaded
 * only if a test may have changed it), and relies on no insertion order.
 *
 * Besides the port's own comments, the suite pins these rules (every adapter must follow them):
 * - upserts: see the header of batch-validation.ts (replace semantics, exact result counts,
 *   whole-batch rejection listing every bad item, ends must already be stored);
 * - ids compare by UTF-16 code units (JS `<`, Java `String.compareTo`) wherever order matters;
 * - getVertices, getEdges: in the order asked, unknown ids left out, repeats once;
 * - getMovements: a movement is returned once even when both ends are asked (or a self-transfer);
 * - getAccountEvents: [from, to) on the event's timestamp; ordered by timestamp, event uid, then
 *   account id; one record per (account, event) pair; unknown accounts contribute nothing;
 * - getHolders: every asked account once, in the order asked, holders in uid order (an empty
 *   list for unknown accounts and accounts nobody holds);
 * - selectFanCandidates: counterparties exclude the account itself; ordered by counterparties
 *   (most first) then accountId; `movements` counts every movement of the window and direction;
 * - findSharedIdentifiers: 2 <= sharers <= hubCap; ordered by identifierUid; accountIds lists
 *   every sharer in id order (also when `accountIds` restricts which identifiers are considered);
 * - getNeighbourhood: nearest hop first (hop-1 edges before hop-2 edges), at most `limit` edges,
 *   `truncated` true only if an edge was left out; vertices = start + ends of returned edges;
 *   unknown uid -> EntityNotFoundError;
 * - getOwnershipSubgraph: unknown uid -> EntityNotFoundError, non-Company -> InvalidInputError;
 * - listVertices: keyset paging in uid order; nextCursor only when another item exists; a cursor
 *   of another label or a damaged one -> InvalidInputError; unknown `where` keys -> InvalidInputError;
 * - bad query arguments (depth outside 1-2, limit < 1, to < from, unknown channel, hubCap < 2)
 *   -> InvalidInputError (the shared `assert*Query` helpers of batch-validation.ts do this).
 */
/** A real store clears and loads the fixture in a few seconds, more on a busy machine. */
const STORE_HOOK_MS = 60_000;

export function describeGraphStoreContract(
  name: string,
  make: () => Promise<ContractSubject>,
): void {
  describe(`GraphStore contract: ${name}`, () => {
    const fx = buildBankFixture();
    const allEdges = fixtureEdges(fx);
    const T0 = fx.t0;
    const END = T0 + 400 * HOUR; // after every fixture movement
    let subject: ContractSubject | undefined;
    let state: ContractStore;
    let store: GraphStore;

    // The first clear removes whatever earlier suites left on a shared server (tens of thousands
    // of elements after the fault tests): seconds to minutes, so it runs here, with room, and not
    // in the first test's beforeEach with jest's 5 s.
    beforeAll(async () => {
      subject = await make();
      state = new ContractStore(subject.store, fx);
      store = state.store;
      await state.empty();
    }, 300_000);

    afterAll(async () => {
      await subject?.close();
    });

    beforeEach(() => {
      state.beginTest();
    });

    /** Each describe block starts its tests from one of these two. */
    const empty = (): Promise<void> => state.empty();
    const load = (): Promise<void> => state.loadFixture();
    const vertex = <T extends GraphVertex>(uid: string): T => {
      const found = fx.vertices.find((v) => v.uid === uid);
      if (!found) throw new Error(`fixture has no vertex ${uid}`);
      return found as T;
    };
    const movementNo = (n: number): Movement => {
      const found = fx.movements.find((m) => m.movementId === fx.movement(n));
      if (!found) throw new Error(`fixture has no movement ${n}`);
      return found;
    };

    describe('backend and ping', () => {
      beforeEach(empty, STORE_HOOK_MS);

      it('names its backend and answers ping', async () => {
        expect(['memory', 'janusgraph']).toContain(store.backend);
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });

    describe('upsertVertices', () => {
      beforeEach(empty, STORE_HOOK_MS);

      it('creates every vertex and reads each back exactly as written', async () => {
        const result = await store.upsertVertices(fx.vertices);
        expect(result).toEqual({ created: fx.vertices.length, updated: 0, unchanged: 0 });
        for (const v of fx.vertices) {
          expect(await store.getVertex(v.uid)).toEqual(v);
        }
      });

      it('is idempotent: the same batch again is all unchanged and counts stay the same', async () => {
        await store.upsertVertices(fx.vertices);
        const before = await store.counts();
        const again = await store.upsertVertices(fx.vertices);
        expect(again).toEqual({ created: 0, updated: 0, unchanged: fx.vertices.length });
        expect(await store.counts()).toEqual(before);
      });

      it('two concurrent calls with the same new uids end with one vertex per uid', async () => {
        const settled = await Promise.allSettled([
          store.upsertVertices(fx.vertices),
          store.upsertVertices(fx.vertices),
        ]);
        // A writer that lost a race may be refused (ConflictError); running it again completes it.
        for (const outcome of settled) {
          if (outcome.status === 'fulfilled') continue;
          expect(outcome.reason).toBeInstanceOf(ConflictError);
          await store.upsertVertices(fx.vertices);
        }
        const counts = await store.counts();
        expect(Object.values(counts.vertices).reduce((a, b) => a + b, 0)).toBe(fx.vertices.length);
        expect(await store.getVertices(fx.vertices.map((v) => v.uid))).toEqual(fx.vertices);
      });

      it('reloading the whole fixture changes nothing', async () => {
        await load();
        const before = await store.counts();
        expect(await store.upsertVertices(fx.vertices)).toEqual({
          created: 0,
          updated: 0,
          unchanged: fx.vertices.length,
        });
        expect(await store.upsertEdges(allEdges)).toEqual({
          created: 0,
          updated: 0,
          unchanged: allEdges.length,
        });
        expect(await store.counts()).toEqual(before);
      });

      it('replaces props: the given props are the full new props (left-out keys are removed)', async () => {
        await store.upsertVertices(fx.vertices);
        const alice = vertex<PersonVertex>(fx.person.alice);
        expect(alice.props.birthDate).toBeDefined();
        const { birthDate: _removed, ...rest } = alice.props;
        const changed: PersonVertex = { ...alice, props: { ...rest, isPep: true } };
        expect(await store.upsertVertices([changed])).toEqual({
          created: 0,
          updated: 1,
          unchanged: 0,
        });
        const stored = await store.getVertex(fx.person.alice);
        expect(stored).toEqual(changed);
        expect(stored?.props).not.toHaveProperty('birthDate');
      });

      it('keeps an erasure: a person or contact identifier stored pseudonymised gets no personal data back from a later upsert', async () => {
        // The state POST /subjects/{id}/erase leaves (GDPR Art. 17), then the same records
        // written again as an import, a seeder load or an entity message would write them.
        const alice = vertex<PersonVertex>(fx.person.alice);
        const email: IdentifierVertex = {
          label: 'Identifier',
          uid: 'identifier:email:alice@example.test',
          props: { kind: 'email', value: 'alice@example.test' },
        };
        const erasedAlice: PersonVertex = {
          label: 'Person',
          uid: alice.uid,
          props: { name: pseudonymFor(alice.uid), isPep: false, isSanctioned: false },
        };
        const erasedEmail: IdentifierVertex = {
          ...email,
          props: { kind: 'email', value: pseudonymFor(email.uid) },
        };
        await store.upsertVertices([erasedAlice, erasedEmail]);
        expect(alice.props.birthDate).toBeDefined();
        const again = await store.upsertVertices([
          { ...alice, props: { ...alice.props, isPep: true } },
          email,
        ]);
        // Only the AML flag changed: personal data is not an update.
        expect(again).toEqual({ created: 0, updated: 1, unchanged: 1 });
        expect(await store.getVertices([alice.uid, email.uid])).toEqual([
          { ...erasedAlice, props: { ...erasedAlice.props, isPep: true } },
          erasedEmail,
        ]);
        // A person never erased is updated as usual.
        const bob = vertex<PersonVertex>(fx.person.bob);
        await store.upsertVertices([bob]);
        const renamed: PersonVertex = { ...bob, props: { ...bob.props, name: 'Robert' } };
        expect(await store.upsertVertices([renamed])).toEqual({
          created: 0,
          updated: 1,
          unchanged: 0,
        });
        expect(await store.getVertex(bob.uid)).toEqual(renamed);
      });

      it('counts created, updated and unchanged items of one batch exactly', async () => {
        const [alice, bob] = [
          vertex<PersonVertex>(fx.person.alice),
          vertex<PersonVertex>(fx.person.bob),
        ];
        await store.upsertVertices([alice, bob]);
        const newcomer: PersonVertex = {
          label: 'Person',
          uid: 'person:fx:erin',
          props: { name: 'Erin', isPep: false, isSanctioned: false },
        };
        const bobChanged: PersonVertex = { ...bob, props: { ...bob.props, isSanctioned: true } };
        expect(await store.upsertVertices([alice, bobChanged, newcomer])).toEqual({
          created: 1,
          updated: 1,
          unchanged: 1,
        });
        expect((await store.counts()).vertices.Person).toBe(3);
      });

      it('counts an identical repeat inside one batch as unchanged', async () => {
        const bob = vertex<PersonVertex>(fx.person.bob);
        expect(await store.upsertVertices([bob, { ...bob, props: { ...bob.props } }])).toEqual({
          created: 1,
          updated: 0,
          unchanged: 1,
        });
        expect((await store.counts()).vertices.Person).toBe(1);
      });

      it('treats an optional prop set to undefined as absent', async () => {
        const bob = vertex<PersonVertex>(fx.person.bob);
        await store.upsertVertices([bob]);
        const withUndefined: PersonVertex = {
          ...bob,
          props: { ...bob.props, birthDate: undefined },
        };
        expect(await store.upsertVertices([withUndefined])).toEqual({
          created: 0,
          updated: 0,
          unchanged: 1,
        });
        expect(await store.getVertex(bob.uid)).toEqual(bob);
      });

      it('rejects a batch listing every invalid vertex, and writes none of it', async () => {
        const account = vertex<AccountVertex>(fx.account.a1);
        const batch = [
          vertex(fx.person.alice),
          {
            label: 'Person',
            uid: 'person:fx:nameless',
            props: { isPep: false, isSanctioned: false },
          },
          { ...account, uid: 'account:fxbank:lower', props: { ...account.props, currency: 'gbp' } },
          vertex(fx.company.opco),
          {
            label: 'Person',
            uid: 'person:fx:colourful',
            props: { name: 'C', isPep: false, isSanctioned: false, colour: 'red' },
          },
          { ...account, uid: 'account:fxbank:early', props: { ...account.props, openedAt: -5 } },
          {
            label: 'Person',
            uid: 'bad uid with spaces',
            props: { name: 'S', isPep: false, isSanctioned: false },
          },
        ] as unknown as GraphVertex[];
        const rejected = await rejectedItems(store.upsertVertices(batch));
        expect(rejected.map((r) => r.index)).toEqual([1, 2, 4, 5, 6]);
        expect(rejected.map((r) => r.id)).toEqual([
          'person:fx:nameless',
          'account:fxbank:lower',
          'person:fx:colourful',
          'account:fxbank:early',
          'bad uid with spaces',
        ]);
        expect(fieldsOf(rejected, 1)).toEqual(['props.name']);
        expect(fieldsOf(rejected, 2)).toEqual(['props.currency']);
        expect(fieldsOf(rejected, 4)).toEqual(['props.colour']);
        expect(fieldsOf(rejected, 5)).toEqual(['props.openedAt']);
        expect(fieldsOf(rejected, 6)).toEqual(['uid']);
        expect(await store.getVertex(fx.person.alice)).toBeUndefined();
        expect(await store.getVertex(fx.company.opco)).toBeUndefined();
        expect(await store.counts()).toEqual(emptyCounts());
      });

      it('rejects a uid repeated in one batch with different data', async () => {
        const bob = vertex<PersonVertex>(fx.person.bob);
        const rejected = await rejectedItems(
          store.upsertVertices([
            vertex(fx.person.alice),
            bob,
            { ...bob, props: { ...bob.props, name: 'Robert Baker' } },
          ]),
        );
        expect(rejected.map((r) => [r.index, r.id])).toEqual([[2, fx.person.bob]]);
        expect(fieldsOf(rejected, 2)).toEqual(['uid']);
        expect(await store.counts()).toEqual(emptyCounts());
      });

      it('rejects a vertex that would change the label of a stored uid', async () => {
        await store.upsertVertices([vertex(fx.person.alice)]);
        const asCompany: GraphVertex = { ...vertex(fx.company.opco), uid: fx.person.alice };
        const rejected = await rejectedItems(store.upsertVertices([asCompany]));
        expect(rejected).toHaveLength(1);
        expect(fieldsOf(rejected, 0)).toEqual(['label']);
        expect(rulesOf(rejected, 0)).toContain('uid already belongs to a Person');
        expect(await store.getVertex(fx.person.alice)).toEqual(vertex(fx.person.alice));
      });

      it('accepts an empty batch', async () => {
        expect(await store.upsertVertices([])).toEqual({ created: 0, updated: 0, unchanged: 0 });
      });
    });

    describe('upsertEdges', () => {
      beforeEach(empty, STORE_HOOK_MS);

      beforeEach(async () => {
        await store.upsertVertices(fx.vertices);
      }, STORE_HOOK_MS);

      it('creates every edge and reads each back exactly as written', async () => {
        expect(await store.upsertEdges(allEdges)).toEqual({
          created: allEdges.length,
          updated: 0,
          unchanged: 0,
        });
        for (const e of allEdges) {
          expect(await store.getEdge(e.eid)).toEqual(e);
        }
      });

      it('updates the props of a stored movement and reads the new values everywhere', async () => {
        await store.upsertEdges(allEdges);
        const m3 = movementNo(3);
        const changed: Movement = { ...m3, amountMinor: 141_000, reference: 'invoice 7' };
        expect(await store.upsertEdges([movementEdge(changed)])).toEqual({
          created: 0,
          updated: 1,
          unchanged: 0,
        });
        expect(await store.getEdge(m3.movementId)).toEqual(movementEdge(changed));
        const read = await store.getMovements({
          accountIds: [fx.account.a4],
          from: T0,
          to: T0 + 24 * HOUR,
          direction: 'in',
        });
        expect(read).toEqual([changed]);
      });

      it('with keepStored, leaves a movement stored with other values as it is and lists it as kept', async () => {
        await store.upsertEdges(allEdges);
        const [m3, m4] = [movementNo(3), movementNo(4)];
        const changed: Movement = { ...m3, amountMinor: 141_000, reference: 'invoice 7' };
        expect(
          await store.upsertEdges([movementEdge(changed), movementEdge(m4)], { keepStored: true }),
        ).toEqual({ created: 0, updated: 0, unchanged: 2, kept: [m3.movementId] });
        expect(await store.getEdge(m3.movementId)).toEqual(movementEdge(m3));
        // Without it, the same write updates the movement (a corrected import).
        expect(await store.upsertEdges([movementEdge(changed)])).toMatchObject({ updated: 1 });
      });

      it('re-orders a movement whose timestamp changed', async () => {
        await store.upsertEdges(allEdges);
        // Read first, so that a store with lazily sorted indexes has them sorted already.
        expect(await store.scanMovements({ from: T0, to: END, limit: 100 })).toHaveLength(30);
        const everyAccount = Object.values(fx.account);
        expect(
          await store.getMovements({
            accountIds: everyAccount,
            from: T0,
            to: END,
            direction: 'both',
          }),
        ).toHaveLength(30);
        const m1 = movementNo(1);
        const later: Movement = { ...m1, timestamp: T0 + 30 * HOUR }; // from day 0 to day 1
        await store.upsertEdges([movementEdge(later)]);
        const day0 = { from: T0, to: T0 + 24 * HOUR };
        const day1 = { from: T0 + 24 * HOUR, to: T0 + 48 * HOUR };
        const a1Out = { accountIds: [fx.account.a1], direction: 'out' as const };
        const a2In = { accountIds: [fx.account.a2], direction: 'in' as const };
        expect(ids(await store.getMovements({ ...a1Out, ...day0 }))).toEqual(
          [2, 3, 4, 5, 6, 7].map(fx.movement),
        );
        expect(await store.getMovements({ ...a1Out, ...day1 })).toEqual([later]);
        expect(ids(await store.getMovements({ ...a2In, ...day0 }))).toEqual([fx.movement(7)]);
        expect(await store.getMovements({ ...a2In, ...day1 })).toEqual([later]);
        const scanned = await store.scanMovements({ ...day1, limit: 10 });
        expect(ids(scanned)).toEqual([8, 9, 10, 11, 12, 13, 1].map(fx.movement));
      });

      it('rejects a batch listing every invalid edge, and writes none of it', async () => {
        await store.upsertEdges(fx.edges);
        const countsBefore = await store.counts();
        const base = movementNo(1);
        const m = (n: string, change: Partial<Movement>): GraphEdge =>
          movementEdge({ ...base, movementId: `mv:fx:bad-${n}`, ...change });
        const owns = fx.edges.find((e) => e.label === 'OWNS');
        const holds = fx.edges.find((e) => e.label === 'HOLDS');
        if (!owns || !holds) throw new Error('fixture lacks OWNS or HOLDS edges');
        const batch = [
          m('ok', {}),
          m('negative', { amountMinor: -100 }),
          m('currency', { currency: 'pounds' }),
          { ...m('unknown-prop', {}), props: { ...movementEdge(base).props, memo: 'x' } },
          m('missing-end', { toAccount: 'account:fxbank:nobody' }),
          { ...owns, eid: 'rel:fx:owns-from-account', from: fx.account.a1 },
          { ...holds, eid: 'rel:fx:holds-person', to: fx.person.bob },
          { ...owns, to: fx.company.cycA },
          m('ok', { amountMinor: 1 }),
          { ...holds, eid: 'rel:fx:no-such-label', label: 'PAYS' },
        ] as unknown as GraphEdge[];
        const rejected = await rejectedItems(store.upsertEdges(batch));
        expect(rejected.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(fieldsOf(rejected, 1)).toEqual(['props.amountMinor']);
        expect(fieldsOf(rejected, 2)).toEqual(['props.currency']);
        expect(fieldsOf(rejected, 3)).toEqual(['props.memo']);
        expect(fieldsOf(rejected, 4)).toEqual(['to']);
        expect(rulesOf(rejected, 4)).toContain('does not exist');
        expect(fieldsOf(rejected, 5)).toEqual(['from']);
        expect(rulesOf(rejected, 5)).toContain('Person or Company');
        expect(fieldsOf(rejected, 6)).toEqual(['to']);
        expect(rulesOf(rejected, 6)).toContain('Account');
        expect(fieldsOf(rejected, 7)).toEqual(['to']);
        expect(rulesOf(rejected, 7)).toContain('cannot change');
        expect(fieldsOf(rejected, 8)).toEqual(['eid']);
        expect(fieldsOf(rejected, 9)).toEqual(['label']);
        expect(await store.getEdge('mv:fx:bad-ok')).toBeUndefined();
        expect(await store.getEdge(owns.eid)).toEqual(owns);
        expect(await store.counts()).toEqual(countsBefore);
      });

      it('rejects an edge that would change the label of a stored eid', async () => {
        await store.upsertEdges(fx.edges);
        const controls = fx.edges.find((e) => e.label === 'CONTROLS');
        const owns = fx.edges.find((e) => e.label === 'OWNS' && e.to === controls?.to);
        if (!controls || !owns) throw new Error('fixture lacks the opco CONTROLS/OWNS edges');
        const relabelled: GraphEdge = { ...owns, eid: controls.eid, from: controls.from };
        const rejected = await rejectedItems(store.upsertEdges([relabelled]));
        expect(fieldsOf(rejected, 0)).toEqual(['label']);
        expect(await store.getEdge(controls.eid)).toEqual(controls);
      });

      it('two concurrent calls with the same new edges end with each edge once', async () => {
        const settled = await Promise.allSettled([
          store.upsertEdges(allEdges),
          store.upsertEdges(allEdges),
        ]);
        // A writer that lost a race may be refused (ConflictError); running it again completes it.
        for (const outcome of settled) {
          if (outcome.status === 'fulfilled') continue;
          expect(outcome.reason).toBeInstanceOf(ConflictError);
          await store.upsertEdges(allEdges);
        }
        const stored = await store.getEdges(allEdges.map((e) => e.eid));
        expect(stored).toEqual(allEdges);
        const counts = await store.counts();
        expect(Object.values(counts.edges).reduce((a, b) => a + b, 0)).toBe(allEdges.length);
      });

      it('rejects an edge whose stored end has a label the edge label does not allow, writing none of its batch', async () => {
        const holds = allEdges.find((e) => e.label === 'HOLDS');
        const uses = allEdges.find((e) => e.label === 'USES');
        if (!holds || !uses) throw new Error('fixture lacks HOLDS/USES edges');
        // USES goes from an Account to an Identifier; this one starts at a Person or Company.
        const wrong: GraphEdge = { ...uses, eid: `${uses.eid}-wrong-end`, from: holds.from };
        const rejected = await rejectedItems(store.upsertEdges([uses, wrong]));
        expect(rejected.map((r) => r.index)).toEqual([1]);
        expect(fieldsOf(rejected, 1)).toEqual(['from']);
        expect(await store.getEdge(uses.eid)).toBeUndefined();
      });

      it('rejects edges whose ends are not stored yet, even if the batch is otherwise valid', async () => {
        await store.clear();
        const rejected = await rejectedItems(store.upsertEdges(fx.edges.slice(0, 3)));
        expect(rejected.map((r) => r.index)).toEqual([0, 1, 2]);
        expect(fieldsOf(rejected, 0)).toEqual(['from', 'to']);
        expect(await store.counts()).toEqual(emptyCounts());
      });
    });

    describe('getVertex, getVertices, getEdge, getEdges', () => {
      beforeEach(load, STORE_HOOK_MS);

      it('answers undefined for unknown ids', async () => {
        expect(await store.getVertex('person:fx:nobody')).toBeUndefined();
        expect(await store.getEdge('mv:fx:nothing')).toBeUndefined();
      });

      it('getVertices answers in the order asked, leaves unknown uids out and repeats once', async () => {
        const asked = [fx.account.a3, 'person:fx:nobody', fx.person.carol, fx.account.a3, fx.alert];
        const found = await store.getVertices(asked);
        expect(found.map((v) => v.uid)).toEqual([fx.account.a3, fx.person.carol, fx.alert]);
        expect(found[2]).toEqual(vertex(fx.alert));
        expect(await store.getVertices([])).toEqual([]);
      });

      it('getEdges answers in the order asked, leaves unknown eids out and repeats once', async () => {
        const byEid = new Map(allEdges.map((e) => [e.eid, e] as const));
        const m2 = fx.movement(2);
        const m1 = fx.movement(1);
        const other = allEdges.find((e) => e.label !== 'TRANSFERRED');
        if (!other) throw new Error('fixture has no edge other than TRANSFERRED');
        const asked = [m2, 'mv:fx:nothing', other.eid, m1, m2];
        const found = await store.getEdges(asked);
        expect(found.map((e) => e.eid)).toEqual([m2, other.eid, m1]);
        expect(found).toEqual([byEid.get(m2), other, byEid.get(m1)]);
        expect(await store.getEdges([])).toEqual([]);
        expect(await store.getEdges(['mv:fx:nothing'])).toEqual([]);
      });

      it('getEdges reads every edge of the graph in one call, each equal to getEdge', async () => {
        const eids = allEdges.map((e) => e.eid).reverse();
        const found = await store.getEdges(eids);
        expect(found.map((e) => e.eid)).toEqual(eids);
        for (const edge of found.slice(0, 5)) expect(await store.getEdge(edge.eid)).toEqual(edge);
        expect(found).toEqual(eids.map((eid) => allEdges.find((e) => e.eid === eid)));
      });

      it('reads vertices of every label, list props included', async () => {
        for (const label of VERTEX_LABELS) {
          const sample = fx.vertices.find((v) => v.label === label);
          expect(sample).toBeDefined();
          if (sample) expect(await store.getVertex(sample.uid)).toEqual(sample);
        }
      });
    });

    describe('getMovements', () => {
      beforeEach(load, STORE_HOOK_MS);

      it('uses an inclusive start and an exclusive end', async () => {
        const out = await store.getMovements({
          accountIds: [fx.account.a1],
          from: T0 + 1 * HOUR, // m01 is exactly here: included
          to: T0 + 6 * HOUR, // m06 is exactly here: excluded
          direction: 'out',
        });
        expect(ids(out)).toEqual([1, 2, 3, 4, 5].map(fx.movement));
        expect(out[0]).toEqual(movementNo(1));
      });

      it('reads incoming movements ordered by timestamp, then movement id on ties', async () => {
        const incoming = await store.getMovements({
          accountIds: [fx.account.a8],
          from: T0,
          to: END,
          direction: 'in',
        });
        expect(ids(incoming)).toEqual([8, 9, 10, 11, 12, 13, 30].map(fx.movement));
        expect(incoming[4].timestamp).toBe(incoming[5].timestamp);
      });

      it('returns a movement between two asked accounts once', async () => {
        const both = await store.getMovements({
          accountIds: [fx.account.a6, fx.account.a7],
          from: T0 + 72 * HOUR,
          to: T0 + 74 * HOUR,
          direction: 'both',
        });
        expect(ids(both)).toEqual([17, 18].map(fx.movement));
      });

      it('returns a self-transfer once', async () => {
        const both = await store.getMovements({
          accountIds: [fx.account.a1],
          from: T0 + 160 * HOUR,
          to: T0 + 161 * HOUR,
          direction: 'both',
        });
        expect(ids(both)).toEqual([fx.movement(26)]);
      });

      it.each([
        ['out', ['a1']],
        ['in', ['a1', 'a2']],
        ['both', ['a2', 'a8']],
        ['both', ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8']],
      ] as const)('matches a full scan for direction %s of %j', async (direction, keys) => {
        const accounts = keys.map((k) => fx.account[k]);
        for (const [from, to] of [
          [T0, END],
          [T0 + 24 * HOUR, T0 + 150 * HOUR],
          [T0 + 150 * HOUR, T0 + 241 * HOUR],
        ]) {
          const read = await store.getMovements({ accountIds: accounts, from, to, direction });
          expect(read).toEqual(expectedMovements(fx.movements, accounts, from, to, direction));
        }
      });

      it('keeps the first `limit` movements in order', async () => {
        const accounts = [fx.account.a1, fx.account.a2];
        const all = expectedMovements(fx.movements, accounts, T0, END, 'both');
        const limited = await store.getMovements({
          accountIds: accounts,
          from: T0,
          to: END,
          direction: 'both',
          limit: 4,
        });
        expect(limited).toEqual(all.slice(0, 4));
      });

      it('answers nothing for an empty window, unknown accounts or no accounts', async () => {
        const base = { from: T0 + HOUR, to: T0 + HOUR, direction: 'both' as const };
        expect(await store.getMovements({ ...base, accountIds: [fx.account.a1] })).toEqual([]);
        expect(
          await store.getMovements({ ...base, to: END, accountIds: ['account:fxbank:nobody'] }),
        ).toEqual([]);
        expect(await store.getMovements({ ...base, to: END, accountIds: [] })).toEqual([]);
      });

      it('rejects a window that ends before it starts, and an unknown direction', async () => {
        await expect(
          store.getMovements({
            accountIds: [fx.account.a1],
            from: T0 + HOUR,
            to: T0,
            direction: 'out',
          }),
        ).rejects.toBeInstanceOf(InvalidInputError);
        await expect(
          store.getMovements({
            accountIds: [fx.account.a1],
            from: T0,
            to: END,
            direction: 'sideways' as 'out',
          }),
        ).rejects.toBeInstanceOf(InvalidInputError);
      });
    });

    describe('getAccountEvents', () => {
      beforeEach(load, STORE_HOOK_MS);
      const { a1, a2, a3 } = fx.account;
      const ev = fx.events;
      const pairs = (records: readonly { accountId: string; event: { uid: string } }[]) =>
        records.map((r) => [r.accountId, r.event.uid]);

      it('returns the events of the accounts with their props, by timestamp then event uid', async () => {
        const read = await store.getAccountEvents({ accountIds: [a2, a1], from: T0, to: END });
        expect(pairs(read)).toEqual([
          [a1, ev.a1Login],
          [a2, ev.a2DeviceAdded], // ties with a2Login at T0+2h: the smaller uid first
          [a2, ev.a2Login],
          [a1, ev.a1CredentialChange],
        ]);
        expect(read[1].event).toEqual(vertex<EventVertex>(ev.a2DeviceAdded));
        expect(read).toEqual(expectedAccountEvents(fx.vertices, allEdges, [a1, a2], T0, END));
      });

      it('uses an inclusive start and an exclusive end', async () => {
        const read = await store.getAccountEvents({
          accountIds: [a1, a2],
          from: T0 + 2 * HOUR, // both a2 events are exactly here: included
          to: T0 + 6 * HOUR, // a1's credential change is exactly here: excluded
        });
        expect(pairs(read)).toEqual([
          [a2, ev.a2DeviceAdded],
          [a2, ev.a2Login],
        ]);
        const justAfter = await store.getAccountEvents({
          accountIds: [a1],
          from: T0 + 30 * 60_000 + 1, // a1's login is 1 ms before: excluded
          to: T0 + 6 * HOUR + 1,
        });
        expect(pairs(justAfter)).toEqual([[a1, ev.a1CredentialChange]]);
      });

      it.each([
        [['a1'], 0, 400],
        [['a2'], 2, 3],
        [['a1', 'a2', 'a3', 'a8'], 1, 6],
        [['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8'], 0, 400],
      ] as const)(
        'matches a full scan for %j in hours [%d, %d)',
        async (keys, fromHour, toHour) => {
          const accounts = keys.map((k) => fx.account[k]);
          const [from, to] = [T0 + fromHour * HOUR, T0 + toHour * HOUR];
          expect(await store.getAccountEvents({ accountIds: accounts, from, to })).toEqual(
            expectedAccountEvents(fx.vertices, allEdges, accounts, from, to),
          );
        },
      );

      it('keeps the first `limit` events in order', async () => {
        const all = expectedAccountEvents(fx.vertices, allEdges, [a1, a2], T0, END);
        expect(all).toHaveLength(4);
        for (const limit of [1, 2, 3, 10]) {
          expect(
            await store.getAccountEvents({ accountIds: [a1, a2], from: T0, to: END, limit }),
          ).toEqual(all.slice(0, limit));
        }
      });

      it('returns an event reached from two asked accounts once per account, repeats once', async () => {
        const shared: GraphEdge = {
          label: 'HAS_EVENT',
          eid: vocabularyIds.structural('HAS_EVENT', a3, ev.a2Login),
          from: a3,
          to: ev.a2Login,
          props: {},
        };
        await store.upsertEdges([shared]);
        const read = await store.getAccountEvents({
          accountIds: [a3, a2, a3],
          from: T0,
          to: END,
        });
        expect(pairs(read)).toEqual([
          [a2, ev.a2DeviceAdded],
          ...[a2, a3].sort(byId).map((account) => [account, ev.a2Login]),
        ]);
        expect(read).toEqual(
          expectedAccountEvents(fx.vertices, [...allEdges, shared], [a2, a3], T0, END),
        );
      });

      it('answers nothing for unknown accounts, accounts without events, no accounts or an empty window', async () => {
        const window = { from: T0, to: END };
        expect(
          await store.getAccountEvents({ ...window, accountIds: ['account:fxbank:nobody'] }),
        ).toEqual([]);
        expect(
          await store.getAccountEvents({ ...window, accountIds: [a3, fx.person.alice] }),
        ).toEqual([]);
        expect(await store.getAccountEvents({ ...window, accountIds: [] })).toEqual([]);
        expect(
          await store.getAccountEvents({
            accountIds: [a1],
            from: T0 + 2 * HOUR,
            to: T0 + 2 * HOUR,
          }),
        ).toEqual([]);
        const withUnknown = await store.getAccountEvents({
          ...window,
          accountIds: ['account:fxbank:nobody', a1],
        });
        expect(pairs(withUnknown)).toEqual([
          [a1, ev.a1Login],
          [a1, ev.a1CredentialChange],
        ]);
      });

      it('rejects a window that ends before it starts, a bad bound, a limit below 1 and a non-list', async () => {
        const reversed = await invalidInput(
          store.getAccountEvents({ accountIds: [a1], from: T0 + HOUR, to: T0 }),
        );
        expect(reversed.map((p) => p.field)).toEqual(['to']);
        expect(reversed[0].rule).toContain('must not be before from');
        const fractional = await invalidInput(
          store.getAccountEvents({ accountIds: [a1], from: 1.5, to: END }),
        );
        expect(fractional).toEqual([{ field: 'from', rule: 'must be a whole number' }]);
        const limit = await invalidInput(
          store.getAccountEvents({ accountIds: [a1], from: T0, to: END, limit: 0 }),
        );
        expect(limit).toEqual([{ field: 'limit', rule: 'must be at least 1' }]);
        const notAList = await invalidInput(
          store.getAccountEvents({ accountIds: a1 as unknown as string[], from: T0, to: END }),
        );
        expect(notAList.map((p) => p.field)).toEqual(['accountIds']);
      });
    });

    describe('getHolders', () => {
      beforeEach(load, STORE_HOOK_MS);
      const { account, person, company } = fx;

      it('lists the holders of each account, persons and companies, in uid order', async () => {
        const asked = [account.a8, account.a1, account.a5];
        const holders = await store.getHolders(asked);
        expect(holders).toEqual([
          { accountId: account.a8, holderUids: [company.opco, person.carol].sort(byId) },
          { accountId: account.a1, holderUids: [person.alice] },
          { accountId: account.a5, holderUids: [person.alice] },
        ]);
        expect(holders).toEqual(expectedHolders(allEdges, asked));
      });

      it('answers every account of the bank like a full scan', async () => {
        const asked = Object.values(account);
        expect(await store.getHolders(asked)).toEqual(expectedHolders(allEdges, asked));
      });

      it('answers each asked account once, in the order asked, with an empty list when nobody holds it', async () => {
        const lonely: AccountVertex = {
          ...vertex<AccountVertex>(account.a1),
          uid: 'account:fxbank:lonely',
        };
        await store.upsertVertices([lonely]);
        expect(
          await store.getHolders([
            'account:fxbank:nobody',
            account.a2,
            lonely.uid,
            account.a2,
            person.bob,
          ]),
        ).toEqual([
          { accountId: 'account:fxbank:nobody', holderUids: [] },
          { accountId: account.a2, holderUids: [person.bob] },
          { accountId: lonely.uid, holderUids: [] },
          { accountId: person.bob, holderUids: [] },
        ]);
        expect(await store.getHolders([])).toEqual([]);
      });

      it('rejects accountIds that are not a list of ids', async () => {
        const problems = await invalidInput(
          store.getHolders([account.a1, 7] as unknown as string[]),
        );
        expect(problems).toEqual([{ field: 'accountIds', rule: 'must be a list of ids' }]);
      });
    });

    describe('scanMovements', () => {
      beforeEach(load, STORE_HOOK_MS);

      it('returns every movement of a window in (timestamp, id) order', async () => {
        const all = await store.scanMovements({ from: T0, to: END, limit: 1000 });
        expect(all).toEqual(expectedScan(fx.movements, T0, END));
        expect(all).toHaveLength(30);
      });

      it('pages with `after` without repeating or skipping, ties included', async () => {
        const pages: Movement[][] = [];
        let after: { timestamp: number; movementId: string } | undefined;
        for (let guard = 0; guard < 20; guard += 1) {
          const page = await store.scanMovements({ from: T0, to: END, limit: 7, after });
          pages.push(page);
          const last = page[page.length - 1];
          if (page.length < 7 || !last) break;
          after = { timestamp: last.timestamp, movementId: last.movementId };
        }
        expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 2]);
        expect(pages.flat()).toEqual(expectedScan(fx.movements, T0, END));
      });

      it('resumes inside a timestamp tie by movement id', async () => {
        const m12 = movementNo(12);
        const next = await store.scanMovements({
          from: T0,
          to: END,
          limit: 2,
          after: { timestamp: m12.timestamp, movementId: m12.movementId },
        });
        expect(ids(next)).toEqual([13, 14].map(fx.movement));
      });

      it('respects the window bounds and the channel filter', async () => {
        const day1Cash = await store.scanMovements({
          from: T0 + 24 * HOUR,
          to: T0 + 28 * HOUR,
          channels: ['cash'],
          limit: 100,
        });
        expect(ids(day1Cash)).toEqual([8, 9, 10, 11].map(fx.movement));
        const cardOrCheque = await store.scanMovements({
          from: T0,
          to: END,
          channels: ['card', 'cheque'],
          limit: 100,
        });
        expect(cardOrCheque).toEqual(expectedScan(fx.movements, T0, END, ['card', 'cheque']));
        expect(ids(cardOrCheque)).toEqual([19, 20, 30].map(fx.movement));
      });

      it('pages a channel-filtered scan', async () => {
        const first = await store.scanMovements({
          from: T0,
          to: END,
          channels: ['wire'],
          limit: 5,
        });
        const last = first[first.length - 1];
        const second = await store.scanMovements({
          from: T0,
          to: END,
          channels: ['wire'],
          limit: 50,
          after: { timestamp: last.timestamp, movementId: last.movementId },
        });
        expect([...first, ...second]).toEqual(expectedScan(fx.movements, T0, END, ['wire']));
        expect(first).toHaveLength(5);
      });

      it('rejects a limit below 1 and an unknown channel', async () => {
        await expect(store.scanMovements({ from: T0, to: END, limit: 0 })).rejects.toBeInstanceOf(
          InvalidInputError,
        );
        await expect(
          store.scanMovements({ from: T0, to: END, limit: 5, channels: ['pigeon'] }),
        ).rejects.toBeInstanceOf(InvalidInputError);
      });
    });

    describe('selectFanCandidates', () => {
      beforeEach(load, STORE_HOOK_MS);

      it('finds the fan-out account with its distinct counterparties and movements', async () => {
        const day0 = { from: T0, to: T0 + 24 * HOUR, limit: 10 };
        expect(
          await store.selectFanCandidates({ ...day0, direction: 'out', minCounterparties: 5 }),
        ).toEqual([{ accountId: fx.account.a1, counterparties: 6, movements: 7 }]);
        expect(
          await store.selectFanCandidates({ ...day0, direction: 'out', minCounterparties: 7 }),
        ).toEqual([]);
      });

      it('finds the fan-in account', async () => {
        const day1 = { from: T0 + 24 * HOUR, to: T0 + 48 * HOUR, limit: 10 };
        expect(
          await store.selectFanCandidates({ ...day1, direction: 'in', minCounterparties: 5 }),
        ).toEqual([{ accountId: fx.account.a8, counterparties: 5, movements: 6 }]);
        expect(
          await store.selectFanCandidates({ ...day1, direction: 'in', minCounterparties: 6 }),
        ).toEqual([]);
      });

      it('counts a self-transfer as a movement but not as a counterparty', async () => {
        const found = await store.selectFanCandidates({
          direction: 'out',
          from: T0,
          to: END,
          minCounterparties: 6,
          limit: 10,
        });
        expect(found).toEqual([{ accountId: fx.account.a1, counterparties: 6, movements: 9 }]);
      });

      it.each(['in', 'out'] as const)(
        'orders by counterparties (most first), then account id, and keeps `limit` (%s)',
        async (direction) => {
          const expected = expectedFanCandidates(fx.movements, direction, T0, END, 1);
          expect(expected.length).toBeGreaterThan(3);
          expect(
            await store.selectFanCandidates({
              direction,
              from: T0,
              to: END,
              minCounterparties: 1,
              limit: 100,
            }),
          ).toEqual(expected);
          expect(
            await store.selectFanCandidates({
              direction,
              from: T0,
              to: END,
              minCounterparties: 1,
              limit: 3,
            }),
          ).toEqual(expected.slice(0, 3));
        },
      );

      it('rejects minCounterparties below 1', async () => {
        await expect(
          store.selectFanCandidates({
            direction: 'in',
            from: T0,
            to: END,
            minCounterparties: 0,
            limit: 5,
          }),
        ).rejects.toBeInstanceOf(InvalidInputError);
      });
    });

    describe('findSharedIdentifiers', () => {
      beforeEach(load, STORE_HOOK_MS);
      const a = (...keys: (keyof typeof fx.account)[]): string[] =>
        keys.map((k) => fx.account[k]).sort(byId);

      it('lists identifiers used by two or more accounts, leaving hubs above the cap out', async () => {
        const shared = await store.findSharedIdentifiers({ hubCap: fx.hubCap });
        expect(shared).toEqual(
          [
            { identifierUid: fx.identifier.card, kind: 'card', accountIds: a('a2', 'a6') },
            { identifierUid: fx.identifier.device, kind: 'device', accountIds: a('a1', 'a2') },
            { identifierUid: fx.identifier.email, kind: 'email', accountIds: a('a3', 'a4', 'a5') },
          ].sort((x, y) => byId(x.identifierUid, y.identifierUid)),
        );
      });

      it('keeps an identifier used by exactly hubCap accounts and drops one above it', async () => {
        const at3 = await store.findSharedIdentifiers({ hubCap: 3 });
        expect(at3.map((s) => s.identifierUid)).toContain(fx.identifier.email);
        const at2 = await store.findSharedIdentifiers({ hubCap: 2 });
        expect(at2.map((s) => s.identifierUid)).not.toContain(fx.identifier.email);
        const at5 = await store.findSharedIdentifiers({ hubCap: 5 });
        expect(at5.map((s) => s.identifierUid)).not.toContain(fx.identifier.ip);
        const at6 = await store.findSharedIdentifiers({ hubCap: 6 });
        expect(at6.find((s) => s.identifierUid === fx.identifier.ip)).toEqual({
          identifierUid: fx.identifier.ip,
          kind: 'ip',
          accountIds: a('a1', 'a2', 'a3', 'a4', 'a5', 'a6'),
        });
      });

      it('filters by kind', async () => {
        const shared = await store.findSharedIdentifiers({ hubCap: 10, kinds: ['email', 'phone'] });
        expect(shared.map((s) => s.identifierUid)).toEqual([fx.identifier.email]);
      });

      it('restricts to identifiers used by the given accounts, listing every sharer', async () => {
        const capped = await store.findSharedIdentifiers({
          hubCap: 4,
          accountIds: [fx.account.a6],
        });
        expect(capped).toEqual([
          { identifierUid: fx.identifier.card, kind: 'card', accountIds: a('a2', 'a6') },
        ]);
        const uncapped = await store.findSharedIdentifiers({
          hubCap: 10,
          accountIds: [fx.account.a6],
        });
        expect(uncapped.map((s) => s.identifierUid)).toEqual(
          [fx.identifier.card, fx.identifier.ip].sort(byId),
        );
        expect(
          await store.findSharedIdentifiers({ hubCap: 10, accountIds: [fx.account.a7] }),
        ).toEqual([]);
      });

      it('rejects a hub cap below 2', async () => {
        await expect(store.findSharedIdentifiers({ hubCap: 1 })).rejects.toBeInstanceOf(
          InvalidInputError,
        );
      });
    });

    describe('getOwnershipSubgraph', () => {
      beforeEach(load, STORE_HOOK_MS);
      const owns = (n: number): string => `rel:fx:owns-${n}`;
      const controls1 = 'rel:fx:controls-1';

      it('follows OWNS and CONTROLS upstream one hop at a time', async () => {
        const { person, company } = fx;
        const depth1 = await store.getOwnershipSubgraph(company.opco, 1);
        expect(uidsOf(depth1.vertices)).toEqual(
          [company.opco, company.midco, person.dave].sort(byId),
        );
        expect(eidsOf(depth1.edges)).toEqual([owns(4), controls1].sort(byId));

        const depth2 = await store.getOwnershipSubgraph(company.opco, 2);
        expect(uidsOf(depth2.vertices)).toEqual(
          [company.opco, company.midco, person.dave, company.holdco, person.bob].sort(byId),
        );
        expect(eidsOf(depth2.edges)).toEqual([owns(4), controls1, owns(2), owns(3)].sort(byId));

        const depth3 = await store.getOwnershipSubgraph(company.opco, 3);
        const allLayers = [
          company.opco,
          company.midco,
          person.dave,
          company.holdco,
          person.bob,
          person.alice,
        ];
        expect(uidsOf(depth3.vertices)).toEqual(allLayers.sort(byId));
        expect(eidsOf(depth3.edges)).toEqual(
          [owns(1), owns(2), owns(3), owns(4), controls1].sort(byId),
        );

        const deep = await store.getOwnershipSubgraph(company.opco, 25);
        expect(uidsOf(deep.vertices)).toEqual(uidsOf(depth3.vertices));
        expect(eidsOf(deep.edges)).toEqual(eidsOf(depth3.edges));
      });

      it('returns full vertices and edges', async () => {
        const sub = await store.getOwnershipSubgraph(fx.company.opco, 1);
        const edge = sub.edges.find((e) => e.eid === owns(4));
        expect(edge).toEqual(fx.edges.find((e) => e.eid === owns(4)));
        expect(sub.vertices.find((v) => v.uid === fx.person.dave)).toEqual(vertex(fx.person.dave));
      });

      it('does not go downstream or along other edge labels', async () => {
        const sub = await store.getOwnershipSubgraph(fx.company.midco, 10);
        const uids = uidsOf(sub.vertices);
        expect(uids).not.toContain(fx.company.opco);
        expect(uids).not.toContain(fx.account.a8);
        expect(uids).not.toContain(fx.alert); // the alert FLAGS midco: not an ownership edge
        expect(sub.edges.every((e) => e.label === 'OWNS' || e.label === 'CONTROLS')).toBe(true);
      });

      it('returns a cycle once, each edge once', async () => {
        const { person, company } = fx;
        const sub = await store.getOwnershipSubgraph(company.cycA, 10);
        expect(uidsOf(sub.vertices)).toEqual(
          [company.cycA, company.cycB, person.carol, person.dave].sort(byId),
        );
        expect(sub.edges.map((e) => e.eid).sort(byId)).toEqual(
          [owns(5), owns(6), owns(7), owns(8)].sort(byId),
        );
        expect(new Set(sub.vertices.map((v) => v.uid)).size).toBe(sub.vertices.length);

        const oneHop = await store.getOwnershipSubgraph(company.cycA, 1);
        expect(uidsOf(oneHop.vertices)).toEqual(
          [company.cycA, company.cycB, person.carol].sort(byId),
        );
        expect(eidsOf(oneHop.edges)).toEqual([owns(5), owns(7)].sort(byId));
      });

      it('rejects unknown companies, non-companies and a depth below 1', async () => {
        await expect(store.getOwnershipSubgraph('company:fx:nobody', 3)).rejects.toBeInstanceOf(
          EntityNotFoundError,
        );
        await expect(store.getOwnershipSubgraph(fx.person.alice, 3)).rejects.toBeInstanceOf(
          InvalidInputError,
        );
        await expect(store.getOwnershipSubgraph(fx.company.opco, 0)).rejects.toBeInstanceOf(
          InvalidInputError,
        );
      });
    });

    describe('getNeighbourhood', () => {
      beforeEach(load, STORE_HOOK_MS);

      it('returns the edges touching a vertex at depth 1, with the vertices at their ends', async () => {
        const near = await store.getNeighbourhood({
          uid: fx.account.a1,
          depth: 1,
          edgeLabels: ['HOLDS', 'USES'],
          limit: 100,
        });
        expect(near.truncated).toBe(false);
        expect(eidsOf(near.edges)).toEqual(
          expectedNeighbourhoodEdges(allEdges, fx.account.a1, 1, ['HOLDS', 'USES'])
            .flat()
            .sort(byId),
        );
        expect(near.edges).toHaveLength(3);
        expect(uidsOf(near.vertices)).toEqual(
          [fx.account.a1, fx.person.alice, fx.identifier.device, fx.identifier.ip].sort(byId),
        );
        expect(near.vertices.find((v) => v.uid === fx.person.alice)).toEqual(
          vertex(fx.person.alice),
        );
      });

      it('includes every label when none is given (a self-transfer once)', async () => {
        const near = await store.getNeighbourhood({ uid: fx.account.a1, depth: 1, limit: 1000 });
        const expected = expectedNeighbourhoodEdges(allEdges, fx.account.a1, 1).flat().sort(byId);
        expect(eidsOf(near.edges)).toEqual(expected);
        expect(expected).toContain(fx.movement(26));
        expect(near.truncated).toBe(false);
      });

      it('reaches two hops at depth 2', async () => {
        const near = await store.getNeighbourhood({
          uid: fx.account.a1,
          depth: 2,
          edgeLabels: ['USES'],
          limit: 100,
        });
        const hops = expectedNeighbourhoodEdges(allEdges, fx.account.a1, 2, ['USES']);
        expect(eidsOf(near.edges)).toEqual(hops.flat().sort(byId));
        expect(near.edges).toHaveLength(8);
        expect(uidsOf(near.vertices)).toEqual(
          [
            fx.account.a1,
            fx.identifier.device,
            fx.identifier.ip,
            ...(['a2', 'a3', 'a4', 'a5', 'a6'] as const).map((k) => fx.account[k]),
          ].sort(byId),
        );
        expect(near.truncated).toBe(false);
      });

      it('cuts at `limit` edges, nearest hop first, and says so', async () => {
        const query = { uid: fx.account.a1, depth: 2, edgeLabels: ['USES' as const] };
        const hops = expectedNeighbourhoodEdges(allEdges, fx.account.a1, 2, ['USES']);
        const cut = await store.getNeighbourhood({ ...query, limit: 3 });
        expect(cut.truncated).toBe(true);
        expect(cut.edges).toHaveLength(3);
        const eids = eidsOf(cut.edges);
        for (const eid of hops[0]) expect(eids).toContain(eid);
        const vertexUids = new Set(cut.vertices.map((v) => v.uid));
        expect(vertexUids.has(fx.account.a1)).toBe(true);
        for (const e of cut.edges) {
          expect(vertexUids.has(e.from)).toBe(true);
          expect(vertexUids.has(e.to)).toBe(true);
        }
        const ends = new Set([fx.account.a1, ...cut.edges.flatMap((e) => [e.from, e.to])]);
        expect([...vertexUids].sort(byId)).toEqual([...ends].sort(byId));

        const hopOnly = await store.getNeighbourhood({ ...query, limit: 2 });
        expect(eidsOf(hopOnly.edges)).toEqual(hops[0]);
        expect(hopOnly.truncated).toBe(true);

        const exact = await store.getNeighbourhood({ ...query, limit: 8 });
        expect(exact.edges).toHaveLength(8);
        expect(exact.truncated).toBe(false);
      });

      it('answers the start vertex alone when nothing matches', async () => {
        const near = await store.getNeighbourhood({
          uid: fx.event,
          depth: 2,
          edgeLabels: ['OWNS'],
          limit: 10,
        });
        expect(near).toEqual({ vertices: [vertex(fx.event)], edges: [], truncated: false });
      });

      it('rejects an unknown vertex, a depth outside 1-2 and a limit below 1', async () => {
        await expect(
          store.getNeighbourhood({ uid: 'person:fx:nobody', depth: 1, limit: 10 }),
        ).rejects.toBeInstanceOf(EntityNotFoundError);
        await expect(
          store.getNeighbourhood({ uid: fx.account.a1, depth: 3, limit: 10 }),
        ).rejects.toBeInstanceOf(InvalidInputError);
        await expect(
          store.getNeighbourhood({ uid: fx.account.a1, depth: 1, limit: 0 }),
        ).rejects.toBeInstanceOf(InvalidInputError);
      });
    });

    describe('listVertices', () => {
      beforeEach(load, STORE_HOOK_MS);
      const accountsInOrder = (): string[] =>
        fx.vertices
          .filter((v) => v.label === 'Account')
          .map((v) => v.uid)
          .sort(byId);

      it('pages through a label in uid order with an opaque cursor', async () => {
        const pages: GraphVertex[][] = [];
        let cursor: string | undefined;
        for (let guard = 0; guard < 10; guard += 1) {
          const page = await store.listVertices({ label: 'Account', limit: 3, cursor });
          pages.push(page.items);
          cursor = page.nextCursor;
          if (cursor === undefined) break;
        }
        expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
        expect(pages.flat().map((v) => v.uid)).toEqual(accountsInOrder());
        expect(pages[0][0]).toEqual(vertex(pages[0][0].uid));
      });

      it('gives no cursor when everything fits, and an empty page for an empty label', async () => {
        const all = await store.listVertices({ label: 'Account', limit: 8 });
        expect(all.items.map((v) => v.uid)).toEqual(accountsInOrder());
        expect(all.nextCursor).toBeUndefined();
        await store.clear();
        expect(await store.listVertices({ label: 'Company', limit: 5 })).toEqual({ items: [] });
      });

      it('filters by equality on props, across pages', async () => {
        const dormant = await store.listVertices({
          label: 'Account',
          limit: 10,
          where: { status: 'dormant' },
        });
        expect(dormant.items.map((v) => v.uid)).toEqual([fx.account.a7]);
        const pep = await store.listVertices({
          label: 'Person',
          limit: 10,
          where: { isPep: true },
        });
        expect(pep.items.map((v) => v.uid)).toEqual([fx.person.carol]);

        const where = { accountType: 'personal', status: 'active' };
        const seen: string[] = [];
        const sizes: number[] = [];
        let cursor: string | undefined;
        for (let guard = 0; guard < 10; guard += 1) {
          const page = await store.listVertices({ label: 'Account', limit: 2, where, cursor });
          seen.push(...page.items.map((v) => v.uid));
          sizes.push(page.items.length);
          cursor = page.nextCursor;
          if (cursor === undefined) break;
        }
        expect(sizes).toEqual([2, 2, 2]);
        expect(seen).toEqual(
          (['a1', 'a2', 'a3', 'a4', 'a5', 'a6'] as const).map((k) => fx.account[k]).sort(byId),
        );
      });

      it('resumes after the last uid seen even when vertices were added in between', async () => {
        const first = await store.listVertices({ label: 'Person', limit: 2 });
        const persons = fx.vertices
          .filter((v) => v.label === 'Person')
          .map((v) => v.uid)
          .sort(byId);
        expect(first.items.map((v) => v.uid)).toEqual(persons.slice(0, 2));
        const person = (uid: string): PersonVertex => ({
          label: 'Person',
          uid,
          props: { name: uid, isPep: false, isSanctioned: false },
        });
        await store.upsertVertices([person('person:fx:aaron'), person('person:fx:zed')]);
        const rest: string[] = [];
        let cursor = first.nextCursor;
        for (let guard = 0; cursor !== undefined && guard < 10; guard += 1) {
          const page = await store.listVertices({ label: 'Person', limit: 2, cursor });
          rest.push(...page.items.map((v) => v.uid));
          cursor = page.nextCursor;
        }
        expect(rest).toEqual([...persons.slice(2), 'person:fx:zed']);
      });

      it('rejects unknown filter properties, foreign or damaged cursors and a limit below 1', async () => {
        await expect(
          store.listVertices({ label: 'Account', limit: 5, where: { colour: 'red' } }),
        ).rejects.toBeInstanceOf(InvalidInputError);
        const personPage = await store.listVertices({ label: 'Person', limit: 1 });
        expect(personPage.nextCursor).toBeDefined();
        await expect(
          store.listVertices({ label: 'Account', limit: 5, cursor: personPage.nextCursor }),
        ).rejects.toBeInstanceOf(InvalidInputError);
        await expect(
          store.listVertices({ label: 'Account', limit: 5, cursor: 'not-a-cursor' }),
        ).rejects.toBeInstanceOf(InvalidInputError);
        await expect(store.listVertices({ label: 'Account', limit: 0 })).rejects.toBeInstanceOf(
          InvalidInputError,
        );
      });
    });

    describe('counts', () => {
      beforeEach(empty, STORE_HOOK_MS);

      it('reports zero for every label of an empty store', async () => {
        expect(await store.counts()).toEqual(emptyCounts());
      });

      it('counts every vertex and edge by label', async () => {
        await load();
        const counts = await store.counts();
        expect(counts).toEqual(tally(fx.vertices, allEdges));
        expect(counts.vertices.Person).toBe(4);
        expect(counts.edges.TRANSFERRED).toBe(30);
      });

      it('does not change when stored items are updated', async () => {
        await load();
        const before = await store.counts();
        const m = movementNo(20);
        await store.upsertEdges([movementEdge({ ...m, amountMinor: m.amountMinor + 1 })]);
        expect(await store.counts()).toEqual(before);
      });
    });

    describe('clear', () => {
      beforeEach(empty, STORE_HOOK_MS);

      it('removes everything, and the store can be loaded again', async () => {
        await load();
        await store.clear();
        expect(await store.counts()).toEqual(emptyCounts());
        expect(await store.getVertex(fx.person.alice)).toBeUndefined();
        expect(await store.getEdge(fx.movement(1))).toBeUndefined();
        expect(await store.scanMovements({ from: T0, to: END, limit: 100 })).toEqual([]);
        expect(
          await store.getMovements({
            accountIds: [fx.account.a1],
            from: T0,
            to: END,
            direction: 'both',
          }),
        ).toEqual([]);
        expect(await store.listVertices({ label: 'Account', limit: 10 })).toEqual({ items: [] });
        expect(await store.findSharedIdentifiers({ hubCap: 10 })).toEqual([]);

        expect(await store.upsertVertices(fx.vertices)).toEqual({
          created: fx.vertices.length,
          updated: 0,
          unchanged: 0,
        });
        expect(await store.upsertEdges(allEdges)).toEqual({
          created: allEdges.length,
          updated: 0,
          unchanged: 0,
        });
        const scanned = await store.scanMovements({ from: T0, to: END, limit: 100 });
        expect(scanned).toEqual([...fx.movements].sort(compareMovements));
      });
    });
  });
}
