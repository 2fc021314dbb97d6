import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { SecurityConfig, securitySettings } from '@app/settings';
import { Clock, SystemClock } from '@app/vocabulary';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeys } from './api-keys';
import { OidcVerifier } from './oidc-verifier';
import { RateLimitGuard, rateLimitOptions } from './rate-limit.guard';
import { StepUpGuard } from './step-up.guard';
import { StepUpTokens } from './step-up-tokens';

/**
 * Rate limits, then authentication (API keys or identity-provider tokens) and roles, then the
 * second-factor check of sensitive routes, on every route. The guards run in this order: a flood
 * is cut before credentials are checked.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [securitySettings.KEY],
      useFactory: (security: SecurityConfig) => rateLimitOptions(security),
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
