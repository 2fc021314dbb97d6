import { Logger, Params, PARAMS_PROVIDER_TOKEN } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  ADMIN,
  ADMIN_KEY,
  ANALYST,
  ANALYST_KEY,
  bootWithSubject,
  EMAIL,
  NEIGHBOUR,
  NEIGHBOUR_NAME,
  start,
  SUBJECT,
  SUBJECT_BIRTH_DATE,
  SUBJECT_NAME,
  VIEWER_KEY,
} from './subjects.fixture';
import { stepUpWithTotp } from './identity-step-up';

// The API's own log output (pino, as configured by LoggingModule: redaction, request lines, the
// audit lines) captured during an export and an erasure and a few other requests, then scanned:
// no person's name, birth date, contact value, API key or erasure reason may appear in it.

const REASON_MARKER = 'ticket DPO-LOGSCAN-0042';

describe('Logs carry no names, birth dates or API keys (e2e, captured log output)', () => {
  let app: NestExpressApplication;
  const lines: string[] = [];
  let seededName = '';

  beforeAll(async () => {
    const booted = await bootWithSubject(undefined, {});
    app = booted.app;
    // Sends the logger's output to memory, keeping every other option of LoggingModule.
    const params = app.get<Params>(PARAMS_PROVIDER_TOKEN);
    const capture: DestinationStream = { write: (line: string) => void lines.push(line) };
    const options = params.pinoHttp;
    if (options === undefined || Array.isArray(options) || 'write' in options) {
      throw new Error('LoggingModule no longer passes pino-http options: adapt this test');
    }
    params.pinoHttp = [options, capture];
    app.useLogger(app.get(Logger));
    await start(app, booted.store);
    const persons = await booted.store.listVertices({ label: 'Person', limit: 1 });
    const [first] = persons.items;
    seededName = first?.label === 'Person' ? first.props.name : '';
  });

  afterAll(async () => {
    await app.close();
  });

  it('logs the requests of an export and an erasure without any personal data or key', async () => {
    const http = app.getHttpServer();
    // Export and erasure need a second factor: the admin steps up first.
    const stepUp = await stepUpWithTotp(http, ADMIN);
    const admin = { ...ADMIN, ...stepUp.header };
    await request(http).get('/api/v1/entities?label=Person&limit=5').set(ANALYST).expect(200);
    await request(http).get(`/api/v1/entities/${SUBJECT}`).set(ANALYST).expect(200);
    await request(http).get(`/api/v1/entities/${NEIGHBOUR}`).set(ANALYST).expect(200);
    await request(http).get(`/api/v1/subjects/${SUBJECT}/export`).set(admin).expect(200);
    // Refused requests carrying personal data and keys in places a careless log would copy.
    await request(http)
      .post(`/api/v1/subjects/${SUBJECT}/erase`)
      .set(admin)
      .send({ reason: 'short', name: SUBJECT_NAME, birthDate: SUBJECT_BIRTH_DATE })
      .expect(400);
    await request(http).get(`/api/v1/graph/stats?api_key=${VIEWER_KEY}`).expect(400);
    await request(http)
      .get('/api/v1/graph/stats')
      .set('X-API-Key', `${ADMIN_KEY}-wrong`)
      .expect(401);
    await request(http)
      .post(`/api/v1/subjects/${SUBJECT}/erase`)
      .set(admin)
      .send({ reason: `Art. 17 request, ${REASON_MARKER}` })
      .expect(200);
    await request(http).get(`/api/v1/subjects/${SUBJECT}/export`).set(admin).expect(200);

    const log = lines.join('');
    // The capture works: the request lines and the audit lines of these requests are in it.
    expect(log).toContain(`/api/v1/subjects/${SUBJECT}/erase`);
    expect(log).toContain(`/api/v1/entities/${SUBJECT}`);
    expect(log).toContain('"audit"');
    expect(seededName).not.toBe('');
    for (const secret of [
      SUBJECT_NAME,
      NEIGHBOUR_NAME,
      seededName,
      SUBJECT_BIRTH_DATE,
      '1979-11-30',
      'imogen.qv@example.org',
      ADMIN_KEY,
      ANALYST_KEY,
      VIEWER_KEY,
      REASON_MARKER,
      stepUp.secret,
      stepUp.header['X-Step-Up-Token'] ?? 'no step-up token',
    ]) {
      expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
    }
    expect(log).not.toContain(EMAIL.slice('email:'.length));
  });
});
