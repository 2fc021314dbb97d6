import { Logger } from '@nestjs/common';
import { MemoryGraphStore } from '@app/graph-store';
import { BatchRejectedError, FixedClock, movementEdge } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { structuringDetector } from '../aml/structuring.detector';
import type { DetectedAlert } from '../core/detector';
import { toDetectedAlert } from '../engine/alert-collector';
import { accountVertex, DAY, deposit, runDetector, T0 } from '../testing/fixtures';
import { AlertRepository } from './alert.repository';
import { GraphAlertStatusHistory } from './graph.alert-status-history';

const NOW = Date.UTC(2025, 1, 1);
const ACCOUNTS = ['account:b:A', 'account:b:B', 'account:b:C', 'account:b:D'];

async function setup() {
  const store = new MemoryGraphStore();
  const history = new GraphAlertStatusHistory(store);
  const repository = new AlertRepository(store, history, new FixedClock(NOW));
  await store.upsertVertices([
    ...ACCOUNTS.map((uid) => accountVertex(uid)),
    accountVertex('cash:b:1', { accountType: 'cash-point' }),
  ]);
  const alerts: DetectedAlert[] = [];
  for (const account of ACCOUNTS) {
    const movements: Movement[] = Array.from({ length: 3 }, (_, i) =>
      deposit(account, 9_500_00 + i, T0 + i * DAY, 'cash:b:1'),
    );
    await store.upsertEdges(movements.map(movementEdge));
    const { alerts: drafts } = runDetector(structuringDetector, movements);
    alerts.push(toDetectedAlert(structuringDetector, drafts[0]));
  }
  return { store, history, repository, alerts };
}

describe('AlertRepository.save with an alert the store refuses', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('saves the valid alerts of the chunk and reports the invalid one with its reason', async () => {
    const { store, history, repository, alerts } = await setup();
    // An alert built past toDetectedAlert's bound, as an older or foreign producer might.
    const bad = { ...alerts[1], explanation: 'x'.repeat(10_001) };
    const batch = [alerts[0], bad, alerts[2], alerts[3]];
    const result = await repository.save(batch);
    expect(result).toEqual({
      created: 3,
      updated: 0,
      unchanged: 0,
      alertIds: [alerts[0].alertId, alerts[2].alertId, alerts[3].alertId],
      rejected: [
        {
          alertId: bad.alertId,
          ruleId: 'aml.structuring',
          reason: 'props.explanation must be at most 10000 characters',
          problems: [{ field: 'props.explanation', rule: 'must be at most 10000 characters' }],
        },
      ],
    });
    for (const alert of [alerts[0], alerts[2], alerts[3]]) {
      expect((await repository.get(alert.alertId)).status).toBe('open');
      expect(await history.list(alert.alertId)).toHaveLength(1);
    }
    expect(await store.getVertex(bad.alertId)).toBeUndefined();
    expect(await history.list(bad.alertId)).toEqual([]);
    const flagged = await store.getNeighbourhood({
      uid: 'account:b:B',
      depth: 1,
      edgeLabels: ['FLAGS'],
      limit: 10,
    });
    expect(flagged.edges).toEqual([]);
    expect(warn).toHaveBeenCalledWith(
      `Alert ${bad.alertId} not saved: props.explanation must be at most 10000 characters`,
    );
  });

  it('keeps an updated alert as stored when its new version is refused', async () => {
    const { repository, alerts } = await setup();
    await repository.save([alerts[0]]);
    const grown = { ...alerts[0], score: 0.99, explanation: 'y'.repeat(10_001) };
    const result = await repository.save([grown, alerts[1]]);
    expect(result).toMatchObject({ created: 1, updated: 0, alertIds: [alerts[1].alertId] });
    expect(result.rejected?.map((r) => r.alertId)).toEqual([alerts[0].alertId]);
    expect((await repository.get(alerts[0].alertId)).explanation).toBe(alerts[0].explanation);
  });

  it('drops only the alerts the store itself refuses and writes the rest', async () => {
    const { store, repository, alerts } = await setup();
    const upsert = jest.spyOn(store, 'upsertVertices');
    upsert.mockImplementationOnce(() =>
      Promise.reject(
        new BatchRejectedError(
          [{ index: 2, id: alerts[2].alertId, problems: [{ field: 'uid', rule: 'is taken' }] }],
          4,
        ),
      ),
    );
    const result = await repository.save(alerts);
    expect(result.created).toBe(3);
    expect(result.alertIds).toEqual([alerts[0].alertId, alerts[1].alertId, alerts[3].alertId]);
    expect(result.rejected).toEqual([
      expect.objectContaining({ alertId: alerts[2].alertId, reason: 'uid is taken' }),
    ]);
    expect(await store.getVertex(alerts[2].alertId)).toBeUndefined();
    expect(await store.getVertex(alerts[3].alertId)).toBeDefined();
  });

  it('has no rejected list when every alert is saved', async () => {
    const { repository, alerts } = await setup();
    expect(await repository.save(alerts)).not.toHaveProperty('rejected');
  });
});
