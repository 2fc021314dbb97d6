import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { ALL_DETECTORS, DetectorRegistry, parseRuleParametersFile } from '@app/detectors';
import { loadAllSettings } from '@app/settings';
import type { SeederContext } from '../generate/generate.command';
import { registerTuneCommand } from './tune.command';

describe('seeder tune', () => {
  let work: string;
  let printed: string[];

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'seeder-tune-spec-'));
    printed = [];
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  async function run(args: string[]): Promise<void> {
    const settings = loadAllSettings({ SEEDER_PROFILE: 'tiny' });
    const program = new Command('seeder').exitOverride();
    program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    registerTuneCommand(program, {
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
    });
    await program.parseAsync(['node', 'seeder', 'tune', ...args]);
  }

  it('tunes a generated bank within the budget and writes a file the detectors load', async () => {
    const out = join(work, 'parameters.json');
    await run([
      ...['--profile', 'tiny', '--seed', '7', '--days', '30'],
      ...['--rules', 'aml.fan-out,aml.cycle', '--max-evaluations', '4', '--out', out],
    ]);
    const file = parseRuleParametersFile(JSON.parse(readFileSync(out, 'utf8')));
    expect(file.provenance).toMatchObject({
      writtenBy: 'seeder tune',
      evaluations: 4,
      budgetExhausted: true,
      facts: { profile: 'tiny', seed: 7, days: 30 },
    });
    expect(printed.some((l) => l.startsWith('test: after'))).toBe(true);
    expect(printed.at(-1)).toContain(`DETECTORS_PARAMETERS_FILE=${out}`);
    const settings = loadAllSettings({ DETECTORS_PARAMETERS_FILE: out });
    expect(() => new DetectorRegistry(ALL_DETECTORS, settings.detectors)).not.toThrow();
  }, 120_000);

  it('refuses, before the run, an --out that exists (without --overwrite) or is a folder, and leaves it as it was', async () => {
    const existing = join(work, 'edges.jsonl');
    writeFileSync(existing, 'the dataset\n');
    const tiny = ['--profile', 'tiny', '--seed', '7', '--days', '30', '--max-evaluations', '1'];
    const refusal = (args: string[]): Promise<unknown> =>
      run([...tiny, ...args]).then(
        () => undefined,
        (error: unknown) => error,
      );
    const exists = await refusal(['--out', existing]);
    expect(exists).toBeInstanceOf(CommanderError);
    expect((exists as CommanderError).exitCode).toBe(2);
    expect((exists as CommanderError).message).toBe(
      `error: --out: ${existing} already exists; pass --overwrite to replace it, or give another path`,
    );
    expect(readFileSync(existing, 'utf8')).toBe('the dataset\n');
    const folder = join(work, 'out');
    mkdirSync(folder);
    const isFolder = await refusal(['--out', folder, '--overwrite']);
    expect((isFolder as CommanderError).message).toContain(`--out: ${folder} is a folder`);
    expect(printed).toEqual([]);
  });

  it('refuses --inject-patterns with --dataset', async () => {
    await expect(
      run(['--dataset', work, '--inject-patterns', 'x.txt', '--out', join(work, 'p.json')]),
    ).rejects.toBeInstanceOf(CommanderError);
  });
});
