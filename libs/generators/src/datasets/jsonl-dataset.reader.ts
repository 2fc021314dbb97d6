import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  EDGE_LABELS,
  InvalidInputError,
  TYPOLOGIES,
  validateEdge,
  validateVertex,
  VERTEX_LABELS,
} from '@app/vocabulary';
import type {
  FieldProblem,
  GraphEdge,
  GraphVertex,
  GroundTruthRecord,
  GroundTruthSource,
} from '@app/vocabulary';

/** A dataset written by `seeder generate --sink jsonl` (either layout), read back into memory. */
export interface JsonlDataset {
  vertices: GraphVertex[];
  edges: GraphEdge[];
  groundTruth: GroundTruthRecord[];
  manifest: Readonly<Record<string, unknown>>;
}

export interface ReadJsonlOptions {
  /** Problems collected before reading stops and the dataset is refused (default 20). */
  maxErrors?: number;
  /**
   * Whether ground-truth.jsonl must be there (default true: the evaluation scores against it).
   * `seeder detect` reads datasets without labels and passes false.
   */
  requireGroundTruth?: boolean;
}

const DEFAULT_MAX_ERRORS = 20;
const VERTEX_LABEL_SET: ReadonlySet<string> = new Set(VERTEX_LABELS);
const EDGE_LABEL_SET: ReadonlySet<string> = new Set(EDGE_LABELS);
const TYPOLOGY_SET: ReadonlySet<string> = new Set(TYPOLOGIES);
const SOURCES = [
  'generator',
  'amlworld',
  'amlsim',
  'bods',
] as const satisfies readonly GroundTruthSource[];
const SOURCE_SET: ReadonlySet<string> = new Set(SOURCES);
/** Properties holding epoch-millisecond instants. */
const INSTANT_FIELDS: ReadonlySet<string> = new Set([
  'props.timestamp',
  'props.openedAt',
  'props.firstSeen',
  'props.lastSeen',
  'props.since',
  'props.createdAt',
  'props.updatedAt',
  'props.windowStart',
  'props.windowEnd',
  'props.at',
]);
/** Properties holding amounts in integer minor units. */
const AMOUNT_FIELDS: ReadonlySet<string> = new Set([
  'props.amountMinor',
  'props.receivedAmountMinor',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(record: Record<string, unknown>, field: string): unknown {
  if (!field.startsWith('props.')) return record[field];
  const props = record.props;
  return isRecord(props) ? props[field.slice('props.'.length)] : undefined;
}

/**
 * The vocabulary's rule, with what a newcomer most often gets wrong spelled out: amounts and
 * instants written as text (a decimal string, an ISO date) instead of whole numbers.
 */
function explained(problem: FieldProblem, record: Record<string, unknown>): FieldProblem {
  const value = valueAt(record, problem.field);
  if (typeof value === 'string' && INSTANT_FIELDS.has(problem.field)) {
    return {
      field: problem.field,
      rule: `must be epoch milliseconds (a whole number such as 1735689600000), not text (was "${value.slice(0, 40)}")`,
    };
  }
  if (typeof value === 'string' && AMOUNT_FIELDS.has(problem.field)) {
    return {
      field: problem.field,
      rule: `must be a whole number of minor units (1050 for 10.50), not text (was "${value.slice(0, 40)}")`,
    };
  }
  if (typeof value === 'number' && !Number.isInteger(value) && AMOUNT_FIELDS.has(problem.field)) {
    return {
      field: problem.field,
      rule: `must be a whole number of minor units (1050 for 10.50), not a fraction (was ${value})`,
    };
  }
  return problem;
}

function stringList(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Problems of one ground-truth record (what the evaluation relies on). */
export function validateGroundTruthRecord(value: unknown): FieldProblem[] {
  if (!isRecord(value)) return [{ field: 'record', rule: 'must be a JSON object' }];
  const problems: FieldProblem[] = [];
  if (typeof value.instanceId !== 'string' || value.instanceId === '')
    problems.push({ field: 'instanceId', rule: 'must be a non-empty string' });
  if (typeof value.typology !== 'string' || !TYPOLOGY_SET.has(value.typology))
    problems.push({ field: 'typology', rule: `must be one of ${TYPOLOGIES.join(', ')}` });
  if (typeof value.decoy !== 'boolean')
    problems.push({ field: 'decoy', rule: 'must be true or false' });
  if (typeof value.source !== 'string' || !SOURCE_SET.has(value.source))
    problems.push({ field: 'source', rule: `must be one of ${SOURCES.join(', ')}` });
  if (!stringList(value.entities))
    problems.push({ field: 'entities', rule: 'must be a list of vertex uids (strings)' });
  if (!stringList(value.movements))
    problems.push({ field: 'movements', rule: 'must be a list of movement ids (strings)' });
  if (!isRecord(value.parameters))
    problems.push({ field: 'parameters', rule: 'must be an object' });
  if (value.window !== undefined) {
    const window = value.window;
    if (
      !isRecord(window) ||
      !Number.isSafeInteger(window.from) ||
      !Number.isSafeInteger(window.to) ||
      (window.from as number) > (window.to as number)
    ) {
      problems.push({
        field: 'window',
        rule: 'must be { from, to } in epoch milliseconds (whole numbers) with from <= to',
      });
    }
  }
  if (value.expectedOwnership !== undefined && !isRecord(value.expectedOwnership))
    problems.push({ field: 'expectedOwnership', rule: 'must be an object' });
  return problems;
}

/** Problems of one vertex or edge line, with the vocabulary's rules (as ingest applies them). */
function validateGraphRecord(value: unknown): FieldProblem[] {
  if (!isRecord(value)) return [{ field: 'record', rule: 'must be a JSON object' }];
  if (typeof value.label === 'string' && VERTEX_LABEL_SET.has(value.label)) {
    return validateVertex(value as unknown as GraphVertex).map((p) => explained(p, value));
  }
  if (typeof value.label === 'string' && EDGE_LABEL_SET.has(value.label)) {
    return validateEdge(value as unknown as GraphEdge).map((p) => explained(p, value));
  }
  return [
    {
      field: 'label',
      rule: `must be a vertex label (${VERTEX_LABELS.join(', ')}) or an edge label (${EDGE_LABELS.join(', ')})`,
    },
  ];
}

/** Problems found so far; refuses the dataset once `max` are collected, or at the end. */
class ProblemList {
  readonly problems: FieldProblem[] = [];

  constructor(
    private readonly directory: string,
    private readonly max: number,
  ) {}

  add(file: string, line: number, found: readonly FieldProblem[]): void {
    for (const p of found) {
      this.problems.push({ field: `${file} line ${line}: ${p.field}`, rule: p.rule });
      if (this.problems.length >= this.max) this.refuse(true);
    }
  }

  refuse(stoppedEarly: boolean): never {
    const shown = this.problems.map((p) => `  ${p.field} ${p.rule}`).join('\n');
    throw new InvalidInputError(
      `The dataset ${this.directory} has invalid rows` +
        (stoppedEarly
          ? ` (reading stopped at the first ${this.max} problems)`
          : ` (${this.problems.length} problems)`) +
        `; fix them and run again:\n${shown}`,
      this.problems,
    );
  }
}

async function eachLine(
  path: string,
  name: string,
  problems: ProblemList,
  visit: (value: unknown, line: number) => void,
): Promise<void> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number += 1;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      problems.add(name, number, [{ field: 'line', rule: 'must be one JSON object per line' }]);
      continue;
    }
    visit(value, number);
  }
}

