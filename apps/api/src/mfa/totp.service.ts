import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { Secret, TOTP } from 'otpauth';
import { SecurityConfig, securitySettings } from '@app/settings';
import { Clock, ConflictError, ForbiddenError } from '@app/vocabulary';
import { IssuedStepUpToken, StepUpTokens } from '../auth/step-up-tokens';
import { StoredBackupCode, TotpEnrolments } from './totp-enrolments';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
) => Promise<Buffer>;

/** RFC 6238 defaults every authenticator app supports. */
const TOTP_OPTIONS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
/** Codes of the previous and the next 30 s step are accepted too (clock drift). */
export const DRIFT_WINDOW = 1;
export const BACKUP_CODE_COUNT = 10;
const HASH_LENGTH = 32;
/** After this many wrong codes in a row, codes are refused for LOCK_MS. */
export const MAX_FAILURES = 5;
const LOCK_MS = 5 * 60_000;

export const TOTP_CODE_PATTERN = /^\d{6}$/;
export const BACKUP_CODE_PATTERN = /^[0-9a-f]{5}-[0-9a-f]{5}$/;

export interface TotpEnrolmentAnswer {
  secret: string;
  otpauthUri: string;
  backupCodes: string[];
}

function backupCode(): string {
  const hex = randomBytes(5).toString('hex');
  return `${hex.slice(0, 5)}-${hex.slice(5)}`;
}

async function hashed(code: string, salt: Buffer): Promise<Buffer> {
  return scryptAsync(code, salt, HASH_LENGTH);
}

async function storedBackupCode(code: string): Promise<StoredBackupCode> {
  const salt = randomBytes(16);
  return {
    salt: salt.toString('hex'),
    hash: (await hashed(code, salt)).toString('hex'),
    used: false,
  };
}

async function matches(code: string, stored: StoredBackupCode): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'hex');
  const actual = await hashed(code, Buffer.from(stored.salt, 'hex'));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const ENROL_FIRST =
  'You have no confirmed authenticator: enrol with POST /api/v1/mfa/totp/enrol, then confirm it with POST /api/v1/mfa/totp/confirm and a code from your authenticator app.';

/**
 * The built-in second factor for deployments without an identity provider: TOTP (RFC 6238, with
 * the `otpauth` library) per principal, ten one-time backup codes stored as scrypt hashes with
 * one salt each, and step-up tokens for codes that check out. A TOTP code is accepted once
 * (replay refused) within a drift window of one step either side.
 */
@Injectable()
export class TotpService {
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();

  constructor(
    private readonly enrolments: TotpEnrolments,
    private readonly tokens: StepUpTokens,
    private readonly clock: Clock,
    @Inject(securitySettings.KEY) private readonly security: SecurityConfig,
  ) {}

  /** A new secret and backup codes for the principal, shown once; confirm with a first code. */
  async enrol(principalId: string): Promise<TotpEnrolmentAnswer> {
    const existing = await this.enrolments.find(principalId);
    if (existing?.confirmed === true) {
      throw new ConflictError(
        'You already have a confirmed authenticator: use it with POST /api/v1/mfa/step-up (lost it? use a backup code, or ask an administrator to reset the enrolment).',
      );
    }
    const secret = new Secret({ size: 20 });
    const codes = Array.from({ length: BACKUP_CODE_COUNT }, backupCode);
    await this.enrolments.put({
      principalId,
      secret: secret.base32,
      confirmed: false,
      enrolledAt: new Date(this.clock.now()).toISOString(),
      backupCodes: await Promise.all(codes.map(storedBackupCode)),
    });
    return {
      secret: secret.base32,
      otpauthUri: this.totp(secret.base32, principalId).toString(),
      backupCodes: codes,
    };
  }

  /** Activates a new enrolment with a first code from the authenticator app. */
  async confirm(principalId: string, code: string): Promise<void> {
    const enrolment = await this.enrolments.find(principalId);
    if (enrolment === undefined) throw new ConflictError(ENROL_FIRST);
    if (enrolment.confirmed) {
      throw new ConflictError('Your authenticator is already confirmed.');
    }
    await this.checkTotp(principalId, enrolment.secret, code);
    await this.enrolments.markConfirmed(principalId);
  }

  /** A step-up token for a current TOTP code or an unused backup code. */
  async stepUp(principalId: string, code: string): Promise<IssuedStepUpToken> {
    const enrolment = await this.enrolments.find(principalId);
    if (enrolment?.confirmed !== true) throw new ConflictError(ENROL_FIRST);
    if (BACKUP_CODE_PATTERN.test(code)) {
      this.refuseWhileLocked(principalId);
      for (const [index, stored] of enrolment.backupCodes.entries()) {
        if (!stored.used && (await matches(code, stored))) {
          if (await this.enrolments.claimBackupCode(principalId, index)) {
            this.failures.delete(principalId);
            return this.tokens.issue(principalId, 'backup-code');
          }
        }
      }
      this.failed(principalId);
      throw new ForbiddenError(
        'The backup code is not valid or was used already (each backup code works once).',
      );
    }
    await this.checkTotp(principalId, enrolment.secret, code);
    return this.tokens.issue(principalId, 'otp');
  }

  /** Checks a code within the drift window and claims its time step (no code works twice). */
  private async checkTotp(principalId: string, secret: string, code: string): Promise<void> {
    this.refuseWhileLocked(principalId);
    const timestamp = this.clock.now();
    const delta = TOTP_CODE_PATTERN.test(code)
      ? this.totp(secret, principalId).validate({ token: code, timestamp, window: DRIFT_WINDOW })
      : null;
    if (delta === null) {
      this.failed(principalId);
      throw new ForbiddenError(
        'The code is not valid: type the 6-digit code your authenticator app shows now (check the clock of your device if it keeps failing).',
      );
    }
    const step = TOTP.counter({ period: TOTP_OPTIONS.period, timestamp }) + delta;
    if (!(await this.enrolments.claimStep(principalId, step))) {
      throw new ForbiddenError(
        'This code was used already: wait for the next code of your authenticator app (each code works once).',
      );
    }
    this.failures.delete(principalId);
  }

  private totp(secret: string, principalId: string): TOTP {
    return new TOTP({
      ...TOTP_OPTIONS,
      issuer: this.security.totpIssuerLabel,
      label: principalId,
      secret: Secret.fromBase32(secret),
    });
  }

  private refuseWhileLocked(principalId: string): void {
    const failures = this.failures.get(principalId);
    const waitMs = (failures?.lockedUntil ?? 0) - this.clock.now();
    if (waitMs > 0) {
      throw new HttpException(
        `Too many wrong codes in a row: try again in ${Math.ceil(waitMs / 1000)} s.`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }

  private failed(principalId: string): void {
    const count = (this.failures.get(principalId)?.count ?? 0) + 1;
    this.failures.set(principalId, {
      count: count >= MAX_FAILURES ? 0 : count,
      lockedUntil: count >= MAX_FAILURES ? this.clock.now() + LOCK_MS : 0,
    });
  }
}
