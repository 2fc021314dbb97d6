import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  type GraphStore,
  type GraphStoreWriter,
  outageWaitingWriter,
  type UpsertResult,
} from '@app/graph-store';
import { BodsImportResult, importBodsStatements } from '@app/ubo';
import { DomainError, InvalidInputError } from '@app/vocabulary';
import { failCommand } from '../command-errors';
import { graphOutageWait } from '../graph-outage';

export const BODS_SINKS = ['jsonl', 'graph'] as const;
export type BodsSink = (typeof BODS_SINKS)[number];

export interface BodsCommandDeps {
  /** The graph store for `--sink graph` (the seeder's application context provides it). */
  graphStore?: () => Promise<GraphStore>;
  /** GRAPH_OUTAGE_WAIT_MS for `--sink graph` (default 0: fail at once). */
  graphOutageWaitMs?: () => number;
  /** Where the summary lines (and, without --out, the JSON lines) go; default standard output. */
  print?: (line: string) => void;
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
 * Adds `import bods` to the seeder's command line (under the existing `import` command when
 * there is one, so call it after `registerImportCommands`):
 *
 *   seeder import bods --file <statements.json> [--sink jsonl|graph] [--out <dir>] [--as-of YYYY-MM-DD]
 *
 * Reads a BODS 0.4 package (a JSON array of statements), applies record replacement over time
 * and closed records, and writes vocabulary vertices and edges: into the graph store
 * (`--sink graph`, idempotent upserts), or as JSON lines (`--sink jsonl`: files in `--out`,
 * or standard output without it). Statements that cannot be read are listed and skipped
 * (`--strict` refuses the whole file instead). Bad input exits with code 2 and a message
 * naming the field and the rule.
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
    .requiredOption('--file <json>', 'a BODS 0.4 package: a JSON array of statements')
    .addOption(
      new Option('--sink <kind>', 'graph: upsert into the graph store; jsonl: JSON lines')
        .choices(BODS_SINKS)
        .default('jsonl'),
    )
    .option(
      '--out <dir>',
      'jsonl: folder for vertices.jsonl, edges.jsonl and bods-import-summary.json (default: standard output)',
    )
    .option('--overwrite', 'replace an existing --out folder', false)
    .option(
      '--source <name>',
      'source name inside the business ids (company:<source>:<recordId>)',
      parseSource,
      'bods',
    )
    .option('--as-of <date>', 'read the package as it stood on this date (YYYY-MM-DD)', parseDate)
    .option('--strict', 'refuse the whole file if any statement is invalid', false)
    .option(
      '--batch-size <n>',
      'graph: vertices or edges per upsert',
      parsePositiveInteger,
      DEFAULT_BATCH,
    );
  bods.action(async () => {
    const opts = bods.opts<BodsCommandOptions>();
    try {
      const text = await readInput(opts.file);
      const imported = withoutSummaries(
        importBodsStatements(parseJson(text, opts.file), {
          source: opts.source,
          strict: opts.strict,
          ...(opts.asOf !== undefined ? { asOf: opts.asOf } : {}),
        }),
      );
      const lines = describeImport(imported, opts);
      if (opts.sink === 'graph') {
        if (!deps.graphStore) {
          throw new InvalidInputError(
            '--sink graph needs a graph store, and this command was started without one',
            [
              {
                field: 'sink',
                rule: 'graph is available only when the seeder provides a graph store',
              },
            ],
          );
        }
        const writer = outageWaitingWriter(
          await deps.graphStore(),
          graphOutageWait(deps.graphOutageWaitMs?.() ?? 0),
        );
        const written = await upsertAll(writer, imported, opts.batchSize);
        lines.push(
          `  graph: ${written.created} created, ${written.updated} updated, ${written.unchanged} unchanged`,
        );
      } else if (opts.out !== undefined) {
        await writeFolder(opts.out, opts.overwrite, imported);
        lines.push(`  written to ${opts.out}`);
      } else {
        for (const vertex of imported.vertices)
          print(JSON.stringify({ kind: 'vertex', ...vertex }));
        for (const edge of imported.edges) print(JSON.stringify({ kind: 'edge', ...edge }));
      }
      // Without --out the JSON lines are the output; keep the summary off it then.
      if (opts.sink === 'graph' || opts.out !== undefined) lines.forEach((line) => print(line));
    } catch (error: unknown) {
      if (error instanceof DomainError) failCommand(bods, 'import.bods', error);
      throw error;
    }
  });
  return bods;
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
    ...skipped.map((note) => `  skipped: ${note.field} ${note.rule}`),
    ...noted.slice(0, 20).map((note) => `  note: ${note.field} ${note.rule}`),
    ...(noted.length > 20 ? [`  (and ${noted.length - 20} more notes)`] : []),
  ];
}

async function readInput(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError(`cannot read --file ${path}: ${reason}`, [
      { field: 'file', rule: 'must be a readable JSON file' },
    ]);
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError(`--file ${path} is not valid JSON: ${reason}`, [
      { field: 'file', rule: 'must hold a JSON array of BODS statements' },
    ]);
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

async function writeFolder(
  dir: string,
  overwrite: boolean,
  imported: BodsImportResult,
): Promise<void> {
  if (overwrite) await rm(dir, { recursive: true, force: true });
  try {
    await mkdir(dir, { recursive: false });
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError(`cannot create --out ${dir}: ${reason}`, [
      { field: 'out', rule: 'must be a folder that does not exist yet (or use --overwrite)' },
    ]);
  }
  const lines = (items: readonly unknown[]): string =>
    items.map((item) => JSON.stringify(item)).join('\n') + (items.length > 0 ? '\n' : '');
  await writeFile(join(dir, 'vertices.jsonl'), lines(imported.vertices), { flag: 'wx' });
  await writeFile(join(dir, 'edges.jsonl'), lines(imported.edges), { flag: 'wx' });
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
  await writeFile(join(dir, 'bods-import-summary.json'), `${JSON.stringify(summary, null, 2)}\n`, {
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

function parseDate(text: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(text))) {
    throw new InvalidArgumentError('must be a date written YYYY-MM-DD');
  }
  return text;
}

function parseSource(text: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(text)) {
    throw new InvalidArgumentError('must be 1-40 letters, digits, dots, underscores or dashes');
  }
  return text;
}
