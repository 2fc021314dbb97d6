import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { generateBank, JsonlSink, writeDataset } from '@app/generators';
import { FEATURE_NAMES, FEATURES, parseRiskModel } from '@app/risk-model';
import { loadAllSettings } from '@app/settings';
import type { SeederContext } from '../generate/generate.command';
import { registerTrainCommand } from './train.command';

/** The injected clock: the card's date comes from it, never from the wall clock. */
const WRITTEN_AT = Date.UTC(2026, 0, 2, 3, 4, 5);

describe('seeder train', () => {
  let work: string;
  let printed: string[];

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'seeder-train-spec-'));
    printed = [];
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  async function run(args: string[]): Promise<void> {
    const settings = loadAllSettings({ SEEDER_PROFILE: 'tiny' });
    const program = new Command('seeder').exitOverride();
    program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    registerTrainCommand(program, {
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
      now: () => WRITTEN_AT,
    });
    await program.parseAsync(['node', 'seeder', 'train', ...args]);
  }

  it('trains on a generated bank, writes a valid model file and prints model, rules and both on test', async () => {
    const out = join(work, 'model.json');
    await run(['--profile', 'tiny', '--seed', '7', '--days', '60', '--rounds', '10', '--out', out]);
    const file = parseRiskModel(JSON.parse(readFileSync(out, 'utf8')));
    expect(file.model.trees).toHaveLength(10);
    expect(file.training.facts).toMatchObject({ profile: 'tiny', seed: 7, days: 60 });
    expect(file.metrics.test.rules.labelled).toBe(file.metrics.test.model.labelled);
    expect(printed.some((l) => l.startsWith('test: rules + model'))).toBe(true);
    expect(printed.at(-1)).toContain(`RISK_MODEL_FILE=${out}`);
    // A split with few or no laundering movements is called out, not shown as a 0% F1 (here
    // the validation split of the tiny bank holds fewer than 20).
    for (const split of ['validation', 'test'] as const) {
      const labelled = file.metrics[split].model.labelled;
      const warning = printed.find((l) => l.startsWith(`warning: the ${split} split holds`));
      if (labelled === 0) expect(warning).toContain('no laundering movement');
      else if (labelled < 20) expect(warning).toContain(`only ${labelled} laundering movement`);
      else expect(warning).toBeUndefined();
    }

    // The model card beside it: identity, data, split, threshold, metrics, features, limits.
    const card = readFileSync(join(work, 'model.card.md'), 'utf8');
    expect(printed).toContain(
      `Model card (data, features, metrics, limits) written to ${join(work, 'model.card.md')}.`,
    );
    expect(card).toContain(`# Model card: risk model ${file.modelVersion}`);
    expect(card).toContain(`- Written: ${new Date(WRITTEN_AT).toISOString()}`);
    expect(card).toContain(`- Seed of the training sample: ${file.seed}`);
    expect(card).toContain(`\`${file.training.fingerprint}\``);
    expect(card).toContain(`Feature set: \`${file.featureSet.version}\``);
    expect(card).toContain('- Generated bank: profile tiny, seed 7, 60 days');
    const { split } = file.training;
    expect(card).toContain(
      `| validation (threshold picked here) | ${split.validationFrom} | ${split.testFrom} |`,
    );
    expect(card).toContain(`**Threshold: ${file.threshold.toFixed(4)}.**`);
    const test = file.metrics.test.model;
    const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
    expect(card).toContain(
      `| test | model alone | ${test.labelled.toLocaleString('en-US')} | ${test.predicted.toLocaleString('en-US')} | ${pct(test.precision)} | ${pct(test.recall)} | ${pct(test.f1)} |`,
    );
    for (const [i, name] of FEATURE_NAMES.entries())
      expect(card).toContain(`| \`${name}\` | ${FEATURES[i].meaning} |`);
    expect(card).toContain('Trained on a generated bank');
    expect(card).toContain(`RISK_MODEL_FILE=${out}`);
  }, 120_000);

  it('trains on a dataset folder the same way as on the same bank generated', async () => {
    const options = {
      profile: 'tiny' as const,
      seed: 3,
      referenceTime: '2025-01-01T00:00:00Z',
      days: 45,
    };
    const data = join(work, 'data');
    const sink = await JsonlSink.open({
      directory: data,
      overwrite: false,
      manifest: options,
      layout: 'per-label',
    });
    await writeDataset(generateBank(options), sink, () => undefined);
    await run(['--dataset', data, '--rounds', '5', '--out', join(work, 'a.json')]);
    await run([
      '--profile',
      'tiny',
      '--seed',
      '3',
      '--days',
      '45',
      '--rounds',
      '5',
      '--out',
      join(work, 'b.json'),
    ]);
    const a = parseRiskModel(JSON.parse(readFileSync(join(work, 'a.json'), 'utf8')));
    const b = parseRiskModel(JSON.parse(readFileSync(join(work, 'b.json'), 'utf8')));
    expect(a.training.fingerprint).toBe(b.training.fingerprint);
    expect(a.model).toEqual(b.model);
  }, 120_000);

  it('refuses a --reference-time that is not a real date and time', async () => {
    for (const text of ['nonsense', '2025-02-30T00:00:00Z']) {
      await expect(
        run(['--reference-time', text, '--out', join(work, 'm.json')]),
      ).rejects.toMatchObject({ code: 'commander.invalidArgument' });
    }
  });

  it('refuses --inject-patterns with --dataset', async () => {
    await expect(
      run(['--dataset', work, '--inject-patterns', 'x.txt', '--out', join(work, 'm.json')]),
    ).rejects.toBeInstanceOf(CommanderError);
  });
});
