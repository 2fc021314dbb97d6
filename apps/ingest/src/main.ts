import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { InvalidSettingsError, loadAllSettings } from '@app/settings';
import { IngestModule } from './ingest.module';

async function bootstrap(): Promise<void> {
  // Validate every setting first so a bad value stops the start with one clear message.
  const settings = loadAllSettings();
  const app = await NestFactory.createApplicationContext(IngestModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // SIGTERM / SIGINT: stop consuming, finish the batch in hand, ack, close.
  app.enableShutdownHooks();
  app
    .get(Logger)
    .log(
      `Ingest worker running (streaming: ${settings.streaming.backend}, graph: ${settings.graph.backend})`,
    );
}

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
