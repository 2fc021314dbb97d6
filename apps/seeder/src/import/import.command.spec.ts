import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import type { ImportChunk } from '@app/generators';
import { MemoryGraphStore } from '@app/graph-store';
import { GraphUnavailableError } from '@app/vocabulary';
import { registerImportCommands, type ImportCommandDeps } from './import.command';
import { JsonlImportSink } from './jsonl.import-sink';

// The importers' own hand-written fixtures (data files, not code).
const FIXTURES = resolve(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'libs',
  'generators',
  'src',
  'importers',
  'fixtures',
);
const TRANS = join(FIXTURES, 'amlworld', 'mini_Trans.csv');
const PATTERNS = join(FIXTURES, 'amlworld', 'mini_Patterns.txt');
const MALFORMED = join(FIXTURES, 'amlworld', 'malformed_Trans.csv');
const AMLSIM_NEW = join(FIXTURES, 'amlsim-new');
const BANK_EXPORT = resolve(__dirname, '..', '..', '..', '..', 'examples', 'bank-export');
const BANK_EXPORT_JSONL = resolve(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'examples',
  'bank-export-jsonl',
);

function lines(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}

describe('seeder import commands', () => {
  let work: string;
  let printed: string[];
  let errors: string[];

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'seeder-import-spec-'));
    printed = [];
    errors = [];
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  function cli(deps: ImportCommandDeps = {}): (...args: string[]) => Promise<Command> {
    const program = new Command('seeder').exitOverride().configureOutput({
      writeOut: (text) => printed.push(text),
      writeErr: (text) => errors.push(text),
    });
    registerImportCommands(program, { print: (line) => printed.push(line), ...deps });
    return (...args) => program.parseAsync(args, { from: 'user' });
  }

  /** Nothing but the finished output folders may be left in the work folder. */
  function leftovers(): string[] {
    return readdirSync(work).filter((name) => name.includes('.partial-'));
  }

  it('imports AMLworld files into JSON lines and prints what it did', async () => {
    const out = join(work, 'out', 'amlworld');
    await cli()(
      'import',
      'amlworld',
      '--transactions',
      TRANS,
      '--patterns',
      PATTERNS,
      '--out',
      out,
    );
    expect(lines(join(out, 'vertices.jsonl'))).toHaveLength(12);
    expect(lines(join(out, 'edges.jsonl'))).toHaveLength(12);
    const groundTruth = lines(join(out, 'ground-truth.jsonl'));
    expect(groundTruth.map((r) => (r as { typology: string }).typology)).toEqual([
      'fan-out',
      'cycle',
      'random',
    ]);
    const summary = JSON.parse(readFileSync(join(out, 'import-summary.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(summary).toMatchObject({
      source: 'amlworld',
      vertices: 12,
      edges: 12,
      groundTruth: 3,
      patternBlocks: 2,
    });
    expect(printed[0]).toBe(`Imported amlworld from ${PATTERNS} (6 rows), ${TRANS} (11 rows)`);
    expect(printed[1]).toBe('  12 vertices, 12 movements, 3 ground-truth records');
    expect(printed.some((line) => line.includes('note: 2 amounts had more decimals'))).toBe(true);
    expect(readdirSync(join(work, 'out'))).toEqual(['amlworld']);
  });

  it('names the file and line of a malformed row, exits with code 2 and leaves no output', async () => {
    const out = join(work, 'bad');
    const error = await cli()(
      'import',
      'amlworld',
      '--transactions',
      MALFORMED,
      '--out',
      out,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommanderError);
    expect(error).toMatchObject({ exitCode: 2, code: 'seeder.import.invalid_input' });
    expect(errors.join('')).toContain(
      'error: malformed_Trans.csv line 4: column "Amount Paid" must be a decimal amount such as 1234.56, got "12,5"',
    );
    expect(existsSync(out)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('reports an unreadable file by its path', async () => {
    const missing = join(work, 'nowhere_Trans.csv');
    await expect(
      cli()('import', 'amlworld', '--transactions', missing, '--out', join(work, 'o')),
    ).rejects.toMatchObject({ exitCode: 2 });
    expect(errors.join('')).toContain(`error: ${missing}: cannot be read (ENOENT`);
    expect(leftovers()).toEqual([]);
  });

  it('refuses to replace an existing output folder unless told to', async () => {
    const out = join(work, 'existing');
    await cli()('import', 'amlworld', '--transactions', TRANS, '--out', out);
    const earlier = readFileSync(join(out, 'edges.jsonl'), 'utf8');
    await expect(
      cli()('import', 'amlworld', '--patterns', PATTERNS, '--out', out),
    ).rejects.toMatchObject({ exitCode: 2 });
    expect(errors.join('')).toContain(
      `The output folder ${out} already exists; pass --overwrite to replace it`,
    );
    expect(readFileSync(join(out, 'edges.jsonl'), 'utf8')).toBe(earlier);

    await cli()('import', 'amlworld', '--patterns', PATTERNS, '--out', out, '--overwrite');
    expect(readdirSync(out).sort()).toEqual([
      'edges.jsonl',
      'ground-truth.jsonl',
      'import-summary.json',
      'vertices.jsonl',
    ]);
    expect(lines(join(out, 'edges.jsonl'))).toHaveLength(6);
    expect(leftovers()).toEqual([]);
  });

  it('--overwrite never deletes a folder the seeder did not write, nor one that holds the input', async () => {
    // The reviewer's case: --out is the folder that holds the input and the user's own files.
    const t1 = join(work, 't1');
    const data = join(t1, 'data');
    mkdirSync(data, { recursive: true });
    for (const file of readdirSync(AMLSIM_NEW))
      writeFileSync(join(data, file), readFileSync(join(AMLSIM_NEW, file)));
    writeFileSync(join(t1, 'keep.txt'), 'x');
    await expect(
      cli()('import', 'amlsim', '--dir', data, '--out', t1, '--overwrite'),
    ).rejects.toMatchObject({ exitCode: 2, code: 'seeder.import.invalid_input' });
    expect(errors.join('')).toContain(
      `--overwrite refused to replace the output folder ${t1}: it holds --dir ${data}`,
    );
    expect(readdirSync(t1).sort()).toEqual(['data', 'keep.txt']);
    expect(readdirSync(data).sort()).toEqual(readdirSync(AMLSIM_NEW).sort());

    // A folder of the user's own, without the input in it, is not replaced either.
    const own = join(work, 'own');
    mkdirSync(own);
    writeFileSync(join(own, 'old.txt'), 'old');
    await expect(
      cli()('import', 'amlworld', '--patterns', PATTERNS, '--out', own, '--overwrite'),
    ).rejects.toMatchObject({ exitCode: 2 });
    expect(errors.join('')).toContain('it holds old.txt, which the seeder did not write there');
    expect(readdirSync(own)).toEqual(['old.txt']);
    expect(leftovers()).toEqual([]);
  });

  it('refuses a --step-epoch on a day that does not exist', async () => {
    await expect(
      cli()(
        'import',
        'amlsim',
        '--dir',
        AMLSIM_NEW,
        '--out',
        join(work, 'o'),
        '--step-epoch',
        '2017-02-29',
      ),
    ).rejects.toMatchObject({ code: 'commander.invalidArgument' });
    expect(errors.join('')).toContain(
      "option '--step-epoch <iso>' argument '2017-02-29' is invalid. not a real calendar date",
    );
    expect(existsSync(join(work, 'o'))).toBe(false);
  });

  it('--out . --overwrite refuses to replace the current folder', async () => {
    const t2 = join(work, 't2');
    mkdirSync(join(t2, 'export'), { recursive: true });
    for (const file of readdirSync(BANK_EXPORT))
      writeFileSync(join(t2, 'export', file), readFileSync(join(BANK_EXPORT, file)));
    const before = process.cwd();
    process.chdir(t2);
    try {
      await expect(
        cli()('import', 'bank', '--dir', 'export', '--out', '.', '--overwrite'),
      ).rejects.toMatchObject({ exitCode: 2 });
    } finally {
      process.chdir(before);
    }
    expect(errors.join('')).toContain('it is the current folder');
    expect(readdirSync(t2)).toEqual(['export']);
    expect(readdirSync(join(t2, 'export')).sort()).toEqual(readdirSync(BANK_EXPORT).sort());
  });

  it('keeps the previous output when an import over it fails', async () => {
    const out = join(work, 'kept');
    await cli()('import', 'amlworld', '--patterns', PATTERNS, '--out', out);
    await expect(
      cli()('import', 'amlworld', '--transactions', MALFORMED, '--out', out, '--overwrite'),
    ).rejects.toMatchObject({ exitCode: 2 });
    expect(lines(join(out, 'edges.jsonl'))).toHaveLength(6);
    expect(leftovers()).toEqual([]);
  });

  it('needs --transactions or --patterns', async () => {
    await expect(cli()('import', 'amlworld', '--out', join(work, 'o'))).rejects.toMatchObject({
      exitCode: 2,
      code: 'seeder.import.missing-input',
    });
  });

  it('refuses a chunk size that is not a positive whole number', async () => {
    await expect(
      cli()(
        'import',
        'amlworld',
        '--patterns',
        PATTERNS,
        '--out',
        join(work, 'o'),
        '--chunk-size',
        '0',
      ),
    ).rejects.toMatchObject({ code: 'commander.invalidArgument' });
  });

  it('imports an AMLSim folder into the graph store, with the ground truth as files', async () => {
    const store = new MemoryGraphStore();
    const out = join(work, 'sim');
    await cli({ graphStore: () => Promise.resolve(store) })(
      'import',
      'amlsim',
      '--dir',
      AMLSIM_NEW,
      '--out',
      out,
      '--sink',
      'graph',
      '--chunk-size',
      '3',
    );
    const counts = await store.counts();
    expect(counts.vertices.Account).toBe(8);
    expect(counts.edges.TRANSFERRED).toBe(11);
    expect(await store.getEdge('mv:amlsim:99')).toMatchObject({
      from: 'account:deu_bank:4',
      to: 'account:usa_bank:0',
    });
    expect(readdirSync(out).sort()).toEqual(['ground-truth.jsonl', 'import-summary.json']);
    expect(lines(join(out, 'ground-truth.jsonl'))).toHaveLength(3);
    const summary = JSON.parse(readFileSync(join(out, 'import-summary.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(summary).toMatchObject({
      source: 'amlsim',
      schema: 'new',
      graph: { backend: 'memory', created: 19 },
    });
  });

  it('waits out a graph store that stops answering for a while (GRAPH_OUTAGE_WAIT_MS), and imports everything', async () => {
    const store = new MemoryGraphStore();
    const upsertEdges = store.upsertEdges.bind(store);
    let unavailable = 2;
    store.upsertEdges = (batch) =>
      unavailable-- > 0
        ? Promise.reject(new GraphUnavailableError('JanusGraph is not reachable (ECONNREFUSED)'))
        : upsertEdges(batch);
    const run = (waitMs: number, out: string) =>
      cli({ graphStore: () => Promise.resolve(store), graphOutageWaitMs: () => waitMs })(
        'import',
        'amlsim',
        '--dir',
        AMLSIM_NEW,
        '--out',
        join(work, out),
        '--sink',
        'graph',
      );
    // Without a wait the first refusal stops the import.
    await expect(run(0, 'no-wait')).rejects.toThrow('JanusGraph is not reachable');
    expect(existsSync(join(work, 'no-wait'))).toBe(false);
    // With one, the refused batch is sent again once the store answers.
    unavailable = 2;
    await run(60_000, 'waited');
    const counts = await store.counts();
    expect(counts.vertices.Account).toBe(8);
    expect(counts.edges.TRANSFERRED).toBe(11);
    expect(unavailable).toBeLessThan(0);
  });

  it.each([
    ['CSV', BANK_EXPORT],
    ['JSON-lines', BANK_EXPORT_JSONL],
  ])('imports a %s bank export into JSON lines', async (_format, dir) => {
    const out = join(work, 'bank');
    await cli()('import', 'bank', '--dir', dir, '--out', out, '--bank-id', 'harbour');
    expect(readdirSync(out).sort()).toEqual([
      'edges.jsonl',
      'ground-truth.jsonl',
      'import-summary.json',
      'vertices.jsonl',
    ]);
    const edges = lines(join(out, 'edges.jsonl')) as { label: string; eid: string }[];
    expect(edges.filter((e) => e.label === 'TRANSFERRED').length).toBeGreaterThanOrEqual(200);
    expect(edges.map((e) => e.eid)).toContain('mv:harbour:M00001');
    const summary = JSON.parse(readFileSync(join(out, 'import-summary.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(summary).toMatchObject({
      source: 'bank',
      format: 'bank-exchange/v1',
      bankId: 'harbour',
    });
    expect(printed[0]).toMatch(/^Imported bank from accounts\.(csv|jsonl) \(20 rows\)/);
    expect(printed.join('\n')).not.toContain('WARNING');
  });

  it('refuses a bad bank export with file, line, field and rule, and writes nothing', async () => {
    const dir = join(work, 'export');
    mkdirSync(dir);
    writeFileSync(join(dir, 'persons.csv'), 'person_id,name\nP1,Ada\nP1,Ada again\n');
    writeFileSync(
      join(dir, 'accounts.csv'),
      'account_id,account_type,currency,opened_on,country\nA1,personal,USD,2020-02-30,US\n',
    );
    const out = join(work, 'bad');
    await expect(cli()('import', 'bank', '--dir', dir, '--out', out)).rejects.toMatchObject({
      exitCode: 2,
    });
    const message = errors.join('');
    expect(message).toContain(
      'accounts.csv line 2: opened_on must be a calendar date written YYYY-MM-DD',
    );
    expect(message).toContain('nothing was imported');
    expect(existsSync(out)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it.each([
    ['bank', ['--dir', BANK_EXPORT]],
    ['amlsim', ['--dir', AMLSIM_NEW]],
  ])(
    'import %s --sink graph into the in-memory store says loudly that nothing was kept',
    async (kind, args) => {
      const store = new MemoryGraphStore();
      await cli({ graphStore: () => Promise.resolve(store) })(
        'import',
        kind,
        ...args,
        '--out',
        join(work, kind),
        '--sink',
        'graph',
      );
      const text = printed.join('\n');
      expect(text).toContain('WARNING: NOTHING OF THIS IMPORT WAS KEPT');
      expect(text).toContain('GRAPH_BACKEND=janusgraph');
      expect(text).toContain('--sink jsonl');
      expect(text).toContain('POST /api/v1/imports');
      expect((await store.counts()).edges.TRANSFERRED).toBeGreaterThan(0);
    },
  );

  it('says nothing of the kind when the graph store keeps the data', async () => {
    const store = new MemoryGraphStore();
    // The memory class types its backend as 'memory'; this stand-in claims to be JanusGraph.
    Object.defineProperty(store, 'backend', { value: 'janusgraph' });
    await cli({ graphStore: () => Promise.resolve(store) })(
      'import',
      'amlsim',
      '--dir',
      AMLSIM_NEW,
      '--out',
      join(work, 'kept'),
      '--sink',
      'graph',
    );
    expect(printed.join('\n')).not.toContain('WARNING');
  });

  it('refuses --sink graph when no graph store was provided', async () => {
    await expect(
      cli()('import', 'amlsim', '--dir', AMLSIM_NEW, '--out', join(work, 'o'), '--sink', 'graph'),
    ).rejects.toMatchObject({
      exitCode: 2,
    });
    expect(errors.join('')).toContain('--sink graph needs a graph store');
    expect(leftovers()).toEqual([]);
  });

  it('discards everything when the sink fails half-way', async () => {
    let writes = 0;
    const failing = async (_kind: string, dir: string) => {
      const sink = await JsonlImportSink.open(dir);
      return {
        write: async (chunk: ImportChunk) => {
          writes += 1;
          if (writes === 2) throw new Error('disk full');
          await sink.write(chunk);
        },
        close: sink.close.bind(sink),
        abort: sink.abort.bind(sink),
      };
    };
    const out = join(work, 'half');
    await expect(
      cli({ createSink: failing })(
        'import',
        'amlworld',
        '--transactions',
        TRANS,
        '--out',
        out,
        '--chunk-size',
        '2',
      ),
    ).rejects.toThrow('disk full');
    expect(writes).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(leftovers()).toEqual([]);
  });
});
