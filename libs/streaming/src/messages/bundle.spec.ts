import type { OutgoingMessage } from '../message-broker.port';
import {
  BUNDLE_CONTENT_TYPE,
  BUNDLE_SIZE_PROPERTY,
  bucketKeyOf,
  bundleItems,
  bundleMessages,
  isBundle,
  MAX_BUNDLE_ITEMS,
} from './bundle';

const envelope = (key: string, n: number): OutgoingMessage => ({
  payload: JSON.stringify({ key, n }),
  key,
  properties: { 'content-type': 'application/json', type: 'movement.recorded', version: '1' },
});

const text = (payload: Uint8Array | string): string =>
  typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');

/** The envelopes of each message, decoded, in order. */
const contents = (messages: readonly OutgoingMessage[]): { key: string; n: number }[][] =>
  messages.map((m) =>
    bundleItems(Buffer.from(text(m.payload))).map(
      (item) => JSON.parse(item.toString('utf8')) as { key: string; n: number },
    ),
  );

describe('bucketKeyOf', () => {
  it('puts one key always in the same bucket, within the bucket count', () => {
    const keys = Array.from({ length: 500 }, (_, i) => `account:b1:${i}`);
    const buckets = keys.map((k) => bucketKeyOf(k, 64));
    expect(keys.map((k) => bucketKeyOf(k, 64))).toEqual(buckets);
    const numbers = buckets.map((b) => Number(b.slice('bucket:'.length)));
    expect(numbers.every((n) => Number.isInteger(n) && n >= 0 && n < 64)).toBe(true);
    // 500 keys over 64 buckets: a usable hash fills nearly all of them.
    expect(new Set(numbers).size).toBeGreaterThan(55);
  });

  it('has fixed values, so producers of other versions bucket the same way', () => {
    expect(bucketKeyOf('', 64)).toBe(`bucket:${0x811c9dc5 % 64}`);
    expect(bucketKeyOf('a', 1000)).toBe(`bucket:${0xe40c292c % 1000}`);
  });
});

describe('bundleMessages', () => {
  it('groups envelopes by key bucket, keeping the order of every key', () => {
    const messages = Array.from({ length: 300 }, (_, i) => envelope(`account:${i % 7}`, i));
    const bundles = bundleMessages(messages, { maxItems: 50, keyBuckets: 4 });
    expect(bundles.length).toBeLessThan(20);
    const seen = contents(bundles).flat();
    expect(seen).toHaveLength(300);
    for (let account = 0; account < 7; account++) {
      const ns = seen.filter((e) => e.key === `account:${account}`).map((e) => e.n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
    for (const bundle of bundles) {
      const keys = new Set(contents([bundle])[0].map((e) => bucketKeyOf(e.key, 4)));
      expect([...keys]).toEqual([bundle.key]);
      const size = contents([bundle])[0].length;
      expect(size).toBeLessThanOrEqual(50);
      if (size > 1) {
        expect(bundle.properties).toEqual({
          'content-type': BUNDLE_CONTENT_TYPE,
          [BUNDLE_SIZE_PROPERTY]: String(size),
        });
      } else {
        expect(bundle.properties?.['content-type']).toBe('application/json');
      }
    }
  });

  it('returns the messages as they are with maxItems 1', () => {
    const messages = [envelope('a', 1), envelope('b', 2)];
    expect(bundleMessages(messages, { maxItems: 1, keyBuckets: 64 })).toEqual(messages);
  });

  it('sends a message that cannot be bundled on its own, after its bucket, under the bucket key', () => {
    const withBreak: OutgoingMessage = { payload: '{"a":\n1}', key: 'k' };
    const withProperty: OutgoingMessage = {
      payload: '{"b":2}',
      key: 'k',
      properties: { 'ingest-waiting-since': '5' },
    };
    const out = bundleMessages(
      [envelope('k', 1), envelope('k', 2), withBreak, envelope('k', 3), withProperty],
      { maxItems: 10, keyBuckets: 8 },
    );
    const bucket = bucketKeyOf('k', 8);
    expect(out.map((m) => m.key)).toEqual([bucket, bucket, bucket, bucket]);
    expect(contents([out[0]])[0].map((e) => e.n)).toEqual([1, 2]);
    expect(text(out[1].payload)).toBe('{"a":\n1}');
    expect(text(out[3].payload)).toBe('{"b":2}');
    expect(out[3].properties).toEqual({ 'ingest-waiting-since': '5' });
  });

  it.each([
    [{ maxItems: 0, keyBuckets: 1 }, /maxItems must be a whole number from 1 to 1000/],
    [{ maxItems: MAX_BUNDLE_ITEMS + 1, keyBuckets: 1 }, /maxItems/],
    [{ maxItems: 2.5, keyBuckets: 1 }, /maxItems/],
    [{ maxItems: 2, keyBuckets: 0 }, /keyBuckets must be a whole number from 1 to 65536/],
    [{ maxItems: 2, keyBuckets: Number.NaN }, /keyBuckets/],
  ])('refuses %o', (options, message) => {
    expect(() => bundleMessages([], options)).toThrow(message);
  });
});

describe('bundleItems', () => {
  it('splits on line breaks without copying, allowing one at the end', () => {
    const payload = Buffer.from('{"a":1}\n{"b":2}\n');
    const items = bundleItems(payload);
    expect(items.map((i) => i.toString())).toEqual(['{"a":1}', '{"b":2}']);
    expect(items[0].buffer).toBe(payload.buffer);
  });

  it('keeps empty lines as empty items, so each is refused on its own', () => {
    expect(bundleItems(Buffer.from('{}\n\n{}')).map((i) => i.toString())).toEqual(['{}', '', '{}']);
    expect(bundleItems(Buffer.alloc(0)).map((i) => i.toString())).toEqual(['']);
  });

  it('refuses a bundle of more lines than a consumer accepts', () => {
    const lines = Buffer.from(Array.from({ length: MAX_BUNDLE_ITEMS + 1 }, () => '{}').join('\n'));
    expect(() => bundleItems(lines)).toThrow(
      `a bundle must not hold more than ${MAX_BUNDLE_ITEMS} envelopes (one per line)`,
    );
    const most = Buffer.from(Array.from({ length: MAX_BUNDLE_ITEMS }, () => '{}').join('\n'));
    expect(bundleItems(most)).toHaveLength(MAX_BUNDLE_ITEMS);
  });

  it('tells a bundle by its content type', () => {
    expect(isBundle({ properties: { 'content-type': BUNDLE_CONTENT_TYPE } })).toBe(true);
    expect(isBundle({ properties: { 'content-type': 'application/json' } })).toBe(false);
    expect(isBundle({ properties: {} })).toBe(false);
  });
});
