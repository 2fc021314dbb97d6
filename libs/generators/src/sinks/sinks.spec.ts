import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryGraphStore, type UpsertResult } from '@app/graph-store';
import { GraphSettings, loadSettings } from '@app/settings';
import { ConflictError, type GraphEdge, type GraphVertex } from '@app/vocabulary';
import type { GenerateBankOptions } from '../bank/bank-options';
import type { DatasetChunk } from '../bank/dataset.model';
import { generateBank, generateBankInMemory } from '../bank/generate-bank';
import { seedGraphStore } from '../bank/seed-graph-store';
import { CsvSink, csvField } from './csv.sink';
import { writeDataset } from './dataset-sink';
import { GraphStoreSink, type GraphStoreWriter } from './graph-store.sink';
import { JsonlSink } from './jsonl.sink';

const TINY: GenerateBankOptions = {
  profile: 'tiny',
  seed: 42,
  referenceTime: '2025-01-01T00:00:00Z',
  days: 90,
};

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'generators-sinks-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function hashes(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const file of (await readdir(dir)).sort()) {
    result[file] = createHash('sha256')
      .update(await readFile(join(dir, file)))
      .digest('hex');
  }
  return result;
}

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
}

describe('JsonlSink', () => {
  it('writes byte-identical files twice for the small profile', async () => {
    const small: GenerateBankOptions = { ...TINY, profile: 'small' };
    await writeDataset(generateBank(small), await JsonlSink.open({ directory: join(root, 'a') }));
    await writeDataset(generateBank(small), await JsonlSink.open({ directory: join(root, 'b') }));
    const a = await hashes(join(root, 'a'));
    expect(Object.keys(a)).toEqual([
      'edges.jsonl',
      'ground-truth.jsonl',
      'manifest.json',
      'vertices.jsonl',
    ]);
    expect(await hashes(join(root, 'b'))).toEqual(a);
  }, 60_000);

  it('writes different files for another seed', async () => {
    await writeDataset(generateBank(TINY), await JsonlSink.open({ directory: join(root, 'a') }));
    await writeDataset(
      generateBank({ ...TINY, seed: 43 }),
      await JsonlSink.open({ directory: join(root, 'c') }),
    );
    const [a, c] = [await hashes(join(root, 'a')), await hashes(join(root, 'c'))];
    expect(c['edges.jsonl']).not.toBe(a['edges.jsonl']);
    expect(c['vertices.jsonl']).not.toBe(a['vertices.jsonl']);
    expect(c['ground-truth.jsonl']).not.toBe(a['ground-truth.jsonl']);
  });

  it('writes what was generated: every record once, the ground truth and the counts', async () => {
    const dataset = await generateBankInMemory(TINY);
    const summary = await writeDataset(
      generateBank(TINY),
      await JsonlSink.open({ directory: join(root, 'out'), manifest: { seed: 42 } }),
    );
    const vertices = (await lines(join(root, 'out', 'vertices.jsonl'))).map(
      (l) => JSON.parse(l) as GraphVertex,
    );
    const edges = (await lines(join(root, 'out', 'edges.jsonl'))).map(
      (l) => JSON.parse(l) as GraphEdge,
    );
    expect(vertices).toEqual(dataset.vertices);
    expect(edges).toEqual(dataset.edges);
    expect(
      (await lines(join(root, 'out', 'ground-truth.jsonl'))).map((l) => JSON.parse(l) as unknown),
    ).toEqual(dataset.groundTruth);
    const manifest = JSON.parse(await readFile(join(root, 'out', 'manifest.json'), 'utf8')) as {
      seed: number;
      counts: typeof summary;
    };
    expect(manifest.seed).toBe(42);
    expect(manifest.counts).toEqual(summary);
    expect(summary.edges.TRANSFERRED).toBe(
      dataset.edges.filter((e) => e.label === 'TRANSFERRED').length,
    );
  });

  it('writes one file per label in the per-label layout', async () => {
    await writeDataset(
      generateBank(TINY),
      await JsonlSink.open({ directory: join(root, 'out'), layout: 'per-label' }),
    );
    const files = await readdir(join(root, 'out'));
    expect(files).toEqual(
      expect.arrayContaining([
        'persons.jsonl',
        'companies.jsonl',
        'accounts.jsonl',
        'movements.jsonl',
        'uses.jsonl',
        'ground-truth.jsonl',
      ]),
    );
    const movements = (await lines(join(root, 'out', 'movements.jsonl'))).map(
      (l) => JSON.parse(l) as GraphEdge,
    );
    expect(movements.every((m) => m.label === 'TRANSFERRED')).toBe(true);
  });

  it('refuses an existing output folder unless overwriting is allowed, then replaces it whole', async () => {
    const out = join(root, 'out');
    await mkdir(out);
    await writeFile(join(out, 'old.txt'), 'old');
    await expect(JsonlSink.open({ directory: out })).rejects.toBeInstanceOf(ConflictError);
    await expect(JsonlSink.open({ directory: out })).rejects.toThrow('already exists');
    expect(await readdir(root)).toEqual(['out']);
    await writeDataset(
      generateBank(TINY),
      await JsonlSink.open({ directory: out, overwrite: true }),
    );
    expect(existsSync(join(out, 'old.txt'))).toBe(false);
    expect(existsSync(join(out, 'vertices.jsonl'))).toBe(true);
    expect(await readdir(root)).toEqual(['out']);
  });

  it('leaves nothing behind when generation fails half-way', async () => {
    async function* failing(): AsyncGenerator<DatasetChunk> {
      let n = 0;
      for await (const chunk of generateBank(TINY)) {
        if (++n === 3) throw new Error('disk on fire');
        yield chunk;
      }
    }
    await expect(
      writeDataset(failing(), await JsonlSink.open({ directory: join(root, 'out') })),
    ).rejects.toThrow('disk on fire');
    expect(await readdir(root)).toEqual([]);
  });
});

