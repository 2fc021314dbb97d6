import { validated } from '../common/validation.fixtures';
import type { Validated } from '../common/validation.fixtures';
import { ExportUboQueryDto, GetNetworkQueryDto, GetUboQueryDto } from './get-ubo.query.dto';

const query = (value: object, metatype: new () => object = GetUboQueryDto): Promise<Validated> =>
  validated(metatype, value, 'query');

describe('GetUboQueryDto', () => {
  it('refuses an asOf that is not a real calendar date, on every UBO route', async () => {
    for (const metatype of [GetUboQueryDto, ExportUboQueryDto, GetNetworkQueryDto]) {
      expect(await query({ asOf: '2024-02-30' }, metatype)).toEqual({
        problems: ['asOf is not a real calendar date (2024-02-30 does not exist)'],
      });
    }
    expect(await query({ asOf: '2023-02-29' })).toEqual({
      problems: ['asOf is not a real calendar date (2023-02-29 does not exist)'],
    });
    expect(await query({ asOf: '30/02/2024' })).toEqual({
      problems: ['asOf must be a date written YYYY-MM-DD'],
    });
    expect(await query({ asOf: '2024-02-29' })).toEqual({ value: { asOf: '2024-02-29' } });
  });

  it('reads thresholdBp and maxDepth written in decimal digits', async () => {
    expect(await query({ regime: 'custom', thresholdBp: '1500', maxDepth: '5' })).toEqual({
      value: { regime: 'custom', thresholdBp: 1500, maxDepth: 5 },
    });
  });

  it.each(['0x3e8', ' 1000 ', '1e3', '', 'true'])(
    'refuses thresholdBp=%j instead of reading a number into it',
    async (thresholdBp) => {
      expect(await query({ regime: 'custom', thresholdBp })).toEqual({
        problems: [
          'thresholdBp must be a whole number written in decimal digits only (no sign, spaces, exponent or 0x prefix), such as 50',
        ],
      });
    },
  );

  it('keeps the ranges of thresholdBp and maxDepth', async () => {
    expect(await query({ thresholdBp: '0', maxDepth: '101' })).toEqual({
      problems: [
        'thresholdBp must be at least 1 basis point',
        'maxDepth must be between 1 and 100',
      ],
    });
  });

  it('says a repeated option was given more than once', async () => {
    expect(await query({ maxDepth: ['5', '6'] })).toEqual({
      problems: ['maxDepth was given more than once (or as a list): give one value'],
    });
  });
});
