import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { SecurityConfig, securitySettings } from '@app/settings';
import { Clock, SystemClock } from '@app/vocabulary';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeys } from './api-keys';
import { OidcVerifier } from './oidc-verifier';
import { RateLimitGuard, rateLimitOptions } from './rate-limit.guard';
import { RATE_LIMIT_STORAGE, RateLimitStorageModule } from './rate-limit.storage';
import { StepUpGuard } from './step-up.guard';
import { StepUpTokens } from './step-up-tokens';

/**
 * Rate limits, then authentication (API keys or identity-provider tokens) and roles, then the
 * second-factor check of sensitive routes, on every route. The guards run in this order: a flood
 * is cut before credentials are checked. The rate-limit counters live in this process or, with
 * RATE_LIMIT_STORE=redis, in Redis shared by every replica (rate-limit.storage.ts).
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [securitySettings.KEY, RATE_LIMIT_STORAGE],
      useFactory: (security: SecurityConfig, storage: ThrottlerStorage) => ({
        ...rateLimitOptions(security),
        storage,
      }),
    }),
  ],
  providers: [
    { provide: Clock, useClass: SystemClock },
    ApiKeys,
    OidcVerifier,
    StepUpTokens,
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: StepUpGuard },
  ],
  exports: [ApiKeys, StepUpTokens, Clock],
})
export class AuthModule {}
