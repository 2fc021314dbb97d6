import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parse, type Parser } from 'csv-parse';
import { ImportFormatError } from './import-format.error';
import { decodeText, MAX_LINE_CHARS, quoteInput, TextInputError, textProblem } from './text-input';

/** One record of a CSV file with the line it ends on (1-based, header included). */
export interface CsvRow {
  line: number;
  values: string[];
}

/** The rule for a FIFO, socket or device given as an input file. */
export const NOT_A_REGULAR_FILE =
  'is not a regular file (a FIFO, socket or device, which would be waited on for ever): give the file itself';

/**
 * Checks that `path` names a readable regular file, so that a wrong path fails with a clear
 * message before any output is produced.
 */
export async function assertReadableFile(path: string): Promise<void> {
  let handle;
  try {
    // Looked at before it is opened: opening a FIFO waits for a writer, for ever if none comes.
    const stats = await stat(path);
    if (!stats.isFile() && !stats.isDirectory())
      throw new ImportFormatError(path, undefined, NOT_A_REGULAR_FILE);
    handle = await open(path, 'r');
    if (!(await handle.stat()).isFile())
      throw new ImportFormatError(path, undefined, 'is not a file');
  } catch (error) {
    if (error instanceof ImportFormatError) throw error;
    throw new ImportFormatError(
      path,
      undefined,
      `cannot be read (${describeError(error)})`,
      'file',
      {
        cause: error,
      },
    );
  } finally {
    await handle?.close();
  }
}

/**
 * Streams the records of a CSV file with `csv-parse`, with bounded memory: one record at a
 * time, whatever the file size. Handles a byte-order mark (UTF-8 or UTF-16), LF or CRLF line
 * endings and blank lines (skipped). Values are trimmed. Refuses, with the line, a line longer
 * than `MAX_LINE_CHARS`, a gzip file, and a value that is not UTF-8 text or holds a control
 * character (see `decodeText` and `textProblem`). Rows may have any number of columns: callers check the
 * count themselves, so that they can name the file, line and expected columns in the error.
 *
 * Line numbers are exact for files without line breaks inside quoted values (all formats read
 * here); csv-parse counts a quoted line break in a way that may shift later numbers by one.
 */
export async function* readCsvRows(path: string): AsyncGenerator<CsvRow, void, undefined> {
  await assertReadableFile(path);
  const source = Readable.from(decodeText(createReadStream(path)));
  const parser = csvParser();
  // `pipe` does not forward errors of the source (e.g. the file vanished or is a directory).
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const item of parser as AsyncIterable<unknown>) {
      yield toCsvRow(item, path);
    }
  } catch (error) {
    if (error instanceof ImportFormatError) throw error;
    if (error instanceof TextInputError) {
      throw new ImportFormatError(
        path,
        error.line,
        `the ${error.field} ${error.rule}`,
        error.field,
        {
          cause: error,
        },
      );
    }
    if (isRecordTooLarge(error)) {
      throw new ImportFormatError(path, lineOf(error), RECORD_TOO_LARGE, 'row', { cause: error });
    }
    const line = lineOf(error);
    throw new ImportFormatError(
      path,
      line,
      line === undefined
        ? `cannot be read (${describeError(error)})`
        : `is not valid CSV: ${describeError(error)}`,
      line === undefined ? 'file' : 'row',
      { cause: error },
    );
  } finally {
    source.destroy();
    parser.destroy();
  }
}

/**
 * The csv-parse options of every CSV reader: a byte-order mark, blank lines and surrounding
 * spaces are dropped, rows may differ in length (callers check it), and no record may grow
 * beyond `MAX_LINE_CHARS` (an unclosed quote would otherwise swallow the rest of the file).
 */
export function csvParser(): Parser {
  return parse({
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    max_record_size: MAX_LINE_CHARS,
  });
}

/** What a reader says of a record beyond `MAX_LINE_CHARS`. */
export const RECORD_TOO_LARGE = `the row is longer than ${MAX_LINE_CHARS.toLocaleString('en-US')} characters, the most a row may hold (is a closing quote missing?)`;

