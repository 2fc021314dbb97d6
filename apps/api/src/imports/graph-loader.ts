import { GraphStoreSink } from '@app/generators';
import {
  describeOutageWait,
  type GraphStore,
  outageWaitingWriter,
  type UpsertResult,
} from '@app/graph-store';
import { Logger } from '@nestjs/common';
import type { GraphEdge, GraphVertex } from '@app/vocabulary';
import { keepErasures } from '../subjects/erased-subjects';

export interface LoadGraphOptions {
  /** Items per upsert (GRAPH_BATCH_SIZE). */
  batchSize: number;
  /** Upserts in flight at once (GRAPH_WRITE_CONCURRENCY). */
  writeConcurrency: number;
  /** Called after each slice handed to the store with what is stored so far. */
  onProgress?: (written: UpsertResult) => void;
  /**
   * How long a batch keeps trying a store that does not answer (GRAPH_OUTAGE_WAIT_MS); default
   * 0, the load fails at once.
   */
  outageWaitMs?: number;
  /** Told, before each pause of that wait, what the load is waiting for (to log it). */
  onOutageWait?: (line: string) => void;
  /**
   * True when the caller already kept the erasures in the store (`ErasedSubjects`, which also
   * words notes about them); otherwise the load keeps them itself (`keepErasures`) and logs it.
   */
  erasuresKept?: boolean;
}

const logger = new Logger('Imports');

/** Records handed to the sink between two progress reports (a few batches). */
const SLICES_OF_BATCHES = 4;

/**
 * Writes a validated dataset into the graph store in batches, every vertex before any edge
 * (the sink of the seeder and of seeding on start, `GraphStoreSink`). Upserts are idempotent
 * (business ids): a load that failed half-way is completed by loading the same data again.
 * Erased subjects stay erased: their personal data in `vertices` is not written again.
 */
export async function loadGraph(
  store: GraphStore,
  vertices: readonly GraphVertex[],
  edges: readonly GraphEdge[],
  options: LoadGraphOptions,
): Promise<UpsertResult> {
  const waitMs = options.outageWaitMs ?? 0;
  const writer = outageWaitingWriter(store, {
    waitMs,
    onWait: (wait) => options.onOutageWait?.(describeOutageWait(wait, waitMs)),
  });
  const sink = new GraphStoreSink(writer, options.batchSize, options.writeConcurrency);
  const slice = options.batchSize * Math.max(options.writeConcurrency, SLICES_OF_BATCHES);
  if (options.erasuresKept !== true) {
    const kept = await keepErasures(store, vertices);
    vertices = kept.vertices;
    if (kept.persons.length + kept.identifiers.length > 0)
      logger.warn(
        `Erased subjects stay erased: personal data of ${kept.persons.length} persons and ` +
          `${kept.identifiers.length} contact identifiers not loaded again (${[...kept.persons, ...kept.identifiers].slice(0, 20).join(', ')})`,
      );
  }
  try {
    for (let start = 0; start < vertices.length; start += slice) {
      await sink.writeVertices(vertices.slice(start, start + slice));
      options.onProgress?.(sink.written);
    }
    for (let start = 0; start < edges.length; start += slice) {
      await sink.writeEdges(edges.slice(start, start + slice));
      options.onProgress?.(sink.written);
    }
    await sink.close();
  } catch (error) {
    await sink.abort();
    throw error;
  }
  options.onProgress?.(sink.written);
  return { ...sink.written };
}

/** Vertices and edges an upsert result accounts for. */
export function recordsOf(result: UpsertResult): number {
  return result.created + result.updated + result.unchanged;
}

/** The span of the money movements of a dataset, as a scan window (`to` is exclusive). */
export interface MovementWindow {
  /** First movement, ISO 8601. */
  from: string;
  /** Just after the last movement (1 ms), ISO 8601: use it as the scan's exclusive `to`. */
  to: string;
  movements: number;
}

export function movementWindow(edges: readonly GraphEdge[]): MovementWindow | undefined {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let movements = 0;
  for (const edge of edges) {
    if (edge.label !== 'TRANSFERRED') continue;
    movements += 1;
    first = Math.min(first, edge.props.timestamp);
    last = Math.max(last, edge.props.timestamp);
  }
  if (movements === 0) return undefined;
  return {
    from: new Date(first).toISOString(),
    to: new Date(last + 1).toISOString(),
    movements,
  };
}

/**
 * The warning for data loaded into the embedded memory store, or undefined for a lasting store.
 * Said in the import job result and in the start log; `what` names the data ("the imported data").
 */
export function memoryStoreWarning(
  backend: GraphStore['backend'],
  what = 'the imported data',
  suggestDataDir = true,
): string | undefined {
  if (backend !== 'memory') return undefined;
  return (
    `The graph store is the embedded in-memory store (GRAPH_BACKEND=memory): ${what} ` +
    'lives only as long as this API process and is gone when it stops. To keep it, start ' +
    'JanusGraph (npm run services:up), start the API with GRAPH_BACKEND=janusgraph and import again' +
    (suggestDataDir
      ? ' (or keep the files in a folder and start the API with APP_DATA_DIR pointing at it).'
      : '.')
  );
}
