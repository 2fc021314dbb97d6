import type { ImportChunk, ImportSummary } from '@app/generators';

/**
 * Where the import command writes an imported dataset. It is deliberately small so that the
 * generator's `DatasetSink` (libs/generators/src/sinks) can stand behind it through an adapter
 * once it exists; until then the command brings its own JSON-lines and graph sinks.
 */
export interface ImportSink {
  /** Writes one chunk: vertices before edges (a chunk never holds an edge before its ends). */
  write(chunk: ImportChunk): Promise<void>;
  /** Called once after the last chunk: flushes, writes the summary and releases resources. */
  close(summary: ImportSummary): Promise<void>;
  /** Called when the import fails: releases resources; the command discards the output folder. */
  abort(): Promise<void>;
}

export const IMPORT_SINK_KINDS = ['jsonl', 'graph'] as const;
export type ImportSinkKind = (typeof IMPORT_SINK_KINDS)[number];

/** Opens a sink of `kind` writing its files into `dir` (a fresh, empty temporary folder). */
export type ImportSinkFactory = (kind: ImportSinkKind, dir: string) => Promise<ImportSink>;

/** File names inside the output folder. */
export const IMPORT_FILES = {
  vertices: 'vertices.jsonl',
  edges: 'edges.jsonl',
  groundTruth: 'ground-truth.jsonl',
  summary: 'import-summary.json',
} as const;
