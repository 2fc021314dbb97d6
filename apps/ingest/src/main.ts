import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { InvalidSettingsError, loadAllSettings } from '@app/settings';
import { IngestModule } from './ingest.module';

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
