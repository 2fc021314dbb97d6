import { ids, movementEdge } from '@app/vocabulary';
import type {
  AccountVertex,
  Channel,
  CompanyVertex,
  GraphEdge,
  GraphVertex,
  IdentifierKind,
  IdentifierVertex,
  Movement,
  PersonVertex,
} from '@app/vocabulary';
import type { GraphStore } from '../graph-store.port';

/*
 * A small hand-built bank for the GraphStore contract suite (28 vertices and 69 edges,
 * small enough to reload before every test against a real JanusGraph).
 *
 * People and companies (OWNS share in %, CONTROLS marked):
 *
 *   alice --60%--> holdco --80%--> midco --100%--> opco      (3 layers above opco)
 *                   bob ---20%-------^               ^
 *                   dave ----CONTROLS (board)--------'        (control only, no shares)
 *
 *   carol --60%--> cycA --50%--> cycB --40%--> cycA           (a cycle)
 *                  dave ---50%---^
 *
 * Accounts a1..a8 at bank "fxbank"; a7 is dormant, a8 is a business account of opco held
 * jointly with carol (its only account with two holders).
 *
 * Identifiers (USES):
 *   device  used by a1, a2                (shared by 2)
 *   email   used by a3, a4, a5            (shared by 3)
 *   card    used by a2, a6                (shared by 2)
 *   ip      used by a1..a6                (a hub: 6 accounts > FIXTURE_HUB_CAP)
 *   phone   used by a7 only               (not shared)
 *
 * Four Events (HAS_EVENT): a1 logs in at T0+30min and changes its credentials at T0+6h; a2
 * adds a device and logs in at the same instant, T0+2h (a tie ordered by event uid). One Alert
 * FLAGS a1 and midco, with the StatusChange of its raise (HAS_STATUS_CHANGE). One AuditEntry
 * (an analyst reading that alert) stands alone, without edges, and so does one Case holding the
 * alert, with a note and its opening in its history (JSON documents), and one TotpEnrolment (an
 * analyst's authenticator, its secret an opaque ciphertext).
 *
 * 30 movements (see MOVEMENT_ROWS): a fan-out from a1, a fan-in to a8, a chain, a 2-cycle,
 * timestamp ties (m12/m13, m24/m25, m28/m29) and a self-transfer (m26).
 */

export const FIXTURE_T0 = Date.UTC(2025, 0, 6); // Monday 6 January 2025, 00:00 UTC
export const HOUR = 3_600_000;
export const MINUTE = 60_000;
/** The hub cap that makes the fixture's IP (6 accounts) a hub and every other identifier shared. */
export const FIXTURE_HUB_CAP = 4;

type AccountKey = 'a1' | 'a2' | 'a3' | 'a4' | 'a5' | 'a6' | 'a7' | 'a8';
type EventKey = 'a1Login' | 'a2DeviceAdded' | 'a2Login' | 'a1CredentialChange';

/** [number, from, to, hours after T0, amount in cents, channel] */
type MovementRow = [number, AccountKey, AccountKey, number, number, Channel];

