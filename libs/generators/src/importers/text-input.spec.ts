import { Readable } from 'node:stream';
import { decodeText, quoteInput, TextInputError, textLines, textProblem } from './text-input';

async function textOf(chunks: (string | Uint8Array)[], max?: number): Promise<string> {
  let text = '';
  for await (const part of decodeText(Readable.from(chunks), max)) text += part;
  return text;
}

describe('quoteInput', () => {
  it('keeps a short value and cuts a long one to 80 characters and its length', () => {
    expect(quoteInput('P001')).toBe('P001');
    expect(quoteInput(','.repeat(50_000_000))).toBe(`${','.repeat(80)}… (50,000,000 characters)`);
  });
});

describe('decodeText', () => {
  it('reads UTF-8 split inside a character, and UTF-16 by its byte-order mark', async () => {
    const utf8 = Buffer.from('name\nJürgen Müller\n', 'utf8');
    expect(await textOf([utf8.subarray(0, 7), utf8.subarray(7, 8), utf8.subarray(8)])).toBe(
      'name\nJürgen Müller\n',
    );
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,ü\n', 'utf16le')]);
    expect(await textOf([utf16])).toBe('a,ü\n');
    expect(await textOf([Buffer.from([0x41])])).toBe('A');
  });

  it('refuses UTF-16 without a byte order mark (little or big endian) instead of reading NUL characters', async () => {
    for (const bytes of [
      Buffer.from('person_id,name\nP1,Ada\n', 'utf16le'),
      Buffer.from('person_id,name\nP1,Ada\n', 'utf16le').swap16(),
    ]) {
      await expect(textOf([bytes.subarray(0, 3), bytes.subarray(3)])).rejects.toMatchObject({
        line: 1,
        field: 'file',
        rule: expect.stringMatching(/^looks like UTF-16 text without a byte order mark/) as unknown,
      });
    }
    expect(await textOf([Buffer.from('a,b\n', 'utf8')])).toBe('a,b\n');
  });

  it('turns bytes that are not UTF-8 into U+FFFD, which textProblem names', async () => {
    const latin1 = Buffer.from('J\u00fcrgen', 'latin1');
    const text = await textOf([latin1]);
    expect(text).toBe('J\uFFFDrgen');
    expect(textProblem(text)).toMatch(/^is not UTF-8 text/);
  });

  it('refuses a gzip file and a line beyond the limit, with its line number', async () => {
    await expect(textOf([Buffer.from([0x1f, 0x8b, 0x08, 0x00])])).rejects.toMatchObject({
      line: 1,
      field: 'file',
      rule: expect.stringMatching(/^looks like a gzip file/) as unknown,
    });
    const error = await textOf(['a\nb\n', 'x'.repeat(60), 'x'.repeat(60)], 100).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TextInputError);
    expect(error).toMatchObject({ line: 3, field: 'line' });
    expect((error as TextInputError).rule).toMatch(/^is longer than 100 characters/);
  });
});

describe('textLines and textProblem', () => {
  it('splits LF and CRLF lines and keeps a last line without a break', async () => {
    const lines: string[] = [];
    for await (const line of textLines(Readable.from(['a\r\nb', 'c\n\nd']))) lines.push(line);
    expect(lines).toEqual(['a', 'bc', '', 'd']);
  });

  it('accepts tab, CR and LF and refuses other control characters', () => {
    expect(textProblem('a\tb\r\nc')).toBeUndefined();
    expect(textProblem('Ada\u0000')).toBe(
      'holds the control character U+0000, which a text value may not hold',
    );
    expect(textProblem('\u001b[31m')).toMatch(/U\+001B/);
  });
});
