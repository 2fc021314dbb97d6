import type { DetectedAlert } from '../core/detector';

/** How specific a rule is when two alerts show the same movements (higher wins). */
export type SpecificityOf = (ruleId: string) => number;

export interface ConsolidationResult {
  /** Alerts not covered by a more specific one. */
  kept: DetectedAlert[];
  /** Covered alert id -> the alert id that covers it. */
  coveredBy: Map<string, string>;
}

/**
 * Case consolidation: an alert whose evidence movements all belong to another alert's evidence
 * is shown as part of that alert instead of on its own — a pass-through hop inside a mule
 * chain, a bipartite layer inside a stack, the scatter legs of a scatter-gather that also look
 * like a fan-out. A broad rule (negative specificity: a fan of new counterparties, a lone
 * forwarding chain) covers only alerts of rules as broad as itself, so a fan that happens to
 * include a wire to a high-risk jurisdiction or an account takeover's drains does not hide that
 * finding; a broad alert sharing at least half of its movements with a specific alert is shown
 * inside it, and so is any other alert sharing at least three quarters of its movements with a
 * larger alert of a more specific rule (a stack's middle account seen as a gather-scatter hub,
 * with an ordinary payment of its own). Otherwise the alert with more movements wins, then the
 * more specific rule. Alerts
 * without movements (rings, event-only alerts) are never covered. Deterministic: ties go to the
 * lower alert id.
 */
export function consolidateAlerts(
  alerts: readonly DetectedAlert[],
  specificity: SpecificityOf = () => 0,
): ConsolidationResult {
  const byMovement = new Map<string, DetectedAlert[]>();
  for (const alert of alerts) {
    for (const m of alert.movements) {
      const list = byMovement.get(m.movementId);
      if (list) list.push(alert);
      else byMovement.set(m.movementId, [alert]);
    }
  }
  const beats = (a: DetectedAlert, b: DetectedAlert): boolean => {
    if (a.movements.length !== b.movements.length) return a.movements.length > b.movements.length;
    const sa = specificity(a.ruleId);
    const sb = specificity(b.ruleId);
    if (sa !== sb) return sa > sb;
    return a.alertId < b.alertId;
  };
  const mayCover = (candidate: DetectedAlert, alert: DetectedAlert): boolean => {
    const theirs = specificity(candidate.ruleId);
    return theirs >= 0 || theirs >= specificity(alert.ruleId);
  };
  /**
   * A broad alert (a fan of new counterparties, a lone forwarding chain) that shares at least half
   * of its movements with an alert of a specific rule is shown inside it: the hub of a stack or a
   * scatter-gather plus one ordinary payment is the same case, not a second one.
   */
  const broadHost = (alert: DetectedAlert, ids: ReadonlySet<string>): DetectedAlert | undefined => {
    if (specificity(alert.ruleId) >= 0) return undefined;
    const shared = new Map<DetectedAlert, number>();
    for (const id of ids) {
      for (const other of byMovement.get(id) ?? []) {
        if (other !== alert && specificity(other.ruleId) >= 0) {
          shared.set(other, (shared.get(other) ?? 0) + 1);
        }
      }
    }
    let host: DetectedAlert | undefined;
    let most = 0;
    for (const [other, count] of shared) {
      if (2 * count < ids.size) continue;
      if (count > most || (count === most && host !== undefined && beats(other, host))) {
        host = other;
        most = count;
      }
    }
    return host;
  };
  /**
   * An alert that shares at least three quarters of its movements with a larger alert of a more
   * specific rule is a fragment of that case plus a few of the account's other payments: the
   * middle account of a stack is also a gather-scatter hub, and its window takes in an ordinary
   * payment or two from days before. The case is the stack; the fragment is shown inside it.
   */
  const specificHost = (
    alert: DetectedAlert,
    ids: ReadonlySet<string>,
  ): DetectedAlert | undefined => {
    const mine = specificity(alert.ruleId);
    if (mine < 0) return undefined;
    const shared = new Map<DetectedAlert, number>();
    for (const id of ids) {
      for (const other of byMovement.get(id) ?? []) {
        if (other === alert || other.movements.length < ids.size) continue;
        if (specificity(other.ruleId) <= mine) continue;
        shared.set(other, (shared.get(other) ?? 0) + 1);
      }
    }
    let host: DetectedAlert | undefined;
    let most = 0;
    for (const [other, count] of shared) {
      if (4 * count < 3 * ids.size) continue;
      if (count > most || (count === most && host !== undefined && beats(other, host))) {
        host = other;
        most = count;
      }
    }
    return host;
  };
  const coveredBy = new Map<string, string>();
  for (const alert of alerts) {
    if (alert.movements.length === 0) continue;
    const ids = new Set(alert.movements.map((m) => m.movementId));
    let best: DetectedAlert | undefined;
    for (const candidate of byMovement.get(alert.movements[0].movementId) ?? []) {
      if (candidate === alert || candidate.movements.length < ids.size) continue;
      if (!mayCover(candidate, alert)) continue;
      const theirs = new Set(candidate.movements.map((m) => m.movementId));
      let covers = true;
      for (const id of ids) {
        if (!theirs.has(id)) {
          covers = false;
          break;
        }
      }
      if (covers && beats(candidate, alert) && (!best || beats(candidate, best))) best = candidate;
    }
    best ??= broadHost(alert, ids) ?? specificHost(alert, ids);
    if (best) coveredBy.set(alert.alertId, best.alertId);
  }
  return { kept: alerts.filter((a) => !coveredBy.has(a.alertId)), coveredBy };
}
