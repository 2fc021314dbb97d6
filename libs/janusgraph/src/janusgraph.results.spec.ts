import { process as gremlinProcess } from 'gremlin';
import {
  flattenElementMap,
  keyName,
  listField,
  numberField,
  recordField,
  stringField,
  toPlain,
  toRecord,
  unwrapTraversers,
} from './janusgraph.results';

const { Traverser, t, direction } = gremlinProcess;

describe('unwrapTraversers', () => {
  it('expands each traverser into as many values as its bulk', () => {
    expect(unwrapTraversers([new Traverser('a', 3), new Traverser('b', 1)])).toEqual([
      'a',
      'a',
      'a',
      'b',
    ]);
  });

  it('keeps plain values (script results) as they are', () => {
    expect(unwrapTraversers([1, 'x', null])).toEqual([1, 'x', null]);
  });
});

describe('toPlain', () => {
  it('turns nested Maps into objects and Gremlin tokens into their names', () => {
    const value = new Map<unknown, unknown>([
      [t.id, 4120],
      [t.label, 'Person'],
      ['nested', new Map([['list', [new Map([['k', true]])]]])],
      [direction.out, new Map([['uid', 'p1']])],
    ]);
    expect(toPlain(value)).toEqual({
      id: 4120,
      label: 'Person',
      nested: { list: [{ k: true }] },
      OUT: { uid: 'p1' },
    });
  });

  it('turns sets into lists and undefined into null', () => {
    expect(toPlain(new Set(['a', 'b']))).toEqual(['a', 'b']);
    expect(toPlain(undefined)).toBeNull();
  });

  it('refuses a map key it cannot name', () => {
    expect(() => keyName({})).toThrow(/map key/);
  });
});

describe('flattenElementMap', () => {
  it('unwraps the single-element lists of valueMap(true) and keeps real lists', () => {
    const valueMap = new Map<unknown, unknown>([
      [t.id, 8],
      [t.label, 'Alert'],
      ['uid', ['al-1']],
      ['score', [0.5]],
      ['tags', ['a', 'b']],
      ['empty', []],
    ]);
    expect(flattenElementMap(valueMap)).toEqual({
      id: 8,
      label: 'Alert',
      uid: 'al-1',
      score: 0.5,
      tags: ['a', 'b'],
      empty: [],
    });
  });

  it('rejects something that is not a map', () => {
    expect(() => flattenElementMap([1, 2])).toThrow(/Expected a map/);
  });
});

describe('typed field readers', () => {
  const row = toRecord(
    new Map<string, unknown>([
      ['s', 'x'],
      ['n', 2],
      ['m', new Map([['a', 1]])],
      ['l', [1]],
    ]),
  );

  it('read fields of the promised type', () => {
    expect(stringField(row, 's')).toBe('x');
    expect(numberField(row, 'n')).toBe(2);
    expect(recordField(row, 'm')).toEqual({ a: 1 });
    expect(listField(row, 'l')).toEqual([1]);
  });

  it('name the field and the type found when the shape is wrong', () => {
    expect(() => stringField(row, 'n')).toThrow(
      'Graph result field "n" must be a string, got number',
    );
    expect(() => numberField(row, 'missing')).toThrow(
      'Graph result field "missing" must be a number, got undefined',
    );
    expect(() => recordField(row, 'l')).toThrow(/must be a map, got list/);
    expect(() => listField(row, 's')).toThrow(/must be a list, got string/);
    expect(() => toRecord('x', 'row')).toThrow('Expected the row to be a map, got a string');
  });
});
