/**
 * Creates the JanusGraph schema (property keys, labels, indexes) from the vocabulary and waits
 * until every index is ENABLED. Safe to run again: a second run changes nothing.
 *
 *   npx ts-node -r tsconfig-paths/register --transpile-only libs/janusgraph/scripts/bootstrap-schema.ts
 *
 * Connection settings come from the environment through @app/settings (JANUSGRAPH_HOST,
 * JANUSGRAPH_PORT, ...). Exits with status 1 and the reason when anything fails.
 */
import { loadAllSettings } from '@app/settings';
import { bootstrapSchema, JanusGraphClient } from '@app/janusgraph';

async function main(): Promise<void> {
  const { graph } = loadAllSettings();
  const client = new JanusGraphClient(graph);
  try {
    await client.open();
    const report = await bootstrapSchema(client);
    const changed =
      report.createdKeys.length +
      report.createdVertexLabels.length +
      report.createdEdgeLabels.length +
      report.createdIndexes.length +
      report.enabledLater.length;
    for (const warning of report.warnings) process.stderr.write(`Warning: ${warning}\n`);
    process.stdout.write(
      changed === 0
        ? `Schema at ${client.endpoint} is up to date (${Object.keys(report.statuses).length} indexes ENABLED, ${report.durationMs} ms)\n`
        : `Schema at ${client.endpoint} bootstrapped in ${report.durationMs} ms: ` +
            `${report.createdKeys.length} keys, ${report.createdVertexLabels.length} vertex labels, ` +
            `${report.createdEdgeLabels.length} edge labels, indexes created: ${report.createdIndexes.join(', ') || 'none'}; ` +
            `enabled after reindex: ${report.enabledLater.join(', ') || 'none'}\n`,
    );
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Schema bootstrap failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
