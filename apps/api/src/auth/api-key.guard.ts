import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { InvalidInputError } from '@app/vocabulary';
import { isSecretQueryParameter } from '@app/observability';
import { ApiKeys, presentedKey } from './api-keys';
import { looksLikeJwt, OidcVerifier } from './oidc-verifier';
import { Principal, RequestWithPrincipal } from './principal';
import { PUBLIC_KEY, Role, ROLES, ROLES_KEY } from './roles.decorator';

export { API_KEY_HEADER } from './api-keys';

/**
 * API keys and identity-provider tokens, with roles (viewer < analyst < admin). A key comes in
 * `X-API-Key` or `Authorization: Bearer <key>`; with OIDC_ENABLED, `Authorization: Bearer <JWT>`
 * is verified by {@link OidcVerifier} and the caller is the individual user. Credentials are
 * never accepted in the query string: a request with a credential-like query parameter
 * (`api_key`, `token`…) is refused with 400 on every route, public ones too. Routes marked
 * `@Public()` need no credential.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeys,
    private readonly oidc: OidcVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    refuseCredentialsInQuery(request);
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) === true)
      return true;
    const required =
      this.reflector.getAllAndOverride<Role | undefined>(ROLES_KEY, targets) ?? 'viewer';
    const principal = await this.authenticate(request);
    request.principal = principal;
    if (ROLES.indexOf(principal.role) < ROLES.indexOf(required)) {
      const yours = principal.kind === 'user' ? 'your account' : 'your key';
      throw new ForbiddenException(
        `This route needs the ${required} role; ${yours} has the ${principal.role} role.`,
      );
    }
    return true;
  }

  private async authenticate(request: Request): Promise<Principal> {
    if (!this.apiKeys.enabled) return { id: 'anonymous', role: 'admin', kind: 'anonymous' };
    const given = presentedKey(request);
    if (given === undefined) {
      throw new UnauthorizedException(
        this.oidc.enabled
          ? "A credential is required: send an API key in the X-API-Key header, or your identity provider's access token as `Authorization: Bearer <token>`."
          : 'An API key is required: send it in the X-API-Key header (see the README for development keys).',
      );
    }
    const principal = this.apiKeys.principalOf(given);
    if (principal !== undefined) return principal;
    if (looksLikeJwt(given)) return this.oidc.verify(given);
    throw new UnauthorizedException('The API key is not valid.');
  }
}

/** Keys belong in a header; one in the URL is refused before anything else looks at it. */
function refuseCredentialsInQuery(request: Request): void {
  const query: unknown = request.query;
  if (typeof query !== 'object' || query === null) return;
  const found = Object.keys(query).filter(isSecretQueryParameter);
  if (found.length > 0) {
    throw new InvalidInputError(
      `Credentials are not accepted in the query string (${found.join(', ')}): send the API key in the X-API-Key header instead.`,
      found.map((field) => ({
        field,
        rule: 'must not be sent in the query string; use the X-API-Key header',
      })),
    );
  }
}