const MOVEMENT_ROWS: readonly MovementRow[] = [
  // fan-out from a1 on day 0: six counterparties, one of them twice
  [1, 'a1', 'a2', 1, 120_000, 'wire'],
  [2, 'a1', 'a3', 2, 130_000, 'wire'],
  [3, 'a1', 'a4', 3, 140_000, 'wire'],
  [4, 'a1', 'a5', 4, 150_000, 'wire'],
  [5, 'a1', 'a6', 5, 160_000, 'wire'],
  [6, 'a1', 'a7', 6, 170_000, 'wire'],
  [7, 'a1', 'a2', 7, 180_000, 'wire'],
  // fan-in to a8 on day 1: five counterparties; m12 and m13 share a timestamp
  [8, 'a2', 'a8', 24, 950_000, 'cash'],
  [9, 'a3', 'a8', 25, 960_000, 'cash'],
  [10, 'a4', 'a8', 26, 970_000, 'cash'],
  [11, 'a5', 'a8', 27, 980_000, 'cash'],
  [12, 'a6', 'a8', 28, 990_000, 'cash'],
  [13, 'a2', 'a8', 28, 995_000, 'cash'],
  // a chain on day 2, minutes apart
  [14, 'a3', 'a4', 48, 500_000, 'ach'],
  [15, 'a4', 'a5', 48 + 10 / 60, 450_000, 'ach'],
  [16, 'a5', 'a6', 48 + 20 / 60, 405_000, 'ach'],
  // a 2-cycle on day 3
  [17, 'a6', 'a7', 72, 300_000, 'wire'],
  [18, 'a7', 'a6', 73, 270_000, 'wire'],
  // everything else
  [19, 'a7', 'a1', 96, 5_000, 'card'],
  [20, 'a2', 'a3', 100, 6_000, 'card'],
  [21, 'a4', 'a1', 120, 7_000, 'ach'],
  [22, 'a5', 'a2', 121, 8_000, 'ach'],
  [23, 'a6', 'a3', 122, 9_000, 'ach'],
  [24, 'a8', 'a1', 150, 1_000_000, 'crypto'],
  [25, 'a8', 'a2', 150, 1_100_000, 'crypto'],
  [26, 'a1', 'a1', 160, 10_000, 'internal'],
  [27, 'a3', 'a2', 200, 11_000, 'wire'],
  [28, 'a2', 'a1', 240, 12_000, 'wire'],
  [29, 'a1', 'a3', 240, 13_000, 'wire'],
  [30, 'a7', 'a8', 300, 14_000, 'cheque'],
];

export interface BankFixture {
  /** The id source used for every id (`person:<source>:alice`, `mv:<source>:07`, …). */
  source: string;
  t0: number;
  hubCap: number;
  person: Record<'alice' | 'bob' | 'carol' | 'dave', string>;
  company: Record<'holdco' | 'midco' | 'opco' | 'cycA' | 'cycB', string>;
  account: Record<AccountKey, string>;
  identifier: Record<'device' | 'email' | 'card' | 'ip' | 'phone', string>;
  /** a1's login, the first event. */
  event: string;
  /** Every event by key (`a1Login` is `event`). */
  events: Record<EventKey, string>;
  alert: string;
  /** Movement id by its number in MOVEMENT_ROWS (1..30). */
  movement: (n: number) => string;
  vertices: GraphVertex[];
  /** Every edge except movements. */
  edges: GraphEdge[];
  movements: Movement[];
}

