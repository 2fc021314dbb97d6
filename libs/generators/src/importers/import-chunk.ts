import {
  InvalidInputError,
  validateEdge,
  validateVertex,
  type GraphEdge,
  type GraphVertex,
  type GroundTruthRecord,
} from '@app/vocabulary';
import { ImportFormatError } from './import-format.error';

/**
 * A slice of an imported dataset, ready for a sink. Within a chunk, and across the chunks of
 * one run, a vertex always comes before (or in the same chunk as) the first edge that uses it,
 * so a sink that writes `vertices` before `edges` never writes a dangling edge.
 */
export interface ImportChunk {
  vertices: GraphVertex[];
  edges: GraphEdge[];
  groundTruth: GroundTruthRecord[];
}

/** One input file and how many data rows were read from it (header and markers excluded). */
export interface ImportedFile {
  path: string;
  rows: number;
}

/** What every importer reports once its last chunk has been produced. */
export interface ImportSummary {
  source: 'amlworld' | 'amlsim' | 'bank';
  files: ImportedFile[];
  vertices: number;
  edges: number;
  groundTruth: number;
  /**
   * Amounts written with more decimals than their currency has (AMLworld writes Yen with two
   * decimals, but JPY has none); they are rounded half-up to the currency's minor unit.
   */
  roundedAmounts: number;
  /** Plain-language remarks about the input, for the command line to print. */
  notes: string[];
}

/**
 * An import run: iterate it with `for await` to get the chunks; the generator's return value
 * (what `next()` gives with `done: true`) is the summary. Nothing is read before the first
 * `next()`, and breaking out of the loop closes the files.
 */
export type ImportRun<S extends ImportSummary = ImportSummary> = AsyncGenerator<
  ImportChunk,
  S,
  undefined
>;

/** Default number of vertices + edges + ground-truth records per chunk. */
export const DEFAULT_CHUNK_SIZE = 5000;

/**
 * Collects records into chunks of about `size` items and counts what went through. Every
 * vertex and edge is validated against the vocabulary on the way in; a record that does not
 * pass is reported as a format error of the row it came from.
 */
export class ChunkBuffer {
  private vertices: GraphVertex[] = [];
  private edges: GraphEdge[] = [];
  private groundTruth: GroundTruthRecord[] = [];
  readonly totals = { vertices: 0, edges: 0, groundTruth: 0 };

  constructor(private readonly size: number = DEFAULT_CHUNK_SIZE) {
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new InvalidInputError(`chunkSize must be a whole number of at least 1, got ${size}`, [
        { field: 'chunkSize', rule: 'must be a whole number of at least 1' },
      ]);
    }
  }

  addVertex(vertex: GraphVertex, file: string, line: number | undefined): void {
    const problems = validateVertex(vertex);
    if (problems.length > 0) {
      throw new ImportFormatError(
        file,
        line,
        `the ${vertex.label} ${vertex.uid} built from this row is invalid: ` +
          problems.map((p) => `${p.field} ${p.rule}`).join('; '),
        problems[0]?.field,
      );
    }
    this.vertices.push(vertex);
    this.totals.vertices += 1;
  }

  addEdge(edge: GraphEdge, file: string, line: number | undefined): void {
    const problems = validateEdge(edge);
    if (problems.length > 0) {
      throw new ImportFormatError(
        file,
        line,
        `the ${edge.label} edge ${edge.eid} built from this row is invalid: ` +
          problems.map((p) => `${p.field} ${p.rule}`).join('; '),
        problems[0]?.field,
      );
    }
    this.edges.push(edge);
    this.totals.edges += 1;
  }

  addGroundTruth(record: GroundTruthRecord): void {
    this.groundTruth.push(record);
    this.totals.groundTruth += 1;
  }

  get full(): boolean {
    return this.vertices.length + this.edges.length + this.groundTruth.length >= this.size;
  }

  get isEmpty(): boolean {
    return this.vertices.length + this.edges.length + this.groundTruth.length === 0;
  }

  /** Hands out what has been collected and starts a new chunk. */
  take(): ImportChunk {
    const chunk = { vertices: this.vertices, edges: this.edges, groundTruth: this.groundTruth };
    this.vertices = [];
    this.edges = [];
    this.groundTruth = [];
    return chunk;
  }
}

/** Everything of a run in memory: for small files and tests. */
export interface CollectedImport<S extends ImportSummary = ImportSummary> extends ImportChunk {
  summary: S;
}

/**
 * Runs an import to the end and keeps everything in memory. Use it for small files only; for
 * large ones iterate the run and hand each chunk to a sink.
 */
export async function collectImport<S extends ImportSummary>(
  run: ImportRun<S>,
): Promise<CollectedImport<S>> {
  const collected: ImportChunk = { vertices: [], edges: [], groundTruth: [] };
  for (;;) {
    const step = await run.next();
    if (step.done === true) return { ...collected, summary: step.value };
    // One push per item: spreading a very large chunk would overflow the call stack.
    for (const vertex of step.value.vertices) collected.vertices.push(vertex);
    for (const edge of step.value.edges) collected.edges.push(edge);
    for (const record of step.value.groundTruth) collected.groundTruth.push(record);
  }
}
