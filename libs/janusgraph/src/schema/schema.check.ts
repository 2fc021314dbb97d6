import { GraphUnavailableError } from '@app/vocabulary';
import type { JanusGraphClient } from '../janusgraph.client';
import { SCHEMA_CHECK_SCRIPT } from './schema.script';
import { SchemaDefinition, schemaDefinition } from './schema.definition';

/** The command that creates the schema by hand (also named in README and docs/operations.md). */
export const SCHEMA_BOOTSTRAP_COMMAND =
  'npx ts-node -r tsconfig-paths/register --transpile-only libs/janusgraph/scripts/bootstrap-schema.ts';

/** What the graph lacks compared with the schema the vocabulary asks for. */
export interface SchemaCheckReport {
  /** True when every key, label and index exists as asked and every index is ENABLED. */
  complete: boolean;
  missingKeys: string[];
  missingVertexLabels: string[];
  missingEdgeLabels: string[];
  missingIndexes: string[];
  /** Indexes that exist but are not ENABLED yet, with their status (INSTALLED, REGISTERED...). */
  notEnabled: Record<string, string>;
  /**
   * What the bootstrap cannot repair: keys with another type or cardinality (usually created by
   * writes before the schema existed), composite indexes on other keys, disabled indexes.
   */
  conflicts: string[];
}

export interface SchemaCheckOptions {
  /** Defaults to the schema derived from the vocabulary (as for `bootstrapSchema`). */
  definition?: SchemaDefinition;
  /** Name of the mixed-index backend (`index.<name>.backend` in the graph properties). */
  mixedIndexBackend?: string;
}

/**
 * The graph behind the configured traversal source has no complete schema: the apps answer
 * 503 on `/health/ready` with this message, which says what is missing and what to run.
 * A `GraphUnavailableError`, so the API maps it to 503 like an unreachable server.
 */
export class GraphSchemaNotReadyError extends GraphUnavailableError {
  constructor(
    readonly endpoint: string,
    readonly report: SchemaCheckReport,
  ) {
    super(schemaNotReadyMessage(endpoint, report), { endpoint, report });
  }
}

interface RawCheckReport {
  missingKeys: string[];
  missingVertexLabels: string[];
  missingEdgeLabels: string[];
  missingIndexes: string[];
  conflicts: string[];
  statuses: Record<string, string[]>;
}

const LIST_FIELDS = [
  'missingKeys',
  'missingVertexLabels',
  'missingEdgeLabels',
  'missingIndexes',
  'conflicts',
] as const;

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function parseCheckReport(raw: unknown): RawCheckReport {
  if (typeof raw !== 'string') throw new Error('Schema check: the server returned no report');
  const parsed = JSON.parse(raw) as Record<string, unknown>;
  for (const field of LIST_FIELDS) {
    if (!isStringList(parsed[field]))
      throw new Error(`Schema check: report field ${field} is not a list of names`);
  }
  const statuses = parsed.statuses;
  if (typeof statuses !== 'object' || statuses === null || Array.isArray(statuses))
    throw new Error('Schema check: report has no index statuses');
  for (const [name, value] of Object.entries(statuses)) {
    if (!isStringList(value))
      throw new Error(`Schema check: status of index ${name} is not a list`);
  }
  return parsed as unknown as RawCheckReport;
}

/** Statuses the bootstrap cannot move on to ENABLED. */
const DEAD_STATUSES = new Set(['DISABLED', 'DISCARDED']);

