import { validated } from '../common/validation.fixtures';
import type { Validated } from '../common/validation.fixtures';
import {
  AddCaseNoteBodyDto,
  CreateCaseBodyDto,
  ListCasesQueryDto,
  UpdateCaseBodyDto,
} from './case.dto';

const check = (
  metatype: new () => object,
  value: object,
  type: 'body' | 'query' = 'body',
): Promise<Validated> => validated(metatype, value, type);

const BLANK = 'must not be blank: write some text, not only spaces';
const NUL =
  'must not contain control characters or bidirectional overrides (U+0000 at character 2); tab and line breaks are allowed';

describe('case DTOs', () => {
  it('refuse a title, note or attachment name made only of whitespace', async () => {
    expect(await check(CreateCaseBodyDto, { title: '   ' })).toEqual({
      problems: [`title ${BLANK}`],
    });
    expect(await check(UpdateCaseBodyDto, { title: '\t', note: ' \n ' })).toEqual({
      problems: [`title ${BLANK}`, `note ${BLANK}`],
    });
    expect(await check(AddCaseNoteBodyDto, { text: '  ' })).toEqual({
      problems: [`text ${BLANK}`],
    });
    expect(
      await check(AddCaseNoteBodyDto, {
        text: 'x',
        attachments: [{ name: ' ', reference: 'D-1' }],
      }),
    ).toEqual({ problems: [`attachments.0.name ${BLANK}`] });
  });

  it('still take an empty assignee on update (it takes the case off its assignee)', async () => {
    expect(await check(UpdateCaseBodyDto, { assignee: '' })).toEqual({ value: { assignee: '' } });
    expect(await check(UpdateCaseBodyDto, { assignee: '  ' })).toEqual({
      problems: [`assignee ${BLANK}`],
    });
  });

  it('refuse NUL and other control characters in stored text', async () => {
    expect(await check(CreateCaseBodyDto, { title: 'a\u0000b' })).toEqual({
      problems: [`title ${NUL}`],
    });
    expect(await check(CreateCaseBodyDto, { title: 'ok', description: 'a\u0000' })).toEqual({
      problems: [`description ${NUL}`],
    });
    expect(await check(UpdateCaseBodyDto, { note: 'a\u0000' })).toEqual({
      problems: [`note ${NUL}`],
    });
    expect(await check(AddCaseNoteBodyDto, { text: 'a\u0000' })).toEqual({
      problems: [`text ${NUL}`],
    });
    const multiline = 'Call 1:\n\tno answer\r\nCall 2: invoice promised';
    expect(await check(AddCaseNoteBodyDto, { text: multiline })).toEqual({
      value: { text: multiline },
    });
  });

  it('refuse an attachment that is an array instead of an object', async () => {
    expect(await check(AddCaseNoteBodyDto, { text: 'x', attachments: [[]] })).toEqual({
      problems: ['attachments must be a list of objects: attachments[0] is an array'],
    });
    expect(
      await check(AddCaseNoteBodyDto, {
        text: 'x',
        attachments: [{ name: 'a.pdf', reference: 'D-1' }, 'b.pdf'],
      }),
    ).toEqual({ problems: ['attachments must be a list of objects: attachments[1] is a string'] });
  });

  it('ask for uri or reference when an attachment has neither', async () => {
    expect(
      await check(AddCaseNoteBodyDto, { text: 'x', attachments: [{ name: 'a.pdf' }] }),
    ).toEqual({
      problems: ['attachments.0.uri is required when there is no reference: give uri or reference'],
    });
  });

  it('read limit only from plain decimal digits', async () => {
    expect(await check(ListCasesQueryDto, { limit: '2' }, 'query')).toEqual({
      value: { limit: 2 },
    });
    for (const limit of ['0x2', '2e0', '', ' 2']) {
      expect((await check(ListCasesQueryDto, { limit }, 'query')).problems).toEqual([
        'limit must be a whole number written in decimal digits only (no sign, spaces, exponent or 0x prefix), such as 50',
      ]);
    }
    expect(await check(ListCasesQueryDto, { limit: ['1', '2'] }, 'query')).toEqual({
      problems: ['limit was given more than once (or as a list): give one value'],
    });
  });
});
