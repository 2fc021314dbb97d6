import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { appSettings, loadAllSettings, securitySettings } from '@app/settings';
import { ApiModule } from '../../apps/api/src/api.module';
import type { AuditEntry } from '../../apps/api/src/audit/audit-log';
import { LOCAL_AUDIENCE, LocalIssuer } from '../../apps/api/src/auth/local-issuer.fixtures';
import { configureApi } from '../../apps/api/src/configure-api';
import { stepUpWithTotp } from './identity-step-up';

// Individual users from an OpenID Connect identity provider (a local issuer started here) next
// to API keys, and the second factor (step-up) that sensitive routes require.

interface ErrorBody {
  error: string;
  message: string;
}

const ADMIN_KEY = { 'X-API-Key': 'dev-admin-key' };
const ANALYST_KEY = { 'X-API-Key': 'dev-analyst-key' };

async function boot(issuer: LocalIssuer): Promise<INestApplication> {
  const defaults = loadAllSettings({});
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(GraphStore)
    .useValue(new MemoryGraphStore())
    .overrideProvider(appSettings.KEY)
    .useValue({ ...defaults.app, seedOnStart: false })
    .overrideProvider(securitySettings.KEY)
    .useValue({
      ...defaults.security,
      oidcEnabled: true,
      oidcIssuer: issuer.url,
      oidcAudience: LOCAL_AUDIENCE,
      oidcJwksUrl: issuer.jwksUrl,
      oidcRolesClaim: 'realm_access.roles',
      oidcRoleMap: ['bank-aml-viewer=viewer', 'bank-aml-analyst=analyst', 'bank-aml-admin=admin'],
    })
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApi(app, defaults.app);
  await app.init();
  return app;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe('Identity: OIDC users and second factor (e2e)', () => {
  let issuer: LocalIssuer;
  let app: INestApplication;
  let server: Server;

  /** A bearer header for a user of the local identity provider. */
  async function user(
    sub: string,
    role: string,
    signIn: { amr?: string[]; authTime?: number } = {},
  ): Promise<Record<string, string>> {
    const token = await issuer.token({
      sub,
      name: `Name of ${sub}`,
      email: `${sub}@bank.example`,
      realm_access: { roles: [role] },
      amr: signIn.amr ?? ['pwd'],
      auth_time: signIn.authTime ?? nowSeconds() - 60,
    });
    return { Authorization: `Bearer ${token}` };
  }

  async function auditTrail(headers: Record<string, string>): Promise<AuditEntry[]> {
    const response = await request(server).get('/api/v1/audit?limit=1000').set(headers).expect(200);
    return response.body as AuditEntry[];
  }

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    app = await boot(issuer);
    server = app.getHttpServer() as Server;
  });

  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  it('lets a user of the identity provider read entities; the audit trail names the user, not a key', async () => {
    await request(server)
      .get('/api/v1/entities?label=Person&limit=5')
      .set(await user('u-1001', 'bank-aml-viewer'))
      .expect(200);
    const mfaAdmin = await user('u-9000', 'bank-aml-admin', { amr: ['pwd', 'mfa'] });
    const entries = await auditTrail(mfaAdmin);
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          principal: 'user:u-1001',
          role: 'viewer',
          path: '/api/v1/entities',
          status: 200,
        }),
      ]),
    );
    // Display details stay out of the trail.
    expect(JSON.stringify(entries)).not.toContain('u-1001@bank.example');
    expect(JSON.stringify(entries)).not.toContain('Name of u-1001');
  });

  it('keeps API keys working next to tokens, both as X-API-Key and as a bearer key', async () => {
    await request(server).get('/api/v1/entities?label=Person').set(ANALYST_KEY).expect(200);
    await request(server)
      .get('/api/v1/entities?label=Person')
      .set('Authorization', 'Bearer dev-analyst-key')
      .expect(200);
  });

  it('answers 401 with the reason for a token of another audience, and 403 for a user without a role', async () => {
    const other = await issuer.token(
      { sub: 'u-2', realm_access: { roles: ['bank-aml-viewer'] } },
      {
        audience: 'another-app',
      },
    );
    const refused = await request(server)
      .get('/api/v1/entities?label=Person')
      .set('Authorization', `Bearer ${other}`)
      .expect(401);
    expect(refused.body).toMatchObject({ error: 'unauthenticated' });
    expect((refused.body as ErrorBody).message).toContain('OIDC_AUDIENCE');

    const noRole = await request(server)
      .get('/api/v1/entities?label=Person')
      .set(await user('u-3', 'payments-clerk'))
      .expect(403);
    expect((noRole.body as ErrorBody).message).toContain('realm_access.roles');
  });

  it('refuses a sensitive route without a second factor: 403 step_up_required saying how to step up', async () => {
    const forUser = await request(server)
      .get('/api/v1/audit')
      .set(await user('u-9001', 'bank-aml-admin'))
      .expect(403);
    expect(forUser.body).toMatchObject({ error: 'step_up_required' });
    expect((forUser.body as ErrorBody).message).toContain('`amr` contains one of mfa, otp');

    const forKey = await request(server).get('/api/v1/audit').set(ADMIN_KEY).expect(403);
    expect(forKey.body).toMatchObject({ error: 'step_up_required' });
    expect((forKey.body as ErrorBody).message).toContain('POST /api/v1/mfa/step-up');
  });

  it('accepts a recent second factor of the identity provider, and refuses an old one', async () => {
    await request(server)
      .get('/api/v1/audit')
      .set(await user('u-9002', 'bank-aml-admin', { amr: ['pwd', 'mfa'] }))
      .expect(200);
    const old = await request(server)
      .get('/api/v1/audit')
      .set(await user('u-9002', 'bank-aml-admin', { amr: ['mfa'], authTime: nowSeconds() - 3600 }))
      .expect(403);
    expect(old.body).toMatchObject({ error: 'step_up_required' });
  });

  it('lets an API-key user enrol TOTP, step up and then read the audit trail', async () => {
    const { header } = await stepUpWithTotp(server, ADMIN_KEY);
    const entries = await auditTrail({ ...ADMIN_KEY, ...header });
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/api/v1/mfa/step-up', status: 200 }),
      ]),
    );
    // The token is bound to its principal: another key cannot use it.
    const stolen = await request(server)
      .get('/api/v1/audit')
      .set({ ...(await user('u-9003', 'bank-aml-admin')), ...header })
      .expect(403);
    expect(stolen.body).toMatchObject({ error: 'step_up_required' });
    expect((stolen.body as ErrorBody).message).toContain('belongs to another caller');
    const forged = await request(server)
      .get('/api/v1/audit')
      .set({ ...ADMIN_KEY, 'X-Step-Up-Token': 'not-a-token' })
      .expect(403);
    expect((forged.body as ErrorBody).message).toContain('is not valid');
  });

  it('asks for a step-up to close an alert or export alerts and ownership data, not to move an alert to investigating', async () => {
    const alert = `/api/v1/alerts/${encodeURIComponent('alert:aml.fan-out:none')}`;
    const closing = { status: 'closed-reported', note: 'SAR filed.' };
    const sensitive = [
      () => request(server).patch(alert).set(ANALYST_KEY).send(closing),
      () => request(server).get(`${alert}/export`).set(ANALYST_KEY),
      () => request(server).get('/api/v1/ubo/company:none/export').set(ANALYST_KEY),
    ];
    for (const call of sensitive) {
      const response = await call();
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ error: 'step_up_required' });
    }
    // Not closing: no second factor needed (the unknown alert then answers 404).
    await request(server)
      .patch(alert)
      .set(ANALYST_KEY)
      .send({ status: 'investigating', note: 'Calling the customer.' })
      .expect(404);

    const { header } = await stepUpWithTotp(server, ANALYST_KEY);
    for (const call of sensitive) {
      const response = await call().set(header);
      expect(response.status).toBe(404);
    }
  });
});
