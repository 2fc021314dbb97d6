import {
  ForbiddenException,
  Inject,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import { SecurityConfig, securitySettings } from '@app/settings';
import { Clock } from '@app/vocabulary';
import { AuthContext, Principal, userPrincipalIdOf } from './principal';
import { Role, ROLES } from './roles.decorator';

/** True when a bearer credential is a JWS compact token (three parts, a JSON header with `alg`). */
export function looksLikeJwt(token: string): boolean {
  if (token.split('.').length !== 3) return false;
  try {
    return typeof decodeProtectedHeader(token).alg === 'string';
  } catch {
    return false;
  }
}

/** A claim by name, or by a dotted path into nested objects (`realm_access.roles`). */
export function claimAt(payload: Readonly<Record<string, unknown>>, path: string): unknown {
  if (path in payload) return payload[path];
  let current: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** `idp-role=role` pairs (OIDC_ROLE_MAP); empty means the role names are taken as they are. */
export function parseRoleMap(entries: readonly string[]): ReadonlyMap<string, Role> {
  const map = new Map<string, Role>();
  for (const entry of entries) {
    const separator = entry.lastIndexOf('=');
    const role = entry.slice(separator + 1);
    if (isRole(role)) map.set(entry.slice(0, separator), role);
  }
  return map;
}

/** The highest role the claim's values map to, or undefined when none maps. */
export function highestRole(
  values: readonly string[],
  map: ReadonlyMap<string, Role>,
): Role | undefined {
  const mapped = values
    .map((value) => (map.size === 0 ? (isRole(value) ? value : undefined) : map.get(value)))
    .filter((role): role is Role => role !== undefined);
  return mapped.sort((a, b) => ROLES.indexOf(b) - ROLES.indexOf(a))[0];
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

function authContextOf(payload: JWTPayload): AuthContext {
  const context: AuthContext = { amr: stringsOf(payload.amr) };
  if (typeof payload.auth_time === 'number') context.authTime = payload.auth_time;
  if (typeof payload.acr === 'string') context.acr = payload.acr;
  return context;
}

const SIGN_IN_AGAIN = 'sign in again at your identity provider for a new token';

/**
 * Verifies OpenID Connect / OAuth2 access tokens (JWT) of the bank's identity provider with
 * `jose`: the signature against the provider's published keys (OIDC_JWKS_URL, fetched on demand
 * and cached by jose; an unknown key id triggers one refetch), an allowed asymmetric algorithm,
 * the issuer, the audience and the expiry (with OIDC_CLOCK_TOLERANCE_SECONDS). The principal is
 * the individual user (`user:<sub>`) with the highest role the roles claim maps to.
 */
@Injectable()
export class OidcVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  private readonly roleMap: ReadonlyMap<string, Role>;

  constructor(
    @Inject(securitySettings.KEY) private readonly security: SecurityConfig,
    private readonly clock: Clock,
  ) {
    this.keys =
      security.oidcEnabled && security.oidcJwksUrl !== undefined
        ? createRemoteJWKSet(new URL(security.oidcJwksUrl))
        : undefined;
    this.roleMap = parseRoleMap(security.oidcRoleMap);
  }

  get enabled(): boolean {
    return this.keys !== undefined;
  }

  /** The user a token names; 401 for a token that is not valid, 403 when it carries no known role. */
  async verify(token: string): Promise<Principal> {
    if (this.keys === undefined) {
      throw new UnauthorizedException(
        'This API does not accept identity-provider tokens (OIDC_ENABLED is false): send an API key in the X-API-Key header.',
      );
    }
    const payload = await this.verified(token, this.keys);
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new UnauthorizedException(
        'The token names no user (no `sub` claim); ask your identity-provider administrator to include it.',
      );
    }
    const claim = this.security.oidcRolesClaim;
    const values = stringsOf(claimAt(payload, claim));
    const role = highestRole(values, this.roleMap);
    if (role === undefined) {
      const known =
        this.roleMap.size === 0 ? ROLES.join(', ') : [...this.roleMap.keys()].join(', ');
      throw new ForbiddenException(
        values.length === 0
          ? `The token has no roles in its \`${claim}\` claim (OIDC_ROLES_CLAIM); ask your identity-provider administrator to give you one of: ${known}.`
          : `None of the token's roles in \`${claim}\` (${values.join(', ')}) gives access to this API; one of these is needed: ${known}.`,
      );
    }
    const principal: Principal = {
      id: userPrincipalIdOf(payload.sub),
      role,
      kind: 'user',
      authContext: authContextOf(payload),
    };
    const name = payload.name ?? payload.preferred_username;
    if (typeof name === 'string') principal.name = name;
    if (typeof payload.email === 'string') principal.email = payload.email;
    return principal;
  }

  private async verified(
    token: string,
    keys: ReturnType<typeof createRemoteJWKSet>,
  ): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: this.security.oidcIssuer,
        audience: this.security.oidcAudience,
        algorithms: this.security.oidcAlgorithms,
        clockTolerance: this.security.oidcClockToleranceSeconds,
        currentDate: new Date(this.clock.now()),
      });
      return payload;
    } catch (error: unknown) {
      throw this.explained(error, token);
    }
  }

  /** A clear 401 (or 503 when the keys cannot be fetched) for each way a token can fail. */
  private explained(error: unknown, token: string): Error {
    const bad = (message: string): Error => new UnauthorizedException(message);
    if (error instanceof errors.JWTExpired) return bad(`The token has expired: ${SIGN_IN_AGAIN}.`);
    if (error instanceof errors.JWTClaimValidationFailed) {
      switch (error.claim) {
        case 'iss':
          return bad(
            `The token was issued by another identity provider: its \`iss\` must be ${String(this.security.oidcIssuer)} (OIDC_ISSUER).`,
          );
        case 'aud':
          return bad(
            `The token is meant for another application: its \`aud\` must contain ${String(this.security.oidcAudience)} (OIDC_AUDIENCE).`,
          );
        case 'nbf':
          return bad('The token is not valid yet (`nbf` is in the future); check the clocks.');
        default:
          return bad(`The token's \`${error.claim}\` claim is not valid (${error.reason}).`);
      }
    }
    if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
      const alg = safeAlg(token);
      return bad(
        `Tokens signed with ${alg} are not accepted; allowed algorithms (OIDC_ALGORITHMS): ${this.security.oidcAlgorithms.join(', ')}.`,
      );
    }
    if (error instanceof errors.JWKSNoMatchingKey) {
      return bad(
        'The token is signed with a key the identity provider does not publish (unknown `kid` in OIDC_JWKS_URL): sign in again; if it persists, the token comes from elsewhere.',
      );
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return bad('The token signature is not valid.');
    }
    if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) {
      return bad(`The token is malformed: ${error.message}.`);
    }
    return new ServiceUnavailableException(
      "The identity provider's signing keys cannot be fetched right now (OIDC_JWKS_URL); try again shortly.",
    );
  }
}

function safeAlg(token: string): string {
  try {
    return decodeProtectedHeader(token).alg ?? 'no algorithm';
  } catch {
    return 'an unknown algorithm';
  }
}
