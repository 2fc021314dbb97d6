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
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { GENERATOR_VERSION } from '@app/generators';
import { MemoryGraphStore } from '@app/graph-store';
import { loadAllSettings } from '@app/settings';
import { createSeederProgram } from '../seeder.program';
import type { SeederContext } from './generate.command';

describe('seeder generate', () => {
  let work: string;
  let printed: string[];
  let errors: string[];
  let boots: { graph: boolean }[];
  let store: MemoryGraphStore;
  let closed: number;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'seeder-generate-spec-'));
    printed = [];
    errors = [];
    boots = [];
    store = new MemoryGraphStore();
    closed = 0;
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  /** Runs the CLI with settings from `env` (as the real boot would read them) and a memory store. */
  async function run(args: string[], env: Record<string, string> = {}): Promise<void> {
    const settings = loadAllSettings({
      SEEDER_PROFILE: 'tiny',
      SEEDER_OUTPUT_DIR: join(work, 'default'),
      ...env,
    });
    const program = createSeederProgram({
      boot: (options) => {
        boots.push(options);
        const context: SeederContext = {
          seeder: settings.seeder,
          detectors: settings.detectors,
          graph: settings.graph,
          graphStore: options.graph ? store : undefined,
          close: () => {
            closed++;
            return Promise.resolve();
          },
        };
        return Promise.resolve(context);
      },
      print: (line) => printed.push(line),
    });
    program.configureOutput({
      writeOut: (text) => printed.push(text),
      writeErr: (text) => errors.push(text),
    });
    await program.parseAsync(['node', 'seeder', ...args]);
  }

  async function failure(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<CommanderError> {
    try {
      await run(args, env);
    } catch (error: unknown) {
      if (error instanceof CommanderError) return error;
      throw error;
    }
    throw new Error(`expected ${args.join(' ')} to fail`);
  }

  it('writes JSON lines, the ground truth and a manifest, and prints counts per label and typology', async () => {
    const out = join(work, 'bank');
    await run(['generate', '--profile', 'tiny', '--seed', '7', '--out', out]);
    expect(readdirSync(out).sort()).toEqual([
      'edges.jsonl',
      'ground-truth.jsonl',
      'manifest.json',
      'vertices.jsonl',
    ]);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      seed: number;
      profile: string;
      counts: { edges: { TRANSFERRED: number } };
    };
    expect(manifest).toMatchObject({ seed: 7, profile: 'tiny', version: GENERATOR_VERSION });
    const movements = readFileSync(join(out, 'edges.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"TRANSFERRED"')).length;
    expect(manifest.counts.edges.TRANSFERRED).toBe(movements);
    const text = printed.join('\n');
    expect(text).toContain('Generated the tiny bank (seed 7, 90 days up to 2025-01-01T00:00:00Z)');
    expect(text).toMatch(
      new RegExp(`TRANSFERRED \\(edge\\)\\s+${movements.toLocaleString('en-US')}`),
    );
    expect(text).toMatch(/ubo-cycle\s+1\s+0/);
    expect(boots).toEqual([{ graph: false }]);
    expect(closed).toBe(1);
  });

  it('takes defaults from the seeder settings when options are left out', async () => {
    await run(['generate'], {
      SEEDER_SEED: '123',
      SEEDER_DAYS: '30',
      SEEDER_REFERENCE_TIME: '2024-06-01T00:00:00Z',
    });
    const manifest = JSON.parse(
      readFileSync(join(work, 'default', 'manifest.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      profile: 'tiny',
      seed: 123,
      days: 30,
      referenceTime: '2024-06-01T00:00:00Z',
    });
  });

  it('uses the detectors settings for the injected thresholds', async () => {
    await run(['generate', '--out', join(work, 'eu')], {
      DETECTORS_CASH_REPORTING_THRESHOLD: '15000.00',
      DETECTORS_HIGH_RISK_JURISDICTIONS: 'IR',
    });
    const records = readFileSync(join(work, 'eu', 'ground-truth.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { typology: string; parameters: Record<string, unknown> });
    expect(records.find((r) => r.typology === 'structuring')?.parameters.threshold).toBe(
      '15000.00 USD',
    );
    expect(records.find((r) => r.typology === 'high-risk-jurisdiction')?.parameters.country).toBe(
      'IR',
    );
  });

  it('refuses an existing output folder without --overwrite (exit code 2) and leaves it untouched', async () => {
    const out = join(work, 'taken');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    const error = await failure(['generate', '--out', out]);
    expect(error.exitCode).toBe(2);
    expect(errors.join('')).toContain('already exists');
    expect(errors.join('')).toContain('--overwrite');
    expect(readdirSync(out)).toEqual(['keep.txt']);
    await run(['generate', '--out', out, '--overwrite']);
    expect(existsSync(join(out, 'keep.txt'))).toBe(false);
    expect(existsSync(join(out, 'vertices.jsonl'))).toBe(true);
  });

  it.each([
    [
      ['--seed', 'abc'],
      "option '--seed <n>' argument 'abc' is invalid. must be a whole number between 0 and 4294967295",
    ],
    [['--seed', '4294967296'], 'must be a whole number between 0 and 4294967295'],
    [
      ['--profile', 'huge'],
      "option '--profile <name>' argument 'huge' is invalid. Allowed choices are tiny, small, medium, large.",
    ],
    [
      ['--days', '0'],
      "option '--days <n>' argument '0' is invalid. must be a whole number of days between 30 and 3650",
    ],
    [
      ['--reference-time', '2025-13-45'],
      'must be an ISO 8601 timestamp such as 2025-01-01T00:00:00Z',
    ],
    [['--sink', 'parquet'], 'Allowed choices are jsonl, csv, graph.'],
    [['--batch-size', '0'], "option '--batch-size <n>' argument '0' is invalid"],
    [['--out', ' '], "option '--out <dir>' argument ' ' is invalid. must not be empty"],
    [['--frobnicate'], "unknown option '--frobnicate'"],
  ])(
    'rejects %j naming the option and the rule, before generating anything',
    async (args, message) => {
      const error = await failure(['generate', ...args]);
      expect(error.exitCode).not.toBe(0);
      expect(errors.join('')).toContain(message);
      expect(boots).toEqual([]);
      expect(existsSync(join(work, 'default'))).toBe(false);
    },
  );

  it('writes CSV files, one per label', async () => {
    await run(['generate', '--sink', 'csv', '--out', join(work, 'csv')]);
    expect(readdirSync(join(work, 'csv'))).toEqual(
      expect.arrayContaining(['persons.csv', 'movements.csv', 'ground-truth.jsonl']),
    );
  });

  it('upserts into the graph store with --sink graph and keeps the ground truth in the output folder', async () => {
    await run(['generate', '--sink', 'graph', '--batch-size', '100', '--out', join(work, 'graph')]);
    expect(boots).toEqual([{ graph: true }]);
    const counts = await store.counts();
    const manifest = JSON.parse(readFileSync(join(work, 'graph', 'manifest.json'), 'utf8')) as {
      counts: { vertices: unknown; edges: unknown };
      graph: string;
    };
    expect(counts.vertices).toEqual(manifest.counts.vertices);
    expect(counts.edges).toEqual(manifest.counts.edges);
    expect(manifest.graph).toBe('memory');
    expect(readdirSync(join(work, 'graph')).sort()).toEqual([
      'ground-truth.jsonl',
      'manifest.json',
    ]);
    expect(printed.join('\n')).toContain(
      'GRAPH_BACKEND=memory keeps the graph inside this process only',
    );
  });

  it('explains itself to newcomers in --help', async () => {
    const error = await failure(['generate', '--help']);
    expect(error.code).toBe('commander.helpDisplayed');
    const help = printed.join('');
    for (const option of [
      '--profile',
      '--seed',
      '--reference-time',
      '--days',
      '--out',
      '--sink',
      '--overwrite',
      'Examples:',
      'ground-truth.jsonl',
    ]) {
      expect(help).toContain(option);
    }
  });
});
