import type { UboConfig, UboRegime } from '@app/settings';
import { UBO_CONVENTIONS, UBO_REGIMES } from '@app/settings';
import { FieldProblem, InvalidInputError } from '@app/vocabulary';
import type { ThresholdComparator } from './core/share-interval';
import {
  THRESHOLD_COMPARATORS,
  UBO_METHODS,
  type ResolvedUboOptions,
  type UboMethod,
  type UboRequestOptions,
} from './ubo.types';

/** What each regime fixes; see libs/ubo/README.md for the reading of each source. */
export interface RegimeDefinition {
  regime: UboRegime;
  title: string;
  /** Fixed threshold in basis points, or null when the `custom` threshold applies. */
  thresholdBp: number | null;
  comparator: ThresholdComparator;
  /** Methods the regime allows; the first is the default. */
  methods: readonly UboMethod[];
  controlProng: boolean;
  seniorManagingOfficialFallback: boolean;
  source: string;
}

export const REGIMES: Readonly<Record<UboRegime, RegimeDefinition>> = {
  eu: {
    regime: 'eu',
    title: 'EU AMLR',
    thresholdBp: 2500,
    comparator: 'at-least',
    methods: ['multiplication'],
    controlProng: false,
    seniorManagingOfficialFallback: true,
    source:
      'Regulation (EU) 2024/1624 (AMLR) Art. 52: an ownership interest of 25% or more, indirect ' +
      'ownership by multiplying the shares along each chain and adding the chains; Art. 54: ' +
      'persons who control by other means; senior managing officials when nobody is identified.',
  },
  uk: {
    regime: 'uk',
    title: 'UK PSC',
    thresholdBp: 2500,
    comparator: 'more-than',
    methods: ['dominancy'],
    controlProng: false,
    seniorManagingOfficialFallback: true,
    source:
      'Companies Act 2006 Schedule 1A: more than 25% of shares or votes, the right to appoint or ' +
      'remove a board majority, or significant influence or control; an interest held through a ' +
      'legal entity counts only if the person has a majority stake (>50%) in it, at every layer ' +
      "(Sch. 1A paras 9 and 18), and then the entity's whole holding counts. Shares held by a " +
      'nominee count as held by the nominator, not the nominee, and each joint holder is treated ' +
      'as holding the whole joint interest (Sch. 1A Part 2). Of a trust, the trustees hold what it ' +
      'holds and control it; a settlor or beneficiary as such does not (condition 5). Senior managing officials as the ' +
      'fallback of the Money Laundering Regulations 2017 (reg. 28).',
  },
  us: {
    regime: 'us',
    title: 'US FinCEN CDD',
    thresholdBp: 2500,
    comparator: 'at-least',
    methods: ['multiplication', 'dominancy', 'rolling'],
    controlProng: true,
    seniorManagingOfficialFallback: false,
    source:
      '31 CFR 1010.230(d): each individual who directly or indirectly owns 25% or more of the ' +
      'equity interests (ownership prong) and exactly one individual with significant ' +
      'responsibility to control, manage or direct the legal entity (control prong). When a trust ' +
      'owns 25% or more, the trustee is the owner for the ownership prong (d)(3).',
  },
  custom: {
    regime: 'custom',
    title: 'Custom threshold',
    thresholdBp: null,
    comparator: 'at-least',
    methods: ['multiplication', 'dominancy', 'rolling'],
    controlProng: false,
    seniorManagingOfficialFallback: true,
    source:
      'A threshold of your choice (UBO_THRESHOLD_BP or the request), e.g. the 15% or lower that ' +
      'AMLR allows for higher-risk categories; any method of EBA Q&A 2022_6622.',
  },
};

/**
 * Default list of secrecy / non-cooperative jurisdictions: Annex I of the EU list of
 * non-cooperative jurisdictions for tax purposes as updated by the Council in February 2026.
 * An illustration, not advice: replace it with your institution's list.
 */
export const DEFAULT_SECRECY_JURISDICTIONS: readonly string[] = [
  'AS', // American Samoa
  'AI', // Anguilla
  'GU', // Guam
  'PW', // Palau
  'PA', // Panama
  'RU', // Russian Federation
  'TC', // Turks and Caicos Islands
  'VI', // US Virgin Islands
  'VU', // Vanuatu
  'VN', // Viet Nam
];
export const SECRECY_LIST_SOURCE =
  'EU list of non-cooperative jurisdictions for tax purposes, Annex I (Council update of February 2026)';

export interface ResolveContext {
  highRiskJurisdictions?: readonly string[];
  secrecyJurisdictions?: readonly string[];
}

