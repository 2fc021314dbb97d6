import { basename, extname } from 'node:path';
import { ids, InvalidInputError, type GroundTruthRecord } from '@app/vocabulary';
import { AccountRegistry } from '../account-registry';
import { readCsvRows } from '../csv-rows.reader';
import { ChunkBuffer, type ImportRun, type ImportSummary } from '../import-chunk';
import { ImportFormatError } from '../import-format.error';
import { quoteInput } from '../text-input';
import { entitiesOf, inTimeOrder, windowOf, type MovementRef } from '../movement-ref';
import { readPatternBlocks, type PatternBlock } from './amlworld-patterns.parser';
import { RowOccurrences } from './row-occurrences';
import {
  AMLWORLD_ACCOUNT_DEFAULTS,
  AMLWORLD_HEADER,
  amlworldAccount,
  amlworldMovement,
  isAmlworldHeader,
  movementKey,
  parseAmlworldRow,
  type AmlworldRow,
  type ImportedAccountDefaults,
} from './amlworld-row.parser';

export interface AmlworldImportOptions {
  /** `*_Trans.csv`: every transaction, with the `Is Laundering` label. */
  transactionsPath?: string;
  /** `*_Patterns.txt`: the laundering attempts, one block per attempt, with their pattern. */
  patternsPath?: string;
  /** Vertices + edges + ground-truth records per chunk (default 5000). */
  chunkSize?: number;
  /** Overrides of what the importer writes for facts AMLworld does not give (see `ImportedAccountDefaults`). */
  accountDefaults?: Partial<ImportedAccountDefaults>;
}

export interface AmlworldImportSummary extends ImportSummary {
  source: 'amlworld';
  accounts: number;
  patternBlocks: number;
  patternRows: number;
  /** Pattern rows with no identical row in the transactions file; they are imported from the patterns file. */
  patternRowsOnlyInPatterns: number;
  /** Transactions-file rows with `Is Laundering` = 1 that are in no block of the patterns file. */
  unlabelledLaunderingRows: number;
  /** Transactions-file rows that a block lists but that are labelled `Is Laundering` = 0. */
  patternRowsLabelledClean: number;
}

interface PatternMovement {
  row: AmlworldRow;
  key: string;
  inTransactions: boolean;
}

/**
 * Imports IBM AMLworld (Altman et al. 2023) files into the product's graph model:
 * - one Account vertex per (bank, account) (`ids.account(bank, account)`; bank ids keep their
 *   leading zeros), with the defaults documented on `ImportedAccountDefaults`;
 * - one TRANSFERRED edge per row, `ids.movement('amlworld', <hash of the normalised row>)`, so
 *   that a row of `*_Trans.csv` and the same row in `*_Patterns.txt` are one movement;
 * - one ground-truth record per pattern block (typology, movements in time order, accounts,
 *   window, the header's detail), and one record (typology 'random', `unlabelledTypology: true`)
 *   for laundering rows of the transactions file that no block lists: AMLworld labels them
 *   laundering without saying which pattern, and the vocabulary has no "unknown" typology.
 *
 * The patterns file is read whole first (it is small: thousands of rows); the transactions
 * file is streamed. Memory grows with the number of accounts and of laundering rows, and by at
 * most 16 bytes per transaction to number identical rows (`RowOccurrences`).
 */
