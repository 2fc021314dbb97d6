import { INestApplication } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import request from 'supertest';
import { AuditLog } from '../../apps/api/src/audit/audit-log';
import type { ImportJobDto } from '../../apps/api/src/imports/import-job.dto';
import { ImportJobsService } from '../../apps/api/src/imports/import-jobs.service';
import { stepUpWithTotp } from './identity-step-up';
import { bootApi } from './boot-api';

const CSV_DIR = join(__dirname, '..', '..', 'examples', 'bank-export');
const ADMIN = { 'X-API-Key': 'dev-admin-key' };
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };
const P002 = 'person:harbour:P002';

interface EntityBody {
  entity: { props: Record<string, unknown> };
}

describe('Imports keep erasures (e2e, embedded store)', () => {
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
});