/**
 * What is wrong with `text` as a calendar date written YYYY-MM-DD, or undefined when it is one:
 * "2024-02-29" is, "2023-02-29" and "2024-02-30" are not. `Date.parse` cannot tell: it rolls
 * such dates over into the next month.
 */
export function calendarDateRule(text: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return 'must be a date written YYYY-MM-DD';
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, takes years 0-99 as written (not as 1900-1999).
  date.setUTCFullYear(year, month - 1, day);
  const exists =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return exists ? undefined : `is not a real calendar date (${text} does not exist)`;
}

/**
 * Merges the request's options over the settings, checks that they fit the regime, and
 * throws InvalidInputError naming every bad field and the rule.
 */
export function resolveUboOptions(
  config: Pick<UboConfig, 'regime' | 'thresholdBp' | 'maxDepth' | 'convention'>,
  request: UboRequestOptions = {},
  context: ResolveContext = {},
): ResolvedUboOptions {
  const problems: FieldProblem[] = [];
  const regime = request.regime ?? config.regime;
  if (!(UBO_REGIMES as readonly string[]).includes(regime)) {
    throw new InvalidInputError(`regime "${String(regime)}" is unknown`, [
      { field: 'regime', rule: `must be one of ${UBO_REGIMES.join(', ')}` },
    ]);
  }
  const definition = REGIMES[regime];

  if (
    request.method !== undefined &&
    !(UBO_METHODS as readonly string[]).includes(request.method)
  ) {
    problems.push({ field: 'method', rule: `must be one of ${UBO_METHODS.join(', ')}` });
  } else if (request.method !== undefined && !definition.methods.includes(request.method)) {
    problems.push({
      field: 'method',
      rule: `must be ${definition.methods.join(' or ')} under regime ${regime} (${definition.title})`,
    });
  }
  const method = request.method ?? definition.methods[0];

  if (request.thresholdBp !== undefined) {
    if (definition.thresholdBp !== null && request.thresholdBp !== definition.thresholdBp) {
      problems.push({
        field: 'thresholdBp',
        rule: `can only be changed with regime custom (${regime} fixes ${definition.thresholdBp} basis points)`,
      });
    } else if (
      !Number.isInteger(request.thresholdBp) ||
      request.thresholdBp < 1 ||
      request.thresholdBp > 10000
    ) {
      problems.push({
        field: 'thresholdBp',
        rule: 'must be a whole number of basis points between 1 and 10000',
      });
    }
  }
  const thresholdBp = definition.thresholdBp ?? request.thresholdBp ?? config.thresholdBp;

  if (request.comparator !== undefined) {
    if (!(THRESHOLD_COMPARATORS as readonly string[]).includes(request.comparator)) {
      problems.push({
        field: 'comparator',
        rule: `must be one of ${THRESHOLD_COMPARATORS.join(', ')}`,
      });
    } else if (regime !== 'custom' && request.comparator !== definition.comparator) {
      problems.push({
        field: 'comparator',
        rule: `can only be changed with regime custom (${regime} uses ${definition.comparator})`,
      });
    }
  }
  const comparator =
    regime === 'custom' ? (request.comparator ?? 'at-least') : definition.comparator;

  const maxDepth = request.maxDepth ?? config.maxDepth;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 100) {
    problems.push({ field: 'maxDepth', rule: 'must be a whole number between 1 and 100' });
  }
  const convention = request.convention ?? config.convention;
  if (!(UBO_CONVENTIONS as readonly string[]).includes(convention)) {
    problems.push({ field: 'convention', rule: `must be one of ${UBO_CONVENTIONS.join(', ')}` });
  }
  const asOfRule = request.asOf === undefined ? undefined : calendarDateRule(request.asOf);
  if (asOfRule !== undefined) problems.push({ field: 'asOf', rule: asOfRule });
  if (problems.length > 0) {
    throw new InvalidInputError(
      `The UBO options are invalid: ${problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
      problems,
    );
  }
  return {
    regime,
    method,
    thresholdBp,
    comparator,
    maxDepth,
    convention,
    ...(request.asOf !== undefined ? { asOf: request.asOf } : {}),
    controlProng: definition.controlProng,
    seniorManagingOfficialFallback: definition.seniorManagingOfficialFallback,
    source: definition.source,
    highRiskJurisdictions: [...(context.highRiskJurisdictions ?? [])],
    secrecyJurisdictions: [...(context.secrecyJurisdictions ?? DEFAULT_SECRECY_JURISDICTIONS)],
  };
}
