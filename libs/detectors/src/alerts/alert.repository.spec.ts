import { MemoryGraphStore } from '@app/graph-store';
import {
  ConflictError,
  EntityNotFoundError,
  FixedClock,
  ids,
  InvalidInputError,
  movementEdge,
} from '@app/vocabulary';
import type { GraphVertex, Movement } from '@app/vocabulary';
import { structuringDetector } from '../aml/structuring.detector';
import type { DetectedAlert } from '../core/detector';
import { toDetectedAlert } from '../engine/alert-collector';
import { accountVertex, DAY, deposit, runDetector, T0 } from '../testing/fixtures';
import { AlertRepository } from './alert.repository';
import { GraphAlertStatusHistory } from './graph.alert-status-history';

const NOW = Date.UTC(2025, 1, 1);

async function setup() {
  const store = new MemoryGraphStore();
  const clock = new FixedClock(NOW);
  const history = new GraphAlertStatusHistory(store);
  const repository = new AlertRepository(store, history, clock);
  await store.upsertVertices([
    accountVertex('account:b:A'),
    accountVertex('account:b:B'),
    accountVertex('cash:b:1', { accountType: 'cash-point' }),
  ]);
  return { store, clock, history, repository };
}

async function structuring(
  store: MemoryGraphStore,
  account: string,
  count: number,
  start = T0,
): Promise<DetectedAlert> {
  const movements: Movement[] = Array.from({ length: count }, (_, i) =>
    deposit(account, 9_500_00 + i, start + i * DAY, 'cash:b:1'),
  );
  await store.upsertEdges(movements.map(movementEdge));
  const { alerts } = runDetector(structuringDetector, movements);
  expect(alerts).toHaveLength(1);
  return toDetectedAlert(structuringDetector, alerts[0]);
}

