import { InvalidInputError } from '@app/vocabulary';

/** A topic resolved against a tenant and namespace. */
export interface ResolvedTopic {
  /** `persistent://tenant/namespace/name` */
  full: string;
  /** `persistent/tenant/namespace/name`, URL-encoded per segment (WebSocket and REST paths). */
  path: string;
}

const FULL_TOPIC = /^(persistent|non-persistent):\/\/([^/\s]+)\/([^/\s]+)\/([^/\s]+)$/;
const SHORT_TOPIC = /^[A-Za-z0-9._-]+$/;

/**
 * Resolves `bank.entities` to `persistent://<tenant>/<namespace>/bank.entities`; a full name is
 * kept as it is. Anything else is an `InvalidInputError` naming the rule.
 */
export function resolveTopic(topic: string, tenant: string, namespace: string): ResolvedTopic {
  const full = FULL_TOPIC.exec(topic);
  if (full) {
    const [, domain, t, ns, name] = full;
    return { full: topic, path: [domain, t, ns, name].map(encodeURIComponent).join('/') };
  }
  if (!SHORT_TOPIC.test(topic)) {
    throw new InvalidInputError(`"${topic}" is not a topic name`, [
      {
        field: 'topic',
        rule: 'must be letters, digits, dot, dash or underscore, or a full persistent://tenant/namespace/name',
      },
    ]);
  }
  return {
    full: `persistent://${tenant}/${namespace}/${topic}`,
    path: ['persistent', tenant, namespace, topic].map(encodeURIComponent).join('/'),
  };
}

/** Properties added to a dead-lettered message. */
export const DLQ_PROPERTIES = {
  /** Why the message was dead-lettered on purpose (field and rule, or the last error). */
  reason: 'dlq-reason',
  /** The topic it came from (the name Pulsar uses for its own dead-lettering). */
  realTopic: 'REAL_TOPIC',
  /** Its message id on that topic (Pulsar's name). */
  originMessageId: 'ORIGIN_MESSAGE_ID',
} as const;

/** Longest reason kept in the `dlq-reason` property. */
export const MAX_DLQ_REASON_LENGTH = 2000;

export function clipReason(reason: string): string {
  return reason.length > MAX_DLQ_REASON_LENGTH
    ? `${reason.slice(0, MAX_DLQ_REASON_LENGTH - 1)}…`
    : reason;
}

export function payloadBytes(payload: Uint8Array | string): Buffer {
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
}