describe('CsvSink', () => {
  it('quotes fields that need it (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(undefined)).toBe('');
    expect(csvField(false)).toBe('false');
    expect(csvField(['mv:1', 'mv:2'])).toBe('mv:1|mv:2');
  });

  it('writes one CSV per label with the vocabulary columns, movements in movements.csv', async () => {
    const dataset = await generateBankInMemory(TINY);
    await writeDataset(generateBank(TINY), await CsvSink.open({ directory: join(root, 'csv') }));
    const files = await readdir(join(root, 'csv'));
    expect(files).toEqual(
      expect.arrayContaining([
        'persons.csv',
        'accounts.csv',
        'movements.csv',
        'owns.csv',
        'ground-truth.jsonl',
        'manifest.json',
      ]),
    );
    const movements = await lines(join(root, 'csv', 'movements.csv'));
    expect(movements[0]).toBe(
      'eid,from,to,amountMinor,currency,timestamp,channel,receivedAmountMinor,receivedCurrency,identifierUid,country,latitude,longitude,reference',
    );
    expect(movements.length - 1).toBe(
      dataset.edges.filter((e) => e.label === 'TRANSFERRED').length,
    );
    const persons = await lines(join(root, 'csv', 'persons.csv'));
    expect(persons[0]).toBe('uid,name,birthDate,nationality,residence,isPep,isSanctioned');
    expect(persons.length - 1).toBe(dataset.vertices.filter((v) => v.label === 'Person').length);
  });
});