describe('AlertRepository', () => {
  it('stores an alert as an Alert vertex with FLAGS edges and an opening history entry', async () => {
    const { store, repository } = await setup();
    const alert = await structuring(store, 'account:b:A', 3);
    const result = await repository.save([alert]);
    expect(result).toEqual({ created: 1, updated: 0, unchanged: 0, alertIds: [alert.alertId] });
    const stored = await repository.get(alert.alertId);
    expect(stored).toMatchObject({
      ruleId: 'aml.structuring',
      typology: 'structuring',
      status: 'open',
      createdAt: NOW,
      updatedAt: NOW,
      fingerprint: alert.fingerprint,
      movementIds: alert.movements.map((m) => m.movementId),
    });
    const detail = await repository.detail(alert.alertId);
    expect(detail.parties.map((p) => [p.uid, p.role])).toEqual([['account:b:A', 'subject']]);
    expect(detail.movements.map((m) => m.movementId)).toEqual(
      alert.movements.map((m) => m.movementId),
    );
    expect(detail.history).toEqual([
      expect.objectContaining({ from: null, to: 'open', actor: 'detector', at: NOW }),
    ]);
  });

  it('reads the evidence of the detail in one store call, not one per movement', async () => {
    const { store, repository } = await setup();
    const alert = await structuring(store, 'account:b:A', 4);
    await repository.save([alert]);
    const many = jest.spyOn(store, 'getEdges');
    const one = jest.spyOn(store, 'getEdge');
    const detail = await repository.detail(alert.alertId);
    expect(detail.movements).toHaveLength(4);
    expect(many).toHaveBeenCalledTimes(1);
    expect(many).toHaveBeenCalledWith(alert.movements.map((m) => m.movementId));
    expect(one).not.toHaveBeenCalled();
  });

  it('does not raise the same pattern twice', async () => {
    const { store, repository } = await setup();
    const alert = await structuring(store, 'account:b:A', 3);
    await repository.save([alert]);
    const written = jest.spyOn(store, 'upsertVertices');
    const again = await repository.save([alert]);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    // Written again although unchanged, so that a store can mend a missing index entry.
    expect(written.mock.calls.some(([batch]) => batch.some((v) => v.uid === alert.alertId))).toBe(
      true,
    );
    expect((await store.counts()).vertices.Alert).toBe(1);
    expect((await store.counts()).edges.FLAGS).toBe(1);
    expect((await store.counts()).vertices.StatusChange).toBe(1);
    expect(await repository.statusHistory(alert.alertId)).toHaveLength(1);
  });

  it('mends a save cut short after the alert vertex: the rerun writes its flags and its raise, and writes the alert again', async () => {
    const { store, clock, repository } = await setup();
    const alert = await structuring(store, 'account:b:A', 3);
    // As if a first save had stopped after the alert vertex (JanusGraph killed): the vertex a
    // full save writes (made in another store), without its FLAGS edge and its history.
    const other = await setup();
    await other.repository.save([await structuring(other.store, 'account:b:A', 3)]);
    const vertex = await other.store.getVertex(alert.alertId);
    expect(vertex).toBeDefined();
    await store.upsertVertices([vertex as GraphVertex]);
    const flag = ids.structural('FLAGS', alert.alertId, 'account:b:A');
    expect(await store.getEdge(flag)).toBeUndefined();
    expect(await repository.statusHistory(alert.alertId)).toEqual([]);
    clock.advance(DAY);
    const again = await repository.save([alert]);
    expect(again.created).toBe(0);
    expect(await store.getEdge(flag)).toBeDefined();
    expect(await repository.statusHistory(alert.alertId)).toEqual([
      expect.objectContaining({ from: null, to: 'open', actor: 'detector', at: NOW }),
    ]);
  });

  it('keeps both of two changes of one alert made at once: a status and an assignee, and a scan re-saving it (outside fault review)', async () => {
    const { store, repository } = await setup();
    const alerts = await Promise.all(
      ['account:b:A', 'account:b:B'].map((account) => structuring(store, account, 3)),
    );
    await repository.save(alerts);
    await Promise.all(
      alerts.flatMap((alert) => [
        repository.changeStatus(alert.alertId, 'investigating', 'looking into it', 'key-1'),
        repository.assign([alert.alertId], 'user:bob'),
        repository.save([alert]),
      ]),
    );
    for (const alert of alerts) {
      expect(await repository.get(alert.alertId)).toMatchObject({
        status: 'investigating',
        assignee: 'user:bob',
      });
    }
  });

  it('updates a grown pattern in place, keeping its creation time and the analyst status', async () => {
    const { store, clock, repository } = await setup();
    const small = await structuring(store, 'account:b:A', 3);
    await repository.save([small]);
    await repository.changeStatus(
      small.alertId,
      'investigating',
      'looking at the branch records',
      'key-analyst',
    );
    clock.advance(DAY);
    const movements = [
      ...small.movements,
      deposit('account:b:A', 9_900_00, T0 + 3 * DAY, 'cash:b:1'),
    ];
    await store.upsertEdges([movementEdge(movements[3])]);
    const grown = toDetectedAlert(
      structuringDetector,
      runDetector(structuringDetector, movements).alerts[0],
    );
    expect(grown.alertId).toBe(small.alertId);
    expect(await repository.save([grown])).toMatchObject({ created: 0, updated: 1 });
    const stored = await repository.get(small.alertId);
    expect(stored.movementIds).toHaveLength(4);
    expect(stored.status).toBe('investigating');
    expect(stored.createdAt).toBe(NOW);
    expect(stored.updatedAt).toBe(NOW + DAY);
  });

  it('changes status with a note, records history, and refuses bad changes naming the rule', async () => {
    const { store, repository } = await setup();
    const alert = await structuring(store, 'account:b:A', 3);
    await repository.save([alert]);
    await repository.changeStatus(alert.alertId, 'escalated', 'large amounts', 'key-1');
    await repository.changeStatus(alert.alertId, 'closed-reported', 'SAR filed', 'key-1');
    const history = await repository.statusHistory(alert.alertId);
    expect(history.map((h) => [h.from, h.to, h.note])).toEqual([
      [null, 'open', 'raised by aml.structuring 1.2.0'],
      ['open', 'escalated', 'large amounts'],
      ['escalated', 'closed-reported', 'SAR filed'],
    ]);
    await expect(
      repository.changeStatus(alert.alertId, 'escalated', 'again', 'key-1'),
    ).rejects.toThrow(ConflictError);
    await expect(repository.changeStatus(alert.alertId, 'open', '  ', 'key-1')).rejects.toThrow(
      InvalidInputError,
    );
    await expect(repository.changeStatus('alert:x:y', 'open', 'note', 'key-1')).rejects.toThrow(
      EntityNotFoundError,
    );
  });

  it('keeps the status and its history when the repository is created again over the same store', async () => {
    const { store, clock, repository } = await setup();
    const alert = await structuring(store, 'account:b:A', 3);
    await repository.save([alert]);
    clock.advance(DAY);
    await repository.changeStatus(alert.alertId, 'investigating', 'branch records', 'key-1');

    const restarted = new AlertRepository(store, new GraphAlertStatusHistory(store), clock);
    const detail = await restarted.detail(alert.alertId);
    expect(detail.status).toBe('investigating');
    expect(detail.history).toEqual([
      {
        alertId: alert.alertId,
        from: null,
        to: 'open',
        at: NOW,
        note: 'raised by aml.structuring 1.2.0',
        actor: 'detector',
      },
      {
        alertId: alert.alertId,
        from: 'open',
        to: 'investigating',
        at: NOW + DAY,
        note: 'branch records',
        actor: 'key-1',
      },
    ]);
    // Saving the pattern again after the restart neither raises it again nor reopens it.
    expect(await restarted.save([alert])).toMatchObject({ created: 0, unchanged: 1 });
    expect(await restarted.statusHistory(alert.alertId)).toHaveLength(2);
  });

  it('writes no status when its history entry cannot be written', async () => {
    const { store, history, repository } = await setup();
    const alert = await structuring(store, 'account:b:A', 3);
    await repository.save([alert]);
    jest.spyOn(history, 'append').mockRejectedValueOnce(new Error('graph down'));
    await expect(
      repository.changeStatus(alert.alertId, 'escalated', 'large amounts', 'key-1'),
    ).rejects.toThrow('graph down');
    expect((await repository.get(alert.alertId)).status).toBe('open');
  });

  it('lists with filters and cursor paging, and by flagged account', async () => {
    const { store, repository } = await setup();
    const a = await structuring(store, 'account:b:A', 3);
    const b = await structuring(store, 'account:b:B', 4, T0 + 60 * DAY);
    await repository.save([a, b]);
    await repository.changeStatus(b.alertId, 'closed-false-positive', 'known business', 'key-1');

    const first = await repository.list({}, 1);
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toBeDefined();
    const second = await repository.list({}, 1, first.nextCursor);
    expect([...first.items, ...second.items].map((x) => x.alertId).sort()).toEqual(
      [a.alertId, b.alertId].sort(),
    );
    expect(second.nextCursor).toBeUndefined();

    expect((await repository.list({ status: 'open' }, 10)).items.map((x) => x.alertId)).toEqual([
      a.alertId,
    ]);
    expect((await repository.list({ typology: 'fan-in' }, 10)).items).toHaveLength(0);
    expect(
      (await repository.list({ from: T0 + 50 * DAY }, 10)).items.map((x) => x.alertId),
    ).toEqual([b.alertId]);
    expect(
      (await repository.list({ accountId: 'account:b:A' }, 10)).items.map((x) => x.alertId),
    ).toEqual([a.alertId]);
    await expect(repository.list({}, 10, 'not-a-cursor')).rejects.toThrow(InvalidInputError);
  });
});
