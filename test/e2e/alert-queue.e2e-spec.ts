import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { appSettings, loadAllSettings } from '@app/settings';
import type { AlertVertex, CompanyVertex } from '@app/vocabulary';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';

// The workbench's two listing routes over HTTP: the alert queue sorted across pages
// (GET /alerts?sort=score|raisedAt&direction=) and the company search (GET /companies/search).
const ANALYST = { 'X-API-Key': 'dev-analyst-key' };
const VIEWER = { 'X-API-Key': 'dev-viewer-key' };
const T = Date.UTC(2025, 0, 1);

interface ErrorBody {
  error: string;
  message: string;
  details?: { problems?: { field: string; rule: string }[] };
}
interface Listed {
  items: { alertId: string; score: number; createdAt: number }[];
  nextCursor?: string;
}
interface Found {
  items: { uid: string; props: { name: string } }[];
  nextCursor?: string;
}

/** 23 alerts: scores 0.05 apart with ties every third, raise times scattered. */
function alerts(): AlertVertex[] {
  return Array.from({ length: 23 }, (_, i): AlertVertex => {
    const createdAt = T + ((i * 7) % 11) * 60_000;
    return {
      label: 'Alert',
      uid: `alert:e2e.rule:${String(i).padStart(2, '0')}`,
      props: {
        ruleId: 'e2e.rule',
        ruleVersion: '1.0.0',
        typology: 'fan-out',
        score: Math.floor(i / 3) * 0.1,
        severity: 'medium',
        status: 'open',
        explanation: `alert ${i}`,
        fingerprint: String(i),
        createdAt,
        updatedAt: createdAt,
        windowStart: T,
        windowEnd: T + 1,
        movementIds: [],
      },
    };
  });
}

function company(uid: string, name: string): CompanyVertex {
  return {
    label: 'Company',
    uid,
    props: {
      name,
      jurisdiction: 'GB',
      companyType: 'company',
      isShell: false,
      isNominee: false,
      hasBearerShares: false,
      isSanctioned: false,
    },
  };
}

async function boot(store: GraphStore): Promise<INestApplication> {
  const defaults = loadAllSettings({});
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(GraphStore)
    .useValue(store)
    .overrideProvider(appSettings.KEY)
    .useValue({ ...defaults.app, seedOnStart: false })
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApi(app, defaults.app);
  await app.init();
  return app;
}

