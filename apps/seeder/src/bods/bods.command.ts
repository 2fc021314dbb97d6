import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  type GraphStore,
  type GraphStoreWriter,
  outageWaitingWriter,
  type UpsertResult,
} from '@app/graph-store';
import { type BodsImportNote, BodsImportResult, importBodsStatements } from '@app/ubo';
import { DomainError, InvalidInputError } from '@app/vocabulary';
import { failCommand } from '../command-errors';
import { calendarDateOption } from '../date-options';
import { graphOutageWait } from '../graph-outage';
import { writeAtomically } from '../output/atomic-output-dir';
import {
  checkOutputFolder,
  type OutputFolderRequest,
  OVERWRITE_HELP,
} from '../output/output-folder.guard';
import { BODS_FILES } from '../output/seeder-output.files';

export const BODS_SINKS = ['jsonl', 'graph'] as const;
export type BodsSink = (typeof BODS_SINKS)[number];

export interface BodsCommandDeps {
  /** The graph store for `--sink graph` (the seeder's application context provides it). */
  graphStore?: () => Promise<GraphStore>;
  /** GRAPH_OUTAGE_WAIT_MS for `--sink graph` (default 0: fail at once). */
  graphOutageWaitMs?: () => number;
  /** Where the summary lines (and, without --out, the JSON lines) go; default standard output. */
  print?: (line: string) => void;
  /** The largest --file read, in bytes (default MAX_BODS_FILE_BYTES; tests give less). */
  maxFileBytes?: number;
}

interface BodsCommandOptions {
  file: string;
  sink: BodsSink;
  out?: string;
  overwrite: boolean;
  source: string;
  asOf?: string;
  strict: boolean;
  batchSize: number;
}

/** Upserts per call to the graph store. */
const DEFAULT_BATCH = 1000;

/**
 * The largest --file read (256 MB). The whole package is read and parsed in memory, and every
 * statement becomes objects (and every problem a note) several times its size in the file.
 */
export const MAX_BODS_FILE_BYTES = 256 * 1024 * 1024;

/** Reasons, and problems, listed on standard error when statements were skipped. */
const SKIPPED_REASONS_SHOWN = 10;
const SKIPPED_PROBLEMS_SHOWN = 5;

const HELP_AFTER = `
--file is read into memory at once, so a file over ${MAX_BODS_FILE_BYTES / 1024 / 1024} MB is refused. Split a larger
package into several JSON arrays (keep every statement of one recordId in the same part, so later
statements replace earlier ones) and import the parts one by one: with --sink graph (upserts add
up), or each into its own --out folder.

Statements that cannot be read are skipped and summarised on standard error (a count per reason
and the first problems; --out also lists every one in bods-import-summary.json). A file from which
nothing at all can be imported is refused (exit code 2).`;

/**
 * Adds `import bods` to the seeder's command line (under the existing `import` command when
 * there is one, so call it after `registerImportCommands`):
 *
 *   seeder import bods --file <statements.json> [--sink jsonl|graph] [--out <dir>] [--as-of YYYY-MM-DD]
 *
 * Reads a BODS 0.4 package (a JSON array of statements), applies record replacement over time
 * and closed records, and writes vocabulary vertices and edges: into the graph store
 * (`--sink graph`, idempotent upserts), or as JSON lines (`--sink jsonl`: files in `--out`,
 * or standard output without it; `--out` is written to a temporary folder and swapped in only
 * when complete). Statements that cannot be read are skipped and summarised on standard error
 * (`--strict` refuses the whole file instead); a file of which nothing can be imported is
 * refused. Bad input exits with code 2 and a message naming the field and the rule.
 */
