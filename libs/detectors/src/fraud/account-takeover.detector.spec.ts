import { HOUR, MINUTE, DAY, event, mv, runDetector, T0 } from '../testing/fixtures';
import { testMoney } from '../testing/fx-fixtures';
import { accountTakeoverDetector } from './account-takeover.detector';

const usual = [
  event('acc:V', 'login', T0 - 10 * DAY, { identifierUid: 'device:home', country: 'US' }),
  event('acc:V', 'login', T0 - 3 * DAY, { identifierUid: 'device:home', country: 'US' }),
];

function takeover(drain = 6_000_00, changeAfter = 15 * MINUTE) {
  const login = event('acc:V', 'login', T0, { identifierUid: 'device:new', country: 'US' });
  const change = event('acc:V', 'credential-change', T0 + changeAfter, {
    identifierUid: 'device:new',
  });
  const transfer = mv('acc:V', 'acc:Mule', drain, T0 + changeAfter + 30 * MINUTE, {
    identifierUid: 'device:new',
  });
  return { events: [...usual, login, change], movements: [transfer] };
}

describe('accountTakeoverDetector', () => {
  it('fires on a new-device login, a credential change and a draining transfer, in that order', () => {
    const { events, movements } = takeover();
    const { alerts } = runDetector(accountTakeoverDetector, movements, { events });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain('login with new device device:new');
    expect(alerts[0].explanation).toContain('then a credential-change');
    expect(alerts[0].explanation).toContain(
      '1 outgoing transfer totalling 6000.00 USD to acc:Mule',
    );
    expect(alerts[0].events?.map((e) => e.kind)).toEqual(['login', 'credential-change']);
  });

  it('does not fire without the credential or contact change (near miss)', () => {
    const { events, movements } = takeover();
    expect(
      runDetector(accountTakeoverDetector, movements, {
        events: events.filter((e) => e.kind === 'login'),
      }).alerts,
    ).toHaveLength(0);
  });

  it('does not fire when the transfer is below the draining amount, or comes days later', () => {
    const small = takeover(999_99);
    expect(
      runDetector(accountTakeoverDetector, small.movements, { events: small.events }).alerts,
    ).toHaveLength(0);
    const { events, movements } = takeover();
    const late = movements.map((m) => ({ ...m, timestamp: m.timestamp + 4 * DAY }));
    expect(runDetector(accountTakeoverDetector, late, { events }).alerts).toHaveLength(0);
  });

  it('does not fire on a password change from the usual device before paying rent (decoy)', () => {
    const events = [
      ...usual,
      event('acc:V', 'login', T0, { identifierUid: 'device:home', country: 'US' }),
      event('acc:V', 'credential-change', T0 + 5 * MINUTE, { identifierUid: 'device:home' }),
    ];
    const rent = mv('acc:V', 'acc:Landlord', 1_500_00, T0 + HOUR, { reference: 'rent' });
    expect(runDetector(accountTakeoverDetector, [rent], { events }).alerts).toHaveLength(0);
  });
});

