import { InvalidInputError, VERTEX_SCHEMA } from '@app/vocabulary';
import type { FieldProblem, GraphVertex, VertexLabel } from '@app/vocabulary';
import { assertPageRequest, encodeUidCursor } from './batch-validation';
import type { NameSearchRequest, OrderedPageRequest, Page } from './graph-store.port';

/*
 * Checks and cursors of the two listing reads added for the analyst workbench, shared by every
 * adapter so that both accept and reject the same things with the same messages:
 * - `listVerticesOrdered`: one label ordered by a number property, then uid (keyset paging on
 *   the pair (value, uid));
 * - `searchByName`: names whose words begin with the words searched for, or the exact uid.
 */

export const MAX_SEARCH_TEXT = 200;
export const MAX_SEARCH_LIMIT = 100_000;
/** Words of a search beyond this many are ignored (each is one clause of the index query). */
export const MAX_SEARCH_WORDS = 8;
const NUMBER_TYPES: readonly string[] = ['long', 'integer', 'double'];
const SEARCH_LABELS: readonly string[] = ['Company', 'Person'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function whole(field: string, value: unknown, min: number, max: number): FieldProblem[] {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    return [{ field, rule: 'must be a whole number' }];
  }
  if (value < min) return [{ field, rule: `must be at least ${min}` }];
  if (value > max) return [{ field, rule: `must be at most ${max}` }];
  return [];
}

