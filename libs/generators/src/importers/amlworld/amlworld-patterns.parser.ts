import type { AmlTypology } from '@app/vocabulary';
import { readCsvRows } from '../csv-rows.reader';
import { ImportFormatError } from '../import-format.error';
import { quoteInput } from '../text-input';
import { AMLWORLD_TYPOLOGIES, nameLookup } from './amlworld.mapping';
import { parseAmlworldRow, type AmlworldRow } from './amlworld-row.parser';

/** One `BEGIN LAUNDERING ATTEMPT` … `END LAUNDERING ATTEMPT` block of `*_Patterns.txt`. */
export interface PatternBlock {
  /** 1-based position of the block in the file. */
  ordinal: number;
  /** Line of the BEGIN marker. */
  line: number;
  /** The pattern name as written (e.g. "FAN-OUT"). */
  patternName: string;
  typology: AmlTypology;
  /** What follows the colon of the BEGIN line, trimmed (e.g. "Max 16-degree Fan-Out"). */
  detail?: string;
  /** Numbers the detail states: "Max 16-degree Fan-Out" -> maxDegree 16, "Max 5 hops" -> maxHops 5. */
  maxDegree?: number;
  maxHops?: number;
  rows: AmlworldRow[];
}

const BEGIN = /^BEGIN\s+LAUNDERING\s+ATTEMPT\s*-\s*([A-Za-z][A-Za-z -]*?)\s*(?::\s*(.*?))?\s*$/;
const END = /^END\s+LAUNDERING\s+ATTEMPT\s*-\s*([A-Za-z][A-Za-z -]*?)\s*(?::.*)?$/;
const lookupTypology = nameLookup(AMLWORLD_TYPOLOGIES);

/**
 * Streams the blocks of an AMLworld `*_Patterns.txt` file, one finished block at a time.
 * Survives CRLF line endings, blank lines between blocks, two spaces after the colon and
 * END lines that carry only the pattern name. Refuses (with the line number) a transaction
 * line outside a block, a block that is never closed, an END of another pattern than the
 * open one, a block without any transaction, pattern names it does not know, and a file
 * without any block (empty or only blank lines). `seeder import` and `seeder evaluate
 * --inject-patterns` thus accept the same files.
 */
export async function* readPatternBlocks(
  path: string,
): AsyncGenerator<PatternBlock, void, undefined> {
  let open: PatternBlock | undefined;
  let ordinal = 0;
  for await (const { line, values } of readCsvRows(path)) {
    const first = values[0] ?? '';
    if (/^(BEGIN|END)\s+LAUNDERING/i.test(first)) {
      // A marker has no commas, but a detail could: glue the fields back together.
      const marker = values.join(',');
      const begin = BEGIN.exec(marker);
      if (begin) {
        if (open) {
          throw new ImportFormatError(
            path,
            line,
            `a new BEGIN LAUNDERING ATTEMPT starts before the ${open.patternName} block of line ${open.line} was closed with END LAUNDERING ATTEMPT`,
          );
        }
        ordinal += 1;
        open = startBlock(begin[1] ?? '', begin[2], ordinal, line, path);
        continue;
      }
      const end = END.exec(marker);
      if (end) {
        const name = (end[1] ?? '').trim().toUpperCase();
        if (!open) {
          throw new ImportFormatError(
            path,
            line,
            `END LAUNDERING ATTEMPT - ${name} closes no open block`,
          );
        }
        if (name !== open.patternName.toUpperCase()) {
          throw new ImportFormatError(
            path,
            line,
            `END LAUNDERING ATTEMPT - ${name} does not match the open ${open.patternName} block of line ${open.line}`,
          );
        }
        if (open.rows.length === 0) {
          throw new ImportFormatError(
            path,
            open.line,
            `the ${open.patternName} attempt that starts here lists no transaction; a laundering attempt needs at least one`,
          );
        }
        yield open;
        open = undefined;
        continue;
      }
      throw new ImportFormatError(
        path,
        line,
        `a marker line must read "BEGIN LAUNDERING ATTEMPT - <TYPE>[: <detail>]" or "END LAUNDERING ATTEMPT - <TYPE>", got "${quoteInput(marker)}"`,
      );
    }
    if (!open) {
      throw new ImportFormatError(
        path,
        line,
        'a transaction line must be inside a BEGIN LAUNDERING ATTEMPT … END LAUNDERING ATTEMPT block',
      );
    }
    open.rows.push(parseAmlworldRow(values, { file: path, line }));
  }
  if (open) {
    throw new ImportFormatError(
      path,
      open.line,
      `the ${open.patternName} block that starts here is never closed with END LAUNDERING ATTEMPT`,
    );
  }
  if (ordinal === 0) {
    throw new ImportFormatError(
      path,
      undefined,
      'has no BEGIN LAUNDERING ATTEMPT … END LAUNDERING ATTEMPT block: there is nothing to inject or import (is it a *_Patterns.txt file?)',
    );
  }
}

function startBlock(
  rawName: string,
  rawDetail: string | undefined,
  ordinal: number,
  line: number,
  path: string,
): PatternBlock {
  const patternName = rawName.trim().replace(/\s+/g, ' ').toUpperCase();
  const typology = lookupTypology(patternName);
  if (typology === undefined) {
    throw new ImportFormatError(
      path,
      line,
      `unknown laundering pattern "${quoteInput(rawName)}" (known: ${Object.keys(AMLWORLD_TYPOLOGIES).join(', ')})`,
      'pattern',
    );
  }
  const detail = rawDetail?.trim().replace(/\s+/g, ' ');
  const block: PatternBlock = { ordinal, line, patternName, typology, rows: [] };
  if (detail) {
    block.detail = detail;
    const degree = /(\d+)\s*-?\s*degree/i.exec(detail);
    if (degree) block.maxDegree = Number(degree[1]);
    const hops = /(\d+)\s*hops?/i.exec(detail);
    if (hops) block.maxHops = Number(hops[1]);
  }
  return block;
}
