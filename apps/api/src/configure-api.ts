import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppSettings } from '@app/settings';
import { API_KEY_HEADER } from './auth/api-key.guard';

/** HTTP concerns shared by main.ts and the e2e tests, so tests exercise the real setup. */
export function configureApi(app: NestExpressApplication, settings: AppSettings): void {
  app.useBodyParser('json', { limit: settings.bodyLimit });
  if (settings.corsOrigins.length > 0) {
    app.enableCors({ origin: settings.corsOrigins });
  }
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Graph banking analytics API')
      .setDescription(
        'Beneficial ownership (UBO), AML alerts, fraud rings and entities over the bank graph. ' +
          'Send an API key in the X-API-Key header; every error has the shape { error, message, details?, correlationId }.',
      )
      .setVersion('1')
      .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
