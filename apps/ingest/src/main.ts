import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { CommanderError } from 'commander';
import { Logger } from 'nestjs-pino';
import {
  InvalidSettingsError,
  loadAllSettings,
  StreamingConfig,
  streamingSettings,
} from '@app/settings';
import type { MessageBroker } from '@app/streaming';
import { DomainError } from '@app/vocabulary';
import { IngestModule } from './ingest.module';
import { createIngestProgram, ReplayIncompleteError } from './replay/replay-dlq.command';
import { REPLAY_BROKER, ReplayModule } from './replay/replay.module';

/** First arguments that run a command instead of the worker. */
const COMMANDS = new Set(['replay-dlq', 'help', '--help', '-h', '--version', '-V']);

async function bootstrap(): Promise<void> {
  // Validate every setting first so a bad value stops the start with one clear message.
  const settings = loadAllSettings();
  const { httpHost, httpPort } = settings.ingest;
  let app: INestApplicationContext;
  if (httpPort === 0) {
    // No probes wanted: no HTTP server at all, like the CLIs.
    app = await NestFactory.createApplicationContext(IngestModule, { bufferLogs: true });
    app.useLogger(app.get(Logger));
    // SIGTERM / SIGINT: stop consuming, finish the batch in hand, ack, close.
    app.enableShutdownHooks();
    // The embedded broker holds no socket: without this the process would end at once, without
    // its shutdown. The shutdown hooks re-raise the signal after closing, which ends it.
    setInterval(() => undefined, 2 ** 31 - 1);
  } else {
    const http = await NestFactory.create<NestExpressApplication>(IngestModule, {
      bufferLogs: true,
    });
    http.useLogger(http.get(Logger));
    http.enableShutdownHooks();
    // The worker subscribes during init, before the port opens: a start that cannot reach the
    // broker fails here, as it does without the listener.
    await http.listen(httpPort, httpHost);
    app = http;
  }
  const probes =
    httpPort === 0
      ? 'no HTTP listener (INGEST_HTTP_PORT=0)'
      : `/health/live, /health/ready and /metrics on http://${httpHost}:${httpPort}`;
  app
    .get(Logger)
    .log(
      `Ingest worker running (streaming: ${settings.streaming.backend}, graph: ${settings.graph.backend}); ${probes}`,
    );
}

/** Runs a command (`replay-dlq`). Exit codes: 0 done (and help), 2 bad arguments, 1 failed. */
async function command(argv: readonly string[]): Promise<number> {
  const program = createIngestProgram({
    boot: async () => {
      loadAllSettings();
      const app = await NestFactory.createApplicationContext(ReplayModule, {
        logger: ['error', 'warn'],
        abortOnError: false,
      });
      return {
        streaming: app.get<StreamingConfig>(streamingSettings.KEY),
        broker: app.get<MessageBroker>(REPLAY_BROKER),
        close: () => app.close(),
      };
    },
  });
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error: unknown) {
    if (error instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code))
        return 0;
      return error.exitCode === 1 ? 2 : error.exitCode;
    }
    if (error instanceof ReplayIncompleteError) return 1;
    if (error instanceof InvalidSettingsError || error instanceof DomainError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    process.stderr.write(
      `The command failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}

if (COMMANDS.has(process.argv[2] ?? '')) {
  const argv = process.argv[2] === 'help' ? [...process.argv.slice(0, 2), '--help'] : process.argv;
  command(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
} else {
  bootstrap().catch((error: unknown) => {
    if (error instanceof InvalidSettingsError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(
        `The ingest worker could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exit(1);
  });
}
