import { InvalidInputError } from '../errors';
import type { FieldProblem } from '../schema';

/**
 * A dated table of reference exchange rates in the layout of the ECB's euro foreign exchange
 * reference rates CSV (`eurofxref-hist.csv`): a `Date` column (YYYY-MM-DD), then one column per
 * currency code, each value the units of that currency per 1 unit of the table's anchor
 * currency (the euro in the ECB's file). Values may be blank or `N/A`; rows may come in any
 * date order. When the file has no `EUR` column the anchor is the euro and EUR counts as 1 on
 * every row; a table anchored elsewhere lists its anchor as a column of 1s (and EUR, if used,
 * as a column like any other).
 *
 * Rates are kept as exact decimals (integer units over a power of ten), never floats.
 */

/** An exact positive decimal rate: `units / scale` units of a currency per 1 anchor unit. */
export interface ExactRate {
  readonly units: bigint;
  readonly scale: bigint;
}

/** A rate and the half-open span of instants [from, until) during which it applies. */
export interface DatedRate {
  readonly rate: ExactRate;
  readonly from: number;
  readonly until: number;
}

interface Series {
  /** Start of each row's day (epoch ms, UTC), ascending. */
  readonly days: number[];
  readonly rates: ExactRate[];
}

const MAX_LISTED_PROBLEMS = 10;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const CURRENCY_CODE = /^[A-Z]{3}$/;
const NOT_AVAILABLE = 'N/A';

export class FxRateTable {
  private constructor(
    /** Where the table came from, for messages ("rates.csv", "the built-in table"). */
    readonly source: string,
    private readonly series: ReadonlyMap<string, Series>,
  ) {}

  /** Parses ECB-layout CSV text; every problem names `source`, the line and the column. */
  static parse(text: string, source: string): FxRateTable {
    return new FxRateTable(source, new FxRateTableParser(text, source).parse());
  }

  /** Currency codes with at least one rate, sorted. */
  get currencies(): string[] {
    return [...this.series.keys()].sort();
  }

  has(currency: string): boolean {
    return this.series.has(currency);
  }

  /** Start (epoch ms) of the earliest day on which `currency` has a rate. */
  firstDay(currency: string): number | undefined {
    return this.series.get(currency)?.days[0];
  }

  /**
   * The rate of `currency` at instant `at`: the value of the latest row dated on or before
   * that day which has one (a blank or `N/A` falls back to the currency's previous value).
   * Undefined when the currency has no rate that early or is not in the table.
   */
  rateOn(currency: string, at: number): DatedRate | undefined {
    const s = this.series.get(currency);
    if (s === undefined || !Number.isFinite(at)) return undefined;
    let lo = 0;
    let hi = s.days.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s.days[mid] <= at) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    return {
      rate: s.rates[found],
      from: s.days[found],
      until: s.days[found + 1] ?? Number.POSITIVE_INFINITY,
    };
  }
}

/** Reads the CSV row by row, collecting every problem before it throws. */
class FxRateTableParser {
  private readonly problems: FieldProblem[] = [];
  /** True when the header ends with a comma (the ECB's own file): that last column stays empty. */
  private openLastColumn = false;

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  parse(): Map<string, Series> {
    const lines = this.text.replace(/^\uFEFF/, '').split(/\r?\n/);
    const header = splitCsvLine(lines[0] ?? '');
    const columns = this.readHeader(header);
    const rows = new Map<number, { line: number; values: (ExactRate | undefined)[] }>();
    for (let i = 1; i < lines.length; i++) {
      const raw = lines[i];
      if (raw.trim() === '') continue;
      this.readRow(i + 1, splitCsvLine(raw), header.length, columns, rows);
    }
    if (this.problems.length === 0 && rows.size === 0) {
      this.problem(2, 1, 'Date', 'the table must have at least one dated row of rates');
    }
    if (this.problems.length > 0) this.fail();
    return buildSeries(columns, rows);
  }

