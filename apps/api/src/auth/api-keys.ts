import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { SecurityConfig, securitySettings } from '@app/settings';
import { Principal, principalIdOf } from './principal';
import type { Role } from './roles.decorator';

export const API_KEY_HEADER = 'x-api-key';

function sameKey(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const BEARER = 'bearer ';

/** The key a request carries: `X-API-Key`, else `Authorization: Bearer <key>`. */
export function presentedKey(request: Pick<Request, 'headers'>): string | undefined {
  const header = request.headers[API_KEY_HEADER];
  const direct = Array.isArray(header) ? header[0] : header;
  if (direct !== undefined && direct !== '') return direct;
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith(BEARER) === true) {
    const token = authorization.slice(BEARER.length).trim();
    return token === '' ? undefined : token;
  }
  return undefined;
}

/** The configured API keys and their roles (viewer < analyst < admin). */
@Injectable()
export class ApiKeys {
  private readonly keys: { key: string; role: Role }[];

  constructor(@Inject(securitySettings.KEY) readonly security: SecurityConfig) {
    this.keys = security.apiKeys.map((entry) => {
      const separator = entry.lastIndexOf(':');
      return { key: entry.slice(0, separator), role: entry.slice(separator + 1) as Role };
    });
  }

  get enabled(): boolean {
    return this.security.authEnabled;
  }

  /** The principal of a key, or undefined when the key is not one of ours. Constant-time per key. */
  principalOf(given: string): Principal | undefined {
    const match = this.keys.find((entry) => sameKey(entry.key, given));
    return match === undefined
      ? undefined
      : { id: principalIdOf(match.key), role: match.role, kind: 'api-key' };
  }

  /** Who a request is, when it carries a valid key (or anyone, with authentication off). */
  identify(request: Pick<Request, 'headers'>): Principal | undefined {
    if (!this.enabled) return { id: 'anonymous', role: 'admin', kind: 'anonymous' };
    const given = presentedKey(request);
    return given === undefined ? undefined : this.principalOf(given);
  }
}