function reject(method: string, problems: readonly FieldProblem[]): void {
  if (problems.length > 0) {
    throw new InvalidInputError(
      `${method}: ${problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
      problems,
    );
  }
}

/** The type of a property of a label, or undefined when the label has no such property. */
function propertyType(label: VertexLabel, key: string): string | undefined {
  const rules = VERTEX_SCHEMA[label] as Readonly<Record<string, { type: string } | undefined>>;
  return Object.prototype.hasOwnProperty.call(rules, key) ? rules[key]?.type : undefined;
}

/** Checks an ordered page request: the page request itself, a number property, a direction. */
export function assertOrderedPageRequest(request: OrderedPageRequest): void {
  assertPageRequest(request);
  const problems: FieldProblem[] = [];
  const type = propertyType(request.label, request.orderBy);
  if (type === undefined || !NUMBER_TYPES.includes(type)) {
    const numeric = Object.keys(VERTEX_SCHEMA[request.label]).filter((key) =>
      NUMBER_TYPES.includes(propertyType(request.label, key) ?? ''),
    );
    problems.push({
      field: 'orderBy',
      rule:
        numeric.length === 0
          ? `${request.label} has no number property to order by`
          : `must be a number property of ${request.label}: ${numeric.join(', ')}`,
    });
  }
  if (request.direction !== 'asc' && request.direction !== 'desc') {
    problems.push({ field: 'direction', rule: 'must be one of asc, desc' });
  }
  reject('listVerticesOrdered', problems);
}

/** Where an ordered listing resumes: after this value and uid, in the listing's order. */
export interface OrderedCursor {
  value: number;
  uid: string;
}

const ORDERED_CURSOR_VERSION = 1;

export function encodeOrderedCursor(request: OrderedPageRequest, after: OrderedCursor): string {
  const body = {
    v: ORDERED_CURSOR_VERSION,
    l: request.label,
    o: request.orderBy,
    d: request.direction,
    k: after.value,
    a: after.uid,
  };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** The position a cursor resumes after; InvalidInputError for a cursor of another listing. */
export function decodeOrderedCursor(request: OrderedPageRequest, cursor: string): OrderedCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !isRecord(parsed) ||
    parsed.v !== ORDERED_CURSOR_VERSION ||
    typeof parsed.k !== 'number' ||
    !Number.isFinite(parsed.k) ||
    typeof parsed.a !== 'string'
  ) {
    throw new InvalidInputError(
      'The cursor is not one this listing gave: pass the nextCursor of the previous page unchanged',
      [{ field: 'cursor', rule: 'must be the nextCursor of the previous page, unchanged' }],
    );
  }
  if (
    parsed.l !== request.label ||
    parsed.o !== request.orderBy ||
    parsed.d !== request.direction
  ) {
    throw new InvalidInputError(
      'The cursor belongs to another listing (another label, sort or direction)',
      [
        {
          field: 'cursor',
          rule: `must come from a listing of ${request.label} ordered by ${request.orderBy} ${request.direction}`,
        },
      ],
    );
  }
  return { value: parsed.k, uid: parsed.a };
}

/** The order of an ordered listing: value in the asked direction, then uid ascending. */
export function compareOrdered(
  direction: 'asc' | 'desc',
): (a: OrderedCursor, b: OrderedCursor) => number {
  const sign = direction === 'asc' ? 1 : -1;
  return (a, b) => {
    if (a.value !== b.value) return a.value < b.value ? -sign : sign;
    return a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0;
  };
}

/** Checks a name search: label, text length, limit and cursor. */
export function assertNameSearchRequest(request: NameSearchRequest): void {
  const problems: FieldProblem[] = [];
  if (!SEARCH_LABELS.includes(request.label)) {
    problems.push({ field: 'label', rule: `must be one of ${SEARCH_LABELS.join(', ')}` });
  }
  if (
    typeof request.text !== 'string' ||
    request.text.trim().length < 1 ||
    request.text.length > MAX_SEARCH_TEXT
  ) {
    problems.push({ field: 'text', rule: `must be 1 to ${MAX_SEARCH_TEXT} characters` });
  }
  problems.push(...whole('limit', request.limit, 1, MAX_SEARCH_LIMIT));
  if (request.cursor !== undefined && typeof request.cursor !== 'string') {
    problems.push({ field: 'cursor', rule: 'must be the nextCursor of the previous page' });
  }
  reject('searchByName', problems);
}

/** Runs of letters and digits (any script): the words of names and of searches. */
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * The words of a text as the name index sees them: lower-cased runs of letters and digits, at
 * least 2 characters long (JanusGraph's own tokenizer drops single characters). Distinct, in
 * order of first appearance.
 */
export function nameWords(text: string): string[] {
  const words = (text.toLowerCase().match(WORD) ?? []).filter((word) => word.length >= 2);
  return [...new Set(words)];
}

/** The words a search looks for: those of the text, at most MAX_SEARCH_WORDS. */
export function searchWords(text: string): string[] {
  return nameWords(text).slice(0, MAX_SEARCH_WORDS);
}

/** Whether every searched word begins some word of the vertex's name. */
export function nameHasWordsStartingWith(vertex: GraphVertex, words: readonly string[]): boolean {
  if (words.length === 0) return false;
  const props = vertex.props as unknown as Readonly<Record<string, unknown>>;
  const own = typeof props.name === 'string' ? nameWords(props.name) : [];
  return words.every((word) => own.some((candidate) => candidate.startsWith(word)));
}

/** The uid a search text may be: the text trimmed (uids are compared exactly). */
export function searchUid(text: string): string {
  return text.trim();
}

/**
 * How many name matches an adapter reads for one page: one more than fits, plus one in case the
 * exact-uid vertex is among them (it is dropped from the name matches, see nameSearchPage).
 */
export function nameMatchesToRead(request: NameSearchRequest): number {
  return request.limit + 2;
}

/**
 * One page of a name search, the same in every adapter. `exact` is the vertex whose uid equals
 * the text (looked up on the first page only); `matches` are the name matches after the cursor in
 * uid order, as many as nameMatchesToRead. The exact vertex comes first and is left out of the
 * name matches on every page; the cursor resumes after the last name match shown.
 */
export function nameSearchPage(
  request: NameSearchRequest,
  exact: GraphVertex | undefined,
  matches: readonly GraphVertex[],
): Page<GraphVertex> {
  const uid = searchUid(request.text);
  const named = matches.filter((vertex) => vertex.uid !== uid);
  const first = request.cursor === undefined && exact !== undefined ? [exact] : [];
  const room = request.limit - first.length;
  const shown = named.slice(0, room);
  const items = [...first, ...shown];
  if (named.length <= room) return { items };
  // The cursor of the last name match shown; '' (before every uid) when only the exact one was.
  const after = shown.length > 0 ? shown[shown.length - 1].uid : '';
  return { items, nextCursor: encodeUidCursor(request.label, after) };
}