describe('accountTakeoverDetector without earlier logins', () => {
  it('treats a login far from where the account usually pays as a new location', () => {
    const shopping = [
      mv('acc:V', 'acc:Shop', 25_00, T0 - 5 * DAY, {
        channel: 'card',
        country: 'US',
        latitude: 40.71,
        longitude: -74.0,
      }),
    ];
    const login = event('acc:V', 'login', T0, {
      identifierUid: 'device:x',
      country: 'US',
      latitude: 34.05,
      longitude: -118.24,
    });
    const change = event('acc:V', 'contact-change', T0 + 10 * MINUTE, {
      identifierUid: 'phone:+1999',
    });
    const drain = mv('acc:V', 'acc:Mule', 5_000_00, T0 + HOUR);
    const { alerts } = runDetector(accountTakeoverDetector, [...shopping, drain], {
      events: [login, change],
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toMatch(/new location 39\d\d km from the account's usual places/);
    // Without any earlier trace of the account, nothing is "new".
    expect(
      runDetector(accountTakeoverDetector, [drain], { events: [login, change] }).alerts,
    ).toHaveLength(0);
  });
});

describe('accountTakeoverDetector with a device enrolment', () => {
  // An account whose holder rarely banks online: no login or located payment before T0.
  function enrolledTakeover(drain = 6_905_23) {
    const login = event('acc:V', 'login', T0, { identifierUid: 'device:new', country: 'US' });
    const enrolment = event('acc:V', 'device-added', T0 + 2 * MINUTE, {
      identifierUid: 'device:new',
      country: 'US',
    });
    const change = event('acc:V', 'credential-change', T0 + 12 * MINUTE, {
      identifierUid: 'device:new',
    });
    const contact = event('acc:V', 'contact-change', T0 + 30 * MINUTE, {
      identifierUid: 'phone:+1999',
    });
    const transfer = mv('acc:V', 'acc:Mule', drain, T0 + 55 * MINUTE, { channel: 'ach' });
    return { login, enrolment, change, events: [login, enrolment, change, contact], transfer };
  }

  it('fires without earlier history: the enrolment says the device is new', () => {
    const { login, enrolment, change, events, transfer } = enrolledTakeover();
    const { alerts } = runDetector(accountTakeoverDetector, [transfer], { events });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].windowStart).toBe(login.timestamp);
    expect(alerts[0].explanation).toContain(
      'login with new device device:new at 2025-01-06T10:00:00.000Z (device enrolled at 2025-01-06T10:02:00.000Z)',
    );
    expect(alerts[0].events?.map((e) => e.eventId)).toEqual([
      login.eventId,
      enrolment.eventId,
      change.eventId,
    ]);
    // An enrolment with no login before it starts the sequence itself.
    const alone = runDetector(accountTakeoverDetector, [transfer], {
      events: events.filter((e) => e.kind !== 'login'),
    }).alerts;
    expect(alone).toHaveLength(1);
    expect(alone[0].explanation).toContain('device enrolment with new device device:new');
  });

  it('does not fire on an enrolment without a change, or without a draining transfer (near miss)', () => {
    const { events, transfer } = enrolledTakeover();
    const noChange = events.filter((e) => e.kind === 'login' || e.kind === 'device-added');
    expect(
      runDetector(accountTakeoverDetector, [transfer], { events: noChange }).alerts,
    ).toHaveLength(0);
    const small = enrolledTakeover(999_99);
    expect(
      runDetector(accountTakeoverDetector, [small.transfer], { events: small.events }).alerts,
    ).toHaveLength(0);
  });

  it('does not count re-enrolling a device the account has used for longer than the window', () => {
    const events = [
      ...usual,
      event('acc:V', 'device-added', T0, { identifierUid: 'device:home', country: 'US' }),
      event('acc:V', 'credential-change', T0 + 10 * MINUTE, { identifierUid: 'device:home' }),
    ];
    const transfer = mv('acc:V', 'acc:Friend', 2_000_00, T0 + HOUR);
    expect(runDetector(accountTakeoverDetector, [transfer], { events }).alerts).toHaveLength(0);
  });

  it('keeps the sequence a new-device login began when that device is enrolled after the change', () => {
    const login = event('acc:V', 'login', T0, { identifierUid: 'device:new', country: 'US' });
    const events = [
      ...usual,
      login,
      event('acc:V', 'credential-change', T0 + 10 * MINUTE, { identifierUid: 'device:new' }),
      event('acc:V', 'device-added', T0 + 20 * MINUTE, { identifierUid: 'device:new' }),
    ];
    const transfer = mv('acc:V', 'acc:Mule', 3_000_00, T0 + HOUR);
    const { alerts } = runDetector(accountTakeoverDetector, [transfer], { events });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].windowStart).toBe(login.timestamp);
    expect(alerts[0].events?.map((e) => e.kind)).toEqual(['login', 'credential-change']);
  });

  it('does not fire on a customer setting up a new phone who then pays rent and shops (decoy)', () => {
    const { events } = enrolledTakeover();
    const rent = mv('acc:V', 'acc:Landlord', 1_800_00, T0 + HOUR, { reference: 'rent' });
    const shop = mv('acc:V', 'acc:Shop', 1_200_00, T0 + 2 * HOUR, { channel: 'card' });
    expect(runDetector(accountTakeoverDetector, [rent, shop], { events }).alerts).toHaveLength(0);
  });

  it('adds up drains in different currencies in the base currency', () => {
    const { events } = takeover();
    const money = testMoney('USD');
    const at = T0 + 45 * MINUTE;
    const drain = (amount: number, currency: string, later: number) =>
      mv('acc:V', 'acc:Mule', amount, at + later, { identifierUid: 'device:new', currency });
    // 400 EUR = 500 USD, then 320 GBP = 500 USD: 1000 USD reaches the 1000.00 USD drain amount.
    const first = drain(400_00, 'EUR', 0);
    expect(runDetector(accountTakeoverDetector, [first], { events, money }).alerts).toHaveLength(0);
    const { alerts } = runDetector(
      accountTakeoverDetector,
      [first, drain(320_00, 'GBP', 10 * MINUTE)],
      { events, money },
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toContain(
      '2 outgoing transfers totalling 400.00 EUR + 320.00 GBP = 1000.00 USD to acc:Mule',
    );
    expect(alerts[0].explanation).toContain('draining starts at 1000.00 USD');
    expect(alerts[0].facts).toMatchObject({ drainedMinor: 1_000_00, baseCurrency: 'USD' });
  });

  it('picks batch candidates by their outflows in the base currency', () => {
    const money = testMoney('USD');
    const plan = accountTakeoverDetector.batchPlan(
      { windowHours: 72, minDrainAmount: '1000.00', firstLoginIsNew: false, newLocationKm: 300 },
      money,
    );
    if (plan.kind !== 'accounts') throw new Error(`expected an accounts plan, got ${plan.kind}`);
    // A tenth of 1000 USD is 100 USD: 80 EUR (100 USD) counts, 11000 JPY (91.67 USD) does not.
    expect(plan.select(mv('acc:A', 'acc:B', 80_00, T0, { currency: 'EUR' }))).toEqual(['acc:A']);
    expect(plan.select(mv('acc:A', 'acc:B', 11_000, T0, { currency: 'JPY' }))).toEqual([]);
  });
});
