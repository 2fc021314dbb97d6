import { createHash } from 'node:crypto';
import type { Role } from './roles.decorator';

/**
 * How a user signed in at the identity provider (standard OpenID Connect claims): when
 * (`auth_time`, seconds since 1970), at which assurance level (`acr`) and with which methods
 * (`amr`, e.g. `pwd`, `otp`, `mfa`). Used to decide whether a second factor is recent.
 */
export interface AuthContext {
  authTime?: number;
  acr?: string;
  amr: string[];
}

/**
 * Who is calling: never the key itself, only a stable fingerprint of it (`key-…`), or the
 * individual user of an identity-provider token (`user:<sub>`). Only `id` and `role` go to the
 * audit trail; `name` and `email` are for display and are never logged.
 */
export interface Principal {
  id: string;
  role: Role;
  kind?: 'api-key' | 'user' | 'anonymous';
  name?: string;
  email?: string;
  authContext?: AuthContext;
}

export function principalIdOf(key: string): string {
  return `key-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/** The principal of a token's subject: the audit trail names users by it. */
export function userPrincipalIdOf(subject: string): string {
  return `user:${subject}`;
}

export interface RequestWithPrincipal {
  principal?: Principal;
}
