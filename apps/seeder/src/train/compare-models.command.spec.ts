import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { ALL_DETECTORS, DetectorRegistry } from '@app/detectors';
import { JsonlSink, writeDataset } from '@app/generators';
import type { DatasetChunk } from '@app/generators';
import { serializeRiskModel, syntheticBank, trainRiskModel } from '@app/risk-model';

import { loadAllSettings } from '@app/settings';
import { SingleCurrencyMoney } from '@app/vocabulary';
import type { SeederContext } from '../generate/generate.command';
import { registerCompareModelsCommand } from './compare-models.command';

describe('seeder compare-models', () => {
  const settings = loadAllSettings({ SEEDER_PROFILE: 'tiny' });
  const money = new SingleCurrencyMoney('USD');
  let work: string;
  let printed: string[];
  let current: string;
  let loose: string;
  let data: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'seeder-compare-spec-'));
    const bank = syntheticBank(3, 21, 20);
    data = join(work, 'data');
    const sink = await JsonlSink.open({ directory: data, overwrite: false, manifest: {} });
    async function* chunks(): AsyncIterable<DatasetChunk> {
      yield await Promise.resolve({
        stage: 'movements' as const,
        vertices: [...bank.vertices],
        edges: [...bank.edges],
        groundTruth: [...(bank.groundTruth ?? [])],
        progress: { done: 1, total: 1 },
      });
    }
    await writeDataset(chunks(), sink);
    const registry = new DetectorRegistry(ALL_DETECTORS, settings.detectors, money);
    const { file } = await trainRiskModel(
      registry,
      [bank],
      {
        seed: 5,
        money,
        highRiskJurisdictions: settings.detectors.highRiskJurisdictions,
        params: { rounds: 20 },
      },
      () => 0,
    );
    current = join(work, 'current.json');
    writeFileSync(current, serializeRiskModel(file));
    // The same trees with a threshold that flags everything: a worse candidate.
    loose = join(work, 'loose.json');
    writeFileSync(
      loose,
      serializeRiskModel({ ...file, modelVersion: 'risk-loose', threshold: 1e-6 }),
    );
  }, 60_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  beforeEach(() => {
    printed = [];
  });

  async function run(args: string[]): Promise<void> {
    const program = new Command('seeder').exitOverride();
    program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    registerCompareModelsCommand(program, {
      boot: () => {
        const context: SeederContext = {
          seeder: settings.seeder,
          detectors: settings.detectors,
          graph: settings.graph,
          streaming: settings.streaming,
          close: () => Promise.resolve(),
        };
        return Promise.resolve(context);
      },
      print: (line) => printed.push(line),
      money: () => money,
    });
    await program.parseAsync(['node', 'seeder', 'compare-models', ...args]);
  }

  it('prints both models side by side on the test split and a plain verdict', async () => {
    await run(['--current', current, '--candidate', loose, '--dataset', data]);
    expect(printed.some((l) => l.startsWith('current: model alone'))).toBe(true);
    expect(printed.some((l) => l.startsWith('candidate: model alone'))).toBe(true);
    expect(printed.some((l) => l.includes('risk-loose') && l.includes(loose))).toBe(true);
    expect(printed.at(-1)).toMatch(/^Verdict: the candidate is worse on F1/);
    printed = [];
    await run(['--current', loose, '--candidate', current, '--dataset', data]);
    expect(printed.at(-1)).toMatch(/^Verdict: the candidate is better on F1/);
  }, 60_000);

  it('refuses a model file of another feature set, naming the option, the file and the reason', async () => {
    const old = join(work, 'old.json');
    const parsed = JSON.parse(readFileSync(current, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      old,
      JSON.stringify({ ...parsed, featureSet: { version: 'movement-features/1', names: [] } }),
    );
    const attempt = run(['--current', current, '--candidate', old, '--dataset', data]);
    await expect(attempt).rejects.toBeInstanceOf(CommanderError);
    await expect(
      run(['--current', current, '--candidate', old, '--dataset', data]),
    ).rejects.toThrow(
      `--candidate ${old}: The risk model file is not usable: it was trained on feature set movement-features/1`,
    );
    expect(printed).toEqual([]);
  });

  it('refuses a file that is not there, naming it', async () => {
    const missing = join(work, 'missing.json');
    await expect(
      run(['--current', missing, '--candidate', current, '--dataset', data]),
    ).rejects.toThrow(`--current ${missing}`);
  });
});
