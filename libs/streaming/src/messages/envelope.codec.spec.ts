import type { AccountVertex, GraphEdge, Movement, PersonVertex } from '@app/vocabulary';
import {
  alertMessage,
  decodeAlertMessage,
  decodeEntityMessage,
  decodeMovementMessage,
  describeProblems,
  edgeUpsertMessage,
  MAX_ENVELOPE_BYTES,
  MAX_ENVELOPE_DEPTH,
  movementMessage,
  vertexUpsertMessage,
} from './envelope.codec';
import type { StreamAlert } from './envelope.types';

const meta = { id: 'msg-1', occurredAt: 1_735_689_600_000 };

const person: PersonVertex = {
  label: 'Person',
  uid: 'person:gen:1',
  props: { name: 'Ada Example', isPep: false, isSanctioned: false, nationality: 'GB' },
};

const account: AccountVertex = {
  label: 'Account',
  uid: 'account:bank1:001',
  props: {
    accountType: 'personal',
    currency: 'EUR',
    openedAt: 1_600_000_000_000,
    status: 'active',
    bankId: 'bank1',
    country: 'DE',
  },
};

const holds: GraphEdge = {
  label: 'HOLDS',
  eid: 'HOLDS:person:gen:1>account:bank1:001',
  from: person.uid,
  to: account.uid,
  props: { role: 'holder' },
};

const movement: Movement = {
  movementId: 'mv:gen:1',
  fromAccount: 'account:bank1:001',
  toAccount: 'account:bank1:002',
  amountMinor: 950_000,
  currency: 'EUR',
  timestamp: 1_735_689_600_000,
  channel: 'wire',
  reference: 'rent',
};

function bytes(value: unknown): Buffer {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
}

function envelope(type: string, payload: unknown, extra: Record<string, unknown> = {}): Buffer {
  return bytes({ type, version: 1, id: 'e-1', occurredAt: 1, payload, ...extra });
}

function payloadOf(message: { payload: Uint8Array | string }): Buffer {
  return Buffer.from(message.payload as string);
}

