/**
 * Names of the files the seeder writes into its output folders. `--overwrite` recognises an
 * earlier output by them (see output-folder.guard.ts), so a command that writes a new file into
 * its output folder names it here. `seeder import` (bank, amlworld, amlsim) names its files in
 * `IMPORT_FILES` (import/import-sink.ts).
 */

/** `seeder generate`: the manifest lists every file of the folder, itself included. */
export const GENERATE_MANIFEST = 'manifest.json';

/** `seeder import bods --out`. */
export const BODS_FILES = {
  vertices: 'vertices.jsonl',
  edges: 'edges.jsonl',
  summary: 'bods-import-summary.json',
} as const;

/** `seeder detect --out`. */
export const DETECT_FILES = {
  jsonl: 'alerts.jsonl',
  markdown: 'alerts.md',
  csv: 'alerts.csv',
} as const;
