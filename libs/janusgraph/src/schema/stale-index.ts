import { InvalidInputError, VERTEX_LABELS } from '@app/vocabulary';
import type { VertexLabel } from '@app/vocabulary';
import type { JanusGraphClient } from '../janusgraph.client';
import { labelSearchIndexName, labelSearchKeys, NO_MIXED_INDEX_BACKEND } from './schema.definition';
import { REMOVE_STALE_INDEX_ENTRIES_SCRIPT } from './schema.script';

/** Stale entries removed from each label's mixed index, in the order the labels were given. */
export type StaleIndexReport = { label: VertexLabel; index: string; removed: number }[];

/**
 * Removes the stale entries of the per-label mixed indexes: vertices the index lists and the
 * storage no longer holds (docs/operations.md, "A drop cut short leaves entries in the mixed
 * index"). The store's listings leave such entries out and warn; this takes them away.
 *
 * Each label costs one request that reads every vertex of the label through its index, so on a
 * large graph give the labels the warnings named, at a quiet time; `timeoutMs` overrides the
 * request timeout for these requests. Safe to run again: a second run removes nothing.
 * Throws InvalidInputError for an unknown label, and when the graph has no mixed indexes.
 */
export async function removeStaleIndexEntries(
  client: JanusGraphClient,
  labels: readonly string[] = VERTEX_LABELS,
  options: { timeoutMs?: number } = {},
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
  const report: StaleIndexReport = [];
  for (const label of labels as readonly VertexLabel[]) {
    const index = labelSearchIndexName(label);
    const answer = await client.submitScript(
      REMOVE_STALE_INDEX_ENTRIES_SCRIPT,
      {
        vertexLabel: label,
        indexName: index,
        record: Object.fromEntries(labelSearchKeys(label).map((key) => [key, ''])),
      },
      { operation: `remove stale entries of ${index}`, timeoutMs: options.timeoutMs },
    );
    report.push({ label, index, removed: Number(answer[0] ?? 0) });
  }
  return report;
}
