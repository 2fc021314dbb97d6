import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConflictError } from '@app/vocabulary';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
/** 96-bit nonces, the size GCM is specified for; a fresh random one per encryption. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';
const HEX_KEY = /^[0-9A-Fa-f]{64}$/;

/**
 * The 32-byte key of a TOTP_ENCRYPTION_KEY value: 64 hex digits, or base64 (the settings have
 * checked the form already; a value of another length is refused here too).
 */
export function totpEncryptionKeyOf(text: string): Buffer {
  const key = HEX_KEY.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(
      `TOTP_ENCRYPTION_KEY must be ${KEY_BYTES} bytes (64 hex digits or 44 base64 characters)`,
    );
  }
  return key;
}

/**
 * A stored TOTP secret that this API cannot decrypt: it was encrypted under another
 * TOTP_ENCRYPTION_KEY (the key changed, or a replica runs with another one), or was altered.
 */
export class TotpSecretUnreadableError extends ConflictError {
  constructor(principalId: string, cause?: unknown) {
    super(
      `The authenticator enrolment of ${principalId} cannot be read with this API's TOTP_ENCRYPTION_KEY: it was stored under another key. An administrator must start every API replica with the key used at enrolment.`,
      undefined,
      { cause },
    );
  }
}

/**
 * Encrypts TOTP secrets for storage with AES-256-GCM (node:crypto). A sealed secret is
 * `v1.<iv>.<tag>.<ciphertext>` in base64url; the principal id is authenticated with it
 * (additional data), so a sealed secret copied onto another principal's enrolment does not open.
 */
export class TotpSecretCipher {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) {
      throw new Error(`A TOTP encryption key has ${KEY_BYTES} bytes, not ${key.length}`);
    }
    this.key = Buffer.from(key);
  }

  /** A cipher under a random key of this process only (development without a configured key). */
  static random(): TotpSecretCipher {
    return new TotpSecretCipher(randomBytes(KEY_BYTES));
  }

  seal(secret: string, principalId: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(principalId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The secret of `sealed`; `TotpSecretUnreadableError` under another key or when altered. */
  open(sealed: string, principalId: string): string {
    const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
    if (
      version !== VERSION ||
      iv === undefined ||
      tag === undefined ||
      ciphertext === undefined ||
      rest.length > 0
    ) {
      throw new TotpSecretUnreadableError(principalId);
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(principalId, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch (error: unknown) {
      // Node throws a bare Error when the tag does not match (wrong key, altered data).
      throw new TotpSecretUnreadableError(principalId, error);
    }
  }
}
