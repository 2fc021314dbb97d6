import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { AppSettings } from '@app/settings';
import { withRequestContent } from './common/api-request-content.decorator';
import { withBearerAlternative, withSecuritySchemes } from './common/api-security';
import { useBodyParsers } from './common/body-limits';
import { answerClientErrors } from './common/client-errors';
import { ConnectionDrain, ShutdownDrain } from './common/connection-drain';
import { limitConnections } from './common/connection-limits';
import { serveWebApp } from './web-app/web-app';

/**
 * Security headers on every answer (helmet): a Content-Security-Policy that allows only this
 * origin's scripts (the Swagger UI at /docs loads its scripts from here; its inline styles are
 * allowed), HSTS, no MIME sniffing, no framing, no referrer. `upgrade-insecure-requests` is left
 * out so /docs also works over plain HTTP on a workstation; TLS is the proxy's job in production.
 */
export function securityHeaders(): ReturnType<typeof helmet> {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** HTTP concerns shared by main.ts and the e2e tests, so tests exercise the real setup. */
export function configureApi(app: NestExpressApplication, settings: AppSettings): void {
  app.disable('x-powered-by');
  answerClientErrors(app.getHttpServer());
  app.use(
    limitConnections(app.getHttpServer(), {
      idleTimeoutMs: settings.idleTimeoutSeconds * 1000,
      // Behind a reverse proxy every connection comes from the proxy: the cap is its job there.
      maxPerAddress: settings.trustProxyHops > 0 ? 0 : settings.maxConnectionsPerAddress,
    }),
  );
  // First, so that every answer given during a shutdown closes its keep-alive connection.
  const drain = new ConnectionDrain(app.getHttpServer(), settings.shutdownGraceSeconds * 1000);
  app.get(ShutdownDrain).attach(drain);
  app.use(drain.middleware);
  app.set('trust proxy', settings.trustProxyHops);
  app.use(securityHeaders());
  useBodyParsers(app, settings);
  serveWebApp(app);
  if (settings.corsOrigins.length > 0) {
    // Browsers on those origins may read the paging header of /api/v1/audit.
    app.enableCors({ origin: settings.corsOrigins, exposedHeaders: ['X-Next-Cursor'] });
  }
  // Error answers are declared by decorators (common/api-errors.decorator.ts); the only
  // post-processing is the request bodies of @ApiRequestContent (one schema per media type) and
  // the bearer scheme offered beside every API-key requirement (common/api-security.ts).
  const document = withBearerAlternative(
    withRequestContent(
      SwaggerModule.createDocument(
        app,
        withSecuritySchemes(new DocumentBuilder())
          .setTitle('Graph banking analytics API')
          .setDescription(
            'Beneficial ownership (UBO), AML alerts, fraud rings and entities over the bank graph. ' +
              'Send an API key in the X-API-Key header, or as `Authorization: Bearer <key>`; with an identity provider configured, send its access token as `Authorization: Bearer <token>` (never a credential in the query string: such requests are refused); ' +
              'every error has the shape { error, message, details?, correlationId }. ' +
              'Requests are rate-limited per API key and per client address (429 with Retry-After).',
          )
          .setVersion('1')
          .build(),
      ),
    ),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
