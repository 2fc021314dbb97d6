import { movementMessage, OutgoingMessage, vertexUpsertMessage } from '@app/streaming';
import type { AccountVertex, Movement } from '@app/vocabulary';

/** When the source changed the entities of these messages (envelope occurredAt, epoch ms). */
const SOURCE_TIME = Date.UTC(2025, 0, 1);

/**
 * Messages for the fault-injection tests: valid accounts and movements, and poison messages of
 * every kind the issue names. Every message carries the property `fault-test-id`, which Pulsar
 * and the worker keep on dead letters, so a dead letter can be matched to what was sent even
 * when its payload is not JSON.
 *
 * Ids start with the run's name, so runs never meet on a long-lived JanusGraph; everything else
 * is a pure function of the index (no randomness).
 */

/** Message property naming each sent message. */
export const TEST_ID_PROPERTY = 'fault-test-id';

export type TopicRole = 'entities' | 'movements';

/** One message to publish, with where it goes and its test id. */
export interface PlannedMessage {
  testId: string;
  topic: TopicRole;
  message: OutgoingMessage;
}

/** Valid accounts and the movements between them. */
export interface ValidLoad {
  accounts: AccountVertex[];
  movements: Movement[];
  /** Vertex upserts of the accounts (entities topic). */
  accountMessages: PlannedMessage[];
  /** The movements (movements topic). */
  movementMessages: PlannedMessage[];
  /** Inclusive start and exclusive end of the movements' timestamps. */
  window: { from: number; to: number };
}

/** Movements are one second apart, so a 5,000-movement load spans under 1.5 hours. */
const MOVEMENT_SPACING_MS = 1_000;

function withTestId(message: OutgoingMessage, testId: string): OutgoingMessage {
  return { ...message, properties: { ...(message.properties ?? {}), [TEST_ID_PROPERTY]: testId } };
}

/**
 * Where a run's movements start in time: 1990-01-01 plus one movement-second per millisecond of
 * the run's start, so the windows of runs started more than a few seconds apart do not overlap
 * (the verifier also ignores movements whose ids are not the run's). All in the past: the worker
 * dead-letters a movement dated more than 7 days after its clock.
 */
export function firstTimestampOf(startedAt: number): number {
  return Date.UTC(1990, 0, 1) + (startedAt % 1_000_000_000) * MOVEMENT_SPACING_MS;
}

export function accountUid(run: string, n: number): string {
  return `account:${run}:${n}`;
}

export function validLoad(
  run: string,
  options: { accounts: number; movements: number; firstTimestamp: number },
): ValidLoad {
  const { firstTimestamp } = options;
  const accounts: AccountVertex[] = Array.from({ length: options.accounts }, (_, n) => ({
    label: 'Account',
    uid: accountUid(run, n),
    props: {
      accountType: 'personal',
      currency: 'EUR',
      openedAt: 1_600_000_000_000,
      status: 'active',
      bankId: 'faults',
      country: 'DE',
    },
  }));
  // Payers (the first half) pay payees (the second half) small amounts: money never flows
  // onwards, so stream detection stays quiet (no chains, cycles or fans to alert on) and the
  // test measures ingest, not alerting.
  const payers = Math.max(1, Math.floor(accounts.length / 2));
  const payees = accounts.length - payers;
  const movements: Movement[] = Array.from({ length: options.movements }, (_, i) => ({
    movementId: `mv:${run}:${i}`,
    fromAccount: accounts[i % payers].uid,
    toAccount: accounts[payers + ((i * 7 + Math.floor(i / payers)) % payees)].uid,
    amountMinor: 100 + ((i * 7_919) % 20_000),
    currency: 'EUR',
    timestamp: firstTimestamp + i * MOVEMENT_SPACING_MS,
    channel: 'wire',
  }));
  return {
    accounts,
    movements,
    accountMessages: accounts.map((account, n) => {
      const testId = `account-${n}`;
      return {
        testId,
        topic: 'entities',
        message: withTestId(
          vertexUpsertMessage(account, { id: `${run}-${testId}`, occurredAt: SOURCE_TIME }),
          testId,
        ),
      };
    }),
    movementMessages: movements.map((movement, i) => {
      const testId = `movement-${i}`;
      return {
        testId,
        topic: 'movements',
        message: withTestId(
          movementMessage(movement, { id: `${run}-${testId}`, occurredAt: movement.timestamp }),
          testId,
        ),
      };
    }),
    window: { from: firstTimestamp, to: firstTimestamp + options.movements * MOVEMENT_SPACING_MS },
  };
}

