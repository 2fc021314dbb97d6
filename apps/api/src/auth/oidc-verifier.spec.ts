import {
  ForbiddenException,
  HttpException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { loadAllSettings } from '@app/settings';
import type { SecurityConfig } from '@app/settings';
import { FixedClock } from '@app/vocabulary';
import { LOCAL_AUDIENCE, LocalIssuer } from './local-issuer.fixtures';
import { claimAt, highestRole, looksLikeJwt, OidcVerifier, parseRoleMap } from './oidc-verifier';

const NOW_SECONDS = 1_767_225_600; // 2026-01-01T00:00:00Z

function verifierFor(issuer: LocalIssuer, overrides: Partial<SecurityConfig> = {}): OidcVerifier {
  const security: SecurityConfig = {
    ...loadAllSettings({}).security,
    oidcEnabled: true,
    oidcIssuer: issuer.url,
    oidcAudience: LOCAL_AUDIENCE,
    oidcJwksUrl: issuer.jwksUrl,
    ...overrides,
  };
  return new OidcVerifier(security, new FixedClock(NOW_SECONDS * 1000));
}

async function failure(promise: Promise<unknown>): Promise<HttpException> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof HttpException) return error;
    throw error;
  }
  throw new Error('expected the token to be refused');
}

describe('OidcVerifier (local issuer on 127.0.0.1)', () => {
  let issuer: LocalIssuer;

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
  });

  afterAll(async () => {
    await issuer.close();
  });

  const at = { issuedAt: NOW_SECONDS - 60 };

  it('turns a valid token into the individual user with the role of the claim and the auth context', async () => {
    const token = await issuer.token(
      {
        sub: 'u-1001',
        roles: ['analyst'],
        name: 'Ana Lyst',
        email: 'ana@bank.example',
        auth_time: NOW_SECONDS - 120,
        acr: 'urn:bank:loa:2',
        amr: ['pwd', 'otp'],
      },
      at,
    );
    await expect(verifierFor(issuer).verify(token)).resolves.toEqual({
      id: 'user:u-1001',
      role: 'analyst',
      kind: 'user',
      name: 'Ana Lyst',
      email: 'ana@bank.example',
      authContext: { authTime: NOW_SECONDS - 120, acr: 'urn:bank:loa:2', amr: ['pwd', 'otp'] },
    });
  });

  it('fetches the key set once and reuses it for later tokens', async () => {
    const verifier = verifierFor(issuer);
    const before = issuer.jwksRequests;
    for (const sub of ['a', 'b', 'c']) {
      await verifier.verify(await issuer.token({ sub, roles: ['viewer'] }, at));
    }
    expect(issuer.jwksRequests - before).toBe(1);
  });

  it('refuses an expired token with 401 and says so', async () => {
    const token = await issuer.token(
      { sub: 'u', roles: ['viewer'] },
      { issuedAt: NOW_SECONDS - 3600, lifetimeSeconds: 300 },
    );
    const error = await failure(verifierFor(issuer).verify(token));
    expect(error).toBeInstanceOf(UnauthorizedException);
    expect(error.message).toContain('expired');
  });

  it('accepts a token expired by less than the clock tolerance', async () => {
    const token = await issuer.token(
      { sub: 'u', roles: ['viewer'] },
      { issuedAt: NOW_SECONDS - 310, lifetimeSeconds: 300 },
    );
    await expect(verifierFor(issuer).verify(token)).resolves.toMatchObject({ id: 'user:u' });
    const strict = verifierFor(issuer, { oidcClockToleranceSeconds: 0 });
    expect((await failure(strict.verify(token))).message).toContain('expired');
  });

  it('refuses another audience with 401 naming OIDC_AUDIENCE', async () => {
    const token = await issuer.token(
      { sub: 'u', roles: ['viewer'] },
      { ...at, audience: 'other-app' },
    );
    const error = await failure(verifierFor(issuer).verify(token));
    expect(error).toBeInstanceOf(UnauthorizedException);
    expect(error.message).toContain('OIDC_AUDIENCE');
  });

  it('refuses another issuer with 401 naming OIDC_ISSUER', async () => {
    const token = await issuer.token(
      { sub: 'u', roles: ['viewer'] },
      { ...at, issuer: 'https://rogue.example' },
    );
    const error = await failure(verifierFor(issuer).verify(token));
    expect(error).toBeInstanceOf(UnauthorizedException);
    expect(error.message).toContain('OIDC_ISSUER');
  });

  it('refuses a token signed with a key the issuer does not publish (unknown kid)', async () => {
    const token = await issuer.token(
      { sub: 'u', roles: ['viewer'] },
      { ...at, unpublishedKey: true },
    );
    const error = await failure(verifierFor(issuer).verify(token));
    expect(error).toBeInstanceOf(UnauthorizedException);
    expect(error.message).toContain('unknown `kid`');
  });

  it('refuses alg none and HS256 (a shared secret is never accepted)', async () => {
    const verifier = verifierFor(issuer);
    for (const token of [
      issuer.unsigned({ sub: 'u', roles: ['admin'] }),
      await issuer.hs256({ sub: 'u', roles: ['admin'] }, 'a-secret-someone-guessed-0123456789'),
    ]) {
      const error = await failure(verifier.verify(token));
      expect(error).toBeInstanceOf(UnauthorizedException);
      expect(error.message).toContain('are not accepted; allowed algorithms');
    }
  });

  it('maps identity-provider roles through OIDC_ROLE_MAP, highest role wins, from a nested claim', async () => {
    const verifier = verifierFor(issuer, {
      oidcRolesClaim: 'realm_access.roles',
      oidcRoleMap: ['bank-aml-viewer=viewer', 'bank-aml-admin=admin', 'bank-aml-analyst=analyst'],
    });
    const token = await issuer.token(
      {
        sub: 'u',
        realm_access: { roles: ['offline_access', 'bank-aml-viewer', 'bank-aml-admin'] },
      },
      at,
    );
    await expect(verifier.verify(token)).resolves.toMatchObject({ role: 'admin' });
  });

  it('answers 403 with a clear message when the token carries no known role', async () => {
    const verifier = verifierFor(issuer, { oidcRoleMap: ['bank-aml-viewer=viewer'] });
    const none = await failure(verifier.verify(await issuer.token({ sub: 'u' }, at)));
    expect(none).toBeInstanceOf(ForbiddenException);
    expect(none.message).toContain('no roles in its `roles` claim');
    const unknown = await failure(
      verifier.verify(await issuer.token({ sub: 'u', roles: ['viewer', 'payments'] }, at)),
    );
    expect(unknown).toBeInstanceOf(ForbiddenException);
    expect(unknown.message).toContain('bank-aml-viewer');
  });

  it('answers 503 when the key set cannot be fetched', async () => {
    const gone = await LocalIssuer.start();
    const verifier = verifierFor(gone);
    const token = await gone.token({ sub: 'u', roles: ['viewer'] }, at);
    await gone.close();
    const error = await failure(verifier.verify(token));
    expect(error).toBeInstanceOf(ServiceUnavailableException);
    expect(error.message).toContain('OIDC_JWKS_URL');
  });

  it('refuses a token whose signature does not match', async () => {
    const token = await issuer.token({ sub: 'u', roles: ['viewer'] }, at);
    const [header, payload] = token.split('.');
    const other = (await issuer.token({ sub: 'v', roles: ['admin'] }, at)).split('.')[2];
    const error = await failure(verifierFor(issuer).verify(`${header}.${payload}.${other}`));
    expect(error).toBeInstanceOf(UnauthorizedException);
    expect(error.message).toBe('The token signature is not valid.');
  });

  it('refuses a token without a subject', async () => {
    const error = await failure(
      verifierFor(issuer).verify(await issuer.token({ roles: ['viewer'] }, at)),
    );
    expect(error).toBeInstanceOf(UnauthorizedException);
    expect(error.message).toContain('`sub`');
  });
});

describe('OIDC helpers', () => {
  it('reads a claim by name or by dotted path', () => {
    const payload = { roles: ['a'], realm_access: { roles: ['b'] }, 'x.y': 'flat' };
    expect(claimAt(payload, 'roles')).toEqual(['a']);
    expect(claimAt(payload, 'realm_access.roles')).toEqual(['b']);
    expect(claimAt(payload, 'x.y')).toBe('flat');
    expect(claimAt(payload, 'realm_access.missing.deeper')).toBeUndefined();
  });

  it('takes the role names as they are without a map', () => {
    expect(highestRole(['viewer', 'analyst'], parseRoleMap([]))).toBe('analyst');
    expect(highestRole(['superuser'], parseRoleMap([]))).toBeUndefined();
  });

  it('tells JWTs from API keys', () => {
    expect(looksLikeJwt('dev-admin-key')).toBe(false);
    expect(looksLikeJwt('a.b.c')).toBe(false);
    expect(looksLikeJwt('eyJhbGciOiJSUzI1NiJ9.e30.c2ln')).toBe(true);
  });
});
