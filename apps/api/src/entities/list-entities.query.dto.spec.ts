import { validated } from '../common/validation.fixtures';
import type { Validated } from '../common/validation.fixtures';
import { GetEntityQueryDto, ListEntitiesQueryDto } from './list-entities.query.dto';

const query = (metatype: new () => object, value: object): Promise<Validated> =>
  validated(metatype, value, 'query');

const WHOLE =
  'must be a whole number written in decimal digits only (no sign, spaces, exponent or 0x prefix), such as 50';

describe('ListEntitiesQueryDto and GetEntityQueryDto', () => {
  it('read limit and depth written in decimal digits', async () => {
    expect(await query(ListEntitiesQueryDto, { label: 'Company', limit: '16' })).toEqual({
      value: { label: 'Company', limit: 16 },
    });
    expect(await query(GetEntityQueryDto, { depth: '0', limit: '10' })).toEqual({
      value: { depth: 0, limit: 10 },
    });
  });

  it.each(['0x10', '1e1', '0b11', '', '16 '])(
    'refuse limit=%j (Number() read 0x10 as 16, 1e1 as 10, 0b11 as 3)',
    async (limit) => {
      expect(await query(ListEntitiesQueryDto, { label: 'Company', limit })).toEqual({
        problems: [`limit ${WHOLE}`],
      });
      expect(await query(GetEntityQueryDto, { depth: limit })).toEqual({
        problems: [`depth ${WHOLE}`],
      });
    },
  );

  it('says limit was given more than once, not every rule a list breaks', async () => {
    expect(await query(ListEntitiesQueryDto, { label: 'Company', limit: ['1', '2'] })).toEqual({
      problems: ['limit was given more than once (or as a list): give one value'],
    });
  });
});