/** The kinds of poison message the issue names. */
export const POISON_KINDS = [
  'deep-nesting',
  'wrong-type',
  'huge-string',
  'invalid-utf8',
  'missing-account',
] as const;
export type PoisonKind = (typeof POISON_KINDS)[number];

export interface PoisonMessage extends PlannedMessage {
  kind: PoisonKind;
  /** What is wrong, for test titles and failure messages. */
  problem: string;
  /** The account that never arrives (missing-account poison only). */
  missingAccount?: string;
  /**
   * The id it would have in the graph if it were wrongly written: a movement id or a vertex uid
   * (none for a huge id, which no store accepts).
   */
  storedAs?: { movementId: string } | { uid: string };
}

/** Levels of nesting of the deep-nesting poison (the example). */
export const POISON_NESTING_DEPTH = 5_000;
/** Length of the huge string (under Pulsar's 1 MiB WebSocket frame once base64-encoded). */
export const POISON_HUGE_LENGTH = 256 * 1024;
/** Bytes that are not UTF-8: a lead byte followed by ASCII, and a byte UTF-8 never uses. */
const INVALID_UTF8 = Buffer.from([0xc3, 0x28, 0xff]);
/** Stands for the poisoned part while the rest of the message is serialised. */
const HOLE = '\u0000hole\u0000';

/** JSON text of `envelope` with the string `HOLE` (quotes included) replaced by `raw` bytes. */
function spliced(envelope: unknown, raw: Buffer, keepQuotes: boolean): Buffer {
  const text = JSON.stringify(envelope);
  const marker = JSON.stringify(HOLE);
  const at = text.indexOf(marker);
  if (at < 0) throw new Error('the poison template has no hole');
  const before = text.slice(0, at) + (keepQuotes ? '"' : '');
  const after = (keepQuotes ? '"' : '') + text.slice(at + marker.length);
  return Buffer.concat([Buffer.from(before, 'utf8'), raw, Buffer.from(after, 'utf8')]);
}

function envelopeOf(type: string, id: string, payload: unknown): Record<string, unknown> {
  return { type, version: 1, id, occurredAt: SOURCE_TIME, payload };
}

function properties(type: string, testId: string): Record<string, string> {
  return { type, version: '1', 'content-type': 'application/json', [TEST_ID_PROPERTY]: testId };
}

/**
 * `perKind` poison messages of each kind, keyed by real accounts of the load (so under
 * Key_Shared they share a consumer and an order with valid messages). Deep nesting, wrong
 * types, huge strings and invalid UTF-8 come half on the entities topic (a Person or Account
 * upsert), half on the movements topic; movements to an account that never arrives are on the
 * movements topic.
 */
