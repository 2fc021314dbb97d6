/** A ratio rounded to 4 decimals (0.1234 = 12.34%); null when the denominator is 0. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000;
}

/**
 * F1, the harmonic mean of precision and recall, from the unrounded counts: 2·TP / (2·TP + FP +
 * FN) = 2·TP / (predicted + labelled), rounded like `ratio`. null when nothing was predicted or
 * nothing is labelled (precision or recall undefined).
 */
export function f1FromCounts(
  truePositives: number,
  predicted: number,
  labelled: number,
): number | null {
  if (predicted === 0 || labelled === 0) return null;
  return ratio(2 * truePositives, predicted + labelled);
}

/** F1 from already rounded precision and recall (null when either is undefined). */
export function f1Of(precision: number | null, recall: number | null): number | null {
  if (precision === null || recall === null) return null;
  return precision + recall === 0
    ? 0
    : Math.round(((2 * precision * recall) / (precision + recall)) * 10_000) / 10_000;
}

/** A ratio as a percentage with one decimal, or an em dash when undefined. */
export function pct(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)}%`;
}
