import {
  COMPANY_TYPES,
  CompanyProps,
  CompanyType,
  ControlsEdge,
  FieldProblem,
  GraphEdge,
  GraphVertex,
  ids,
  INTEREST_TYPES,
  InterestType,
  InvalidInputError,
  OwnsEdge,
  PersonProps,
  validateEdge,
  validateVertex,
} from '@app/vocabulary';
import {
  BODS_RECORD_STATUSES,
  BODS_RECORD_TYPES,
  BodsRecordStatus,
  BodsRecordType,
} from './bods.types';
import { calendarDateRule } from '../regimes';

export interface BodsImportOptions {
  /** Source name inside the business ids (`company:<source>:<recordId>`); default `bods`. */
  source?: string;
  /** Throw InvalidInputError listing every problem instead of skipping bad statements. */
  strict?: boolean;
  /**
   * Read the package as it stood on this date (YYYY-MM-DD): statements dated later are left
   * out, so an earlier state of replaced records can be evaluated.
   */
  asOf?: string;
}

/** Something in the input that was skipped or read in a particular way. */
export interface BodsImportNote {
  /** Position of the statement in the input. */
  index: number;
  statementId?: string;
  field: string;
  rule: string;
  /** 'skipped' = the statement (or interest) was left out; 'note' = read with a default. */
  severity: 'skipped' | 'note';
}

export interface BodsUnspecifiedParty {
  subject: string;
  reason: string;
  statementId: string;
}

