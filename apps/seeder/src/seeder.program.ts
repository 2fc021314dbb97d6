import { Command } from 'commander';
import { type GenerateCommandDeps, registerGenerateCommand } from './generate/generate.command';

export type SeederProgramDeps = GenerateCommandDeps;

/**
 * The seeder's command line. `generate` builds a synthetic bank; the importers add `import`
 * (AMLworld, AMLSim) through `registerImportCommands` from ./import.
 */
export function createSeederProgram(deps: SeederProgramDeps): Command {
  const program = new Command('seeder')
    .description(
      'Synthetic banks and public AML datasets for the graph banking analytics.\n' +
        'Settings come from the environment (SEEDER_*, GRAPH_*, DETECTORS_*; see .env.example); options override them.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerGenerateCommand(program, deps);
  return program;
}
