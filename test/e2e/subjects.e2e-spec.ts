import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import request from 'supertest';
import type { MemoryGraphStore } from '@app/graph-store';
import {
  ADMIN,
  ANALYST,
  bootWithSubject,
  COMPANY,
  DEVICE,
  EMAIL,
  NEIGHBOUR_NAME,
  PAYER,
  PHONE,
  SAVINGS,
  SCAN,
  SHARED_ADDRESS,
  start,
  SUBJECT,
  SUBJECT_BIRTH_DATE,
  SUBJECT_NAME,
} from './subjects.fixture';
import { stepUpWithTotp } from './identity-step-up';
import { scanToEnd } from './scan-job';

// Data subject export and erasure over HTTP, on the seeded tiny bank plus one subject.

interface ExportBody {
  person: { uid: string; props: Record<string, unknown> };
  accounts: { account: { uid: string } }[];
  identifiers: { identifier: { uid: string; props: { value: string } }; usedBy: string[] }[];
  movements: {
    items: { movementId: string; fromAccount: string; toAccount: string }[];
    truncated: boolean;
  };
  alerts: { items: { alertId: string }[] };
  ownership: { companies: { uid: string }[]; relations: { label: string; to: string }[] };
  audit: { items: { route: string; resources: Record<string, string>; note?: string }[] };
}

interface ErrorResponse {
  error: string;
  details?: { problems: { field: string; rule: string }[] };
}

const REASON = 'Art. 17 request received, ticket DPO-4711';