describe('stream message envelopes', () => {
  it('encodes a vertex upsert keyed by uid, with type and version properties, and decodes it back', () => {
    const message = vertexUpsertMessage(person, meta);
    expect(message.key).toBe('person:gen:1');
    expect(message.properties).toEqual({
      type: 'vertex.upsert',
      version: '1',
      'content-type': 'application/json',
    });
    expect(JSON.parse(message.payload as string)).toEqual({
      type: 'vertex.upsert',
      version: 1,
      id: 'msg-1',
      occurredAt: 1_735_689_600_000,
      payload: person,
    });
    const decoded = decodeEntityMessage(payloadOf(message));
    expect(decoded).toEqual({
      ok: true,
      envelope: JSON.parse(message.payload as string) as unknown,
    });
  });

  it('encodes edges keyed by their source and movements keyed by the paying account', () => {
    const edge = edgeUpsertMessage(holds, meta);
    expect(edge.key).toBe(person.uid);
    expect(decodeEntityMessage(payloadOf(edge)).ok).toBe(true);
    const mv = movementMessage(movement, meta);
    expect(mv.key).toBe('account:bank1:001');
    const decoded = decodeMovementMessage(payloadOf(mv));
    expect(decoded.ok && decoded.envelope.payload).toEqual(movement);
  });

  it('round-trips an alert', () => {
    const alert: StreamAlert = {
      alertId: 'alert:aml.structuring:fp1',
      ruleId: 'aml.structuring',
      ruleVersion: '1.0.0',
      typology: 'structuring',
      severity: 'high',
      score: 0.8,
      explanation: 'x',
      fingerprint: 'fp1',
      subject: 'account:bank1:001',
      windowStart: 1,
      windowEnd: 2,
      movementIds: ['mv:gen:1'],
      parties: [{ uid: 'account:bank1:001', role: 'subject' }],
    };
    const message = alertMessage(alert, meta);
    expect(message.key).toBe('account:bank1:001');
    const decoded = decodeAlertMessage(payloadOf(message));
    expect(decoded.ok && decoded.envelope.payload).toEqual(alert);

    // With a learned model the alert carries its risk; a risk that is not an object is refused.
    const risk = {
      modelVersion: 'risk-1',
      score: 0.93,
      threshold: 0.5,
      reasons: [{ feature: 'receiverInDistinct7d', effect: 2.5, text: 'five payers in a week' }],
    };
    const scored = decodeAlertMessage(payloadOf(alertMessage({ ...alert, risk }, meta)));
    expect(scored.ok && scored.envelope.payload.risk).toEqual(risk);
    const bad = decodeAlertMessage(
      payloadOf(alertMessage({ ...alert, risk: 'high' as unknown as typeof risk }, meta)),
    );
    expect(bad.ok).toBe(false);
  });

  it('rejects text that is not JSON, and JSON that is not an object', () => {
    expect(decodeEntityMessage(bytes('{oops'))).toEqual({
      ok: false,
      problems: [{ field: 'message', rule: 'must be JSON (a UTF-8 envelope object)' }],
      reason: 'message must be JSON (a UTF-8 envelope object)',
    });
    expect(decodeMovementMessage(bytes('[1,2]'))).toMatchObject({
      ok: false,
      reason: 'message must be an object { type, version, id, occurredAt, payload }',
    });
  });

  it('refuses a deeply nested payload with a reason instead of overflowing the stack', () => {
    const depth = 100_000;
    const nested = '['.repeat(depth) + ']'.repeat(depth);
    const movement = `{"type":"movement.recorded","version":1,"id":"x","occurredAt":1,"payload":{"movementId":"m","extra":${nested}}}`;
    const vertex = `{"type":"vertex.upsert","version":1,"id":"x","occurredAt":1,"payload":{"label":"Person","uid":"p","props":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`;
    const reason = `message must not nest objects and arrays deeper than ${MAX_ENVELOPE_DEPTH} levels`;
    expect(decodeMovementMessage(bytes(movement))).toMatchObject({ ok: false, reason });
    expect(decodeEntityMessage(bytes(movement))).toMatchObject({ ok: false, reason });
    expect(decodeEntityMessage(bytes(vertex))).toMatchObject({ ok: false, reason });
  });

  it('refuses keys every JavaScript object inherits, anywhere in the message, with a clear reason', () => {
    const vertex = (props: string) =>
      `{"type":"vertex.upsert","version":1,"id":"x","occurredAt":1,"payload":{"label":"Person","uid":"person:gen:1","props":${props}}}`;
    const named = '"name":"A","isPep":false,"isSanctioned":false';
    for (const [props, key] of [
      [`{${named},"hasOwnProperty":"x"}`, 'hasOwnProperty'],
      [`{${named},"valueOf":5}`, 'valueOf'],
      [`{${named},"constructor":{"name":"x"}}`, 'constructor'],
      [`{${named},"__proto__":{"isPep":true}}`, '__proto__'],
    ]) {
      expect(decodeEntityMessage(bytes(vertex(props)))).toMatchObject({
        ok: false,
        reason: `message must not use the key "${key}" (a name every JavaScript object inherits; no message has such a field)`,
      });
    }
    const envelopeKey = `{"type":"vertex.upsert","version":1,"id":"x","occurredAt":1,"constructor":1,"payload":{}}`;
    expect(decodeEntityMessage(bytes(envelopeKey))).toMatchObject({ ok: false });
  });

  it('refuses bytes that are not UTF-8 instead of storing replacement characters', () => {
    const valid = Buffer.from(
      '{"type":"vertex.upsert","version":1,"id":"x","occurredAt":1,"payload":{"label":"Person","uid":"p","props":{"name":"AB"}}}',
      'utf8',
    );
    const at = valid.indexOf('AB');
    const broken = Buffer.concat([
      valid.subarray(0, at),
      Buffer.from([0xc3, 0x28, 0xff]),
      valid.subarray(at + 2),
    ]);
    expect(decodeEntityMessage(broken)).toEqual({
      ok: false,
      problems: [{ field: 'message', rule: 'must be valid UTF-8 text' }],
      reason: 'message must be valid UTF-8 text',
    });
    expect(decodeMovementMessage(broken)).toMatchObject({
      ok: false,
      reason: 'message must be valid UTF-8 text',
    });
  });

  it('refuses a message larger than the limit without parsing it', () => {
    const huge = bytes(' '.repeat(MAX_ENVELOPE_BYTES + 1));
    expect(decodeEntityMessage(huge)).toMatchObject({
      ok: false,
      reason: `message must be at most ${MAX_ENVELOPE_BYTES} bytes (was ${MAX_ENVELOPE_BYTES + 1})`,
    });
  });

  it('names every envelope field that is wrong, and unknown fields', () => {
    const decoded = decodeEntityMessage(
      bytes({ type: 'vertex.delete', version: 2, id: '', occurredAt: -5, payload: 'x', extra: 1 }),
    );
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    const byField = Object.fromEntries(decoded.problems.map((p) => [p.field, p.rule]));
    expect(Object.keys(byField).sort()).toEqual([
      'extra',
      'id',
      'occurredAt',
      'payload',
      'type',
      'version',
    ]);
    expect(byField.type).toMatch(
      /^must be one of vertex.upsert, edge.upsert, movement.recorded, alert.raised/,
    );
    expect(byField.version).toBe('must be 1 (the only envelope version this code reads)');
    expect(byField.occurredAt).toBe('must be 0 or more');
    expect(byField.extra).toBe('is not a field of this message');
  });

  it('refuses a message type that belongs on another topic', () => {
    expect(decodeEntityMessage(envelope('movement.recorded', movement))).toMatchObject({
      ok: false,
      reason:
        'type must be vertex.upsert or edge.upsert on the entities topic (was movement.recorded)',
    });
    expect(decodeMovementMessage(envelope('vertex.upsert', person))).toMatchObject({
      ok: false,
      reason: 'type must be movement.recorded on the movements topic (was vertex.upsert)',
    });
    expect(
      decodeEntityMessage(envelope('edge.upsert', { ...holds, label: 'TRANSFERRED' })),
    ).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /^payload.label must be one of .* \(movements go to the movements topic/,
      ) as unknown,
    });
  });

  it('refuses alerts, their parties and their status history: the analytics write those, producers never do', () => {
    const statusChange = {
      label: 'StatusChange',
      uid: 'status:alert:x#1',
      props: {
        alertId: 'alert:x',
        seq: 1,
        fromStatus: 'open',
        toStatus: 'closed',
        at: 1,
        note: 'forged',
        actor: 'someone',
      },
    };
    expect(decodeEntityMessage(envelope('vertex.upsert', statusChange))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /^payload.label must be one of Person, .*Event \(alerts and their status history are written by the analytics/,
      ) as unknown,
    });
    for (const label of ['FLAGS', 'HAS_STATUS_CHANGE']) {
      const decoded = decodeEntityMessage(envelope('edge.upsert', { ...holds, label }));
      expect(decoded.ok).toBe(false);
    }
    // The bank's own records on the same topic still pass.
    expect(decodeEntityMessage(envelope('vertex.upsert', person)).ok).toBe(true);
    expect(decodeEntityMessage(envelope('edge.upsert', holds)).ok).toBe(true);
  });

  it('checks vertex props with the vocabulary rules', () => {
    const decoded = decodeEntityMessage(
      envelope('vertex.upsert', {
        ...account,
        props: { ...account.props, currency: 'eur', openedAt: 1.5 },
      }),
    );
    expect(decoded).toMatchObject({ ok: false });
    if (decoded.ok) return;
    expect(decoded.problems).toEqual([
      {
        field: 'payload.props.currency',
        rule: 'must be a three-letter ISO 4217 currency code in capitals',
      },
      { field: 'payload.props.openedAt', rule: 'must be a whole number' },
    ]);
  });

  it('checks the vertex shape before the rules (label, uid, props)', () => {
    const decoded = decodeEntityMessage(envelope('vertex.upsert', { label: 'Planet', uid: 7 }));
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.problems.map((p) => p.field).sort()).toEqual([
      'payload.label',
      'payload.props',
      'payload.uid',
    ]);
  });

  it('checks movements with the vocabulary and names the movement fields', () => {
    const decoded = decodeMovementMessage(
      envelope('movement.recorded', {
        ...movement,
        movementId: '!bad',
        amountMinor: 0,
        currency: 'euro',
      }),
    );
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.problems).toEqual([
      {
        field: 'payload.movementId',
        rule: expect.stringMatching(/^must be 1-200 characters/) as unknown,
      },
      { field: 'payload.amountMinor', rule: 'must be at least 1' },
      {
        field: 'payload.currency',
        rule: 'must be a three-letter ISO 4217 currency code in capitals',
      },
    ]);
    expect(describeProblems(decoded.problems)).toMatch(/payload.amountMinor must be at least 1/);
  });

  it('refuses unknown movement fields and wrong types before checking rules', () => {
    const decoded = decodeMovementMessage(
      envelope('movement.recorded', { ...movement, amountMinor: '12.50', iban: 'DE00' }),
    );
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.problems).toHaveLength(2);
    expect(decoded.problems).toEqual(
      expect.arrayContaining([
        { field: 'payload.amountMinor', rule: 'must be a whole number of minor units' },
        { field: 'payload.iban', rule: 'is not a field of this message' },
      ]),
    );
  });
});
