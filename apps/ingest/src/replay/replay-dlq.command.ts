import { Command, InvalidArgumentError } from 'commander';
import type { StreamingConfig } from '@app/settings';
import type { MessageBroker } from '@app/streaming';
import { DLQ_REPLAY_SUBSCRIPTION } from '../ingest/ingest.options';
import { versionLine } from '@app/observability';
import { formatSummary, replayDeadLetters } from './dlq-replayer';

/** What the command needs: the streaming settings and a broker on the Pulsar they name. */
export interface ReplayContext {
  streaming: StreamingConfig;
  broker: MessageBroker;
  close(): Promise<void>;
}

export interface IngestProgramDeps {
  /** Boots the application context (settings and the Pulsar broker). */
  boot: () => Promise<ReplayContext>;
  /** Where the summary goes (default: standard output). */
  print?: (text: string) => void;
}

interface ReplayFlags {
  topic?: string;
  dryRun?: boolean;
  limit?: number;
  waitMs: number;
  subscription: string;
  deadLetterTopic?: string;
}

/** Thrown when publishing failed half-way (exit code 1 after the summary is printed). */
export class ReplayIncompleteError extends Error {}

function wholeNumber(min: number, what: string): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
      throw new InvalidArgumentError(`${what} must be a whole number, at least ${min}.`);
    }
    return value;
  };
}

/**
 * The ingest app's command line (besides starting the worker, which needs no command):
 * `replay-dlq` publishes dead letters back to the topic they came from, once the cause is fixed.
 */
export function createIngestProgram(deps: IngestProgramDeps): Command {
  const print = deps.print ?? ((text: string) => process.stdout.write(`${text}\n`));
  const program = new Command('ingest')
    .description(
      'The ingest worker. Without a command it starts consuming (see docs/streaming.md).\n' +
        'Settings come from the environment (PULSAR_*, INGEST_*; see .env.example).',
    )
    .version(versionLine('ingest'), '-V, --version', 'print the version and exit')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program
    .command('replay-dlq')
    .description(
      'Publish dead letters again to the topic they came from (their REAL_TOPIC property), with ' +
        'their key and properties (without dlq-reason), after the cause was fixed (e.g. the missing ' +
        'accounts were published). Reads the dead-letter topic of the settings on Pulsar (whatever ' +
        'STREAMING_BACKEND says) through the durable subscription "dlq-replay", and acknowledges each ' +
        'replayed dead letter there, so running it twice replays nothing twice.',
    )
    .option(
      '--topic <name>',
      'only dead letters from this topic (e.g. bank.movements); others stay',
    )
    .option('--dry-run', 'show what would be replayed; publish and acknowledge nothing')
    .option('--limit <n>', 'replay at most n dead letters', wholeNumber(1, '--limit'))
    .option(
      '--wait-ms <ms>',
      'stop once no dead letter arrived for this long',
      wholeNumber(100, '--wait-ms'),
      3000,
    )
    .option(
      '--subscription <name>',
      'subscription on the dead-letter topic to read and acknowledge on',
      DLQ_REPLAY_SUBSCRIPTION,
    )
    .option('--dead-letter-topic <name>', 'dead-letter topic (default: PULSAR_DEAD_LETTER_TOPIC)')
    .action(async (flags: ReplayFlags) => {
      const context = await deps.boot();
      try {
        const summary = await replayDeadLetters(context.broker, {
          deadLetterTopic: flags.deadLetterTopic ?? context.streaming.deadLetterTopic,
          subscription: flags.subscription,
          onlyTopic: flags.topic,
          dryRun: flags.dryRun === true,
          limit: flags.limit,
          idleMs: flags.waitMs,
        });
        print(formatSummary(summary));
        if (summary.failure) throw new ReplayIncompleteError(summary.failure);
      } finally {
        await context.close();
      }
    });
  return program;
}
