import { Command } from 'commander';
import type { GraphStore } from '@app/graph-store';
import { versionLine } from '@app/observability';
import type { BaseMoney } from '@app/vocabulary';
import { registerBodsCommands } from './bods/bods.command';
import { registerCompareModelsCommand } from './train/compare-models.command';
import { registerDetectCommand } from './detect/detect.command';
import { registerEvaluateCommand } from './evaluate/evaluate.command';
import { type GenerateCommandDeps, registerGenerateCommand } from './generate/generate.command';
import { registerImportCommands } from './import/import.command';
import { registerTrainCommand } from './train/train.command';
import { registerTuneCommand } from './tune/tune.command';

export interface SeederProgramDeps extends GenerateCommandDeps {
  /** The graph store for the import commands' `--sink graph` (booted on first use). */
  graphStore?: () => Promise<GraphStore>;
  /** GRAPH_OUTAGE_WAIT_MS for the import commands' `--sink graph` (default 0: no wait). */
  graphOutageWaitMs?: () => number;
  /** Base money of the `money` settings for `evaluate` (default: the built-in FX table in USD). */
  money?: () => BaseMoney;
}

/**
 * The seeder's command line: `generate` (synthetic bank), `import bank|amlworld|amlsim|bods`
 * (a bank's own export, public datasets and ownership registers), `detect` (alerts on any
 * dataset, no labels needed), `evaluate` (detectors against ground truth), `train` (risk model)
 * and `tune` (rule parameters from labelled data).
 */
export function createSeederProgram(deps: SeederProgramDeps): Command {
  const program = new Command('seeder')
    .description(
      'Synthetic banks and public AML datasets for the graph banking analytics.\n' +
        'Settings come from the environment (SEEDER_*, GRAPH_*, DETECTORS_*, PULSAR_* for --sink pulsar; see .env.example); options override them.',
    )
    .version(versionLine('seeder'), '-V, --version', 'print the version and exit')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const shared = {
    graphStore: deps.graphStore,
    ...(deps.graphOutageWaitMs !== undefined ? { graphOutageWaitMs: deps.graphOutageWaitMs } : {}),
    ...(deps.print ? { print: deps.print } : {}),
    ...(deps.money ? { money: deps.money } : {}),
  };
  registerGenerateCommand(program, deps);
  registerImportCommands(program, shared);
  registerBodsCommands(program, shared); // adds `import bods` under `import`
  registerEvaluateCommand(program, {
    boot: deps.boot,
    ...(deps.print ? { print: deps.print } : {}),
    ...(deps.progress ? { progress: deps.progress } : {}),
    ...(deps.money ? { money: deps.money } : {}),
  });
  registerTrainCommand(program, {
    boot: deps.boot,
    ...(deps.print ? { print: deps.print } : {}),
    ...(deps.money ? { money: deps.money } : {}),
  });
  registerTuneCommand(program, {
    boot: deps.boot,
    ...(deps.print ? { print: deps.print } : {}),
    ...(deps.money ? { money: deps.money } : {}),
  });
  registerCompareModelsCommand(program, {
    boot: deps.boot,
    ...(deps.print ? { print: deps.print } : {}),
    ...(deps.money ? { money: deps.money } : {}),
  });
  registerDetectCommand(program, {
    boot: deps.boot,
    ...(deps.print ? { print: deps.print } : {}),
    ...(deps.money ? { money: deps.money } : {}),
  });
  return program;
}