/** Vocabulary vertices and edges of a BODS package, after record replacement over time. */
export interface BodsImportResult {
  vertices: GraphVertex[];
  edges: GraphEdge[];
  /** BODS recordId -> vertex uid (entities and persons). */
  recordUids: Readonly<Record<string, string>>;
  /** BODS statementId -> recordId (every statement read). */
  statementRecords: Readonly<Record<string, string>>;
  /** Uids of the declaration subjects. */
  declarationSubjects: string[];
  /** Anonymous or unknown persons and entities. */
  unidentified: string[];
  /** Relationships whose interested party is not given. */
  unspecifiedParties: BodsUnspecifiedParty[];
  /**
   * Edges of indirect control interests that summarise the `componentRecords` of their
   * statement (all present, starting at the same interested party): the components carry
   * the control link by link, so the computation does not count the summary as well.
   */
  summaryEdges: string[];
  notes: BodsImportNote[];
  stats: {
    statements: number;
    records: number;
    /** Statements replaced by a later statement of the same record. */
    replaced: number;
    /** Statements dated after `asOf`, left out. */
    later: number;
    closedRecords: number;
  };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Why a statementDate cannot be read, if it cannot: BODS writes a date (2018-12-17), some
 * publishers a date and time (2018-12-17T10:00:00Z). The date must exist (2024-02-30 does not;
 * JavaScript's Date.parse would roll it over into March).
 */
const STATEMENT_DATE_FORMAT =
  'must be a date (YYYY-MM-DD) or a date and time (ISO 8601, e.g. 2018-12-17T10:00:00Z)';

function statementDateRule(value: string): string | undefined {
  const dateRule = calendarDateRule(value.slice(0, 10));
  if (dateRule === undefined) {
    const readable = value.length === 10 || !Number.isNaN(Date.parse(value));
    return readable ? undefined : STATEMENT_DATE_FORMAT;
  }
  // A date written right that does not exist keeps calendarDateRule's message (it names it).
  return dateRule.startsWith('is not a real calendar date') ? dateRule : STATEMENT_DATE_FORMAT;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/**
 * A name as one line: registers' data sometimes breaks a long name over lines or holds tabs,
 * which the vocabulary refuses in a name; each run of them becomes one space.
 */
function nameText(value: unknown): string | undefined {
  const name = text(value);
  return name === undefined
    ? undefined
    : name.replace(/[\t\n\v\f\r\u0085\u2028\u2029]+/g, ' ').trim();
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Keeps a record id usable inside a business id (other characters become `_`). */
function safeKey(recordId: string): string {
  const cleaned = recordId.replace(/[^A-Za-z0-9._:@/+#-]/g, '_');
  return /^[A-Za-z0-9]/.test(cleaned) ? cleaned : `r${cleaned}`;
}

/** A BODS percentage (number) to exact basis points, rounded outward when it has more decimals. */
function percentToBp(value: number, mode: 'floor' | 'ceil'): { bp: number; rounded: boolean } {
  // The shortest decimal that reads back as this number, exactly: "33.333", "1e-7", "2.5e-8".
  const [mantissa, exponent = '0'] = String(value).split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  const digits = BigInt(whole + fraction);
  // value × 100 = digits × 10^scale
  const scale = Number(exponent) - fraction.length + 2;
  if (scale >= 0) return { bp: Number(digits * 10n ** BigInt(scale)), rounded: false };
  const divisor = 10n ** BigInt(-scale);
  const remainder = digits % divisor;
  const floor = digits / divisor;
  const bp = mode === 'ceil' && remainder > 0n ? floor + 1n : floor;
  return { bp: Number(bp), rounded: remainder > 0n };
}

interface ParsedShare {
  minBp: number;
  maxBp: number;
  minExclusive: boolean;
  maxExclusive: boolean;
  rounded: boolean;
}

const SHARE_KEYS = ['exact', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const;
type ShareKey = (typeof SHARE_KEYS)[number];

/** One broken rule of a share: the key inside `share` (or '' for the share itself) and the rule. */
interface ShareProblem {
  key: ShareKey | '';
  rule: string;
}

/** The rule a single percentage breaks, or undefined when it is a usable percentage. */
function percentProblem(value: unknown): string | undefined {
  if (typeof value !== 'number') {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    return `must be a number (a percentage such as 25 or 33.5), not ${got}`;
  }
  if (!Number.isFinite(value)) return 'must be a finite number';
  if (value < 0) return `must not be negative (got ${value})`;
  if (value > 100) return `must not be above 100 (got ${value}; shares are percentages)`;
  return undefined;
}

/**
 * A BODS share (percentages) as basis points, or the rules it breaks, each named: not a
 * number, negative, above 100, minimum above maximum.
 */
function parseShare(share: unknown): ParsedShare | ShareProblem[] | undefined {
  if (share === undefined) return undefined;
  if (!isObject(share)) {
    return [
      {
        key: '',
        rule: 'must be an object with exact, minimum, maximum, exclusiveMinimum or exclusiveMaximum',
      },
    ];
  }
  const numbers: Partial<Record<ShareKey, number>> = {};
  const problems: ShareProblem[] = [];
  for (const key of SHARE_KEYS) {
    const value = share[key];
    if (value === undefined) continue;
    const rule = percentProblem(value);
    if (rule !== undefined) problems.push({ key, rule });
    else numbers[key] = value as number;
  }
  if (problems.length > 0) return problems;
  // `share: {}` states nothing: read as a missing share (0-100%, with the note that says so).
  if (Object.keys(numbers).length === 0) return undefined;
  let rounded = false;
  // A bound rounded outward to whole basis points is exclusive: 25.001% is more than 2500 bp.
  let lowRounded = false;
  let highRounded = false;
  const bound = (value: number, mode: 'floor' | 'ceil'): number => {
    const result = percentToBp(value, mode);
    rounded ||= result.rounded;
    if (mode === 'floor') lowRounded = result.rounded;
    else highRounded = result.rounded;
    return result.bp;
  };
  if (numbers.exact !== undefined) {
    const exact = numbers.exact;
    const outside = [
      numbers.minimum !== undefined && exact < numbers.minimum ? 'minimum' : undefined,
      numbers.exclusiveMinimum !== undefined && exact <= numbers.exclusiveMinimum
        ? 'exclusiveMinimum'
        : undefined,
      numbers.maximum !== undefined && exact > numbers.maximum ? 'maximum' : undefined,
      numbers.exclusiveMaximum !== undefined && exact >= numbers.exclusiveMaximum
        ? 'exclusiveMaximum'
        : undefined,
    ].filter((key): key is ShareKey => key !== undefined);
    if (outside.length > 0) {
      return [
        {
          key: 'exact',
          rule: `(${exact}) must lie within the range the same share gives (${outside
            .map((key) => `${key} ${numbers[key]}`)
            .join(', ')}): the statement contradicts itself`,
        },
      ];
    }
    const lo = bound(exact, 'floor');
    const hi = bound(exact, 'ceil');
    return {
      minBp: lo,
      maxBp: hi,
      minExclusive: lowRounded,
      maxExclusive: highRounded,
      rounded,
    };
  }
  let minBp = 0;
  let minExclusive = false;
  let minKey: ShareKey | undefined;
  if (
    numbers.exclusiveMinimum !== undefined &&
    (numbers.minimum === undefined || numbers.exclusiveMinimum >= numbers.minimum)
  ) {
    minBp = bound(numbers.exclusiveMinimum, 'floor');
    minExclusive = true;
    minKey = 'exclusiveMinimum';
  } else if (numbers.minimum !== undefined) {
    minBp = bound(numbers.minimum, 'floor');
    minKey = 'minimum';
  }
  let maxBp = 10000;
  let maxExclusive = false;
  let maxKey: ShareKey | undefined;
  if (
    numbers.exclusiveMaximum !== undefined &&
    (numbers.maximum === undefined || numbers.exclusiveMaximum <= numbers.maximum)
  ) {
    maxBp = bound(numbers.exclusiveMaximum, 'ceil');
    maxExclusive = true;
    maxKey = 'exclusiveMaximum';
  } else if (numbers.maximum !== undefined) {
    maxBp = bound(numbers.maximum, 'ceil');
    maxKey = 'maximum';
  }
  const low = minKey === undefined ? 0 : (numbers[minKey] as number);
  const high = maxKey === undefined ? 100 : (numbers[maxKey] as number);
  const emptyOpen = (minExclusive || maxExclusive) && low === high;
  if (low > high || emptyOpen) {
    const named = (key: ShareKey | undefined, fallback: string): string =>
      key === undefined ? fallback : `${key} (${numbers[key]})`;
    return [
      {
        key: '',
        rule: `${named(minKey, 'the minimum (0)')} must not be above ${named(maxKey, 'the maximum (100)')}${
          emptyOpen ? ' and an exclusive bound must leave some room between them' : ''
        }`,
      },
    ];
  }
  return {
    minBp,
    maxBp,
    minExclusive: minExclusive || lowRounded,
    maxExclusive: maxExclusive || highRounded,
    rounded,
  };
}

function companyTypeOf(details: Json): {
  companyType: CompanyType;
  isNominee: boolean;
  unidentified: boolean;
} {
  const entityType = isObject(details.entityType) ? details.entityType : {};
  const type = text(entityType.type);
  const subtype = text(entityType.subtype);
  const listed = isObject(details.publicListing) && details.publicListing.hasPublicListing === true;
  switch (type) {
    case 'state':
    case 'stateBody':
      return { companyType: 'state-body', isNominee: false, unidentified: false };
    case 'arrangement':
      return {
        companyType: subtype === 'trust' ? 'trust' : 'partnership',
        isNominee: subtype === 'nomination',
        unidentified: false,
      };
    case 'anonymousEntity':
    case 'unknownEntity':
      return { companyType: 'company', isNominee: false, unidentified: true };
    case undefined:
    default:
      return {
        companyType: listed ? 'listed-company' : 'company',
        isNominee: false,
        unidentified: false,
      };
  }
}

interface Candidate {
  index: number;
  statementId: string;
  statementDate: string;
  recordId: string;
  recordType: BodsRecordType;
  recordStatus: BodsRecordStatus;
  details: Json;
  declarationSubject?: string;
}

function laterThan(a: Candidate, b: Candidate): boolean {
  const ta = Date.parse(a.statementDate);
  const tb = Date.parse(b.statementDate);
  if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return ta > tb;
  return a.index > b.index;
}

/**
 * A statementId names one statement: two statements with the same id make the package
 * ambiguous (which one counts?), so they are refused, naming the id and both positions.
 */
class StatementIds {
  private readonly firstAt = new Map<string, number>();
  private readonly problems: FieldProblem[] = [];
  private readonly pairs: string[] = [];

  see(statementId: string, index: number): void {
    const first = this.firstAt.get(statementId);
    if (first === undefined) {
      this.firstAt.set(statementId, index);
      return;
    }
    this.problems.push({
      field: `statements[${index}].statementId`,
      rule: `must be unique: "${statementId}" is also the statementId of statements[${first}]`,
    });
    this.pairs.push(`"${statementId}" (statements[${first}] and statements[${index}])`);
  }

  assertUnique(): void {
    if (this.problems.length === 0) return;
    throw new InvalidInputError(
      `Each statementId must name one statement, but ${this.pairs.length} statementId(s) are used twice: ` +
        this.pairs.slice(0, 5).join('; ') +
        (this.pairs.length > 5 ? ` (and ${this.pairs.length - 5} more)` : '') +
        '. Give each statement its own statementId (a later version of a record keeps the recordId and gets a new statementId).',
      this.problems,
    );
  }
}

/**
 * Reads BODS 0.4 statements into vocabulary vertices and edges:
 * - entity -> Company, person -> Person (uids `company:<source>:<recordId>`, `person:…`);
 * - relationship -> one edge per interest: shareholding -> OWNS, every other interest ->
 *   CONTROLS (an interest without a type is an `unknownInterest`); shares (percent) become
 *   basis points, ranges and exclusive bounds kept, extra decimals rounded outward;
 * - a later statement with the same recordId replaces an earlier one (by statementDate, then
 *   input order); two statements with the same statementId are refused (InvalidInputError); a closed relationship ends its interests (endDate = the closing date when
 *   the interests carry none); an interested party given only as an Unspecified Record is
 *   reported, not invented.
 */
export function importBodsStatements(
  input: unknown,
  options: BodsImportOptions = {},
): BodsImportResult {
  const source = options.source ?? 'bods';
  const notes: BodsImportNote[] = [];
  if (!Array.isArray(input)) {
    throw new InvalidInputError('BODS data must be a JSON array of statements', [
      { field: 'statements', rule: 'must be an array of BODS 0.4 statements' },
    ]);
  }
  const skip = (
    index: number,
    statementId: string | undefined,
    field: string,
    rule: string,
  ): void => {
    notes.push({
      index,
      ...(statementId !== undefined ? { statementId } : {}),
      field,
      rule,
      severity: 'skipped',
    });
  };
  const note = (
    index: number,
    statementId: string | undefined,
    field: string,
    rule: string,
  ): void => {
    notes.push({
      index,
      ...(statementId !== undefined ? { statementId } : {}),
      field,
      rule,
      severity: 'note',
    });
  };

  // 1. Parse statements and keep the latest statement of each record.
  const latest = new Map<string, Candidate>();
  const statementRecords: Record<string, string> = {};
  let replaced = 0;
  let later = 0;
  const statementIds = new StatementIds();
  input.forEach((raw: unknown, index) => {
    if (!isObject(raw)) {
      skip(index, undefined, `statements[${index}]`, 'must be an object');
      return;
    }
    const statementId = text(raw.statementId);
    const recordId = text(raw.recordId);
    const recordType = raw.recordType;
    const recordStatus = raw.recordStatus ?? 'new';
    const statementDate = text(raw.statementDate);
    const problems: [string, string][] = [];
    if (statementId === undefined) problems.push(['statementId', 'is required']);
    if (recordId === undefined) problems.push(['recordId', 'is required']);
    if (!(BODS_RECORD_TYPES as readonly unknown[]).includes(recordType)) {
      problems.push(['recordType', `must be one of ${BODS_RECORD_TYPES.join(', ')}`]);
    }
    if (!(BODS_RECORD_STATUSES as readonly unknown[]).includes(recordStatus)) {
      problems.push(['recordStatus', `must be one of ${BODS_RECORD_STATUSES.join(', ')}`]);
    }
    if (statementDate === undefined) problems.push(['statementDate', 'is required']);
    else {
      const rule = statementDateRule(statementDate);
      if (rule !== undefined) problems.push(['statementDate', rule]);
    }
    if (!isObject(raw.recordDetails)) problems.push(['recordDetails', 'must be an object']);
    if (problems.length > 0) {
      problems.forEach(([field, rule]) =>
        skip(index, statementId, `statements[${index}].${field}`, rule),
      );
      return;
    }
    const candidate: Candidate = {
      index,
      statementId: statementId as string,
      statementDate: statementDate as string,
      recordId: recordId as string,
      recordType: recordType as BodsRecordType,
      recordStatus: recordStatus as BodsRecordStatus,
      details: raw.recordDetails as Json,
      ...(text(raw.declarationSubject) !== undefined
        ? { declarationSubject: text(raw.declarationSubject) }
        : {}),
    };
    statementIds.see(candidate.statementId, index);
    statementRecords[candidate.statementId] = candidate.recordId;
    if (options.asOf !== undefined && candidate.statementDate.slice(0, 10) > options.asOf) {
      later += 1;
      return;
    }
    const previous = latest.get(candidate.recordId);
    if (previous && previous.recordType !== candidate.recordType) {
      skip(
        index,
        candidate.statementId,
        `statements[${index}].recordType`,
        `must stay ${previous.recordType} for record ${candidate.recordId}`,
      );
      return;
    }
    if (previous) replaced += 1;
    if (!previous || laterThan(candidate, previous)) latest.set(candidate.recordId, candidate);
  });

  statementIds.assertUnique();

  // 2. Entities and persons.
  const vertices: GraphVertex[] = [];
  const recordUids: Record<string, string> = {};
  const recordLabel = new Map<string, 'Company' | 'Person'>();
  const unidentified: string[] = [];
  let closedRecords = 0;
  for (const record of latest.values()) {
    if (record.recordStatus === 'closed') closedRecords += 1;
    const { details, index, statementId } = record;
    const at = `statements[${index}].recordDetails`;
    if (record.recordType === 'entity') {
      const uid = ids.company(source, safeKey(record.recordId));
      const kind = companyTypeOf(details);
      const jurisdiction = isObject(details.jurisdiction)
        ? text(details.jurisdiction.code)
        : undefined;
      const country =
        jurisdiction !== undefined && /^[A-Za-z]{2}(-|$)/.test(jurisdiction)
          ? jurisdiction.slice(0, 2).toUpperCase()
          : undefined;
      if (country === undefined)
        note(
          index,
          statementId,
          `${at}.jurisdiction.code`,
          'is missing or not an ISO country code, so XX (unknown) is used',
        );
      const identifiers = Array.isArray(details.identifiers)
        ? details.identifiers.filter(isObject)
        : [];
      const registration = identifiers
        .map((identifier) => text(identifier.id))
        .find((id) => id !== undefined);
      const props: CompanyProps = {
        name: nameText(details.name) ?? `Unnamed entity ${record.recordId}`,
        jurisdiction: country ?? 'XX',
        ...(registration !== undefined ? { registrationNumber: registration } : {}),
        companyType: (COMPANY_TYPES as readonly string[]).includes(kind.companyType)
          ? kind.companyType
          : 'company',
        isShell: false,
        isNominee: kind.isNominee,
        hasBearerShares: false,
        isSanctioned: false,
      };
      const vertex: GraphVertex = { label: 'Company', uid, props };
      const problems = validateVertex(vertex);
      if (problems.length > 0) {
        problems.forEach((p) => skip(index, statementId, `${at} (${p.field})`, p.rule));
        continue;
      }
      vertices.push(vertex);
      recordUids[record.recordId] = uid;
      recordLabel.set(record.recordId, 'Company');
      if (kind.unidentified) unidentified.push(uid);
    } else if (record.recordType === 'person') {
      const uid = ids.person(source, safeKey(record.recordId));
      const personType = text(details.personType);
      const names = Array.isArray(details.names) ? details.names.filter(isObject) : [];
      const legal = names.find((name) => name.type === 'legal') ?? names[0];
      const nationalities = Array.isArray(details.nationalities)
        ? details.nationalities.filter(isObject)
        : [];
      const nationality = nationalities
        .map((n) => text(n.code))
        .find((code) => code !== undefined && /^[A-Za-z]{2}$/.test(code));
      const birthDate = text(details.birthDate);
      const exposure = isObject(details.politicalExposure)
        ? details.politicalExposure.status
        : undefined;
      const fallbackName =
        personType === 'anonymousPerson'
          ? 'Anonymous person'
          : personType === 'unknownPerson'
            ? 'Unknown person'
            : 'Unnamed person';
      const props: PersonProps = {
        name:
          (legal ? nameText(legal.fullName) : undefined) ?? `${fallbackName} ${record.recordId}`,
        ...(birthDate !== undefined && ISO_DATE.test(birthDate) ? { birthDate } : {}),
        ...(nationality !== undefined ? { nationality: nationality.toUpperCase() } : {}),
        isPep: exposure === 'isPep',
        isSanctioned: false,
      };
      if (birthDate !== undefined && !ISO_DATE.test(birthDate)) {
        note(
          index,
          statementId,
          `${at}.birthDate`,
          'is not a full YYYY-MM-DD date and was left out',
        );
      }
      const vertex: GraphVertex = { label: 'Person', uid, props };
      const problems = validateVertex(vertex);
      if (problems.length > 0) {
        problems.forEach((p) => skip(index, statementId, `${at} (${p.field})`, p.rule));
        continue;
      }
      vertices.push(vertex);
      recordUids[record.recordId] = uid;
      recordLabel.set(record.recordId, 'Person');
      if (personType !== 'knownPerson') unidentified.push(uid);
    }
  }

  // 3. Relationships: one edge per interest.
  const edges: GraphEdge[] = [];
  const unspecifiedParties: BodsUnspecifiedParty[] = [];
  const summaryEdges: string[] = [];
  /** True when the statement's componentRecords are all present and one starts at `party`. */
  const summarisesComponents = (details: Json, party: string): boolean => {
    const components = details.componentRecords;
    if (!Array.isArray(components) || components.length === 0) return false;
    let startsAtParty = false;
    for (const component of components) {
      const record = typeof component === 'string' ? latest.get(component) : undefined;
      if (record === undefined) return false;
      if (record.recordType === 'relationship' && record.details.interestedParty === party)
        startsAtParty = true;
    }
    return startsAtParty;
  };
  for (const record of latest.values()) {
    if (record.recordType !== 'relationship') continue;
    const { details, index, statementId } = record;
    const at = `statements[${index}].recordDetails`;
    const subject = details.subject;
    const party = details.interestedParty;
    if (typeof subject !== 'string') {
      const reason = isObject(subject) ? (text(subject.reason) ?? 'unknown') : 'missing';
      skip(
        index,
        statementId,
        `${at}.subject`,
        `names no entity (reason: ${reason}); the relationship was left out`,
      );
      continue;
    }
    const subjectUid = recordUids[subject];
    if (subjectUid === undefined || recordLabel.get(subject) !== 'Company') {
      skip(
        index,
        statementId,
        `${at}.subject`,
        `must be the recordId of an entity statement in the data (got "${subject}")`,
      );
      continue;
    }
    if (typeof party !== 'string') {
      // An Unspecified Record says why the party is not known; anything else is a mistake
      // (a list, a number), which must not pass for "unknown owner".
      const reason = isObject(party) ? text(party.reason) : undefined;
      if (party !== undefined && reason === undefined) {
        skip(
          index,
          statementId,
          `${at}.interestedParty`,
          'must be the recordId of a person or entity statement, or an unspecified record with its reason (an object with "reason")',
        );
        continue;
      }
      unspecifiedParties.push({ subject: subjectUid, reason: reason ?? 'missing', statementId });
      continue;
    }
    const partyUid = recordUids[party];
    if (partyUid === undefined) {
      skip(
        index,
        statementId,
        `${at}.interestedParty`,
        `must be the recordId of a person or entity statement in the data (got "${party}")`,
      );
      continue;
    }
    const interests = Array.isArray(details.interests) ? details.interests : [];
    const closedOn =
      record.recordStatus === 'closed' ? record.statementDate.slice(0, 10) : undefined;
    const summary = summarisesComponents(details, party);
    const seenKeys = new Map<string, number>();
    interests.forEach((rawInterest: unknown, position) => {
      const where = `${at}.interests[${position}]`;
      if (!isObject(rawInterest)) {
        skip(index, statementId, where, 'must be an object');
        return;
      }
      const rawType = text(rawInterest.type);
      if (rawType !== undefined && !(INTEREST_TYPES as readonly string[]).includes(rawType)) {
        skip(
          index,
          statementId,
          `${where}.type`,
          `must be one of the BODS interest types (got "${rawType}")`,
        );
        return;
      }
      const interestType = (rawType ?? 'unknownInterest') as InterestType;
      if (rawType === undefined)
        note(
          index,
          statementId,
          `${where}.type`,
          'is missing, so the interest is read as unknownInterest',
        );
      const share = parseShare(rawInterest.share);
      if (Array.isArray(share)) {
        share.forEach((problem) =>
          skip(
            index,
            statementId,
            problem.key === '' ? `${where}.share` : `${where}.share.${problem.key}`,
            problem.rule,
          ),
        );
        return;
      }
      if (share?.rounded)
        note(
          index,
          statementId,
          `${where}.share`,
          'has more decimals than basis points; rounded outward, the rounded bound exclusive',
        );
      const directness = rawInterest.directOrIndirect;
      const directOrIndirect =
        directness === 'direct' || directness === 'indirect' ? directness : 'unknown';
      const startDate = text(rawInterest.startDate);
      let endDate = text(rawInterest.endDate);
      if (endDate === undefined && closedOn !== undefined && ISO_DATE.test(closedOn))
        endDate = closedOn;
      const dates = {
        ...(startDate !== undefined && ISO_DATE.test(startDate) ? { startDate } : {}),
        ...(endDate !== undefined && ISO_DATE.test(endDate) ? { endDate } : {}),
      };
      const baseKey = `${safeKey(record.recordId)}#${interestType}`;
      const count = seenKeys.get(baseKey) ?? 0;
      seenKeys.set(baseKey, count + 1);
      const eid = ids.relation(source, count === 0 ? baseKey : `${baseKey}.${count}`);
      const common = {
        interestType,
        directOrIndirect,
        beneficialOwnershipOrControl: rawInterest.beneficialOwnershipOrControl === true,
        ...dates,
        source: `bods:${statementId}`,
      } as const;
      let edge: GraphEdge;
      if (interestType === 'shareholding') {
        if (share === undefined)
          note(
            index,
            statementId,
            `${where}.share`,
            'is missing, so the shareholding is read as 0-100%',
          );
        const range = share ?? { minBp: 0, maxBp: 10000, minExclusive: false, maxExclusive: false };
        const owns: OwnsEdge = {
          label: 'OWNS',
          eid,
          from: partyUid,
          to: subjectUid,
          props: {
            ...common,
            shareMinBp: range.minBp,
            shareMaxBp: range.maxBp,
            shareMinExclusive: range.minExclusive,
            shareMaxExclusive: range.maxExclusive,
          },
        };
        edge = owns;
      } else {
        const controls: ControlsEdge = {
          label: 'CONTROLS',
          eid,
          from: partyUid,
          to: subjectUid,
          props: {
            ...common,
            ...(share !== undefined
              ? {
                  shareMinBp: share.minBp,
                  shareMaxBp: share.maxBp,
                  shareMinExclusive: share.minExclusive,
                  shareMaxExclusive: share.maxExclusive,
                }
              : {}),
          },
        };
        edge = controls;
      }
      const problems = validateEdge(edge);
      if (problems.length > 0) {
        problems.forEach((p) => skip(index, statementId, `${where} (${p.field})`, p.rule));
        return;
      }
      edges.push(edge);
      if (summary && edge.label === 'CONTROLS' && directOrIndirect === 'indirect')
        summaryEdges.push(eid);
    });
  }

  const declarationSubjects = [
    ...new Set(
      [...latest.values()]
        .map((record) =>
          record.declarationSubject !== undefined
            ? recordUids[record.declarationSubject]
            : undefined,
        )
        .filter((uid): uid is string => uid !== undefined),
    ),
  ].sort();

  const skipped = notes.filter((n) => n.severity === 'skipped');
  if (options.strict === true && skipped.length > 0) {
    const problems: FieldProblem[] = skipped.map((n) => ({ field: n.field, rule: n.rule }));
    throw new InvalidInputError(
      `${skipped.length} part(s) of the BODS statements are invalid: ` +
        problems
          .slice(0, 5)
          .map((p) => `${p.field} ${p.rule}`)
          .join('; ') +
        (problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''),
      problems,
    );
  }
  return {
    vertices,
    edges,
    recordUids,
    statementRecords,
    declarationSubjects,
    unidentified,
    unspecifiedParties,
    summaryEdges,
    notes,
    stats: { statements: input.length, records: latest.size, replaced, later, closedRecords },
  };
}

/**
 * Which company of an imported package to evaluate: `companyId` may be a recordId, a
 * statementId or a uid of an entity; without it, the single entity that holds no interest
 * in another (the root of the structure), else the single declaration subject.
 */
export function findBodsTarget(result: BodsImportResult, companyId?: string): string {
  const companies = new Set(result.vertices.filter((v) => v.label === 'Company').map((v) => v.uid));
  const later = result.stats.later;
  if (companies.size === 0 && later > 0) {
    // Every entity statement is dated after asOf: the structure did not exist yet then.
    throw new InvalidInputError(
      `No entity statement is dated on or before asOf: all ${later} statements left out are dated after it`,
      [
        {
          field: 'asOf',
          rule: `must be on or after the date of the first statements (${later} are dated after it)`,
        },
      ],
    );
  }
  if (companyId !== undefined) {
    const uid =
      result.recordUids[companyId] ??
      (result.statementRecords[companyId] !== undefined
        ? result.recordUids[result.statementRecords[companyId]]
        : undefined) ??
      (companies.has(companyId) ? companyId : undefined);
    if (uid === undefined || !companies.has(uid)) {
      const dated =
        later > 0
          ? ` dated on or before asOf (${later} statements dated after it were left out)`
          : '';
      throw new InvalidInputError(
        `companyId "${companyId}" names no entity of the statements${dated}`,
        [
          {
            field: 'companyId',
            rule: `must be the recordId or statementId of an entity statement in the statements${dated}`,
          },
        ],
      );
    }
    return uid;
  }
  const holders = new Set(result.edges.map((edge) => edge.from));
  const roots = [...companies].filter((uid) => !holders.has(uid)).sort();
  if (roots.length === 1) return roots[0];
  const subjects = result.declarationSubjects.filter((uid) => companies.has(uid));
  if (subjects.length === 1) return subjects[0];
  const recordOf = new Map(
    Object.entries(result.recordUids).map(([recordId, uid]) => [uid, recordId]),
  );
  const rule =
    roots.length === 0
      ? 'is required: no entity stands at the root of the statements'
      : `is required: the statements have several roots (${roots.map((uid) => recordOf.get(uid) ?? uid).join(', ')})`;
  throw new InvalidInputError(`companyId ${rule}`, [{ field: 'companyId', rule }]);
}
