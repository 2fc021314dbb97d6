import { IsBoolean, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { EnvVar } from '../env-var.decorator';

/** Development API keys: usable only outside production, documented in the README. */
export const DEVELOPMENT_API_KEYS =
  'dev-admin-key:admin,dev-analyst-key:analyst,dev-viewer-key:viewer';

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
      'Require an API key on /api routes (health and docs stay open). Must be true when NODE_ENV=production.',
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
}