/** True for csv-parse's error about a record beyond `max_record_size`. */
export function isRecordTooLarge(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    error.code === 'CSV_MAX_RECORD_SIZE'
  );
}

function toCsvRow(item: unknown, path: string): CsvRow {
  if (typeof item === 'object' && item !== null && 'record' in item && 'info' in item) {
    const { record, info } = item;
    const line = lineOf(info);
    if (Array.isArray(record) && line !== undefined) {
      const values = record.map((value) => String(value));
      values.forEach((value, index) => {
        const problem = textProblem(value);
        if (problem !== undefined) {
          throw new ImportFormatError(path, line, `value ${index + 1} of the row ${problem}`);
        }
      });
      return { line, values };
    }
  }
  throw new ImportFormatError(path, undefined, 'produced a record csv-parse could not describe');
}

function lineOf(value: unknown): number | undefined {
  if (typeof value === 'object' && value !== null && 'lines' in value) {
    const { lines } = value;
    if (typeof lines === 'number' && Number.isSafeInteger(lines) && lines > 0) return lines;
  }
  return undefined;
}

export function describeError(error: unknown): string {
  // Not `instanceof Error`: errors of Node's core modules may come from another realm (jest).
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { message, code } = error as { message: unknown; code?: unknown };
    const text = String(message);
    return typeof code === 'string' && !text.startsWith(code) ? `${code}: ${text}` : text;
  }
  return String(error);
}

/**
 * Finds the position of each named column in a header row (case and surrounding spaces
 * ignored). A missing required column is reported with the columns that were found.
 */
export function indexColumns<R extends string, O extends string = never>(
  header: CsvRow,
  path: string,
  required: readonly R[],
  optional: readonly O[] = [],
): Record<R, number> & Partial<Record<O, number>> {
  const positions = new Map<string, number>();
  header.values.forEach((name, index) => {
    const key = name.trim().toLowerCase();
    if (!positions.has(key)) positions.set(key, index);
  });
  const result = {} as Record<R, number> & Partial<Record<O, number>>;
  for (const name of required) {
    const index = positions.get(name.toLowerCase());
    if (index === undefined) {
      throw new ImportFormatError(
        path,
        header.line,
        `the header has no column "${name}" (columns found: ${quoteInput(header.values.join(', '))})`,
        name,
      );
    }
    (result as Record<R, number>)[name] = index;
  }
  for (const name of optional) {
    const index = positions.get(name.toLowerCase());
    if (index !== undefined) (result as Partial<Record<O, number>>)[name] = index;
  }
  return result;
}

/** A data row of a CSV table with a header, read by column name. */
export interface TableRow<C extends string> {
  file: string;
  line: number;
  /** The value of a column; '' when an optional column is absent from the header. */
  cell(column: C): string;
  /** True when the header has this column. */
  has(column: C): boolean;
}

/**
 * Streams a CSV file whose first line is a header, checking that every required column is
 * there and that every row has as many values as the header.
 */
export async function* readCsvTable<R extends string, O extends string = never>(
  path: string,
  required: readonly R[],
  optional: readonly O[] = [],
): AsyncGenerator<TableRow<R | O>, void, undefined> {
  let columns: (Record<R, number> & Partial<Record<O, number>>) | undefined;
  let width = 0;
  for await (const row of readCsvRows(path)) {
    if (columns === undefined) {
      columns = indexColumns(row, path, required, optional);
      width = row.values.length;
      continue;
    }
    if (row.values.length !== width) {
      throw new ImportFormatError(
        path,
        row.line,
        `the row has ${row.values.length} values but the header has ${width} columns`,
      );
    }
    const found = columns as Partial<Record<R | O, number>>;
    const values = row.values;
    yield {
      file: path,
      line: row.line,
      cell: (column) => {
        const index = found[column];
        return index === undefined ? '' : (values[index] ?? '');
      },
      has: (column) => found[column] !== undefined,
    };
  }
  if (columns === undefined) {
    throw new ImportFormatError(
      path,
      undefined,
      `is empty: the header (${required.join(', ')}) is missing`,
    );
  }
}
