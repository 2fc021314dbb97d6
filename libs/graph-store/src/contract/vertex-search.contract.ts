import { InvalidInputError } from '@app/vocabulary';
import type { AlertVertex, CompanyVertex, FieldProblem, GraphVertex } from '@app/vocabulary';
import type { GraphStore, NameSearchRequest, OrderedPageRequest, Page } from '../graph-store.port';
import type { ContractSubject } from './graph-store.contract';

/*
 * The contract of the two listing reads of the analyst workbench, run on every adapter:
 * - listVerticesOrdered: number property in the asked direction, then uid ascending; keyset
 *   cursors that survive inserts between pages; vertices lacking the property left out; bad
 *   property, direction or foreign cursor -> InvalidInputError naming the field;
 * - listVertices with `without`: only the vertices lacking that optional property (an unknown
 *   property -> InvalidInputError naming `without`);
 * - searchByName: names with a word beginning with each searched word (any case), the exact
 *   uid first; uid order, at most `limit` per page, a cursor while more follow.
 */

const T = Date.UTC(2024, 0, 1);

function alert(key: string, score: number, createdAt: number, status = 'open'): AlertVertex {
  return {
    label: 'Alert',
    uid: `alert:contract:${key}`,
    props: {
      ruleId: 'aml.contract',
      ruleVersion: '1.0.0',
      typology: 'fan-out',
      score,
      severity: score >= 0.8 ? 'high' : 'low',
      status: status as AlertVertex['props']['status'],
      explanation: `contract alert ${key}`,
      fingerprint: key,
      createdAt,
      updatedAt: createdAt,
      windowStart: T,
      windowEnd: T + 1,
      movementIds: [],
    },
  };
}

function company(key: string, name: string): CompanyVertex {
  return {
    label: 'Company',
    uid: `company:contract:${key}`,
    props: {
      name,
      jurisdiction: 'GB',
      companyType: 'company',
      isShell: false,
      isNominee: false,
      hasBearerShares: false,
      isSanctioned: false,
    },
  };
}

async function problemsOf(promise: Promise<unknown>): Promise<readonly FieldProblem[]> {
  try {
    await promise;
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).problems;
  }
  throw new Error('expected the call to be rejected, but it resolved');
}

/** Every page of a listing, following its cursor; fails when the cursor does not advance. */
export async function everyPage(
  read: (cursor: string | undefined) => Promise<Page<GraphVertex>>,
): Promise<{ uids: string[]; sizes: number[] }> {
  const uids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 50; guard += 1) {
    const page = await read(cursor);
    uids.push(...page.items.map((v) => v.uid));
    sizes.push(page.items.length);
    cursor = page.nextCursor;
    if (cursor === undefined) return { uids, sizes };
  }
  throw new Error('more than 50 pages: the cursor does not advance');
}

