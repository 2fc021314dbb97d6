import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../errors';
import { DatedRateMoney } from './dated-rate-money';
import { FxRateTable } from './fx-rate-table';
import { SHIPPED_FX_RATES_CSV } from './shipped-fx-rates.data';

export { SHIPPED_FX_RATE_SOURCES } from './shipped-fx-rates.data';

/** How messages name the table shipped in the repo. */
export const SHIPPED_FX_TABLE_NAME = 'the built-in FX rate table (shipped-fx-rates.csv)';

let shipped: FxRateTable | undefined;

/**
 * The small table shipped in the repo, in units per 1 USD, one row dated 1970-01-01 (so it
 * covers AMLworld's 2022 data and the generator's periods alike): AMLworld's implied rates where
 * its hops give enough evidence, which the generator uses too, else the generator's fixed rates
 * or a public reference value (SHIPPED_FX_RATE_SOURCES). Embedded in the code, so it also works
 * from a webpack bundle.
 */
export function shippedFxRateTable(): FxRateTable {
  shipped ??= FxRateTable.parse(SHIPPED_FX_RATES_CSV, SHIPPED_FX_TABLE_NAME);
  return shipped;
}

/** Base money over the shipped table (USD unless told otherwise). */
export function shippedBaseMoney(base = 'USD'): DatedRateMoney {
  return new DatedRateMoney(shippedFxRateTable(), base);
}

/** Reads and parses an ECB-layout rate file; an unreadable or invalid file names itself. */
export function readFxRateTable(path: string): FxRateTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError(`The FX rate table ${path} cannot be read: ${reason}`, [
      { field: 'FX_RATES_FILE', rule: `must name a readable file (${reason})` },
    ]);
  }
  return FxRateTable.parse(text, path);
}
