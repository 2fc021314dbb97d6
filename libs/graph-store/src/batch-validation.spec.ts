import { BatchRejectedError, InvalidInputError } from '@app/vocabulary';
import type { GraphEdge, GraphVertex, VertexLabel } from '@app/vocabulary';
import {
  assertPageRequest,
  assertValidEdgeBatch,
  assertValidVertexBatch,
  decodeUidCursor,
  edgeBatchProblems,
  encodeUidCursor,
  endpointUidsOf,
  normaliseProps,
  sameEdgeData,
  sameProps,
  vertexBatchProblems,
} from './batch-validation';
import type { StoredEdgeShape } from './batch-validation';

const person = (uid: string, name = 'P'): GraphVertex => ({
  label: 'Person',
  uid,
  props: { name, isPep: false, isSanctioned: false },
});
const account = (uid: string): GraphVertex => ({
  label: 'Account',
  uid,
  props: {
    accountType: 'personal',
    currency: 'EUR',
    openedAt: 0,
    status: 'active',
    bankId: 'b',
    country: 'DE',
  },
});
const holds = (eid: string, from: string, to: string): GraphEdge => ({
  label: 'HOLDS',
  eid,
  from,
  to,
  props: { role: 'holder' },
});

const labels = (entries: Record<string, VertexLabel>) => (uid: string) => entries[uid];
const noEdges = (): StoredEdgeShape | undefined => undefined;

describe('props helpers', () => {
  it('normaliseProps drops undefined values and copies lists', () => {
    const list = ['a'];
    const copy = normaliseProps({ x: 1, y: undefined, list });
    expect(copy).toEqual({ x: 1, list: ['a'] });
    expect(Object.keys(copy)).toEqual(['x', 'list']);
    expect(copy.list).not.toBe(list);
  });

  it('sameProps compares values and lists, treating undefined as absent', () => {
    expect(sameProps({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameProps({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameProps({ a: 1 }, { a: 1, b: false })).toBe(false);
    expect(sameProps({ l: ['x', 'y'] }, { l: ['x', 'y'] })).toBe(true);
    expect(sameProps({ l: ['x', 'y'] }, { l: ['y', 'x'] })).toBe(false);
    expect(sameProps({ l: ['x'] }, { l: 'x' })).toBe(false);
  });

  it('sameEdgeData looks at the ends too', () => {
    expect(sameEdgeData(holds('e', 'p', 'a'), holds('e', 'p', 'a'))).toBe(true);
    expect(sameEdgeData(holds('e', 'p', 'a'), holds('e', 'p', 'b'))).toBe(false);
  });
});

describe('vertex batches', () => {
  it('accepts a valid batch, identical repeats included', () => {
    const batch = [person('person:s:1'), person('person:s:1'), account('account:b:1')];
    expect(vertexBatchProblems(batch, labels({}))).toEqual([]);
    expect(() => assertValidVertexBatch(batch, labels({}))).not.toThrow();
  });

  it('names the index, id, field and rule of every bad item', () => {
    const batch = [
      person('person:s:1'),
      null,
      person('person:s:1', 'Other name'),
      account('person:s:2'),
    ] as unknown as GraphVertex[];
    const rejected = vertexBatchProblems(batch, labels({ 'person:s:2': 'Person' }));
    expect(rejected.map((r) => [r.index, r.id, r.problems.map((p) => p.field)])).toEqual([
      [1, '(no uid)', ['item']],
      [2, 'person:s:1', ['uid']],
      [3, 'person:s:2', ['label']],
    ]);
    expect(rejected[1].problems[0].rule).toContain('item #0');
    expect(rejected[2].problems[0].rule).toBe(
      'uid already belongs to a Person; a vertex cannot change its label (it was sent as an Account)',
    );
    expect(() => assertValidVertexBatch(batch, labels({}))).toThrow(BatchRejectedError);
  });
});

describe('edge batches', () => {
  const stored = labels({
    'person:s:1': 'Person',
    'account:b:1': 'Account',
    'account:b:2': 'Account',
  });

  it('accepts edges between stored vertices of allowed labels', () => {
    expect(edgeBatchProblems([holds('h1', 'person:s:1', 'account:b:1')], stored, noEdges)).toEqual(
      [],
    );
  });

  it('rejects missing ends, wrong end labels, changed ends and conflicting repeats', () => {
    const existing = (eid: string): StoredEdgeShape | undefined =>
      eid === 'h-old' ? { label: 'HOLDS', from: 'person:s:1', to: 'account:b:1' } : undefined;
    const batch = [
      holds('h1', 'person:s:9', 'account:b:1'),
      holds('h2', 'account:b:2', 'account:b:1'),
      holds('h-old', 'person:s:1', 'account:b:2'),
      holds('h4', 'person:s:1', 'account:b:1'),
      holds('h4', 'person:s:1', 'account:b:2'),
    ];
    const rejected = edgeBatchProblems(batch, stored, existing);
    expect(rejected.map((r) => [r.index, r.problems.map((p) => p.field)])).toEqual([
      [0, ['from']],
      [1, ['from']],
      [2, ['to']],
      [4, ['eid']],
    ]);
    expect(rejected[0].problems[0].rule).toContain('does not exist');
    expect(rejected[1].problems[0].rule).toBe(
      'must be a Person or Company for a HOLDS edge ("account:b:2" is an Account)',
    );
    expect(() => assertValidEdgeBatch(batch, stored, existing)).toThrow(BatchRejectedError);
  });

  it('lists the distinct end uids of a batch for one lookup', () => {
    expect(
      endpointUidsOf([holds('h1', 'p', 'a'), holds('h2', 'p', 'b'), null as unknown as GraphEdge]),
    ).toEqual(['p', 'a', 'b']);
  });
});

describe('paging', () => {
  it('round-trips a cursor and refuses foreign or damaged ones', () => {
    const cursor = encodeUidCursor('Person', 'person:s:1');
    expect(decodeUidCursor('Person', cursor)).toBe('person:s:1');
    expect(() => decodeUidCursor('Account', cursor)).toThrow(InvalidInputError);
    expect(() => decodeUidCursor('Person', 'garbage')).toThrow(InvalidInputError);
    expect(() => decodeUidCursor('Person', Buffer.from('{"v":1}').toString('base64url'))).toThrow(
      InvalidInputError,
    );
  });

  it('checks where keys and value types against the label', () => {
    expect(() =>
      assertPageRequest({ label: 'Person', limit: 1, where: { isPep: true } }),
    ).not.toThrow();
    const error = (() => {
      try {
        assertPageRequest({
          label: 'Person',
          limit: 1,
          where: { colour: 'red', name: {} as unknown as string },
        });
      } catch (e: unknown) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).problems).toEqual([
      { field: 'where.colour', rule: 'is not a property of Person' },
      { field: 'where.name', rule: 'must be a string, number or boolean' },
    ]);
  });
});
