import { basename } from 'node:path';
import { formatRate, type HopRate } from './fx-rate-derivation';

/**
 * The shipped table has two rows, both in units per 1 USD (USD is the anchor column):
 *
 * - 1970-01-01, the AMLworld era: every date from the Unix epoch on (AMLworld's data is dated
 *   2022) converts at the rates AMLworld's own simulator used, as implied by its hops.
 * - 2023-01-01, the generator era: our generator's periods (SEEDER_REFERENCE_TIME defaults to
 *   2025-01-01) convert at exactly the generator's fixed rates, so that a generated movement
 *   paid in one currency and received in another converts back to the same base amount.
 *   Currencies the generator does not use are blank there and keep their 1970 rate.
 */
export const AMLWORLD_ERA = '1970-01-01';
export const GENERATOR_ERA = '2023-01-01';
/** Fewer hops than this and the generator's rate (or another source) is preferred. */
export const MIN_HOPS = 5;
/** Rows needed before the amount-scale estimate (median amount vs median USD amount) is used. */
export const MIN_AMOUNT_ROWS = 30;

export interface CurrencyEvidence {
  currency: string;
  inAmlworld: boolean;
  inGenerator: boolean;
  hop: HopRate | undefined;
  /** Rows of the patterns file paid in this currency. */
  rows: number;
  /** Median paid amount in this currency over the median USD amount. */
  amountScale: number | undefined;
  /** The generator's fixed rate (units per USD) as written in its source. */
  generator: string | undefined;
  reference: { perUsd: string; source: string } | undefined;
}

export interface ShippedTable {
  csv: string;
  /** Currency -> where its rates came from. */
  sources: Map<string, string>;
  /** Currency -> its rate on the AMLworld-era row. */
  amlworldEra: Map<string, string>;
}

export function buildShippedTable(
  evidence: readonly CurrencyEvidence[],
  file: string,
): ShippedTable {
  const name = basename(file);
  const currencies = ['USD', ...evidence.map((e) => e.currency).filter((c) => c !== 'USD')];
  const byCurrency = new Map(evidence.map((e) => [e.currency, e]));
  const amlworldEra = new Map<string, string>();
  const generatorEra = new Map<string, string>();
  const sources = new Map<string, string>();
  for (const currency of currencies) {
    const e = byCurrency.get(currency);
    if (currency === 'USD' || e === undefined) {
      amlworldEra.set('USD', '1');
      generatorEra.set('USD', '1');
      sources.set('USD', 'anchor: every rate in the table is units of that currency per 1 USD');
      continue;
    }
    const early = amlworldEraRate(e, name);
    amlworldEra.set(currency, early.rate);
    let source = `${AMLWORLD_ERA} row: ${early.source}`;
    if (e.inGenerator) {
      const rate = e.generator ?? '1';
      generatorEra.set(currency, rate);
      source +=
        e.generator === undefined
          ? `; ${GENERATOR_ERA} row: 1, as the generator has no rate for it and converts it 1:1 with USD`
          : `; ${GENERATOR_ERA} row: ${rate}, the generator's fixed rate (geography.ts USD_RATES)`;
    } else {
      source += `; ${GENERATOR_ERA} row: blank (the generator does not use ${currency}), so the ${AMLWORLD_ERA} rate applies`;
    }
    sources.set(currency, source);
  }
  const line = (date: string, rates: Map<string, string>): string =>
    [date, ...currencies.map((c) => rates.get(c) ?? '')].join(',');
  const csv = [
    ['Date', ...currencies].join(','),
    // Newest first, as in the ECB's own file.
    line(GENERATOR_ERA, generatorEra),
    line(AMLWORLD_ERA, amlworldEra),
    '',
  ].join('\n');
  return { csv, sources, amlworldEra };
}

function amlworldEraRate(e: CurrencyEvidence, file: string): { rate: string; source: string } {
  const hops = e.hop?.hops ?? 0;
  if (e.hop !== undefined && hops >= MIN_HOPS) {
    return {
      rate: formatRate(e.hop.perUsd),
      source: `AMLworld-implied, median of ${hops} intermediary hops between USD and ${e.currency} in ${file}`,
    };
  }
  const lacking = e.inAmlworld
    ? `${file} has ${hops} USD/${e.currency} hop(s) and ${e.rows} ${e.currency} row(s)`
    : `AMLworld does not use ${e.currency}`;
  if (e.generator !== undefined) {
    return {
      rate: e.generator,
      source: `the generator's fixed rate (geography.ts USD_RATES), as ${lacking}`,
    };
  }
  if (e.hop !== undefined) {
    return {
      rate: formatRate(e.hop.perUsd),
      source: `AMLworld-implied but weak: median of only ${hops} intermediary hop(s) between USD and ${e.currency} in ${file}`,
    };
  }
  if (e.amountScale !== undefined && e.rows >= MIN_AMOUNT_ROWS) {
    return {
      rate: formatRate(e.amountScale, 4),
      source: `AMLworld amount scale, weak: median ${e.currency} amount over median USD amount of ${file} (${e.rows} ${e.currency} rows, no hop to or from USD)`,
    };
  }
  if (e.reference !== undefined) {
    return {
      rate: e.reference.perUsd,
      source: `public reference value: ${e.reference.source}; ${lacking}`,
    };
  }
  throw new Error(`No source for a ${e.currency} rate: ${lacking}`);
}
