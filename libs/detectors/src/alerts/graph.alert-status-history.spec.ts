import { MemoryGraphStore } from '@app/graph-store';
import type { UpsertResult } from '@app/graph-store';
import { BatchRejectedError, ids } from '@app/vocabulary';
import type { GraphEdge } from '@app/vocabulary';
import {
  contractAlertVertex,
  describeAlertStatusHistoryContract,
} from './alert-status-history.contract';
import { GraphAlertStatusHistory } from './graph.alert-status-history';

describeAlertStatusHistoryContract('GraphAlertStatusHistory on MemoryGraphStore', () => {
  const store = new MemoryGraphStore();
  return Promise.resolve({
    history: new GraphAlertStatusHistory(store),
    reopen: () => Promise.resolve(new GraphAlertStatusHistory(store)),
    createAlert: async (alertId: string) => {
      await store.upsertVertices([contractAlertVertex(alertId)]);
    },
    close: () => store.clear(),
  });
});

/** A memory store whose next edge upsert fails, as if the process stopped between the writes. */
class EdgeWriteFailsOnce extends MemoryGraphStore {
  failNext = false;

  override upsertEdges(batch: readonly GraphEdge[]): Promise<UpsertResult> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('connection lost'));
    }
    return super.upsertEdges(batch);
  }
}

describe('GraphAlertStatusHistory', () => {
  const alertId = 'alert:aml.structuring:0123456789abcdef';
  const AT = Date.UTC(2025, 1, 3, 9);

  async function setup() {
    const store = new EdgeWriteFailsOnce();
    await store.upsertVertices([contractAlertVertex(alertId)]);
    return { store, history: new GraphAlertStatusHistory(store) };
  }

  it('stores each change as a StatusChange vertex numbered from the raise, linked from its Alert', async () => {
    const { store, history } = await setup();
    await history.append({
      alertId,
      from: null,
      to: 'open',
      at: AT,
      note: 'raised by aml.structuring 1.1.0',
      actor: 'detector',
    });
    await history.append({
      alertId,
      from: 'open',
      to: 'escalated',
      at: AT + 1,
      note: 'large amounts',
      actor: 'key-1',
    });

    expect(await store.getVertex(`status:${alertId}#0`)).toEqual({
      label: 'StatusChange',
      uid: ids.statusChange(alertId, 0),
      props: {
        alertId,
        seq: 0,
        toStatus: 'open',
        at: AT,
        note: 'raised by aml.structuring 1.1.0',
        actor: 'detector',
      },
    });
    expect((await store.getVertex(ids.statusChange(alertId, 1)))?.props).toMatchObject({
      seq: 1,
      fromStatus: 'open',
      toStatus: 'escalated',
    });
    expect(await store.getEdge(`HAS_STATUS_CHANGE:status:${alertId}#1`)).toEqual({
      label: 'HAS_STATUS_CHANGE',
      eid: ids.statusChangeEdge(alertId, 1),
      from: alertId,
      to: ids.statusChange(alertId, 1),
      props: {},
    });
    const counts = await store.counts();
    expect(counts.vertices.StatusChange).toBe(2);
    expect(counts.edges.HAS_STATUS_CHANGE).toBe(2);
  });

  it('numbers an analyst change 1 on when the alert has no raise (alerts saved before histories were kept)', async () => {
    const { store, history } = await setup();
    await history.append({
      alertId,
      from: 'open',
      to: 'investigating',
      at: AT,
      note: 'first look',
      actor: 'key-1',
    });
    expect(await store.getVertex(ids.statusChange(alertId, 0))).toBeUndefined();
    expect((await store.getVertex(ids.statusChange(alertId, 1)))?.props).toMatchObject({
      fromStatus: 'open',
    });
  });

  it('refuses a change the vocabulary rejects (empty note) and writes nothing', async () => {
    const { store, history } = await setup();
    await expect(
      history.append({ alertId, from: 'open', to: 'escalated', at: AT, note: '', actor: 'key-1' }),
    ).rejects.toBeInstanceOf(BatchRejectedError);
    expect((await store.counts()).vertices.StatusChange).toBe(0);
  });

  it('reuses the number of a change whose edge was never written, which stayed invisible', async () => {
    const { store, history } = await setup();
    const lost = {
      alertId,
      from: 'open' as const,
      to: 'escalated' as const,
      at: AT,
      note: 'lost',
      actor: 'key-1',
    };
    store.failNext = true;
    await expect(history.append(lost)).rejects.toThrow('connection lost');
    expect(await history.list(alertId)).toEqual([]);

    const next = { ...lost, note: 'written' };
    await history.append(next);
    expect(await history.list(alertId)).toEqual([next]);
    expect((await store.counts()).vertices.StatusChange).toBe(1);
  });

  it('repairs the edge of a raise whose edge was never written when the alert is raised again', async () => {
    const { store, history } = await setup();
    const raised = {
      alertId,
      from: null,
      to: 'open' as const,
      at: AT,
      note: 'raised by aml.structuring 1.1.0',
      actor: 'detector',
    };
    store.failNext = true;
    await expect(history.append(raised)).rejects.toThrow('connection lost');
    expect(await history.list(alertId)).toEqual([]);
    await history.append({ ...raised, at: AT + 1 });
    expect(await history.list(alertId)).toEqual([raised]);
  });

  it('lets a later append run after a failed one', async () => {
    const { store, history } = await setup();
    store.failNext = true;
    const failed = history.append({
      alertId,
      from: 'open',
      to: 'escalated',
      at: AT,
      note: 'lost',
      actor: 'key-1',
    });
    const later = history.append({
      alertId,
      from: 'open',
      to: 'investigating',
      at: AT,
      note: 'kept',
      actor: 'key-2',
    });
    await expect(failed).rejects.toThrow('connection lost');
    await later;
    expect((await history.list(alertId)).map((c) => c.note)).toEqual(['kept']);
  });
});
