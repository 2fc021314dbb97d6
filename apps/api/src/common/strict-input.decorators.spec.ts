import { Type } from 'class-transformer';
import { IsArray, IsObject, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import {
  HasNoControlCharacters,
  IsInstant,
  IsNotBlank,
  kindOf,
  objectMessage,
  objectsMessage,
  QueryNumber,
} from './strict-input.decorators';
import { validated } from './validation.fixtures';

class PageQuery {
  @IsOptional()
  @QueryNumber()
  @Min(1)
  @Max(500)
  limit?: number;

  @IsOptional()
  @QueryNumber({ fraction: true })
  @Min(0)
  @Max(1)
  minScore?: number;

  @IsOptional()
  @QueryNumber({ negative: true })
  offset?: number;
}

class WindowBody {
  @IsInstant()
  from!: string;
}

class ItemDto {
  @IsString()
  name!: string;
}

class NoteBody {
  @IsString()
  @IsNotBlank()
  @HasNoControlCharacters()
  text!: string;

  @IsOptional()
  @IsString()
  @IsNotBlank()
  assignee?: string;

  @IsOptional()
  @IsArray()
  @IsObject({ each: true, message: objectsMessage })
  @ValidateNested({ each: true })
  @Type(() => ItemDto)
  items?: ItemDto[];

  @IsOptional()
  @IsObject({ message: objectMessage })
  @ValidateNested()
  @Type(() => ItemDto)
  item?: ItemDto;
}

const run = validated;

const WHOLE =
  'must be a whole number written in decimal digits only (no sign, spaces, exponent or 0x prefix), such as 50';
const FRACTION =
  'must be a number written in decimal digits with an optional decimal point (no sign, spaces, exponent or 0x prefix), such as 0.75';

describe('QueryNumber', () => {
  it('converts plain decimal digits', async () => {
    expect(await run(PageQuery, { limit: '16', minScore: '0.75', offset: '-3' }, 'query')).toEqual({
      value: { limit: 16, minScore: 0.75, offset: -3 },
    });
    expect(await run(PageQuery, { limit: '0050', minScore: '1' }, 'query')).toEqual({
      value: { limit: 50, minScore: 1 },
    });
  });

  it.each(['0x10', '1e1', '0b11', '0o7', '', ' ', ' 10 ', '+5', '-5', '10.0', '1_000', 'Infinity'])(
    'refuses limit=%j, naming the field and the rule once',
    async (limit) => {
      expect(await run(PageQuery, { limit }, 'query')).toEqual({ problems: [`limit ${WHOLE}`] });
    },
  );

  it.each(['', ' ', '.5', '0.', '1e-1', '0x1', '-0.5'])(
    'refuses minScore=%j where a fraction is allowed but not a sign or an exponent',
    async (minScore) => {
      expect(await run(PageQuery, { minScore }, 'query')).toEqual({
        problems: [`minScore ${FRACTION}`],
      });
    },
  );

  it('takes a minus sign only where the field allows it', async () => {
    expect(await run(PageQuery, { offset: '+3' }, 'query')).toEqual({
      problems: [
        'offset must be a whole number written in decimal digits with a minus sign if negative (no plus sign, spaces, exponent or 0x prefix), such as -50',
      ],
    });
  });

  it('leaves ranges to Min and Max', async () => {
    expect(await run(PageQuery, { limit: '0', minScore: '1.5' }, 'query')).toEqual({
      problems: ['limit must not be less than 1', 'minScore must not be greater than 1'],
    });
  });

  it('says a repeated parameter was given more than once', async () => {
    expect(await run(PageQuery, { limit: ['1', '2'] }, 'query')).toEqual({
      problems: ['limit was given more than once (or as a list): give one value'],
    });
  });
});

describe('IsNotBlank and HasNoControlCharacters', () => {
  it('refuses text made only of whitespace and leaves an empty string to other rules', async () => {
    expect(await run(NoteBody, { text: ' \t\n ' }, 'body')).toEqual({
      problems: ['text must not be blank: write some text, not only spaces'],
    });
    expect(await run(NoteBody, { text: 'x', assignee: '' }, 'body')).toEqual({
      value: { text: 'x', assignee: '' },
    });
  });

  it('refuses NUL and other C0 control characters, naming the character and its place', async () => {
    expect(await run(NoteBody, { text: 'ab\u0000c' }, 'body')).toEqual({
      problems: [
        'text must not contain control characters or bidirectional overrides (U+0000 at character 3); tab and line breaks are allowed',
      ],
    });
    expect((await run(NoteBody, { text: 'bell\u0007' }, 'body')).problems).toHaveLength(1);
    expect((await run(NoteBody, { text: 'esc\u001b[31m' }, 'body')).problems).toHaveLength(1);
  });

  it('refuses a right-to-left override, an isolate and a C1 control, naming the character', async () => {
    expect(await run(NoteBody, { text: 'Case \u202Efdp.exe' }, 'body')).toEqual({
      problems: [
        'text must not contain control characters or bidirectional overrides (U+202E at character 6); tab and line breaks are allowed',
      ],
    });
    expect((await run(NoteBody, { text: 'a\u2066b' }, 'body')).problems).toHaveLength(1);
    expect((await run(NoteBody, { text: 'a\u009bb' }, 'body')).problems).toHaveLength(1);
  });

  it('accepts tabs, line breaks and any printable character', async () => {
    const text = 'line 1\r\nline 2\n\tindented – ünïcödé 😀';
    expect(await run(NoteBody, { text }, 'body')).toEqual({ value: { text } });
  });

  it('says "must be a string" alone for a value that is not text', async () => {
    expect(await run(NoteBody, { text: 5 }, 'body')).toEqual({
      problems: ['text must be a string'],
    });
  });
});

describe('objectMessage and objectsMessage', () => {
  it('refuses an array where an object is expected, which ValidateNested alone lets through', async () => {
    expect(await run(NoteBody, { text: 'x', items: [[]] }, 'body')).toEqual({
      problems: ['items must be a list of objects: items[0] is an array'],
    });
    expect(await run(NoteBody, { text: 'x', items: [{ name: 'a' }, 'b'] }, 'body')).toEqual({
      problems: ['items must be a list of objects: items[1] is a string'],
    });
    expect(await run(NoteBody, { text: 'x', item: [] }, 'body')).toEqual({
      problems: ['item must be a JSON object, not an array'],
    });
  });

  it('still validates the objects inside', async () => {
    expect(await run(NoteBody, { text: 'x', items: [{ name: 5 }] }, 'body')).toEqual({
      problems: ['items.0.name must be a string'],
    });
  });

  it('names the kind of each JSON value', () => {
    expect([null, undefined, [], {}, 'a', 1, true].map(kindOf)).toEqual([
      'null',
      'missing',
      'an array',
      'an object',
      'a string',
      'a number',
      'true or false',
    ]);
  });
});

describe('IsInstant', () => {
  it('takes a time with its zone, or a date alone', async () => {
    for (const from of [
      '2025-01-06T10:15:00Z',
      '2025-01-06T10:15:00.123+02:00',
      '2025-01-06T10:15:00-0500',
      '2025-01-06',
    ]) {
      expect(await run(WindowBody, { from }, 'body')).toEqual({ value: { from } });
    }
  });

  it('refuses a time of day without its zone, which each server would read in its own zone', async () => {
    expect(await run(WindowBody, { from: '2025-04-02T10:00:00' }, 'body')).toEqual({
      problems: [
        'from must give its time zone (Z or an offset such as +02:00) after the time of day, such as 2025-01-06T10:15:00Z',
      ],
    });
  });

  it('refuses days that do not exist, text that is no time, and times before 1970', async () => {
    expect(await run(WindowBody, { from: '1960-01-01T00:00:00Z' }, 'body')).toEqual({
      problems: [
        'from must not be before 1970-01-01T00:00:00Z (times are kept as milliseconds since then)',
      ],
    });
    for (const from of ['2025-02-30T10:00:00Z', 'yesterday', '']) {
      expect(await run(WindowBody, { from }, 'body')).toEqual({
        problems: [
          'from must be an ISO 8601 date or time that exists, such as 2025-01-06T10:15:00Z',
        ],
      });
    }
  });
});
