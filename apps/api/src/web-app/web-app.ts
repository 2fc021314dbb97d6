import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ErrorBody } from '../common/error-body';

/** Where the analyst web app (apps/web) is served. */
export const WEB_APP_PATH = '/app';

/** Where `npm run build:web` writes the web app: dist/web under the directory the API runs from. */
export function defaultWebAppDirectory(): string {
  return resolve(process.cwd(), 'dist', 'web');
}

/** The answer under /app when the web app was not built (the API itself still works). */
export function webAppMissingBody(correlationId: string): ErrorBody {
  return {
    error: 'web_app_not_built',
    message:
      'The analyst web app has not been built on this machine. Run `npm run build` (or `npm run build:web`) in the repository, then reload this page. The REST API under /api/v1 works without it.',
    correlationId,
  };
}

/**
 * Serves the analyst web app (a static single-page app) under /app: its files, and index.html
 * for any other path under /app so that the app's own pages can be reloaded or bookmarked.
 * Whether the build exists is checked on each request, so a build made after the API started
 * is picked up; without one, /app answers 503 saying how to build it.
 */
export function serveWebApp(
  app: NestExpressApplication,
  directory: string = defaultWebAppDirectory(),
): void {
  const index = join(directory, 'index.html');
  app.use(WEB_APP_PATH, (request: Request, response: Response, next: NextFunction) => {
    if (existsSync(index)) {
      next();
      return;
    }
    const id = (request as Request & { id?: unknown }).id;
    response.status(503).json(webAppMissingBody(typeof id === 'string' ? id : randomUUID()));
  });
  app.useStaticAssets(directory, { prefix: WEB_APP_PATH, index: 'index.html', fallthrough: true });
  app.use(WEB_APP_PATH, (request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      next();
      return;
    }
    response.sendFile(index);
  });
}
