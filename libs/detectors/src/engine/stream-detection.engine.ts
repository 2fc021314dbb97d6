import type { Movement } from '@app/vocabulary';
import type { AccountDirectory } from '../core/account-directory';
import type { AccountEvent } from '../core/activity';
import type { ActivityDetector, DetectedAlert, Evaluator } from '../core/detector';
import type { RuleInstance } from '../registry/detector.registry';
import { toDetectedAlert } from './alert-collector';

interface LiveRule {
  detector: ActivityDetector;
  evaluator: Evaluator;
}

/**
 * Per-event detection: every new movement (or account event) updates the bounded state of
 * each rule and may raise alerts at once. A raised alert with a fingerprint seen before is the
 * same pattern grown; the alert store updates it instead of adding one.
 *
 * Feed activities in time order (by timestamp; events before movements at the same instant);
 * batch mode replays stored data through the same evaluators in that order, which is why both
 * modes raise the same alerts. Structural rules (fraud rings) do not run per event.
 */
export class StreamDetectionEngine {
  private readonly live: LiveRule[];

  /**
   * @param observedSince since when the stream is complete (unset: from the first activity fed);
   *   rules that reason about absence, such as dormancy, use it.
   */
  constructor(
    instances: readonly RuleInstance[],
    accounts: AccountDirectory,
    observedSince?: number,
  ) {
    this.live = [];
    for (const { detector, params, money } of instances) {
      if (detector.kind !== 'activity') continue;
      this.live.push({
        detector,
        evaluator: detector.createEvaluator(params, { accounts, money, observedSince }),
      });
    }
  }

  /** Rule ids evaluated per event. */
  rules(): string[] {
    return this.live.map((rule) => rule.detector.id);
  }

  onMovement(movement: Movement): DetectedAlert[] {
    const alerts: DetectedAlert[] = [];
    for (const { detector, evaluator } of this.live) {
      for (const draft of evaluator.onMovement(movement))
        alerts.push(toDetectedAlert(detector, draft));
    }
    return alerts;
  }

  onEvent(event: AccountEvent): DetectedAlert[] {
    const alerts: DetectedAlert[] = [];
    for (const { detector, evaluator } of this.live) {
      if (!evaluator.onEvent) continue;
      for (const draft of evaluator.onEvent(event)) alerts.push(toDetectedAlert(detector, draft));
    }
    return alerts;
  }

  /** Entries held across all rules (bounded by the windows, not by history). */
  stateSize(): number {
    return this.live.reduce((total, rule) => total + rule.evaluator.stateSize(), 0);
  }
}
