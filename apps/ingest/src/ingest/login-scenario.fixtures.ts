import type {
  AccountVertex,
  EventProps,
  EventVertex,
  GraphEdge,
  GraphVertex,
  Movement,
  PersonVertex,
} from '@app/vocabulary';

/**
 * A hand-made day of logins that only account events reveal (no movement shows them), for
 * checking that batch, the store scan and the ingest worker raise the same alerts:
 *
 * - one IP address (`ip:203.0.113.7`) from which 11 customers' accounts log in within 4 hours
 *   (credential stuffing: fraud.card-velocity fires at 10 accounts per identifier a day);
 * - account 1 logs in from London, then from Los Angeles one hour later (about 8,760 km:
 *   fraud.impossible-travel);
 * - account 12 logs in from London, then pays by card in Los Angeles 30 minutes later (a login
 *   then a geolocated movement: impossible travel across an event and a movement).
 *
 * Every login precedes every movement in time, so the ingest worker, which takes the entities
 * topic (events) and the movements topic separately, sees them in replay order when the
 * entities are published first.
 */
export const SCENARIO_START = Date.UTC(2025, 2, 3, 8, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const STUFFED_IP = 'ip:203.0.113.7';
const LONDON = { country: 'GB', latitude: 51.51, longitude: -0.13 };
const LOS_ANGELES = { country: 'US', latitude: 34.05, longitude: -118.24 };
const CUSTOMERS = 12;

function accountUid(n: number): string {
  return `account:scenario:${n}`;
}

function personVertex(n: number): PersonVertex {
  return {
    label: 'Person',
    uid: `person:scenario:${n}`,
    props: { name: `Customer ${n}`, isPep: false, isSanctioned: false },
  };
}

function accountVertex(uid: string, accountType: AccountVertex['props']['accountType']) {
  const vertex: AccountVertex = {
    label: 'Account',
    uid,
    props: {
      accountType,
      currency: 'USD',
      openedAt: Date.UTC(2020, 0, 1),
      status: 'active',
      bankId: 'scenario',
      country: 'GB',
    },
  };
  return vertex;
}

function eventVertex(key: string, props: EventProps): EventVertex {
  return { label: 'Event', uid: `event:scenario:${key}`, props };
}

function hasEvent(account: string, event: EventVertex): GraphEdge {
  return {
    label: 'HAS_EVENT',
    eid: `HAS_EVENT:${account}>${event.uid}`,
    from: account,
    to: event.uid,
    props: {},
  };
}

export interface LoginScenario {
  /** People, accounts and Event vertices. */
  vertices: GraphVertex[];
  /** HOLDS and HAS_EVENT edges (everything but movements). */
  entityEdges: GraphEdge[];
  movements: Movement[];
  /** [first activity, last activity + 1 ms). */
  window: { from: number; to: number };
}

export function loginScenario(): LoginScenario {
  const vertices: GraphVertex[] = [];
  const entityEdges: GraphEdge[] = [];
  for (let n = 1; n <= CUSTOMERS; n += 1) {
    const person = personVertex(n);
    const account = accountUid(n);
    vertices.push(person, accountVertex(account, 'personal'));
    entityEdges.push({
      label: 'HOLDS',
      eid: `HOLDS:${person.uid}>${account}`,
      from: person.uid,
      to: account,
      props: { role: 'holder' },
    });
  }
  const merchant = 'account:scenario:merchant-la';
  vertices.push(accountVertex(merchant, 'business'));

  const login = (key: string, n: number, at: number, where: typeof LONDON, ip?: string): void => {
    const event = eventVertex(key, {
      kind: 'login',
      timestamp: at,
      ...where,
      ...(ip ? { identifierUid: ip } : {}),
    });
    vertices.push(event);
    entityEdges.push(hasEvent(accountUid(n), event));
  };
  // 11 accounts on one IP within 4 hours (accounts 1 to 11, 20 minutes apart).
  for (let n = 1; n <= 11; n += 1)
    login(`stuffing-${n}`, n, SCENARIO_START + (n - 1) * 20 * MINUTE, LONDON, STUFFED_IP);
  // Account 1 again, from Los Angeles, one hour after its London login.
  login('travel-1', 1, SCENARIO_START + HOUR, LOS_ANGELES);
  // Account 12 logs in from London at noon; its card is used in Los Angeles 30 minutes later.
  const lastLogin = SCENARIO_START + 4 * HOUR;
  login('travel-12', 12, lastLogin, LONDON);

  const payment: Movement = {
    movementId: 'mv:scenario:card-la',
    fromAccount: accountUid(12),
    toAccount: merchant,
    amountMinor: 8_450,
    currency: 'USD',
    timestamp: lastLogin + 30 * MINUTE,
    channel: 'card',
    ...LOS_ANGELES,
  };
  return {
    vertices,
    entityEdges,
    movements: [payment],
    window: { from: SCENARIO_START, to: payment.timestamp + 1 },
  };
}
