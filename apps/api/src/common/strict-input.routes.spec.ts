import { SearchCompaniesQueryDto } from '../companies/search-companies.query.dto';
import { ListRingsQueryDto } from '../fraud/list-rings.query.dto';
import { ScoreEventsBodyDto } from '../score/score-event.body.dto';
import { ScoreMovementsBodyDto } from '../score/score-movement.body.dto';
import { EraseSubjectBodyDto } from '../subjects/erase-subject.body.dto';
import { validated } from './validation.fixtures';

// The strict input rules (strict-input.decorators.ts) on the routes outside the first sweep:
// company search and fraud rings (query numbers), scoring batches (lists of objects, the business
// id rule), erasure (blank or control-character reasons).

/** The problems the API answers 400 with (none when the input passes). */
async function problems(
  metatype: new () => object,
  value: object,
  type: 'query' | 'body',
): Promise<string[]> {
  return (await validated(metatype, value, type)).problems ?? [];
}

const WHOLE =
  'must be a whole number written in decimal digits only (no sign, spaces, exponent or 0x prefix), such as 50';

describe('strict input on company search, fraud rings, scoring and erasure', () => {
  it.each(['0x10', '1e1', '', ' 5'])('refuses the query number %j', async (written) => {
    expect(await problems(SearchCompaniesQueryDto, { q: 'acme', limit: written }, 'query')).toEqual(
      [`limit ${WHOLE}`],
    );
    expect(await problems(ListRingsQueryDto, { hubCap: written }, 'query')).toEqual([
      `hubCap ${WHOLE}`,
    ]);
  });

  it('reads query numbers written in decimal digits', async () => {
    expect(await problems(SearchCompaniesQueryDto, { q: 'acme', limit: '16' }, 'query')).toEqual(
      [],
    );
    expect(await problems(ListRingsQueryDto, { hubCap: '12', minShared: '2' }, 'query')).toEqual(
      [],
    );
  });

  it('refuses a list item that is not an object in scoring batches, naming it', async () => {
    expect(await problems(ScoreMovementsBodyDto, { movements: [[]] }, 'body')).toEqual([
      'movements must be a list of objects: movements[0] is an array',
    ]);
    expect(await problems(ScoreEventsBodyDto, { events: [{}, 'x'] }, 'body')).toEqual(
      expect.arrayContaining(['events must be a list of objects: events[1] is a string']),
    );
  });

  it('says the business id rule once ("must be 1-200 characters", not "must be must be")', async () => {
    const found = await problems(
      ScoreMovementsBodyDto,
      {
        movements: [
          {
            movementId: '-bad',
            fromAccount: 'account:b:1',
            toAccount: 'account:b:2',
            amount: '1.00',
            currency: 'EUR',
            timestamp: '2025-01-06T10:15:00Z',
            channel: 'wire',
          },
        ],
      },
      'body',
    );
    expect(found).toEqual([expect.stringMatching(/^movements\.0\.movementId must be 1-200/)]);
  });

  it('refuses a blank erasure reason or one holding a control character', async () => {
    expect(await problems(EraseSubjectBodyDto, { reason: ' '.repeat(12) }, 'body')).toEqual([
      'reason must not be blank: write some text, not only spaces',
    ]);
    expect(
      await problems(EraseSubjectBodyDto, { reason: 'ticket DPO-1\u0000 request' }, 'body'),
    ).toEqual([
      'reason must not contain control characters or bidirectional overrides (U+0000 at character 13); tab and line breaks are allowed',
    ]);
    expect(await problems(EraseSubjectBodyDto, { reason: 'ticket DPO-2025-0173' }, 'body')).toEqual(
      [],
    );
  });
});
