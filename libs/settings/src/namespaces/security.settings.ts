import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsUrl,
  Matches,
  Max,
  MinLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { EnvVar } from '../env-var.decorator';

/** Development API keys: usable only outside production, documented in the README. */
export const DEVELOPMENT_API_KEYS =
  'dev-admin-key:admin,dev-analyst-key:analyst,dev-viewer-key:viewer';

/**
 * Signature algorithms an identity provider's tokens may use: asymmetric only, so that a key
 * published in a JWKS can never be used as a shared secret (no `none`, no HS256).
 */
export const OIDC_SIGNATURE_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

const URL_OPTIONS = { require_tld: false, protocols: ['https', 'http'], require_protocol: true };

/** Where the rate-limit counters live: in each API process, or in Redis shared by all replicas. */
export const RATE_LIMIT_STORES = ['memory', 'redis'] as const;
export type RateLimitStore = (typeof RATE_LIMIT_STORES)[number];

const REDIS_URL_OPTIONS = {
  require_tld: false,
  protocols: ['redis', 'rediss'],
  require_protocol: true,
};

/** A 32-byte key (AES-256) as 64 hex digits or as 44 base64 characters (43 and one `=`). */
export const TOTP_ENCRYPTION_KEY_PATTERN = /^(?:[0-9A-Fa-f]{64}|[A-Za-z0-9+/]{43}=)$/;

/** `RATE_LIMIT_REDIS_*` values that only matter, and must then be set, with RATE_LIMIT_STORE=redis. */
const whenRedis = (settings: SecuritySettings): boolean => settings.rateLimitStore === 'redis';

/** `OIDC_*` values that only matter, and must then be set, with OIDC_ENABLED=true. */
const whenOidc = (settings: SecuritySettings): boolean => settings.oidcEnabled;

/** Authentication and roles of the API (namespace `security`). */
export class SecuritySettings {
  @EnvVar({
    name: 'AUTH_ENABLED',
    kind: 'boolean',
    default: 'true',
    productionValue: {
      value: true,
      reason:
        'without authentication every caller is an anonymous admin. There is no override; use NODE_ENV=development on a workstation',
    },
    description:
      'Require a credential (an API key, or an identity-provider token with OIDC_ENABLED) on /api routes (health and docs stay open). Must be true when NODE_ENV=production.',
  })
  @IsBoolean({ message: 'must be true or false' })
  authEnabled!: boolean;

  @EnvVar({
    name: 'API_KEYS',
    kind: 'list',
    secret: true,
    requiredInProduction: true,
    refusedInProduction: ['dev-admin-key', 'dev-analyst-key', 'dev-viewer-key'],
    description:
      'Comma-separated `key:role` pairs (roles: viewer, analyst, admin). Secret, no default: outside production the README development keys apply when unset.',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._~-]{12,}:(viewer|analyst|admin)$/, {
    each: true,
    message:
      'each entry must be key:role with a key of 12+ letters, digits or ._~- and a role of viewer, analyst or admin',
  })
  apiKeys: string[] = [];

  @EnvVar({
    name: 'RATE_LIMIT_ENABLED',
    kind: 'boolean',
    default: 'true',
    description:
      'Limit the requests of each caller (429 with Retry-After beyond the limits below); health checks and /metrics are never limited.',
  })
  @IsBoolean({ message: 'must be true or false' })
  rateLimitEnabled!: boolean;

  @EnvVar({
    name: 'RATE_LIMIT_WINDOW_SECONDS',
    kind: 'integer',
    default: '60',
    description: 'Length of the rate-limit window in seconds.',
  })
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(1, { message: 'must be at least 1' })
  @Max(3600, { message: 'must be at most 3600' })
  rateLimitWindowSeconds!: number;

