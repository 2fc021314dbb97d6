import { InvalidSettingsError } from '../settings.error';
import { loadAllSettings } from '../settings';

function messageOf(env: Record<string, string>): string {
  try {
    loadAllSettings(env);
  } catch (error: unknown) {
    if (error instanceof InvalidSettingsError) return error.message;
    throw error;
  }
  throw new Error('expected InvalidSettingsError');
}

const TOTP_KEY = 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=';
const PRODUCTION = {
  NODE_ENV: 'production',
  API_KEYS: 'a-real-production-key:admin',
  TOTP_ENCRYPTION_KEY: TOTP_KEY,
};
const OIDC = {
  OIDC_ENABLED: 'true',
  OIDC_ISSUER: 'https://login.bank.example/realms/aml',
  OIDC_AUDIENCE: 'graph-banking-api',
  OIDC_JWKS_URL: 'https://login.bank.example/realms/aml/protocol/openid-connect/certs',
};

describe('security settings: identity and second factor', () => {
  it('has OIDC off and step-up on by default', () => {
    expect(loadAllSettings({}).security).toMatchObject({
      oidcEnabled: false,
      oidcRolesClaim: 'roles',
      oidcRoleMap: [],
      oidcAlgorithms: ['RS256', 'ES256', 'PS256'],
      stepUpRequired: true,
      stepUpMaxAgeSeconds: 900,
      stepUpAmrValues: ['mfa', 'otp', 'hwk', 'totp'],
      stepUpAcrValues: [],
    });
  });

  it('starts in production with OIDC fully configured', () => {
    expect(loadAllSettings({ ...PRODUCTION, ...OIDC }).security).toMatchObject({
      oidcEnabled: true,
      oidcIssuer: OIDC.OIDC_ISSUER,
    });
  });

  it.each(['OIDC_ISSUER', 'OIDC_AUDIENCE', 'OIDC_JWKS_URL'])(
    'refuses to start in production with OIDC_ENABLED=true and no %s, naming it',
    (variable) => {
      const env: Record<string, string> = { ...PRODUCTION, ...OIDC };
      delete env[variable];
      const message = messageOf(env);
      expect(message).toContain(`${variable}=(not set): is required when OIDC_ENABLED=true`);
      expect(message.match(/OIDC_/g)?.length).toBe(2);
    },
  );

  it('refuses HS256 and none as OIDC algorithms', () => {
    expect(messageOf({ OIDC_ALGORITHMS: 'RS256,HS256' })).toContain(
      'OIDC_ALGORITHMS="RS256,HS256": each value must be one of RS256',
    );
    expect(messageOf({ OIDC_ALGORITHMS: 'none' })).toContain('OIDC_ALGORITHMS="none"');
  });

  it('reads a role map and refuses an entry without a known role', () => {
    expect(
      loadAllSettings({ OIDC_ROLE_MAP: 'bank-aml-viewer=viewer, bank-aml-admin=admin' }).security
        .oidcRoleMap,
    ).toEqual(['bank-aml-viewer=viewer', 'bank-aml-admin=admin']);
    expect(messageOf({ OIDC_ROLE_MAP: 'bank-aml-viewer=superuser' })).toContain(
      'each entry must be idp-role=role',
    );
  });

  it('refuses a short step-up token secret without printing it', () => {
    const message = messageOf({ STEP_UP_TOKEN_SECRET: 'short-secret' });
    expect(message).toContain('STEP_UP_TOKEN_SECRET="***": must be at least 32 characters long');
    expect(message).not.toContain('short-secret');
  });
});

describe('security settings: TOTP encryption key', () => {
  it('accepts 32 bytes as 64 hex digits or as base64, and may be unset outside production', () => {
    const hex = '0123456789abcdefABCDEF0123456789abcdef0123456789abcdef0123456789';
    expect(loadAllSettings({ TOTP_ENCRYPTION_KEY: hex }).security.totpEncryptionKey).toBe(hex);
    expect(loadAllSettings({ TOTP_ENCRYPTION_KEY: TOTP_KEY }).security.totpEncryptionKey).toBe(
      TOTP_KEY,
    );
    expect(loadAllSettings({}).security.totpEncryptionKey).toBeUndefined();
    expect(loadAllSettings(PRODUCTION).security.totpEncryptionKey).toBe(TOTP_KEY);
  });

  it('refuses to start in production without it, naming it', () => {
    const env: Record<string, string> = { ...PRODUCTION };
    delete env.TOTP_ENCRYPTION_KEY;
    expect(messageOf(env)).toContain(
      'TOTP_ENCRYPTION_KEY=(not set): is required when NODE_ENV=production',
    );
  });

  it.each([
    ['a short key', 'c2hvcnQta2V5'],
    ['63 hex digits', 'a'.repeat(63)],
    ['a passphrase of 44 characters', 'correct horse battery staple and more words!'],
    ['base64 without its padding', TOTP_KEY.slice(0, 43)],
  ])('refuses %s without printing it', (_what, value) => {
    const message = messageOf({ TOTP_ENCRYPTION_KEY: value });
    expect(message).toContain(
      'TOTP_ENCRYPTION_KEY="***": must be 32 random bytes written as 64 hex digits or 44 base64 characters',
    );
    expect(message).not.toContain(value);
  });
});

describe('security settings: shared rate-limit store', () => {
  it('counts in memory by default and needs no Redis URL then', () => {
    expect(loadAllSettings({}).security).toMatchObject({
      rateLimitStore: 'memory',
      rateLimitRedisTimeoutMs: 500,
    });
    expect(loadAllSettings({}).security.rateLimitRedisUrl).toBeUndefined();
  });

  it.each([
    'redis://127.0.0.1:6390',
    'redis://:a-password@redis.internal:6379/0',
    'rediss://cache.bank.example:6380',
    'redis://redis',
  ])('accepts RATE_LIMIT_STORE=redis with RATE_LIMIT_REDIS_URL=%s', (url) => {
    expect(
      loadAllSettings({ RATE_LIMIT_STORE: 'redis', RATE_LIMIT_REDIS_URL: url }).security,
    ).toMatchObject({ rateLimitStore: 'redis', rateLimitRedisUrl: url });
  });

  it('refuses RATE_LIMIT_STORE=redis without a URL, naming the variable and the rule', () => {
    expect(messageOf({ RATE_LIMIT_STORE: 'redis' })).toContain(
      // A secret is never printed, set or not.
      'RATE_LIMIT_REDIS_URL="***": is required when RATE_LIMIT_STORE=redis',
    );
  });

  it.each(['http://127.0.0.1:6379', '127.0.0.1:6379', 'redis://', 'not a url'])(
    'refuses RATE_LIMIT_REDIS_URL=%s without printing it',
    (url) => {
      const message = messageOf({
        RATE_LIMIT_STORE: 'redis',
        RATE_LIMIT_REDIS_URL: url.replace('127.0.0.1', ':hunter2-pw@127.0.0.1'),
      });
      expect(message).toContain(
        'RATE_LIMIT_REDIS_URL="***": is required when RATE_LIMIT_STORE=redis and must be a redis:// or rediss:// URL',
      );
      expect(message).not.toContain('hunter2');
    },
  );

  it('refuses an unknown store and a timeout out of range', () => {
    expect(messageOf({ RATE_LIMIT_STORE: 'memcached' })).toContain(
      'RATE_LIMIT_STORE="memcached": must be one of memory, redis',
    );
    expect(messageOf({ RATE_LIMIT_REDIS_TIMEOUT_MS: '10' })).toContain(
      'RATE_LIMIT_REDIS_TIMEOUT_MS="10": must be at least 50',
    );
  });
});
