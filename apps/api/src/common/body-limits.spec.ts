import { nestsDeeperThan } from './body-limits';

describe('nestsDeeperThan', () => {
  const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

  it('allows exactly the limit and refuses one level more, for arrays and objects', () => {
    expect(nestsDeeperThan(nested(64), 64)).toBe(false);
    expect(nestsDeeperThan(nested(65), 64)).toBe(true);
    const objects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    expect(nestsDeeperThan(objects(3), 3)).toBe(false);
    expect(nestsDeeperThan(objects(4), 3)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(JSON.stringify({ a: '[[[[{{{{' }), 1)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ a: 'say \\"[[[[\\"', b: ['x'] }), 2)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ a: 'x"', b: [[['y']]] }), 3)).toBe(true);
  });

  it('counts depth, not the number of siblings', () => {
    expect(nestsDeeperThan(JSON.stringify(Array.from({ length: 1000 }, () => [[1]])), 3)).toBe(
      false,
    );
  });

  it('reads UTF-8 bytes as the body parser hands them over, multi-byte characters included', () => {
    const text = JSON.stringify({ name: 'Zoë «[»', list: [[['日本']]] });
    expect(nestsDeeperThan(Buffer.from(text, 'utf8'), 4)).toBe(false);
    expect(nestsDeeperThan(Buffer.from(text, 'utf8'), 3)).toBe(true);
  });
});
