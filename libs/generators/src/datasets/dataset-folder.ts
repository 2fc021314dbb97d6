import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { InvalidInputError, type GraphEdge, type GraphVertex } from '@app/vocabulary';
import { bankExportFolder } from '../importers/bank/bank-export.files';
import { parseBankExport, type BankImportSummary } from '../importers/bank/bank-export.importer';
import { folderProblem, readJsonlDataset } from './jsonl-dataset.reader';

/** Which kind of folder a dataset is. */
export type DatasetKind = 'bank-export' | 'graph-jsonl';

/** A dataset folder read into memory and validated, whatever kind it is. */
export interface DatasetFolder {
  kind: DatasetKind;
  vertices: GraphVertex[];
  edges: GraphEdge[];
  /** The bank export's summary (records per type, files read); only for a bank export. */
  bank?: BankImportSummary;
  /** Ground-truth records found in a graph dataset (not graph data; 0 for a bank export). */
  groundTruth: number;
  /** Plain-language remarks for a log or a command line. */
  notes: string[];
}

export interface ReadDatasetFolderOptions {
  /** This bank's id, for a bank export (see `BankImportOptions.bankId`). */
  bankId?: string;
  /** Problems collected before reading stops and the folder is refused. */
  maxProblems?: number;
}

/** Files only a graph dataset (generate or import output) has. */
const GRAPH_MARKERS = [
  'manifest.json',
  'import-summary.json',
  'vertices.jsonl',
  'edges.jsonl',
  'ground-truth.jsonl',
];

/**
 * Tells a bank export (the exchange format: persons.csv ... or JSON lines without `label`) from
 * a graph dataset written by `seeder generate` or `seeder import` (JSON lines of vertices and
 * edges, each with a `label`). Both may hold a `movements.jsonl`, so the first record decides
 * when no marker file does.
 */
export async function datasetKindOf(dir: string): Promise<DatasetKind> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error: unknown) {
    throw new InvalidInputError(
      `The dataset folder ${dir} cannot be used: ${folderProblem(error)}`,
      [{ field: 'dataset', rule: 'must be a readable folder' }],
    );
  }
  if (names.some((name) => GRAPH_MARKERS.includes(name))) return 'graph-jsonl';
  if (names.some((name) => name.toLowerCase().endsWith('.csv'))) return 'bank-export';
  const first = names.find((name) => name.endsWith('.jsonl') || name.endsWith('.ndjson'));
  if (first === undefined) {
    throw new InvalidInputError(`${dir} holds no .csv or .jsonl file`, [
      {
        field: 'dataset',
        rule: 'must be a bank export (docs/import-format.md) or a folder written by `seeder generate` / `seeder import`',
      },
    ]);
  }
  return (await firstRecordHasLabel(join(dir, first))) ? 'graph-jsonl' : 'bank-export';
}

async function firstRecordHasLabel(path: string): Promise<boolean> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      try {
        const value = JSON.parse(line) as unknown;
        return typeof value === 'object' && value !== null && 'label' in value;
      } catch {
        return false;
      }
    }
    return false;
  } finally {
    lines.close();
  }
}

/**
 * Reads a whole dataset folder into memory: a bank export is validated and converted (refused
 * with `BankExportInvalidError`, each problem with file, line, field and rule, when any row is
 * wrong), a graph dataset is read and validated as `seeder evaluate` reads it, ground truth
 * optional. Nothing is returned unless every row is valid.
 */
export async function readDatasetFolder(
  dir: string,
  options: ReadDatasetFolderOptions = {},
): Promise<DatasetFolder> {
  const kind = await datasetKindOf(dir);
  if (kind === 'bank-export') {
    const { files, ignored } = await bankExportFolder(dir);
    const parsed = await parseBankExport(files, options);
    const notes = [...parsed.summary.notes];
    if (ignored.length > 0) notes.push(`files ignored (not .csv or .jsonl): ${ignored.join(', ')}`);
    return {
      kind,
      vertices: parsed.vertices,
      edges: parsed.edges,
      bank: parsed.summary,
      groundTruth: 0,
      notes,
    };
  }
  const dataset = await readJsonlDataset(dir, {
    requireGroundTruth: false,
    ...(options.maxProblems !== undefined ? { maxErrors: options.maxProblems } : {}),
  });
  const notes =
    dataset.groundTruth.length > 0
      ? [
          `the dataset has ${dataset.groundTruth.length} ground-truth records; they are not used here (run \`seeder evaluate\` to score against them)`,
        ]
      : [];
  return {
    kind,
    vertices: dataset.vertices,
    edges: dataset.edges,
    groundTruth: dataset.groundTruth.length,
    notes,
  };
}
