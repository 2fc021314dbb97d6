import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { generateBank, generateBankWithPatterns, JsonlSink, writeDataset } from '@app/generators';
import { loadAllSettings } from '@app/settings';
import type { SeederContext } from '../generate/generate.command';
import { registerEvaluateCommand } from './evaluate.command';

describe('seeder evaluate', () => {
  let work: string;
  let printed: string[];
  let closed: number;
  let updates: { stage: string; done: number; total: number }[];
  let stops: number;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'seeder-evaluate-spec-'));
    printed = [];
    closed = 0;
    updates = [];
    stops = 0;
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  async function run(args: string[]): Promise<void> {
    const settings = loadAllSettings({ SEEDER_PROFILE: 'tiny' });
    const program = new Command('seeder').exitOverride();
    program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    registerEvaluateCommand(program, {
      boot: () => {
        const context: SeederContext = {
          seeder: settings.seeder,
          detectors: settings.detectors,
          graph: settings.graph,
          streaming: settings.streaming,
          close: () => {
            closed += 1;
            return Promise.resolve();
          },
        };
        return Promise.resolve(context);
      },
      print: (line) => printed.push(line),
      now: () => 0,
      progress: () => ({
        update: (chunk) => updates.push({ stage: chunk.stage, ...chunk.progress }),
        stop: () => {
          stops += 1;
        },
      }),
    });
    await program.parseAsync(['node', 'seeder', 'evaluate', ...args]);
  }

  it('generates a bank, scores every typology and writes report.json and report.md', async () => {
    const report = join(work, 'report');
    await run(['--profile', 'tiny', '--seed', '7', '--days', '60', '--report', report]);
    const json = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8')) as {
      dataset: Record<string, unknown>;
      consolidated: {
        typologies: { typology: string; instances: number; recall: number | null }[];
      };
      transactions: {
        labelledNotSeen: number;
        testSplit: { spanStart: string };
        aml: { overall: { labelled: number }; test: { labelled: number } };
      };
      accounts: { positive: number } | null;
    };
    expect(json.dataset).toMatchObject({ profile: 'tiny', seed: 7, days: 60 });
    const scored = json.consolidated.typologies.filter((t) => t.instances > 0);
    expect(scored.length).toBeGreaterThanOrEqual(15);
    const markdown = readFileSync(join(report, 'report.md'), 'utf8');
    expect(markdown).toContain('## After case consolidation');
    expect(markdown).toContain('## Matching rule');
    expect(printed[0]).toMatch(/strict +lenient/);
    expect(printed[1]).toMatch(/recall +precision +F1 +recall +precision +F1/);
    // Per transaction: the generated bank is read a second time to date the labelled movements.
    expect(json.transactions.labelledNotSeen).toBe(0);
    expect(json.transactions.aml.overall.labelled).toBeGreaterThan(0);
    expect(json.transactions.aml.test.labelled).toBeGreaterThan(0);
    // 60 days up to the 2025-01-01 default reference time.
    expect(json.transactions.testSplit.spanStart).toBe('2024-11-02T00:00:00.000Z');
    expect(json.accounts?.positive).toBeGreaterThan(0);
    expect(markdown).toContain('## Per transaction');
    expect(markdown).toContain('## Per account (AML)');
    expect(printed.some((line) => /^AML, all \d+ +\d+/.test(line))).toBe(true);
    expect(printed.some((line) => /^AML, test split \d+/.test(line))).toBe(true);
    expect(printed.some((line) => line.startsWith('per account (AML): precision '))).toBe(true);
    expect(printed.some((line) => line.startsWith('detected '))).toBe(true);
    expect(closed).toBe(1);
  });

  it('shows the simulated days as they are generated and replayed, unless --no-progress', async () => {
    await run(['--profile', 'tiny', '--seed', '7', '--days', '30', '--report', join(work, 'a')]);
    const days = updates.filter((u) => u.stage === 'movements');
    expect(days[days.length - 1]).toMatchObject({ done: 30, total: 30 });
    expect(stops).toBeGreaterThanOrEqual(1);
    updates = [];
    await run(['--profile', 'tiny', '--days', '30', '--no-progress', '--report', join(work, 'b')]);
    expect(updates).toEqual([]);
  });

  it('reads a JSON-lines dataset written by seeder generate, and evaluates chosen rules', async () => {
    const data = join(work, 'data');
    const manifest = { profile: 'tiny', seed: 3, referenceTime: '2025-01-01T00:00:00Z', days: 45 };
    const sink = await JsonlSink.open({
      directory: data,
      overwrite: false,
      manifest,
      layout: 'per-label',
    });
    await writeDataset(
      generateBank({ profile: 'tiny', seed: 3, referenceTime: '2025-01-01T00:00:00Z', days: 45 }),
      sink,
      () => undefined,
    );
    const report = join(work, 'report');
    await run(['--dataset', data, '--rules', 'aml.structuring,fraud.ring', '--report', report]);
    const json = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8')) as {
      dataset: Record<string, unknown>;
      raw: { rules: { ruleId: string }[] };
    };
    expect(json.dataset).toMatchObject({ dataset: data, profile: 'tiny', seed: 3, days: 45 });
    expect(json.raw.rules.every((r) => ['aml.structuring', 'fraud.ring'].includes(r.ruleId))).toBe(
      true,
    );
  });

  const PATTERNS = join(
    __dirname,
    '../../../../libs/generators/src/injection/fixtures/mini-inject_Patterns.txt',
  );

  it('scores the attempts grafted with --inject-patterns together with the generated instances', async () => {
    const plain = join(work, 'plain');
    const injected = join(work, 'injected');
    const base = ['--profile', 'tiny', '--seed', '7', '--days', '30', '--no-progress'];
    await run([...base, '--report', plain]);
    await run([...base, '--inject-patterns', PATTERNS, '--report', injected]);
    type Report = {
      dataset: Record<string, unknown>;
      consolidated: {
        typologies: { typology: string; instances: number }[];
        sources: { source: string; instances: number }[];
      };
      transactions: {
        labelledNotSeen: number;
        aml: { sources: { source: string; labelled: number }[] };
      };
    };
    const read = (dir: string): Report =>
      JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    const instances = (report: Report, typology: string): number =>
      report.consolidated.typologies.find((t) => t.typology === typology)?.instances ?? 0;
    const before = read(plain);
    const after = read(injected);
    expect(after.dataset).toMatchObject({
      injectPatterns: 'mini-inject_Patterns.txt',
      injectedAttempts: 3,
    });
    for (const typology of ['fan-out', 'cycle', 'scatter-gather']) {
      expect(instances(after, typology)).toBe(instances(before, typology) + 1);
    }
    expect(instances(after, 'stack')).toBe(instances(before, 'stack'));
    expect(printed).toContain(
      `Injecting 3 laundering attempts (11 movements, 12 accounts) from ${PATTERNS}`,
    );
    // The grafted attempts are scored apart from the generated instances, per instance and per
    // movement; the injected bank is reread to date their movements.
    expect(after.consolidated.sources.find((s) => s.source === 'amlworld')?.instances).toBe(3);
    expect(after.transactions.labelledNotSeen).toBe(0);
    expect(after.transactions.aml.sources.find((s) => s.source === 'amlworld')?.labelled).toBe(11);
    expect(printed.some((line) => /^recall by source: amlworld \d of 3 \(/.test(line))).toBe(true);
    expect(printed.some((line) => line.startsWith('  amlworld: cycle '))).toBe(true);
  });

  it('evaluates a dataset written with injected attempts and names the patterns file', async () => {
    const data = join(work, 'injected-data');
    const options = {
      profile: 'tiny',
      seed: 3,
      referenceTime: '2025-01-01T00:00:00Z',
      days: 30,
    } as const;
    const injected = await generateBankWithPatterns(options, PATTERNS);
    const sink = await JsonlSink.open({
      directory: data,
      overwrite: false,
      manifest: { ...options, injectPatterns: injected.injection },
    });
    await writeDataset(injected.chunks, sink, () => undefined);
    const report = join(work, 'report');
    await run(['--dataset', data, '--report', report]);
    const json = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8')) as {
      dataset: Record<string, unknown>;
      consolidated: { typologies: { typology: string; instances: number; missed: string[] }[] };
    };
    expect(json.dataset).toMatchObject({ injectPatterns: 'mini-inject_Patterns.txt', seed: 3 });
    const scatter = json.consolidated.typologies.find((t) => t.typology === 'scatter-gather');
    // The tiny bank has one scatter-gather of its own; the fixture adds one.
    expect(scatter?.instances).toBe(2);
  });

  it('refuses --inject-patterns with --dataset', async () => {
    await expect(
      run(['--dataset', work, '--inject-patterns', PATTERNS, '--report', join(work, 'r')]),
    ).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('cannot be combined with --dataset') as unknown,
    });
  });

  it('refuses a missing dataset folder and unknown rules with exit code 2, naming the problem', async () => {
    await expect(
      run(['--dataset', join(work, 'nothing'), '--report', join(work, 'r')]),
    ).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('there is no such folder') as unknown,
    });
    await expect(
      run(['--profile', 'tiny', '--rules', 'aml.nope', '--report', join(work, 'r')]),
    ).rejects.toBeInstanceOf(CommanderError);
    const bad = join(work, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'ground-truth.jsonl'), '');
    writeFileSync(
      join(bad, 'movements.jsonl'),
      JSON.stringify({
        label: 'TRANSFERRED',
        eid: 'mv:1',
        from: 'account:b:1',
        to: 'account:b:2',
        props: { amountMinor: '12.00', currency: 'USD', timestamp: 0, channel: 'wire' },
      }) + '\n',
    );
    await expect(run(['--dataset', bad, '--report', join(work, 'r')])).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining(
        'movements.jsonl line 1: props.amountMinor must be a whole number of minor units',
      ) as unknown,
    });
    expect(closed).toBe(3);
  });
});