/** Builds the fixture; a different `source` gives the same bank under different ids. */
export function buildBankFixture(source = 'fx'): BankFixture {
  const t0 = FIXTURE_T0;
  const bank = 'fxbank';
  const person = {
    alice: ids.person(source, 'alice'),
    bob: ids.person(source, 'bob'),
    carol: ids.person(source, 'carol'),
    dave: ids.person(source, 'dave'),
  };
  const company = {
    holdco: ids.company(source, 'holdco'),
    midco: ids.company(source, 'midco'),
    opco: ids.company(source, 'opco'),
    cycA: ids.company(source, 'cyc-a'),
    cycB: ids.company(source, 'cyc-b'),
  };
  const accountKeys: AccountKey[] = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8'];
  const account = Object.fromEntries(
    accountKeys.map((key) => [key, ids.account(bank, `${source}-${key}`)]),
  ) as Record<AccountKey, string>;
  const identifierValues = {
    device: ['device', `dev-${source}-1`],
    email: ['email', `shared.${source}@example.com`],
    card: ['card', '4000 0000 0000 0001'],
    ip: ['ip', '203.0.113.7'],
    phone: ['phone', '+44 20 7946 0001'],
  } as const satisfies Record<string, readonly [IdentifierKind, string]>;
  // Card, IP and phone values are the same for every source: a suffix keeps the uids apart.
  const identifierUid = (kind: IdentifierKind, value: string): string =>
    kind === 'card' || kind === 'ip' || kind === 'phone'
      ? `${ids.identifier(kind, value)}.${source}`
      : ids.identifier(kind, value);
  const identifier = {
    device: identifierUid(...identifierValues.device),
    email: identifierUid(...identifierValues.email),
    card: identifierUid(...identifierValues.card),
    ip: identifierUid(...identifierValues.ip),
    phone: identifierUid(...identifierValues.phone),
  };
  const event = ids.event(source, 'login-1');
  const events: Record<EventKey, string> = {
    a1Login: event,
    a2DeviceAdded: ids.event(source, 'device-added-1'),
    a2Login: ids.event(source, 'login-2'),
    a1CredentialChange: ids.event(source, 'credential-change-1'),
  };
  const alert = ids.alert('fan-out', `${source}-a1`);
  const statusChange = ids.statusChange(alert, 0);
  const movement = (n: number): string => ids.movement(source, n.toString().padStart(2, '0'));

  const personVertex = (
    uid: string,
    name: string,
    extra: Partial<PersonVertex['props']> = {},
  ): PersonVertex => ({
    label: 'Person',
    uid,
    props: { name, isPep: false, isSanctioned: false, nationality: 'GB', ...extra },
  });
  const companyVertex = (
    uid: string,
    name: string,
    extra: Partial<CompanyVertex['props']> = {},
  ): CompanyVertex => ({
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
      ...extra,
    },
  });
  const accountVertex = (key: AccountKey): AccountVertex => ({
    label: 'Account',
    uid: account[key],
    props: {
      accountType: key === 'a8' ? 'business' : 'personal',
      currency: 'GBP',
      openedAt: t0 - 365 * 24 * HOUR,
      status: key === 'a7' ? 'dormant' : 'active',
      bankId: bank,
      country: 'GB',
    },
  });
  const identifierVertex = (key: keyof typeof identifierValues): IdentifierVertex => ({
    label: 'Identifier',
    uid: identifier[key],
    props: { kind: identifierValues[key][0], value: identifierValues[key][1] },
  });

  const vertices: GraphVertex[] = [
    personVertex(person.alice, 'Alice Archer', { birthDate: '1970-03-01' }),
    personVertex(person.bob, 'Bob Baker'),
    personVertex(person.carol, 'Carol Cole', { isPep: true, nationality: 'FR' }),
    personVertex(person.dave, 'Dave Dunn'),
    companyVertex(company.holdco, 'Holdco Ltd', { registrationNumber: '00000001' }),
    companyVertex(company.midco, 'Midco Ltd'),
    companyVertex(company.opco, 'Opco Ltd'),
    companyVertex(company.cycA, 'Cycle A SA', { jurisdiction: 'LU', isShell: true }),
    companyVertex(company.cycB, 'Cycle B SA', { jurisdiction: 'LU' }),
    ...accountKeys.map(accountVertex),
    identifierVertex('device'),
    identifierVertex('email'),
    identifierVertex('card'),
    identifierVertex('ip'),
    identifierVertex('phone'),
    {
      label: 'Event',
      uid: event,
      props: { kind: 'login', timestamp: t0 + 30 * MINUTE, country: 'GB' },
    },
    {
      label: 'Event',
      uid: events.a2DeviceAdded,
      props: { kind: 'device-added', timestamp: t0 + 2 * HOUR, identifierUid: identifier.device },
    },
    {
      label: 'Event',
      uid: events.a2Login,
      props: { kind: 'login', timestamp: t0 + 2 * HOUR, country: 'FR' },
    },
    {
      label: 'Event',
      uid: events.a1CredentialChange,
      props: { kind: 'credential-change', timestamp: t0 + 6 * HOUR },
    },
    {
      label: 'Alert',
      uid: alert,
      props: {
        ruleId: 'fan-out',
        ruleVersion: '1',
        typology: 'fan-out',
        score: 0.8,
        severity: 'high',
        status: 'open',
        explanation: 'a1 paid 6 counterparties in one day',
        fingerprint: `${source}-a1`,
        createdAt: t0 + 8 * HOUR,
        updatedAt: t0 + 8 * HOUR,
        windowStart: t0,
        windowEnd: t0 + 24 * HOUR,
        movementIds: [1, 2, 3, 4, 5, 6, 7].map(movement),
      },
    },
    {
      label: 'StatusChange',
      uid: statusChange,
      props: {
        alertId: alert,
        seq: 0,
        toStatus: 'open',
        at: t0 + 8 * HOUR,
        note: 'raised by fan-out 1',
        actor: 'detector',
      },
    },
    {
      label: 'AuditEntry',
      uid: ids.auditEntry(t0 + 9 * HOUR, 0, source.replace(/[^A-Za-z0-9]/g, '')),
      props: {
        at: t0 + 9 * HOUR,
        principal: 'key-0123456789ab',
        role: 'analyst',
        method: 'GET',
        route: '/api/v1/alerts/:alertId',
        path: `/api/v1/alerts/${alert}`,
        resourceParams: [`alertId=${alert}`],
        resource: alert,
        httpStatus: 200,
        correlationId: `${source}-request-1`,
      },
    },
    {
      label: 'Case',
      uid: `case:${source.replace(/[^A-Za-z0-9]/g, '')}-1`,
      props: {
        title: 'Fan-out from a1',
        status: 'investigating',
        assignee: 'user:alice',
        createdBy: 'key-0123456789ab',
        createdAt: t0 + 10 * HOUR,
        updatedAt: t0 + 11 * HOUR,
        alertIds: [alert],
        notes: [JSON.stringify({ noteId: 'n1', text: 'Calling the customer.', attachments: [] })],
        history: [JSON.stringify({ from: null, to: 'open', at: t0 + 10 * HOUR })],
      },
    },
    {
      label: 'TotpEnrolment',
      uid: `totp:key-${source.replace(/[^A-Za-z0-9]/g, '')}`,
      props: {
        principalId: `key-${source.replace(/[^A-Za-z0-9]/g, '')}`,
        encryptedSecret: 'v1.aXYtaXYtaXYtaXY.dGFnLXRhZy10YWctdGFn.Y2lwaGVydGV4dA',
        confirmed: true,
        enrolledAt: t0 + 12 * HOUR,
        backupCodes: [JSON.stringify({ salt: '00ff', hash: 'ab12', used: false })],
        lastUsedStep: 58_000_000,
      },
    },
  ];

  const owns = (n: number, from: string, to: string, percent: number): GraphEdge => ({
    label: 'OWNS',
    eid: ids.relation(source, `owns-${n}`),
    from,
    to,
    props: {
      interestType: 'shareholding',
      shareMinBp: percent * 100,
      shareMaxBp: percent * 100,
      shareMinExclusive: false,
      shareMaxExclusive: false,
      directOrIndirect: 'direct',
      beneficialOwnershipOrControl: from.startsWith('person:'),
    },
  });
  const holds = (owner: string, key: AccountKey): GraphEdge => ({
    label: 'HOLDS',
    eid: ids.structural('HOLDS', owner, account[key]),
    from: owner,
    to: account[key],
    props: { role: 'holder' },
  });
  const uses = (key: AccountKey, identifierKey: keyof typeof identifier): GraphEdge => ({
    label: 'USES',
    eid: ids.structural('USES', account[key], identifier[identifierKey]),
    from: account[key],
    to: identifier[identifierKey],
    props: { firstSeen: t0 - 30 * 24 * HOUR, lastSeen: t0 },
  });

  const hasEvent = (key: AccountKey, eventUid: string): GraphEdge => ({
    label: 'HAS_EVENT',
    eid: ids.structural('HAS_EVENT', account[key], eventUid),
    from: account[key],
    to: eventUid,
    props: {},
  });

  const edges: GraphEdge[] = [
    owns(1, person.alice, company.holdco, 60),
    owns(2, company.holdco, company.midco, 80),
    owns(3, person.bob, company.midco, 20),
    owns(4, company.midco, company.opco, 100),
    owns(5, person.carol, company.cycA, 60),
    owns(6, company.cycA, company.cycB, 50),
    owns(7, company.cycB, company.cycA, 40),
    owns(8, person.dave, company.cycB, 50),
    {
      label: 'CONTROLS',
      eid: ids.relation(source, 'controls-1'),
      from: person.dave,
      to: company.opco,
      props: {
        interestType: 'boardMember',
        directOrIndirect: 'direct',
        beneficialOwnershipOrControl: true,
      },
    },
    holds(person.alice, 'a1'),
    holds(person.bob, 'a2'),
    holds(person.carol, 'a3'),
    holds(person.dave, 'a4'),
    holds(person.alice, 'a5'),
    holds(person.bob, 'a6'),
    holds(person.carol, 'a7'),
    holds(company.opco, 'a8'),
    holds(person.carol, 'a8'),
    uses('a1', 'device'),
    uses('a2', 'device'),
    uses('a3', 'email'),
    uses('a4', 'email'),
    uses('a5', 'email'),
    uses('a2', 'card'),
    uses('a6', 'card'),
    ...(['a1', 'a2', 'a3', 'a4', 'a5', 'a6'] as const).map((key) => uses(key, 'ip')),
    uses('a7', 'phone'),
    hasEvent('a1', events.a1Login),
    hasEvent('a2', events.a2DeviceAdded),
    hasEvent('a2', events.a2Login),
    hasEvent('a1', events.a1CredentialChange),
    {
      label: 'FLAGS',
      eid: ids.structural('FLAGS', alert, account.a1),
      from: alert,
      to: account.a1,
      props: { role: 'subject' },
    },
    {
      label: 'FLAGS',
      eid: ids.structural('FLAGS', alert, company.midco),
      from: alert,
      to: company.midco,
      props: { role: 'counterparty' },
    },
    {
      label: 'HAS_STATUS_CHANGE',
      eid: ids.statusChangeEdge(alert, 0),
      from: alert,
      to: statusChange,
      props: {},
    },
  ];

  const movements: Movement[] = MOVEMENT_ROWS.map(([n, from, to, hours, amountMinor, channel]) => ({
    movementId: movement(n),
    fromAccount: account[from],
    toAccount: account[to],
    amountMinor,
    currency: 'GBP',
    timestamp: t0 + Math.round(hours * HOUR),
    channel,
  }));

  return {
    source,
    t0,
    hubCap: FIXTURE_HUB_CAP,
    person,
    company,
    account,
    identifier,
    event,
    events,
    alert,
    movement,
    vertices,
    edges,
    movements,
  };
}

/** Every edge of the fixture, movements included, in a scrambled (non-chronological) order. */
export function fixtureEdges(fixture: BankFixture): GraphEdge[] {
  const movementEdges = fixture.movements.map(movementEdge);
  // Interleave odd movements backwards and even ones forwards: stores must not rely on order.
  const scrambled = [
    ...movementEdges.filter((_, i) => i % 2 === 1).reverse(),
    ...movementEdges.filter((_, i) => i % 2 === 0),
  ];
  return [...fixture.edges, ...scrambled];
}

/** Loads the whole fixture into a store: vertices first, then every edge. */
export async function loadBankFixture(store: GraphStore, fixture: BankFixture): Promise<void> {
  await store.upsertVertices(fixture.vertices);
  await store.upsertEdges(fixtureEdges(fixture));
}