describe('Alert queue sorting and company search (e2e)', () => {
  let app: INestApplication;
  let http: Server;
  const stored = alerts();

  beforeAll(async () => {
    const store = new MemoryGraphStore();
    await store.upsertVertices([
      ...stored,
      company('company:gb:00000001', 'Acme Holdings Ltd'),
      company('company:gb:00000002', 'Blue Harbour Limited'),
      company('company:gb:00000003', 'HARBOUR ACMELITE PLC'),
      company('company:gb:00000004', 'Northwind (Trading) [UK] Ltd.*'),
    ]);
    app = await boot(store);
    http = app.getHttpServer() as Server;
  });

  afterAll(async () => {
    await app.close();
  });

  async function everyPage(query: string): Promise<Listed['items'][]> {
    const pages: Listed['items'][] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 20; guard += 1) {
      const url = `/api/v1/alerts?${query}${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const page = (await request(http).get(url).set(ANALYST).expect(200)).body as Listed;
      pages.push(page.items);
      cursor = page.nextCursor;
      if (cursor === undefined) return pages;
    }
    throw new Error('the cursor does not advance');
  }

  const problems = async (url: string): Promise<{ field: string; rule: string }[]> => {
    const response = await request(http).get(url).set(ANALYST).expect(400);
    return (response.body as ErrorBody).details?.problems ?? [];
  };

  it('sorts the whole queue by score, highest first, ties by alert id, across pages', async () => {
    const pages = await everyPage('sort=score&limit=10');
    expect(pages.map((p) => p.length)).toEqual([10, 10, 3]);
    const expected = [...stored]
      .sort((a, b) => b.props.score - a.props.score || (a.uid < b.uid ? -1 : 1))
      .map((a) => a.uid);
    expect(pages.flat().map((a) => a.alertId)).toEqual(expected);
    // Page 2 starts below page 1's lowest score: the order runs across pages.
    expect(pages[1][0].score).toBeLessThanOrEqual(pages[0][9].score);
  });

  it('sorts by raisedAt in both directions', async () => {
    const oldest = (await everyPage('sort=raisedAt&direction=asc&limit=7')).flat();
    const newest = (await everyPage('sort=raisedAt&direction=desc&limit=7')).flat();
    const byTime = (sign: number) =>
      [...stored]
        .sort((a, b) => sign * (a.props.createdAt - b.props.createdAt) || (a.uid < b.uid ? -1 : 1))
        .map((a) => a.uid);
    expect(oldest.map((a) => a.alertId)).toEqual(byTime(1));
    expect(newest.map((a) => a.alertId)).toEqual(byTime(-1));
  });

  it('answers 400 naming the field and rule for a bad sort, direction or cursor', async () => {
    expect(await problems('/api/v1/alerts?sort=colour')).toEqual([
      { field: 'sort', rule: expect.stringContaining('score, raisedAt') as string },
    ]);
    expect((await problems('/api/v1/alerts?sort=score&direction=up'))[0].field).toBe('direction');
    expect((await problems('/api/v1/alerts?direction=asc'))[0]).toEqual({
      field: 'direction',
      rule: 'is only allowed with sort (score or raisedAt)',
    });
    const byScore = (
      await request(http).get('/api/v1/alerts?sort=score&limit=5').set(ANALYST).expect(200)
    ).body as Listed;
    const other = `/api/v1/alerts?sort=raisedAt&limit=5&cursor=${encodeURIComponent(byScore.nextCursor ?? '')}`;
    expect((await problems(other))[0].field).toBe('cursor');
    expect((await problems('/api/v1/alerts?sort=score&cursor=%7B%7D'))[0].field).toBe('cursor');
  });

  it('refuses a rule filter that neither the catalogue nor any alert has, and lists the stored ones', async () => {
    const typo = await problems('/api/v1/alerts?rule=aml.structurng');
    expect(typo).toEqual([
      { field: 'rule', rule: expect.stringContaining('aml.structuring') as string },
    ]);
    const stored = (
      await request(http).get('/api/v1/alerts?rule=e2e.rule').set(ANALYST).expect(200)
    ).body as Listed;
    expect(stored.items.length).toBeGreaterThan(0);
    // A rule stored alerts carry, with another filter that leaves none: an empty page, no 400.
    const none = (
      await request(http)
        .get('/api/v1/alerts?rule=e2e.rule&from=2099-01-01T00:00:00Z')
        .set(ANALYST)
        .expect(200)
    ).body as Listed;
    expect(none.items).toEqual([]);
    const known = (
      await request(http).get('/api/v1/alerts?rule=aml.structuring').set(ANALYST).expect(200)
    ).body as Listed;
    expect(known.items).toEqual([]);
  });

  it('finds companies by the beginnings of words of their name in any case, or by id, paged', async () => {
    const search = async (query: string): Promise<Found> =>
      (await request(http).get(`/api/v1/companies/search?${query}`).set(ANALYST).expect(200))
        .body as Found;
    const acme = await search('q=ACME');
    expect(acme.items.map((c) => c.props.name)).toEqual([
      'Acme Holdings Ltd',
      'HARBOUR ACMELITE PLC',
    ]);
    expect(acme.nextCursor).toBeUndefined();
    // Every word counts: "harb acm" is only the company with both.
    expect((await search('q=harb%20acm')).items.map((c) => c.uid)).toEqual(['company:gb:00000003']);
    // A word must begin a word of the name: "cmelite" is inside "Acmelite", not at its start.
    expect((await search('q=cmelite')).items).toEqual([]);
    // The exact business id (no name has the words "company", "gb", "00000002").
    const byId = await search('q=company:gb:00000002');
    expect(byId.items.map((c) => c.uid)).toEqual(['company:gb:00000002']);
    const first = await search('q=harbour&limit=1');
    expect(first.items.map((c) => c.uid)).toEqual(['company:gb:00000002']);
    const second = await search(
      `q=harbour&limit=1&cursor=${encodeURIComponent(first.nextCursor ?? '')}`,
    );
    expect(second.items.map((c) => c.uid)).toEqual(['company:gb:00000003']);
    expect(second.nextCursor).toBeUndefined();
    // Pattern characters are ignored, never read as a pattern.
    expect((await search(`q=${encodeURIComponent('[uk] ltd.*')}`)).items.map((c) => c.uid)).toEqual(
      ['company:gb:00000004'],
    );
    expect((await search(`q=${encodeURIComponent('.*')}`)).items).toEqual([]);
    // Viewers may search the registry, as they may list entities.
    await request(http).get('/api/v1/companies/search?q=acme').set(VIEWER).expect(200);
  });

  it('answers 400 naming the field for a missing, blank or long q, a bad limit or cursor', async () => {
    const fieldOf = async (query: string): Promise<string | undefined> => {
      const response = await request(http)
        .get(`/api/v1/companies/search?${query}`)
        .set(ANALYST)
        .expect(400);
      return (response.body as ErrorBody).details?.problems?.[0]?.field;
    };
    expect(await fieldOf('')).toBe('q');
    expect(await fieldOf('q=%20%20')).toBe('q');
    expect(await fieldOf(`q=${'x'.repeat(201)}`)).toBe('q');
    expect(await fieldOf('q=acme&limit=0')).toBe('limit');
    expect(await fieldOf('q=acme&limit=101')).toBe('limit');
    expect(await fieldOf('q=acme&cursor=garbage')).toBe('cursor');
    expect(await fieldOf('q=acme&q=acme')).toBe('q');
  });
});