describe('Data subjects: export and erasure (e2e, seeded tiny bank)', () => {
  let app: INestApplication;
  let store: MemoryGraphStore;
  let http: Server;
  let alertId: string;
  /** The admin key with a step-up token: export and erasure need a second factor. */
  let admin: Record<string, string>;

  beforeAll(async () => {
    const booted = await bootWithSubject();
    app = booted.app;
    store = booted.store;
    await start(booted.app, store);
    http = app.getHttpServer() as Server;
    const scan = await scanToEnd(app, ADMIN, SCAN);
    expect(scan.status).toBe('succeeded');
    const ids = scan.report?.alertIds ?? [];
    const flagging = [];
    for (const id of ids) {
      const detail = await request(http)
        .get(`/api/v1/alerts/${encodeURIComponent(id)}`)
        .set(ANALYST);
      if (JSON.stringify(detail.body).includes(PAYER)) flagging.push(id);
    }
    expect(flagging.length).toBeGreaterThan(0);
    alertId = flagging[0] ?? '';
    const { header } = await stepUpWithTotp(http, ADMIN);
    admin = { ...ADMIN, ...header };
  });

  afterAll(async () => {
    await app.close();
  });

  it('exports everything held about the person: accounts, identifiers, movements, alerts, ownership, audit', async () => {
    await request(http).get(`/api/v1/entities/${SUBJECT}`).set(ANALYST).expect(200);
    const response = await request(http)
      .get(`/api/v1/subjects/${SUBJECT}/export`)
      .set(admin)
      .expect(200);
    const body = response.body as ExportBody;
    expect(body.person).toMatchObject({
      uid: SUBJECT,
      props: { name: SUBJECT_NAME, birthDate: SUBJECT_BIRTH_DATE },
    });
    expect(body.accounts.map((a) => a.account.uid)).toEqual([PAYER, SAVINGS].sort());
    expect(body.identifiers.map((i) => i.identifier.uid)).toEqual(
      [DEVICE, EMAIL, PHONE, SHARED_ADDRESS].sort(),
    );
    expect(body.identifiers.find((i) => i.identifier.uid === SHARED_ADDRESS)?.usedBy).toEqual([
      SAVINGS,
    ]);
    expect(body.movements.truncated).toBe(false);
    expect(body.movements.items.map((m) => m.movementId).sort()).toEqual([
      'mv:e2e:0',
      'mv:e2e:1',
      'mv:e2e:2',
      'mv:e2e:3',
      'mv:e2e:4',
    ]);
    expect(
      body.movements.items.every(
        (m) => [PAYER, SAVINGS].includes(m.fromAccount) || [PAYER, SAVINGS].includes(m.toAccount),
      ),
    ).toBe(true);
    expect(body.alerts.items.map((a) => a.alertId)).toContain(alertId);
    expect(body.ownership.companies.map((c) => c.uid)).toEqual([COMPANY]);
    expect(body.ownership.relations).toEqual([
      expect.objectContaining({ label: 'OWNS', to: COMPANY }),
    ]);
    expect(body.audit.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ route: '/api/v1/entities/:uid', resources: { uid: SUBJECT } }),
      ]),
    );
    // The co-customer sharing the address is not this person: nothing of theirs is exported.
    expect(JSON.stringify(body)).not.toContain(NEIGHBOUR_NAME);
  });

  it('refuses non-admins and admins without a step-up (403), unknown persons and non-person ids (404) and bad bodies (400)', async () => {
    const noStepUp = await request(http)
      .get(`/api/v1/subjects/${SUBJECT}/export`)
      .set(ADMIN)
      .expect(403);
    expect((noStepUp.body as ErrorResponse).error).toBe('step_up_required');
    await request(http).get(`/api/v1/subjects/${SUBJECT}/export`).set(ANALYST).expect(403);
    await request(http)
      .post(`/api/v1/subjects/${SUBJECT}/erase`)
      .set(ANALYST)
      .send({ reason: REASON })
      .expect(403);
    await request(http).get('/api/v1/subjects/person:e2e:nobody/export').set(admin).expect(404);
    await request(http).get(`/api/v1/subjects/${PAYER}/export`).set(admin).expect(404);
    const unknown = await request(http)
      .post('/api/v1/subjects/person:e2e:nobody/erase')
      .set(admin)
      .send({ reason: REASON })
      .expect(404);
    expect((unknown.body as ErrorResponse).error).toBe('not_found');

    const missing = await request(http)
      .post(`/api/v1/subjects/${SUBJECT}/erase`)
      .set(admin)
      .send({})
      .expect(400);
    expect((missing.body as ErrorResponse).details?.problems.map((p) => p.field)).toContain(
      'reason',
    );
    const short = await request(http)
      .post(`/api/v1/subjects/${SUBJECT}/erase`)
      .set(admin)
      .send({ reason: 'because' })
      .expect(400);
    expect((short.body as ErrorResponse).details?.problems).toEqual([
      expect.objectContaining({ field: 'reason' }),
    ]);
    // Nothing was erased by the refused requests.
    const person = await store.getVertex(SUBJECT);
    expect(person?.props).toMatchObject({ name: SUBJECT_NAME });
  });

  it('erases by pseudonymisation, keeps movements, alerts and ownership, and records who, when and why', async () => {
    const erased = await request(http)
      .post(`/api/v1/subjects/${SUBJECT}/erase`)
      .set(admin)
      .send({ reason: REASON, legalBasis: 'GDPR Art. 17(1)(a)' })
      .expect(200);
    expect(erased.body).toMatchObject({
      personId: SUBJECT,
      changed: true,
      pseudonym: expect.stringMatching(/^erased-[0-9a-f]{12}$/) as unknown,
      removedFields: ['birthDate', 'nationality', 'residence'],
      pseudonymisedIdentifiers: [EMAIL, PHONE],
      sharedIdentifiersKept: [SHARED_ADDRESS],
    });

    const entity = await request(http)
      .get(`/api/v1/entities/${SUBJECT}?depth=0`)
      .set(ANALYST)
      .expect(200);
    const text = JSON.stringify(entity.body);
    expect(text).not.toContain(SUBJECT_NAME);
    expect(text).not.toContain(SUBJECT_BIRTH_DATE);
    expect((entity.body as { entity: { props: Record<string, unknown> } }).entity.props).toEqual({
      name: (erased.body as { pseudonym: string }).pseudonym,
      isPep: false,
      isSanctioned: false,
    });
    const email = await request(http)
      .get(`/api/v1/entities/${encodeURIComponent(EMAIL)}?depth=0`)
      .set(ANALYST)
      .expect(200);
    expect(
      JSON.stringify((email.body as { entity: { props: unknown } }).entity.props),
    ).not.toContain('imogen');

    // Retained: the movements, the alert with its evidence, accounts and ownership.
    const after = (
      await request(http).get(`/api/v1/subjects/${SUBJECT}/export`).set(admin).expect(200)
    ).body as ExportBody;
    expect(after.movements.items).toHaveLength(5);
    expect(after.accounts).toHaveLength(2);
    expect(after.ownership.companies.map((c) => c.uid)).toEqual([COMPANY]);
    const alert = await request(http)
      .get(`/api/v1/alerts/${encodeURIComponent(alertId)}`)
      .set(ANALYST)
      .expect(200);
    expect((alert.body as { movements: unknown[] }).movements.length).toBeGreaterThan(0);

    // Who, when and why: the erasure's audit entry, with its reason.
    const audit = await request(http)
      .get(`/api/v1/audit?resource=${encodeURIComponent(SUBJECT)}&limit=100`)
      .set(admin)
      .expect(200);
    const erasures = (
      audit.body as {
        route: string;
        status: number;
        principal: string;
        at: string;
        note?: string;
      }[]
    ).filter((e) => e.route === '/api/v1/subjects/:personId/erase' && e.status === 200);
    expect(erasures).toHaveLength(1);
    expect(erasures[0]?.note).toContain(`reason: ${REASON}`);
    expect(erasures[0]?.note).toContain('legal basis: GDPR Art. 17(1)(a)');
    expect(erasures[0]?.principal).toMatch(/^key-/);
  });

  it('erases twice without harm, and the audit chain still verifies', async () => {
    const again = await request(http)
      .post(`/api/v1/subjects/${SUBJECT}/erase`)
      .set(admin)
      .send({ reason: REASON })
      .expect(200);
    expect(again.body).toMatchObject({
      changed: false,
      removedFields: [],
      pseudonymisedIdentifiers: [],
    });
    const verify = await request(http).get('/api/v1/audit/verify').set(admin).expect(200);
    expect(verify.body).toMatchObject({ ok: true });
  });
});
