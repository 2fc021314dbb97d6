import { InvalidInputError } from '@app/vocabulary';
import type { GraphEdge, GraphVertex, GroundTruthRecord } from '@app/vocabulary';
import { MemoryAccountDirectory } from '../core/account-directory';
import type { Activity } from '../core/activity';
import type { RuleInstance } from '../registry/detector.registry';
import { ActivityReplay } from './activity-replay';
import { activitiesOf, StructuralIndex } from './dataset';
import type { BatchResult, DetectionWindow } from './types';

/** A slice of a dataset as a generator or a file reader yields it. */
export interface DetectionChunk {
  vertices: readonly GraphVertex[];
  edges: readonly GraphEdge[];
  groundTruth?: readonly GroundTruthRecord[];
}

export interface ChunkedDetectionOptions {
  window?: DetectionWindow;
  /** Since when the activities are complete (see `detectInActivities`). */
  observedSince?: number;
  /** Instant that dates structural alerts; defaults to the window end, else the last activity. */
  now?: number;
  /** Called after every chunk (progress, memory sampling). */
  onChunk?: (progress: ChunkProgress) => void;
}

export interface ChunkProgress {
  chunks: number;
  movements: number;
  events: number;
  /** Entries held by the rules' evaluators after this chunk. */
  stateSize: number;
}

export interface ChunkedDetectionResult extends BatchResult {
  /** Ground-truth records met in the chunks (generated banks put them in the last chunk). */
  groundTruth: GroundTruthRecord[];
  /** Accounts known to the directory at the end. */
  accounts: number;
  /** Most evaluator state entries held after any chunk. */
  peakStateSize: number;
}

/**
 * Batch detection over a dataset that arrives in chunks (the generator's output, or a reader of
 * files written in time order), holding only the population (accounts, identifier usage,
 * holders), the rules' bounded state and the alerts — never the movements. The result equals
 * `detectInDataset` over the same data held in memory.
 *
 * Requirements on the chunks: accounts arrive before their movements; each chunk's movements
 * and events come after the previous chunk's (within a chunk any order); an event's Event vertex
 * arrives in the same chunk as its HAS_EVENT edge. A chunk breaking one of these is refused with
 * an error naming it, rather than replayed out of order.
 */
export async function detectInChunks(
  instances: readonly RuleInstance[],
  chunks: AsyncIterable<DetectionChunk> | Iterable<DetectionChunk>,
  options: ChunkedDetectionOptions = {},
): Promise<ChunkedDetectionResult> {
  const accounts = new MemoryAccountDirectory();
  const structure = new StructuralIndex();
  const replay = new ActivityReplay(instances, accounts, {
    window: options.window,
    observedSince: options.observedSince,
  });
  const groundTruth: GroundTruthRecord[] = [];
  let count = 0;
  let peakStateSize = 0;
  for await (const chunk of chunks) {
    count += 1;
    accounts.add(chunk.vertices, chunk.edges);
    structure.add(chunk.vertices, chunk.edges);
    for (const activity of activitiesOfChunk(chunk, count)) replay.feed(activity);
    for (const record of chunk.groundTruth ?? []) groundTruth.push(record);
    const stateSize = replay.stateSize();
    peakStateSize = Math.max(peakStateSize, stateSize);
    options.onChunk?.({
      chunks: count,
      movements: replay.movements,
      events: replay.events,
      stateSize,
    });
  }
  const result = replay.finish(
    (hubCap, kinds) => ({ shared: structure.shared(hubCap, kinds), holders: structure.holders() }),
    options.now,
  );
  return { ...result, groundTruth, accounts: accounts.size, peakStateSize };
}

/** Movements and account events of one chunk, in replay order. */
function activitiesOfChunk(chunk: DetectionChunk, number: number): Activity[] {
  return activitiesOf(chunk, (edge) => {
    throw new InvalidInputError(
      `Chunk ${number}: HAS_EVENT edge ${edge.eid} points at event ${edge.to}, which is not in the same chunk`,
      [
        {
          field: `chunks[${number}].edges`,
          rule: 'an Event vertex must arrive with its HAS_EVENT edge',
        },
      ],
    );
  });
}
