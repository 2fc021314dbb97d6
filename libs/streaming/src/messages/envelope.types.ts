import type { FlagRole, GraphEdge, GraphVertex, Movement, Severity } from '@app/vocabulary';

/**
 * Message contracts of the bank topics. Every message is a JSON envelope
 * `{ type, version, id, occurredAt, payload }` (UTF-8), with `type` and `version` repeated as
 * message properties so tools can filter without parsing.
 *
 * - entities topic: `vertex.upsert` (payload: a vocabulary vertex) and `edge.upsert` (payload:
 *   a vocabulary edge, any label but TRANSFERRED);
 * - movements topic: `movement.recorded` (payload: a `Movement`, the flattened TRANSFERRED edge);
 * - alerts topic: `alert.raised` (payload: a `StreamAlert`), published by the ingest worker.
 */
export const MESSAGE_TYPES = {
  vertexUpsert: 'vertex.upsert',
  edgeUpsert: 'edge.upsert',
  movementRecorded: 'movement.recorded',
  alertRaised: 'alert.raised',
} as const;
export type MessageType = (typeof MESSAGE_TYPES)[keyof typeof MESSAGE_TYPES];
export const ALL_MESSAGE_TYPES: readonly MessageType[] = Object.values(MESSAGE_TYPES);

/** The one envelope version this code writes and reads. */
export const ENVELOPE_VERSION = 1;

/** Message properties set on every envelope. */
export const ENVELOPE_PROPERTIES = {
  type: 'type',
  version: 'version',
  contentType: 'content-type',
} as const;

export interface Envelope<T extends MessageType, P> {
  type: T;
  version: typeof ENVELOPE_VERSION;
  /** Unique id of this message (not of the thing it carries); used in logs. */
  id: string;
  /** Epoch ms when the change happened at the source (a movement's own timestamp). */
  occurredAt: number;
  payload: P;
}

/** An alert as the ingest worker publishes it (the parties are business ids). */
export interface StreamAlert {
  alertId: string;
  ruleId: string;
  ruleVersion: string;
  typology: string;
  severity: Severity;
  score: number;
  explanation: string;
  fingerprint: string;
  subject: string;
  windowStart: number;
  windowEnd: number;
  movementIds: string[];
  parties: { uid: string; role: FlagRole }[];
  /**
   * The learned risk model's view of the movement that raised the alert (RISK_MODEL_FILE):
   * score (0 to 1), threshold, model version and the strongest reasons in words. Absent when
   * no model is configured.
   */
  risk?: StreamAlertRisk;
}

export interface StreamAlertRisk {
  modelVersion: string;
  score: number;
  threshold: number;
  reasons: { feature: string; effect: number; text: string }[];
}

export type VertexUpsertEnvelope = Envelope<'vertex.upsert', GraphVertex>;
export type EdgeUpsertEnvelope = Envelope<'edge.upsert', GraphEdge>;
export type MovementEnvelope = Envelope<'movement.recorded', Movement>;
export type AlertEnvelope = Envelope<'alert.raised', StreamAlert>;
export type EntityEnvelope = VertexUpsertEnvelope | EdgeUpsertEnvelope;
