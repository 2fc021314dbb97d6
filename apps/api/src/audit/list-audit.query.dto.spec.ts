import { validated } from '../common/validation.fixtures';
import type { Validated } from '../common/validation.fixtures';
import { ListAuditQueryDto } from './list-audit.query.dto';

const query = (value: object): Promise<Validated> => validated(ListAuditQueryDto, value, 'query');

describe('ListAuditQueryDto', () => {
  it('reads limit written in decimal digits and refuses other spellings', async () => {
    expect(await query({ limit: '5' })).toEqual({ value: { limit: 5 } });
    for (const limit of ['0x5', '5e0', '', ' 5']) {
      expect(await query({ limit })).toEqual({
        problems: [
          'limit must be a whole number written in decimal digits only (no sign, spaces, exponent or 0x prefix), such as 50',
        ],
      });
    }
    expect(await query({ limit: '1001' })).toEqual({
      problems: ['limit must not be greater than 1000'],
    });
  });
});
