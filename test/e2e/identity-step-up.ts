import type { Server } from 'node:http';
import { Secret, TOTP } from 'otpauth';
import request from 'supertest';

const STEP_MS = 30_000;

/** The code of the authenticator app for `secret` at `timestamp` (ms). */
export function totpCode(secret: string, timestamp: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp });
}

/**
 * Enrols the built-in authenticator for a credential, confirms it and steps up, as a user would;
 * answers the secret and the header to send with a sensitive request. The confirmation uses the
 * code of the current 30 s step and the step-up the next one, so both are within the API's drift
 * window of one step even when a step boundary passes in between, and no code is used twice.
 * `afterCall` runs after each of the three calls (e.g. to flush an audit queue kept small).
 */
export async function stepUpWithTotp(
  server: Server,
  credential: Record<string, string>,
  afterCall: () => Promise<unknown> = () => Promise.resolve(),
): Promise<{ secret: string; header: Record<string, string> }> {
  const enrol = await request(server).post('/api/v1/mfa/totp/enrol').set(credential).expect(201);
  await afterCall();
  const { secret } = enrol.body as { secret: string };
  const now = Date.now();
  await request(server)
    .post('/api/v1/mfa/totp/confirm')
    .set(credential)
    .send({ code: totpCode(secret, now) })
    .expect(200);
  await afterCall();
  const stepped = await request(server)
    .post('/api/v1/mfa/step-up')
    .set(credential)
    .send({ code: totpCode(secret, now + STEP_MS) })
    .expect(200);
  await afterCall();
  const token = stepped.headers['x-step-up-token'];
  if (typeof token !== 'string') throw new Error('the step-up answered no X-Step-Up-Token header');
  return { secret, header: { 'X-Step-Up-Token': token } };
}
