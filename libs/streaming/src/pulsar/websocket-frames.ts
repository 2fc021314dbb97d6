import type { BrokerMessage } from '../message-broker.port';
import { StreamConnectError } from './websocket-open';

/*
 * The JSON frames of Pulsar's WebSocket API, read defensively: a frame the API pushes is checked
 * field by field before anything trusts it.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The string-valued entries of an object (message properties). */
export function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') out[key] = item;
  return out;
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Connection failures worth another attempt (not a refusal by the broker). */
export function retryable(error: unknown): boolean {
  return error instanceof StreamConnectError && error.retryable;
}

/** A message frame as the WebSocket API pushes it to consumers and readers. */
export interface IncomingFrame {
  messageId: string;
  payload: string;
  properties: Record<string, string>;
  publishTime: number;
  redeliveryCount: number;
  key?: string;
}

/** A message frame, or undefined when the text is not one. */
export function parseFrame(text: string): IncomingFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (
    !isRecord(value) ||
    typeof value.messageId !== 'string' ||
    typeof value.payload !== 'string'
  ) {
    return undefined;
  }
  const publishTime =
    typeof value.publishTime === 'number'
      ? value.publishTime
      : typeof value.publishTime === 'string'
        ? Date.parse(value.publishTime)
        : Number.NaN;
  return {
    messageId: value.messageId,
    payload: value.payload,
    properties: stringRecord(value.properties),
    publishTime: Number.isFinite(publishTime) ? publishTime : 0,
    redeliveryCount: typeof value.redeliveryCount === 'number' ? value.redeliveryCount : 0,
    key: typeof value.key === 'string' && value.key !== '' ? value.key : undefined,
  };
}

/** The port's view of a pushed message frame. */
export function brokerMessageOf(topic: string, frame: IncomingFrame): BrokerMessage {
  return {
    messageId: frame.messageId,
    topic,
    payload: Buffer.from(frame.payload, 'base64'),
    key: frame.key,
    properties: frame.properties,
    publishTime: frame.publishTime,
    redeliveryCount: frame.redeliveryCount,
  };
}

/** A producer's receipt: the broker stored the message (`ok`) or refused it. */
export type Receipt =
  | { context: string; ok: true; messageId: string }
  | { context: string; ok: false; result: string; detail: string };

/** A receipt frame, or undefined when the text is not one. */
export function parseReceipt(text: string): Receipt | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || typeof value.context !== 'string') return undefined;
  if (value.result === 'ok' && typeof value.messageId === 'string') {
    return { context: value.context, ok: true, messageId: value.messageId };
  }
  return {
    context: value.context,
    ok: false,
    result: String(value.result),
    detail: typeof value.errorMsg === 'string' ? value.errorMsg : 'no reason given',
  };
}