  /** Column index -> currency code (the Date column and a trailing empty column excluded). */
  private readHeader(header: string[]): Map<number, string> {
    const columns = new Map<number, string>();
    if (header[0]?.trim() !== 'Date') {
      this.problem(1, 1, header[0]?.trim() ?? '', 'the first column must be named "Date"');
    }
    const seen = new Set<string>();
    header.forEach((cell, index) => {
      if (index === 0) return;
      const code = cell.trim();
      // The ECB's own file ends every line with a comma: an empty last column is allowed.
      if (code === '' && index === header.length - 1) {
        this.openLastColumn = true;
        return;
      }
      if (!CURRENCY_CODE.test(code)) {
        this.problem(1, index + 1, code, 'must be a three-letter currency code such as USD');
      } else if (seen.has(code)) {
        this.problem(1, index + 1, code, 'names a currency already named by an earlier column');
      } else {
        seen.add(code);
        columns.set(index, code);
      }
    });
    if (columns.size === 0 && this.problems.length === 0) {
      this.problem(1, 2, '', 'the header must name at least one currency after "Date"');
    }
    return columns;
  }

  private readRow(
    line: number,
    cells: string[],
    width: number,
    columns: Map<number, string>,
    rows: Map<number, { line: number; values: (ExactRate | undefined)[] }>,
  ): void {
    if (cells.length !== width) {
      this.problem(
        line,
        1,
        'row',
        `must have ${width} columns like the header, has ${cells.length}`,
      );
      return;
    }
    const day = parseDay(cells[0]);
    if (day === undefined) {
      this.problem(line, 1, 'Date', 'must be a calendar date written YYYY-MM-DD');
      return;
    }
    const earlier = rows.get(day);
    if (earlier !== undefined) {
      this.problem(line, 1, 'Date', `repeats the date of line ${earlier.line}`);
      return;
    }
    const values: (ExactRate | undefined)[] = [];
    for (const [index, code] of columns) {
      const cell = cells[index].trim();
      if (cell === '' || cell === NOT_AVAILABLE) {
        values[index] = undefined;
        continue;
      }
      const rate = parseRate(cell);
      if (rate === undefined) {
        this.problem(
          line,
          index + 1,
          code,
          `must be a positive decimal number of ${code} per 1 unit of the anchor currency (such as 1.0856), blank or N/A`,
        );
      } else values[index] = rate;
    }
    if (this.openLastColumn && cells[width - 1].trim() !== '') {
      this.problem(line, width, '', 'must be empty: the header names no currency for it');
    }
    rows.set(day, { line, values });
  }

  private problem(line: number, column: number, name: string, rule: string): void {
    const where =
      name === '' ? `line ${line}, column ${column}` : `line ${line}, column ${column} (${name})`;
    this.problems.push({ field: where, rule });
  }

  private fail(): never {
    const listed = this.problems
      .slice(0, MAX_LISTED_PROBLEMS)
      .map((p) => `${p.field}: ${p.rule}`)
      .join('; ');
    const more =
      this.problems.length > MAX_LISTED_PROBLEMS
        ? ` (and ${this.problems.length - MAX_LISTED_PROBLEMS} more)`
        : '';
    throw new InvalidInputError(
      `The FX rate table ${this.source} is invalid (expected the ECB reference-rate layout: Date,CUR,CUR,... with one YYYY-MM-DD row per day): ${listed}${more}`,
      this.problems,
    );
  }
}

function buildSeries(
  columns: Map<number, string>,
  rows: Map<number, { values: (ExactRate | undefined)[] }>,
): Map<string, Series> {
  const days = [...rows.keys()].sort((a, b) => a - b);
  const series = new Map<string, Series>();
  for (const [index, code] of columns) {
    const s: Series = { days: [], rates: [] };
    for (const day of days) {
      const rate = rows.get(day)?.values[index];
      if (rate === undefined) continue;
      s.days.push(day);
      s.rates.push(rate);
    }
    if (s.days.length > 0) series.set(code, s);
  }
  if (!series.has('EUR') && ![...columns.values()].includes('EUR')) {
    // ECB layout: the euro is the anchor and has no column of its own.
    series.set('EUR', { days: [days[0]], rates: [{ units: 1n, scale: 1n }] });
  }
  return series;
}

/** Splits one CSV line; the ECB layout has no quoted cells, but quotes are tolerated. */
function splitCsvLine(line: string): string[] {
  return line.split(',').map((cell) => {
    const t = cell.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
  });
}

function parseDay(text: string): number | undefined {
  const m = DATE.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
    return undefined;
  }
  return ms;
}

/** "1.0856" -> 10856 / 10000, exactly; undefined when not a positive decimal. */
export function parseRate(text: string): ExactRate | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const fraction = m[2] ?? '';
  const units = BigInt(m[1] + fraction);
  if (units === 0n) return undefined;
  return { units, scale: 10n ** BigInt(fraction.length) };
}
