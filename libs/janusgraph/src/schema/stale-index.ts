import { InvalidInputError, VERTEX_LABELS } from '@app/vocabulary';
import type { VertexLabel } from '@app/vocabulary';
import type { JanusGraphClient } from '../janusgraph.client';
import { labelSearchIndexName, labelSearchKeys, NO_MIXED_INDEX_BACKEND } from './schema.definition';
import { REMOVE_STALE_INDEX_ENTRIES_SCRIPT } from './schema.script';

/** Stale entries removed from each label's mixed index, in the order the labels were given. */
export type StaleIndexReport = { label: VertexLabel; index: string; removed: number }[];

/** Entries of a label's index read per request by default. */
export const STALE_INDEX_PAGE_SIZE = 1_000;

/** What one request of REMOVE_STALE_INDEX_ENTRIES_SCRIPT answers. */
interface StalePage {
  rows: number;
  removed: string[];
  last: string;
}

function readStalePage(answer: unknown, index: string): StalePage {
  const parsed: unknown = typeof answer === 'string' ? JSON.parse(answer) : undefined;
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    'rows' in parsed &&
    typeof parsed.rows === 'number' &&
    'removed' in parsed &&
    Array.isArray(parsed.removed) &&
    parsed.removed.every((id) => typeof id === 'string') &&
    'last' in parsed &&
    typeof parsed.last === 'string'
  ) {
    return { rows: parsed.rows, removed: parsed.removed, last: parsed.last };
  }
  throw new Error(
    `Removing stale entries of ${index}: the server answered ${JSON.stringify(answer)}, not a page report`,
  );
}

/**
 * Removes the stale entries of the per-label mixed indexes: vertices the index lists and the
 * storage no longer holds (docs/operations.md, "A drop cut short leaves entries in the mixed
 * index"). The store's listings leave such entries out and warn; this takes them away.
 *
 * Each label's index is read in pages of `pageSize` entries in uid order, one request each
 * (`timeoutMs` overrides the request timeout), so a large label costs many bounded requests, not
 * one long one. A page whose entries are all stale has no live uid to go on from: once they are
 * removed, the same request answers the next entries. Safe to run again: a second run removes
 * nothing. Throws InvalidInputError for an unknown label, and when the graph has no mixed
 * indexes.
 */
export async function removeStaleIndexEntries(
  client: JanusGraphClient,
  labels: readonly string[] = VERTEX_LABELS,
  options: { timeoutMs?: number; pageSize?: number } = {},
): Promise<StaleIndexReport> {
  if (client.mixedIndexBackend === NO_MIXED_INDEX_BACKEND) {
    throw new InvalidInputError(
      'This graph has no mixed indexes (JANUSGRAPH_MIXED_INDEX_BACKEND=none), so it has no stale mixed-index entries to remove',
      [{ field: 'JANUSGRAPH_MIXED_INDEX_BACKEND', rule: 'must name a mixed-index backend' }],
    );
  }
  const unknown = labels.filter((label) => !(VERTEX_LABELS as readonly string[]).includes(label));
  if (unknown.length > 0) {
    throw new InvalidInputError(
      `Unknown vertex label(s): ${unknown.join(', ')}; the labels are ${VERTEX_LABELS.join(', ')}`,
      [{ field: 'labels', rule: `each must be one of ${VERTEX_LABELS.join(', ')}` }],
    );
  }
  const pageSize = options.pageSize ?? STALE_INDEX_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw new InvalidInputError(`pageSize must be a whole number, at least 1 (got ${pageSize})`, [
      { field: 'pageSize', rule: 'must be a whole number, at least 1' },
    ]);
  }
  const report: StaleIndexReport = [];
  for (const label of labels as readonly VertexLabel[]) {
    const index = labelSearchIndexName(label);
    const record = Object.fromEntries(labelSearchKeys(label).map((key) => [key, '']));
    const removed = new Set<string>();
    let after = '';
    for (;;) {
      const [answer] = await client.submitScript(
        REMOVE_STALE_INDEX_ENTRIES_SCRIPT,
        { vertexLabel: label, indexName: index, record, after, pageSize },
        { operation: `remove stale entries of ${index}`, timeoutMs: options.timeoutMs },
      );
      const page = readStalePage(answer, index);
      const fresh = page.removed.filter((id) => !removed.has(id));
      for (const id of fresh) removed.add(id);
      if (page.rows < pageSize) break;
      if (page.last !== '') after = page.last;
      else if (fresh.length === 0) {
        // A page of stale entries that were removed already: the index did not drop them.
        throw new Error(
          `Removing stale entries of ${index}: ${page.rows} entries after uid "${after}" are still listed after their removal; JanusGraph's StaleIndexRecordUtil did not take them away (see its log)`,
        );
      }
    }
    report.push({ label, index, removed: removed.size });
  }
  return report;
}
