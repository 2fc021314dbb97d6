import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  ThrottlerException,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerRequest,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request } from 'express';
import type { SecurityConfig } from '@app/settings';
import { ApiKeys } from './api-keys';

/** The two limits: per API key (callers without a valid key count by address) and per address. */
export const PRINCIPAL_THROTTLER = 'principal';
export const IP_THROTTLER = 'ip';

/** Paths never limited: orchestrators and Prometheus poll them, and they reveal nothing. */
export function isUnlimitedPath(path: string): boolean {
  return path === '/metrics' || path === '/health' || path.startsWith('/health/');
}

function addressOf(request: Pick<Request, 'ip' | 'socket'>): string {
  return normalizeIp(request.ip ?? request.socket.remoteAddress ?? 'unknown');
}

/** The limits of `ThrottlerModule.forRootAsync`, from the `security` settings. */
export function rateLimitOptions(security: SecurityConfig): ThrottlerModuleOptions {
  const ttl = security.rateLimitWindowSeconds * 1000;
  return {
    throttlers: [
      { name: PRINCIPAL_THROTTLER, ttl, limit: security.rateLimitPerPrincipal },
      { name: IP_THROTTLER, ttl, limit: security.rateLimitPerIp },
    ],
    skipIf: (context: ExecutionContext) =>
      !security.rateLimitEnabled ||
      isUnlimitedPath(context.switchToHttp().getRequest<Request>().path),
    errorMessage: (_context: ExecutionContext, detail: ThrottlerLimitDetail) =>
      `Too many requests: at most ${detail.limit} requests per ${Math.round(detail.ttl / 1000)} s are accepted from one ${detail.tracker.startsWith('key-') ? 'API key' : 'client address'}. Try again in ${detail.timeToBlockExpire} s (see the Retry-After header).`,
  };
}

/**
 * Rate limits with @nestjs/throttler, applied before authentication (so guessing keys is
 * limited too): one limit per principal (the API key's fingerprint, or the client address when
 * the request has no valid key) and one per client address, each over all routes together.
 * Beyond a limit the answer is 429 in the one error shape with a standard `Retry-After` header
 * (seconds). The counters live in this process (RATE_LIMIT_STORE=memory: each replica counts
 * apart) or in Redis (RATE_LIMIT_STORE=redis: one limit over all replicas); while Redis does not
 * answer, requests are refused with 503 `rate_limit_unavailable` (rate-limit.storage.ts).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly apiKeys: ApiKeys,
  ) {
    super(options, storage, reflector);
  }

  protected override handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const byAddress = props.throttler.name === IP_THROTTLER;
    return super.handleRequest({
      ...props,
      getTracker: (req) => {
        const request = req as Request;
        if (byAddress) return `ip-${addressOf(request)}`;
        const principal = this.apiKeys.enabled ? this.apiKeys.identify(request) : undefined;
        return principal?.id ?? `ip-${addressOf(request)}`;
      },
      // One counter per caller over every route (the default counts each route apart).
      generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    });
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const { res } = this.getRequestResponse(context);
    const wait = Math.max(1, detail.timeToBlockExpire);
    this.setResponseHeader(res, 'Retry-After', wait);
    // The same X-RateLimit-* headers as an accepted request, for the limit that refused this one
    // (the library sets them only when it accepts). Keys are `<limit name>:<tracker>`.
    const name = detail.key.slice(0, detail.key.indexOf(':'));
    this.setResponseHeader(res, `X-RateLimit-Limit-${name}`, detail.limit);
    this.setResponseHeader(res, `X-RateLimit-Remaining-${name}`, 0);
    this.setResponseHeader(res, `X-RateLimit-Reset-${name}`, wait);
    throw new ThrottlerException(await this.getErrorMessage(context, detail));
  }
}
