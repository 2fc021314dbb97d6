import { InvalidInputError } from '@app/vocabulary';
import { calendarDateRule, resolveUboOptions } from './regimes';

const SETTINGS = {
  regime: 'eu',
  thresholdBp: 1500,
  maxDepth: 25,
  convention: 'integrated',
} as const;

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof InvalidInputError)
      return error.problems.map((p) => `${p.field}: ${p.rule}`);
    throw error;
  }
  return [];
}

describe('resolveUboOptions', () => {
  it('fixes 25% per regime and takes the settings threshold only for custom', () => {
    expect(resolveUboOptions(SETTINGS)).toMatchObject({
      regime: 'eu',
      method: 'multiplication',
      thresholdBp: 2500,
      comparator: 'at-least',
      controlProng: false,
    });
    expect(resolveUboOptions(SETTINGS, { regime: 'uk' })).toMatchObject({
      method: 'dominancy',
      comparator: 'more-than',
      thresholdBp: 2500,
    });
    expect(resolveUboOptions(SETTINGS, { regime: 'us' })).toMatchObject({
      controlProng: true,
      seniorManagingOfficialFallback: false,
    });
    expect(resolveUboOptions(SETTINGS, { regime: 'custom' })).toMatchObject({ thresholdBp: 1500 });
    expect(
      resolveUboOptions(SETTINGS, {
        regime: 'custom',
        thresholdBp: 1000,
        comparator: 'more-than',
        method: 'rolling',
      }),
    ).toMatchObject({
      thresholdBp: 1000,
      comparator: 'more-than',
      method: 'rolling',
    });
  });

  it('names every option that does not fit the regime', () => {
    expect(
      problems(() =>
        resolveUboOptions(SETTINGS, {
          regime: 'eu',
          method: 'dominancy',
          thresholdBp: 1000,
          comparator: 'more-than',
        }),
      ),
    ).toEqual([
      'method: must be multiplication under regime eu (EU AMLR)',
      'thresholdBp: can only be changed with regime custom (eu fixes 2500 basis points)',
      'comparator: can only be changed with regime custom (eu uses at-least)',
    ]);
    expect(
      problems(() => resolveUboOptions(SETTINGS, { maxDepth: 0, asOf: '2025-13-45' })),
    ).toEqual([
      'maxDepth: must be a whole number between 1 and 100',
      'asOf: is not a real calendar date (2025-13-45 does not exist)',
    ]);
  });

  it('refuses an asOf that is written YYYY-MM-DD but is not a day of the calendar', () => {
    for (const asOf of ['2024-02-30', '2023-02-29', '2025-04-31', '2025-00-10', '2025-01-00']) {
      expect(problems(() => resolveUboOptions(SETTINGS, { asOf }))).toEqual([
        `asOf: is not a real calendar date (${asOf} does not exist)`,
      ]);
    }
    expect(problems(() => resolveUboOptions(SETTINGS, { asOf: '2025-6-1' }))).toEqual([
      'asOf: must be a date written YYYY-MM-DD',
    ]);
    expect(resolveUboOptions(SETTINGS, { asOf: '2024-02-29' }).asOf).toBe('2024-02-29');
  });

  it('uses the high-risk list it is given and a dated default secrecy list', () => {
    const options = resolveUboOptions(SETTINGS, {}, { highRiskJurisdictions: ['KP', 'IR'] });
    expect(options.highRiskJurisdictions).toEqual(['KP', 'IR']);
    expect(options.secrecyJurisdictions).toContain('PA');
  });
});

describe('calendarDateRule', () => {
  it('accepts real days, leap days of leap years and years below 100 as written', () => {
    for (const text of ['2024-02-29', '2000-02-29', '1999-12-31', '0001-01-01', '0024-02-29']) {
      expect(calendarDateRule(text)).toBeUndefined();
    }
  });

  it('refuses days that Date.parse rolls over into the next month', () => {
    for (const text of ['2024-02-30', '2023-02-29', '1900-02-29', '2025-06-31', '2025-12-32']) {
      expect(calendarDateRule(text)).toBe(`is not a real calendar date (${text} does not exist)`);
    }
  });

  it('asks for YYYY-MM-DD when the text is not written that way', () => {
    for (const text of ['', '2024-2-3', '2024-02-03T00:00:00Z', ' 2024-02-03', '20240203']) {
      expect(calendarDateRule(text)).toBe('must be a date written YYYY-MM-DD');
    }
  });
});