export async function* importAmlworld(
  options: AmlworldImportOptions,
): ImportRun<AmlworldImportSummary> {
  const { transactionsPath, patternsPath } = options;
  if (transactionsPath === undefined && patternsPath === undefined) {
    throw new InvalidInputError(
      'An AMLworld import needs a transactions file, a patterns file or both',
      [{ field: 'transactionsPath', rule: 'is required when patternsPath is not given' }],
    );
  }
  const defaults = { ...AMLWORLD_ACCOUNT_DEFAULTS, ...options.accountDefaults };
  const buffer = new ChunkBuffer(options.chunkSize);
  const accounts = new AccountRegistry();
  const summary: AmlworldImportSummary = {
    source: 'amlworld',
    files: [],
    vertices: 0,
    edges: 0,
    groundTruth: 0,
    roundedAmounts: 0,
    notes: [],
    accounts: 0,
    patternBlocks: 0,
    patternRows: 0,
    patternRowsOnlyInPatterns: 0,
    unlabelledLaunderingRows: 0,
    patternRowsLabelledClean: 0,
  };
  const countRounding = (row: AmlworldRow): void => {
    summary.roundedAmounts += (row.paid.rounded ? 1 : 0) + (row.received.rounded ? 1 : 0);
  };
  const addRow = (row: AmlworldRow, key: string, file: string): MovementRef => {
    accounts.ensure(
      ids.account(row.fromBank, row.fromAccount),
      () =>
        amlworldAccount(row.fromBank, row.fromAccount, row.paidCurrency, row.timestamp, defaults),
      buffer,
      file,
      row.line,
    );
    accounts.ensure(
      ids.account(row.toBank, row.toAccount),
      () =>
        amlworldAccount(row.toBank, row.toAccount, row.receivedCurrency, row.timestamp, defaults),
      buffer,
      file,
      row.line,
    );
    const edge = amlworldMovement(row, key);
    buffer.addEdge(edge, file, row.line);
    countRounding(row);
    return {
      eid: edge.eid,
      timestamp: row.timestamp,
      order: row.line,
      from: edge.from,
      to: edge.to,
    };
  };

  // 1. The patterns file, whole: blocks and the movement key of each of their rows.
  const blocks: { block: PatternBlock; keys: string[] }[] = [];
  const patternMovements = new Map<string, PatternMovement>();
  if (patternsPath !== undefined) {
    const occurrences = new RowOccurrences();
    for await (const block of readPatternBlocks(patternsPath)) {
      const keys = block.rows.map((row) => {
        const key = movementKey(row.contentKey, occurrences.next(row.contentKey));
        patternMovements.set(key, { row, key, inTransactions: false });
        return key;
      });
      blocks.push({ block, keys });
      summary.patternRows += block.rows.length;
    }
    summary.patternBlocks = blocks.length;
    summary.files.push({ path: patternsPath, rows: summary.patternRows });
  }

  // 2. The transactions file, streamed.
  const unlabelled: MovementRef[] = [];
  if (transactionsPath !== undefined) {
    let rows = 0;
    let headerSeen = false;
    // Identical rows are numbered over the whole file: AMLworld files are not in time order.
    const occurrences = new RowOccurrences();
    for await (const { line, values } of readCsvRows(transactionsPath)) {
      if (!headerSeen) {
        if (!isAmlworldHeader(values)) {
          throw new ImportFormatError(
            transactionsPath,
            line,
            `the first line must be the AMLworld header "${AMLWORLD_HEADER.join(',')}", got "${quoteInput(values.join(','))}"`,
            'header',
          );
        }
        headerSeen = true;
        continue;
      }
      const row = parseAmlworldRow(values, { file: transactionsPath, line });
      rows += 1;
      const key = movementKey(row.contentKey, occurrences.next(row.contentKey));
      const ref = addRow(row, key, transactionsPath);
      const listed = patternMovements.get(key);
      if (listed) {
        listed.inTransactions = true;
        if (!row.isLaundering) summary.patternRowsLabelledClean += 1;
      } else if (row.isLaundering) {
        unlabelled.push(ref);
      }
      if (buffer.full) yield buffer.take();
    }
    if (!headerSeen) {
      throw new ImportFormatError(
        transactionsPath,
        undefined,
        'is empty: it has not even a header line',
      );
    }
    summary.files.push({ path: transactionsPath, rows });
  }

  // 3. Pattern rows that the transactions file does not have (or all of them, without one).
  const patternRefs = new Map<string, MovementRef>();
  for (const listed of patternMovements.values()) {
    if (listed.inTransactions) {
      patternRefs.set(listed.key, {
        eid: ids.movement('amlworld', listed.key),
        timestamp: listed.row.timestamp,
        order: listed.row.line,
        from: ids.account(listed.row.fromBank, listed.row.fromAccount),
        to: ids.account(listed.row.toBank, listed.row.toAccount),
      });
      continue;
    }
    patternRefs.set(listed.key, addRow(listed.row, listed.key, patternsPath ?? ''));
    if (transactionsPath !== undefined) summary.patternRowsOnlyInPatterns += 1;
    if (buffer.full) yield buffer.take();
  }

  // 4. Ground truth: one record per block, then the unlabelled laundering rows.
  const patternsStem = patternsPath === undefined ? '' : stem(patternsPath);
  for (const { block, keys } of blocks) {
    const refs = keys.map((key) => patternRefs.get(key)).filter((ref) => ref !== undefined);
    buffer.addGroundTruth(blockRecord(block, refs, patternsStem, patternsPath ?? ''));
    if (buffer.full) yield buffer.take();
  }
  summary.unlabelledLaunderingRows = unlabelled.length;
  if (transactionsPath !== undefined && unlabelled.length > 0) {
    buffer.addGroundTruth(unlabelledRecord(unlabelled, transactionsPath, patternsPath));
    summary.notes.push(
      `${unlabelled.length} rows of ${basename(transactionsPath)} are labelled laundering but ` +
        (patternsPath === undefined
          ? 'no patterns file was given'
          : `are in no block of ${basename(patternsPath)}`) +
        "; they form one ground-truth record with typology 'random' and unlabelledTypology: true.",
    );
  }
  if (!buffer.isEmpty) yield buffer.take();

  if (summary.roundedAmounts > 0) {
    summary.notes.push(
      `${summary.roundedAmounts} amounts had more decimals than their currency (AMLworld writes Yen with cents) and were rounded half-up to the minor unit.`,
    );
  }
  if (summary.patternRowsOnlyInPatterns > 0) {
    summary.notes.push(
      `${summary.patternRowsOnlyInPatterns} pattern rows have no identical row in the transactions file; they were imported from the patterns file.`,
    );
  }
  if (summary.patternRowsLabelledClean > 0) {
    summary.notes.push(
      `${summary.patternRowsLabelledClean} rows listed in pattern blocks are labelled Is Laundering = 0 in the transactions file.`,
    );
  }
  summary.vertices = buffer.totals.vertices;
  summary.edges = buffer.totals.edges;
  summary.groundTruth = buffer.totals.groundTruth;
  summary.accounts = accounts.size;
  return summary;
}