  @EnvVar({
    name: 'RATE_LIMIT_PER_PRINCIPAL',
    kind: 'integer',
    default: '600',
    description:
      'Requests one API key may send per window (callers without a valid key count by address instead).',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  rateLimitPerPrincipal!: number;

  @EnvVar({
    name: 'RATE_LIMIT_PER_IP',
    kind: 'integer',
    default: '1200',
    description:
      'Requests one client address may send per window, whatever keys it uses (see TRUST_PROXY_HOPS behind a proxy).',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  rateLimitPerIp!: number;

  @EnvVar({
    name: 'RATE_LIMIT_STORE',
    kind: 'enum',
    values: RATE_LIMIT_STORES,
    default: 'memory',
    description:
      'Where the rate-limit counters live: `memory` (each API process counts on its own: N replicas accept N times the limits) or `redis` (one count shared by every replica, in RATE_LIMIT_REDIS_URL). Use `redis` in production with more than one replica.',
  })
  @IsIn(RATE_LIMIT_STORES, { message: `must be one of ${RATE_LIMIT_STORES.join(', ')}` })
  rateLimitStore!: RateLimitStore;

  @EnvVar({
    name: 'RATE_LIMIT_REDIS_URL',
    kind: 'string',
    secret: true,
    description:
      'Redis holding the shared rate-limit counters, e.g. redis://:password@redis.internal:6379/0 (rediss:// for TLS). Secret (it may carry a password), no default. Required with RATE_LIMIT_STORE=redis; the API refuses to start when it does not answer, and answers 503 while it is down.',
  })
  @ValidateIf(whenRedis)
  @IsUrl(REDIS_URL_OPTIONS, {
    message:
      'is required when RATE_LIMIT_STORE=redis and must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
  })
  rateLimitRedisUrl?: string;

  @EnvVar({
    name: 'RATE_LIMIT_REDIS_TIMEOUT_MS',
    kind: 'integer',
    default: '500',
    description:
      'Longest wait, in milliseconds, for Redis to connect or to answer one rate-limit count (RATE_LIMIT_STORE=redis); beyond it the request is answered 503.',
  })
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(50, { message: 'must be at least 50' })
  @Max(10000, { message: 'must be at most 10000' })
  rateLimitRedisTimeoutMs!: number;

  @EnvVar({
    name: 'OIDC_ENABLED',
    kind: 'boolean',
    default: 'false',
    description:
      "Also accept `Authorization: Bearer <JWT>` access tokens from the bank's OpenID Connect identity provider; API keys keep working. Needs OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL.",
  })
  @IsBoolean({ message: 'must be true or false' })
  oidcEnabled!: boolean;

  @EnvVar({
    name: 'OIDC_ISSUER',
    kind: 'string',
    description:
      'The `iss` every token must carry, exactly as the identity provider writes it (e.g. https://login.bank.example/realms/aml). Required with OIDC_ENABLED=true.',
  })
  @ValidateIf(whenOidc)
  @IsUrl(URL_OPTIONS, {
    message:
      'is required when OIDC_ENABLED=true and must be the http(s) URL of the identity provider (its issuer)',
  })
  oidcIssuer?: string;

  @EnvVar({
    name: 'OIDC_AUDIENCE',
    kind: 'string',
    description:
      'The `aud` every token must contain: the client id or API identifier the identity provider issues tokens for. Required with OIDC_ENABLED=true.',
  })
  @ValidateIf(whenOidc)
  @IsNotEmpty({ message: 'is required when OIDC_ENABLED=true' })
  oidcAudience?: string;

  @EnvVar({
    name: 'OIDC_JWKS_URL',
    kind: 'string',
    description:
      "URL of the identity provider's public signing keys (JWKS, `jwks_uri` in its discovery document); fetched on demand and cached. Required with OIDC_ENABLED=true.",
  })
  @ValidateIf(whenOidc)
  @IsUrl(URL_OPTIONS, {
    message: 'is required when OIDC_ENABLED=true and must be an http(s) URL',
  })
  oidcJwksUrl?: string;

  @EnvVar({
    name: 'OIDC_ROLES_CLAIM',
    kind: 'string',
    default: 'roles',
    description:
      "The token claim holding the user's roles (a list or one text); a dotted path reads a nested claim, e.g. realm_access.roles.",
  })
  @Matches(/^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/, {
    message: 'must be a claim name or a dotted path of claim names, e.g. realm_access.roles',
  })
  oidcRolesClaim!: string;

  @EnvVar({
    name: 'OIDC_ROLE_MAP',
    kind: 'list',
    default: '',
    description:
      'Comma-separated `idp-role=role` pairs mapping identity-provider roles to viewer, analyst or admin (e.g. bank-aml-analyst=analyst). Empty: the role names viewer, analyst and admin are taken as they are. The highest mapped role wins.',
  })
  @Matches(/^[^=\s]+=(viewer|analyst|admin)$/, {
    each: true,
    message:
      'each entry must be idp-role=role with a role of viewer, analyst or admin, e.g. bank-aml-viewer=viewer',
  })
  oidcRoleMap: string[] = [];

  @EnvVar({
    name: 'OIDC_ALGORITHMS',
    kind: 'list',
    default: 'RS256,ES256,PS256',
    values: OIDC_SIGNATURE_ALGORITHMS,
    description:
      'Signature algorithms accepted on identity-provider tokens (asymmetric only: `none` and HS256 are never accepted).',
  })
  @IsIn(OIDC_SIGNATURE_ALGORITHMS, {
    each: true,
    message: `each value must be one of ${OIDC_SIGNATURE_ALGORITHMS.join(', ')}`,
  })
  oidcAlgorithms!: string[];

  @EnvVar({
    name: 'OIDC_CLOCK_TOLERANCE_SECONDS',
    kind: 'integer',
    default: '30',
    description:
      "Seconds of clock difference with the identity provider tolerated when checking a token's exp, nbf and iat.",
  })
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(0, { message: 'must be at least 0' })
  @Max(300, { message: 'must be at most 300' })
  oidcClockToleranceSeconds!: number;

  @EnvVar({
    name: 'STEP_UP_REQUIRED',
    kind: 'boolean',
    default: 'true',
    description:
      'Require a recent second factor (step-up) for sensitive actions: closing an alert, reading the audit trail, exporting alerts and ownership data, exporting or erasing a data subject. See docs/security.md.',
  })
  @IsBoolean({ message: 'must be true or false' })
  stepUpRequired!: boolean;

  @EnvVar({
    name: 'STEP_UP_MAX_AGE_SECONDS',
    kind: 'integer',
    default: '900',
    description:
      'How long a second factor counts as recent: the age limit of an identity-provider auth_time and the lifetime of a step-up token.',
  })
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(60, { message: 'must be at least 60' })
  @Max(86400, { message: 'must be at most 86400 (one day)' })
  stepUpMaxAgeSeconds!: number;

  @EnvVar({
    name: 'STEP_UP_AMR_VALUES',
    kind: 'list',
    default: 'mfa,otp,hwk,totp',
    description:
      'Authentication methods (`amr` claim of an identity-provider token) that count as a second factor; one is enough.',
  })
  @Matches(/^[A-Za-z0-9_.:-]+$/, { each: true, message: 'each value must be one amr method name' })
  stepUpAmrValues!: string[];

  @EnvVar({
    name: 'STEP_UP_ACR_VALUES',
    kind: 'list',
    default: '',
    description:
      "Authentication context classes (`acr` claim) that count as a second factor, e.g. your provider's MFA level; empty: only STEP_UP_AMR_VALUES count.",
  })
  @Matches(/^\S+$/, { each: true, message: 'each value must be one acr value without spaces' })
  stepUpAcrValues: string[] = [];

  @EnvVar({
    name: 'STEP_UP_TOKEN_SECRET',
    kind: 'string',
    secret: true,
    description:
      'Secret (32+ characters) signing the step-up tokens of the built-in TOTP second factor. Unset: a random secret per process, so tokens end with a restart and are not valid on other replicas; set the same value on every replica.',
  })
  @IsOptional()
  @MinLength(32, { message: 'must be at least 32 characters long' })
  stepUpTokenSecret?: string;

  @EnvVar({
    name: 'TOTP_ENCRYPTION_KEY',
    kind: 'string',
    secret: true,
    requiredInProduction: true,
    description:
      'Key encrypting the secrets of the built-in TOTP authenticators where they are stored (AES-256-GCM): 32 random bytes as 64 hex digits or 44 base64 characters, e.g. from `openssl rand -base64 32`. Set the same value on every replica and keep it: enrolments stored under another key cannot be read. Secret, no default; required when NODE_ENV=production. Unset outside production: a random key per process, so enrolments do not survive a restart.',
  })
  @IsOptional()
  @Matches(TOTP_ENCRYPTION_KEY_PATTERN, {
    message:
      'must be 32 random bytes written as 64 hex digits or 44 base64 characters (e.g. the output of `openssl rand -base64 32`)',
  })
  totpEncryptionKey?: string;

  @EnvVar({
    name: 'TOTP_ISSUER_LABEL',
    kind: 'string',
    default: 'Bank graph analytics',
    description:
      'The name an authenticator app shows next to the built-in TOTP codes of this API (the otpauth:// issuer).',
  })
  @IsNotEmpty({ message: 'must not be empty' })
  totpIssuerLabel!: string;
}
