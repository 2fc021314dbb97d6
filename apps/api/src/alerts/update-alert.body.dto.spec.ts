import { InvalidInputError } from '@app/vocabulary';
import { ApiValidationPipe } from '../common/validation';
import { AssignAlertsBodyDto, UpdateAlertBodyDto } from './update-alert.body.dto';

const pipe = new ApiValidationPipe();

/** The body the controller gets, or the problems answered 400. */
async function body(
  metatype: new () => object,
  value: object,
): Promise<{ value?: unknown; problems?: string[] }> {
  try {
    return { value: await pipe.transform(value, { type: 'body', metatype }) };
  } catch (error: unknown) {
    if (!(error instanceof InvalidInputError)) throw error;
    return { problems: error.problems.map((p) => `${p.field} ${p.rule}`) };
  }
}

describe('UpdateAlertBodyDto and AssignAlertsBodyDto', () => {
  it('refuse a note or assignee holding NUL or another control character', async () => {
    expect(await body(UpdateAlertBodyDto, { status: 'investigating', note: 'x\u0000' })).toEqual({
      problems: [
        'note must not contain control characters (U+0000 at character 2); tab and line breaks are allowed',
      ],
    });
    expect(await body(AssignAlertsBodyDto, { alertIds: ['a'], assignee: 'bob\u001b' })).toEqual({
      problems: [
        'assignee must not contain control characters (U+001B at character 4); tab and line breaks are allowed',
      ],
    });
  });

  it('refuse a blank note and a blank assignee but take "" to unassign', async () => {
    expect(await body(UpdateAlertBodyDto, { status: 'investigating', note: '   ' })).toEqual({
      problems: ['note must not be blank: write some text, not only spaces'],
    });
    expect(await body(UpdateAlertBodyDto, { assignee: ' ' })).toEqual({
      problems: ['assignee must not be blank: write some text, not only spaces'],
    });
    expect(await body(UpdateAlertBodyDto, { assignee: '' })).toEqual({ value: { assignee: '' } });
    expect(await body(AssignAlertsBodyDto, { alertIds: ['a'], assignee: '' })).toEqual({
      value: { alertIds: ['a'], assignee: '' },
    });
  });
});
