import { Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Clock } from '@app/vocabulary';
import { RequestWithPrincipal } from '../auth/principal';
import { AuditEntry, AuditLog } from './audit-log';

/**
 * Records every analytics request once its answer is sent: who (key fingerprint and role, or
 * "unauthenticated"), what (the route and the business ids in its path) and the status, so
 * refused attempts are audited too.
 */
@Injectable()
export class AuditMiddleware implements NestMiddleware {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  use(
    request: Request & RequestWithPrincipal & { id?: unknown },
    response: Response,
    next: NextFunction,
  ): void {
    const at = this.clock.now();
    response.on('finish', () => {
      const entry: AuditEntry = {
        at: new Date(at).toISOString(),
        principal: request.principal?.id ?? 'unauthenticated',
        role: request.principal?.role ?? 'none',
        method: request.method,
        route: (request.route as { path?: string } | undefined)?.path ?? '(no route)',
        path: request.originalUrl.split('?')[0] ?? request.originalUrl,
        resources: { ...(request.params as Record<string, string>) },
        status: response.statusCode,
        correlationId: typeof request.id === 'string' ? request.id : '',
      };
      this.logger.log(
        { audit: entry },
        `${entry.principal} ${entry.method} ${entry.path} -> ${entry.status}`,
      );
      this.audit
        .record(entry)
        .catch((error: unknown) =>
          this.logger.error({ err: error }, 'Could not store an audit entry'),
        );
    });
    next();
  }
}
