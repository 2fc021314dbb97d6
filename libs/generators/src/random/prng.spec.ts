import { AliasTable } from './alias-table';
import { RandomStreams, Rng } from './prng';
import { Scrambler } from './scramble';

describe('Rng and RandomStreams', () => {
  it('repeats the same numbers for the same seed and path', () => {
    const a = Rng.for(42, 'typology', 'cycle', 0);
    const b = Rng.for(42, 'typology', 'cycle', 0);
    const drawsA = Array.from({ length: 50 }, () => a.nextU32());
    expect(Array.from({ length: 50 }, () => b.nextU32())).toEqual(drawsA);
  });

  it('gives different streams for different seeds and different paths', () => {
    const first = (rng: Rng): number[] => Array.from({ length: 8 }, () => rng.nextU32());
    expect(first(Rng.for(42, 'a'))).not.toEqual(first(Rng.for(43, 'a')));
    expect(first(Rng.for(42, 'a'))).not.toEqual(first(Rng.for(42, 'b')));
    expect(first(Rng.for(42, 'a', 1))).not.toEqual(first(Rng.for(42, 'a', 11)));
  });

  it('keeps streams independent: drawing more from one never shifts another', () => {
    const streams = new RandomStreams(7);
    const persons = streams.for('persons');
    const before = Array.from({ length: 5 }, () => persons.float());
    const noisy = streams.for('fan-out');
    for (let i = 0; i < 1000; i++) noisy.float();
    const again = streams.for('persons');
    expect(Array.from({ length: 5 }, () => again.float())).toEqual(before);
    expect(new Set(before).size).toBe(5);
  });

  it('draws integers inside the inclusive bounds and covers them', () => {
    const rng = Rng.for(1, 'int');
    const values = Array.from({ length: 2000 }, () => rng.int(3, 7));
    expect([...new Set(values)].sort()).toEqual([3, 4, 5, 6, 7]);
    expect(() => rng.int(5, 4)).toThrow('max 4 is below min 5');
  });

  it('samples distinct items and shuffles without losing any', () => {
    const rng = Rng.for(3, 'sample');
    const items = Array.from({ length: 20 }, (_, i) => i);
    const sample = rng.sample(items, 8);
    expect(new Set(sample).size).toBe(8);
    expect(rng.shuffle([...items]).sort((a, b) => a - b)).toEqual(items);
  });

  it('has a log-normal median close to the requested one', () => {
    const rng = Rng.for(5, 'lognormal');
    const values = Array.from({ length: 4001 }, () => rng.logNormal(100, 0.8)).sort(
      (a, b) => a - b,
    );
    expect(values[2000]).toBeGreaterThan(90);
    expect(values[2000]).toBeLessThan(110);
  });

  it('refuses seeds outside 0..2^32-1', () => {
    expect(() => new RandomStreams(-1)).toThrow('seed must be a whole number');
    expect(() => new RandomStreams(2 ** 32)).toThrow('seed must be a whole number');
  });
});

describe('AliasTable', () => {
  it('draws in proportion to the weights and never a zero weight', () => {
    const table = new AliasTable([1, 0, 3]);
    const rng = Rng.for(9, 'alias');
    const counts = [0, 0, 0];
    for (let i = 0; i < 8000; i++) counts[table.draw(rng)]++;
    expect(counts[1]).toBe(0);
    expect((counts[2] ?? 0) / (counts[0] ?? 1)).toBeGreaterThan(2.6);
    expect((counts[2] ?? 0) / (counts[0] ?? 1)).toBeLessThan(3.4);
  });

  it('says when nothing can be drawn', () => {
    expect(new AliasTable([0, 0]).empty).toBe(true);
    expect(() => new AliasTable([]).draw(Rng.for(1))).toThrow('every weight is zero');
    expect(() => new AliasTable([1, -1])).toThrow('weight #1');
  });
});

describe('Scrambler', () => {
  it('is a bijection on its digit space', () => {
    const scrambler = new Scrambler(3, 617, 123);
    const keys = Array.from({ length: 1000 }, (_, i) => scrambler.key(i));
    expect(new Set(keys).size).toBe(1000);
    expect(keys.every((k) => /^\d{3}$/.test(k))).toBe(true);
  });

  it('does not keep creation order: consecutive indices are far apart', () => {
    const scrambler = new Scrambler(8, 61_803_399, 1_234_567);
    const keys = Array.from({ length: 100 }, (_, i) => scrambler.key(i));
    const sorted = [...keys].sort();
    expect(keys).not.toEqual(sorted);
  });

  it('refuses multipliers that would repeat numbers', () => {
    expect(() => new Scrambler(4, 10, 0)).toThrow('coprime with 10');
    expect(() => new Scrambler(4, 25, 0)).toThrow('coprime with 10');
    expect(() => new Scrambler(2, 3, 0).key(100)).toThrow('outside 0..99');
  });
});
