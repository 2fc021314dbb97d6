import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { movementEdge, validateEdge, validateVertex } from '@app/vocabulary';
import type { FieldProblem, GraphEdge, GraphVertex, Movement } from '@app/vocabulary';
import type { OutgoingMessage } from '../message-broker.port';
import {
  AlertPayloadDto,
  EdgePayloadDto,
  EnvelopeDto,
  MovementPayloadDto,
  VertexPayloadDto,
} from './envelope.dto';
import {
  AlertEnvelope,
  EdgeUpsertEnvelope,
  Envelope,
  ENVELOPE_PROPERTIES,
  ENVELOPE_VERSION,
  EntityEnvelope,
  MESSAGE_TYPES,
  MessageType,
  MovementEnvelope,
  StreamAlert,
  VertexUpsertEnvelope,
} from './envelope.types';

/** A decoded message, or every problem found in it (field + rule). */
export type Decoded<E> =
  { ok: true; envelope: E } | { ok: false; problems: FieldProblem[]; reason: string };

/** "payload.props.amountMinor must be at least 1; id is required" */
export function describeProblems(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `${p.field} ${p.rule}`).join('; ');
}

function rejected<E>(problems: FieldProblem[]): Decoded<E> {
  return { ok: false, problems, reason: describeProblems(problems) };
}

function flatten(errors: readonly ValidationError[], prefix: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const error of errors) {
    const field = `${prefix}${error.property}`;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      problems.push({
        field,
        rule:
          constraint === 'whitelistValidation'
            ? 'is not a field of this message'
            : message.startsWith(`${error.property} `)
              ? message.slice(error.property.length + 1)
              : message,
      });
    }
    problems.push(...flatten(error.children ?? [], `${field}.`));
  }
  return problems;
}

/** Checks a plain object with a DTO class, as the API's ValidationPipe does. */
function checkDto(
  cls: new () => object,
  plain: Record<string, unknown>,
  prefix: string,
): FieldProblem[] {
  const instance = plainToInstance(cls, plain);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  return flatten(errors, prefix);
}

/** Largest message the decoders read (bytes); a bigger one is refused without parsing it. */
export const MAX_ENVELOPE_BYTES = 1024 * 1024;

/**
 * Deepest nesting of objects and arrays the decoders accept. A real envelope nests about five
 * levels; the limit protects the validators, which walk values recursively and would overflow
 * the stack on a maliciously deep payload.
 */
export const MAX_ENVELOPE_DEPTH = 32;

/** What `shapeProblem` found wrong with a parsed JSON value, if anything. */
type ShapeProblem = { kind: 'depth' } | { kind: 'key'; key: string };

/**
 * The first problem of a parsed JSON value's shape (checked without recursion): nesting deeper
 * than `limit`, or a key that every JavaScript object inherits (`__proto__`, `constructor`,
 * `valueOf`…). Such a key is no field of any message, and the validators, which look fields up
 * on objects, would take it for one or fail on it.
 */
