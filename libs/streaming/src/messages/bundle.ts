import type { BrokerMessage, OutgoingMessage } from '../message-broker.port';
import { payloadBytes } from '../topic-names';

/**
 * Bundles: several envelopes in one Pulsar message.
 *
 * Over Pulsar's WebSocket API every message costs the broker a JSON frame in, a frame out and an
 * acknowledgement frame, whatever its size; Pulsar's own batching cannot be asked for by key over
 * that API, so it would break Key_Shared order. A bundle carries up to `maxItems` envelopes, one
 * JSON document per line (NDJSON, `content-type: application/x-ndjson`), under one routing key.
 *
 * The key of a bundle is a **key bucket**, `bucket:<n>` with n = FNV-1a(key) mod `keyBuckets`:
 * every envelope of one key (one paying account) always lands in the same bucket, and a bundle
 * keeps the publish order of its envelopes, so Key_Shared still hands one account's messages to
 * one consumer in order. Consumers split a bundle back into its envelopes (`bundleItems`).
 */

/** `content-type` of a bundle. */
export const BUNDLE_CONTENT_TYPE = 'application/x-ndjson';

/** Property with the number of envelopes in a bundle. */
export const BUNDLE_SIZE_PROPERTY = 'bundle-size';

/** Most envelopes a consumer accepts in one bundle (a bigger one is refused whole). */
export const MAX_BUNDLE_ITEMS = 1000;

const NEWLINE = 0x0a;

export interface BundleOptions {
  /** Most envelopes per bundle; 1 publishes every envelope as a message of its own. */
  maxItems: number;
  /** Number of key buckets (routing keys) the bundles are spread over. */
  keyBuckets: number;
}

/** The routing key of the bucket that `key` falls in. */
export function bucketKeyOf(key: string, keyBuckets: number): string {
  // FNV-1a, 32 bits, over the UTF-16 code units: stable across processes and versions.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `bucket:${hash % keyBuckets}`;
}

/**
 * Groups messages into bundles by key bucket, each bundle keeping the order of its envelopes.
 * A message that cannot go in a bundle (its payload holds a line break, or it has properties
 * beyond what the envelope codec sets) is published on its own, after the open bundle of its
 * bucket and under the bucket's key, so the order of its key still holds. With `maxItems` 1 the
 * messages are returned as they are.
 */
export function bundleMessages(
  messages: readonly OutgoingMessage[],
  options: BundleOptions,
): OutgoingMessage[] {
  checkWhole('maxItems', options.maxItems, MAX_BUNDLE_ITEMS);
  checkWhole('keyBuckets', options.keyBuckets, 65536);
  if (options.maxItems === 1) return [...messages];
  const out: OutgoingMessage[] = [];
  const open = new Map<string, Buffer[]>();
  const flush = (key: string, items: Buffer[]): void => {
    out.push(
      items.length === 1
        ? { payload: items[0], key, properties: { 'content-type': 'application/json' } }
        : {
            payload: Buffer.concat(items.flatMap((item, i) => (i === 0 ? [item] : [LINE, item]))),
            key,
            properties: {
              'content-type': BUNDLE_CONTENT_TYPE,
              [BUNDLE_SIZE_PROPERTY]: String(items.length),
            },
          },
    );
  };
  for (const message of messages) {
    const payload = payloadBytes(message.payload);
    const key = bucketKeyOf(message.key ?? '', options.keyBuckets);
    if (!bundleable(message, payload)) {
      const before = open.get(key);
      if (before) flush(key, before);
      open.delete(key);
      out.push({ ...message, key });
      continue;
    }
    const items = open.get(key) ?? [];
    items.push(payload);
    open.set(key, items);
    if (items.length >= options.maxItems) {
      flush(key, items);
      open.delete(key);
    }
  }
  for (const [key, items] of open) flush(key, items);
  return out;
}

const LINE = Buffer.from([NEWLINE]);

/** Properties the envelope codec sets; a message with any other property is sent on its own. */
const ENVELOPE_PROPERTIES = new Set(['content-type', 'type', 'version']);

function bundleable(message: OutgoingMessage, payload: Buffer): boolean {
  if (payload.includes(NEWLINE)) return false;
  return Object.keys(message.properties ?? {}).every((name) => ENVELOPE_PROPERTIES.has(name));
}

function checkWhole(name: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${name} must be a whole number from 1 to ${max} (got ${value})`);
  }
}

/** True when the message is a bundle (by its `content-type`). */
export function isBundle(message: Pick<BrokerMessage, 'properties'>): boolean {
  return message.properties['content-type'] === BUNDLE_CONTENT_TYPE;
}

/**
 * The envelopes of a bundle, one per line, as views into its payload (not copied). One line
 * break at the very end is allowed; any other empty line is kept as an empty item, so the
 * consumer refuses it as an invalid message of its own. Throws a `RangeError` for a bundle of
 * more than `MAX_BUNDLE_ITEMS` lines.
 */
export function bundleItems(bundle: Buffer): Buffer[] {
  const payload =
    bundle.length > 1 && bundle[bundle.length - 1] === NEWLINE ? bundle.subarray(0, -1) : bundle;
  const items: Buffer[] = [];
  let start = 0;
  for (;;) {
    const end = payload.indexOf(NEWLINE, start);
    items.push(payload.subarray(start, end === -1 ? payload.length : end));
    if (items.length > MAX_BUNDLE_ITEMS) {
      throw new RangeError(
        `a bundle must not hold more than ${MAX_BUNDLE_ITEMS} envelopes (one per line)`,
      );
    }
    if (end === -1) return items;
    start = end + 1;
  }
}
