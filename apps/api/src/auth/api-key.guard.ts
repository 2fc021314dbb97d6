import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { SecurityConfig, securitySettings } from '@app/settings';
import { Principal, principalIdOf, RequestWithPrincipal } from './principal';
import { PUBLIC_KEY, Role, ROLES, ROLES_KEY } from './roles.decorator';

export const API_KEY_HEADER = 'x-api-key';

function sameKey(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * API keys with roles (viewer < analyst < admin). The key comes in `X-API-Key` or
 * `Authorization: Bearer <key>`. Routes marked `@Public()` need none.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: { key: string; role: Role }[];

  constructor(
    private readonly reflector: Reflector,
    @Inject(securitySettings.KEY) private readonly security: SecurityConfig,
  ) {
    this.keys = security.apiKeys.map((entry) => {
      const separator = entry.lastIndexOf(':');
      return { key: entry.slice(0, separator), role: entry.slice(separator + 1) as Role };
    });
  }

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) === true)
      return true;
    const request = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    const required =
      this.reflector.getAllAndOverride<Role | undefined>(ROLES_KEY, targets) ?? 'viewer';
    const principal = this.security.authEnabled
      ? this.authenticate(request)
      : { id: 'anonymous', role: 'admin' as const };
    request.principal = principal;
    if (ROLES.indexOf(principal.role) < ROLES.indexOf(required)) {
      throw new ForbiddenException(
        `This route needs the ${required} role; your key has the ${principal.role} role.`,
      );
    }
    return true;
  }

  private authenticate(request: Request): Principal {
    const header = request.headers[API_KEY_HEADER];
    const bearer = request.headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    const given = (Array.isArray(header) ? header[0] : header) ?? bearer;
    if (given === undefined || given === '') {
      throw new UnauthorizedException(
        'An API key is required: send it in the X-API-Key header (see the README for development keys).',
      );
    }
    const match = this.keys.find((entry) => sameKey(entry.key, given));
    if (!match) throw new UnauthorizedException('The API key is not valid.');
    return { id: principalIdOf(match.key), role: match.role };
  }
}
