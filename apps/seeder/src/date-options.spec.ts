import { InvalidArgumentError } from 'commander';
import {
  calendarDateOption,
  isoInstantOption,
  isRealDateTime,
  utcInstantOption,
} from './date-options';

describe('date options', () => {
  it.each([
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['2022-02-30', false],
    ['2025-04-31', false],
    ['2025-13-01', false],
    ['2025-00-10', false],
    ['2025-01-00', false],
    ['2025-12-31T23:59:59Z', true],
    ['2025-12-31T24:00:00Z', false],
    ['2025-12-31T23:60Z', false],
    ['2025-12-31T23:59:60Z', false],
    ['2025-06-30T12:00:00.123+02:00', true],
    ['2025-06-30T12:00:00+24:00', false],
  ])('%s is a real date and time: %s', (text, real) => {
    expect(isRealDateTime(text)).toBe(real);
  });

  it('refuses a date that Date.parse would roll over, saying it is not a real calendar date', () => {
    expect(calendarDateOption('2024-02-29')).toBe('2024-02-29');
    expect(() => calendarDateOption('2022-02-30')).toThrow(InvalidArgumentError);
    expect(() => calendarDateOption('2022-02-30')).toThrow('not a real calendar date');
    expect(() => calendarDateOption('2022-2-3')).toThrow('must be a date written YYYY-MM-DD');
  });

  it('refuses instants on days that do not exist', () => {
    expect(isoInstantOption('2025-01-01T00:00:00Z')).toBe('2025-01-01T00:00:00Z');
    expect(() => isoInstantOption('2025-02-30T00:00:00Z')).toThrow(
      'not a real calendar date and time',
    );
    expect(() => isoInstantOption('2025-01-01')).toThrow('must be an ISO 8601 timestamp');
    expect(utcInstantOption('2017-01-01')).toBe(Date.UTC(2017, 0, 1));
    expect(() => utcInstantOption('2017-02-29')).toThrow('not a real calendar date:');
    expect(() => utcInstantOption('2017-01-01T25:00Z')).toThrow(
      'not a real calendar date and time',
    );
  });
});
