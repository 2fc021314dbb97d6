/**
 * Removes stale entries from the per-label mixed indexes: vertices the index lists and the
 * storage no longer holds, which a drop cut short leaves behind (docs/operations.md, "A drop
 * cut short leaves entries in the mixed index"). The API and the store leave such entries out
 * of listings and log a warning naming the label; this command takes them away.
 *
 *   npm run graph:remove-stale-index-entries                 (every label)
 *   npm run graph:remove-stale-index-entries -- Alert Person (only these labels)
 *
 * Each label's index is read in pages of 1,000 entries, one request each: on a large graph it
 * takes a while, so name the labels the warnings named. Safe to run again. Connection settings
 * come from the environment through @app/settings (JANUSGRAPH_HOST, JANUSGRAPH_PORT, ...).
 * Exits with status 1 and the reason when anything fails.
 */
import { loadAllSettings } from '@app/settings';
import { JanusGraphClient, removeStaleIndexEntries } from '@app/janusgraph';
import { VERTEX_LABELS } from '@app/vocabulary';

/** Two minutes per request (one page of 1,000 index entries and the removal of its stale ones). */
const PER_PAGE_TIMEOUT_MS = 2 * 60_000;

async function main(): Promise<void> {
  const { graph } = loadAllSettings();
  const labels = process.argv.slice(2);
  const client = new JanusGraphClient(graph);
  try {
    await client.open();
    const report = await removeStaleIndexEntries(
      client,
      labels.length > 0 ? labels : VERTEX_LABELS,
      { timeoutMs: PER_PAGE_TIMEOUT_MS },
    );
    for (const { label, index, removed } of report) {
      process.stdout.write(
        `${label}: ${removed} stale entr${removed === 1 ? 'y' : 'ies'} removed from ${index}\n`,
      );
    }
    const total = report.reduce((sum, row) => sum + row.removed, 0);
    process.stdout.write(
      total === 0
        ? `No stale mixed-index entries at ${client.endpoint}\n`
        : `Removed ${total} stale mixed-index entr${total === 1 ? 'y' : 'ies'} at ${client.endpoint}; listings no longer warn about them\n`,
    );
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Removing stale index entries failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
