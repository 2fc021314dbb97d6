import { type FieldProblem, InvalidInputError } from '@app/vocabulary';
import {
  type BankProfile,
  isProfileName,
  PROFILE_NAMES,
  PROFILES,
  type ProfileName,
} from '../profiles/bank-profile';
import { DEFAULT_HIGH_RISK_JURISDICTIONS } from '../population/geography';
import { DAY_MS, type SimulationClock } from '../population/population.model';
import type { PatternThresholds } from '../typologies/plan.builder';

/** What to generate. The same options always give the same dataset (for one generator version). */
export interface GenerateBankOptions {
  /** A profile name (tiny, small, medium, large) or a custom profile. */
  profile: ProfileName | BankProfile;
  /** Random seed, 0 to 4294967295. */
  seed: number;
  /** End of the simulated period, ISO 8601 (e.g. `2025-01-01T00:00:00Z`) or epoch ms. No wall clock is read. */
  referenceTime: string | number;
  /** Length of the simulated period in days (30 to 3650). */
  days: number;
  /** Thresholds the patterns are built around; defaults are the detectors' defaults. */
  thresholds?: Partial<PatternThresholds>;
  /** Vertices or edges per population chunk (default 5000). */
  chunkSize?: number;
}

/** Shortest simulated period: the longest injected patterns (rings, high-risk flows) span weeks. */
export const MIN_DAYS = 30;

export const DEFAULT_THRESHOLDS: PatternThresholds = {
  cashThresholdMinor: 1_000_000,
  structuringBandPercent: 10,
  dormantDays: 360,
  highRiskJurisdictions: DEFAULT_HIGH_RISK_JURISDICTIONS,
};

export interface ResolvedOptions {
  profile: BankProfile;
  seed: number;
  clock: SimulationClock;
  thresholds: PatternThresholds;
  chunkSize: number;
}

/**
 * Checks the options and fills defaults. Throws `InvalidInputError` naming every bad field and
 * the rule it breaks.
 */
export function resolveOptions(options: GenerateBankOptions): ResolvedOptions {
  const problems: FieldProblem[] = [];
  let profile: BankProfile | undefined;
  if (typeof options.profile === 'string') {
    if (isProfileName(options.profile)) profile = PROFILES[options.profile];
    else problems.push({ field: 'profile', rule: `must be one of ${PROFILE_NAMES.join(', ')}` });
  } else {
    profile = options.profile;
  }
  if (!Number.isSafeInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    problems.push({ field: 'seed', rule: 'must be a whole number between 0 and 4294967295' });
  }
  const reference =
    typeof options.referenceTime === 'number'
      ? options.referenceTime
      : parseIsoInstant(options.referenceTime);
  if (
    reference === undefined ||
    !Number.isSafeInteger(reference) ||
    reference < Date.UTC(1980, 0, 1)
  ) {
    problems.push({
      field: 'referenceTime',
      rule: 'must be an ISO 8601 timestamp such as 2025-01-01T00:00:00Z (after 1980)',
    });
  }
  if (!Number.isSafeInteger(options.days) || options.days < MIN_DAYS || options.days > 3650) {
    problems.push({
      field: 'days',
      rule: `must be a whole number of days between ${MIN_DAYS} and 3650 (injected patterns span up to 30 days)`,
    });
  }
  const thresholds: PatternThresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  if (
    !Number.isSafeInteger(thresholds.cashThresholdMinor) ||
    thresholds.cashThresholdMinor < 1_000
  ) {
    problems.push({
      field: 'thresholds.cashThresholdMinor',
      rule: 'must be a whole number of minor units, at least 1000',
    });
  }
  if (
    !Number.isInteger(thresholds.structuringBandPercent) ||
    thresholds.structuringBandPercent < 1 ||
    thresholds.structuringBandPercent > 50
  ) {
    problems.push({
      field: 'thresholds.structuringBandPercent',
      rule: 'must be a whole percent between 1 and 50',
    });
  }
  if (!Number.isInteger(thresholds.dormantDays) || thresholds.dormantDays < 30) {
    problems.push({
      field: 'thresholds.dormantDays',
      rule: 'must be a whole number of days, at least 30',
    });
  }
  if (!thresholds.highRiskJurisdictions.every((code) => /^[A-Z]{2}$/.test(code))) {
    problems.push({
      field: 'thresholds.highRiskJurisdictions',
      rule: 'each entry must be a two-letter ISO country code in capitals',
    });
  }
  const chunkSize = options.chunkSize ?? 5_000;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1)
    problems.push({ field: 'chunkSize', rule: 'must be a whole number, at least 1' });
  if (problems.length > 0 || !profile || reference === undefined) {
    throw new InvalidInputError(
      `Invalid generator options: ${problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
      problems,
    );
  }
  const windowEnd = reference;
  return {
    profile,
    seed: options.seed,
    clock: { windowStart: windowEnd - options.days * DAY_MS, windowEnd, days: options.days },
    thresholds,
    chunkSize,
  };
}

function parseIsoInstant(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text))
    return undefined;
  const value = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  return Number.isNaN(value) ? undefined : value;
}
