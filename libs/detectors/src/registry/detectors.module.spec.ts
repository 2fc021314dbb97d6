import { Test } from '@nestjs/testing';
import { GraphStore, GraphStoreModule } from '@app/graph-store';
import { SettingsModule } from '@app/settings';
import { Clock, FixedClock, movementEdge } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import type { Detector } from '../core/detector';
import { AlertRepository } from '../alerts/alert.repository';
import { AlertStatusHistory } from '../alerts/alert-status-history';
import { GraphAlertStatusHistory } from '../alerts/graph.alert-status-history';
import { AccountRiskService } from '../services/account-risk.service';
import { DetectionService } from '../services/detection.service';
import { StreamDetectionService } from '../services/stream-detection.service';
import { accountVertex, HOUR, mv, T0 } from '../testing/fixtures';
import { ALL_DETECTORS } from './all-detectors';
import { DETECTORS } from './detectors.tokens';
import { DetectorsModule } from './detectors.module';

const NOW = Date.UTC(2025, 2, 1);
const PAYEES = ['account:b:P1', 'account:b:P2', 'account:b:P3', 'account:b:P4', 'account:b:P5'];

async function boot() {
  const moduleRef = await Test.createTestingModule({
    imports: [SettingsModule, GraphStoreModule, DetectorsModule],
  })
    .overrideProvider(Clock)
    .useValue(new FixedClock(NOW))
    .compile();
  const store = moduleRef.get(GraphStore);
  await store.upsertVertices([
    accountVertex('account:b:S'),
    ...PAYEES.map((uid) => accountVertex(uid)),
  ]);
  return { moduleRef, store };
}

function fanOut(): Movement[] {
  return PAYEES.map((to, i) =>
    mv('account:b:S', to, 2_000_00, T0 + i * HOUR, { id: `mv:fan:${i}` }),
  );
}

describe('DetectorsModule', () => {
  it('registers every rule under the DETECTORS multi-token', async () => {
    const { moduleRef } = await boot();
    const detectors = moduleRef.get<Detector[]>(DETECTORS);
    expect(detectors.map((d) => d.id)).toEqual(ALL_DETECTORS.map((d) => d.id));
    await moduleRef.close();
  });

  it('scans the store, stores the alert once, and a second scan changes nothing', async () => {
    const { moduleRef, store } = await boot();
    await store.upsertEdges(fanOut().map(movementEdge));
    const detection = moduleRef.get(DetectionService);
    const request = { rules: ['aml.fan-out'], from: T0, to: T0 + 24 * HOUR };
    const report = await detection.scan(request);
    expect(report.alerts).toEqual({ detected: 1, created: 1, updated: 0, unchanged: 0 });
    // The fan rules scan the window (no candidate list): they weigh every counterparty's reach.
    expect(report.rules[0]).toMatchObject({ ruleId: 'aml.fan-out', alerts: 1 });
    expect(report.rules[0].candidates).toBeUndefined();
    expect((await detection.scan(request)).alerts).toEqual({
      detected: 1,
      created: 0,
      updated: 0,
      unchanged: 1,
    });
    const page = await moduleRef.get(AlertRepository).list({ accountId: 'account:b:S' }, 10);
    expect(page.items.map((a) => a.ruleId)).toEqual(['aml.fan-out']);
    const risk = await moduleRef.get(AccountRiskService).risk('account:b:S');
    expect(risk).toMatchObject({
      activeAlerts: 1,
      byTypology: { 'fan-out': 1 },
      riskLevel: 'medium',
    });
    await moduleRef.close();
  });

  it('keeps alert status histories in the graph store by default', async () => {
    const { moduleRef, store } = await boot();
    expect(moduleRef.get(AlertStatusHistory)).toBeInstanceOf(GraphAlertStatusHistory);
    await store.upsertEdges(fanOut().map(movementEdge));
    const report = await moduleRef
      .get(DetectionService)
      .scan({ rules: ['aml.fan-out'], from: T0, to: T0 + 24 * HOUR });
    const [alertId] = report.alertIds;
    await moduleRef.get(AlertRepository).changeStatus(alertId, 'escalated', 'many payees', 'key-1');
    const counts = await store.counts();
    expect(counts.vertices.StatusChange).toBe(2);
    expect(counts.edges.HAS_STATUS_CHANGE).toBe(2);
    expect((await moduleRef.get(AlertStatusHistory).list(alertId)).map((c) => c.to)).toEqual([
      'open',
      'escalated',
    ]);
    await moduleRef.close();
  });

  it('raises the same alert per event through the stream service', async () => {
    const { moduleRef, store } = await boot();
    const stream = moduleRef.get(StreamDetectionService);
    const raised = [];
    for (const m of fanOut()) {
      await store.upsertEdges([movementEdge(m)]);
      raised.push(...(await stream.onMovement(m)));
    }
    expect(raised.map((a) => a.ruleId)).toContain('aml.fan-out');
    const stored = await moduleRef.get(AlertRepository).list({ ruleId: 'aml.fan-out' }, 10);
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0].createdAt).toBe(NOW);
    await moduleRef.close();
  });
});
