import { bootstrapSchema, JanusGraphClient } from '@app/janusgraph';
import { loadAllSettings } from '@app/settings';
import { describeWithJanusGraph } from '@app/testing';
import { describeGraphStoreContract, describeVertexSearchContract } from '../contract';
import { JanusGraphGraphStore } from './janusgraph.graph-store';

describeWithJanusGraph('JanusGraphGraphStore', (endpoint) => {
  describeGraphStoreContract('JanusGraphGraphStore (real JanusGraph)', async () => {
    const settings = loadAllSettings().graph;
    // A small batch size so that the multi-request write path is exercised by the fixture too.
    const client = new JanusGraphClient({ ...settings, host: endpoint.host, port: endpoint.port });
    await client.open();
    await bootstrapSchema(client);
    const store = new JanusGraphGraphStore(client, { batchSize: 7 });
    return { store, close: () => client.close() };
  });
  describeVertexSearchContract('JanusGraphGraphStore (real JanusGraph)', async () => {
    const settings = loadAllSettings().graph;
    const client = new JanusGraphClient({ ...settings, host: endpoint.host, port: endpoint.port });
    await client.open();
    await bootstrapSchema(client);
    return {
      store: new JanusGraphGraphStore(client, { batchSize: 50 }),
      close: () => client.close(),
    };
  });
});
