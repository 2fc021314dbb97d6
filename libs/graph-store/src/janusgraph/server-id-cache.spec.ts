import { ServerIdCache } from './server-id-cache';

describe('ServerIdCache', () => {
  it('keeps at most maxEntries, dropping the one set longest ago first', () => {
    const cache = new ServerIdCache<string, number>(2, () => 0);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3); // set again: now the newest, and nothing is dropped
    expect(cache.size).toBe(2);
    cache.set('c', 4);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([3, undefined, 4]);
  });

  it('forgets everything when the epoch changes (a connection to the server closed)', () => {
    let epoch = 0;
    const cache = new ServerIdCache<string, number>(10, () => epoch);
    cache.set('a', 1);
    expect(cache.get('a')).toBe(1);
    epoch = 1;
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', 2);
    expect(cache.get('b')).toBe(2);
  });

  it('forgets one entry, or all of them, when told', () => {
    const cache = new ServerIdCache<string, number>(10, () => 0);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.delete('a');
    expect([cache.get('a'), cache.get('b')]).toEqual([undefined, 2]);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
