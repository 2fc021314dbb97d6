import { InvalidInputError, movementEdge } from '@app/vocabulary';
import type { GraphEdge, GraphVertex } from '@app/vocabulary';
import { ALL_DETECTORS } from '../registry/all-detectors';
import { DetectorRegistry } from '../registry/detector.registry';
import { accountVertex, DAY, defaultConfig, deposit, HOUR, mv, T0 } from '../testing/fixtures';
import { detectInDataset } from './batch-detection';
import { detectInChunks } from './chunked-detection';
import type { DetectionChunk } from './chunked-detection';

const registry = new DetectorRegistry(ALL_DETECTORS, defaultConfig());
const population: DetectionChunk = {
  vertices: ['acc:a', 'acc:b', 'acc:c', 'cash:bank1:b1'].map((uid) => accountVertex(uid)),
  edges: [],
};

/** Nine cash deposits of 9,500 USD into acc:a, one per hour: structuring in any window. */
function structuringDay(start: number): GraphEdge[] {
  return Array.from({ length: 9 }, (_, i) =>
    movementEdge(deposit('acc:a', 950_000, start + i * HOUR)),
  );
}

describe('detectInChunks: batch detection over a dataset that arrives in chunks', () => {
  it('raises the same alerts as the dataset held in memory, whatever the chunking', async () => {
    const day1 = structuringDay(T0);
    const day2 = structuringDay(T0 + DAY);
    const instances = registry.instantiate();
    const whole = detectInDataset(instances, {
      vertices: population.vertices,
      edges: [...day1, ...day2],
    });
    const chunked = await detectInChunks(instances, [
      population,
      { vertices: [], edges: day1 },
      { vertices: [], edges: day2 },
    ]);
    expect(whole.alerts.some((a) => a.ruleId === 'aml.structuring')).toBe(true);
    expect(chunked.alerts).toEqual(whole.alerts);
    expect(chunked.movements).toBe(18);
    expect(chunked.accounts).toBe(4);
  });

  it('accepts a movement at the same instant as the previous chunk’s last one, ordered by id', async () => {
    const first = mv('acc:a', 'acc:b', 100, T0, { id: 'mv:t:1' });
    const second = mv('acc:b', 'acc:c', 100, T0, { id: 'mv:t:2' });
    const result = await detectInChunks(registry.instantiate(), [
      population,
      { vertices: [], edges: [movementEdge(first)] },
      { vertices: [], edges: [movementEdge(second)] },
    ]);
    expect(result.movements).toBe(2);
  });

  it('refuses a chunk whose movements are older than the previous chunk’s, naming both', async () => {
    const late = mv('acc:a', 'acc:b', 100, T0 + HOUR, { id: 'mv:t:late' });
    const early = mv('acc:b', 'acc:c', 100, T0, { id: 'mv:t:early' });
    const run = detectInChunks(registry.instantiate(), [
      population,
      { vertices: [], edges: [movementEdge(late)] },
      { vertices: [], edges: [movementEdge(early)] },
    ]);
    await expect(run).rejects.toThrow(InvalidInputError);
    await expect(
      detectInChunks(registry.instantiate(), [
        population,
        { vertices: [], edges: [movementEdge(late)] },
        { vertices: [], edges: [movementEdge(early)] },
      ]),
    ).rejects.toThrow(/mv:t:early .* arrived after movement mv:t:late/);
  });

  it('refuses a HAS_EVENT edge whose Event vertex is not in its chunk', async () => {
    const edge: GraphEdge = {
      label: 'HAS_EVENT',
      eid: 'HAS_EVENT:acc:a:event:x',
      from: 'acc:a',
      to: 'event:x',
      props: {},
    };
    await expect(
      detectInChunks(registry.instantiate(), [population, { vertices: [], edges: [edge] }]),
    ).rejects.toThrow(/HAS_EVENT edge .* points at event event:x, which is not in the same chunk/);
  });

  it('replays an event that arrives with its HAS_EVENT edge', async () => {
    const vertex: GraphVertex = {
      label: 'Event',
      uid: 'event:x',
      props: { kind: 'login', timestamp: T0 },
    };
    const edge: GraphEdge = {
      label: 'HAS_EVENT',
      eid: 'HAS_EVENT:acc:a:event:x',
      from: 'acc:a',
      to: 'event:x',
      props: {},
    };
    const progress: number[] = [];
    const result = await detectInChunks(
      registry.instantiate(),
      [population, { vertices: [vertex], edges: [edge] }],
      { onChunk: (p) => progress.push(p.events) },
    );
    expect(result.events).toBe(1);
    expect(progress).toEqual([0, 1]);
  });
});
