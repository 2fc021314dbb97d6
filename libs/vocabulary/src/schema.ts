import {
  ACCOUNT_STATUSES,
  ACCOUNT_TYPES,
  ALERT_STATUSES,
  CASE_CLOSE_REASONS,
  CASE_STATUSES,
  CHANNELS,
  COMPANY_TYPES,
  EDGE_ENDPOINTS,
  EdgeLabel,
  EVENT_KINDS,
  FLAG_ROLES,
  HOLDER_ROLES,
  IDENTIFIER_KINDS,
  INTEREST_TYPES,
  SEVERITIES,
  VertexLabel,
} from './labels';
import { isCurrencyCode } from './money';
import type { EdgePropsByLabel, GraphEdge, GraphVertex, VertexPropsByLabel } from './records';

/** Storage types of property keys; the JanusGraph schema maps them to Java types. */
export type PropertyType = 'string' | 'long' | 'integer' | 'double' | 'boolean' | 'stringList';

export interface PropertyRule {
  type: PropertyType;
  required: boolean;
  values?: readonly string[];
  pattern?: RegExp;
  patternText?: string;
  min?: number;
  max?: number;
  /** A YYYY-MM-DD string must also name a day that exists (not 1980-13-45 or 2023-02-29). */
  calendarDate?: boolean;
  /** A currency code must be one in use (ISO 4217, or BTC), not only three capitals. */
  currencyInUse?: boolean;
  /**
   * One line of text from outside (a name, a reference): no control characters (NUL, line
   * breaks, escape sequences, U+0080 to U+009F) and no bidirectional overrides, which would show
   * an analyst another text than the one stored; when it must not be empty, not blank either.
   */
  singleLine?: boolean;
}

const req = (type: PropertyType, extra: Partial<PropertyRule> = {}): PropertyRule => ({
  type,
  required: true,
  ...extra,
});
const opt = (type: PropertyType, extra: Partial<PropertyRule> = {}): PropertyRule => ({
  type,
  required: false,
  ...extra,
});

const ISO_COUNTRY = {
  pattern: /^[A-Z]{2}$/,
  patternText: 'a two-letter ISO 3166 country code in capitals',
};
const ISO_CURRENCY = {
  pattern: /^[A-Z]{3}$/,
  patternText: 'a three-letter ISO 4217 currency code in capitals',
  currencyInUse: true,
};
/** Names, references and other single-line text that comes from a bank's data. */
const LINE = { singleLine: true };
const NAME = { min: 1, singleLine: true };
const ISO_DATE = {
  pattern: /^\d{4}-\d{2}-\d{2}$/,
  patternText: 'a date written YYYY-MM-DD',
  calendarDate: true,
};

/**
 * Control characters (C0, DEL, C1) and the bidirectional embeddings, overrides and isolates
 * (U+202A to U+202E, U+2066 to U+2069).
 */
function firstHiddenCharacter(value: string): number {
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069)
    ) {
      return index;
    }
  }
  return -1;
}

/** True when a YYYY-MM-DD string names a day of the calendar. */
function isCalendarDate(value: string): boolean {
  const day = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value;
}
const INSTANT = { min: 0, max: 8.64e15 };
const SHA256_HEX = {
  pattern: /^[0-9a-f]{64}$/,
  patternText: 'a SHA-256 hash in 64 lowercase hex digits',
};
const BP = { min: 0, max: 10000 };
/** The largest `integer` (a Java Integer in JanusGraph). */
const INT32_MAX = 2_147_483_647;
const LAT = { min: -90, max: 90 };
const LON = { min: -180, max: 180 };

/** Business ids: what a bank or registry calls the thing, never JanusGraph's internal id. */
export const BUSINESS_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/+#>-]{0,199}$/;
export const BUSINESS_ID_RULE =
  'must be 1-200 characters: letters, digits and . _ : @ / + # > - (not starting with a symbol)';

