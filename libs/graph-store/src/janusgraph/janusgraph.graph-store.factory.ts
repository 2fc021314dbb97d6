import type { ModuleRef } from '@nestjs/core';
import { bootstrapSchema, JanusGraphClient } from '@app/janusgraph';
import type { GraphConfig } from '@app/settings';
import type { GraphStoreFactory } from '../graph-store.module';
import { JanusGraphGraphStore } from './janusgraph.graph-store';

/**
 * The `janusgraph` entry for `GraphStoreModule.forRoot({ adapters: { janusgraph: ... } })`.
 *
 * Uses the `JanusGraphClient` of an imported `JanusGraphModule` when there is one (that module
 * opens and closes it, and bootstraps the schema). Otherwise it opens its own client from the
 * `graph` settings, bootstraps the schema when `GRAPH_SCHEMA_BOOTSTRAP=true`, and closes the
 * client on shutdown. Either way a server that cannot be reached fails the start with a
 * GraphUnavailableError naming host:port; there is no fallback to the memory store.
 */
export const janusGraphStoreFactory: GraphStoreFactory = async (
  config: GraphConfig,
  moduleRef: ModuleRef,
) => {
  const shared = findClient(moduleRef);
  if (shared !== undefined) {
    if (!shared.isOpen) await shared.open();
    return new JanusGraphGraphStore(shared, {
      batchSize: config.batchSize,
      writeConcurrency: config.writeConcurrency,
      settleNewKeys: config.settleNewKeys,
    });
  }
  const client = new JanusGraphClient(config);
  await client.open();
  try {
    if (config.schemaBootstrap) await bootstrapSchema(client);
  } catch (error) {
    await client.close();
    throw error;
  }
  return new JanusGraphGraphStore(client, {
    batchSize: config.batchSize,
    writeConcurrency: config.writeConcurrency,
    settleNewKeys: config.settleNewKeys,
    ownsClient: true,
  });
};

function findClient(moduleRef: ModuleRef): JanusGraphClient | undefined {
  try {
    return moduleRef.get(JanusGraphClient, { strict: false });
  } catch {
    return undefined;
  }
}
