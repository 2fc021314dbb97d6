import { HOUR, MINUTE, event, mv, runDetector, T0 } from '../testing/fixtures';
import { impossibleTravelDetector } from './impossible-travel.detector';

const NEW_YORK = { latitude: 40.7128, longitude: -74.006, country: 'US' };
const LONDON = { latitude: 51.5074, longitude: -0.1278, country: 'GB' };
const BOSTON = { latitude: 42.3601, longitude: -71.0589, country: 'US' };

describe('impossibleTravelDetector', () => {
  it('fires on logins in New York and London an hour apart (about 5570 km/h)', () => {
    const events = [
      event('acc:T', 'login', T0, NEW_YORK),
      event('acc:T', 'login', T0 + HOUR, LONDON),
    ];
    const { alerts } = runDetector(impossibleTravelDetector, [], { events });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].explanation).toMatch(
      /are 557\d km apart in 1 hour \(557\d km\/h; the rule fires above 900 km\/h\)/,
    );
  });

  it('does not fire when the flight takes long enough (near miss: 7 hours, about 796 km/h)', () => {
    const events = [
      event('acc:T', 'login', T0, NEW_YORK),
      event('acc:T', 'login', T0 + 7 * HOUR, LONDON),
    ];
    expect(runDetector(impossibleTravelDetector, [], { events }).alerts).toHaveLength(0);
  });

  it('does not fire on a commuter paying in Boston after a New York login (decoy)', () => {
    const events = [event('acc:T', 'login', T0, NEW_YORK)];
    const payment = mv('acc:T', 'acc:Shop', 25_00, T0 + 4 * HOUR, { channel: 'card', ...BOSTON });
    expect(runDetector(impossibleTravelDetector, [payment], { events }).alerts).toHaveLength(0);
  });

  it('combines a login with a card payment made by the account', () => {
    const events = [event('acc:T', 'login', T0, NEW_YORK)];
    const payment = mv('acc:T', 'acc:Shop', 25_00, T0 + 30 * MINUTE, {
      channel: 'card',
      ...LONDON,
    });
    const { alerts } = runDetector(impossibleTravelDetector, [payment], { events });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].movements).toEqual([payment]);
  });
});
