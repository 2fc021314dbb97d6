import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponseOptions,
  ApiSecurity,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { RequestWithPrincipal } from '../auth/principal';
import { ApiErrorResponses, ApiProtectedErrors } from '../common/api-errors.decorator';
import { API_V1 } from '../common/api-prefix';
import { ErrorBody } from '../common/error-body';
import { StepUpResponse, TotpConfirmationResponse, TotpEnrolmentResponse } from './mfa.responses';
import { TotpCodeBodyDto } from './step-up.body.dto';
import { TotpService } from './totp.service';
import type { TotpEnrolmentAnswer } from './totp.service';

/** The header carrying a step-up token, as answered by POST /mfa/step-up. */
export const STEP_UP_TOKEN_RESPONSE_HEADER = 'X-Step-Up-Token';

export interface TotpEnrolmentView extends TotpEnrolmentAnswer {
  next: string;
}

export interface StepUpView {
  stepUpToken: string;
  expiresAt: string;
  use: string;
}

/** A 403 of every route here: no route needs more than the weakest role. */
const NO_ROLE = 'The identity-provider token carries no role this API knows.';

/** 429 of a route that checks a code: the lock after wrong codes, or the rate limit. */
const TOO_MANY_CODES: ApiResponseOptions = {
  type: ErrorBody,
  description:
    'Too many wrong codes in a row: codes are refused for 5 minutes (the message says how long is left). Also: too many requests from this API key or client address (the Retry-After header says how many seconds to wait).',
};

function principalIdOf(request: RequestWithPrincipal): string {
  return request.principal?.id ?? 'anonymous';
}

/**
 * The built-in second factor of the calling principal (API key or user): enrol a TOTP
 * authenticator, confirm it, and step up before a sensitive action.
 */
@ApiTags('mfa')
@ApiSecurity('api-key')
@ApiProtectedErrors({ forbidden: NO_ROLE })
@Controller(`${API_V1}/mfa`)
export class MfaController {
  constructor(private readonly totp: TotpService) {}

  @Post('totp/enrol')
  @ApiOperation({
    summary:
      'Start the enrolment of an authenticator app for the caller: answers the secret and its otpauth:// URI (show it as a QR code) and 10 one-time backup codes. All are shown this once only.',
  })
  @ApiCreatedResponse({
    type: TotpEnrolmentResponse,
    description: 'The secret, its otpauth URI and the backup codes (shown this once only).',
  })
  @ApiErrorResponses({
    conflict:
      'An authenticator is already confirmed (use it to step up, or a backup code if it is lost).',
  })
  async enrol(@Req() request: RequestWithPrincipal): Promise<TotpEnrolmentView> {
    const answer = await this.totp.enrol(principalIdOf(request));
    return {
      ...answer,
      next: 'Add the secret to your authenticator app (or scan the otpauth URI as a QR code), keep the backup codes somewhere safe, then POST /api/v1/mfa/totp/confirm with the code the app shows.',
    };
  }

  @Post('totp/confirm')
  @HttpCode(200)
  @ApiOperation({ summary: 'Activate the enrolment with a first code from the authenticator app.' })
  @ApiBody({ type: TotpCodeBodyDto, examples: { code: { value: { code: '492039' } } } })
  @ApiOkResponse({ type: TotpConfirmationResponse, description: 'The authenticator is active.' })
  @ApiErrorResponses({
    badRequest: 'code is not 6 digits, or the body has other fields.',
    forbidden: `The code is not valid or was used already (each code works once). Also: an identity-provider token with no role this API knows.`,
    conflict: 'Nothing to confirm: no enrolment, or the authenticator is confirmed already.',
    payloadTooLarge: true,
  })
  @ApiTooManyRequestsResponse(TOO_MANY_CODES)
  async confirm(
    @Body() body: TotpCodeBodyDto,
    @Req() request: RequestWithPrincipal,
  ): Promise<{ confirmed: true; next: string }> {
    await this.totp.confirm(principalIdOf(request), body.code);
    return {
      confirmed: true,
      next: 'Before a sensitive action, POST /api/v1/mfa/step-up with a current code.',
    };
  }

  @Post('step-up')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Prove a second factor (a current code, or an unused backup code): answers a short-lived step-up token, also in the X-Step-Up-Token header. Send it in X-Step-Up-Token with the sensitive request, next to your usual credential.',
  })
  @ApiBody({
    type: TotpCodeBodyDto,
    examples: {
      code: { summary: 'A code of the authenticator app', value: { code: '492039' } },
      backupCode: { summary: 'An unused backup code', value: { code: '3f9a1-c07e2' } },
    },
  })
  @ApiOkResponse({
    type: StepUpResponse,
    description: 'The step-up token (also in the X-Step-Up-Token response header).',
  })
  @ApiErrorResponses({
    badRequest: 'code is neither 6 digits nor a backup code, or the body has other fields.',
    forbidden: `The code is not valid or was used already (each code and backup code works once). Also: an identity-provider token with no role this API knows.`,
    conflict: 'No confirmed authenticator: enrol and confirm one first.',
    payloadTooLarge: true,
  })
  @ApiTooManyRequestsResponse(TOO_MANY_CODES)
  async stepUp(
    @Body() body: TotpCodeBodyDto,
    @Req() request: RequestWithPrincipal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StepUpView> {
    const issued = await this.totp.stepUp(principalIdOf(request), body.code);
    response.setHeader(STEP_UP_TOKEN_RESPONSE_HEADER, issued.token);
    return {
      stepUpToken: issued.token,
      expiresAt: issued.expiresAt,
      use: `Send it in the ${STEP_UP_TOKEN_RESPONSE_HEADER} header with the sensitive request, until it expires.`,
    };
  }
}
