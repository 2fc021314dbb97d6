/** One backup code at rest: only its scrypt hash and salt (hex), and whether it was used. */
export interface StoredBackupCode {
  salt: string;
  hash: string;
  used: boolean;
}

/** A principal's built-in authenticator (TOTP, RFC 6238). */
export interface TotpEnrolment {
  principalId: string;
  /**
   * The shared TOTP secret, base32; needed to check codes, so it cannot be hashed (a store
   * keeps it encrypted).
   */
  secret: string;
  /** False until a first code from the authenticator app has been checked. */
  confirmed: boolean;
  enrolledAt: string;
  backupCodes: StoredBackupCode[];
  /** The last TOTP time step used: a code of that step or an earlier one is refused (replay). */
  lastUsedStep?: number;
}

/**
 * Port for the TOTP enrolments. The claims are check-and-set operations, atomic at least within
 * one process, so that one code is accepted once even when two requests race (see
 * GraphTotpEnrolments for what holds across replicas).
 */
export abstract class TotpEnrolments {
  abstract find(principalId: string): Promise<TotpEnrolment | undefined>;
  /** Stores a new enrolment, replacing an unconfirmed one of the same principal. */
  abstract put(enrolment: TotpEnrolment): Promise<void>;
  abstract markConfirmed(principalId: string): Promise<void>;
  /** Records `step` as used; false when it, or a later step, was used already. */
  abstract claimStep(principalId: string, step: number): Promise<boolean>;
  /** Marks backup code number `index` as used; false when it was used already. */
  abstract claimBackupCode(principalId: string, index: number): Promise<boolean>;
}

/**
 * Enrolments in this process's memory: lost on restart and not shared between API replicas.
 * For tests (the reference of the contract suite); the API stores them in the graph
 * (GraphTotpEnrolments).
 */
export class MemoryTotpEnrolments extends TotpEnrolments {
  private readonly enrolments = new Map<string, TotpEnrolment>();

  find(principalId: string): Promise<TotpEnrolment | undefined> {
    const found = this.enrolments.get(principalId);
    return Promise.resolve(found === undefined ? undefined : structuredClone(found));
  }

  put(enrolment: TotpEnrolment): Promise<void> {
    this.enrolments.set(enrolment.principalId, structuredClone(enrolment));
    return Promise.resolve();
  }

  markConfirmed(principalId: string): Promise<void> {
    const found = this.enrolments.get(principalId);
    if (found !== undefined) found.confirmed = true;
    return Promise.resolve();
  }

  claimStep(principalId: string, step: number): Promise<boolean> {
    const found = this.enrolments.get(principalId);
    if (found === undefined || (found.lastUsedStep !== undefined && step <= found.lastUsedStep)) {
      return Promise.resolve(false);
    }
    found.lastUsedStep = step;
    return Promise.resolve(true);
  }

  claimBackupCode(principalId: string, index: number): Promise<boolean> {
    const code = this.enrolments.get(principalId)?.backupCodes[index];
    if (code === undefined || code.used) return Promise.resolve(false);
    code.used = true;
    return Promise.resolve(true);
  }
}
