import { MemoryGraphStore } from '@app/graph-store';
import { FixedClock, GraphUnavailableError, movementEdge } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { structuringDetector } from '../aml/structuring.detector';
import type { AlertRisk, DetectedAlert } from '../core/detector';
import type { MovementRiskHookFactory } from '../core/movement-risk-hook';
import { toDetectedAlert } from '../engine/alert-collector';
import { scoreScanAlerts } from '../engine/scan-risk';
import { DetectorRegistry } from '../registry/detector.registry';
import { ALL_DETECTORS } from '../registry/all-detectors';
import { DetectionService } from '../services/detection.service';
import { StreamDetectionService } from '../services/stream-detection.service';
import {
  accountVertex,
  DAY,
  defaultConfig,
  deposit,
  mv,
  runDetector,
  T0,
} from '../testing/fixtures';
import { testMoney } from '../testing/fx-fixtures';
import { AlertRepository } from './alert.repository';
import { GraphAlertStatusHistory } from './graph.alert-status-history';

const NOW = Date.UTC(2025, 1, 1);

const risk = (score: number, version = 'risk-1'): AlertRisk => ({
  modelVersion: version,
  score,
  threshold: 0.5,
  reasons: [
    { feature: 'senderOutDistinct7d', effect: 1.25, text: 'the sender paid 9 accounts in 7 days' },
    { feature: 'amountBase', effect: 0.5, text: 'the amount was 9,500.00 USD' },
  ],
});

async function setup() {
  const store = new MemoryGraphStore();
  const repository = new AlertRepository(
    store,
    new GraphAlertStatusHistory(store),
    new FixedClock(NOW),
  );
  await store.upsertVertices([
    accountVertex('account:b:A'),
    accountVertex('account:b:B'),
    accountVertex('cash:b:1', { accountType: 'cash-point' }),
  ]);
  return { store, repository };
}

async function structuring(store: MemoryGraphStore, count: number): Promise<DetectedAlert> {
  const movements: Movement[] = Array.from({ length: count }, (_, i) =>
    deposit('account:b:A', 9_500_00 + i, T0 + i * DAY, 'cash:b:1'),
  );
  await store.upsertEdges(movements.map(movementEdge));
  const { alerts } = runDetector(structuringDetector, movements);
  expect(alerts).toHaveLength(1);
  return toDetectedAlert(structuringDetector, alerts[0]);
}

/**
 * A stand-in for the learned model: scores each movement by how many movements it has seen
 * (so a test can tell whether the history was fed), and records what it was fed.
 */
class CountingHooks implements MovementRiskHookFactory {
  readonly fed: { movementId: string; alerts: string[] }[] = [];
  constructor(readonly historyMs?: number) {}
  create(): ReturnType<MovementRiskHookFactory['create']> {
    let seen = 0;
    return {
      onMovement: (movement, alerts) => {
        seen += 1;
        this.fed.push({ movementId: movement.movementId, alerts: alerts.map((a) => a.alertId) });
        const view: AlertRisk = {
          modelVersion: 'risk-counting',
          score: Math.min(1, seen / 100),
          threshold: 0.5,
          reasons: [{ feature: 'seen', effect: seen, text: `${seen} movements seen` }],
        };
        for (const alert of alerts) alert.risk = view;
        return view;
      },
      trial: (run) => run(),
    };
  }
}

