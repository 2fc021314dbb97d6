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

  it('refuses an empty principal or resource, which matched nothing, like an empty assignee of /cases', async () => {
    expect(await query({ principal: '' })).toEqual({
      problems: ['principal must be longer than or equal to 1 characters'],
    });
    expect((await query({ resource: '' })).problems).toHaveLength(1);
    expect(await query({ principal: 'key-1' })).toEqual({
      value: { principal: 'key-1', limit: 100 },
    });
  });
});
