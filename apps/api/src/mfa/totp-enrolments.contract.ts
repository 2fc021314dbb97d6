import type { StoredBackupCode, TotpEnrolment, TotpEnrolments } from './totp-enrolments';

const PRINCIPAL = 'key-0123456789ab';

function backupCode(n: number, used = false): StoredBackupCode {
  return { salt: `${n}`.padStart(32, '0'), hash: `${n}`.padStart(64, 'f'), used };
}

/** An enrolment as TotpService writes it (base32 secret, hashed backup codes). */
export function sampleEnrolment(changes: Partial<TotpEnrolment> = {}): TotpEnrolment {
  return {
    principalId: PRINCIPAL,
    secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    confirmed: false,
    enrolledAt: '2025-01-07T10:00:00.000Z',
    backupCodes: [backupCode(1), backupCode(2), backupCode(3)],
    ...changes,
  };
}

/**
 * The rules of the TotpEnrolments port (totp-enrolments.ts), run against every adapter. `make`
 * answers a fresh store, and `reopen` a second adapter over the same storage (another process
 * or replica), or the same one for an adapter without shared storage.
 */
export function totpEnrolmentsContract(
  name: string,
  make: () => { enrolments: TotpEnrolments; reopen: () => TotpEnrolments },
): void {
  describe(`TotpEnrolments contract: ${name}`, () => {
    it('answers an enrolment as put, and undefined for a principal without one', async () => {
      const { enrolments, reopen } = make();
      const enrolment = sampleEnrolment({ lastUsedStep: 12 });
      await enrolments.put(enrolment);
      expect(await enrolments.find(PRINCIPAL)).toEqual(enrolment);
      expect(await reopen().find(PRINCIPAL)).toEqual(enrolment);
      expect(await enrolments.find('key-nobody000000')).toBeUndefined();
    });

    it('keeps principals apart, including ids a vertex uid cannot hold', async () => {
      const { enrolments } = make();
      const other = 'user:auth0|5f 9c/ü';
      await enrolments.put(sampleEnrolment());
      await enrolments.put(sampleEnrolment({ principalId: other, secret: 'KRSXG5CTMVRXEZLU' }));
      expect((await enrolments.find(other))?.secret).toBe('KRSXG5CTMVRXEZLU');
      expect((await enrolments.find(PRINCIPAL))?.secret).toBe(sampleEnrolment().secret);
      expect(await enrolments.claimStep(other, 5)).toBe(true);
      expect((await enrolments.find(PRINCIPAL))?.lastUsedStep).toBeUndefined();
    });

    it('replaces an unconfirmed enrolment with a new one', async () => {
      const { enrolments } = make();
      await enrolments.put(sampleEnrolment());
      const second = sampleEnrolment({
        secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
        enrolledAt: '2025-01-07T10:05:00.000Z',
        backupCodes: [backupCode(7)],
      });
      await enrolments.put(second);
      expect(await enrolments.find(PRINCIPAL)).toEqual(second);
    });

    it('marks an enrolment confirmed, seen by another adapter over the same storage', async () => {
      const { enrolments, reopen } = make();
      await enrolments.put(sampleEnrolment());
      await enrolments.markConfirmed(PRINCIPAL);
      expect((await reopen().find(PRINCIPAL))?.confirmed).toBe(true);
      await enrolments.markConfirmed('key-nobody000000');
      expect(await enrolments.find('key-nobody000000')).toBeUndefined();
    });

    it('claims a later step, and refuses the same or an earlier one', async () => {
      const { enrolments, reopen } = make();
      await enrolments.put(sampleEnrolment());
      expect(await enrolments.claimStep(PRINCIPAL, 100)).toBe(true);
      expect(await enrolments.claimStep(PRINCIPAL, 100)).toBe(false);
      expect(await enrolments.claimStep(PRINCIPAL, 99)).toBe(false);
      expect(await enrolments.claimStep(PRINCIPAL, 101)).toBe(true);
      expect(await reopen().claimStep(PRINCIPAL, 101)).toBe(false);
      expect((await enrolments.find(PRINCIPAL))?.lastUsedStep).toBe(101);
    });

    it('refuses claims of a principal without an enrolment', async () => {
      const { enrolments } = make();
      expect(await enrolments.claimStep(PRINCIPAL, 1)).toBe(false);
      expect(await enrolments.claimBackupCode(PRINCIPAL, 0)).toBe(false);
    });

    it('claims each backup code once, and no code beyond the list', async () => {
      const { enrolments, reopen } = make();
      await enrolments.put(sampleEnrolment());
      expect(await enrolments.claimBackupCode(PRINCIPAL, 1)).toBe(true);
      expect(await enrolments.claimBackupCode(PRINCIPAL, 1)).toBe(false);
      expect(await reopen().claimBackupCode(PRINCIPAL, 1)).toBe(false);
      expect(await enrolments.claimBackupCode(PRINCIPAL, 3)).toBe(false);
      expect((await enrolments.find(PRINCIPAL))?.backupCodes.map((code) => code.used)).toEqual([
        false,
        true,
        false,
      ]);
    });

    it('accepts exactly one of parallel claims of the same step or backup code', async () => {
      const { enrolments } = make();
      await enrolments.put(sampleEnrolment({ confirmed: true }));
      const steps = await Promise.all(
        Array.from({ length: 5 }, () => enrolments.claimStep(PRINCIPAL, 200)),
      );
      expect(steps.filter(Boolean)).toHaveLength(1);
      const codes = await Promise.all(
        Array.from({ length: 5 }, () => enrolments.claimBackupCode(PRINCIPAL, 0)),
      );
      expect(codes.filter(Boolean)).toHaveLength(1);
      // Parallel claims of different codes all succeed: neither is lost by the other's write.
      const both = await Promise.all([
        enrolments.claimBackupCode(PRINCIPAL, 1),
        enrolments.claimBackupCode(PRINCIPAL, 2),
        enrolments.claimStep(PRINCIPAL, 201),
      ]);
      expect(both).toEqual([true, true, true]);
      const stored = await enrolments.find(PRINCIPAL);
      expect(stored?.backupCodes.every((code) => code.used)).toBe(true);
      expect(stored?.lastUsedStep).toBe(201);
    });
  });
}
