import { createHash } from 'node:crypto';
import { RowOccurrences } from './row-occurrences';

const keyOf = (n: number): string =>
  createHash('sha256').update(String(n)).digest('hex').slice(0, 24);

describe('RowOccurrences', () => {
  it('numbers each content from 1, over many distinct rows and in any order', () => {
    const occurrences = new RowOccurrences();
    // 20,000 distinct rows make the table grow several times; every one is seen again later.
    for (let n = 0; n < 20_000; n += 1) expect(occurrences.next(keyOf(n))).toBe(1);
    for (let n = 19_999; n >= 0; n -= 1) expect(occurrences.next(keyOf(n))).toBe(2);
    expect(occurrences.next(keyOf(7))).toBe(3);
    expect(occurrences.next(keyOf(20_000))).toBe(1);
  });
});