export function describeVertexSearchContract(
  name: string,
  make: () => Promise<ContractSubject>,
): void {
  describe(`GraphStore listing and search contract: ${name}`, () => {
    let subject: ContractSubject | undefined;
    let store: GraphStore;

    // Making a JanusGraph store bootstraps its schema, which can take a minute.
    beforeAll(async () => {
      subject = await make();
      store = subject.store;
    }, 180_000);
    afterAll(async () => {
      await subject?.close();
    });
    // A real store clears and loads in a few seconds on a busy machine.
    beforeEach(async () => {
      await store.clear();
    }, 60_000);

    describe('listVerticesOrdered', () => {
      // Ties on score (0.9 twice, 0.5 three times) and on createdAt, inserted out of order.
      const alerts = [
        alert('e', 0.5, T + 3),
        alert('a', 0.9, T + 5),
        alert('d', 0.5, T + 1),
        alert('c', 0.9, T + 1),
        alert('b', 0.5, T + 4, 'closed-false-positive'),
        alert('f', 0.1, T + 2),
        alert('g', 1, T + 6),
      ];
      const key = (v: GraphVertex): string => v.uid.slice('alert:contract:'.length);
      const request = (
        orderBy: string,
        direction: 'asc' | 'desc',
        limit: number,
        cursor?: string,
      ): OrderedPageRequest => ({ label: 'Alert', orderBy, direction, limit, cursor });

      beforeEach(async () => {
        await store.upsertVertices(alerts);
      }, 60_000);

      it('orders by score highest first, ties by uid, across pages of 2', async () => {
        const { uids, sizes } = await everyPage((cursor) =>
          store.listVerticesOrdered(request('score', 'desc', 2, cursor)),
        );
        expect(uids.map((uid) => uid.slice(-1))).toEqual(['g', 'a', 'c', 'b', 'd', 'e', 'f']);
        expect(sizes).toEqual([2, 2, 2, 1]);
      });

      it('orders ascending with the same tie-break (uid ascending), one page or many', async () => {
        const one = await store.listVerticesOrdered(request('score', 'asc', 10));
        expect(one.items.map(key)).toEqual(['f', 'b', 'd', 'e', 'a', 'c', 'g']);
        expect(one.nextCursor).toBeUndefined();
        const paged = await everyPage((cursor) =>
          store.listVerticesOrdered(request('score', 'asc', 3, cursor)),
        );
        expect(paged.uids).toEqual(one.items.map((v) => v.uid));
      });

      it('orders by a long property (createdAt, newest first) and returns whole vertices', async () => {
        const page = await store.listVerticesOrdered(request('createdAt', 'desc', 3));
        expect(page.items.map(key)).toEqual(['g', 'a', 'b']);
        expect(page.items[0]).toEqual(alerts[6]);
      });

      it('applies equality filters before ordering and paging', async () => {
        const { uids } = await everyPage((cursor) =>
          store.listVerticesOrdered({
            ...request('score', 'desc', 2, cursor),
            where: { status: 'open' },
          }),
        );
        expect(uids.map((uid) => uid.slice(-1))).toEqual(['g', 'a', 'c', 'd', 'e', 'f']);
      });

      it('resumes after the last (value, uid) seen when alerts are added between pages', async () => {
        const first = await store.listVerticesOrdered(request('score', 'desc', 3));
        expect(first.items.map(key)).toEqual(['g', 'a', 'c']);
        // One above the cursor (never shown now), one tying with it after it, one below.
        await store.upsertVertices([alert('z0', 0.95, T), alert('cc', 0.9, T), alert('h', 0.3, T)]);
        const rest = await everyPage((cursor) =>
          store.listVerticesOrdered(request('score', 'desc', 3, cursor ?? first.nextCursor)),
        );
        expect(rest.uids.map((uid) => uid.slice('alert:contract:'.length))).toEqual([
          'cc',
          'b',
          'd',
          'e',
          'h',
          'f',
        ]);
      });

      it('gives an empty page without a cursor for an empty label', async () => {
        await store.clear();
        expect(await store.listVerticesOrdered(request('score', 'desc', 5))).toEqual({ items: [] });
      });

      it('rejects a property that is not a number, a bad direction and foreign cursors', async () => {
        expect(
          (await problemsOf(store.listVerticesOrdered(request('typology', 'desc', 5)))).map(
            (p) => p.field,
          ),
        ).toEqual(['orderBy']);
        expect(
          (await problemsOf(store.listVerticesOrdered(request('colour', 'desc', 5))))[0].rule,
        ).toContain('score');
        const sideways = { ...request('score', 'desc', 5), direction: 'sideways' as 'asc' };
        expect((await problemsOf(store.listVerticesOrdered(sideways))).map((p) => p.field)).toEqual(
          ['direction'],
        );
        const byScore = await store.listVerticesOrdered(request('score', 'desc', 1));
        expect(byScore.nextCursor).toBeDefined();
        const otherOrder = request('createdAt', 'desc', 1, byScore.nextCursor);
        expect((await problemsOf(store.listVerticesOrdered(otherOrder)))[0].field).toBe('cursor');
        const ascending = request('score', 'asc', 1, byScore.nextCursor);
        expect((await problemsOf(store.listVerticesOrdered(ascending)))[0].field).toBe('cursor');
        const plain = await store.listVertices({ label: 'Alert', limit: 1 });
        const plainCursor = request('score', 'desc', 1, plain.nextCursor);
        expect((await problemsOf(store.listVerticesOrdered(plainCursor)))[0].field).toBe('cursor');
        expect(
          (await problemsOf(store.listVerticesOrdered(request('score', 'desc', 0)))).map(
            (p) => p.field,
          ),
        ).toEqual(['limit']);
      });
    });

    describe('optional properties: ordering by one, listing the vertices without it', () => {
      // A model's risk on some alerts only (alerts stored before a model, or without one, lack it).
      const scored = (key: string, riskScore: number): AlertVertex => {
        const base = alert(key, 0.5, T);
        return {
          ...base,
          props: {
            ...base.props,
            riskScore,
            riskThreshold: 0.5,
            riskModelVersion: 'risk-contract',
            riskReasons: [JSON.stringify({ feature: 'f', effect: 1.5, text: 'why, in words' })],
          },
        };
      };
      const alerts = [
        scored('r2', 0.2),
        alert('n3', 0.9, T),
        scored('r9', 0.9),
        alert('n1', 0.1, T),
        scored('r5', 0.5),
        alert('n2', 0.5, T),
        scored('r5b', 0.5),
      ];
      const key = (v: GraphVertex): string => v.uid.slice('alert:contract:'.length);

      beforeEach(async () => {
        await store.upsertVertices(alerts);
      }, 60_000);

      it('keeps the optional properties, a list of JSON documents included, as written', async () => {
        expect(await store.getVertex('alert:contract:r9')).toEqual(alerts[2]);
        expect(await store.getVertex('alert:contract:n3')).toEqual(alerts[1]);
      });

      it('orders by the optional property, leaving out the vertices without it', async () => {
        const { uids } = await everyPage((cursor) =>
          store.listVerticesOrdered({
            label: 'Alert',
            orderBy: 'riskScore',
            direction: 'desc',
            limit: 2,
            cursor,
          }),
        );
        expect(uids.map((uid) => uid.slice('alert:contract:'.length))).toEqual([
          'r9',
          'r5',
          'r5b',
          'r2',
        ]);
      });

      it('lists only the vertices without the property, in uid order, across pages', async () => {
        const { uids, sizes } = await everyPage((cursor) =>
          store.listVertices({ label: 'Alert', without: 'riskScore', limit: 2, cursor }),
        );
        expect(uids.map((uid) => uid.slice('alert:contract:'.length))).toEqual(['n1', 'n2', 'n3']);
        expect(sizes).toEqual([2, 1]);
        const open = await store.listVertices({
          label: 'Alert',
          without: 'riskScore',
          where: { status: 'open' },
          limit: 10,
        });
        expect(open.items.map(key)).toEqual(['n1', 'n2', 'n3']);
        const none = await store.listVertices({ label: 'Alert', without: 'assignee', limit: 10 });
        expect(none.items).toHaveLength(alerts.length);
      });

      it('rejects a `without` that is not a property of the label', async () => {
        expect(
          (
            await problemsOf(store.listVertices({ label: 'Alert', without: 'colour', limit: 5 }))
          ).map((p) => p.field),
        ).toEqual(['without']);
      });
    });

    describe('searchByName', () => {
      const companies = [
        company('c01', 'Acme Holdings Ltd'),
        company('c02', 'ACME TRADING'),
        company('c03', 'Blue Harbour Limited'),
        company('c04', 'Harbour Acmelite plc'),
        company('c05', 'Zed Shipping'),
        company('c06', 'Northwind'),
        company('c07', 'Café Crème (Paris) SARL'),
        company('c08', 'Regex.* [Trap] Ltd'),
      ];
      const search = (text: string, limit = 10, cursor?: string): NameSearchRequest => ({
        label: 'Company',
        text,
        limit,
        cursor,
      });
      const keys = (uids: readonly string[]): string[] =>
        uids.map((uid) => uid.slice('company:contract:'.length));
      const found = async (text: string, limit = 10): Promise<string[]> =>
        keys((await store.searchByName(search(text, limit))).items.map((v) => v.uid));

      beforeEach(async () => {
        await store.upsertVertices(companies);
      }, 60_000);

      it('finds names with a word beginning with the text, whatever its case, in uid order', async () => {
        const page = await store.searchByName(search('acme'));
        expect(keys(page.items.map((v) => v.uid))).toEqual(['c01', 'c02', 'c04']);
        expect(page.nextCursor).toBeUndefined();
        expect(page.items[0]).toEqual(companies[0]);
        expect(await found('  HARBOUR ')).toEqual(['c03', 'c04']);
        expect(await found('harb')).toEqual(['c03', 'c04']);
        expect(await found('CAFÉ CRÈME')).toEqual(['c07']);
        expect(await found('paris')).toEqual(['c07']);
      });

      it('needs every word of the text, each at the start of a word of the name', async () => {
        expect(await found('harb acm')).toEqual(['c04']);
        expect(await found('acme trad')).toEqual(['c02']);
        expect(await found('acme shipping')).toEqual([]);
        // Inside a word is not the start of one.
        expect(await found('cmelite')).toEqual([]);
        expect(await found('arbour')).toEqual([]);
      });

      it('finds the exact uid first, then the name matches', async () => {
        expect(await found('company:contract:c05')).toEqual(['c05']);
        // Case matters for uids; the words "company", "contract", "c05" are in no name.
        expect(await found('COMPANY:CONTRACT:C05')).toEqual([]);
        await store.upsertVertices([company('c00', 'Company Contract C05 Holdings')]);
        expect(await found('company:contract:c05')).toEqual(['c05', 'c00']);
        // The exact one is not repeated on later pages.
        const { uids, sizes } = await everyPage((cursor) =>
          store.searchByName(search('company:contract:c05', 1, cursor)),
        );
        expect(keys(uids)).toEqual(['c05', 'c00']);
        expect(sizes).toEqual([1, 1]);
      });

      it('ignores pattern characters and one-letter words, and never reads a pattern', async () => {
        expect(await found('x.* [t')).toEqual([]);
        expect(await found('regex.* [trap]')).toEqual(['c08']);
        expect(await found('.*')).toEqual([]);
        expect(await found('(paris)')).toEqual(['c07']);
        expect(await found('a')).toEqual([]);
      });

      it('pages the matches, limit at a time, resuming after the last one shown', async () => {
        const more = Array.from({ length: 5 }, (_, i) => company(`m${i}`, `Acme Branch ${i}`));
        await store.upsertVertices(more);
        const { uids, sizes } = await everyPage((cursor) =>
          store.searchByName(search('acme', 2, cursor)),
        );
        expect(keys(uids)).toEqual(['c01', 'c02', 'c04', 'm0', 'm1', 'm2', 'm3', 'm4']);
        expect(sizes).toEqual([2, 2, 2, 2]);
        const none = await store.searchByName(search('no such company'));
        expect(none).toEqual({ items: [] });
      });

      it('rejects empty or long text, bad limits, other labels and foreign cursors', async () => {
        expect((await problemsOf(store.searchByName(search('   ')))).map((p) => p.field)).toEqual([
          'text',
        ]);
        expect(
          (await problemsOf(store.searchByName(search('x'.repeat(201))))).map((p) => p.field),
        ).toEqual(['text']);
        expect(
          (await problemsOf(store.searchByName(search('acme', 0)))).map((p) => p.field),
        ).toEqual(['limit']);
        const account = { ...search('acme'), label: 'Account' as 'Company' };
        expect((await problemsOf(store.searchByName(account))).map((p) => p.field)).toEqual([
          'label',
        ]);
        expect(
          (await problemsOf(store.searchByName(search('acme', 1, 'not-a-cursor'))))[0].field,
        ).toBe('cursor');
      });
    });
  });
}
