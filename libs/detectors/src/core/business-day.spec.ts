import { businessDayOf } from './business-day';

describe('businessDayOf', () => {
  it('keeps weekday daytime on its own day and rolls nights and weekends forward (UTC)', () => {
    expect(businessDayOf(Date.UTC(2025, 0, 6, 10), 'UTC', 18)).toBe('2025-01-06'); // Monday
    expect(businessDayOf(Date.UTC(2025, 0, 6, 18), 'UTC', 18)).toBe('2025-01-07'); // Monday night
    expect(businessDayOf(Date.UTC(2025, 0, 7, 2), 'UTC', 18)).toBe('2025-01-07'); // Tuesday early
    expect(businessDayOf(Date.UTC(2025, 0, 10, 19), 'UTC', 18)).toBe('2025-01-13'); // Friday night
    expect(businessDayOf(Date.UTC(2025, 0, 11, 12), 'UTC', 18)).toBe('2025-01-13'); // Saturday
    expect(businessDayOf(Date.UTC(2025, 0, 12, 23), 'UTC', 18)).toBe('2025-01-13'); // Sunday
  });

  it('reads the local clock of the configured time zone', () => {
    // 2025-01-06 22:30 UTC is 17:30 in New York: still Monday's business day there.
    expect(businessDayOf(Date.UTC(2025, 0, 6, 22, 30), 'America/New_York', 18)).toBe('2025-01-06');
    // 23:30 UTC is 18:30 in New York: night, so Tuesday.
    expect(businessDayOf(Date.UTC(2025, 0, 6, 23, 30), 'America/New_York', 18)).toBe('2025-01-07');
    // Saturday 03:00 UTC is Friday 22:00 in New York: rolls to Monday.
    expect(businessDayOf(Date.UTC(2025, 0, 11, 3), 'America/New_York', 18)).toBe('2025-01-13');
  });

  it('refuses an unknown time zone, naming the field', () => {
    expect(() => businessDayOf(0, 'Mars/Olympus', 18)).toThrow(/not a time zone/);
  });
});
