import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { appSettings, loadAllSettings, securitySettings } from '@app/settings';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';
import { totpCode } from './identity-step-up';
import { addSubject, SUBJECT } from './subjects.fixture';

// The built-in authenticators are kept in the graph store, their secrets encrypted under
// TOTP_ENCRYPTION_KEY: an enrolment made on one API instance works on another (a restart, or
// another replica) over the same store with the same key, and not with another key.

interface ErrorBody {
  error: string;
  message: string;
}

const ADMIN_KEY = { 'X-API-Key': 'dev-admin-key' };
const STEP_MS = 30_000;

async function boot(store: GraphStore, totpEncryptionKey: string): Promise<INestApplication> {
  const defaults = loadAllSettings({ TOTP_ENCRYPTION_KEY: totpEncryptionKey });
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(GraphStore)
    .useValue(store)
    .overrideProvider(appSettings.KEY)
    .useValue({ ...defaults.app, seedOnStart: false })
    .overrideProvider(securitySettings.KEY)
    .useValue(defaults.security)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApi(app, defaults.app);
  await app.init();
  return app;
}

describe('MFA: TOTP enrolments survive a restart and are shared by replicas (e2e)', () => {
  const store = new MemoryGraphStore();
  const key = randomBytes(32).toString('base64');
  const opened: INestApplication[] = [];
  let secret = '';
  let enrolledAt = 0;

  async function open(withKey: string): Promise<Server> {
    const app = await boot(store, withKey);
    opened.push(app);
    return app.getHttpServer() as Server;
  }

  beforeAll(async () => {
    await addSubject(store);
  });

  afterAll(async () => {
    for (const app of opened) await app.close();
  });

  it('enrols and confirms an authenticator on a first instance', async () => {
    const first = await open(key);
    const enrol = await request(first).post('/api/v1/mfa/totp/enrol').set(ADMIN_KEY).expect(201);
    secret = (enrol.body as { secret: string }).secret;
    enrolledAt = Date.now();
    await request(first)
      .post('/api/v1/mfa/totp/confirm')
      .set(ADMIN_KEY)
      .send({ code: totpCode(secret, enrolledAt) })
      .expect(200);
    await opened[0]?.close();
    opened.shift();

    const stored = await store.listVertices({ label: 'TotpEnrolment', limit: 10 });
    expect(stored.items).toHaveLength(1);
    expect(JSON.stringify(stored.items)).not.toContain(secret);
  });

  it('steps up on a second instance over the same store and key, and refuses a replay there', async () => {
    const second = await open(key);
    const code = totpCode(secret, enrolledAt + STEP_MS);
    const stepped = await request(second)
      .post('/api/v1/mfa/step-up')
      .set(ADMIN_KEY)
      .send({ code })
      .expect(200);
    const token = stepped.headers['x-step-up-token'];
    expect(typeof token).toBe('string');
    // The token opens routes that need a recent second factor; a subject's export holds
    // nothing of the enrolments kept in the same graph.
    const stepUp = { ...ADMIN_KEY, 'X-Step-Up-Token': String(token) };
    await request(second).get('/api/v1/audit?limit=1').set(stepUp).expect(200);
    const exported = await request(second)
      .get(`/api/v1/subjects/${encodeURIComponent(SUBJECT)}/export`)
      .set(stepUp)
      .expect(200);
    expect(JSON.stringify(exported.body)).toContain(SUBJECT);
    expect(JSON.stringify(exported.body)).not.toMatch(/TotpEnrolment|totp:|encryptedSecret/);

    const replay = await request(second)
      .post('/api/v1/mfa/step-up')
      .set(ADMIN_KEY)
      .send({ code })
      .expect(403);
    expect((replay.body as ErrorBody).message).toContain('used already');
    // A second enrolment is refused: the confirmed one is known to this instance.
    await request(second).post('/api/v1/mfa/totp/enrol').set(ADMIN_KEY).expect(409);
  });

  it('answers a clear 409 naming TOTP_ENCRYPTION_KEY on an instance with another key', async () => {
    const other = await open(randomBytes(32).toString('hex'));
    const refused = await request(other)
      .post('/api/v1/mfa/step-up')
      .set(ADMIN_KEY)
      .send({ code: totpCode(secret, enrolledAt + 2 * STEP_MS) })
      .expect(409);
    expect((refused.body as ErrorBody).error).toBe('conflict');
    expect((refused.body as ErrorBody).message).toContain('TOTP_ENCRYPTION_KEY');
  });

  it('keeps enrolments out of entity browsing', async () => {
    const server = await open(key);
    const [stored] = (await store.listVertices({ label: 'TotpEnrolment', limit: 1 })).items;
    if (stored === undefined) throw new Error('no TotpEnrolment vertex stored');
    await request(server)
      .get(`/api/v1/entities/${encodeURIComponent(stored.uid)}`)
      .set(ADMIN_KEY)
      .expect(404);
    await request(server).get('/api/v1/entities?label=TotpEnrolment').set(ADMIN_KEY).expect(400);
  });
});
