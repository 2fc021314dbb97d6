import { basename } from 'node:path';
import { formatRate, type HopRate } from './fx-rate-derivation';

/**
 * The shipped table has one row, in units per 1 USD (USD is the anchor column), dated
 * 1970-01-01 so that every date from the Unix epoch on converts at it: AMLworld's data (2022)
 * and our generator's periods (SEEDER_REFERENCE_TIME defaults to 2025-01-01) alike.
 *
 * AMLworld's simulator and our generator live in one world of prices: where AMLworld's hops
 * imply a rate, the generator's fixed rate (geography.ts USD_RATES) is that rate, so laundering
 * grafted from AMLworld onto a generated bank (`--inject-patterns`) converts consistently with
 * the bank's own traffic. The script refuses to write a table that disagrees with the generator.
 */
export const RATE_DATE = '1970-01-01';
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
  /** Currency -> its rate. */
  rates: Map<string, string>;
}

export function buildShippedTable(
  evidence: readonly CurrencyEvidence[],
  file: string,
): ShippedTable {
  const name = basename(file);
  const currencies = ['USD', ...evidence.map((e) => e.currency).filter((c) => c !== 'USD')];
  const byCurrency = new Map(evidence.map((e) => [e.currency, e]));
  const rates = new Map<string, string>();
  const sources = new Map<string, string>();
  for (const currency of currencies) {
    const e = byCurrency.get(currency);
    if (currency === 'USD' || e === undefined) {
      rates.set('USD', '1');
      sources.set('USD', 'anchor: every rate in the table is units of that currency per 1 USD');
      continue;
    }
    const chosen = rateOf(e, name);
    if (e.generator !== undefined && Number(e.generator) !== Number(chosen.rate)) {
      throw new Error(
        `The generator converts ${currency} at ${e.generator} per USD but the table would ship ${chosen.rate} (${chosen.source}); set USD_RATES.${currency} in libs/generators/src/population/geography.ts to ${chosen.rate} so both agree`,
      );
    }
    rates.set(currency, chosen.rate);
    sources.set(
      currency,
      e.inGenerator && e.generator !== undefined && !chosen.source.startsWith("the generator's")
        ? `${chosen.source}; the generator uses the same rate (geography.ts USD_RATES)`
        : chosen.source,
    );
  }
  const csv = [
    ['Date', ...currencies].join(','),
    [RATE_DATE, ...currencies.map((c) => rates.get(c) ?? '')].join(','),
    '',
  ].join('\n');
  return { csv, sources, rates };
}

function rateOf(e: CurrencyEvidence, file: string): { rate: string; source: string } {
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
