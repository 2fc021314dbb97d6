import { decodeEntityMessage, decodeMovementMessage, payloadBytes } from '@app/streaming';
import {
  interleave,
  POISON_HUGE_LENGTH,
  POISON_KINDS,
  POISON_NESTING_DEPTH,
  poisonMessages,
  TEST_ID_PROPERTY,
  validLoad,
} from './dataset';

const load = validLoad('run1', { accounts: 10, movements: 50, firstTimestamp: 1_000 });
const poison = poisonMessages('run1', 4, load);

function bytesOf(testId: string): Buffer {
  const found = poison.find((p) => p.testId === testId);
  if (!found) throw new Error(`no poison ${testId}`);
  return payloadBytes(found.message.payload);
}

/** Deepest bracket nesting of a JSON text (strings in the fixtures hold no brackets). */
function depthOf(bytes: Buffer): number {
  let depth = 0;
  let deepest = 0;
  for (const byte of bytes) {
    if (byte === 0x5b || byte === 0x7b) deepest = Math.max(deepest, (depth += 1));
    if (byte === 0x5d || byte === 0x7d) depth -= 1;
  }
  return deepest;
}

describe('fault-test dataset', () => {
  it('builds valid accounts and movements that the stream codec accepts, each with its test id', () => {
    expect(load.accountMessages).toHaveLength(10);
    expect(load.movementMessages).toHaveLength(50);
    for (const planned of load.accountMessages) {
      expect(decodeEntityMessage(payloadBytes(planned.message.payload)).ok).toBe(true);
      expect(planned.message.properties?.[TEST_ID_PROPERTY]).toBe(planned.testId);
    }
    for (const planned of load.movementMessages) {
      expect(decodeMovementMessage(payloadBytes(planned.message.payload)).ok).toBe(true);
    }
    const ids = [...load.accountMessages, ...load.movementMessages, ...poison].map((p) => p.testId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('moves money from payers to payees only, inside the window, between accounts of the load', () => {
    const accounts = load.accounts.map((a) => a.uid);
    const payers = new Set(load.movements.map((m) => m.fromAccount));
    const payees = new Set(load.movements.map((m) => m.toAccount));
    expect([...payers].filter((uid) => payees.has(uid))).toEqual([]);
    expect([...payers, ...payees].every((uid) => accounts.includes(uid))).toBe(true);
    expect(
      load.movements.every((m) => m.timestamp >= load.window.from && m.timestamp < load.window.to),
    ).toBe(true);
  });

  it('makes 4 poison messages of each kind, keyed by accounts of the load', () => {
    expect(POISON_KINDS.map((kind) => poison.filter((p) => p.kind === kind).length)).toEqual([
      4, 4, 4, 4, 4,
    ]);
    const accounts = new Set(load.accounts.map((a) => a.uid));
    expect(poison.every((p) => p.message.key !== undefined && accounts.has(p.message.key))).toBe(
      true,
    );
    expect(poison.filter((p) => p.topic === 'entities').map((p) => p.testId)).toEqual([
      'poison-deep-nesting-1',
      'poison-deep-nesting-3',
      'poison-wrong-type-1',
      'poison-wrong-type-3',
      'poison-huge-string-1',
      'poison-huge-string-3',
      'poison-invalid-utf8-1',
      'poison-invalid-utf8-3',
    ]);
  });

  it('nests the deep-nesting poison 5,000 levels deep inside an otherwise plain envelope', () => {
    // The envelope and payload objects add two levels around the nested value.
    expect(depthOf(bytesOf('poison-deep-nesting-0'))).toBe(POISON_NESTING_DEPTH + 2);
    expect(depthOf(bytesOf('poison-deep-nesting-1'))).toBe(POISON_NESTING_DEPTH + 3);
  });

  it('puts bytes that are not UTF-8 into the invalid-utf8 poison, and nowhere else', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    expect(() => strict.decode(bytesOf('poison-invalid-utf8-0'))).toThrow('not valid');
    expect(() => strict.decode(bytesOf('poison-invalid-utf8-1'))).toThrow('not valid');
    expect(() => strict.decode(bytesOf('poison-wrong-type-0'))).not.toThrow();
  });

  it('gives the wrong-type, huge-string and missing-account poison exactly that fault', () => {
    const json = (testId: string) =>
      JSON.parse(bytesOf(testId).toString('utf8')) as { payload: Record<string, unknown> };
    expect(json('poison-wrong-type-0').payload.amountMinor).toBe('50.00');
    expect(json('poison-huge-string-0').payload.movementId).toHaveLength(
      POISON_HUGE_LENGTH + 'mv:'.length,
    );
    const missing = poison.find((p) => p.testId === 'poison-missing-account-2');
    expect(json('poison-missing-account-2').payload.toAccount).toBe(missing?.missingAccount);
    expect(load.accounts.map((a) => a.uid)).not.toContain(missing?.missingAccount);
  });

  it('spreads extra items evenly through the base, keeping both orders', () => {
    expect(interleave<number | string>([1, 2, 3, 4, 5, 6], ['a', 'b'])).toEqual([
      1,
      2,
      'a',
      3,
      4,
      'b',
      5,
      6,
    ]);
    expect(interleave<number | string>([1, 2, 3], ['a'])).toEqual([1, 'a', 2, 3]);
    expect(interleave<number | string>([], ['a'])).toEqual(['a']);
  });
});
