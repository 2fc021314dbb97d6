import { MemoryGraphStore } from '@app/graph-store';
import { movementEdge } from '@app/vocabulary';
import { ALL_DETECTORS } from '../registry/all-detectors';
import { DetectorRegistry } from '../registry/detector.registry';
import { accountVertex, DAY, defaultConfig, mv } from '../testing/fixtures';
import { StoreBatchDetection } from './store-scan';

/**
 * Times are epoch milliseconds, 0 or more: nothing is stored before 1970. A window in early
 * 1970 used to reach below 0 with the rules' look-back (90 days and more), and the scan failed
 * in the store ("from must be at least 0") after the API had accepted it.
 */
describe('a scan of a window at the start of 1970', () => {
  it('runs every rule over a look-back that starts at 0, not before', async () => {
    const store = new MemoryGraphStore();
    await store.upsertVertices([
      accountVertex('acc:A', { openedAt: 0 }),
      accountVertex('acc:B', { openedAt: 0 }),
    ]);
    await store.upsertEdges([movementEdge(mv('acc:A', 'acc:B', 100_00, 10 * DAY))]);
    const registry = new DetectorRegistry(ALL_DETECTORS, defaultConfig());
    const result = await new StoreBatchDetection(store).scan(registry.instantiate(), {
      from: 5 * DAY,
      to: 60 * DAY,
      now: 60 * DAY,
    });
    expect(result.alerts).toEqual([]);
    expect(result.movements).toBe(1);
  });
});
