import type { DatasetSummary } from '@app/generators';

const number = new Intl.NumberFormat('en-US');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/** The summary printed after generation: counts per label, then instances and decoys per typology. */
export function summaryTable(summary: DatasetSummary): string[] {
  const labels = [
    ...Object.entries(summary.vertices).map(([label, count]) => [
      `${label} (vertex)`,
      number.format(count),
    ]),
    ...Object.entries(summary.edges).map(([label, count]) => [
      `${label} (edge)`,
      number.format(count),
    ]),
  ].filter(([, count]) => count !== '0');
  const typologies = [
    ...new Set([...Object.keys(summary.instances), ...Object.keys(summary.decoys)]),
  ].map((typology) => [
    typology,
    number.format(summary.instances[typology] ?? 0),
    number.format(summary.decoys[typology] ?? 0),
  ]);
  return [
    ...table(['Label', 'Count'], labels),
    '',
    ...table(['Typology', 'Injected', 'Decoys'], typologies),
  ];
}