describe('Alert risk in the store', () => {
  it('stores the model risk with the alert and reads it back, reasons in words included', async () => {
    const { store, repository } = await setup();
    const alert = await structuring(store, 3);
    await repository.save([{ ...alert, risk: risk(0.91) }]);
    expect((await repository.get(alert.alertId)).risk).toEqual(risk(0.91));
    expect((await repository.detail(alert.alertId)).risk).toEqual(risk(0.91));
    const vertex = await store.getVertex(alert.alertId);
    expect(vertex?.label === 'Alert' && vertex.props.riskModelVersion).toBe('risk-1');
  });

  it('stores no risk property without a model, as before', async () => {
    const { store, repository } = await setup();
    const alert = await structuring(store, 3);
    await repository.save([alert]);
    const vertex = await store.getVertex(alert.alertId);
    expect(Object.keys(vertex?.props ?? {}).filter((k) => k.startsWith('risk'))).toEqual([]);
    expect((await repository.get(alert.alertId)).risk).toBeUndefined();
  });

  it('replaces the risk when the alert is saved again, and counts only real changes', async () => {
    const { store, repository } = await setup();
    const alert = await structuring(store, 3);
    await repository.save([{ ...alert, risk: risk(0.4) }]);
    expect(await repository.save([{ ...alert, risk: risk(0.4) }])).toMatchObject({
      unchanged: 1,
    });
    expect(await repository.save([{ ...alert, risk: risk(0.8, 'risk-2') }])).toMatchObject({
      updated: 1,
    });
    expect((await repository.get(alert.alertId)).risk).toEqual(risk(0.8, 'risk-2'));
    // Saved again without a model: the latest evaluation had none, so the alert has none.
    expect(await repository.save([alert])).toMatchObject({ updated: 1 });
    expect((await repository.get(alert.alertId)).risk).toBeUndefined();
  });

  it('reads an alert stored before risks existed, and leaves out a reason it cannot read', async () => {
    const { store, repository } = await setup();
    const alert = await structuring(store, 3);
    await repository.save([alert]);
    const vertex = await store.getVertex(alert.alertId);
    if (vertex?.label !== 'Alert') throw new Error('expected the alert vertex');
    await store.upsertVertices([
      {
        ...vertex,
        props: {
          ...vertex.props,
          riskScore: 0.7,
          riskThreshold: 0.5,
          riskModelVersion: 'risk-old',
          riskReasons: ['not json', JSON.stringify({ feature: 'f', effect: 2, text: 'words' })],
        },
      },
    ]);
    expect((await repository.get(alert.alertId)).risk).toEqual({
      modelVersion: 'risk-old',
      score: 0.7,
      threshold: 0.5,
      reasons: [{ feature: 'f', effect: 2, text: 'words' }],
    });
  });
});

describe('Scoring a store scan with the model', () => {
  it('feeds the history and the movements in time order, each alert with its latest movement', async () => {
    const { store } = await setup();
    const before = mv('account:b:B', 'account:b:A', 100_00, T0 - 2 * DAY);
    const tooOld = mv('account:b:B', 'account:b:A', 100_00, T0 - 20 * DAY);
    const after = mv('account:b:B', 'account:b:A', 100_00, T0 + 30 * DAY);
    await store.upsertEdges([before, tooOld, after].map(movementEdge));
    const alert = await structuring(store, 3);
    const hooks = new CountingHooks();
    const report = await scoreScanAlerts(store, hooks, [alert], { historyMs: 10 * DAY });
    expect(hooks.fed.map((f) => f.movementId)).toEqual([
      before.movementId,
      ...alert.movements.map((m) => m.movementId),
    ]);
    expect(hooks.fed.map((f) => f.alerts.length)).toEqual([0, 0, 0, 1]);
    expect(report).toEqual({ scored: 1, movementsFed: 4 });
    expect(alert.risk).toMatchObject({ modelVersion: 'risk-counting', score: 0.04 });
  });

  it('reads the history page by page and scores nothing without alerts', async () => {
    const { store } = await setup();
    const history = Array.from({ length: 11 }, (_, i) =>
      mv('account:b:B', 'account:b:A', 100_00, T0 - DAY + i * 60_000),
    );
    await store.upsertEdges(history.map(movementEdge));
    const alert = await structuring(store, 3);
    const hooks = new CountingHooks();
    await scoreScanAlerts(store, hooks, [alert], { historyMs: 5 * DAY, pageSize: 4 });
    expect(hooks.fed).toHaveLength(14);
    expect(alert.risk?.score).toBe(0.14);
    expect(await scoreScanAlerts(store, hooks, [], { historyMs: DAY })).toEqual({
      scored: 0,
      movementsFed: 0,
    });
  });

  it('the scan stores the alerts with the model risk, and without a model exactly as before', async () => {
    for (const hooks of [new CountingHooks(7 * DAY), undefined]) {
      const { store, repository } = await setup();
      const alert = await structuring(store, 3);
      const registry = new DetectorRegistry(ALL_DETECTORS, defaultConfig(), testMoney());
      const service = new DetectionService(
        registry,
        store,
        repository,
        new FixedClock(NOW),
        hooks ?? null,
      );
      const report = await service.scan({
        rules: ['aml.structuring'],
        from: T0 - DAY,
        to: T0 + 10 * DAY,
      });
      expect(report.alertIds).toEqual([alert.alertId]);
      const stored = await repository.get(alert.alertId);
      if (hooks) {
        expect(report.risk).toEqual({
          modelConfigured: true,
          modelVersion: 'risk-counting',
          alertsScored: 1,
          movementsFed: 3,
        });
        expect(stored.risk).toMatchObject({ modelVersion: 'risk-counting', score: 0.03 });
      } else {
        expect(report.risk).toEqual({
          modelConfigured: false,
          modelVersion: null,
          alertsScored: 0,
          movementsFed: 0,
        });
        expect(stored.risk).toBeUndefined();
        expect(stored.explanation).toBe(alert.explanation);
      }
    }
  });
});

