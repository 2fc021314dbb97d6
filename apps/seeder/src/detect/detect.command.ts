import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ALL_DETECTORS, DetectorRegistry, detectInDataset } from '@app/detectors';
import { DEFAULT_BANK_ID, DEFAULT_MAX_PROBLEMS } from '@app/generators';
import { DomainError, type BaseMoney } from '@app/vocabulary';
import { failCommand } from '../command-errors';
import type { SeederContext } from '../generate/generate.command';
import { writeAtomically } from '../output/atomic-output-dir';
import { checkOutputFolder, OVERWRITE_HELP } from '../output/output-folder.guard';
import { DETECT_FILES } from '../output/seeder-output.files';
import {
  PartyNames,
  renderAlertsCsv,
  renderAlertsJsonl,
  renderAlertsMarkdown,
  reportLines,
} from './alerts-report';
import { readDetectDataset } from './detect-dataset.reader';

export interface DetectCommandDeps {
  /** Boots the application context (settings; the graph store is not needed). */
  boot: (options: { graph: boolean }) => Promise<SeederContext>;
  /** Where the summary goes (default: standard output). */
  print?: (line: string) => void;
  /** Converts amounts into the base currency the rules compare in (default: built-in FX table in USD). */
  money?: () => BaseMoney;
}

interface DetectOptions {
  dataset: string;
  out: string;
  bankId: string;
  rules?: string[];
  maxProblems: number;
  overwrite: boolean;
}

const EXAMPLES = `
Examples:
  $ npm run seed -- detect --dataset examples/bank-export --out ./out/alerts
  $ npm run seed -- detect --dataset ./out/tiny --out ./out/alerts-tiny --rules aml.structuring,aml.fan-in

--dataset is either a bank export (CSV or JSON lines in the bank exchange format, see
docs/import-format.md) or a folder written by \`seeder generate\` or \`seeder import\`. No ground
truth is needed. Writes alerts.jsonl (one alert per line), alerts.md (a readable report) and
alerts.csv (one row per alert) into --out.`;

function ruleList(text: string): string[] {
  const rules = text
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  if (rules.length === 0) throw new InvalidArgumentError('must name at least one rule id');
  return rules;
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError('must be a whole number of at least 1');
  }
  return value;
}

/**
 * `seeder detect`: runs every detector (or the chosen ones) in batch over a dataset held in
 * memory, with the same engine as `evaluate`, and writes the alerts for analysts. Works on a
 * bank's own export: no labels needed.
 */
export function registerDetectCommand(program: Command, deps: DetectCommandDeps): Command {
  const print = deps.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const command = program
    .command('detect')
    .description('Run the AML and fraud detectors on a dataset and write the alerts as a report')
    .requiredOption('--dataset <dir>', 'a bank export folder, or a generated or imported dataset')
    .requiredOption('--out <dir>', 'folder for alerts.jsonl, alerts.md and alerts.csv')
    .option(
      '--bank-id <id>',
      "bank export only: this bank's id inside the business ids (as for `import bank`)",
      DEFAULT_BANK_ID,
    )
    .option('--rules <ids>', 'comma-separated rule ids (default: all)', ruleList)
    .option(
      '--max-problems <n>',
      'problems to list before a bad dataset is refused',
      positiveInteger,
      DEFAULT_MAX_PROBLEMS,
    )
    .option(
      '--overwrite',
      `replace an existing --out folder once detection has succeeded ${OVERWRITE_HELP}`,
      false,
    )
    .addHelpText('after', EXAMPLES);

  command.action(async () => {
    const opts = command.opts<DetectOptions>();
    const context = await deps.boot({ graph: false });
    const output = {
      out: opts.out,
      overwrite: opts.overwrite,
      inputs: [{ option: '--dataset', path: opts.dataset }],
    };
    try {
      // Refuse an output folder that may not be written before reading the dataset.
      await checkOutputFolder(output);
      const dataset = await readDetectDataset(opts.dataset, {
        bankId: opts.bankId,
        maxProblems: opts.maxProblems,
      });
      const registry = new DetectorRegistry(ALL_DETECTORS, context.detectors, deps.money?.());
      const instances = registry.instantiate(opts.rules);
      const result = detectInDataset(instances, dataset);
      const lines = reportLines(result.alerts, new PartyNames(dataset.vertices, dataset.edges));
      await writeAtomically(output, async (dir) => {
        await writeFile(join(dir, DETECT_FILES.jsonl), renderAlertsJsonl(lines), { flag: 'wx' });
        await writeFile(join(dir, DETECT_FILES.csv), renderAlertsCsv(lines), { flag: 'wx' });
        await writeFile(
          join(dir, DETECT_FILES.markdown),
          renderAlertsMarkdown(lines, {
            dataset: opts.dataset,
            kind: dataset.kind === 'bank-export' ? 'bank export' : 'graph dataset',
            movements: result.movements,
            events: result.events,
            rules: instances.length,
          }),
          { flag: 'wx' },
        );
      });
      print(
        `Checked ${result.movements} movements and ${result.events} account events of ${opts.dataset} with ${instances.length} rules: ${lines.length} alerts`,
      );
      for (const rule of result.rules.filter((r) => r.alerts > 0)) {
        print(`  ${rule.ruleId}: ${rule.alerts}`);
      }
      for (const note of dataset.notes) print(`  note: ${note}`);
      if (result.unconverted.movements > 0)
        print(
          `  note: ${result.unconverted.movements} movements passed over: no exchange rate into ${registry.money.currency} for ${result.unconverted.currencies.join(', ')} on their dates (add them to FX_RATES_FILE)`,
        );
      print(
        `Written to ${join(opts.out, DETECT_FILES.markdown)} (readable), ${DETECT_FILES.csv} and ${DETECT_FILES.jsonl}`,
      );
    } catch (error: unknown) {
      if (error instanceof DomainError) failCommand(command, 'detect', error);
      throw error;
    } finally {
      await context.close();
    }
  });
  return command;
}