export function registerBodsCommands(program: Command, deps: BodsCommandDeps = {}): Command {
  const print = deps.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const group =
    program.commands.find((command) => command.name() === 'import') ??
    program.command('import').description('Import public data into the graph model');
  const bods = group
    .command('bods')
    .description(
      'Import Open Ownership BODS 0.4 statements (persons, entities, relationships) as vertices and edges',
    )
    .requiredOption(
      '--file <json>',
      `a BODS 0.4 package: a JSON array of statements (at most ${MAX_BODS_FILE_BYTES / 1024 / 1024} MB)`,
    )
    .addOption(
      new Option('--sink <kind>', 'graph: upsert into the graph store; jsonl: JSON lines')
        .choices(BODS_SINKS)
        .default('jsonl'),
    )
    .option(
      '--out <dir>',
      'jsonl: folder for vertices.jsonl, edges.jsonl and bods-import-summary.json (default: standard output)',
    )
    .option(
      '--overwrite',
      `replace an existing --out folder once the import has succeeded ${OVERWRITE_HELP}`,
      false,
    )
    .option(
      '--source <name>',
      'source name inside the business ids (company:<source>:<recordId>)',
      parseSource,
      'bods',
    )
    .option(
      '--as-of <date>',
      'read the package as it stood on this date (YYYY-MM-DD)',
      calendarDateOption,
    )
    .option('--strict', 'refuse the whole file if any statement is invalid', false)
    .option(
      '--batch-size <n>',
      'graph: vertices or edges per upsert',
      parsePositiveInteger,
      DEFAULT_BATCH,
    )
    .addHelpText('after', HELP_AFTER);
  bods.action(async () => {
    const opts = bods.opts<BodsCommandOptions>();
    const output = outputFolder(opts);
    try {
      // 1. Refuse an output folder that may not be written before reading the package.
      if (output) await checkOutputFolder(output);
      // 2. Read, parse and import the statements.
      const statements = await readPackage(opts.file, deps.maxFileBytes ?? MAX_BODS_FILE_BYTES);
      const imported = withoutSummaries(
        importBodsStatements(statements, {
          source: opts.source,
          strict: opts.strict,
          ...(opts.asOf !== undefined ? { asOf: opts.asOf } : {}),
        }),
      );
      // 3. Say what was skipped, and refuse a file of which nothing could be imported.
      for (const line of describeSkipped(imported, output?.out)) warn(bods, line);
      refuseNothingImported(imported, opts);
      // 4. Write: graph store, output folder, or JSON lines on standard output.
      const lines = describeImport(imported, opts);
      if (opts.sink === 'graph') {
        lines.push(await writeToGraph(imported, opts.batchSize, deps));
      } else if (output) {
        await writeAtomically(output, (dir) => writeFiles(dir, imported));
        lines.push(`  written to ${output.out}`);
      } else {
        for (const vertex of imported.vertices)
          print(JSON.stringify({ kind: 'vertex', ...vertex }));
        for (const edge of imported.edges) print(JSON.stringify({ kind: 'edge', ...edge }));
      }
      // Without --out the JSON lines are the output; keep the summary off it then.
      if (opts.sink === 'graph' || output) lines.forEach((line) => print(line));
    } catch (error: unknown) {
      if (error instanceof DomainError) failCommand(bods, 'import.bods', error);
      throw error;
    }
  });
  return bods;
}

/** The output folder of `--sink jsonl --out`; none for the graph sink or standard output. */
function outputFolder(opts: BodsCommandOptions): OutputFolderRequest | undefined {
  if (opts.sink !== 'jsonl' || opts.out === undefined) return undefined;
  return {
    out: opts.out,
    overwrite: opts.overwrite,
    inputs: [{ option: '--file', path: opts.file }],
  };
}

/** Upserts the import into the graph store of `deps`; returns the line saying what changed. */
async function writeToGraph(
  imported: BodsImportResult,
  batchSize: number,
  deps: BodsCommandDeps,
): Promise<string> {
  if (!deps.graphStore) {
    throw new InvalidInputError(
      '--sink graph needs a graph store, and this command was started without one',
      [{ field: 'sink', rule: 'graph is available only when the seeder provides a graph store' }],
    );
  }
  const writer = outageWaitingWriter(
    await deps.graphStore(),
    graphOutageWait(deps.graphOutageWaitMs?.() ?? 0),
  );
  const written = await upsertAll(writer, imported, batchSize);
  return `  graph: ${written.created} created, ${written.updated} updated, ${written.unchanged} unchanged`;
}

/**
 * Leaves out the edges of declared indirect control interests that only summarise their
 * statement's component records (importBodsStatements lists them in `summaryEdges`): the
 * components are written link by link, and a stored summary would count the same control (or
 * management role) a second time when the graph is evaluated.
 */
export function withoutSummaries(imported: BodsImportResult): BodsImportResult {
  if (imported.summaryEdges.length === 0) return imported;
  const summaries = new Set(imported.summaryEdges);
  return { ...imported, edges: imported.edges.filter((edge) => !summaries.has(edge.eid)) };
}

