import { IsBoolean, IsOptional, Matches } from 'class-validator';
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
    description: 'Require an API key on /api routes (health and docs stay open).',
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
}
