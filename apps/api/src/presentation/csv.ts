import { stringify } from 'csv-stringify/sync';

/**
 * A text cell a spreadsheet will not run as a formula (OWASP "CSV injection"): text that
 * starts with = + - @ or a tab/carriage return gets a leading apostrophe. Numbers written as
 * text ("-1.50") are left alone.
 */
export function spreadsheetSafe(value: string): string {
  const first = value.charAt(0);
  if (!['=', '+', '-', '@', '\t', '\r'].includes(first)) return value;
  const isNumber = first === '-' && value.trim() !== '-' && Number.isFinite(Number(value));
  return isNumber ? value : `'${value}`;
}

/** Rows as CSV (RFC 4180, header row, comma-separated), text cells made spreadsheet-safe. */
export function toCsv(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
): string {
  return stringify([...rows], {
    header: true,
    columns: [...columns],
    cast: { string: spreadsheetSafe, boolean: (value) => (value ? 'true' : 'false') },
  });
}
