import type { GraphStore } from '@app/graph-store';
import type { Movement } from '@app/vocabulary';
import { compareMovements } from '../core/activity';
import type { DetectedAlert } from '../core/detector';
import type { MovementRiskHookFactory } from '../core/movement-risk-hook';
import { StoreAccountDirectory } from './store-account-directory';
import { StoreIdentifierUses } from './store-identifier-uses';

export interface ScanRiskOptions {
  /** History replayed to the model before the first alert's movement (see `historyMs`). */
  historyMs: number;
  /** Movements per scanMovements page. */
  pageSize?: number;
  /** Checked between pages: an aborted scan stops scoring and rejects with the reason. */
  signal?: AbortSignal;
}

export interface ScanRiskReport {
  /** Alerts that got the model's risk (those with evidence movements). */
  scored: number;
  /** Movements fed to the model, history included. */
  movementsFed: number;
}

/** The latest evidence movement of an alert: the one whose arrival raised or last grew it. */
function latestMovement(alert: DetectedAlert): Movement | undefined {
  let latest: Movement | undefined;
  for (const movement of alert.movements)
    if (latest === undefined || compareMovements(movement, latest) > 0) latest = movement;
  return latest;
}

/**
 * Gives the alerts of a batch scan the learned model's risk, as the stream gives it: the model
 * is fed every stored movement in time order, from `historyMs` before the earliest alert's
 * latest movement up to the last such movement, each with the alerts it raised (an alert
 * counts as raised by its latest evidence movement; the rule-hit features then see a grown
 * alert once, at its latest movement, where the stream saw it at each growth). The alert gets
 * the score and reasons of that movement (the hook sets `risk` and adds the model's sentence to
 * the explanation). Alerts without evidence movements (fraud rings) get none.
 *
 * Cost: one paged pass over the movements of that span (`scanMovements`), plus account reads
 * by page, plus one read of identifier uses per account met when the hook takes them
 * (StoreIdentifierUses); memory bounded by the model's own windows and the population.
 */
export async function scoreScanAlerts(
  store: GraphStore,
  hooks: MovementRiskHookFactory,
  alerts: readonly DetectedAlert[],
  options: ScanRiskOptions,
): Promise<ScanRiskReport> {
  const raisedBy = new Map<string, DetectedAlert[]>();
  let first: Movement | undefined;
  let last: Movement | undefined;
  for (const alert of alerts) {
    const movement = latestMovement(alert);
    if (movement === undefined) continue;
    const raised = raisedBy.get(movement.movementId);
    if (raised) raised.push(alert);
    else raisedBy.set(movement.movementId, [alert]);
    if (first === undefined || compareMovements(movement, first) < 0) first = movement;
    if (last === undefined || compareMovements(movement, last) > 0) last = movement;
  }
  if (first === undefined || last === undefined) return { scored: 0, movementsFed: 0 };
  const pageSize = options.pageSize ?? 5000;
  const directory = new StoreAccountDirectory(store);
  const hook = hooks.create(directory);
  const identifierUses = hook.onIdentifierUses ? new StoreIdentifierUses(store) : undefined;
  let scored = 0;
  let movementsFed = 0;
  let after: { timestamp: number; movementId: string } | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    const page = await store.scanMovements({
      from: Math.max(0, first.timestamp - options.historyMs),
      to: last.timestamp + 1,
      after,
      limit: pageSize,
    });
    const accounts = page.flatMap((m) => [m.fromAccount, m.toAccount]);
    await directory.ensure(accounts);
    if (identifierUses) hook.onIdentifierUses?.(await identifierUses.load(accounts));
    for (const movement of page) {
      if (compareMovements(movement, last) > 0) return { scored, movementsFed };
      const raised = raisedBy.get(movement.movementId) ?? [];
      // Undefined when the movement cannot be scored (no rate for its currency): not fed.
      if (hook.onMovement(Object.freeze({ ...movement }), raised) === undefined) continue;
      scored += raised.length;
      movementsFed += 1;
    }
    const end = page[page.length - 1];
    if (page.length < pageSize || end === undefined) return { scored, movementsFed };
    after = { timestamp: end.timestamp, movementId: end.movementId };
  }
}
