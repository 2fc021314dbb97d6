import { InvalidInputError } from '@app/vocabulary';
import { ApiValidationPipe } from '../common/validation';
import { ListAuditQueryDto } from './list-audit.query.dto';

const pipe = new ApiValidationPipe();

/** The query the controller gets, or the problems answered 400. */
async function query(value: object): Promise<{ value?: unknown; problems?: string[] }> {
  try {
    return { value: await pipe.transform(value, { type: 'query', metatype: ListAuditQueryDto }) };
  } catch (error: unknown) {
    if (!(error instanceof InvalidInputError)) throw error;
    return { problems: error.problems.map((p) => `${p.field} ${p.rule}`) };
  }
}

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
