import { TextDecoder } from 'node:util';

/**
 * Reading the text of an input file safely: bytes are decoded by their byte-order mark (UTF-8
 * without one), a gzip file is recognised, a line may not grow without bound, and values that
 * a file could not have meant (bytes that are not UTF-8, control characters) can be told apart.
 * Shared by the CSV readers and the JSON-lines reader of every importer.
 */

/** The longest line an importer reads, in characters (1 MiB; real rows are under 10,000). */
export const MAX_LINE_CHARS = 1_048_576;

/** Characters of an input value that a message quotes before cutting it short. */
export const QUOTE_CHARS = 80;

/**
 * An input value as a message quotes it: whole when short, otherwise its first 80 characters
 * and its length, so that a huge line does not become a huge message.
 */
export function quoteInput(text: string, max = QUOTE_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length.toLocaleString('en-US')} characters)`;
}

/** A problem with the text of a file as a whole, found while decoding it. */
export class TextInputError extends Error {
  constructor(
    /** 1-based line where it was found. */
    readonly line: number,
    /** 'file' for the whole file, 'line' for one line. */
    readonly field: 'file' | 'line',
    readonly rule: string,
  ) {
    super(`line ${line}: ${field} ${rule}`);
  }
}

/**
 * The text of a file as strings, decoded by its byte-order mark: UTF-16 (LE or BE) with one,
 * UTF-8 otherwise (a UTF-8 mark is dropped). Bytes that are not valid in the encoding become
 * U+FFFD (see `textProblem`), so that the reader can name the line they are on. String chunks
 * are passed on as they are. Throws `TextInputError` for a gzip file and for a line longer
 * than `maxLineChars`, as soon as it is seen: memory stays bounded whatever the input.
 */
export async function* decodeText(
  source: AsyncIterable<string | Uint8Array>,
  maxLineChars = MAX_LINE_CHARS,
): AsyncGenerator<string, void, undefined> {
  const measure = lineMeter(maxLineChars);
  let decoder: TextDecoder | undefined;
  let head: Uint8Array = new Uint8Array(0);
  for await (const chunk of source) {
    if (typeof chunk === 'string') {
      if (chunk !== '') yield measure(chunk);
      continue;
    }
    let bytes: Uint8Array = chunk;
    if (decoder === undefined) {
      // The first bytes tell gzip, UTF-16 (with or without a mark) and UTF-8 apart; keep
      // them until 16 have arrived (a shorter file is decoded at its end).
      head = concat(head, chunk);
      if (head.length < 16) continue;
      decoder = decoderFor(head);
      bytes = head;
    }
    const text = decoder.decode(bytes, { stream: true });
    if (text !== '') yield measure(text);
  }
  // A file of one byte never reached the decoder; otherwise flush what the decoder holds.
  const rest =
    decoder === undefined
      ? head.length > 0
        ? decoderFor(head).decode(head)
        : ''
      : decoder.decode();
  if (rest !== '') yield measure(rest);
}

/**
 * The lines of a file (without their LF or CRLF), decoded and bounded as `decodeText` does.
 * A last line without a line break is yielded too.
 */
export async function* textLines(
  source: AsyncIterable<string | Uint8Array>,
  maxLineChars = MAX_LINE_CHARS,
): AsyncGenerator<string, void, undefined> {
  let rest = '';
  for await (const text of decodeText(source, maxLineChars)) {
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      yield withoutCr(rest + text.slice(start, end));
      rest = '';
      start = end + 1;
    }
    rest += text.slice(start);
  }
  if (rest !== '') yield withoutCr(rest);
}

/**
 * Why a text value cannot be taken as it is, or undefined when it can: a U+FFFD (what a byte
 * that is not UTF-8 decodes to; a file saved as Latin-1 or Windows-1252 gives them) or a
 * control character other than tab, line feed and carriage return (NUL, for instance).
 */
export function textProblem(value: string): string | undefined {
  if (value.includes('\uFFFD')) {
    return 'is not UTF-8 text (it holds a byte that is not UTF-8, shown as U+FFFD): save the file as UTF-8 and try again';
  }
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) {
      const hex = code.toString(16).toUpperCase().padStart(4, '0');
      return `holds the control character U+${hex}, which a text value may not hold`;
    }
  }
  return undefined;
}

/** The rule for a file that cannot be read, with a hint when it is a folder. */
export function unreadableRule(description: string): string {
  return description.startsWith('EISDIR')
    ? 'is a folder, not a file'
    : `cannot be read (${description})`;
}

/**
 * ASCII text saved as UTF-16 without a byte order mark: a zero byte beside each character, in
 * the first few characters. UTF-8 text never holds a zero byte (it would be a NUL character).
 */
function looksLikeUtf16WithoutMark(head: Uint8Array): boolean {
  if (head.length < 4) return false;
  const pairs = Math.min(8, Math.floor(head.length / 2));
  let little = 0;
  let big = 0;
  for (let i = 0; i < pairs; i += 1) {
    const [first, second] = [head[2 * i], head[2 * i + 1]];
    if (first !== 0 && second === 0) little += 1;
    if (first === 0 && second !== 0) big += 1;
  }
  return little === pairs || big === pairs;
}

function decoderFor(head: Uint8Array): TextDecoder {
  if (head[0] === 0x1f && head[1] === 0x8b) {
    throw new TextInputError(
      1,
      'file',
      'looks like a gzip file (it starts with the bytes 1f 8b): unpack it first (gunzip) and give the unpacked file',
    );
  }
  if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder('utf-16le');
  if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder('utf-16be');
  if (looksLikeUtf16WithoutMark(head)) {
    throw new TextInputError(
      1,
      'file',
      'looks like UTF-16 text without a byte order mark (every other byte is 0): save the file as UTF-8 (or as UTF-16 with a byte order mark) and try again',
    );
  }
  return new TextDecoder('utf-8');
}

/** Counts lines and their length through the decoded text; throws on a line that is too long. */
function lineMeter(max: number): (text: string) => string {
  let line = 1;
  let length = 0;
  return (text) => {
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      length += (end === -1 ? text.length : end) - start;
      if (length > max) {
        throw new TextInputError(
          line,
          'line',
          `is longer than ${max.toLocaleString('en-US')} characters, the most a line may hold: is it a file of this format?`,
        );
      }
      if (end === -1) return text;
      line += 1;
      length = 0;
      start = end + 1;
    }
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}

function withoutCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
