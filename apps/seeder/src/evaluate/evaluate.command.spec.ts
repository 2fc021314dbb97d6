import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { generateBank, JsonlSink, writeDataset } from '@app/generators';
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
    };
    expect(json.dataset).toMatchObject({ profile: 'tiny', seed: 7, days: 60 });
    const scored = json.consolidated.typologies.filter((t) => t.instances > 0);
    expect(scored.length).toBeGreaterThanOrEqual(15);
    const markdown = readFileSync(join(report, 'report.md'), 'utf8');
    expect(markdown).toContain('## After case consolidation');
    expect(markdown).toContain('## Matching rule');
    expect(printed[0]).toMatch(/strict +lenient/);
    expect(printed[1]).toMatch(/recall +precision +F1 +recall +precision +F1/);
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

  it('refuses a missing dataset folder and unknown rules with exit code 2, naming the problem', async () => {
    await expect(
      run(['--dataset', join(work, 'nothing'), '--report', join(work, 'r')]),
    ).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('cannot be read') as unknown,
    });
    await expect(
      run(['--profile', 'tiny', '--rules', 'aml.nope', '--report', join(work, 'r')]),
    ).rejects.toBeInstanceOf(CommanderError);
    expect(closed).toBe(2);
  });
});
