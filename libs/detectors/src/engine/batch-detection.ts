import { MemoryAccountDirectory } from '../core/account-directory';
import type { AccountDirectory } from '../core/account-directory';
import { activitiesOf, StructuralIndex } from './dataset';
import type { DetectionDataset } from './dataset';
import type { Activity } from '../core/activity';
import { compareActivities } from '../core/activity';
import type { RuleInstance } from '../registry/detector.registry';
import { ActivityReplay } from './activity-replay';
import type { BatchResult, DetectionWindow, StructuralInputSource } from './types';

export { assertWindow } from './activity-replay';
export type { BatchResult, DetectionWindow, RuleRunStats, StructuralInputSource } from './types';

/**
 * Batch detection over activities held in memory: sorted into replay order, then replayed
 * through every rule (see {@link ActivityReplay}). With a window, a rule replays its look-back
 * before `from` and only alerts raised inside the window are kept; without one, everything is
 * replayed and kept.
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
  const replay = new ActivityReplay(instances, accounts, {
    window: options.window,
    observedSince: options.observedSince,
  });
  for (const activity of [...activities].sort(compareActivities)) replay.feed(activity);
  return replay.finish(options.structural, options.now);
}

/**
 * Batch detection over an in-memory dataset (generator output or an import): movements and
 * events replayed in time order, accounts from the dataset's Account vertices and their holders
 * from its HOLDS edges, shared identifiers from its USES edges.
 */
export function detectInDataset(
  instances: readonly RuleInstance[],
  dataset: DetectionDataset,
  options: { window?: DetectionWindow; now?: number; observedSince?: number } = {},
): BatchResult {
  const index = new StructuralIndex().add(dataset.vertices, dataset.edges);
  return detectInActivities(
    instances,
    activitiesOf(dataset),
    new MemoryAccountDirectory(dataset.vertices, dataset.edges),
    {
      ...options,
      structural: (hubCap, kinds) => ({
        shared: index.shared(hubCap, kinds),
        holders: index.holders(),
      }),
    },
  );
}
