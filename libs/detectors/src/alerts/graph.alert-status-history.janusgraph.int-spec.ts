import { describeWithJanusGraph, openJanusGraphStore } from '@app/testing';
import type { OpenedJanusGraphStore } from '@app/testing';
import {
  contractAlertVertex,
  describeAlertStatusHistoryContract,
} from './alert-status-history.contract';
import { GraphAlertStatusHistory } from './graph.alert-status-history';

// The status history contract on a real JanusGraph: the changes are StatusChange vertices and
// HAS_STATUS_CHANGE edges of the bootstrapped schema, and a new connection (a restart of the
// process) reads the same histories back.
describeWithJanusGraph('GraphAlertStatusHistory on real JanusGraph', (endpoint) => {
  describeAlertStatusHistoryContract('GraphAlertStatusHistory on JanusGraph', async () => {
    const first = await openJanusGraphStore(endpoint);
    await first.store.clear();
    const opened: OpenedJanusGraphStore[] = [first];
    return {
      history: new GraphAlertStatusHistory(first.store),
      reopen: async () => {
        const again = await openJanusGraphStore(endpoint);
        opened.push(again);
        return new GraphAlertStatusHistory(again.store);
      },
      createAlert: async (alertId: string) => {
        await first.store.upsertVertices([contractAlertVertex(alertId)]);
      },
      close: async () => {
        await first.store.clear();
        for (const connection of opened) await connection.close();
      },
    };
  });
});
