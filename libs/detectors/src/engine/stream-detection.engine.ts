import type { Movement } from '@app/vocabulary';
import type { AccountDirectory } from '../core/account-directory';
import type { AccountEvent } from '../core/activity';
import type { ActivityDetector, DetectedAlert, Evaluator } from '../core/detector';
import type { RuleInstance } from '../registry/detector.registry';
import { UnconvertedMovements } from '../core/convertible';
import { toDetectedAlert } from './alert-collector';
import { TrialRun } from './trial-run';

interface LiveRule {
  detector: ActivityDetector;
  evaluator: Evaluator;
}

/** What a trial feeds (see `StreamDetectionEngine.trial`). */
export interface TrialFeed {
  onMovement(movement: Movement): DetectedAlert[];
  onEvent(event: AccountEvent): DetectedAlert[];
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
  /** Movements passed over for want of a rate into the base currency (never fed to a rule). */
  private readonly unconverted: UnconvertedMovements;
  /** Read-only services the rules' state points at; a trial never journals them. */
  private readonly shared: object[];

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
    this.shared = [accounts];
    this.unconverted = new UnconvertedMovements(instances[0]?.money);
    for (const { detector, params, money } of instances) {
      this.shared.push(money);
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

  /**
   * Feeds one movement to every rule. A movement whose amounts have no rate into the base
   * currency on its date is passed over (no rule can compare it) and counted (`unconvertedCount`);
   * callers that take movements from a user check them first (`conversionProblem`).
   */
  onMovement(movement: Movement): DetectedAlert[] {
    const alerts: DetectedAlert[] = [];
    if (!this.unconverted.accepts(movement)) return alerts;
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

  /**
   * Feeds activities to the rules and then puts every rule's state back exactly as it was:
   * what `onMovement` / `onEvent` would raise, without keeping the activities (see TrialRun for
   * how, and why not a copy). `run` must be synchronous; alerts come out as plain copies. The
   * activities fed should be frozen (`Object.freeze`), which lets the trial share them.
   */
  trial<T>(run: (feed: TrialFeed) => T): T {
    const trial = new TrialRun(this.shared);
    const live = this.live.map(({ detector, evaluator }) => ({
      detector,
      evaluator: trial.wrap(evaluator),
    }));
    const feed: TrialFeed = {
      onMovement: (movement) => {
        const alerts: DetectedAlert[] = [];
        // Checked, not counted: nothing of a trial stays.
        if (!this.unconverted.convertible(movement)) return alerts;
        for (const { detector, evaluator } of live) {
          for (const draft of evaluator.onMovement(movement))
            alerts.push(detachedAlert(toDetectedAlert(detector, draft)));
        }
        return alerts;
      },
      onEvent: (event) => {
        const alerts: DetectedAlert[] = [];
        for (const { detector, evaluator } of live) {
          if (!evaluator.onEvent) continue;
          for (const draft of evaluator.onEvent(event))
            alerts.push(detachedAlert(toDetectedAlert(detector, draft)));
        }
        return alerts;
      },
    };
    try {
      return run(feed);
    } finally {
      trial.rollback();
    }
  }

  /** Movements passed over so far for want of a rate, and their currencies. */
  unconvertedCount(): { movements: number; currencies: string[] } {
    return this.unconverted.summary();
  }

  /** Entries held across all rules (bounded by the windows, not by history). */
  stateSize(): number {
    return this.live.reduce((total, rule) => total + rule.evaluator.stateSize(), 0);
  }
}

/** The alert with every nested value copied out of the trial's views (they go stale after it). */
function detachedAlert(alert: DetectedAlert): DetectedAlert {
  return {
    ...alert,
    movements: alert.movements.map((m) => ({ ...m })),
    ...(alert.events ? { events: alert.events.map((e) => ({ ...e })) } : {}),
    parties: alert.parties.map((p) => ({ ...p })),
    facts: { ...alert.facts },
  };
}
