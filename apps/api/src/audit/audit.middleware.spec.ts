import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { FixedClock } from '@app/vocabulary';
import type { RequestWithPrincipal } from '../auth/principal';
import { CLIENT_CLOSED_REQUEST, AuditMiddleware } from './audit.middleware';
import { MemoryAuditLog } from './memory.audit-log';

/** Just enough of an Express response: events, a status, and whether the answer completed. */
class FakeResponse extends EventEmitter {
  statusCode = 200;
  writableFinished = false;
  body: unknown;
  status(code: number): this {
    this.statusCode = code;
    return this;
  }
  json(body: unknown): this {
    this.body = body;
    this.finish();
    return this;
  }
  finish(): void {
    this.writableFinished = true;
    this.emit('finish');
    this.emit('close');
  }
}

const AT = Date.UTC(2025, 1, 3, 9);

function call(log: MemoryAuditLog) {
  const middleware = new AuditMiddleware(log, new FixedClock(AT));
  const request = {
    method: 'GET',
    originalUrl: '/api/v1/accounts/account:b:1/risk?window=7',
    // What Express holds at the end: the route's parameters (a wildcard would give a list).
    params: { accountId: 'account:b:1', rest: ['a', 'b'] },
    route: { path: '/api/v1/accounts/:accountId/risk' },
    principal: { id: 'key-0123456789ab', role: 'analyst' },
    id: 'corr-1',
  } as unknown as Request & RequestWithPrincipal & { id?: unknown };
  const response = new FakeResponse();
  const next = jest.fn<void, []>();
  middleware.use(request, response as unknown as Response, next);
  return { response, next };
}

describe('AuditMiddleware', () => {
  it('records a served request once when it finishes, with who, what and the status', async () => {
    const log = new MemoryAuditLog();
    const { response, next } = call(log);
    expect(next).toHaveBeenCalledTimes(1);
    expect(await log.list({ limit: 10 })).toEqual([]);
    response.finish();
    expect(await log.list({ limit: 10 })).toEqual([
      {
        at: new Date(AT).toISOString(),
        principal: 'key-0123456789ab',
        role: 'analyst',
        method: 'GET',
        route: '/api/v1/accounts/:accountId/risk',
        path: '/api/v1/accounts/account:b:1/risk',
        resources: { accountId: 'account:b:1' },
        status: 200,
        correlationId: 'corr-1',
      },
    ]);
  });

  it('records a request whose caller went away before the answer was complete, as 499', async () => {
    const log = new MemoryAuditLog();
    const { response } = call(log);
    response.emit('close');
    const [entry] = await log.list({ limit: 10 });
    expect(entry?.status).toBe(CLIENT_CLOSED_REQUEST);
    expect(entry?.resources).toEqual({ accountId: 'account:b:1' });
  });

  it('refuses the request with 503 before any controller runs when the audit trail cannot keep its entry, and records the refusal', async () => {
    const log = new MemoryAuditLog();
    jest.spyOn(log, 'accepting', 'get').mockReturnValue(false);
    const { response, next } = call(log);
    expect(next).not.toHaveBeenCalled();
    expect(response.statusCode).toBe(503);
    expect(response.body).toMatchObject({ error: 'audit_unavailable', correlationId: 'corr-1' });
    const [entry] = await log.list({ limit: 10 });
    expect(entry).toMatchObject({ status: 503, route: '(no route)', resources: {} });
  });
});
