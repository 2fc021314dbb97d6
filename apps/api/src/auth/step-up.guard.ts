import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { SecurityConfig, securitySettings } from '@app/settings';
import { Clock } from '@app/vocabulary';
import { Principal, RequestWithPrincipal } from './principal';
import { STEP_UP_KEY, StepUpCondition } from './step-up.decorator';
import { STEP_UP_HEADER, StepUpTokenProblem, StepUpTokens } from './step-up-tokens';

/** 403 with error code `step_up_required` (read by the API's exception filter). */
export class StepUpRequiredException extends ForbiddenException {
  readonly errorCode = 'step_up_required';
}

const TOTP_HOW_TO =
  'enrol the built-in authenticator once (POST /api/v1/mfa/totp/enrol, then POST /api/v1/mfa/totp/confirm with a code), then POST /api/v1/mfa/step-up with a current code and send the returned token in the X-Step-Up-Token header';

const TOKEN_PROBLEMS: Readonly<Record<StepUpTokenProblem, string>> = {
  expired: 'The step-up token in X-Step-Up-Token has expired',
  'other-principal': 'The step-up token in X-Step-Up-Token belongs to another caller',
  invalid: 'The step-up token in X-Step-Up-Token is not valid',
};

/**
 * Runs after authentication on routes marked `@RequiresStepUp()`: lets the call through when the
 * caller has a recent second factor, either in the identity-provider token (an `amr` method of
 * STEP_UP_AMR_VALUES or an `acr` of STEP_UP_ACR_VALUES, and `auth_time` within
 * STEP_UP_MAX_AGE_SECONDS) or as a valid step-up token of the built-in TOTP factor. Off with
 * STEP_UP_REQUIRED=false, and when authentication is off (there is nobody to step up).
 */
@Injectable()
export class StepUpGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: StepUpTokens,
    private readonly clock: Clock,
    @Inject(securitySettings.KEY) private readonly security: SecurityConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const when = this.reflector.get<StepUpCondition | undefined>(STEP_UP_KEY, context.getHandler());
    if (when === undefined || !this.security.stepUpRequired) return true;
    const request = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    const principal = request.principal;
    if (principal === undefined || principal.kind === 'anonymous') return true;
    if (!when(request)) return true;
    if (this.identityProviderStepUp(principal)) return true;
    const header = request.headers[STEP_UP_HEADER];
    const token = Array.isArray(header) ? header[0] : header;
    if (token !== undefined && token !== '') {
      const problem = await this.tokens.problemOf(token, principal.id);
      if (problem === undefined) return true;
      throw new StepUpRequiredException(`${TOKEN_PROBLEMS[problem]}: ${TOTP_HOW_TO}.`);
    }
    throw new StepUpRequiredException(this.howTo(principal));
  }

  /** A second factor within the age limit, according to the identity provider. */
  private identityProviderStepUp(principal: Principal): boolean {
    const context = principal.authContext;
    if (context?.authTime === undefined) return false;
    const strong =
      context.amr.some((method) => this.security.stepUpAmrValues.includes(method)) ||
      (context.acr !== undefined && this.security.stepUpAcrValues.includes(context.acr));
    const ageSeconds = this.clock.now() / 1000 - context.authTime;
    return strong && ageSeconds <= this.security.stepUpMaxAgeSeconds;
  }

  private howTo(principal: Principal): string {
    const maxAge = this.security.stepUpMaxAgeSeconds;
    if (principal.kind === 'user') {
      const acr =
        this.security.stepUpAcrValues.length > 0
          ? ` (or \`acr\` one of ${this.security.stepUpAcrValues.join(', ')})`
          : '';
      return `This action needs a second factor used in the last ${maxAge} s: sign in again at your identity provider with a second factor, so that the token's \`amr\` contains one of ${this.security.stepUpAmrValues.join(', ')}${acr} and its \`auth_time\` is recent; or ${TOTP_HOW_TO}.`;
    }
    return `This action needs a second factor used in the last ${maxAge} s: ${TOTP_HOW_TO}.`;
  }
}
