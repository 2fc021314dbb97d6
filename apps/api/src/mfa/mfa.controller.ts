import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { RequestWithPrincipal } from '../auth/principal';
import { API_V1 } from '../common/api-prefix';
import { ErrorBody } from '../common/error-body';
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

function principalIdOf(request: RequestWithPrincipal): string {
  return request.principal?.id ?? 'anonymous';
}

/**
 * The built-in second factor of the calling principal (API key or user): enrol a TOTP
 * authenticator, confirm it, and step up before a sensitive action.
 */
@ApiTags('mfa')
@ApiSecurity('api-key')
@Controller(`${API_V1}/mfa`)
export class MfaController {
  constructor(private readonly totp: TotpService) {}

  @Post('totp/enrol')
  @ApiOperation({
    summary:
      'Start the enrolment of an authenticator app for the caller: answers the secret and its otpauth:// URI (show it as a QR code) and 10 one-time backup codes. All are shown this once only.',
  })
  @ApiConflictResponse({ type: ErrorBody, description: 'An authenticator is already confirmed.' })
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
  @ApiForbiddenResponse({ type: ErrorBody, description: 'The code is not valid.' })
  @ApiConflictResponse({ type: ErrorBody, description: 'Nothing to confirm.' })
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
  @ApiForbiddenResponse({ type: ErrorBody, description: 'The code is not valid or was used.' })
  @ApiConflictResponse({ type: ErrorBody, description: 'No confirmed authenticator.' })
  @ApiTooManyRequestsResponse({ type: ErrorBody, description: 'Too many wrong codes in a row.' })
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