function shapeProblem(value: unknown, limit: number): ShapeProblem | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > limit) return { kind: 'depth' };
    if (!Array.isArray(current)) {
      const key = Object.keys(current).find((name) => name in Object.prototype);
      if (key !== undefined) return { kind: 'key', key };
    }
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  return undefined;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function parseEnvelope(bytes: Buffer): Decoded<Envelope<MessageType, Record<string, unknown>>> {
  if (bytes.length > MAX_ENVELOPE_BYTES) {
    return rejected([
      {
        field: 'message',
        rule: `must be at most ${MAX_ENVELOPE_BYTES} bytes (was ${bytes.length})`,
      },
    ]);
  }
  let text: string;
  try {
    // Fatal: bytes that are not UTF-8 are refused, not replaced with U+FFFD and stored.
    text = UTF8.decode(bytes);
  } catch {
    return rejected([{ field: 'message', rule: 'must be valid UTF-8 text' }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return rejected([{ field: 'message', rule: 'must be JSON (a UTF-8 envelope object)' }]);
  }
  const shape = shapeProblem(value, MAX_ENVELOPE_DEPTH);
  if (shape?.kind === 'depth') {
    return rejected([
      {
        field: 'message',
        rule: `must not nest objects and arrays deeper than ${MAX_ENVELOPE_DEPTH} levels`,
      },
    ]);
  }
  if (shape?.kind === 'key') {
    return rejected([
      {
        field: 'message',
        rule: `must not use the key ${JSON.stringify(shape.key)} (a name every JavaScript object inherits; no message has such a field)`,
      },
    ]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return rejected([
      { field: 'message', rule: 'must be an object { type, version, id, occurredAt, payload }' },
    ]);
  }
  const problems = checkDto(EnvelopeDto, value as Record<string, unknown>, '');
  if (problems.length > 0) return rejected(problems);
  return { ok: true, envelope: value as Envelope<MessageType, Record<string, unknown>> };
}

function prefixed(problems: readonly FieldProblem[], prefix: string): FieldProblem[] {
  return problems.map((p) => ({ field: `${prefix}${p.field}`, rule: p.rule }));
}

/** Movement fields as the vocabulary's edge validator names them, mapped back. */
function movementField(field: string): string {
  if (field === 'eid') return 'payload.movementId';
  if (field === 'from') return 'payload.fromAccount';
  if (field === 'to') return 'payload.toAccount';
  return `payload.${field.replace(/^props\./, '')}`;
}

/** Decodes a message of the entities topic (vertex and edge upserts). */
export function decodeEntityMessage(bytes: Buffer): Decoded<EntityEnvelope> {
  const parsed = parseEnvelope(bytes);
  if (!parsed.ok) return parsed;
  const { envelope } = parsed;
  if (envelope.type === MESSAGE_TYPES.vertexUpsert) {
    const shape = checkDto(VertexPayloadDto, envelope.payload, 'payload.');
    if (shape.length > 0) return rejected(shape);
    const rules = validateVertex(envelope.payload as unknown as GraphVertex);
    if (rules.length > 0) return rejected(prefixed(rules, 'payload.'));
    return { ok: true, envelope: envelope as unknown as VertexUpsertEnvelope };
  }
  if (envelope.type === MESSAGE_TYPES.edgeUpsert) {
    const shape = checkDto(EdgePayloadDto, envelope.payload, 'payload.');
    if (shape.length > 0) return rejected(shape);
    const rules = validateEdge(envelope.payload as unknown as GraphEdge);
    if (rules.length > 0) return rejected(prefixed(rules, 'payload.'));
    return { ok: true, envelope: envelope as unknown as EdgeUpsertEnvelope };
  }
  return rejected([
    {
      field: 'type',
      rule: `must be ${MESSAGE_TYPES.vertexUpsert} or ${MESSAGE_TYPES.edgeUpsert} on the entities topic (was ${envelope.type})`,
    },
  ]);
}

/** Decodes a message of the movements topic. */
export function decodeMovementMessage(bytes: Buffer): Decoded<MovementEnvelope> {
  const parsed = parseEnvelope(bytes);
  if (!parsed.ok) return parsed;
  const { envelope } = parsed;
  if (envelope.type !== MESSAGE_TYPES.movementRecorded) {
    return rejected([
      {
        field: 'type',
        rule: `must be ${MESSAGE_TYPES.movementRecorded} on the movements topic (was ${envelope.type})`,
      },
    ]);
  }
  const shape = checkDto(MovementPayloadDto, envelope.payload, 'payload.');
  if (shape.length > 0) return rejected(shape);
  const movement = envelope.payload as unknown as Movement;
  const rules = validateEdge(movementEdge(movement)).map((p) => ({
    field: movementField(p.field),
    rule: p.rule,
  }));
  if (rules.length > 0) return rejected(rules);
  return { ok: true, envelope: envelope as unknown as MovementEnvelope };
}

/** Decodes a message of the alerts topic. */
export function decodeAlertMessage(bytes: Buffer): Decoded<AlertEnvelope> {
  const parsed = parseEnvelope(bytes);
  if (!parsed.ok) return parsed;
  const { envelope } = parsed;
  if (envelope.type !== MESSAGE_TYPES.alertRaised) {
    return rejected([
      { field: 'type', rule: `must be ${MESSAGE_TYPES.alertRaised} on the alerts topic` },
    ]);
  }
  const shape = checkDto(AlertPayloadDto, envelope.payload, 'payload.');
  if (shape.length > 0) return rejected(shape);
  return { ok: true, envelope: envelope as unknown as AlertEnvelope };
}

/** Id and time of an envelope. */
export interface EnvelopeMeta {
  id: string;
  occurredAt: number;
}

function encode<T extends MessageType, P>(
  type: T,
  payload: P,
  meta: EnvelopeMeta,
  key: string,
): OutgoingMessage {
  const envelope: Envelope<T, P> = {
    type,
    version: ENVELOPE_VERSION,
    id: meta.id,
    occurredAt: meta.occurredAt,
    payload,
  };
  return {
    payload: JSON.stringify(envelope),
    key,
    properties: {
      [ENVELOPE_PROPERTIES.type]: type,
      [ENVELOPE_PROPERTIES.version]: String(ENVELOPE_VERSION),
      [ENVELOPE_PROPERTIES.contentType]: 'application/json',
    },
  };
}

/** A vertex upsert for the entities topic, keyed by the vertex uid. */
export function vertexUpsertMessage(vertex: GraphVertex, meta: EnvelopeMeta): OutgoingMessage {
  return encode(MESSAGE_TYPES.vertexUpsert, vertex, meta, vertex.uid);
}

/** An edge upsert for the entities topic (not TRANSFERRED), keyed by its source vertex. */
export function edgeUpsertMessage(edge: GraphEdge, meta: EnvelopeMeta): OutgoingMessage {
  return encode(MESSAGE_TYPES.edgeUpsert, edge, meta, edge.from);
}

/** A movement for the movements topic, keyed by the paying account. */
export function movementMessage(movement: Movement, meta: EnvelopeMeta): OutgoingMessage {
  return encode(MESSAGE_TYPES.movementRecorded, movement, meta, movement.fromAccount);
}

/** An alert for the alerts topic, keyed by its subject. */
export function alertMessage(alert: StreamAlert, meta: EnvelopeMeta): OutgoingMessage {
  return encode(MESSAGE_TYPES.alertRaised, alert, meta, alert.subject);
}