export const VERTEX_SCHEMA: {
  readonly [L in VertexLabel]: { readonly [K in keyof VertexPropsByLabel[L]]-?: PropertyRule };
} = {
  Person: {
    name: req('string', NAME),
    birthDate: opt('string', ISO_DATE),
    nationality: opt('string', ISO_COUNTRY),
    residence: opt('string', ISO_COUNTRY),
    isPep: req('boolean'),
    isSanctioned: req('boolean'),
  },
  Company: {
    name: req('string', NAME),
    jurisdiction: req('string', ISO_COUNTRY),
    registrationNumber: opt('string', LINE),
    companyType: req('string', { values: COMPANY_TYPES }),
    isShell: req('boolean'),
    isNominee: req('boolean'),
    hasBearerShares: req('boolean'),
    isSanctioned: req('boolean'),
  },
  Account: {
    accountType: req('string', { values: ACCOUNT_TYPES }),
    currency: req('string', ISO_CURRENCY),
    openedAt: req('long', INSTANT),
    status: req('string', { values: ACCOUNT_STATUSES }),
    bankId: req('string', NAME),
    country: req('string', ISO_COUNTRY),
  },
  Identifier: {
    kind: req('string', { values: IDENTIFIER_KINDS }),
    value: req('string', NAME),
  },
  Event: {
    kind: req('string', { values: EVENT_KINDS }),
    timestamp: req('long', INSTANT),
    country: opt('string', ISO_COUNTRY),
    latitude: opt('double', LAT),
    longitude: opt('double', LON),
    identifierUid: opt('string', { pattern: BUSINESS_ID_PATTERN, patternText: BUSINESS_ID_RULE }),
  },
  Alert: {
    ruleId: req('string', { min: 1 }),
    ruleVersion: req('string', { min: 1 }),
    typology: req('string', { min: 1 }),
    score: req('double', { min: 0, max: 1 }),
    severity: req('string', { values: SEVERITIES }),
    status: req('string', { values: ALERT_STATUSES }),
    explanation: req('string', { min: 1 }),
    fingerprint: req('string', { min: 1 }),
    createdAt: req('long', INSTANT),
    updatedAt: req('long', INSTANT),
    windowStart: req('long', INSTANT),
    windowEnd: req('long', INSTANT),
    movementIds: req('stringList'),
    assignee: opt('string', { min: 1 }),
    riskScore: opt('double', { min: 0, max: 1 }),
    riskThreshold: opt('double', { min: 0, max: 1 }),
    riskModelVersion: opt('string', { min: 1 }),
    riskReasons: opt('stringList'),
  },
  StatusChange: {
    alertId: req('string', { pattern: BUSINESS_ID_PATTERN, patternText: BUSINESS_ID_RULE }),
    seq: req('integer', { min: 0, max: INT32_MAX }),
    fromStatus: opt('string', { values: ALERT_STATUSES }),
    toStatus: req('string', { values: ALERT_STATUSES }),
    at: req('long', INSTANT),
    note: req('string', { min: 1 }),
    actor: req('string', { min: 1 }),
  },
  AuditEntry: {
    at: req('long', INSTANT),
    principal: req('string', { min: 1 }),
    role: req('string', { min: 1 }),
    method: req('string', { min: 1 }),
    route: req('string', { min: 1 }),
    path: req('string', { min: 1 }),
    resourceParams: req('stringList'),
    resource: opt('string', { min: 1 }),
    httpStatus: req('integer', { min: 100, max: 599 }),
    correlationId: req('string'),
    requestCount: opt('integer', { min: 1, max: INT32_MAX }),
    note: opt('string', { min: 1 }),
    chainId: opt('string', { min: 1 }),
    seq: opt('integer', { min: 1, max: INT32_MAX }),
    prevHash: opt('string', SHA256_HEX),
    hash: opt('string', SHA256_HEX),
  },
  Case: {
    title: req('string', { min: 1 }),
    description: opt('string'),
    status: req('string', { values: CASE_STATUSES }),
    closeReason: opt('string', { values: CASE_CLOSE_REASONS }),
    assignee: opt('string', { min: 1 }),
    createdBy: req('string', { min: 1 }),
    createdAt: req('long', INSTANT),
    updatedAt: req('long', INSTANT),
    alertIds: req('stringList'),
    notes: req('stringList'),
    history: req('stringList'),
  },
  TotpEnrolment: {
    principalId: req('string', { min: 1 }),
    encryptedSecret: req('string', { min: 1 }),
    confirmed: req('boolean'),
    enrolledAt: req('long', INSTANT),
    backupCodes: req('stringList'),
    lastUsedStep: opt('long', { min: 0 }),
  },
};

const SHARE = {
  interestType: req('string', { values: INTEREST_TYPES }),
  directOrIndirect: req('string', { values: ['direct', 'indirect', 'unknown'] }),
  beneficialOwnershipOrControl: req('boolean'),
  startDate: opt('string', ISO_DATE),
  endDate: opt('string', ISO_DATE),
  source: opt('string'),
};

