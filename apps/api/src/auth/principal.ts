import { createHash } from 'node:crypto';
import type { Role } from './roles.decorator';

/** Who is calling: never the key itself, only a stable fingerprint of it. */
export interface Principal {
  id: string;
  role: Role;
}

export function principalIdOf(key: string): string {
  return `key-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

export interface RequestWithPrincipal {
  principal?: Principal;
}
