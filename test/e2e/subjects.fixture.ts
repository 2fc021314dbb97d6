import { NestExpressApplication } from '@nestjs/platform-express';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { GraphStore, MemoryGraphStore } from '@app/graph-store';
import { appSettings, loadAllSettings, seederSettings } from '@app/settings';
import { ids, movementEdge } from '@app/vocabulary';
import type { AccountVertex, GraphEdge, GraphVertex, Movement } from '@app/vocabulary';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-api';

// A data subject added to the seeded tiny bank: a person with personal fields, two accounts
// (one fanning out to five others in an afternoon, so the fan-out rule raises an alert), contact
// identifiers of their own, an address shared with another customer, and a company they own.

export const ADMIN_KEY = 'dev-admin-key';
export const ANALYST_KEY = 'dev-analyst-key';
export const VIEWER_KEY = 'dev-viewer-key';
export const ADMIN = { 'X-API-Key': ADMIN_KEY };
export const ANALYST = { 'X-API-Key': ANALYST_KEY };

export const SUBJECT = 'person:e2e:subject';
export const SUBJECT_NAME = 'Imogen Quarrington-Vale';
export const SUBJECT_BIRTH_DATE = '1984-03-09';
export const NEIGHBOUR = 'person:e2e:neighbour';
export const NEIGHBOUR_NAME = 'Barnaby Ostrowski-Fenn';
export const PAYER = 'account:e2e:S';
export const SAVINGS = 'account:e2e:SAV';
export const PAYEES = ['account:e2e:P1', 'account:e2e:P2', 'account:e2e:P3', 'account:e2e:P4'];
export const EMAIL = ids.identifier('email', 'imogen.qv@example.org');
export const PHONE = ids.identifier('phone', '+44 20 7946 0958');
export const DEVICE = ids.identifier('device', 'device-e2e-7');
export const SHARED_ADDRESS = ids.identifier('address', '12 Mill Lane, Exampleton');
export const COMPANY = 'company:e2e:holdco';
export const SCAN = {
  rules: ['aml.fan-out'],
  from: '2025-01-01T00:00:00Z',
  to: '2025-02-01T00:00:00Z',
};

const T0 = Date.UTC(2025, 0, 6, 10);
const HOUR = 3_600_000;

function account(uid: string): AccountVertex {
  return {
    label: 'Account',
    uid,
    props: {
      accountType: 'personal',
      currency: 'USD',
      openedAt: Date.UTC(2020, 0, 1),
      status: 'active',
      bankId: 'e2e',
      country: 'GB',
    },
  };
}

function structural(label: 'HOLDS' | 'USES', from: string, to: string): GraphEdge {
  return label === 'HOLDS'
    ? { label, eid: ids.structural(label, from, to), from, to, props: { role: 'holder' } }
    : {
        label,
        eid: ids.structural(label, from, to),
        from,
        to,
        props: { firstSeen: T0 - 100 * 24 * HOUR, lastSeen: T0 },
      };
}

export async function addSubject(store: GraphStore): Promise<void> {
  const vertices: GraphVertex[] = [
    {
      label: 'Person',
      uid: SUBJECT,
      props: {
        name: SUBJECT_NAME,
        birthDate: SUBJECT_BIRTH_DATE,
        nationality: 'GB',
        residence: 'GB',
        isPep: false,
        isSanctioned: false,
      },
    },
    {
      label: 'Person',
      uid: NEIGHBOUR,
      props: { name: NEIGHBOUR_NAME, birthDate: '1979-11-30', isPep: false, isSanctioned: false },
    },
    ...[PAYER, SAVINGS, ...PAYEES, 'account:e2e:P5'].map(account),
    { label: 'Identifier', uid: EMAIL, props: { kind: 'email', value: 'imogen.qv@example.org' } },
    { label: 'Identifier', uid: PHONE, props: { kind: 'phone', value: '+442079460958' } },
    { label: 'Identifier', uid: DEVICE, props: { kind: 'device', value: 'device-e2e-7' } },
    {
      label: 'Identifier',
      uid: SHARED_ADDRESS,
      props: { kind: 'address', value: '12 Mill Lane, Exampleton' },
    },
    {
      label: 'Company',
      uid: COMPANY,
      props: {
        name: 'Quarrington Holdings Ltd',
        jurisdiction: 'GB',
        companyType: 'company',
        isShell: false,
        isNominee: false,
        hasBearerShares: false,
        isSanctioned: false,
      },
    },
  ];
  await store.upsertVertices(vertices);
  const movements: Movement[] = [...PAYEES, 'account:e2e:P5'].map((to, i) => ({
    movementId: `mv:e2e:${i}`,
    fromAccount: PAYER,
    toAccount: to,
    amountMinor: 2_000_00 + i * 100,
    currency: 'USD',
    timestamp: T0 + i * HOUR,
    channel: 'wire',
  }));
  await store.upsertEdges([
    structural('HOLDS', SUBJECT, PAYER),
    structural('HOLDS', SUBJECT, SAVINGS),
    structural('HOLDS', NEIGHBOUR, 'account:e2e:P1'),
    structural('USES', PAYER, EMAIL),
    structural('USES', PAYER, PHONE),
    structural('USES', SAVINGS, DEVICE),
    structural('USES', SAVINGS, SHARED_ADDRESS),
    structural('USES', 'account:e2e:P1', SHARED_ADDRESS),
    {
      label: 'OWNS',
      eid: ids.relation('e2e', 'subject-holdco'),
      from: SUBJECT,
      to: COMPANY,
      props: {
        interestType: 'shareholding',
        shareMinBp: 6000,
        shareMaxBp: 6000,
        shareMinExclusive: false,
        shareMaxExclusive: false,
        directOrIndirect: 'direct',
        beneficialOwnershipOrControl: true,
      },
    },
    ...movements.map(movementEdge),
  ]);
}

/** The API over the seeded tiny bank plus the subject; `adjust` may override more providers. */
export async function bootWithSubject(
  adjust: (builder: TestingModuleBuilder) => TestingModuleBuilder = (builder) => builder,
  options: { logger?: false } = { logger: false },
): Promise<{ app: NestExpressApplication; store: MemoryGraphStore }> {
  const store = new MemoryGraphStore();
  const defaults = loadAllSettings({});
  const builder = Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(GraphStore)
    .useValue(store)
    .overrideProvider(appSettings.KEY)
    .useValue({ ...defaults.app, seedOnStart: true })
    .overrideProvider(seederSettings.KEY)
    .useValue({ ...defaults.seeder, profile: 'tiny' });
  const moduleRef = await adjust(builder).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(
    options.logger === false ? { logger: false } : { bufferLogs: true },
  );
  return { app, store };
}

/** Initialises the app (seeding the tiny bank) and adds the subject. */
export async function start(app: NestExpressApplication, store: GraphStore): Promise<void> {
  configureApi(app, loadAllSettings({}).app);
  await app.init();
  await addSubject(store);
}