/** Why a dataset folder cannot be read, for a newcomer: a file given instead, or missing. */
export function folderProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOTDIR') return 'it is a file, not a folder: give the folder that holds it';
  if (code === 'ENOENT') return 'there is no such folder';
  return `it cannot be read (${code ?? String(error)})`;
}

/**
 * Reads vertices and edges from every `*.jsonl` file of the folder (records carry their
 * `label`), the ground truth from `ground-truth.jsonl` and `manifest.json` when present. Every
 * row is validated as ingest validates messages (the vocabulary's property rules: amounts in
 * integer minor units, instants in epoch milliseconds, known channels, ISO currency codes) and
 * every ground-truth record for the fields the evaluation reads; the problems (file, line,
 * field, rule) are collected, up to `maxErrors`, and thrown as one `InvalidInputError`.
 */
export async function readJsonlDataset(
  directory: string,
  options: ReadJsonlOptions = {},
): Promise<JsonlDataset> {
  let names: string[];
  try {
    names = (await readdir(directory)).sort();
  } catch (error: unknown) {
    throw new InvalidInputError(
      `The dataset folder ${directory} cannot be used: ${folderProblem(error)}`,
      [{ field: 'dataset', rule: 'must be a folder written by `seeder generate --sink jsonl`' }],
    );
  }
  if (options.requireGroundTruth !== false && !names.includes('ground-truth.jsonl')) {
    throw new InvalidInputError(`${directory} has no ground-truth.jsonl`, [
      {
        field: 'dataset',
        rule: 'must contain ground-truth.jsonl (write it with `seeder generate`)',
      },
    ]);
  }
  const problems = new ProblemList(directory, options.maxErrors ?? DEFAULT_MAX_ERRORS);
  const dataset: JsonlDataset = { vertices: [], edges: [], groundTruth: [], manifest: {} };
  for (const name of names) {
    const path = join(directory, name);
    if (name === 'manifest.json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readFile(path, 'utf8'));
      } catch {
        problems.add(name, 1, [{ field: 'file', rule: 'must be one JSON object' }]);
        continue;
      }
      if (isRecord(parsed)) dataset.manifest = parsed;
      else problems.add(name, 1, [{ field: 'file', rule: 'must be one JSON object' }]);
    } else if (name === 'ground-truth.jsonl') {
      await eachLine(path, name, problems, (value, line) => {
        const found = validateGroundTruthRecord(value);
        if (found.length > 0) problems.add(name, line, found);
        else dataset.groundTruth.push(value as GroundTruthRecord);
      });
    } else if (name.endsWith('.jsonl')) {
      await eachLine(path, name, problems, (value, line) => {
        const found = validateGraphRecord(value);
        if (found.length > 0) problems.add(name, line, found);
        else if (VERTEX_LABEL_SET.has((value as { label: string }).label))
          dataset.vertices.push(value as GraphVertex);
        else dataset.edges.push(value as GraphEdge);
      });
    }
  }
  if (problems.problems.length > 0) problems.refuse(false);
  return dataset;
}
