import { InvalidInputError } from '@app/vocabulary';
import type { IdentifierKind } from '@app/vocabulary';
import { MemoryAccountDirectory } from '../core/account-directory';
import type { AccountDirectory } from '../core/account-directory';
import { activitiesOf, holdersOf, sharedIdentifiersOf } from './dataset';
import type { DetectionDataset } from './dataset';
import type { Activity } from '../core/activity';
import { compareActivities, timestampOf } from '../core/activity';
import type { DetectedAlert, StructuralInput } from '../core/detector';
import type { RuleInstance } from '../registry/detector.registry';
import { AlertCollector, toDetectedAlert } from './alert-collector';

/** Inclusive start, exclusive end, epoch ms. */
export interface DetectionWindow {
  from: number;
  to: number;
}

export interface RuleRunStats {
  ruleId: string;
  /** Distinct alerts (latest version each). */
  alerts: number;
  /** Times the rule fired, growth included. */
  raised: number;
  /** Candidate accounts considered (batch over the store, candidate-based rules only). */
  candidates?: number;
  /** True when a candidate limit cut the candidates. */
  truncated?: boolean;
}

export interface BatchResult {
  alerts: DetectedAlert[];
  movements: number;
  events: number;
  rules: RuleRunStats[];
}

export type StructuralInputSource = (
  hubCap: number,
  kinds: readonly IdentifierKind[] | undefined,
) => StructuralInput;

function lastTimestamp(ordered: readonly Activity[]): number {
  const last = ordered[ordered.length - 1];
  return last ? timestampOf(last) : 0;
}

export function assertWindow(window: DetectionWindow): void {
  if (
    !Number.isSafeInteger(window.from) ||
    !Number.isSafeInteger(window.to) ||
    window.from >= window.to
  ) {
    throw new InvalidInputError('The detection window is empty or invalid', [
      { field: 'window', rule: 'from and to must be epoch milliseconds with from before to' },
    ]);
  }
}

/**
 * Batch detection over activities held in memory: each rule's evaluator replays them in time
 * order, exactly as stream mode would have seen them. With a window, a rule replays its
 * look-back before `from` and only alerts raised inside the window are kept; without one,
 * everything is replayed and kept.
 */
export function detectInActivities(
  instances: readonly RuleInstance[],
  activities: readonly Activity[],
  accounts: AccountDirectory,
  options: {
    window?: DetectionWindow;
    /** Input of structural rules (fraud rings), given the rule's hub cap and kinds. */
    structural?: StructuralInputSource;
    /**
     * Since when the activities are complete (see EvaluatorContext.observedSince). Defaults to
     * the start of the replay: the window start minus each rule's look-back, or the first
     * activity without a window. Give it when older activities are only a partial history.
     */
    observedSince?: number;
    /** Instant that dates structural alerts; defaults to the window end. */
    now?: number;
  } = {},
): BatchResult {
  const { window } = options;
  if (window) assertWindow(window);
  const ordered = [...activities].sort(compareActivities);
  const collector = new AlertCollector();
  const rules: RuleRunStats[] = [];
  let movements = 0;
  let events = 0;
  for (const activity of ordered) {
    if (window && timestampOf(activity) >= window.to) continue;
    if (activity.type === 'movement') movements += 1;
    else events += 1;
  }

  // One pass over the activities feeds every activity rule (each from its own replay start).
  const live = instances.flatMap(({ detector, params }) => {
    if (detector.kind !== 'activity') return [];
    const replayStart = window
      ? window.from - detector.lookbackMs(params)
      : Number.NEGATIVE_INFINITY;
    const evaluator = detector.createEvaluator(params, {
      accounts,
      observedSince: options.observedSince ?? (window ? replayStart : undefined),
    });
    return [{ detector, replayStart, evaluator, collected: new AlertCollector() }];
  });
  for (const activity of ordered) {
    const at = timestampOf(activity);
    if (window && at >= window.to) break;
    for (const rule of live) {
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
  const byRule = new Map(live.map((rule) => [rule.detector.id, rule.collected]));

  for (const { detector, params } of instances) {
    let perRule = byRule.get(detector.id);
    if (detector.kind === 'structural') {
      perRule = new AlertCollector();
      const now = options.now ?? window?.to ?? lastTimestamp(ordered);
      const input = options.structural?.(detector.hubCap(params), detector.kinds(params)) ?? {
        shared: [],
      };
      for (const draft of detector.detect(input, params, now)) {
        perRule.add(toDetectedAlert(detector, draft));
      }
    }
    if (!perRule) continue;
    const found = perRule.alerts();
    found.forEach((alert) => collector.add(alert));
    rules.push({ ruleId: detector.id, alerts: found.length, raised: perRule.raised });
  }
  return { alerts: collector.alerts(), movements, events, rules };
}

/**
 * Batch detection over an in-memory dataset (generator output or an import): movements and
 * events replayed in time order, accounts from the dataset's Account vertices, shared
 * identifiers from its USES edges.
 */
export function detectInDataset(
  instances: readonly RuleInstance[],
  dataset: DetectionDataset,
  options: { window?: DetectionWindow; now?: number; observedSince?: number } = {},
): BatchResult {
  const holders = holdersOf(dataset);
  return detectInActivities(
    instances,
    activitiesOf(dataset),
    new MemoryAccountDirectory(dataset.vertices),
    {
      ...options,
      structural: (hubCap, kinds) => ({
        shared: sharedIdentifiersOf(dataset, hubCap, kinds),
        holders,
      }),
    },
  );
}
