import { validated } from '../common/validation.fixtures';
import type { Validated } from '../common/validation.fixtures';
import { EvaluateUboBodyDto } from './evaluate-ubo.body.dto';

const STATEMENTS = [{ statementId: 's1' }];

const body = (value: object): Promise<Validated> => validated(EvaluateUboBodyDto, value, 'body');

describe('EvaluateUboBodyDto', () => {
  it('takes numbers of the options as JSON numbers', async () => {
    expect(
      await body({ statements: STATEMENTS, options: { regime: 'custom', thresholdBp: 1000 } }),
    ).toEqual({
      value: { statements: STATEMENTS, options: { regime: 'custom', thresholdBp: 1000 } },
    });
  });

  it.each([true, '0x3e8', ' 1000 ', '1000', [1000]])(
    'refuses thresholdBp %j: a JSON body carries numbers as JSON numbers',
    async (thresholdBp) => {
      expect(
        await body({ statements: STATEMENTS, options: { regime: 'custom', thresholdBp } }),
      ).toEqual({
        problems: [
          Array.isArray(thresholdBp)
            ? 'options.thresholdBp was given more than once (or as a list): give one value'
            : 'options.thresholdBp must be a whole number of basis points, as a JSON number',
        ],
      });
    },
  );

  it('refuses maxDepth given as text', async () => {
    expect(await body({ statements: STATEMENTS, options: { maxDepth: '5' } })).toEqual({
      problems: ['options.maxDepth must be a whole number, as a JSON number'],
    });
  });

  it('refuses options that are an array, which nested validation alone let through', async () => {
    expect(await body({ statements: STATEMENTS, options: [] })).toEqual({
      problems: ['options must be a JSON object, not an array'],
    });
  });

  it('refuses an asOf that is not a real calendar date', async () => {
    expect(await body({ statements: STATEMENTS, options: { asOf: '2024-02-30' } })).toEqual({
      problems: ['options.asOf is not a real calendar date (2024-02-30 does not exist)'],
    });
    expect(await body({ statements: STATEMENTS, options: { asOf: 20240229 } })).toEqual({
      problems: ['options.asOf must be a date written YYYY-MM-DD'],
    });
  });

  it('says statements are required when they are left out', async () => {
    expect(await body({})).toEqual({ problems: ['statements is required'] });
  });
});
