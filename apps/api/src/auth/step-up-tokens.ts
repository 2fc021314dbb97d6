import { Inject, Injectable } from '@nestjs/common';
import { errors, jwtVerify, SignJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import { SecurityConfig, securitySettings } from '@app/settings';
import { Clock } from '@app/vocabulary';

export const STEP_UP_HEADER = 'x-step-up-token';

const ISSUER = 'graph-banking-api';
const AUDIENCE = 'step-up';
const ALGORITHM = 'HS256';

export interface IssuedStepUpToken {
  token: string;
  expiresAt: string;
}

/** Why a step-up token was not accepted, for the 403 message. */
export type StepUpTokenProblem = 'expired' | 'other-principal' | 'invalid';

/**
 * Short-lived step-up tokens of the built-in second factor: a JWT (HS256, signed with
 * STEP_UP_TOKEN_SECRET or a random per-process secret) bound to one principal id and valid for
 * STEP_UP_MAX_AGE_SECONDS. Never accepted as a login credential: only next to one, in the
 * `X-Step-Up-Token` header.
 */
@Injectable()
export class StepUpTokens {
  private readonly secret: Uint8Array;

  constructor(
    @Inject(securitySettings.KEY) private readonly security: SecurityConfig,
    private readonly clock: Clock,
  ) {
    this.secret =
      security.stepUpTokenSecret === undefined
        ? randomBytes(32)
        : new TextEncoder().encode(security.stepUpTokenSecret);
  }

  async issue(principalId: string, method: string): Promise<IssuedStepUpToken> {
    const now = Math.floor(this.clock.now() / 1000);
    const expires = now + this.security.stepUpMaxAgeSeconds;
    const token = await new SignJWT({ amr: [method] })
      .setProtectedHeader({ alg: ALGORITHM })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(principalId)
      .setIssuedAt(now)
      .setExpirationTime(expires)
      .sign(this.secret);
    return { token, expiresAt: new Date(expires * 1000).toISOString() };
  }

  /** Undefined when the token is valid for this principal now, else why not. */
  async problemOf(token: string, principalId: string): Promise<StepUpTokenProblem | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [ALGORITHM],
        currentDate: new Date(this.clock.now()),
      });
      return payload.sub === principalId ? undefined : 'other-principal';
    } catch (error: unknown) {
      return error instanceof errors.JWTExpired ? 'expired' : 'invalid';
    }
  }
}
