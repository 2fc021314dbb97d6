import { validated } from '../common/validation.fixtures';
import type { Validated } from '../common/validation.fixtures';
import { AssignAlertsBodyDto, UpdateAlertBodyDto } from './update-alert.body.dto';

const body = (metatype: new () => object, value: object): Promise<Validated> =>
  validated(metatype, value, 'body');

describe('UpdateAlertBodyDto and AssignAlertsBodyDto', () => {
  it('refuse a note or assignee holding NUL or another control character', async () => {
    expect(await body(UpdateAlertBodyDto, { status: 'investigating', note: 'x\u0000' })).toEqual({
      problems: [
        'note must not contain control characters or bidirectional overrides (U+0000 at character 2); tab and line breaks are allowed',
      ],
    });
    expect(await body(AssignAlertsBodyDto, { alertIds: ['a'], assignee: 'bob\u001b' })).toEqual({
      problems: [
        'assignee must not contain control characters or bidirectional overrides (U+001B at character 4); tab and line breaks are allowed',
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
