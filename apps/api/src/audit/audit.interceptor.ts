import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Clock } from '@app/vocabulary';
import type { Request, Response } from 'express';
import { Observable, tap } from 'rxjs';
import { statusOf } from '../common/domain-exception.filter';
import { RequestWithPrincipal } from '../auth/principal';
import { AuditEntry, AuditLog } from './audit-log';

/** Records every analytics request (success or failure) with the caller and the ids asked for. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request & RequestWithPrincipal & { id?: unknown }>();
    if (!request.originalUrl.startsWith('/api/')) return next.handle();
    const write = (status: number): void => {
      const entry: AuditEntry = {
        at: new Date(this.clock.now()).toISOString(),
        principal: request.principal?.id ?? 'unauthenticated',
        role: request.principal?.role ?? 'none',
        method: request.method,
        route: (request.route as { path?: string } | undefined)?.path ?? request.path,
        path: request.originalUrl.split('?')[0] ?? request.originalUrl,
        resources: { ...(request.params as Record<string, string>) },
        status,
        correlationId: typeof request.id === 'string' ? request.id : '',
      };
      this.logger.log({ audit: entry }, `${entry.principal} ${entry.method} ${entry.path} -> ${status}`);
      this.audit.record(entry).catch((error: unknown) => this.logger.error({ err: error }, 'Could not store an audit entry'));
    };
    return next.handle().pipe(
      tap({
        next: () => write(context.switchToHttp().getResponse<Response>().statusCode),
        error: (error: unknown) => write(statusOf(error)),
      }),
    );
  }
}
