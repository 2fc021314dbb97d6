import { readDatasetFolder, type DatasetKind } from '@app/generators';
import type { GraphEdge, GraphVertex } from '@app/vocabulary';

// The folder detection moved to @app/generators so that the API can start on the same folders.
export { datasetKindOf, type DatasetKind } from '@app/generators';

/** A dataset to run the detectors on, whatever folder it came from. */
export interface DetectDataset {
  kind: DatasetKind;
  vertices: GraphVertex[];
  edges: GraphEdge[];
  /** Plain-language remarks for the command line. */
  notes: string[];
}

/**
 * Reads a dataset for detection: a bank export is validated and converted (nothing is run when
 * any row is wrong), a graph dataset is read as `evaluate` reads it, ground truth optional.
 */
export async function readDetectDataset(
  dir: string,
  options: { bankId?: string; maxProblems?: number } = {},
): Promise<DetectDataset> {
  const { kind, vertices, edges, notes } = await readDatasetFolder(dir, options);
  return { kind, vertices, edges, notes };
}
