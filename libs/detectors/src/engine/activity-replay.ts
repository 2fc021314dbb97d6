import { InvalidInputError } from '@app/vocabulary';
import type { AccountDirectory } from '../core/account-directory';
import type { Activity } from '../core/activity';
import { compareActivities, timestampOf } from '../core/activity';
import type { ActivityDetector, Evaluator } from '../core/detector';
import type { RuleInstance } from '../registry/detector.registry';
import { AlertCollector, toDetectedAlert } from './alert-collector';
import { UnconvertedMovements } from '../core/convertible';
import type { BatchResult, DetectionWindow, RuleRunStats, StructuralInputSource } from './types';

export interface ActivityReplayOptions {
  window?: DetectionWindow;
  /**
   * Since when the activities are complete (see EvaluatorContext.observedSince). Defaults to
   * the start of the replay: the window start minus each rule's look-back, or the first
   * activity without a window. Give it when older activities are only a partial history.
   */
  observedSince?: number;
}

interface LiveRule {
  detector: ActivityDetector;
  replayStart: number;
  evaluator: Evaluator;
  collected: AlertCollector;
}

export function assertWindow(window: DetectionWindow): void {
  if (!Number.isSafeInteger(window.from) || !Number.isSafeInteger(window.to)) {
    throw new InvalidInputError('The detection window is invalid', [
      { field: 'window', rule: 'from and to must be instants (epoch milliseconds)' },
    ]);
  }
  if (window.from >= window.to) {
    const at = (ms: number): string => new Date(ms).toISOString();
    throw new InvalidInputError(
      `The detection window is empty: from (${at(window.from)}) must be before to (${at(window.to)})`,
      [{ field: 'to', rule: `must be after from (${at(window.from)})` }],
    );
  }
}

/**
 * The batch engine: every activity rule's evaluator replays activities in time order, exactly
 * as stream mode would have seen them, and structural rules run once at the end. Activities are
 * fed one at a time (`feed`), so a caller can replay a dataset far larger than memory as long as
 * it arrives in time order; only the rules' bounded state and the alerts are held.
 *
 * With a window, a rule replays its look-back before `from` and only alerts raised inside the
 * window are kept; without one, everything is replayed and kept.
 */
export class ActivityReplay {
  private readonly live: LiveRule[];
  private last: Activity | undefined;
  private movementCount = 0;
  private eventCount = 0;
  private readonly unconverted: UnconvertedMovements;

  constructor(
    private readonly instances: readonly RuleInstance[],
    accounts: AccountDirectory,
    private readonly options: ActivityReplayOptions = {},
  ) {
    const { window } = options;
    if (window) assertWindow(window);
    this.unconverted = new UnconvertedMovements(instances[0]?.money);
    this.live = instances.flatMap(({ detector, params, money }) => {
      if (detector.kind !== 'activity') return [];
      const replayStart = window
        ? Math.max(0, window.from - detector.lookbackMs(params))
        : Number.NEGATIVE_INFINITY;
      const evaluator = detector.createEvaluator(params, {
        accounts,
        money,
        observedSince: options.observedSince ?? (window ? replayStart : undefined),
      });
      return [{ detector, replayStart, evaluator, collected: new AlertCollector() }];
    });
  }

  /** Movements replayed so far (before the window end, look-back included). */
  get movements(): number {
    return this.movementCount;
  }

  /** Account events replayed so far (before the window end, look-back included). */
  get events(): number {
    return this.eventCount;
  }

  /** Entries held by every rule's evaluator (bounded by the rules' windows, not by history). */
  stateSize(): number {
    return this.live.reduce((total, rule) => total + rule.evaluator.stateSize(), 0);
  }

  /**
   * Replays one activity through every activity rule. Activities must arrive in replay order
   * (`compareActivities`: time, events before movements at one instant, then id); an activity
   * out of order is refused, because the rules' windows would silently miss it.
   */
  feed(activity: Activity): void {
    if (this.last && compareActivities(this.last, activity) > 0) {
      throw new InvalidInputError(
        `Activity ${describe(activity)} arrived after ${describe(this.last)}; batch detection replays activities in time order`,
        [{ field: 'activities', rule: 'must be sorted by timestamp, events first, then id' }],
      );
    }
    this.last = activity;
    const { window } = this.options;
    const at = timestampOf(activity);
    if (window && at >= window.to) return;
    if (activity.type === 'movement') {
      if (!this.unconverted.accepts(activity.movement)) return;
      this.movementCount += 1;
    } else this.eventCount += 1;
    for (const rule of this.live) {
      if (at < rule.replayStart) continue;
      const drafts =
        activity.type === 'movement'
          ? rule.evaluator.onMovement(activity.movement)
          : (rule.evaluator.onEvent?.(activity.event) ?? []);
      for (const draft of drafts) {
        if (window && draft.windowEnd < window.from) continue;
        rule.collected.add(toDetectedAlert(rule.detector, draft));
      }
    }
  }

  /**
   * Runs the structural rules and returns every rule's alerts (latest version of each).
   *
   * @param structural input of structural rules (fraud rings), given the rule's hub cap and kinds
   * @param now instant that dates structural alerts; defaults to the window end, else the last
   *   activity replayed
   */
  finish(structural?: StructuralInputSource, now?: number): BatchResult {
    const byRule = new Map(this.live.map((rule) => [rule.detector.id, rule.collected]));
    const all = new AlertCollector();
    const rules: RuleRunStats[] = [];
    for (const { detector, params } of this.instances) {
      let perRule = byRule.get(detector.id);
      if (detector.kind === 'structural') {
        perRule = new AlertCollector();
        const at = now ?? this.options.window?.to ?? (this.last ? timestampOf(this.last) : 0);
        const input = structural?.(detector.hubCap(params), detector.kinds(params)) ?? {
          shared: [],
        };
        for (const draft of detector.detect(input, params, at))
          perRule.add(toDetectedAlert(detector, draft));
      }
      if (!perRule) continue;
      const found = perRule.alerts();
      found.forEach((alert) => all.add(alert));
      rules.push({ ruleId: detector.id, alerts: found.length, raised: perRule.raised });
    }
    return {
      alerts: all.alerts(),
      movements: this.movementCount,
      events: this.eventCount,
      rules,
      unconverted: this.unconverted.summary(),
    };
  }
}

function describe(activity: Activity): string {
  const at = new Date(timestampOf(activity)).toISOString();
  return activity.type === 'movement'
    ? `movement ${activity.movement.movementId} at ${at}`
    : `event ${activity.event.eventId} at ${at}`;
}
