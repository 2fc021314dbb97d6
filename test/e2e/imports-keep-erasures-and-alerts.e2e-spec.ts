import { INestApplication } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import request from 'supertest';
import { AuditLog } from '../../apps/api/src/audit/audit-log';
import type { ImportJobDto } from '../../apps/api/src/imports/import-job.dto';
import { ImportJobsService } from '../../apps/api/src/imports/import-jobs.service';
import { stepUpWithTotp } from './identity-step-up';
import { scanToEnd } from './scan-job';
import { bootApi } from './boot-api';

const CSV_DIR = join(__dirname, '..', '..', 'examples', 'bank-export');
const ADMIN = { 'X-API-Key': 'dev-admin-key' };
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };
const P002 = 'person:harbour:P002';

interface EntityBody {
  entity: { props: Record<string, unknown> };
}

/** One account with 300 cash deposits of 900.00 USD on one day (the outside review's file). */
function cashHeavyJsonLines(): string {
  const lines: object[] = [
    {
      type: 'persons',
      person_id: 'PX1',
      name: 'Cash Heavy',
      birth_date: '1980-01-01',
      nationality: 'US',
      residence: 'US',
      is_pep: false,
      is_sanctioned: false,
    },
    {
      type: 'accounts',
      account_id: 'BR-X',
      account_type: 'cash-point',
      currency: 'USD',
      opened_on: '2005-01-01',
      country: 'US',
      status: 'active',
    },
    {
      type: 'accounts',
      account_id: 'AX-1',
      account_type: 'personal',
      currency: 'USD',
      opened_on: '2020-01-01',
      country: 'US',
      status: 'active',
    },
    { type: 'holders', account_id: 'AX-1', party_id: 'PX1', role: 'holder' },
  ];
  for (let i = 0; i < 300; i += 1) {
    lines.push({
      type: 'movements',
      movement_id: `MX${i}`,
      timestamp: new Date(Date.UTC(2025, 5, 3, 9, 0, i)).toISOString().replace('.000Z', 'Z'),
      amount: '900.00',
      currency: 'USD',
      to_account: 'AX-1',
      cash: true,
      cash_point: 'BR-X',
    });
  }
  return lines.map((line) => JSON.stringify(line)).join('\n');
}

describe('Imports keep erasures; scans keep long alerts (e2e, embedded store)', () => {
  let app: INestApplication;
  let http: Server;
  let jobs: ImportJobsService;

  async function importExample(): Promise<ImportJobDto> {
    const post = request(http).post('/api/v1/imports?bankId=harbour').set(ADMIN);
    for (const name of readdirSync(CSV_DIR)
      .filter((n) => n.endsWith('.csv'))
      .sort())
      post.attach('files', readFileSync(join(CSV_DIR, name)), name);
    const accepted = await post.expect(202);
    await jobs.idle();
    const done = await request(http)
      .get(`/api/v1/imports/${(accepted.body as ImportJobDto).jobId}`)
      .set(ADMIN)
      .expect(200);
    return done.body as ImportJobDto;
  }

  async function person(uid: string): Promise<Record<string, unknown>> {
    const response = await request(http)
      .get(`/api/v1/entities/${encodeURIComponent(uid)}`)
      .set(ANALYST)
      .expect(200);
    return (response.body as EntityBody).entity.props;
  }

  beforeAll(async () => {
    app = await bootApi({ app: { logLevel: 'silent' } });
    http = app.getHttpServer() as Server;
    jobs = app.get(ImportJobsService);
  });

  afterAll(async () => {
    await jobs.idle();
    await app.close();
  });

  it('leaves an erased person erased when the same data is imported again, and says so', async () => {
    expect((await importExample()).status).toBe('succeeded');
    const before = await person(P002);
    expect(before).toMatchObject({ birthDate: expect.any(String) as unknown });
    const { header } = await stepUpWithTotp(http, ADMIN);
    const erased = await request(http)
      .post(`/api/v1/subjects/${encodeURIComponent(P002)}/erase`)
      .set({ ...ADMIN, ...header })
      .send({ reason: 'Art. 17 request, ticket DPO-2025-0173' })
      .expect(200);
    const { pseudonym } = erased.body as { pseudonym: string };
    await app.get(AuditLog).flush();

    const again = await importExample();
    expect(again.status).toBe('succeeded');
    const today = new Date().toISOString().slice(0, 10);
    expect(again.summary?.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`^${P002} was erased on ${today}: personal data not re-imported`),
        ),
      ]),
    );
    const after = await person(P002);
    expect(after.name).toBe(pseudonym);
    expect(after).not.toHaveProperty('birthDate');
    expect(after).not.toHaveProperty('nationality');
    expect(after).not.toHaveProperty('residence');
    expect(after).toMatchObject({ isPep: before.isPep, isSanctioned: before.isSanctioned });
    // Other persons of the same upload are written as usual.
    expect((await person('person:harbour:P001')).name).toBe(
      readFileSync(join(CSV_DIR, 'persons.csv'), 'utf8').split('\n')[1]?.split(',')[1],
    );
  });

  it('saves every alert of a scan whose cash-aggregation alert lists 300 deposits', async () => {
    const accepted = await request(http)
      .post('/api/v1/imports?bankId=cashx')
      .set(ADMIN)
      .set('Content-Type', 'application/x-ndjson')
      .send(cashHeavyJsonLines())
      .expect(202);
    await jobs.idle();
    const imported = await request(http)
      .get(`/api/v1/imports/${(accepted.body as ImportJobDto).jobId}`)
      .set(ADMIN)
      .expect(200);
    expect((imported.body as ImportJobDto).status).toBe('succeeded');

    const scan = await scanToEnd(app, ADMIN, {
      from: '2025-06-01T00:00:00Z',
      to: '2025-06-10T00:00:00Z',
    });
    expect(scan.status).toBe('succeeded');
    const alertIds = scan.report?.alertIds ?? [];
    expect(alertIds.length).toBe(scan.report?.alerts.detected);
    const cash = alertIds.find((id) => id.startsWith('alert:aml.cash-aggregation:'));
    expect(cash).toBeDefined();
    const detail = await request(http)
      .get(`/api/v1/alerts/${encodeURIComponent(cash ?? '')}`)
      .set(ANALYST)
      .expect(200);
    const alert = detail.body as { explanation: string; movementIds: string[] };
    expect(alert.movementIds).toHaveLength(300);
    expect(alert.explanation.length).toBeLessThanOrEqual(10_000);
    expect(alert.explanation).toContain('made 300 cash deposits');
    expect(alert.explanation).toContain('250 more movements; see movementIds');
  });
});