export function poisonMessages(
  run: string,
  perKind: number,
  load: Pick<ValidLoad, 'accounts' | 'window'>,
): PoisonMessage[] {
  const poison: PoisonMessage[] = [];
  const keyAccount = (i: number): string => load.accounts[i % load.accounts.length].uid;
  const movementPayload = (testId: string, i: number): Record<string, unknown> => ({
    movementId: `mv:${run}:${testId}`,
    fromAccount: keyAccount(i),
    toAccount: keyAccount(i + 1),
    amountMinor: 5_000,
    currency: 'EUR',
    timestamp: load.window.from + i,
    channel: 'wire',
  });
  const person = (testId: string, name: string = 'Poison Person') => ({
    label: 'Person',
    uid: `person:${run}:${testId}`,
    props: { name, isPep: false, isSanctioned: false },
  });
  const nested = Buffer.from('['.repeat(POISON_NESTING_DEPTH) + ']'.repeat(POISON_NESTING_DEPTH));
  let index = 0;
  for (const kind of POISON_KINDS) {
    for (let k = 0; k < perKind; k += 1, index += 1) {
      const testId = `poison-${kind}-${k}`;
      const id = `${run}-${testId}`;
      const onEntities = kind !== 'missing-account' && k % 2 === 1;
      const key = keyAccount(index);
      const type = onEntities ? 'vertex.upsert' : 'movement.recorded';
      let payload: Uint8Array | string;
      let problem: string;
      let missingAccount: string | undefined;
      switch (kind) {
        case 'deep-nesting': {
          const body = onEntities
            ? person(testId, HOLE)
            : { ...movementPayload(testId, index), reference: HOLE };
          payload = spliced(envelopeOf(type, id, body), nested, false);
          problem = `${onEntities ? 'payload.props.name' : 'payload.reference'} nested ${POISON_NESTING_DEPTH} levels deep`;
          break;
        }
        case 'wrong-type': {
          const body = onEntities
            ? {
                label: 'Account',
                uid: `account:${run}:${testId}`,
                props: {
                  accountType: 'personal',
                  currency: 'EUR',
                  openedAt: 'yesterday',
                  status: 'active',
                  bankId: 'faults',
                  country: 'DE',
                },
              }
            : { ...movementPayload(testId, index), amountMinor: '50.00' };
          payload = JSON.stringify(envelopeOf(type, id, body));
          problem = onEntities
            ? 'payload.props.openedAt is a string'
            : 'payload.amountMinor is a string';
          break;
        }
        case 'huge-string': {
          const huge = 'x'.repeat(POISON_HUGE_LENGTH);
          const body = onEntities
            ? { ...person(testId), uid: `person:${huge}` }
            : { ...movementPayload(testId, index), movementId: `mv:${huge}` };
          payload = JSON.stringify(envelopeOf(type, id, body));
          problem = `${onEntities ? 'payload.uid' : 'payload.movementId'} is ${POISON_HUGE_LENGTH} characters long`;
          break;
        }
        case 'invalid-utf8': {
          const body = onEntities
            ? person(testId, HOLE)
            : { ...movementPayload(testId, index), reference: HOLE };
          payload = spliced(envelopeOf(type, id, body), INVALID_UTF8, true);
          problem = `${onEntities ? 'payload.props.name' : 'payload.reference'} holds bytes that are not UTF-8`;
          break;
        }
        case 'missing-account': {
          missingAccount = `account:${run}:never-${k}`;
          const body = { ...movementPayload(testId, index), toAccount: missingAccount };
          payload = JSON.stringify(envelopeOf(type, id, body));
          problem = `payload.toAccount ${missingAccount} never arrives`;
          break;
        }
      }
      // Where it would be found had it been written (a huge id can be stored nowhere).
      const storedAs: PoisonMessage['storedAs'] =
        kind === 'huge-string'
          ? undefined
          : onEntities
            ? { uid: `${kind === 'wrong-type' ? 'account' : 'person'}:${run}:${testId}` }
            : { movementId: `mv:${run}:${testId}` };
      poison.push({
        testId,
        kind,
        problem,
        missingAccount,
        storedAs,
        topic: onEntities ? 'entities' : 'movements',
        message: { payload, key, properties: properties(type, testId) },
      });
    }
  }
  return poison;
}

/**
 * `extra` spread evenly through `base` (order of each kept): the poison lands between valid
 * messages, in the same micro-batches.
 */
export function interleave<T>(base: readonly T[], extra: readonly T[]): T[] {
  const out: T[] = [];
  let next = 0;
  base.forEach((item, i) => {
    while (
      next < extra.length &&
      Math.floor(((next + 1) * base.length) / (extra.length + 1)) <= i
    ) {
      out.push(extra[next]);
      next += 1;
    }
    out.push(item);
  });
  return out.concat(extra.slice(next));
}
