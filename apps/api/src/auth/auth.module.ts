import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { SecurityConfig, securitySettings } from '@app/settings';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeys } from './api-keys';
import { RateLimitGuard, rateLimitOptions } from './rate-limit.guard';

/**
 * Rate limits, then API keys and roles, on every route. The guards run in this order: a flood
 * is cut before keys are compared.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [securitySettings.KEY],
      useFactory: (security: SecurityConfig) => rateLimitOptions(security),
    }),
  ],
  providers: [
    ApiKeys,
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
  exports: [ApiKeys],
})
export class AuthModule {}
