import { SetMetadata } from '@nestjs/common';

/** Roles of API keys, weakest first. A role includes every weaker one. */
export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLES_KEY = 'auth:minimum-role';

/**
 * The weakest role allowed to call a route or controller: `@MinimumRole('analyst')`.
 * Routes without it need `viewer`; `@Public()` routes need no key.
 */
export const MinimumRole = (role: Role): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_KEY, role);

export const PUBLIC_KEY = 'auth:public';
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);
