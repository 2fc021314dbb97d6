import { Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { Clock } from '@app/vocabulary';
import { RequestWithPrincipal } from '../auth/principal';
import type { ErrorBody } from '../common/error-body';
import { AuditEntry, AuditLog, RequestWithAuditNote } from './audit-log';

/** Status recorded when the caller went away before the answer was complete (as nginx does). */
export const CLIENT_CLOSED_REQUEST = 499;

/** The path parameters that name business ids (string values only; wildcards give lists). */
function businessIdsOf(params: unknown): Record<string, string> {
  if (typeof params !== 'object' || params === null) return {};
  return Object.fromEntries(
    Object.entries(params).filter((pair): pair is [string, string] => typeof pair[1] === 'string'),
  );
}

/**
 * Records every analytics request once it ends: who (key fingerprint and role, or
 * "unauthenticated"), what (the route and the business ids in its path) and the status, so
 * refused attempts are audited too. A request whose connection closed before the answer was
 * complete is recorded as well, with status 499.
 *
 * No request is served unaudited: when the audit trail cannot keep one more entry (its store
 * has been down so long that its queue is full), the request is refused with 503 before it
 * reaches a controller.
 */
@Injectable()
export class AuditMiddleware implements NestMiddleware {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  use(
    request: Request & RequestWithPrincipal & RequestWithAuditNote & { id?: unknown },
    response: Response,
    next: NextFunction,
  ): void {
    const at = this.clock.now();
    // Set when this middleware answers itself: the request then reached no route.
    let refusedHere = false;
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      const entry: AuditEntry = {
        at: new Date(at).toISOString(),
        principal: request.principal?.id ?? 'unauthenticated',
        role: request.principal?.role ?? 'none',
        method: request.method,
        route: refusedHere
          ? '(no route)'
          : ((request.route as { path?: string } | undefined)?.path ?? '(no route)'),
        path: request.originalUrl.split('?')[0] ?? request.originalUrl,
        resources: refusedHere ? {} : businessIdsOf(request.params),
        status: response.writableFinished ? response.statusCode : CLIENT_CLOSED_REQUEST,
        correlationId: typeof request.id === 'string' ? request.id : '',
        ...(request.auditNote === undefined ? {} : { note: request.auditNote }),
      };
      // The note (an erasure's reason: free text) goes to the trail only, not to the log.
      const { note: _note, ...logged } = entry;
      this.logger.log(
        { audit: logged },
        `${entry.principal} ${entry.method} ${entry.path} -> ${entry.status}`,
      );
      this.audit.record(entry);
    };
    response.once('finish', record);
    response.once('close', record);

    if (!this.audit.accepting) {
      refusedHere = true;
      const body: ErrorBody = {
        error: 'audit_unavailable',
        message:
          'The audit trail cannot store more entries right now (its graph store does not answer), so no request is served; try again shortly.',
        correlationId: typeof request.id === 'string' ? request.id : randomUUID(),
      };
      response.status(503).json(body);
      return;
    }
    next();
  }
}