describe('GraphStoreSink and seedGraphStore', () => {
  /** A store that answers on a later turn and records what it was asked and when. */
  function slowStore(failOnCall?: number) {
    const stored = new Set<string>();
    const log = { calls: 0, inFlight: 0, maxInFlight: 0, endsMissing: 0, sizes: [] as number[] };
    const answer = async (size: number, ids: string[], store: boolean): Promise<UpsertResult> => {
      log.calls += 1;
      const call = log.calls;
      log.sizes.push(size);
      log.inFlight += 1;
      log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      log.inFlight -= 1;
      if (call === failOnCall) throw new Error(`upsert ${call} failed`);
      if (store) ids.forEach((id) => stored.add(id));
      return { created: size, updated: 0, unchanged: 0 };
    };
    const store: GraphStoreWriter = {
      upsertVertices: (batch) =>
        answer(
          batch.length,
          batch.map((v) => v.uid),
          true,
        ),
      upsertEdges: (batch) => {
        // The ends must be stored when the edge batch is sent, not merely sent before it.
        log.endsMissing += batch.filter((e) => !stored.has(e.from) || !stored.has(e.to)).length;
        return answer(batch.length, [], false);
      },
    };
    return { store, log };
  }

  it('upserts in batches of at most batchSize, an edge batch only once its vertices are stored', async () => {
    const { store, log } = slowStore();
    const sink = new GraphStoreSink(store, 50, 4);
    const summary = await writeDataset(generateBank(TINY), sink);
    expect(log.sizes.every((size) => size >= 1 && size <= 50)).toBe(true);
    expect(log.endsMissing).toBe(0);
    const vertices = Object.values(summary.vertices).reduce((a, b) => a + b, 0);
    expect(sink.written.created).toBe(
      vertices + Object.values(summary.edges).reduce((a, b) => a + b, 0),
    );
    expect(sink.groundTruth().length).toBe(
      Object.values(summary.instances).reduce((a, b) => a + b, 0) +
        Object.values(summary.decoys).reduce((a, b) => a + b, 0),
    );
  });

  it('keeps up to `concurrency` batches in flight, and one when asked for one', async () => {
    const four = slowStore();
    await writeDataset(generateBank(TINY), new GraphStoreSink(four.store, 20, 4));
    expect(four.log.maxInFlight).toBe(4);
    const one = slowStore();
    await writeDataset(generateBank(TINY), new GraphStoreSink(one.store, 20, 1));
    expect(one.log.maxInFlight).toBe(1);
    expect(one.log.calls).toBe(four.log.calls);
  });

  it('stops at the first failed batch and throws its error', async () => {
    const { store, log } = slowStore(3);
    const sink = new GraphStoreSink(store, 20, 2);
    await expect(writeDataset(generateBank(TINY), sink)).rejects.toThrow('upsert 3 failed');
    expect(log.calls).toBeLessThanOrEqual(4);
    expect(log.inFlight).toBe(0);
  });

  it('seeds the memory graph store, which accepts every batch', async () => {
    const store = new MemoryGraphStore();
    const result = await seedGraphStore(store, { ...TINY, batchSize: 200 });
    const counts = await store.counts();
    expect(counts.vertices).toEqual(result.summary.vertices);
    expect(counts.edges).toEqual(result.summary.edges);
    expect(result.groundTruth.length).toBeGreaterThan(25);
    const again = await seedGraphStore(store, TINY);
    expect(again.written.created).toBe(0);
  });

  it('seeds with the GRAPH_BATCH_SIZE and GRAPH_WRITE_CONCURRENCY defaults of the settings when not given', async () => {
    const defaults = loadSettings(GraphSettings, {});
    const { store, log } = slowStore();
    await seedGraphStore(store, TINY);
    expect(Math.max(...log.sizes)).toBe(defaults.batchSize);
    expect(log.maxInFlight).toBeLessThanOrEqual(defaults.writeConcurrency);
    const given = slowStore();
    await seedGraphStore(given.store, { ...TINY, batchSize: 30, writeConcurrency: 1 });
    expect(Math.max(...given.log.sizes)).toBe(30);
    expect(given.log.maxInFlight).toBe(1);
  });

  it('refuses a batch size or a concurrency below 1', () => {
    const store: GraphStoreWriter = {
      upsertVertices: () => Promise.reject(new Error('unused')),
      upsertEdges: () => Promise.reject(new Error('unused')),
    };
    expect(() => new GraphStoreSink(store, 0)).toThrow(
      'batchSize must be a whole number, at least 1',
    );
    expect(() => new GraphStoreSink(store, 10, 0)).toThrow(
      'concurrency must be a whole number, at least 1',
    );
  });
});
