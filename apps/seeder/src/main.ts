import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { CommanderError } from 'commander';
import { baseMoneyFromSettings } from '@app/detectors';
import { GraphStore } from '@app/graph-store';
import {
  type DetectorsConfig,
  detectorsSettings,
  type GraphConfig,
  graphSettings,
  InvalidSettingsError,
  loadAllSettings,
  type SeederConfig,
  seederSettings,
  type StreamingConfig,
  streamingSettings,
} from '@app/settings';
import { BarProgressReporter } from './generate/progress.reporter';
import type { SeederContext } from './generate/generate.command';
import { SeederModule } from './seeder.module';
import { createSeederProgram } from './seeder.program';

/** Boots the Nest application context (settings, and the GraphStore port when asked). */
async function boot(options: { graph: boolean }): Promise<SeederContext> {
  // Validate every setting first, so that a bad variable gives one clear message (exit code 1).
  loadAllSettings();
  const app = await NestFactory.createApplicationContext(SeederModule.register(options), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  app.enableShutdownHooks();
  return {
    seeder: app.get<SeederConfig>(seederSettings.KEY),
    detectors: app.get<DetectorsConfig>(detectorsSettings.KEY),
    graph: app.get<GraphConfig>(graphSettings.KEY),
    streaming: app.get<StreamingConfig>(streamingSettings.KEY),
    graphStore: options.graph ? app.get(GraphStore) : undefined,
    close: () => app.close(),
  };
}

/** Exit codes: 0 success (and --help), 2 bad arguments or refused input, 1 anything else. */
async function main(argv: readonly string[]): Promise<number> {
  // The import commands ask for the graph store only with --sink graph; boot it once, close it at the end.
  let graphContext: Promise<SeederContext> | undefined;
  const graphStore = async (): Promise<GraphStore> => {
    graphContext ??= boot({ graph: true });
    const context = await graphContext;
    if (!context.graphStore)
      throw new Error('The application context was booted without the graph store');
    return context.graphStore;
  };
  const program = createSeederProgram({
    boot,
    graphStore,
    graphOutageWaitMs: () => loadAllSettings().graph.outageWaitMs,
    progress: () => new BarProgressReporter(process.stderr),
    money: () => baseMoneyFromSettings(loadAllSettings().money),
  });
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error: unknown) {
    if (error instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code))
        return 0;
      // The seeder's own errors carry their exit code (1: a server did not answer, see
      // command-errors.ts); commander's argument errors exit with 1, which here means 2.
      if (error.code.startsWith('seeder.')) return error.exitCode;
      return error.exitCode === 1 ? 2 : error.exitCode;
    }
    if (error instanceof InvalidSettingsError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    process.stderr.write(
      `The seeder failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  } finally {
    if (graphContext) await (await graphContext).close();
  }
}

// `seeder generate | head` closes the pipe early; that is not a failure of the seeder.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  },
);
