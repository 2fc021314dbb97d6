import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { InvalidInputError } from '@app/vocabulary';
import {
  csvParser,
  describeError,
  isRecordTooLarge,
  NOT_A_REGULAR_FILE,
  RECORD_TOO_LARGE,
} from '../csv-rows.reader';
import {
  decodeText,
  quoteInput,
  TextInputError,
  textLines,
  textProblem,
  unreadableRule,
} from '../text-input';
import { bankFields, isBankRecordType, type BankRecordType } from './bank-exchange.schemas';

/**
 * One file of a bank export: a name (its record type and format come from it) and a way to read
 * its text. A folder gives files on disk (`bankExportFolder`); the HTTP API can give an upload
 * or a request body the same way, e.g. `{ name: 'body.jsonl', open: () => request }`.
 * `open` is called once.
 */
export interface BankExportFile {
  name: string;
  open(): AsyncIterable<string | Uint8Array>;
}

export type BankFileFormat = 'csv' | 'jsonl';

/**
 * How a file is read: `persons.csv` and `persons.jsonl` hold persons; any other `*.jsonl` (or
 * `*.ndjson`) file is "mixed": every line names its record type in a `type` field.
 */
export interface BankFilePlan {
  file: BankExportFile;
  format: BankFileFormat;
  /** The record type of every row, or `mixed` when each line says it. */
  type: BankRecordType | 'mixed';
}

/** One record as read: where it is, which type it claims, and its field values. */
export interface RawBankRecord {
  file: string;
  line: number;
  type: BankRecordType;
  /** Field values; empty CSV cells and JSON nulls are left out (absent). */
  values: Record<string, unknown>;
}

/** A problem found while reading (before any record-level check). */
export interface ReadProblem {
  file: string;
  line: number;
  field: string;
  rule: string;
}

const FILE_RULE =
  'must be named after a record type (persons, companies, accounts, holders, ownership, identifiers, identifier-uses, movements, events) with .csv or .jsonl, or be a .jsonl file whose lines carry a "type" field';

/**
 * Decides how each file is read. Refuses names it cannot place, two files of one type, and CSV
 * and JSON lines of one type side by side.
 */
