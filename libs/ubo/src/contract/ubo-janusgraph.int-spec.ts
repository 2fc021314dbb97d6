import { describeWithJanusGraph, openJanusGraphStore, OpenedJanusGraphStore } from '@app/testing';
import { describeUboParity } from './ubo-parity';

// The same UBO scenarios as the memory run (memory-parity.spec.ts), read from a real JanusGraph
// through one ownership-subgraph round trip per request.
describeWithJanusGraph('UBO on real JanusGraph', (endpoint) => {
  let opened: OpenedJanusGraphStore | undefined;

  afterAll(async () => {
    await opened?.close();
  });

  describeUboParity('JanusGraph', async () => {
    opened = await openJanusGraphStore(endpoint);
    return opened.store;
  });
});
