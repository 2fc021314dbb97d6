import { InvalidInputError } from '@app/vocabulary';
import { resolveUboOptions } from './regimes';

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
      'asOf: must be a date written YYYY-MM-DD',
    ]);
  });

  it('uses the high-risk list it is given and a dated default secrecy list', () => {
    const options = resolveUboOptions(SETTINGS, {}, { highRiskJurisdictions: ['KP', 'IR'] });
    expect(options.highRiskJurisdictions).toEqual(['KP', 'IR']);
    expect(options.secrecyJurisdictions).toContain('PA');
  });
});
