import { decodeProps, decodeValue, encodeProps, encodeValue } from './property-codec';

describe('property codec', () => {
  it('stores a string list as one JSON string and reads it back exactly, empty lists and order included', () => {
    for (const list of [[], ['m2', 'm1', 'm2'], ['a"b', 'ü']]) {
      const stored = encodeValue('movementIds', list);
      expect(typeof stored).toBe('string');
      expect(decodeValue('movementIds', stored)).toEqual(list);
    }
  });

  it('leaves undefined props out and keeps numbers, booleans and strings as they are', () => {
    expect(encodeProps({ name: 'A', birthDate: undefined, isPep: false, latitude: 52 })).toEqual([
      ['name', 'A'],
      ['isPep', false],
      ['latitude', 52],
    ]);
  });

  it('refuses values the vocabulary cannot store', () => {
    expect(() => encodeValue('movementIds', 'm1')).toThrow(
      'Property movementIds must be a list of strings to be stored',
    );
    expect(() => encodeValue('score', Number.NaN)).toThrow(/cannot be stored/);
  });

  it('reads props without id keys, tokens or keys outside the vocabulary', () => {
    expect(
      decodeProps({
        uid: 'al-1',
        id: 9,
        label: 'Alert',
        movementIds: '["m1"]',
        score: 0.5,
        stray: 'x',
      }),
    ).toEqual({ movementIds: ['m1'], score: 0.5 });
  });
});
