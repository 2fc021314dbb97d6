import { HOUR, MINUTE, event, mv, runDetector, T0 } from '../testing/fixtures';
import { cardVelocityDetector } from './card-velocity.detector';

describe('cardVelocityDetector', () => {
  it('fires when one account uses ten cards within a day', () => {
    const movements = Array.from({ length: 10 }, (_, i) =>
      mv('acc:A', `acc:Shop${i % 3}`, 180_00, T0 + i * 10 * MINUTE, {
        channel: 'card',
        identifierUid: `card:${4000 + i}`,
      }),
    );
    const { alerts } = runDetector(cardVelocityDetector, movements);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].subject).toBe('acc:A');
    expect(alerts[0].explanation).toContain(
      'Account acc:A used 10 different cards within 24 hours',
    );
  });

  it('fires when one card is used by ten accounts within a day, and counts logins from one IP', () => {
    const movements = Array.from({ length: 10 }, (_, i) =>
      mv(`acc:U${i}`, 'acc:Shop', 50_00, T0 + i * MINUTE, {
        channel: 'card',
        identifierUid: 'card:9999',
      }),
    );
    const { alerts } = runDetector(cardVelocityDetector, movements);
    expect(alerts.map((a) => a.subject)).toEqual(['card:9999']);
    const logins = Array.from({ length: 10 }, (_, i) =>
      event(`acc:U${i}`, 'login', T0 + i * MINUTE, { identifierUid: 'ip:203.0.113.9' }),
    );
    expect(
      runDetector(cardVelocityDetector, [], { events: logins }).alerts.map((a) => a.subject),
    ).toEqual(['ip:203.0.113.9']);
  });

  it('does not fire with nine cards (near miss), nor with ten spread over more than a day', () => {
    const nine = Array.from({ length: 9 }, (_, i) =>
      mv('acc:A', 'acc:Shop', 10_00, T0 + i * MINUTE, {
        channel: 'card',
        identifierUid: `card:${i}`,
      }),
    );
    expect(runDetector(cardVelocityDetector, nine).alerts).toHaveLength(0);
    const slow = Array.from({ length: 10 }, (_, i) =>
      mv('acc:A', 'acc:Shop', 10_00, T0 + i * 3 * HOUR, {
        channel: 'card',
        identifierUid: `card:${i}`,
      }),
    );
    expect(runDetector(cardVelocityDetector, slow).alerts).toHaveLength(0);
  });

  it('does not fire on a shopper using one card forty times (decoy)', () => {
    const shopping = Array.from({ length: 40 }, (_, i) =>
      mv('acc:A', `acc:Shop${i}`, 12_00, T0 + i * 20 * MINUTE, {
        channel: 'card',
        identifierUid: 'card:1',
      }),
    );
    expect(runDetector(cardVelocityDetector, shopping).alerts).toHaveLength(0);
  });
});
