import { BatchRejectedError } from '@app/vocabulary';
import type { FieldProblem } from '@app/vocabulary';

/** What became of one item of a batch. */
export type WriteOutcome =
  | { kind: 'written' }
  /** The data is wrong: retrying cannot help (dead-letter now, with the reason). */
  | { kind: 'invalid'; reason: string }
  /** Worth retrying: the graph failed, or the item waits for something not written yet. */
  | { kind: 'retry'; reason: string };

/** Sorts rejected items into "retry later" (e.g. an end vertex not there yet) or "invalid". */
export type RejectionClassifier<T> = (
  rejected: readonly { item: T; problems: readonly FieldProblem[] }[],
) => Promise<('retry' | 'invalid')[]>;

const MAX_ROUNDS = 3;

export function problemText(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `${p.field} ${p.rule}`).join('; ');
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Writes a batch through an idempotent upsert and says what happened to each item. The graph
 * store rejects a whole batch when any item is bad (`BatchRejectedError` lists them all); the
 * bad items are then classified and the others written again, so one bad message never holds
 * back the rest. Any other error (graph unavailable, timeout) makes every remaining item a
 * `retry`.
 */
export async function writeBatch<T>(
  items: readonly T[],
  write: (batch: T[]) => Promise<unknown>,
  classify: RejectionClassifier<T>,
): Promise<WriteOutcome[]> {
  const outcomes: (WriteOutcome | undefined)[] = items.map(() => undefined);
  let remaining = items.map((_, index) => index);
  for (let round = 0; round < MAX_ROUNDS && remaining.length > 0; round += 1) {
    try {
      await write(remaining.map((index) => items[index]));
      for (const index of remaining) outcomes[index] = { kind: 'written' };
      remaining = [];
    } catch (error: unknown) {
      if (!(error instanceof BatchRejectedError)) {
        for (const index of remaining) {
          outcomes[index] = { kind: 'retry', reason: `graph write failed: ${errorText(error)}` };
        }
        remaining = [];
        break;
      }
      const rejected = error.rejected
        .filter((r) => r.index >= 0 && r.index < remaining.length)
        .map((r) => ({ index: remaining[r.index], problems: r.problems }));
      let kinds: ('retry' | 'invalid')[];
      try {
        kinds = await classify(
          rejected.map((r) => ({ item: items[r.index], problems: r.problems })),
        );
      } catch (classifyError: unknown) {
        kinds = rejected.map(() => 'retry');
        for (const r of rejected) {
          outcomes[r.index] = {
            kind: 'retry',
            reason: `${problemText(r.problems)} (could not check why: ${errorText(classifyError)})`,
          };
        }
      }
      rejected.forEach((r, i) => {
        outcomes[r.index] ??= { kind: kinds[i] ?? 'retry', reason: problemText(r.problems) };
      });
      const out = new Set(rejected.map((r) => r.index));
      remaining = remaining.filter((index) => !out.has(index));
    }
  }
  for (const index of remaining) {
    outcomes[index] = { kind: 'retry', reason: 'the graph store kept rejecting the batch' };
  }
  return outcomes.map((o) => o ?? { kind: 'retry', reason: 'not written' });
}
