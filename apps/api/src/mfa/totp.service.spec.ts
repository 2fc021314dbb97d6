import { HttpException } from '@nestjs/common';
import { Secret, TOTP } from 'otpauth';
import { loadAllSettings } from '@app/settings';
import { ConflictError, FixedClock, ForbiddenError } from '@app/vocabulary';
import { StepUpTokens } from '../auth/step-up-tokens';
import { MemoryTotpEnrolments } from './totp-enrolments';
import { BACKUP_CODE_COUNT, MAX_FAILURES, TotpService } from './totp.service';

const T0 = Date.UTC(2026, 0, 1, 9, 0, 10);
const STEP_MS = 30_000;
const ALICE = 'key-alice';

function codeAt(secret: string, timestamp: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp });
}

function setup(): {
  service: TotpService;
  enrolments: MemoryTotpEnrolments;
  clock: FixedClock;
  tokens: StepUpTokens;
} {
  const security = loadAllSettings({}).security;
  const clock = new FixedClock(T0);
  const enrolments = new MemoryTotpEnrolments();
  const tokens = new StepUpTokens(security, clock);
  return {
    service: new TotpService(enrolments, tokens, clock, security),
    enrolments,
    clock,
    tokens,
  };
}

async function enrolled(): Promise<
  ReturnType<typeof setup> & { secret: string; backupCodes: string[] }
> {
  const context = setup();
  const { secret, backupCodes } = await context.service.enrol(ALICE);
  await context.service.confirm(ALICE, codeAt(secret, T0));
  context.clock.advance(STEP_MS);
  return { ...context, secret, backupCodes };
}

describe('TotpService', () => {
  it('enrols with a base32 secret, an otpauth URI naming the principal and 10 backup codes', async () => {
    const { service } = setup();
    const answer = await service.enrol(ALICE);
    expect(answer.secret).toMatch(/^[A-Z2-7]{32}$/);
    const parsed = new URL(answer.otpauthUri);
    expect(parsed.protocol).toBe('otpauth:');
    expect(parsed.searchParams.get('secret')).toBe(answer.secret);
    expect(decodeURIComponent(parsed.pathname)).toContain(ALICE);
    expect(answer.backupCodes).toHaveLength(BACKUP_CODE_COUNT);
    expect(new Set(answer.backupCodes).size).toBe(BACKUP_CODE_COUNT);
  });

  it('stores the backup codes only as salted scrypt hashes', async () => {
    const { service, enrolments } = setup();
    const { backupCodes } = await service.enrol(ALICE);
    const stored = await enrolments.find(ALICE);
    const atRest = JSON.stringify(stored);
    for (const code of backupCodes) expect(atRest).not.toContain(code);
    const salts = new Set(stored?.backupCodes.map((code) => code.salt));
    expect(salts.size).toBe(BACKUP_CODE_COUNT);
    expect(stored?.backupCodes[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a step-up before the enrolment is confirmed, and a wrong first code', async () => {
    const { service, clock } = setup();
    const { secret } = await service.enrol(ALICE);
    await expect(service.stepUp(ALICE, codeAt(secret, clock.now()))).rejects.toThrow(ConflictError);
    await expect(service.confirm(ALICE, '000000')).rejects.toThrow(ForbiddenError);
  });

  it('steps up with a current code and answers a token bound to the principal', async () => {
    const { service, secret, clock, tokens } = await enrolled();
    const issued = await service.stepUp(ALICE, codeAt(secret, clock.now()));
    expect(issued.expiresAt).toBe(new Date(clock.now() + 900_000).toISOString());
    await expect(tokens.problemOf(issued.token, ALICE)).resolves.toBeUndefined();
    await expect(tokens.problemOf(issued.token, 'key-bob')).resolves.toBe('other-principal');
    clock.advance(900_001);
    await expect(tokens.problemOf(issued.token, ALICE)).resolves.toBe('expired');
  });

  it.each([-1, 1])('accepts a code one step off (%i) for clock drift', async (steps) => {
    const { service, secret, clock } = await enrolled();
    clock.advance(STEP_MS * 2);
    await expect(
      service.stepUp(ALICE, codeAt(secret, clock.now() + steps * STEP_MS)),
    ).resolves.toHaveProperty('token');
  });

  it.each([-2, 2])('refuses a code two steps off (%i)', async (steps) => {
    const { service, secret, clock } = await enrolled();
    clock.advance(STEP_MS * 3);
    await expect(
      service.stepUp(ALICE, codeAt(secret, clock.now() + steps * STEP_MS)),
    ).rejects.toThrow('The code is not valid');
  });

  it('refuses the same code twice, and an older code after a newer one (replay)', async () => {
    const { service, secret, clock } = await enrolled();
    const code = codeAt(secret, clock.now());
    await service.stepUp(ALICE, code);
    await expect(service.stepUp(ALICE, code)).rejects.toThrow('This code was used already');
    await expect(service.stepUp(ALICE, codeAt(secret, clock.now() - STEP_MS))).rejects.toThrow(
      'This code was used already',
    );
    clock.advance(STEP_MS);
    await expect(service.stepUp(ALICE, codeAt(secret, clock.now()))).resolves.toHaveProperty(
      'token',
    );
  });

  it('refuses the confirmation code for a step-up (it was used)', async () => {
    const { service, clock } = setup();
    const { secret } = await service.enrol(ALICE);
    const code = codeAt(secret, clock.now());
    await service.confirm(ALICE, code);
    await expect(service.stepUp(ALICE, code)).rejects.toThrow('This code was used already');
  });

  it('accepts each backup code once', async () => {
    const { service, backupCodes } = await enrolled();
    const [first, second] = backupCodes;
    if (first === undefined || second === undefined) throw new Error('no backup codes');
    await expect(service.stepUp(ALICE, first)).resolves.toHaveProperty('token');
    await expect(service.stepUp(ALICE, first)).rejects.toThrow('used already');
    await expect(service.stepUp(ALICE, second)).resolves.toHaveProperty('token');
  });

  it('locks out after repeated wrong codes, then lets a right code through once the lock ends', async () => {
    const { service, secret, clock } = await enrolled();
    for (let attempt = 0; attempt < MAX_FAILURES; attempt += 1) {
      await expect(service.stepUp(ALICE, '000000')).rejects.toThrow(ForbiddenError);
    }
    const locked = service.stepUp(ALICE, codeAt(secret, clock.now()));
    await expect(locked).rejects.toThrow(HttpException);
    await expect(locked).rejects.toThrow('Too many wrong codes');
    clock.advance(5 * 60_000);
    await expect(service.stepUp(ALICE, codeAt(secret, clock.now()))).resolves.toHaveProperty(
      'token',
    );
  });

  it('refuses a second enrolment once one is confirmed', async () => {
    const { service } = await enrolled();
    await expect(service.enrol(ALICE)).rejects.toThrow(ConflictError);
  });
});