function reportOf(raw: RawCheckReport): SchemaCheckReport {
  const notEnabled: Record<string, string> = {};
  const conflicts = [...raw.conflicts];
  for (const [name, statuses] of Object.entries(raw.statuses)) {
    if (statuses.length === 1 && statuses[0] === 'ENABLED') continue;
    notEnabled[name] = statuses.join(',');
    if (statuses.some((status) => DEAD_STATUSES.has(status)))
      conflicts.push(`index ${name} is ${statuses.join(',')}`);
  }
  const complete =
    raw.missingKeys.length === 0 &&
    raw.missingVertexLabels.length === 0 &&
    raw.missingEdgeLabels.length === 0 &&
    raw.missingIndexes.length === 0 &&
    conflicts.length === 0 &&
    Object.keys(notEnabled).length === 0;
  return {
    complete,
    missingKeys: raw.missingKeys,
    missingVertexLabels: raw.missingVertexLabels,
    missingEdgeLabels: raw.missingEdgeLabels,
    missingIndexes: raw.missingIndexes,
    notEnabled,
    conflicts,
  };
}

/**
 * Compares the graph's schema with the one the vocabulary asks for, in ONE round trip (a
 * read-only management transaction, rolled back). It changes nothing; `bootstrapSchema`
 * creates what is missing. Throws GraphUnavailableError (or another graph error) when the
 * server does not answer.
 */
export async function checkSchema(
  client: JanusGraphClient,
  options: SchemaCheckOptions = {},
): Promise<SchemaCheckReport> {
  const definition =
    options.definition ?? schemaDefinition(options.mixedIndexBackend ?? client.mixedIndexBackend);
  const [raw] = await client.submitScript(
    SCHEMA_CHECK_SCRIPT,
    { specJson: JSON.stringify(definition) },
    { operation: 'schema check' },
  );
  return reportOf(parseCheckReport(raw));
}

/** "3 property keys (a, b, c)" or "57 property keys (a, b, c, d, e and 52 more)". */
function named(count: number, what: string, names: readonly string[]): string {
  const shown = names.slice(0, 5).join(', ');
  const rest = names.length > 5 ? ` and ${names.length - 5} more` : '';
  return `${count} ${what} (${shown}${rest})`;
}

/**
 * The readiness message for an incomplete schema: what is missing, and exactly what to run.
 * Written for an operator who has never seen JanusGraph's management API.
 */
export function schemaNotReadyMessage(endpoint: string, report: SchemaCheckReport): string {
  const missing: string[] = [];
  if (report.missingKeys.length > 0)
    missing.push(named(report.missingKeys.length, 'property keys', report.missingKeys));
  if (report.missingVertexLabels.length > 0)
    missing.push(
      named(report.missingVertexLabels.length, 'vertex labels', report.missingVertexLabels),
    );
  if (report.missingEdgeLabels.length > 0)
    missing.push(named(report.missingEdgeLabels.length, 'edge labels', report.missingEdgeLabels));
  if (report.missingIndexes.length > 0)
    missing.push(named(report.missingIndexes.length, 'indexes', report.missingIndexes));
  const waiting = Object.entries(report.notEnabled)
    .filter(([, status]) => !status.split(',').some((one) => DEAD_STATUSES.has(one)))
    .map(([name, status]) => `${name} is ${status}`);
  if (waiting.length > 0) missing.push(`indexes not ENABLED yet: ${waiting.join(', ')}`);

  const parts = [`The JanusGraph schema at ${endpoint} is incomplete`];
  if (missing.length > 0) parts[0] += ` (missing: ${missing.join('; ')})`;
  if (report.conflicts.length > 0) {
    parts.push(
      `and it conflicts with the vocabulary, which the bootstrap cannot repair: ${report.conflicts.join('; ')}. ` +
        'This usually means data was written before the schema existed. Load the data again into an ' +
        'empty graph whose schema was bootstrapped first (docs/operations.md, "Readiness and schema").',
    );
    return parts.join(' ');
  }
  parts.push(
    '. Until it is complete, writes would create untyped keys and lookups would scan the whole graph. ' +
      'Create it: restart this app with GRAPH_SCHEMA_BOOTSTRAP=true (the default; it creates the schema ' +
      `at start), or run \`${SCHEMA_BOOTSTRAP_COMMAND}\` with the same JANUSGRAPH_* settings. ` +
      'A JanusGraph on in-memory storage loses its schema on every restart.',
  );
  return parts.join('');
}
