/**
 * How the shipped FX table is derived (see derive-fx-rates.ts for the command). Pure functions
 * over the text of an AMLworld `*_Patterns.txt` file, so that they can be tested on a small
 * hand-made fixture.
 *
 * AMLworld rows never pay in one currency and receive in another, but money hops: an
 * intermediary account receives in currency A and forwards in currency B (scatter-gather,
 * stack, cycle, random). AMLworld forwards about the same sum (same-currency hops keep a median
 * ratio of exactly 1), so the forwarded amount over the received one, over many hops, implies
 * the rate B per A that its simulator used.
 */

export interface PatternRow {
  line: number;
  timestamp: string;
  from: string;
  to: string;
  received: number;
  receivedCurrency: string;
  paid: number;
  paidCurrency: string;
}

export interface HopRate {
  /** Units of the currency per 1 USD: the median of the hop estimates. */
  perUsd: number;
  /** How many hops the median is taken over. */
  hops: number;
}

/** Transaction lines of a patterns file, grouped by laundering attempt (BEGIN … END). */
export function readAttempts(
  text: string,
  currencyCode: (name: string) => string | undefined,
): PatternRow[][] {
  const attempts: PatternRow[][] = [];
  let current: PatternRow[] | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('BEGIN LAUNDERING ATTEMPT')) current = [];
    else if (line.startsWith('END LAUNDERING ATTEMPT')) {
      if (current !== undefined) attempts.push(current);
      current = undefined;
    } else if (line !== '' && current !== undefined) {
      current.push(parseRow(line, index + 1, currencyCode));
    }
  });
  return attempts;
}

function parseRow(
  line: string,
  lineNumber: number,
  currencyCode: (name: string) => string | undefined,
): PatternRow {
  const cells = line.split(',');
  if (cells.length !== 11) {
    throw new Error(`line ${lineNumber}: expected 11 columns, found ${cells.length}`);
  }
  const [
    timestamp,
    fromBank,
    fromAccount,
    toBank,
    toAccount,
    received,
    receivedName,
    paid,
    paidName,
  ] = cells as [string, string, string, string, string, string, string, string, string];
  const code = (name: string): string => {
    const c = currencyCode(name.trim());
    if (c === undefined) throw new Error(`line ${lineNumber}: unknown currency "${name}"`);
    return c;
  };
  const amount = (text: string): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`line ${lineNumber}: bad amount "${text}"`);
    return n;
  };
  return {
    line: lineNumber,
    timestamp: timestamp.trim(),
    from: `${fromBank.trim()}/${fromAccount.trim()}`,
    to: `${toBank.trim()}/${toAccount.trim()}`,
    received: amount(received),
    receivedCurrency: code(receivedName),
    paid: amount(paid),
    paidCurrency: code(paidName),
  };
}

/** One hop: what an intermediary received (in `from`) and then forwarded (in `to`). */
export interface Hop {
  inCurrency: string;
  outCurrency: string;
  /** Forwarded amount / received amount: units of `outCurrency` per unit of `inCurrency`. */
  ratio: number;
}

/**
 * Hops of pure intermediaries: accounts that, within one attempt, receive exactly once and pay
 * exactly once, the payment not earlier than the receipt. Hubs (many in or many out) are left
 * out: which incoming sum feeds which outgoing one is unknown there.
 */
export function intermediaryHops(attempts: readonly PatternRow[][]): Hop[] {
  const hops: Hop[] = [];
  for (const rows of attempts) {
    const incoming = new Map<string, PatternRow[]>();
    const outgoing = new Map<string, PatternRow[]>();
    for (const row of rows) {
      push(incoming, row.to, row);
      push(outgoing, row.from, row);
    }
    for (const [account, ins] of incoming) {
      const outs = outgoing.get(account);
      if (ins.length !== 1 || outs?.length !== 1) continue;
      const [received] = ins as [PatternRow];
      const [forwarded] = outs as [PatternRow];
      // AMLworld timestamps ("2022/09/01 00:29") sort as text.
      if (forwarded.timestamp < received.timestamp) continue;
      hops.push({
        inCurrency: received.receivedCurrency,
        outCurrency: forwarded.paidCurrency,
        ratio: forwarded.paid / received.received,
      });
    }
  }
  return hops;
}

/**
 * Units of each currency per 1 USD, from hops between USD and that currency: USD -> X gives
 * X per USD directly, X -> USD its inverse. Returns the median per currency and its count.
 */
export function usdRatesFromHops(hops: readonly Hop[]): Map<string, HopRate> {
  const estimates = new Map<string, number[]>();
  for (const hop of hops) {
    if (hop.inCurrency === hop.outCurrency) continue;
    if (hop.inCurrency === 'USD') push(estimates, hop.outCurrency, hop.ratio);
    else if (hop.outCurrency === 'USD') push(estimates, hop.inCurrency, 1 / hop.ratio);
  }
  const rates = new Map<string, HopRate>();
  for (const [currency, values] of estimates) {
    rates.set(currency, { perUsd: median(values), hops: values.length });
  }
  return rates;
}

/** The median ratio of hops that stay in one currency (1 means sums are forwarded whole). */
export function sameCurrencyMedian(hops: readonly Hop[]): { ratio: number; hops: number } {
  const values = hops.filter((h) => h.inCurrency === h.outCurrency).map((h) => h.ratio);
  return { ratio: values.length === 0 ? Number.NaN : median(values), hops: values.length };
}

/** Rows paid in each currency (to say which currencies the file has at all). */
export function rowsPerCurrency(attempts: readonly PatternRow[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of attempts.flat()) {
    counts.set(row.paidCurrency, (counts.get(row.paidCurrency) ?? 0) + 1);
  }
  return counts;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A rate written as a plain decimal with `digits` significant digits (never 1e-7 notation). */
export function formatRate(value: number, digits = 6): string {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`bad rate ${value}`);
  const magnitude = Math.floor(Math.log10(value));
  const decimals = Math.max(0, digits - 1 - magnitude);
  const text = value.toFixed(decimals);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
