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
import { Command } from 'commander';
import { loadAllSettings } from '@app/settings';
import type { SeederContext } from '../generate/generate.command';
import { registerImportCommands } from '../import/import.command';
import type { AlertReportLine } from './alerts-report';
import { registerDetectCommand } from './detect.command';

const EXAMPLES = resolve(__dirname, '..', '..', '..', '..', 'examples');

describe('seeder detect', () => {
  let work: string;
  let printed: string[];
  let errors: string[];
  let closed: number;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'seeder-detect-spec-'));
    printed = [];
    errors = [];
    closed = 0;
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  async function run(...args: string[]): Promise<void> {
    const settings = loadAllSettings({});
    const program = new Command('seeder').exitOverride();
    program.configureOutput({ writeErr: (text) => errors.push(text), writeOut: () => undefined });
    registerDetectCommand(program, {
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
    });
    registerImportCommands(program, { print: () => undefined });
    await program.parseAsync(['node', 'seeder', ...args]);
  }

  function alerts(out: string): AlertReportLine[] {
    return readFileSync(join(out, 'alerts.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as AlertReportLine);
  }

  it('finds the structuring in the sample bank export and writes alerts.jsonl, alerts.md and alerts.csv', async () => {
    const out = join(work, 'alerts');
    await run(
      'detect',
      '--dataset',
      join(EXAMPLES, 'bank-export'),
      '--out',
      out,
      '--bank-id',
      'harbour',
    );
    expect(readdirSync(out).sort()).toEqual(['alerts.csv', 'alerts.jsonl', 'alerts.md']);
    const structuring = alerts(out).find((a) => a.ruleId === 'aml.structuring');
    expect(structuring).toMatchObject({
      subject: 'account:harbour:A-1010',
      customers: [{ uid: 'person:harbour:P010', name: 'Jonas Berg' }],
      typology: 'structuring',
    });
    expect(structuring?.evidence.length).toBeGreaterThanOrEqual(3);
    expect(structuring?.evidence[0]).toEqual({
      movementId: 'mv:harbour:M00178',
      from: 'cash:harbour:BR-MAIN',
      to: 'account:harbour:A-1010',
      amount: '9400.00',
      currency: 'USD',
      time: '2025-01-21T11:00:00.000Z',
      channel: 'cash',
    });
    expect(alerts(out).map((a) => a.ruleId)).toContain('aml.fan-in');
    const markdown = readFileSync(join(out, 'alerts.md'), 'utf8');
    expect(markdown).toContain('aml.structuring on account:harbour:A-1010 (Jonas Berg)');
    expect(markdown).toContain('| mv:harbour:M00178 | 2025-01-21T11:00:00.000Z | 9400.00 USD |');
    const csv = readFileSync(join(out, 'alerts.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe(
      'account,customer_names,rule,typology,score,severity,explanation,window_start,window_end,evidence,alert_id',
    );
    expect(csv.find((row) => row.includes('aml.structuring'))).toMatch(
      /^account:harbour:A-1010,Jonas Berg,aml\.structuring,structuring,/,
    );
    expect(printed[0]).toMatch(/^Checked \d+ movements and 25 account events .*: \d+ alerts$/);
    expect(closed).toBe(1);
  });

  it('gives the same alerts on the JSON-lines sample and on an imported dataset without ground truth', async () => {
    await run('detect', '--dataset', join(EXAMPLES, 'bank-export'), '--out', join(work, 'csv'));
    await run(
      'detect',
      '--dataset',
      join(EXAMPLES, 'bank-export-jsonl'),
      '--out',
      join(work, 'jsonl'),
    );
    const imported = join(work, 'imported');
    await run('import', 'bank', '--dir', join(EXAMPLES, 'bank-export'), '--out', imported);
    rmSync(join(imported, 'ground-truth.jsonl'));
    await run('detect', '--dataset', imported, '--out', join(work, 'graph'));
    const ids = (dir: string): string[] => alerts(join(work, dir)).map((a) => a.alertId);
    expect(ids('csv').length).toBeGreaterThan(0);
    expect(ids('jsonl')).toEqual(ids('csv'));
    expect(ids('graph')).toEqual(ids('csv'));
    expect(readFileSync(join(work, 'graph', 'alerts.md'), 'utf8')).toContain('(graph dataset)');
  });

  it('--overwrite replaces an earlier report, never the dataset folder itself', async () => {
    const imported = join(work, 'imported');
    await run('import', 'bank', '--dir', join(EXAMPLES, 'bank-export'), '--out', imported);
    const files = readdirSync(imported).sort();
    await expect(
      run('detect', '--dataset', imported, '--out', imported, '--overwrite'),
    ).rejects.toMatchObject({ exitCode: 2 });
    expect(errors.join('')).toContain(`it holds --dataset ${imported}`);
    expect(readdirSync(imported).sort()).toEqual(files);

    const out = join(work, 'report');
    await run('detect', '--dataset', imported, '--out', out);
    await run('detect', '--dataset', imported, '--out', out, '--overwrite');
    expect(readdirSync(out).sort()).toEqual(['alerts.csv', 'alerts.jsonl', 'alerts.md']);
  });

  it('writes empty reports when nothing is found', async () => {
    const dir = join(work, 'quiet');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'accounts.csv'),
      'account_id,account_type,currency,opened_on,country\nA1,personal,USD,2020-01-01,US\nA2,personal,USD,2020-01-01,US\n',
    );
    writeFileSync(
      join(dir, 'movements.csv'),
      'movement_id,timestamp,amount,currency,from_account,to_account,channel\nM1,2025-01-01T10:00:00Z,12.00,USD,A1,A2,wire\n',
    );
    const out = join(work, 'none');
    await run('detect', '--dataset', dir, '--out', out);
    expect(readFileSync(join(out, 'alerts.jsonl'), 'utf8')).toBe('');
    expect(readFileSync(join(out, 'alerts.csv'), 'utf8').split('\n')).toHaveLength(2);
    expect(printed[0]).toContain(': 0 alerts');
  });

  it('refuses a bad dataset with the file, line, field and rule, and writes nothing', async () => {
    const dir = join(work, 'bad');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'movements.csv'),
      'movement_id,timestamp,amount,currency,from_account,to_account,channel\nM1,2025-01-01T10:00:00Z,12.001,USD,A1,A2,wire\n',
    );
    const out = join(work, 'out');
    await expect(run('detect', '--dataset', dir, '--out', out)).rejects.toMatchObject({
      exitCode: 2,
    });
    expect(errors.join('')).toContain(
      'movements.csv line 2: amount must have at most 2 decimals (USD has 2)',
    );
    expect(existsSync(out)).toBe(false);
    expect(closed).toBe(1);
  });
});