/** The summary lines printed after an import. */
export function describeImport(
  imported: BodsImportResult,
  opts: Pick<BodsCommandOptions, 'file' | 'sink'>,
): string[] {
  const { stats } = imported;
  const skipped = imported.notes.filter((note) => note.severity === 'skipped');
  const noted = imported.notes.filter((note) => note.severity === 'note');
  return [
    `Imported BODS from ${opts.file}: ${stats.statements} statements, ${stats.records} records (${stats.replaced} replaced by later statements, ${stats.closedRecords} closed${stats.later > 0 ? `, ${stats.later} dated after --as-of left out` : ''})`,
    `  ${imported.vertices.length} vertices, ${imported.edges.length} edges` +
      (opts.sink === 'graph' ? ' upserted into the graph store' : ''),
    ...(imported.summaryEdges.length > 0
      ? [
          `  ${imported.summaryEdges.length} indirect control interest(s) only summarise their component records and were left out (the components are written link by link)`,
        ]
      : []),
    ...(imported.unspecifiedParties.length > 0
      ? [
          `  ${imported.unspecifiedParties.length} interested part(ies) not disclosed (Unspecified Record)`,
        ]
      : []),
    ...(skipped.length > 0
      ? [
          `  ${skipped.length} problem(s) in the statements: what they concern was left out (listed on standard error)`,
        ]
      : []),
    ...noted.slice(0, 20).map((note) => `  note: ${note.field} ${note.rule}`),
    ...(noted.length > 20 ? [`  (and ${noted.length - 20} more notes)`] : []),
  ];
}

/**
 * Summarises the skipped parts of the statements for standard error: how many, a count per
 * reason (the field without its position, and the rule) and the first few problems. Empty when
 * nothing was skipped. `out`: where bods-import-summary.json lists every problem.
 */
export function describeSkipped(imported: BodsImportResult, out?: string): string[] {
  const skipped = imported.notes.filter((note) => note.severity === 'skipped');
  if (skipped.length === 0) return [];
  const statements = new Set(skipped.map((note) => note.index)).size;
  const reasons = new Map<string, number>();
  for (const note of skipped) {
    const reason = `${positionless(note)} ${note.rule}`;
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const byCount = [...reasons].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0));
  const moreReasons = byCount.length - SKIPPED_REASONS_SHOWN;
  const moreProblems = skipped.length - SKIPPED_PROBLEMS_SHOWN;
  return [
    `warning: ${skipped.length} problem(s) in ${statements} of the ${imported.stats.statements} statements; ` +
      'what they concern (the statement, or one interest of it) was left out (--strict refuses the whole file instead)',
    '  by reason:',
    ...byCount.slice(0, SKIPPED_REASONS_SHOWN).map(([reason, count]) => `    ${count} x ${reason}`),
    ...(moreReasons > 0 ? [`    (and ${moreReasons} more reasons)`] : []),
    '  first problems:',
    ...skipped.slice(0, SKIPPED_PROBLEMS_SHOWN).map((note) => `    ${note.field} ${note.rule}`),
    ...(moreProblems > 0 ? [`    (and ${moreProblems} more)`] : []),
    ...(out !== undefined ? [`  every problem is listed in ${join(out, BODS_FILES.summary)}`] : []),
  ];
}

/** A note's field with every position written `[*]`, so that one reason counts all statements. */
function positionless(note: BodsImportNote): string {
  return note.field.replace(/\[\d+\]/g, '[*]');
}

/** Refuses a package of which nothing can be imported: that is a wrong file, not an empty import. */
function refuseNothingImported(
  imported: BodsImportResult,
  opts: Pick<BodsCommandOptions, 'file' | 'asOf'>,
): void {
  if (imported.vertices.length > 0 || imported.edges.length > 0) return;
  const { statements, later } = imported.stats;
  const skipped = imported.notes.some((note) => note.severity === 'skipped');
  const why =
    statements === 0
      ? 'it holds no statements (an empty JSON array)'
      : later === statements && opts.asOf !== undefined
        ? `all its ${statements} statements are dated after --as-of ${opts.asOf}`
        : `none of its ${statements} statements gave a person, an entity or a relationship` +
          (skipped ? ' (the problems are listed above)' : '');
  throw new InvalidInputError(
    `Nothing was imported from --file ${opts.file}: ${why}. A BODS 0.4 package is a JSON array of ` +
      'statements, each with statementId, recordId, recordType (entity, person or relationship), ' +
      'statementDate and recordDetails',
    [{ field: 'file', rule: 'must give at least one person, entity or relationship' }],
  );
}

/** Writes one line to the command's standard error (where commander writes its errors). */
function warn(command: Command, line: string): void {
  const output = command.configureOutput();
  if (output.writeErr) output.writeErr(`${line}\n`);
  else process.stderr.write(`${line}\n`);
}