export function planBankFiles(files: readonly BankExportFile[]): BankFilePlan[] {
  const plans: BankFilePlan[] = [];
  const problems: { field: string; rule: string }[] = [];
  const seen = new Map<BankRecordType, string>();
  for (const file of files) {
    const extension = extname(file.name).toLowerCase();
    const stem = file.name.slice(0, file.name.length - extension.length);
    const format: BankFileFormat | undefined =
      extension === '.csv'
        ? 'csv'
        : extension === '.jsonl' || extension === '.ndjson'
          ? 'jsonl'
          : undefined;
    if (format === undefined) {
      problems.push({ field: file.name, rule: FILE_RULE });
      continue;
    }
    if (isBankRecordType(stem)) {
      const other = seen.get(stem);
      if (other !== undefined) {
        problems.push({
          field: file.name,
          rule: `holds ${stem}, and so does ${other}: give one file per record type`,
        });
        continue;
      }
      seen.set(stem, file.name);
      plans.push({ file, format, type: stem });
    } else if (format === 'jsonl') {
      plans.push({ file, format, type: 'mixed' });
    } else {
      problems.push({ field: file.name, rule: FILE_RULE });
    }
  }
  if (plans.length === 0 && problems.length === 0) {
    problems.push({ field: 'files', rule: 'must hold at least one record file' });
  }
  if (problems.length > 0) {
    throw new InvalidInputError(
      `The bank export cannot be read: ${problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
      problems,
    );
  }
  return plans;
}

/** A stream that fails at once, saying that `path` is not a regular file. */
function refusedStream(path: string): Readable {
  const stream = new Readable({ read: () => undefined });
  process.nextTick(() => stream.destroy(new Error(`${path} ${NOT_A_REGULAR_FILE}`)));
  return stream;
}

/**
 * The record files of a folder (`*.csv`, `*.jsonl`, `*.ndjson`), sorted by name; other files
 * (a README, a manifest) are listed in `ignored`.
 */
export async function bankExportFolder(
  dir: string,
): Promise<{ files: BankExportFile[]; ignored: string[] }> {
  let names: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
    names = (await readdir(dir)).sort();
  } catch (error) {
    throw new InvalidInputError(
      `The bank export folder ${dir} cannot be read (${describeError(error)})`,
      [{ field: 'dir', rule: 'must be a readable folder of bank export files' }],
    );
  }
  const files: BankExportFile[] = [];
  const ignored: string[] = [];
  for (const name of names) {
    const extension = extname(name).toLowerCase();
    if (['.csv', '.jsonl', '.ndjson'].includes(extension) && !name.startsWith('.')) {
      const path = join(dir, name);
      // A FIFO (or socket, device) would be waited on for ever once opened: refused unopened.
      const entry = await stat(path).catch(() => undefined);
      const special = entry !== undefined && !entry.isFile() && !entry.isDirectory();
      files.push({ name, open: () => (special ? refusedStream(path) : createReadStream(path)) });
    } else {
      ignored.push(name);
    }
  }
  return { files, ignored };
}

/** Thrown inside a reader to stop reading once enough problems are collected. */
export class StopReading extends Error {}

/**
 * Reads the records of one file, in order. Problems with the file's framing (a CSV row with the
 * wrong number of values, a line that is not JSON, a missing or unknown `type`) go to `report`
 * and the row is skipped.
 */
export async function* readBankFile(
  plan: BankFilePlan,
  report: (problem: ReadProblem) => void,
): AsyncGenerator<RawBankRecord, number, undefined> {
  if (plan.format === 'csv' && plan.type !== 'mixed') {
    return yield* readCsvRecords(plan.file, plan.type, report);
  }
  return yield* readJsonlRecords(plan.file, plan.type, report);
}

async function* readCsvRecords(
  file: BankExportFile,
  type: BankRecordType,
  report: (problem: ReadProblem) => void,
): AsyncGenerator<RawBankRecord, number, undefined> {
  const parser = csvParser();
  const source = Readable.from(decodeText(file.open()));
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let header: string[] | undefined;
  let rows = 0;
  try {
    for await (const item of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      const { record, info } = item;
      if (header === undefined) {
        header = record.map((name) => name.trim().toLowerCase());
        if (!checkHeader(file.name, info.lines, type, header, report)) return rows;
        continue;
      }
      rows += 1;
      if (record.length !== header.length) {
        report({
          file: file.name,
          line: info.lines,
          field: 'row',
          rule: `has ${record.length} values but the header has ${header.length} columns`,
        });
        continue;
      }
      const values = fieldValues();
      let fine = true;
      header.forEach((name, index) => {
        const cell = record[index] ?? '';
        const problem = textProblem(cell);
        if (problem !== undefined) {
          report({ file: file.name, line: info.lines, field: name, rule: problem });
          fine = false;
        }
        if (cell !== '') values[name] = cell;
      });
      if (fine) yield { file: file.name, line: info.lines, type, values };
    }
  } catch (error) {
    if (error instanceof StopReading) throw error;
    report(csvReadProblem(file.name, error));
    return rows;
  } finally {
    source.destroy();
    parser.destroy();
  }
  if (header === undefined) {
    report({ file: file.name, line: 1, field: 'header', rule: 'is missing: the file is empty' });
  }
  return rows;
}

/** What went wrong while reading a CSV file: its text, its CSV syntax or the file itself. */
function csvReadProblem(name: string, error: unknown): ReadProblem {
  if (error instanceof TextInputError) {
    return { file: name, line: error.line, field: error.field, rule: error.rule };
  }
  const line = lineOf(error);
  if (isRecordTooLarge(error)) {
    return { file: name, line: line ?? 0, field: 'row', rule: RECORD_TOO_LARGE };
  }
  // csv-parse errors carry the line; an error without one comes from reading the file.
  return line === undefined
    ? { file: name, line: 0, field: 'file', rule: unreadableRule(describeError(error)) }
    : { file: name, line, field: 'file', rule: `is not valid CSV (${describeError(error)})` };
}

/** Checks a CSV header once, so that a wrong column is one problem, not one per row. */
function checkHeader(
  name: string,
  line: number,
  type: BankRecordType,
  header: readonly string[],
  report: (problem: ReadProblem) => void,
): boolean {
  const { required, optional } = bankFields(type);
  const known = new Set([...required, ...optional]);
  let fine = true;
  const seen = new Set<string>();
  const unreadable = header.map(textProblem).find((problem) => problem !== undefined);
  if (unreadable !== undefined) {
    report({ file: name, line, field: 'header', rule: unreadable });
    return false;
  }
  for (const column of header) {
    if (column === '') {
      report({
        file: name,
        line,
        field: 'header',
        rule: `has an empty column name (a trailing comma?); the columns of ${type} are ${[...required, ...optional].join(', ')}`,
      });
      fine = false;
      continue;
    }
    if (seen.has(column)) {
      report({ file: name, line, field: quoteInput(column), rule: 'appears twice in the header' });
      fine = false;
    }
    seen.add(column);
    if (!known.has(column)) {
      report({
        file: name,
        line,
        field: quoteInput(column),
        rule: `is not a column of ${type} (columns: ${[...required, ...optional].join(', ')})`,
      });
      fine = false;
    }
  }
  for (const column of required) {
    if (!seen.has(column)) {
      report({
        file: name,
        line,
        field: column,
        rule: 'is a required column and is missing from the header',
      });
      fine = false;
    }
  }
  return fine;
}

async function* readJsonlRecords(
  file: BankExportFile,
  type: BankRecordType | 'mixed',
  report: (problem: ReadProblem) => void,
): AsyncGenerator<RawBankRecord, number, undefined> {
  const lines = textLines(file.open());
  let number = 0;
  let rows = 0;
  try {
    for await (const text of lines) {
      number += 1;
      const trimmed = number === 1 ? text.replace(/^\uFEFF/, '').trim() : text.trim();
      if (trimmed === '') continue;
      rows += 1;
      if (trimmed.includes('\uFFFD')) {
        report({ file: file.name, line: number, field: 'line', rule: textProblem(trimmed) ?? '' });
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed) as unknown;
      } catch {
        report({
          file: file.name,
          line: number,
          field: 'line',
          rule: 'must be one JSON object per line',
        });
        continue;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        report({
          file: file.name,
          line: number,
          field: 'line',
          rule: 'must be one JSON object per line',
        });
        continue;
      }
      const { type: declared, ...rest } = parsed as Record<string, unknown>;
      let recordType: BankRecordType;
      if (type === 'mixed') {
        if (!isBankRecordType(declared)) {
          report({
            file: file.name,
            line: number,
            field: 'type',
            rule:
              declared === undefined
                ? 'is required in a mixed JSON-lines file (persons, companies, accounts, holders, ownership, identifiers, identifier-uses, movements or events)'
                : 'must be one of persons, companies, accounts, holders, ownership, identifiers, identifier-uses, movements, events',
          });
          continue;
        }
        recordType = declared;
      } else {
        if (declared !== undefined && declared !== type) {
          report({
            file: file.name,
            line: number,
            field: 'type',
            rule: `must be ${type} in ${file.name} (or be left out)`,
          });
          continue;
        }
        recordType = type;
      }
      // No prototype: a "__proto__" key stays an ordinary (unknown) field instead of setting
      // the object's prototype, whose fields would then pass for the record's own.
      const values = fieldValues();
      let fine = true;
      for (const [key, value] of Object.entries(rest)) {
        const problem = typeof value === 'string' ? textProblem(value) : undefined;
        if (problem !== undefined) {
          report({ file: file.name, line: number, field: quoteInput(key), rule: problem });
          fine = false;
        }
        if (value !== null) values[key] = value;
      }
      if (fine) yield { file: file.name, line: number, type: recordType, values };
    }
  } catch (error) {
    if (error instanceof StopReading) throw error;
    report(
      error instanceof TextInputError
        ? { file: file.name, line: error.line, field: error.field, rule: error.rule }
        : {
            file: file.name,
            line: number,
            field: 'file',
            rule: unreadableRule(describeError(error)),
          },
    );
  } finally {
    await lines.return(undefined);
  }
  return rows;
}

/**
 * An empty object without a prototype for a record's field values: keys such as `__proto__`,
 * `constructor` or `toString` are then plain own fields that the schema check refuses as
 * unknown, never inherited or prototype-setting ones.
 */
function fieldValues(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

function lineOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'lines' in error) {
    const { lines } = error;
    if (typeof lines === 'number' && Number.isSafeInteger(lines)) return lines;
  }
  return undefined;
}
