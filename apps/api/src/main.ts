import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { versionLine } from '@app/observability';
import { InvalidSettingsError, loadAllSettings } from '@app/settings';
import { DomainError } from '@app/vocabulary';
import { ApiModule } from './api.module';
import { configureApi } from './configure-api';

async function bootstrap(): Promise<void> {
  // Validate every setting first so a bad value stops the start with one clear message.
  const settings = loadAllSettings();
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  configureApi(app, settings.app);
  app.enableShutdownHooks();
  await app.listen(settings.app.port, settings.app.host);
  app
    .get(Logger)
    .log(
      `API ready on http://${settings.app.host}:${settings.app.port} (graph: ${settings.graph.backend}); OpenAPI at /docs`,
    );
}

if (process.argv.includes('--version') || process.argv.includes('-V')) {
  process.stdout.write(`${versionLine('api')}\n`);
} else {
  bootstrap().catch((error: unknown) => {
    if (error instanceof InvalidSettingsError) {
      process.stderr.write(`${error.message}\n`);
    } else if (error instanceof DomainError) {
      // A known problem (a bad APP_DATA_DIR row, an unreachable graph): its message says what to do.
      process.stderr.write(`The API could not start: ${error.message}\n`);
    } else {
      process.stderr.write(
        `The API could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exit(1);
  });
}
