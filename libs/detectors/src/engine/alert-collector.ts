import { ids } from '@app/vocabulary';
import type { Detector, AlertDraft, DetectedAlert } from '../core/detector';
import { boundedExplanation } from '../core/explanation';
import { severityOf } from '../core/scoring';

/**
 * Adds the rule's metadata to a draft: alert id, rule id and version, typology, severity. The
 * explanation is bounded to what an Alert vertex holds (`boundedExplanation`), so a rule that
 * lists much evidence still raises an alert the store accepts.
 */
export function toDetectedAlert(detector: Detector, draft: AlertDraft): DetectedAlert {
  return {
    ...draft,
    explanation: boundedExplanation(draft.explanation, draft.movements.length),
    alertId: ids.alert(detector.id, draft.fingerprint),
    ruleId: detector.id,
    ruleVersion: detector.version,
    typology: detector.typology,
    severity: severityOf(draft.score),
  };
}

/** Orders alerts for output: by window start, then alert id. */
export function compareAlerts(a: DetectedAlert, b: DetectedAlert): number {
  return (
    a.windowStart - b.windowStart || (a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0)
  );
}

/**
 * Keeps the latest version of each alert of a run: a pattern that grows is raised again with
 * the same fingerprint and replaces its earlier, smaller version.
 */
export class AlertCollector {
  private readonly byId = new Map<string, DetectedAlert>();
  private raisedCount = 0;

  add(alert: DetectedAlert): void {
    this.raisedCount += 1;
    this.byId.set(alert.alertId, alert);
  }

  /** How many times rules fired (growth counts each time). */
  get raised(): number {
    return this.raisedCount;
  }

  alerts(): DetectedAlert[] {
    return [...this.byId.values()].sort(compareAlerts);
  }
}
