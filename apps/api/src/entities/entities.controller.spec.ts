import { Global, INestApplication, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { loadAllSettings, moneySettings } from '@app/settings';
import { movementEdge } from '@app/vocabulary';
import type { GraphEdge, GraphVertex } from '@app/vocabulary';
import { DomainExceptionFilter } from '../common/domain-exception.filter';
import { createValidationPipe } from '../common/validation';
import { EntitiesModule } from './entities.module';

type Json = Record<string, unknown>;

const OPENED = Date.UTC(2020, 0, 1);
const PAID = Date.UTC(2025, 0, 6, 10);

function account(uid: string, currency: string): GraphVertex {
  return {
    label: 'Account',
    uid,
    props: {
      accountType: 'business',
      currency,
      openedAt: OPENED,
      status: 'active',
      bankId: 'b',
      country: 'GB',
    },
  };
}

const VERTICES: GraphVertex[] = [
  account('account:b:GB01', 'GBP'),
  account('account:b:JP01', 'JPY'),
  {
    label: 'Company',
    uid: 'company:b:acme',
    props: {
      name: 'Acme & Sons',
      jurisdiction: 'GB',
      registrationNumber: '01234567',
      companyType: 'company',
      isShell: false,
      isNominee: false,
      hasBearerShares: false,
      isSanctioned: false,
    },
  },
];

const EDGES: GraphEdge[] = [
  {
    label: 'HOLDS',
    eid: 'HOLDS:company:b:acme>account:b:GB01',
    from: 'company:b:acme',
    to: 'account:b:GB01',
    props: { role: 'holder' },
  },
  movementEdge({
    movementId: 'mv:b:1',
    fromAccount: 'account:b:JP01',
    toAccount: 'account:b:GB01',
    amountMinor: 150_000, // JPY has no minor unit
    currency: 'JPY',
    timestamp: PAID,
    channel: 'wire',
  }),
];

function globalsWith(store: GraphStore): new () => unknown {
  @Global()
  @Module({
    providers: [
      { provide: GraphStore, useValue: store },
      { provide: moneySettings.KEY, useValue: loadAllSettings({}).money },
    ],
    exports: [GraphStore, moneySettings.KEY],
  })
  class TestGlobals {}
  return TestGlobals;
}

describe('Entities endpoints written for analysts (HTTP, memory store)', () => {
  let app: INestApplication;
  let http: Parameters<typeof request>[0];

  beforeAll(async () => {
    const store = new MemoryGraphStore();
    await store.upsertVertices(VERTICES);
    await store.upsertEdges(EDGES);
    const moduleRef = await Test.createTestingModule({
      imports: [globalsWith(store), EntitiesModule],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    http = app.getHttpServer() as Parameters<typeof request>[0];
  });

  afterAll(async () => {
    await app.close();
  });

  it('lists accounts with ISO times, their number and the customers who hold them', async () => {
    const response = await request(http).get('/api/v1/entities?label=Account').expect(200);
    const items = (response.body as { items: Json[] }).items;
    expect(items.map((i) => i.uid)).toEqual(['account:b:GB01', 'account:b:JP01']);
    expect(items[0]).toMatchObject({
      props: { openedAt: OPENED, openedAtIso: '2020-01-01T00:00:00.000Z' },
      party: { name: 'GB01', businessId: 'GB01', country: 'GB' },
      holders: [
        { uid: 'company:b:acme', name: 'Acme & Sons', businessId: '01234567', country: 'GB' },
      ],
    });
    expect(items[1]).toMatchObject({ holders: [] });
  });

  it('shows a company by name and registration number, and movements in major units with their base value', async () => {
    const company = await request(http)
      .get('/api/v1/entities/company%3Ab%3Aacme?depth=0')
      .expect(200);
    expect((company.body as { entity: Json }).entity).toMatchObject({
      party: { label: 'Company', name: 'Acme & Sons', businessId: '01234567' },
    });
    const response = await request(http)
      .get('/api/v1/entities/account%3Ab%3AJP01?depth=1')
      .expect(200);
    const edges = (response.body as { neighbourhood: { edges: Json[] } }).neighbourhood.edges;
    const movement = edges.find((e) => e.eid === 'mv:b:1');
    expect(movement).toMatchObject({
      props: { timestamp: PAID, timestampIso: '2025-01-06T10:00:00.000Z' },
      money: { amount: '150000', amountMinor: 150_000, currency: 'JPY' },
    });
    // The shipped FX table prices yen in the base currency at the rate of the day.
    const base = (movement?.money as { base: { currency: string; amount: string } | null }).base;
    expect(base?.currency).toBe(loadAllSettings({}).money.baseCurrency);
    expect(base?.amount).toMatch(/^\d+\.\d{2}$/);
    await request(http).get('/api/v1/entities/company%3Ab%3Anobody').expect(404);
  });
});
