import { ApiProperty } from '@nestjs/swagger';

/*
 * OpenAPI shapes of the MFA answers (mfa.controller.ts: TotpEnrolmentView, the confirmation,
 * StepUpView). Documentation only: the handlers build plain objects.
 */

/**
 * The 403 of a route marked `@RequiresStepUp()`, for its description in the document (after the
 * route's own reason for a 403).
 */
export const STEP_UP_REQUIRED_ANSWER =
  'Also 403 with error step_up_required when the caller has no recent second factor: step up with POST /api/v1/mfa/step-up (or sign in again at the identity provider with a second factor) and send the token in the X-Step-Up-Token header.';

/** A new enrolment: shown this once only (TotpEnrolmentView). */
export class TotpEnrolmentResponse {
  @ApiProperty({
    example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    description: 'The shared secret (base32), to type into the authenticator app.',
  })
  secret!: string;

  @ApiProperty({
    example:
      'otpauth://totp/graph-banking-analytics:key-4f1c2a9e?issuer=graph-banking-analytics&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30',
    description: 'The same secret as an otpauth:// URI; show it as a QR code to scan.',
  })
  otpauthUri!: string;

  @ApiProperty({
    type: [String],
    example: ['3f9a1-c07e2', '8b2d4-51aa9'],
    description:
      'Ten one-time backup codes for POST /api/v1/mfa/step-up when the authenticator is lost; each works once. Keep them somewhere safe.',
  })
  backupCodes!: string[];

  @ApiProperty({
    example:
      'Add the secret to your authenticator app (or scan the otpauth URI as a QR code), keep the backup codes somewhere safe, then POST /api/v1/mfa/totp/confirm with the code the app shows.',
    description: 'What to do next.',
  })
  next!: string;
}

/** A confirmed enrolment. */
export class TotpConfirmationResponse {
  @ApiProperty({ enum: [true], example: true, description: 'Always true.' })
  confirmed!: true;

  @ApiProperty({
    example: 'Before a sensitive action, POST /api/v1/mfa/step-up with a current code.',
    description: 'What to do next.',
  })
  next!: string;
}

/** A step-up token (StepUpView); the same token is in the X-Step-Up-Token header. */
export class StepUpResponse {
  @ApiProperty({
    example: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrZXktNGYxYzJhOWUifQ.c2lnbmF0dXJl',
    description: 'Send it in the X-Step-Up-Token header with the sensitive request.',
  })
  stepUpToken!: string;

  @ApiProperty({
    example: '2025-06-01T09:45:00.000Z',
    description: 'When the token stops working (STEP_UP_MAX_AGE_SECONDS after the step-up).',
  })
  expiresAt!: string;

  @ApiProperty({
    example: 'Send it in the X-Step-Up-Token header with the sensitive request, until it expires.',
    description: 'How to use the token.',
  })
  use!: string;
}
