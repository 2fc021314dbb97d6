import { MemoryGraphStore } from '@app/graph-store';
import type { MovementWindowQuery } from '@app/graph-store';
import { FixedClock, InvalidInputError, movementEdge } from '@app/vocabulary';
import type { Movement } from '@app/vocabulary';
import { AlertRepository } from '../alerts/alert.repository';
import { GraphAlertStatusHistory } from '../alerts/graph.alert-status-history';
import { ALL_DETECTORS } from '../registry/all-detectors';
import { DetectorRegistry } from '../registry/detector.registry';
import { accountVertex, DAY, defaultConfig, deposit, T0 } from '../testing/fixtures';
import { DetectionService } from './detection.service';
import type { ScanProgress } from './detection.service';

/** Counts movement pages, and aborts the scan's signal when the first page is asked. */
class CountingStore extends MemoryGraphStore {
  pages = 0;
  onPage: (() => void) | undefined;

  override scanMovements(query: MovementWindowQuery): Promise<Movement[]> {
    this.pages += 1;
    this.onPage?.();
    return super.scanMovements(query);
  }
}

async function setup() {
  const store = new CountingStore();
  const clock = new FixedClock(T0 + 30 * DAY);
  const alerts = new AlertRepository(store, new GraphAlertStatusHistory(store), clock);
  const registry = new DetectorRegistry(ALL_DETECTORS, defaultConfig());
  const service = new DetectionService(registry, store, alerts, clock);
  await store.upsertVertices([
    accountVertex('account:b:A'),
    accountVertex('cash:b:1', { accountType: 'cash-point' }),
  ]);
  const movements = [0, 1, 2].map((i) =>
    deposit('account:b:A', 9_500_00 + i, T0 + i * DAY, 'cash:b:1'),
  );
  await store.upsertEdges(movements.map(movementEdge));
  return { store, service };
}

const WINDOW = { from: T0 - DAY, to: T0 + 10 * DAY };

describe('DetectionService', () => {
  it('plan() refuses unknown rules and empty windows before anything runs', async () => {
    const { store, service } = await setup();
    expect(() => service.plan({ rules: ['aml.nope'], ...WINDOW })).toThrow(InvalidInputError);
    expect(() => service.plan({ from: WINDOW.to, to: WINDOW.from })).toThrow(InvalidInputError);
    expect(store.pages).toBe(0);
  });

  it('reports progress up to every rule done, then saving', async () => {
    const { service } = await setup();
    const seen: ScanProgress[] = [];
    const report = await service.scan(
      { rules: ['aml.structuring'], ...WINDOW },
      { onProgress: (p) => seen.push(p) },
    );
    expect(report.alerts.created).toBe(1);
    expect(seen[seen.length - 1]).toEqual({
      phase: 'saving',
      rulesDone: 1,
      rulesTotal: 1,
      movementsScanned: 3,
    });
    expect(seen.every((p) => p.rulesTotal === 1)).toBe(true);
  });

  it('gives the event loop a turn while it runs with a signal, even on the in-memory store', async () => {
    const { service } = await setup();
    let turned = false;
    setImmediate(() => {
      turned = true;
    });
    let turnedBeforeSaving = false;
    await service.scan(
      { rules: ['aml.structuring'], ...WINDOW },
      {
        signal: new AbortController().signal,
        onProgress: (p) => {
          if (p.phase === 'saving') turnedBeforeSaving = turned;
        },
      },
    );
    expect(turnedBeforeSaving).toBe(true);
  });

  it('starts no store read once its signal is aborted, and stores nothing', async () => {
    const { store, service } = await setup();
    const abort = new AbortController();
    const reason = new Error('cancelled by the test');
    let pagesAtAbort = -1;
    store.onPage = () => {
      if (abort.signal.aborted) return;
      pagesAtAbort = store.pages;
      abort.abort(reason);
    };
    await expect(
      service.scan({ rules: ['aml.structuring'], ...WINDOW }, { signal: abort.signal }),
    ).rejects.toBe(reason);
    // The scan reads 2 slices side by side: the request under way when the signal came is the
    // first one or the second; none starts after it.
    expect(pagesAtAbort).toBeGreaterThanOrEqual(1);
    expect(pagesAtAbort).toBeLessThanOrEqual(2);
    expect(store.pages).toBe(pagesAtAbort);
    expect((await store.counts()).vertices.Alert).toBe(0);
  });
});
