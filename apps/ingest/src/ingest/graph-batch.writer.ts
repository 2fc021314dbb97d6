import { BatchRejectedError } from '@app/vocabulary';
import type { FieldProblem } from '@app/vocabulary';

/** What became of one item of a batch. */
export type WriteOutcome =
  | { kind: 'written' }
  /** The data is wrong: retrying cannot help (dead-letter now, with the reason). */
  | { kind: 'invalid'; reason: string }
  /** Worth retrying: this item failed on its own for a reason that may pass. */
  | { kind: 'retry'; reason: string }
  /**
   * An end vertex the item needs was not in the graph when this attempt asked the store (its
   * uids in `missing`): it waits for the vertex to arrive.
   */
  | { kind: 'missing'; reason: string; missing: readonly string[] }
  /**
   * Not written: this worker already wrote a newer version of the same vertex or edge (a later
   * `occurredAt`), and writing this one would put the older state back (see `EntityVersions`).
   */
  | { kind: 'superseded'; newerAt: number };

/**
 * What the store says about a rejected item when asked again right after the rejection:
 * - `invalid`: the data is wrong (a property, a label): dead-letter it;
 * - `missing`: an end vertex is not stored (uids given): wait for it;
 * - `present`: every end vertex is stored now (it may have arrived since the write): try again.
 */
export type RejectionVerdict = 'invalid' | 'present' | { missing: readonly string[] };

/** Classifies rejected items by what the store holds at the time of the call. */
export type RejectionClassifier<T> = (
  rejected: readonly { item: T; problems: readonly FieldProblem[] }[],
) => Promise<RejectionVerdict[]>;

/** Write rounds of one batch: the first, and up to two more for items rejected in a race. */
const MAX_ROUNDS = 3;

export function problemText(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `${p.field} ${p.rule}`).join('; ');
}

/**
 * Writes a batch through an idempotent upsert and says what happened to each item. The graph
 * store rejects a whole batch when any item is bad (`BatchRejectedError` lists them all); the
 * rejected items are classified by asking the store again (see `RejectionVerdict`) and the
 * others are written again, so one bad message never holds back the rest:
 *
 * - an item whose ends are all stored now is written again in the next round (an end vertex
 *   arrived between the write and the check: the race that used to dead-letter valid movements);
 *   if it is rejected again with its ends present, the data itself is wrong (`invalid`);
 * - an item with a missing end is `missing` (the caller decides how long it waits);
 * - any other error of the store (unavailable, timeout, a failure of its own) is thrown: the
 *   caller holds the batch through an outage, or splits the batch to find the item that causes
 *   it. Errors of the classifier are thrown too.
 */
export async function writeBatch<T>(
  items: readonly T[],
  write: (batch: T[]) => Promise<unknown>,
  classify: RejectionClassifier<T>,
): Promise<WriteOutcome[]> {
  const outcomes: (WriteOutcome | undefined)[] = items.map(() => undefined);
  /** Items already written again once because their ends were present after a rejection. */
  const presentOnce = new Set<number>();
  let remaining = items.map((_, index) => index);
  let lastProblems = new Map<number, readonly FieldProblem[]>();
  for (let round = 0; round < MAX_ROUNDS && remaining.length > 0; round += 1) {
    try {
      await write(remaining.map((index) => items[index]));
      for (const index of remaining) outcomes[index] = { kind: 'written' };
      remaining = [];
    } catch (error: unknown) {
      if (!(error instanceof BatchRejectedError)) throw error;
      const rejected = error.rejected
        .filter((r) => r.index >= 0 && r.index < remaining.length)
        .map((r) => ({ index: remaining[r.index], problems: r.problems }));
      lastProblems = new Map(rejected.map((r) => [r.index, r.problems]));
      const verdicts = await classify(
        rejected.map((r) => ({ item: items[r.index], problems: r.problems })),
      );
      rejected.forEach((r, i) => {
        const verdict = verdicts[i] ?? 'invalid';
        const reason = problemText(r.problems);
        if (verdict === 'invalid') {
          outcomes[r.index] = { kind: 'invalid', reason };
        } else if (verdict === 'present') {
          if (presentOnce.has(r.index)) outcomes[r.index] = { kind: 'invalid', reason };
          else presentOnce.add(r.index);
        } else {
          outcomes[r.index] = { kind: 'missing', reason, missing: verdict.missing };
        }
      });
      remaining = remaining.filter((index) => outcomes[index] === undefined);
    }
  }
  for (const index of remaining) {
    const problems = lastProblems.get(index);
    outcomes[index] = {
      kind: 'retry',
      reason: `the graph store kept rejecting the batch${problems ? `: ${problemText(problems)}` : ''}`,
    };
  }
  return outcomes.map((o) => o ?? { kind: 'retry', reason: 'not written' });
}