describe('Stream detection stores the model risk with its alerts', () => {
  it('an alert raised on the stream is stored with the risk of its movement; none without a model', async () => {
    for (const hooks of [new CountingHooks(), undefined]) {
      const { store, repository } = await setup();
      const registry = new DetectorRegistry(ALL_DETECTORS, defaultConfig(), testMoney());
      const stream = new StreamDetectionService(registry, store, repository, hooks ?? null);
      const deposits = Array.from({ length: 3 }, (_, i) =>
        deposit('account:b:A', 9_500_00 + i, T0 + i * DAY, 'cash:b:1'),
      );
      const raised: DetectedAlert[] = [];
      for (const movement of deposits) {
        await store.upsertEdges([movementEdge(movement)]);
        raised.push(...(await stream.onMovement(movement)));
      }
      const structuringAlert = raised.find((a) => a.ruleId === 'aml.structuring');
      expect(structuringAlert).toBeDefined();
      const stored = await repository.get(structuringAlert?.alertId ?? '');
      if (hooks) {
        // Fed every movement once, in order: the third one raised the alert.
        expect(hooks.fed.map((f) => f.movementId)).toEqual(deposits.map((m) => m.movementId));
        expect(stored.risk).toEqual(structuringAlert?.risk);
        expect(stored.risk).toMatchObject({ modelVersion: 'risk-counting', score: 0.03 });
      } else {
        expect(stored.risk).toBeUndefined();
      }
    }
  });
});

describe('Stream detection when saving its alerts fails (outside fault review)', () => {
  it('called again for the same movement after a failed save, it saves the alerts once more without feeding the rules twice', async () => {
    const { store, repository } = await setup();
    const registry = new DetectorRegistry(ALL_DETECTORS, defaultConfig(), testMoney());
    const stream = new StreamDetectionService(registry, store, repository, null);
    const deposits = Array.from({ length: 3 }, (_, i) =>
      deposit('account:b:A', 9_500_00 + i, T0 + i * DAY, 'cash:b:1'),
    );
    for (const movement of deposits.slice(0, 2)) {
      await store.upsertEdges([movementEdge(movement)]);
      await stream.onMovement(movement);
    }
    const last = deposits[2];
    await store.upsertEdges([movementEdge(last)]);
    const save = jest
      .spyOn(repository, 'save')
      .mockRejectedValueOnce(new GraphUnavailableError('JanusGraph went away'));
    await expect(stream.onMovement(last)).rejects.toBeInstanceOf(GraphUnavailableError);
    const state = stream.stateSize();
    const raised = await stream.onMovement(last);
    expect(stream.stateSize()).toBe(state);
    const structuringAlert = raised.find((a) => a.ruleId === 'aml.structuring');
    expect(structuringAlert?.movements.map((m) => m.movementId)).toEqual(
      deposits.map((m) => m.movementId),
    );
    expect(save).toHaveBeenCalledTimes(2);
    expect((await repository.get(structuringAlert?.alertId ?? '')).movementIds).toEqual(
      deposits.map((m) => m.movementId),
    );
  });
});
