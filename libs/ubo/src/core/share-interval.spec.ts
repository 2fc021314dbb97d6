import {
  formatRational,
  meetsThreshold,
  parseRational,
  percentText,
  rational,
  ShareInterval,
} from './share-interval';

describe('ShareInterval', () => {
  it('multiplies exactly: 50% x 50% is 1/4, not a float near it', () => {
    const half = ShareInterval.fromBp(5000, 5000);
    expect(formatRational(half.mul(half).lo)).toBe('1/4');
    expect(half.mul(half).isExact).toBe(true);
  });

  it('keeps exclusive bounds through products and sums only where they cannot be reached', () => {
    const open = ShareInterval.fromBp(2500, 5000, true, true); // (25%, 50%)
    const closed = ShareInterval.fromBp(5000, 10000); // [50%, 100%]
    const product = open.mul(closed);
    expect([
      formatRational(product.lo),
      product.loExclusive,
      formatRational(product.hi),
      product.hiExclusive,
    ]).toEqual(['1/8', true, '1/2', true]);
    const maybeZero = ShareInterval.fromBp(0, 5000); // [0, 50%]: the product can be exactly 0
    expect(open.mul(maybeZero).loExclusive).toBe(false);
    const sum = open.add(closed);
    expect([sum.loExclusive, sum.hiExclusive]).toEqual([true, true]);
  });

  it('refuses a range whose minimum is above its maximum', () => {
    expect(() => ShareInterval.of(rational(1, 2), rational(1, 4))).toThrow(RangeError);
  });
});

describe('meetsThreshold', () => {
  const quarter = rational(1, 4);
  it.each([
    [[2500, 2500, false, false], 'at-least', 'yes'],
    [[2500, 2500, false, false], 'more-than', 'no'],
    [[2400, 2600, false, false], 'at-least', 'possibly'],
    [[2000, 2500, false, true], 'at-least', 'no'], // below 25% for sure
    [[2500, 3000, true, false], 'more-than', 'yes'], // above 25% for sure
    [[2500, 3000, false, false], 'more-than', 'possibly'],
  ] as const)('%j %s -> %s', ([min, max, minEx, maxEx], comparator, expected) => {
    expect(meetsThreshold(ShareInterval.fromBp(min, max, minEx, maxEx), quarter, comparator)).toBe(
      expected,
    );
  });
});

describe('rational text', () => {
  it('parses and formats "n/d" and rounds percent strings outward', () => {
    expect(formatRational(parseRational('2/8'))).toBe('1/4');
    expect(formatRational(parseRational('1'))).toBe('1/1');
    expect(formatRational(parseRational('0.25'))).toBe('1/4');
    expect(() => parseRational('a quarter')).toThrow(RangeError);
    expect(percentText(rational(1, 3), 'floor')).toBe('33.3333');
    expect(percentText(rational(1, 3), 'ceil')).toBe('33.3334');
    expect(percentText(rational(1, 4), 'ceil', 2)).toBe('25.00');
  });
});
