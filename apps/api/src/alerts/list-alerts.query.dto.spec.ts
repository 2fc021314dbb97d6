import { validated } from '../common/validation.fixtures';
import type { Validated } from '../common/validation.fixtures';
import { ListAlertsQueryDto } from './list-alerts.query.dto';

const query = (value: object): Promise<Validated> => validated(ListAlertsQueryDto, value, 'query');

const SCORE_RULE =
  'minScore must be a number written in decimal digits with an optional decimal point (no sign, spaces, exponent or 0x prefix), such as 0.75';
const LIMIT_RULE =
  'limit must be a whole number written in decimal digits only (no sign, spaces, exponent or 0x prefix), such as 50';

describe('ListAlertsQueryDto', () => {
  it('reads minScore and limit written in decimal digits', async () => {
    expect(await query({ minScore: '0.7', limit: '20' })).toEqual({
      value: { minScore: 0.7, limit: 20 },
    });
    expect(await query({ minScore: '1' })).toEqual({ value: { minScore: 1, limit: 50 } });
  });

  it.each(['', ' ', '0x1', '7e-1', '.7', '-0'])(
    'refuses minScore=%j instead of reading it as a number (an empty one used to mean 0)',
    async (minScore) => {
      expect(await query({ minScore })).toEqual({ problems: [SCORE_RULE] });
    },
  );

  it.each(['0x10', '1e1', '0b11', ''])('refuses limit=%j', async (limit) => {
    expect(await query({ limit })).toEqual({ problems: [LIMIT_RULE] });
  });

  it('keeps the ranges and says a repeated parameter was given more than once', async () => {
    expect(await query({ minScore: '1.5', limit: '501' })).toEqual({
      problems: ['minScore must not be greater than 1', 'limit must not be greater than 500'],
    });
    expect(await query({ limit: ['1', '2'] })).toEqual({
      problems: ['limit was given more than once (or as a list): give one value'],
    });
  });
});