export const EDGE_SCHEMA: {
  readonly [L in EdgeLabel]: { readonly [K in keyof EdgePropsByLabel[L]]-?: PropertyRule };
} = {
  HOLDS: { role: req('string', { values: HOLDER_ROLES }), since: opt('long', INSTANT) },
  OWNS: {
    ...SHARE,
    shareMinBp: req('integer', BP),
    shareMaxBp: req('integer', BP),
    shareMinExclusive: req('boolean'),
    shareMaxExclusive: req('boolean'),
  },
  CONTROLS: {
    ...SHARE,
    shareMinBp: opt('integer', BP),
    shareMaxBp: opt('integer', BP),
    shareMinExclusive: opt('boolean'),
    shareMaxExclusive: opt('boolean'),
  },
  USES: { firstSeen: req('long', INSTANT), lastSeen: req('long', INSTANT) },
  TRANSFERRED: {
    amountMinor: req('long', { min: 1, max: Number.MAX_SAFE_INTEGER }),
    currency: req('string', ISO_CURRENCY),
    timestamp: req('long', INSTANT),
    channel: req('string', { values: CHANNELS }),
    receivedAmountMinor: opt('long', { min: 0, max: Number.MAX_SAFE_INTEGER }),
    receivedCurrency: opt('string', ISO_CURRENCY),
    identifierUid: opt('string', { pattern: BUSINESS_ID_PATTERN, patternText: BUSINESS_ID_RULE }),
    country: opt('string', ISO_COUNTRY),
    latitude: opt('double', LAT),
    longitude: opt('double', LON),
    reference: opt('string', LINE),
  },
  HAS_EVENT: {},
  FLAGS: { role: req('string', { values: FLAG_ROLES }) },
  HAS_STATUS_CHANGE: {},
};

/** Property keys with one storage type each, shared by every label (for the JanusGraph schema). */
export function propertyKeys(): ReadonlyMap<string, PropertyType> {
  const keys = new Map<string, PropertyType>([
    ['uid', 'string'],
    ['eid', 'string'],
  ]);
  const add = (rules: Readonly<Record<string, PropertyRule>>): void => {
    for (const [key, rule] of Object.entries(rules)) {
      const known = keys.get(key);
      if (known !== undefined && known !== rule.type) {
        throw new Error(`Vocabulary error: property ${key} has two types (${known}, ${rule.type})`);
      }
      keys.set(key, rule.type);
    }
  };
  Object.values(VERTEX_SCHEMA).forEach((rules) => add(rules));
  Object.values(EDGE_SCHEMA).forEach((rules) => add(rules));
  return keys;
}

/** One thing wrong with one field of one record. */
export interface FieldProblem {
  field: string;
  rule: string;
}

function checkValue(field: string, value: unknown, rule: PropertyRule): FieldProblem[] {
  if (value === undefined || value === null) {
    return rule.required ? [{ field, rule: 'is required' }] : [];
  }
  switch (rule.type) {
    case 'string': {
      if (typeof value !== 'string') return [{ field, rule: 'must be a string' }];
      if (rule.min !== undefined && value.length < rule.min)
        return [{ field, rule: 'must not be empty' }];
      if (value.length > 10000) return [{ field, rule: 'must be at most 10000 characters' }];
      if (rule.values && !rule.values.includes(value))
        return [{ field, rule: `must be one of ${rule.values.join(', ')}` }];
      if (rule.pattern && !rule.pattern.test(value))
        return [{ field, rule: `must be ${rule.patternText ?? rule.pattern.source}` }];
      if (rule.calendarDate === true && !isCalendarDate(value))
        return [{ field, rule: 'must be a day that exists (YYYY-MM-DD)' }];
      if (rule.currencyInUse === true && !isCurrencyCode(value))
        return [{ field, rule: 'must be an ISO 4217 currency code in use, such as EUR or USD' }];
      if (rule.singleLine === true) {
        const hidden = firstHiddenCharacter(value);
        if (hidden >= 0) {
          const code = value.charCodeAt(hidden).toString(16).toUpperCase().padStart(4, '0');
          return [
            {
              field,
              rule: `must be one line of visible text (U+${code} at character ${hidden + 1} is a control character or a direction override)`,
            },
          ];
        }
        if (rule.min !== undefined && value.trim().length === 0)
          return [{ field, rule: 'must not be blank' }];
      }
      return [];
    }
    case 'long':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isSafeInteger(value))
        return [{ field, rule: 'must be a whole number' }];
      return checkRange(field, value, rule);
    }
    case 'double': {
      if (typeof value !== 'number' || !Number.isFinite(value))
        return [{ field, rule: 'must be a finite number' }];
      return checkRange(field, value, rule);
    }
    case 'boolean':
      return typeof value === 'boolean' ? [] : [{ field, rule: 'must be true or false' }];
    case 'stringList':
      return Array.isArray(value) && value.every((item) => typeof item === 'string')
        ? []
        : [{ field, rule: 'must be a list of strings' }];
  }
}

function checkRange(field: string, value: number, rule: PropertyRule): FieldProblem[] {
  if (rule.min !== undefined && value < rule.min)
    return [{ field, rule: `must be at least ${rule.min}` }];
  if (rule.max !== undefined && value > rule.max)
    return [{ field, rule: `must be at most ${rule.max}` }];
  return [];
}

