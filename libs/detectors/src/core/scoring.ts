import type { Severity } from '@app/vocabulary';

/**
 * A score in [0.5, 1] for a measured value against the rule's threshold: 0.5 just at the
 * threshold, rising linearly to 1 at `full` (and staying there). Rounded to 3 decimals so that
 * scores compare exactly across runs.
 */
export function scoreAbove(value: number, threshold: number, full: number): number {
  if (full <= threshold) return value >= threshold ? 1 : 0.5;
  const raw = 0.5 + (0.5 * (value - threshold)) / (full - threshold);
  return roundScore(Math.min(1, Math.max(0.5, raw)));
}

export function roundScore(score: number): number {
  return Math.round(Math.min(1, Math.max(0, score)) * 1000) / 1000;
}

/** Severity bands of a score: critical ≥ 0.9, high ≥ 0.75, medium ≥ 0.6, low below. */
export function severityOf(score: number): Severity {
  if (score >= 0.9) return 'critical';
  if (score >= 0.75) return 'high';
  if (score >= 0.6) return 'medium';
  return 'low';
}
