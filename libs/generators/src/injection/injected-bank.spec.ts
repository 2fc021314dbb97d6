import { join } from 'node:path';
import type { GraphEdge, GroundTruthRecord, MovementEdge } from '@app/vocabulary';
import type { GenerateBankOptions } from '../bank/bank-options';
import type { DatasetChunk } from '../bank/dataset.model';
import { buildWorld, generateBank } from '../bank/generate-bank';
import { DAY_MS, type SimulationClock } from '../population/population.model';
import {
  generateBankWithPatterns,
  injectionCandidates,
  mergeByTime,
  mergeInjection,
} from './injected-bank';

const FIXTURE = join(__dirname, 'fixtures', 'mini-inject_Patterns.txt');
const TINY: GenerateBankOptions = {
  profile: 'tiny',
  seed: 42,
  referenceTime: '2025-01-01T00:00:00Z',
  days: 30,
};
const START = Date.UTC(2024, 11, 1);
const CLOCK: SimulationClock = { windowStart: START, windowEnd: START + 3 * DAY_MS, days: 3 };

function movement(eid: string, timestamp: number): MovementEdge {
  return {
    label: 'TRANSFERRED',
    eid,
    from: 'account:a',
    to: 'account:b',
    props: { amountMinor: 100, currency: 'USD', timestamp, channel: 'ach' },
  };
}

function event(eid: string): GraphEdge {
  return { label: 'HAS_EVENT', eid, from: 'account:a', to: `event:${eid}`, props: {} };
}

function day(done: number, edges: GraphEdge[]): DatasetChunk {
  return {
    stage: 'movements',
    vertices: [],
    edges,
    groundTruth: [],
    progress: { done, total: 3 },
  };
}

const RECORD: GroundTruthRecord = {
  instanceId: 'amlworld-x-0001',
  typology: 'cycle',
  decoy: false,
  source: 'amlworld',
  entities: [],
  movements: [],
  parameters: {},
};

async function collect(chunks: AsyncIterable<DatasetChunk>): Promise<DatasetChunk[]> {
  const all: DatasetChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

async function* from(chunks: DatasetChunk[]): AsyncGenerator<DatasetChunk> {
  for (const chunk of chunks) yield await Promise.resolve(chunk);
}

describe('mergeByTime', () => {
  it('puts injected movements among the movements by time, after events and same-instant movements', () => {
    const edges = [event('e1'), movement('g1', 10), movement('g2', 20), movement('g3', 30)];
    const merged = mergeByTime(edges, [movement('i0', 5), movement('i1', 20), movement('i2', 40)]);
    expect(merged.map((e) => e.eid)).toEqual(['e1', 'i0', 'g1', 'g2', 'i1', 'g3', 'i2']);
  });
});

describe('mergeInjection', () => {
  it('sends each injected movement to the chunk of its day and appends the records to the ground truth', async () => {
    const h = 3_600_000;
    const chunks = [
      { ...day(0, [movement('old', START - DAY_MS)]) },
      day(1, [movement('g1', START + 2 * h)]),
      day(2, [event('e2')]),
      day(3, [movement('g3', START + 2 * DAY_MS + h)]),
      {
        ...day(1, []),
        stage: 'ground-truth' as const,
        groundTruth: [{ ...RECORD, instanceId: 'own' }],
      },
    ];
    const injected = [
      movement('i1', START + h),
      movement('i2', START + DAY_MS + 5 * h),
      movement('i3', START + 3 * DAY_MS - 1),
    ];
    const out = await collect(
      mergeInjection(from(chunks), { movements: injected, records: [RECORD] }, CLOCK),
    );
    expect(out.map((c) => c.edges.map((e) => e.eid))).toEqual([
      ['old'],
      ['i1', 'g1'],
      ['e2', 'i2'],
      ['g3', 'i3'],
      [],
    ]);
    expect(out[4]?.groundTruth.map((r) => r.instanceId)).toEqual(['own', 'amlworld-x-0001']);
  });

  it('refuses injected movements that fall in no day of the stream', async () => {
    const chunks = [day(1, []), { ...day(1, []), stage: 'ground-truth' as const }];
    const late = movement('late', START + 5 * DAY_MS);
    await expect(
      collect(mergeInjection(from(chunks), { movements: [late], records: [] }, CLOCK)),
    ).rejects.toThrow(/injected movement late .* fell in no day of the period/);
  });
});

describe('generateBankWithPatterns (tiny bank)', () => {
  async function injected(): Promise<DatasetChunk[]> {
    return collect((await generateBankWithPatterns(TINY, FIXTURE)).chunks);
  }

  it('is the plain bank plus the attempts: same generated chunks, injected movements in their days', async () => {
    const plain = await collect(generateBank(TINY));
    const withPatterns = await injected();
    expect(withPatterns.length).toBe(plain.length);
    const world = buildWorld(TINY);
    const { windowStart } = world.options.clock;
    let injectedCount = 0;
    const ids = new Set<string>();
    for (const [index, chunk] of withPatterns.entries()) {
      const original = plain[index];
      const extra = chunk.edges.filter((e) => e.eid.startsWith('mv:amlworld-mini-inject-'));
      injectedCount += extra.length;
      expect(chunk.edges.filter((e) => !extra.includes(e))).toEqual(original.edges);
      expect(chunk.vertices).toEqual(original.vertices);
      for (const edge of chunk.edges) {
        expect(ids.has(edge.eid)).toBe(false);
        ids.add(edge.eid);
      }
      if (chunk.stage !== 'movements') continue;
      const times = chunk.edges
        .filter((e): e is MovementEdge => e.label === 'TRANSFERRED')
        .map((e) => e.props.timestamp);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      for (const edge of extra as MovementEdge[]) {
        expect(chunk.progress.done).toBe(
          Math.floor((edge.props.timestamp - windowStart) / DAY_MS) + 1,
        );
      }
    }
    expect(injectedCount).toBe(11);
    const truth = withPatterns[withPatterns.length - 1]?.groundTruth ?? [];
    const own = plain[plain.length - 1]?.groundTruth ?? [];
    expect(truth.slice(0, own.length)).toEqual(own);
    expect(truth.slice(own.length).map((r) => [r.instanceId, r.typology])).toEqual([
      ['amlworld-mini-inject-0001', 'fan-out'],
      ['amlworld-mini-inject-0002', 'cycle'],
      ['amlworld-mini-inject-0003', 'scatter-gather'],
    ]);
  });

  it('grafts attempts only onto eligible accounts that no generated instance uses', async () => {
    const world = buildWorld(TINY);
    const eligible = new Set(injectionCandidates(world).map((c) => c.uid));
    const claimed = new Set(world.plan.instances.flatMap((i) => i.entities));
    const truth = (await injected()).at(-1)?.groundTruth ?? [];
    const accounts = truth.filter((r) => r.source === 'amlworld').flatMap((r) => r.entities);
    expect(accounts.length).toBeGreaterThan(0);
    for (const uid of accounts) {
      expect(eligible.has(uid)).toBe(true);
      expect(claimed.has(uid)).toBe(false);
    }
  });

  it('gives byte-identical output for the same seed and file', async () => {
    const a = JSON.stringify(await injected());
    const b = JSON.stringify(await injected());
    expect(a).toBe(b);
  });
});
