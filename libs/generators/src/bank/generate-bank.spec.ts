import { InvalidInputError, TYPOLOGIES, validateEdge, validateVertex } from '@app/vocabulary';
import { DatasetIndex } from '../testing/dataset-index';
import type { InMemoryDataset } from './dataset.model';
import { generateBank, generateBankInMemory } from './generate-bank';

const OPTIONS = {
  profile: 'tiny',
  seed: 42,
  referenceTime: '2025-01-01T00:00:00Z',
  days: 90,
} as const;
const WINDOW_END = Date.parse(OPTIONS.referenceTime);

describe('generateBank (tiny profile)', () => {
  let dataset: InMemoryDataset;
  let index: DatasetIndex;

  beforeAll(async () => {
    dataset = await generateBankInMemory(OPTIONS);
    index = new DatasetIndex(dataset);
  }, 60_000);

  it('produces a few hundred movements and every kind of record', () => {
    expect(index.movements.length).toBeGreaterThan(300);
    expect(index.movements.length).toBeLessThan(2_000);
    for (const label of ['Person', 'Company', 'Account', 'Identifier', 'Event'] as const) {
      expect(dataset.vertices.some((v) => v.label === label)).toBe(true);
    }
    for (const label of [
      'HOLDS',
      'OWNS',
      'CONTROLS',
      'USES',
      'TRANSFERRED',
      'HAS_EVENT',
    ] as const) {
      expect(dataset.edges.some((e) => e.label === label)).toBe(true);
    }
  });

  it('writes only records that pass the vocabulary validation', () => {
    const problems = [
      ...dataset.vertices.map((v) => ({ id: v.uid, problems: validateVertex(v) })),
      ...dataset.edges.map((e) => ({ id: e.eid, problems: validateEdge(e) })),
    ].filter((p) => p.problems.length > 0);
    expect(problems).toEqual([]);
  });

  it('gives every vertex and edge a unique business id', () => {
    expect(new Set(dataset.vertices.map((v) => v.uid)).size).toBe(dataset.vertices.length);
    expect(new Set(dataset.edges.map((e) => e.eid)).size).toBe(dataset.edges.length);
  });

  it('emits every vertex before the first edge that refers to it', async () => {
    const seen = new Set<string>();
    for await (const chunk of generateBank(OPTIONS)) {
      for (const vertex of chunk.vertices) seen.add(vertex.uid);
      for (const edge of chunk.edges) {
        expect(seen.has(edge.from)).toBe(true);
        expect(seen.has(edge.to)).toBe(true);
      }
    }
  });

  it('connects edges to vertices of the allowed labels', () => {
    const labelOf = (uid: string): string | undefined => index.vertices.get(uid)?.label;
    for (const edge of dataset.edges) {
      if (edge.label === 'TRANSFERRED')
        expect([labelOf(edge.from), labelOf(edge.to)]).toEqual(['Account', 'Account']);
      if (edge.label === 'USES')
        expect([labelOf(edge.from), labelOf(edge.to)]).toEqual(['Account', 'Identifier']);
      if (edge.label === 'HOLDS') expect(labelOf(edge.to)).toBe('Account');
      if (edge.label === 'OWNS' || edge.label === 'CONTROLS')
        expect(labelOf(edge.to)).toBe('Company');
    }
  });

  it('keeps every movement before the reference time and in integer minor units', () => {
    for (const m of index.movements) {
      expect(m.props.timestamp).toBeLessThan(WINDOW_END);
      expect(Number.isSafeInteger(m.props.amountMinor)).toBe(true);
      expect(m.props.amountMinor).toBeGreaterThan(0);
    }
  });

  it('moves cash only through cash points, with channel cash', () => {
    for (const m of index.movements.filter((x) => x.props.channel === 'cash')) {
      const from = index.vertex(m.from, 'Account').props.accountType;
      const to = index.vertex(m.to, 'Account').props.accountType;
      expect([from, to]).toContain('cash-point');
    }
  });

  it('injects every typology of the vocabulary at least once', () => {
    const injected = new Set(dataset.groundTruth.filter((r) => !r.decoy).map((r) => r.typology));
    expect([...TYPOLOGIES].filter((t) => !injected.has(t))).toEqual([]);
    expect(dataset.groundTruth.some((r) => r.decoy)).toBe(true);
  });

  it('refers in the ground truth only to records that exist, movements in time order', () => {
    for (const record of dataset.groundTruth) {
      expect(record.source).toBe('generator');
      for (const uid of record.entities) expect(index.vertices.has(uid)).toBe(true);
      const movements = index.movementsOf(record);
      const times = movements.map((m) => m.props.timestamp);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      if (record.window && movements.length > 0) {
        expect(record.window.from).toBeLessThanOrEqual(Math.min(...times));
        expect(record.window.to).toBeGreaterThanOrEqual(Math.max(...times));
      }
      expect(new Set(record.movements).size).toBe(record.movements.length);
    }
  });

  it('never uses one account in two injected (non-decoy) money patterns', () => {
    const seen = new Map<string, string>();
    for (const record of dataset.groundTruth.filter((r) => !r.decoy && r.movements.length > 0)) {
      for (const uid of record.entities.filter((e) => e.startsWith('account:SYNB:'))) {
        expect(seen.get(uid) ?? record.instanceId).toBe(record.instanceId);
        seen.set(uid, record.instanceId);
      }
    }
  });

  it('has unique instance ids', () => {
    const ids = dataset.groundTruth.map((r) => r.instanceId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('generateBank determinism and options', () => {
  it('gives identical output for the same options and different output for another seed', async () => {
    const first = JSON.stringify(await generateBankInMemory(OPTIONS));
    const second = JSON.stringify(await generateBankInMemory(OPTIONS));
    const other = JSON.stringify(await generateBankInMemory({ ...OPTIONS, seed: 43 }));
    expect(second).toBe(first);
    expect(other).not.toBe(first);
  });

  it('does not read the wall clock: the reference time moves everything', async () => {
    const later = await generateBankInMemory({ ...OPTIONS, referenceTime: '2026-01-01T00:00:00Z' });
    const times = later.edges.flatMap((e) =>
      e.label === 'TRANSFERRED' ? [e.props.timestamp] : [],
    );
    expect(Math.max(...times)).toBeLessThan(Date.parse('2026-01-01T00:00:00Z'));
    expect(Math.max(...times)).toBeGreaterThan(Date.parse('2025-12-01T00:00:00Z'));
  });

  it('fits every pattern into the shortest period, whatever the time of day of the reference', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const referenceTime = '2025-03-05T13:37:00Z';
      const dataset = await generateBankInMemory({ ...OPTIONS, seed, referenceTime, days: 30 });
      const injected = new Set(dataset.groundTruth.filter((r) => !r.decoy).map((r) => r.typology));
      expect(injected.size).toBe(TYPOLOGIES.length);
      const latest = Math.max(
        ...dataset.edges.flatMap((e) => (e.label === 'TRANSFERRED' ? [e.props.timestamp] : [])),
      );
      expect(latest).toBeLessThan(Date.parse(referenceTime));
    }
  }, 60_000);

  it('scales the period with days', async () => {
    const short = await generateBankInMemory({ ...OPTIONS, days: 30 });
    const start = Date.parse(OPTIONS.referenceTime) - 30 * 86_400_000;
    const inWindow = short.edges.filter(
      (e) => e.label === 'TRANSFERRED' && e.props.timestamp >= start,
    );
    expect(inWindow.length).toBeGreaterThan(50);
    expect(short.groundTruth.filter((r) => !r.decoy).length).toBeGreaterThanOrEqual(20);
  });

  it('names every bad option and its rule', async () => {
    const attempt = generateBankInMemory({
      profile: 'huge' as 'tiny',
      seed: -1,
      referenceTime: 'yesterday',
      days: 0,
    });
    await expect(attempt).rejects.toBeInstanceOf(InvalidInputError);
    await expect(attempt).rejects.toMatchObject({
      problems: [
        { field: 'profile', rule: 'must be one of tiny, small, medium, large' },
        { field: 'seed', rule: 'must be a whole number between 0 and 4294967295' },
        { field: 'referenceTime', rule: expect.stringContaining('ISO 8601') as unknown },
        {
          field: 'days',
          rule: 'must be a whole number of days between 30 and 3650 (injected patterns span up to 30 days)',
        },
      ],
    });
  });
});
