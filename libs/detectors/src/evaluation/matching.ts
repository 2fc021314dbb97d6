import type { GroundTruthRecord } from '@app/vocabulary';
import type { DetectedAlert } from '../core/detector';

/**
 * How an alert is matched to a labelled instance. Two views are computed side by side.
 *
 * **Strict** (the headline figures): the alert must point at the instance's own evidence.
 * 1. It shares at least one movement with the instance (alert evidence ∩ instance movements), or
 * 2. it shares at least one event (alert evidence events ∩ instance entities, which list the
 *    instance's event ids) — account takeover, impossible travel, or
 * 3. for a structural alert, which carries neither movements nor events (a fraud ring), it shares
 *    parties: at least two of the alert's member accounts are entities of the instance (or its
 *    only member, when the alert names one).
 *
 * **Lenient** (a second column, kept for comparison with earlier reports): everything strict
 * matches, plus an alert whose key entity (its subject) is one of the instance's entities when
 * their time windows overlap (with `slackMs` either side); structural alerts are dated by the
 * scan, so their window is not compared. Lenient matching counts an alert on the right account
 * at the right time even when it shares no movement with the instance.
 */
export interface MatchOptions {
  slackMs: number;
  /**
   * Rules whose alerts mark reporting obligations rather than suspicion (see Detector.purpose).
   * Their alerts are listed per rule but left out of the typology scores.
   */
  reportingRules: readonly string[];
}

export const DEFAULT_MATCH_OPTIONS: MatchOptions = { slackMs: 2 * 86_400_000, reportingRules: [] };

export type MatchMode = 'strict' | 'lenient';

export const MATCH_MODES: readonly MatchMode[] = ['strict', 'lenient'];

/** Parties of an alert that stand for accounts (the subject and members, not identifiers). */
function memberParties(alert: DetectedAlert): string[] {
  return alert.parties.filter((p) => p.role === 'subject' || p.role === 'member').map((p) => p.uid);
}

function isStructural(alert: DetectedAlert): boolean {
  return alert.movements.length === 0 && (alert.events ?? []).length === 0;
}

/** Index of instances by movement and entity, for fast matching. */
export class TruthIndex {
  private readonly byMovement = new Map<string, GroundTruthRecord[]>();
  private readonly byEntity = new Map<string, GroundTruthRecord[]>();

  constructor(readonly records: readonly GroundTruthRecord[]) {
    for (const r of records) {
      for (const id of new Set(r.movements)) push(this.byMovement, id, r);
      for (const id of new Set(r.entities)) push(this.byEntity, id, r);
    }
  }

  matches(alert: DetectedAlert, mode: MatchMode, slackMs: number): GroundTruthRecord[] {
    const found = this.strict(alert);
    if (mode === 'lenient') {
      for (const r of this.byEntity.get(alert.subject) ?? []) {
        if (found.has(r)) continue;
        if (
          isStructural(alert) ||
          !r.window ||
          (alert.windowEnd >= r.window.from - slackMs && alert.windowStart <= r.window.to + slackMs)
        ) {
          found.add(r);
        }
      }
    }
    return [...found];
  }

  private strict(alert: DetectedAlert): Set<GroundTruthRecord> {
    const found = new Set<GroundTruthRecord>();
    for (const m of alert.movements)
      for (const r of this.byMovement.get(m.movementId) ?? []) found.add(r);
    for (const e of alert.events ?? [])
      for (const r of this.byEntity.get(e.eventId) ?? []) found.add(r);
    if (isStructural(alert)) {
      const members = [...new Set(memberParties(alert))];
      const needed = Math.min(2, members.length);
      const shared = new Map<GroundTruthRecord, number>();
      for (const uid of members)
        for (const r of this.byEntity.get(uid) ?? []) shared.set(r, (shared.get(r) ?? 0) + 1);
      for (const [r, count] of shared) if (needed > 0 && count >= needed) found.add(r);
    }
    return found;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export const STRICT_MATCHING_RULE =
  'Strict (headline figures): an alert matches an instance only when it shares at least one movement with it, or at least one event ' +
  '(account takeover, impossible travel); a structural alert without movements or events (a fraud ring) matches when at least two of its ' +
  'member accounts are entities of the instance (its only member when it names one).';

export const LENIENT_MATCHING_RULE =
  'Lenient (second column, for comparison): what strict matches, plus an alert whose key entity is one of the instance entities when their ' +
  'windows overlap (2 days slack; structural alerts are not dated). A lenient match may share no movement with the instance.';