function blockRecord(
  block: PatternBlock,
  refs: MovementRef[],
  patternsStem: string,
  patternsPath: string,
): GroundTruthRecord {
  const ordered = inTimeOrder(refs);
  const parameters: Record<string, string | number | boolean> = {
    pattern: block.patternName,
    file: basename(patternsPath),
    beginLine: block.line,
    rows: block.rows.length,
  };
  if (block.detail !== undefined) parameters.detail = block.detail;
  if (block.maxDegree !== undefined) parameters.maxDegree = block.maxDegree;
  if (block.maxHops !== undefined) parameters.maxHops = block.maxHops;
  return {
    instanceId: `amlworld:${patternsStem}:${block.ordinal}`,
    typology: block.typology,
    decoy: false,
    source: 'amlworld',
    entities: entitiesOf(ordered),
    movements: ordered.map((ref) => ref.eid),
    ...windowOf(ordered),
    parameters,
  };
}

function unlabelledRecord(
  refs: MovementRef[],
  transactionsPath: string,
  patternsPath: string | undefined,
): GroundTruthRecord {
  const ordered = inTimeOrder(refs);
  return {
    instanceId: `amlworld:${stem(transactionsPath)}:unlabelled`,
    // AMLworld does not say which pattern these rows belong to; 'random' is the closest
    // honest id, and `unlabelledTypology` tells evaluators to score them apart.
    typology: 'random',
    decoy: false,
    source: 'amlworld',
    entities: entitiesOf(ordered),
    movements: ordered.map((ref) => ref.eid),
    ...windowOf(ordered),
    parameters: {
      unlabelledTypology: true,
      file: basename(transactionsPath),
      rows: ordered.length,
      reason:
        patternsPath === undefined
          ? 'labelled laundering; no patterns file was given'
          : `labelled laundering but in no block of ${basename(patternsPath)}`,
    },
  };
}

function stem(path: string): string {
  return basename(path, extname(path));
}
