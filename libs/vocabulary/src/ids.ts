import type { EdgeLabel, IdentifierKind } from './labels';

/** Largest instant an audit uid can hold (the vocabulary's largest instant). */
const AUDIT_MAX_AT = 8_640_000_000_000_000;
/** Largest writer sequence number an audit uid can hold. */
const AUDIT_MAX_SEQ = 999_999_999_999;

/**
 * Business id builders. Ids are stable: the same real thing from two sources gets the same id,
 * so upserts merge instead of duplicating.
 */
export const ids = {
  person: (source: string, key: string | number): string => `person:${source}:${key}`,
  company: (source: string, key: string | number): string => `company:${source}:${key}`,
  account: (bankId: string, accountNumber: string): string => `account:${bankId}:${accountNumber}`,
  cashPoint: (bankId: string, branch: string): string => `cash:${bankId}:${branch}`,
  /** Identifiers are keyed by their normalised value so that every holder of one shares it. */
  identifier: (kind: IdentifierKind, value: string): string =>
    `${kind}:${normaliseIdentifier(kind, value)}`,
  event: (source: string, key: string | number): string => `event:${source}:${key}`,
  movement: (source: string, key: string | number): string => `mv:${source}:${key}`,
  relation: (source: string, key: string | number): string => `rel:${source}:${key}`,
  alert: (ruleId: string, fingerprint: string): string => `alert:${ruleId}:${fingerprint}`,
  /** The `seq`-th status change of an alert (0 is the raise). */
  statusChange: (alertId: string, seq: number): string => `status:${alertId}#${seq}`,
  /**
   * The HAS_STATUS_CHANGE edge to a status change. Keyed by that change alone (it has exactly
   * one), not by both ends like `structural`, which would repeat the alert id in the id.
   */
  statusChangeEdge: (alertId: string, seq: number): string =>
    `HAS_STATUS_CHANGE:${ids.statusChange(alertId, seq)}`,
  /**
   * One audit entry. The time and the writer's sequence number are stored inverted, so that
   * plain uid order (the order every store lists in) is newest first: `at` in epoch ms, `seq`
   * counting the writer's entries, `writer` naming the writing process (letters and digits).
   */
  auditEntry: (at: number, seq: number, writer: string): string =>
    `audit:${String(AUDIT_MAX_AT - at).padStart(16, '0')}:${String(AUDIT_MAX_SEQ - seq).padStart(12, '0')}:${writer}`,
  /** Structural edges (HOLDS, USES, HAS_EVENT, FLAGS) are keyed by their ends. */
  structural: (label: EdgeLabel, from: string, to: string): string => `${label}:${from}>${to}`,
};

export function normaliseIdentifier(kind: IdentifierKind, value: string): string {
  const trimmed = value.trim();
  switch (kind) {
    case 'email':
      return trimmed.toLowerCase();
    case 'phone':
      return trimmed.replace(/[^\d+]/g, '');
    case 'address':
      return trimmed
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '');
    case 'device':
    case 'ip':
    case 'card':
      return trimmed.replace(/\s+/g, '');
  }
}