/** Reads and parses --file: refused when it is larger than `maxBytes`, unreadable or not JSON. */
async function readPackage(path: string, maxBytes: number): Promise<unknown> {
  let text: string;
  try {
    // A pipe is read too (--file /dev/stdin, or <(zcat package.json.gz)): its writer ends it.
    const { size } = await stat(path);
    if (size > maxBytes) return refuseTooLarge(path, size, maxBytes);
    text = decodeText(await readFile(path));
  } catch (error: unknown) {
    if (error instanceof DomainError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError(`cannot read --file ${path}: ${reason}`, [
      { field: 'file', rule: 'must be a readable JSON file' },
    ]);
  }
  return parseJson(text, path);
}

function refuseTooLarge(path: string, size: number, maxBytes: number): never {
  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  throw new InvalidInputError(
    `--file ${path} is ${mb(size)}, more than the ${mb(maxBytes)} import bods reads at once ` +
      '(the whole package is held in memory). Split it into several JSON arrays, keeping every ' +
      'statement of one recordId in the same part, and import the parts one by one ' +
      '(--sink graph, or one --out folder each)',
    [{ field: 'file', rule: `must be at most ${mb(maxBytes)}` }],
  );
}

/**
 * The file's text: UTF-8, or UTF-16 when it starts with a byte order mark (as the CSV importers
 * read it; some Windows tools save JSON so).
 */
function decodeText(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return bytes.subarray(2).toString('utf16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return bytes.toString('utf8');
}

/**
 * Parses the package: one JSON array of statements, or JSON lines (one statement per line, as
 * large BODS datasets are published). A leading byte order mark is not part of it.
 */
function parseJson(text: string, path: string): unknown {
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    const parsed = JSON.parse(json) as unknown;
    // One statement alone (a JSON-lines file of one line) is a package of one.
    const single =
      typeof parsed === 'object' &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      'statementId' in parsed;
    return single ? [parsed] : parsed;
  } catch (error: unknown) {
    const lines = json.split('\n');
    const statements: unknown[] = [];
    let lineProblem: string | undefined;
    for (let index = 0; index < lines.length && lineProblem === undefined; index += 1) {
      const line = lines[index].trim();
      if (line === '') continue;
      try {
        statements.push(JSON.parse(line) as unknown);
      } catch (lineError: unknown) {
        lineProblem = `line ${index + 1}: ${lineError instanceof Error ? lineError.message : String(lineError)}`;
      }
    }
    if (lineProblem === undefined && statements.length > 1) return statements;
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError(
      `--file ${path} is not valid JSON: ${reason}` +
        (statements.length > 0 && lineProblem !== undefined
          ? `; read as JSON lines (one statement per line), its ${lineProblem}`
          : ''),
      [
        {
          field: 'file',
          rule: 'must hold a JSON array of BODS statements, or one statement per line',
        },
      ],
    );
  }
}

async function upsertAll(
  store: GraphStoreWriter,
  imported: BodsImportResult,
  batchSize: number,
): Promise<UpsertResult> {
  const total: UpsertResult = { created: 0, updated: 0, unchanged: 0 };
  const add = (result: UpsertResult): void => {
    total.created += result.created;
    total.updated += result.updated;
    total.unchanged += result.unchanged;
  };
  for (let i = 0; i < imported.vertices.length; i += batchSize)
    add(await store.upsertVertices(imported.vertices.slice(i, i + batchSize)));
  for (let i = 0; i < imported.edges.length; i += batchSize)
    add(await store.upsertEdges(imported.edges.slice(i, i + batchSize)));
  return total;
}

/** Writes the output files into `dir` (a fresh temporary folder that `writeAtomically` swaps in). */
async function writeFiles(dir: string, imported: BodsImportResult): Promise<void> {
  const lines = (items: readonly unknown[]): string =>
    items.map((item) => JSON.stringify(item)).join('\n') + (items.length > 0 ? '\n' : '');
  await writeFile(join(dir, BODS_FILES.vertices), lines(imported.vertices), { flag: 'wx' });
  await writeFile(join(dir, BODS_FILES.edges), lines(imported.edges), { flag: 'wx' });
  const summary = {
    source: 'bods',
    stats: imported.stats,
    vertices: imported.vertices.length,
    edges: imported.edges.length,
    declarationSubjects: imported.declarationSubjects,
    unidentified: imported.unidentified,
    unspecifiedParties: imported.unspecifiedParties,
    summaryEdgesLeftOut: imported.summaryEdges,
    notes: imported.notes,
  };
  await writeFile(join(dir, BODS_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`, {
    flag: 'wx',
  });
}

function parsePositiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError('must be a whole number of at least 1');
  }
  return value;
}

function parseSource(text: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(text)) {
    throw new InvalidArgumentError('must be 1-40 letters, digits, dots, underscores or dashes');
  }
  return text;
}