function checkProps(props: unknown, rules: Readonly<Record<string, PropertyRule>>): FieldProblem[] {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    return [{ field: 'props', rule: 'must be an object' }];
  }
  const record = props as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(record)) {
    // Own keys only: `in` would also accept names every object inherits (valueOf, constructor…).
    if (!Object.hasOwn(rules, key))
      problems.push({ field: `props.${key}`, rule: 'is not a property of this label' });
  }
  for (const [key, rule] of Object.entries(rules)) {
    problems.push(...checkValue(`props.${key}`, record[key], rule));
  }
  return problems;
}

function checkId(field: string, value: unknown): FieldProblem[] {
  return typeof value === 'string' && BUSINESS_ID_PATTERN.test(value)
    ? []
    : [{ field, rule: BUSINESS_ID_RULE }];
}

/** A place is a latitude and a longitude: one without the other names no place. */
function pairedCoordinates(props: { latitude?: number; longitude?: number }): FieldProblem[] {
  const latitude = props.latitude !== undefined;
  const longitude = props.longitude !== undefined;
  if (latitude === longitude) return [];
  return latitude
    ? [{ field: 'props.longitude', rule: 'is required with props.latitude' }]
    : [{ field: 'props.latitude', rule: 'is required with props.longitude' }];
}

/** Validates a vertex against the vocabulary; an empty list means it is valid. */
export function validateVertex(vertex: GraphVertex): FieldProblem[] {
  const rules = Object.hasOwn(VERTEX_SCHEMA, vertex.label)
    ? (VERTEX_SCHEMA as Record<string, Readonly<Record<string, PropertyRule>> | undefined>)[
        vertex.label
      ]
    : undefined;
  if (!rules)
    return [{ field: 'label', rule: `must be one of ${Object.keys(VERTEX_SCHEMA).join(', ')}` }];
  const problems = [...checkId('uid', vertex.uid), ...checkProps(vertex.props, rules)];
  if (vertex.label === 'Event' && problems.length === 0) {
    problems.push(...pairedCoordinates(vertex.props));
  }
  if (vertex.label === 'StatusChange' && problems.length === 0) {
    // The raise (seq 0) is the only change without a previous status.
    const raise = vertex.props.seq === 0;
    if (raise && vertex.props.fromStatus !== undefined) {
      problems.push({ field: 'props.fromStatus', rule: 'must be absent for the raise (seq 0)' });
    } else if (!raise && vertex.props.fromStatus === undefined) {
      problems.push({ field: 'props.fromStatus', rule: 'is required after the raise (seq 1 on)' });
    }
  }
  return problems;
}

/** Validates an edge against the vocabulary (endpoint labels are checked by the store). */
export function validateEdge(edge: GraphEdge): FieldProblem[] {
  const rules = Object.hasOwn(EDGE_SCHEMA, edge.label)
    ? (EDGE_SCHEMA as Record<string, Readonly<Record<string, PropertyRule>> | undefined>)[
        edge.label
      ]
    : undefined;
  if (!rules)
    return [{ field: 'label', rule: `must be one of ${Object.keys(EDGE_SCHEMA).join(', ')}` }];
  const problems = [
    ...checkId('eid', edge.eid),
    ...checkId('from', edge.from),
    ...checkId('to', edge.to),
    ...checkProps(edge.props, rules),
  ];
  if (
    edge.label === 'OWNS' &&
    problems.length === 0 &&
    edge.props.shareMinBp > edge.props.shareMaxBp
  ) {
    problems.push({ field: 'props.shareMinBp', rule: 'must not be greater than props.shareMaxBp' });
  }
  if (edge.label === 'TRANSFERRED' && problems.length === 0) {
    problems.push(...pairedCoordinates(edge.props));
    // An amount received means nothing without its currency, nor a currency without the amount.
    const amount = edge.props.receivedAmountMinor !== undefined;
    const currency = edge.props.receivedCurrency !== undefined;
    if (amount !== currency) {
      problems.push(
        amount
          ? { field: 'props.receivedCurrency', rule: 'is required with props.receivedAmountMinor' }
          : { field: 'props.receivedAmountMinor', rule: 'is required with props.receivedCurrency' },
      );
    }
  }
  return problems;
}

/** True when an edge of this label may go from a vertex of `from` to one of `to`. */
export function endpointsAllowed(label: EdgeLabel, from: VertexLabel, to: VertexLabel): boolean {
  const allowed = EDGE_ENDPOINTS[label];
  return allowed.from.includes(from) && allowed.to.includes(to);
}
