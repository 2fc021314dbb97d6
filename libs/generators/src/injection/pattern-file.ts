import { basename, extname } from 'node:path';
import {
  readPatternBlocks,
  type PatternBlock,
} from '../importers/amlworld/amlworld-patterns.parser';
import { ImportFormatError } from '../importers/import-format.error';

/** An AMLworld `*_Patterns.txt` file read whole (it is small: thousands of rows). */
export interface PatternFile {
  /** The path as given. */
  path: string;
  /** Short name for instance ids: "LI-Medium_Patterns.txt" -> "li-medium". */
  name: string;
  blocks: PatternBlock[];
}

/**
 * Reads every laundering attempt of a patterns file. Format problems are reported by the
 * AMLworld parser with the file, the line and the rule; on top of that a file without any
 * attempt and an attempt without any transaction are refused (there would be nothing to inject).
 */
export async function readPatternFile(path: string): Promise<PatternFile> {
  const blocks: PatternBlock[] = [];
  for await (const block of readPatternBlocks(path)) {
    if (block.rows.length === 0) {
      throw new ImportFormatError(
        path,
        block.line,
        `the ${block.patternName} attempt that starts here lists no transaction; an attempt to inject needs at least one`,
      );
    }
    blocks.push(block);
  }
  if (blocks.length === 0) {
    throw new ImportFormatError(
      path,
      undefined,
      'has no BEGIN LAUNDERING ATTEMPT … END LAUNDERING ATTEMPT block: nothing to inject',
    );
  }
  return { path, name: patternFileName(path), blocks };
}

/** "LI-Medium_Patterns.txt" -> "li-medium"; anything else -> its stem, lower-case, kebab-case. */
export function patternFileName(path: string): string {
  const stem = basename(path, extname(path)).replace(/_patterns$/i, '');
  const slug = stem
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'patterns' : slug;
}
