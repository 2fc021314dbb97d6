import { HOUR, MINUTE, DAY, event, mv, runDetector, T0 } from '../testing/fixtures';
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
