import { JanusGraphGraphStore } from '@app/graph-store';
import { bootstrapSchema, JanusGraphClient } from '@app/janusgraph';
import { loadAllSettings } from '@app/settings';
import type { JanusGraphEndpoint } from './services/with-services';

/** A JanusGraph-backed store for integration tests, with its schema bootstrapped. */
export interface OpenedJanusGraphStore {
  store: JanusGraphGraphStore;
  close(): Promise<void>;
}

export async function openJanusGraphStore(
  endpoint: JanusGraphEndpoint,
): Promise<OpenedJanusGraphStore> {
  const settings = loadAllSettings().graph;
  const client = new JanusGraphClient({ ...settings, host: endpoint.host, port: endpoint.port });
  await client.open();
  await bootstrapSchema(client);
  const store = new JanusGraphGraphStore(client, { batchSize: settings.batchSize });
  return { store, close: () => client.close() };
}
