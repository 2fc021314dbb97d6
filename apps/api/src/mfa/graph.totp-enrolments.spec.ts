import { MemoryGraphStore } from '@app/graph-store';
import { BROWSABLE_VERTEX_LABELS, INGESTABLE_VERTEX_LABELS, validateVertex } from '@app/vocabulary';
import { loadAllSettings } from '@app/settings';
import { GraphTotpEnrolments, totpEnrolmentUid } from './graph.totp-enrolments';
import { totpSecretCipherOf } from './mfa.module';
import { sampleEnrolment } from './totp-enrolments.contract';
import {
  TotpSecretCipher,
  TotpSecretUnreadableError,
  totpEncryptionKeyOf,
} from './totp-secret.cipher';

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 8);

describe('GraphTotpEnrolments: what is stored', () => {
  it('stores one TotpEnrolment vertex per principal, its secret never in clear', async () => {
    const graph = new MemoryGraphStore();
    const enrolment = sampleEnrolment();
    await new GraphTotpEnrolments(graph, new TotpSecretCipher(KEY)).put(enrolment);

    const vertex = await graph.getVertex(`totp:${enrolment.principalId}`);
    expect(vertex?.label).toBe('TotpEnrolment');
    if (vertex?.label !== 'TotpEnrolment') throw new Error('no TotpEnrolment vertex');
    expect(validateVertex(vertex)).toEqual([]);
    const raw = JSON.stringify(vertex);
    expect(raw).not.toContain(enrolment.secret);
    expect(raw).not.toContain(Buffer.from(enrolment.secret).toString('base64'));
    expect(raw).not.toContain(Buffer.from(enrolment.secret).toString('hex'));
    expect(vertex.props.encryptedSecret).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(vertex.props.principalId).toBe(enrolment.principalId);
  });

  it('seals the same secret differently each time (a fresh nonce)', () => {
    const cipher = new TotpSecretCipher(KEY);
    const first = cipher.seal('JBSWY3DPEHPK3PXP', 'key-a');
    const second = cipher.seal('JBSWY3DPEHPK3PXP', 'key-a');
    expect(first).not.toBe(second);
    expect(cipher.open(second, 'key-a')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('gives principal ids a uid cannot hold a hashed uid, apart from plain ones', () => {
    expect(totpEnrolmentUid('key-0123456789ab')).toBe('totp:key-0123456789ab');
    expect(totpEnrolmentUid('user:alice@bank.example')).toBe('totp:user:alice@bank.example');
    const odd = totpEnrolmentUid('user:auth0|5f 9c');
    expect(odd).toMatch(/^totp#[0-9a-f]{64}$/);
    expect(totpEnrolmentUid('user:auth0|5f 9d')).not.toBe(odd);
    expect(totpEnrolmentUid(`user:${'x'.repeat(300)}`)).toMatch(/^totp#/);
  });

  it('is derived and restricted: not ingestable, not browsable', () => {
    expect(INGESTABLE_VERTEX_LABELS).not.toContain('TotpEnrolment');
    expect(BROWSABLE_VERTEX_LABELS).not.toContain('TotpEnrolment');
  });
});

describe('GraphTotpEnrolments: keys', () => {
  it('refuses with a clear domain error to read a secret stored under another key', async () => {
    const graph = new MemoryGraphStore();
    const enrolment = sampleEnrolment({ confirmed: true });
    await new GraphTotpEnrolments(graph, new TotpSecretCipher(KEY)).put(enrolment);
    const elsewhere = new GraphTotpEnrolments(graph, new TotpSecretCipher(OTHER_KEY));

    const reading = elsewhere.find(enrolment.principalId);
    await expect(reading).rejects.toBeInstanceOf(TotpSecretUnreadableError);
    await expect(reading).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('TOTP_ENCRYPTION_KEY') as unknown,
    });
    // Claims need no secret: they still work, and the enrolment stays readable under its key.
    expect(await elsewhere.claimStep(enrolment.principalId, 3)).toBe(true);
    const again = new GraphTotpEnrolments(graph, new TotpSecretCipher(KEY));
    expect((await again.find(enrolment.principalId))?.secret).toBe(enrolment.secret);
  });

  it('does not open a sealed secret for another principal, nor an altered or malformed one', () => {
    const cipher = new TotpSecretCipher(KEY);
    const sealed = cipher.seal('JBSWY3DPEHPK3PXP', 'key-a');
    expect(() => cipher.open(sealed, 'key-b')).toThrow(TotpSecretUnreadableError);
    const [version, iv, tag, text] = sealed.split('.');
    const flipped = `${text?.startsWith('A') === true ? 'B' : 'A'}${text?.slice(1) ?? ''}`;
    expect(() => cipher.open([version, iv, tag, flipped].join('.'), 'key-a')).toThrow(
      TotpSecretUnreadableError,
    );
    for (const bad of ['', 'v1.a.b', 'v2.a.b.c', `${sealed}.x`]) {
      expect(() => cipher.open(bad, 'key-a')).toThrow(TotpSecretUnreadableError);
    }
  });

  it('reads TOTP_ENCRYPTION_KEY as hex or base64, 32 bytes', () => {
    expect(totpEncryptionKeyOf('07'.repeat(32))).toEqual(KEY);
    expect(totpEncryptionKeyOf(KEY.toString('base64'))).toEqual(KEY);
    expect(() => totpEncryptionKeyOf('AAAA')).toThrow('must be 32 bytes');
  });

  it('uses the configured key, or warns and uses a random key of this process', () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message) };
    const defaults = loadAllSettings({}).security;
    const configured = totpSecretCipherOf(
      { ...defaults, totpEncryptionKey: KEY.toString('hex') },
      logger,
    );
    expect(warnings).toEqual([]);
    expect(new TotpSecretCipher(KEY).open(configured.seal('S', 'p'), 'p')).toBe('S');

    const first = totpSecretCipherOf(defaults, logger);
    const second = totpSecretCipherOf(defaults, logger);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('will not survive a restart');
    expect(() => second.open(first.seal('S', 'p'), 'p')).toThrow(TotpSecretUnreadableError);
  });
});
