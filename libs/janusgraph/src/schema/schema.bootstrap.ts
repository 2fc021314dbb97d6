import { ConflictError } from '@app/vocabulary';
import type { JanusGraphClient } from '../janusgraph.client';
import { JanusGraphQueryError } from '../janusgraph.errors';
import { SCHEMA_AWAIT_SCRIPT, SCHEMA_CREATE_SCRIPT, SCHEMA_WARM_SCRIPT } from './schema.script';
import { SchemaDefinition, schemaDefinition } from './schema.definition';

/** What one bootstrap run did. A second run on the same graph creates and reindexes nothing. */
export interface SchemaBootstrapReport {
  createdKeys: string[];
  createdVertexLabels: string[];
  createdEdgeLabels: string[];
  createdIndexes: string[];
  /** Differences that do not make answers wrong (a mixed index lacking a key): log them. */
  warnings: string[];
  /** Indexes that were not ENABLED after creation and were brought there (REGISTERED, REINDEX). */
  enabledLater: string[];
  /** Final status of every index, by name (all `ENABLED` after a successful run). */
  statuses: Record<string, string>;
  /** Schema elements read into the server's schema cache at the end (see `warmSchemaCache`). */
  warmedSchemaElements: number;
  durationMs: number;
}

export interface SchemaBootstrapOptions {
  /** Defaults to the schema derived from the vocabulary. */
  definition?: SchemaDefinition;
  /** Name of the mixed-index backend (`index.<name>.backend` in the graph properties). */
  mixedIndexBackend?: string;
  /** Longest wait for one index to change status (seconds). */
  indexTimeoutSeconds?: number;
  /** Clock for `durationMs` (tests inject one). */
  now?: () => number;
  /**
   * Runs of the create script before giving up when it fails because another process creates
   * the same schema at the same moment (default 5).
   */
  createAttempts?: number;
  /** Wait before the next run of the create script (default 250 ms times the attempt). */
  retryDelay?: (attempt: number) => Promise<void>;
}

const defaultRetryDelay = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, 250 * attempt));

/**
 * Whether a failed create run may be a race with another process bootstrapping the same graph
 * (two apps starting together on an empty graph): JanusGraph then refuses the later commit of
 * the same schema names ("transaction has already been closed", a lock or uniqueness error).
 * The next run finds the other process's keys and indexes and creates nothing twice.
 */
function mayBeSchemaRace(error: unknown): boolean {
  return error instanceof JanusGraphQueryError || error instanceof ConflictError;
}

/** What `warmSchemaCache` did: schema elements now in the server's cache, and any it could not read. */
export interface SchemaWarmReport {
  elements: number;
  failed: string[];
}

/**
 * Reads every schema element of the graph once into the JanusGraph server's schema cache (one
 * round trip, read-only; see `SCHEMA_WARM_SCRIPT` for why). On Cassandra this is what lets
 * reads go on while one replica is down: JanusGraph reads an uncached schema element at
 * QUORUM. Run by `bootstrapSchema` at its end; warms the one server the request reaches.
 */
export async function warmSchemaCache(client: JanusGraphClient): Promise<SchemaWarmReport> {
  const [raw] = await client.submitScript(
    SCHEMA_WARM_SCRIPT,
    {},
    { operation: 'schema cache warm-up' },
  );
  const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : undefined;
  if (typeof parsed !== 'object' || parsed === null) {
    throw new JanusGraphQueryError('Schema cache warm-up: the server answered no report');
  }
  const { elements, failed } = parsed as Record<string, unknown>;
  if (typeof elements !== 'number' || !isStringList(failed)) {
    throw new JanusGraphQueryError(
      'Schema cache warm-up: the report has no elements or failed list',
    );
  }
  return { elements, failed };
}

/** The schema exists but cannot be used as it is (a key with another type, a disabled index). */
export class SchemaBootstrapError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[],
  ) {
    super(message);
    this.name = 'SchemaBootstrapError';
  }
}

interface CreateReport {
  createdKeys: string[];
  createdVertexLabels: string[];
  createdEdgeLabels: string[];
  createdIndexes: string[];
  warnings: string[];
  problems: string[];
  statuses: Record<string, string[]>;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function parseCreateReport(raw: unknown): CreateReport {
  if (typeof raw !== 'string') throw new Error('Schema bootstrap: the server returned no report');
  const parsed = JSON.parse(raw) as Record<string, unknown>;
  const lists = [
    'createdKeys',
    'createdVertexLabels',
    'createdEdgeLabels',
    'createdIndexes',
    'problems',
  ] as const;
  for (const field of lists) {
    if (!isStringList(parsed[field]))
      throw new Error(`Schema bootstrap: report field ${field} is not a list of names`);
  }
  const statuses = parsed.statuses;
  if (typeof statuses !== 'object' || statuses === null)
    throw new Error('Schema bootstrap: report has no index statuses');
  for (const [name, value] of Object.entries(statuses)) {
    if (!isStringList(value))
      throw new Error(`Schema bootstrap: status of index ${name} is not a list`);
  }
  return parsed as unknown as CreateReport;
}

/**
 * Creates the JanusGraph schema of the vocabulary if anything is missing, and waits until
 * every index is ENABLED. Idempotent: on a graph that already has the schema it changes
 * nothing and costs one round trip. Several processes may run it on the same empty graph at
 * once (the API and the ingest worker starting together): a create run that loses the race is
 * run again and then finds the schema the other one made. Throws `SchemaBootstrapError` when the graph holds keys
 * with other types (usually written before the bootstrap ran, with automatic schema creation)
 * or an index that was disabled.
 *
 * Used by `libs/janusgraph/scripts/bootstrap-schema.ts`, by `JanusGraphModule` at start when
 * `GRAPH_SCHEMA_BOOTSTRAP=true`, and by the seeder.
 */
export async function bootstrapSchema(
  client: JanusGraphClient,
  options: SchemaBootstrapOptions = {},
): Promise<SchemaBootstrapReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const definition =
    options.definition ?? schemaDefinition(options.mixedIndexBackend ?? client.mixedIndexBackend);
  const timeoutSeconds = options.indexTimeoutSeconds ?? 120;
  const scriptTimeoutMs = (timeoutSeconds * 3 + 30) * 1000;

  const attempts = Math.max(1, options.createAttempts ?? 5);
  const retryDelay = options.retryDelay ?? defaultRetryDelay;
  let raw: unknown;
  for (let attempt = 1; ; attempt += 1) {
    try {
      [raw] = await client.submitScript(
        SCHEMA_CREATE_SCRIPT,
        { specJson: JSON.stringify(definition) },
        { operation: 'schema bootstrap', timeoutMs: scriptTimeoutMs },
      );
      break;
    } catch (error: unknown) {
      if (attempt >= attempts || !mayBeSchemaRace(error)) throw error;
      await retryDelay(attempt);
    }
  }
  const created = parseCreateReport(raw);
  if (created.problems.length > 0) {
    throw new SchemaBootstrapError(
      `The JanusGraph schema at ${client.endpoint} conflicts with the vocabulary: ${created.problems.join('; ')}`,
      created.problems,
    );
  }

  const statuses: Record<string, string> = {};
  const enabledLater: string[] = [];
  const edgeLabelOf = new Map(definition.edgeIndexes.map((index) => [index.name, index.edgeLabel]));
  for (const [name, values] of Object.entries(created.statuses)) {
    if (values.length === 1 && values[0] === 'ENABLED') {
      statuses[name] = 'ENABLED';
      continue;
    }
    const [final] = await client.submitScript(
      SCHEMA_AWAIT_SCRIPT,
      { indexName: name, edgeLabel: edgeLabelOf.get(name) ?? null, timeoutSeconds },
      { operation: `schema bootstrap (enable index ${name})`, timeoutMs: scriptTimeoutMs },
    );
    statuses[name] = String(final);
    enabledLater.push(name);
  }
  const notEnabled = Object.entries(statuses).filter(([, status]) => status !== 'ENABLED');
  if (notEnabled.length > 0) {
    const problems = notEnabled.map(
      ([name, status]) =>
        `index ${name} is ${status}, not ENABLED (queries would scan instead of using it)`,
    );
    throw new SchemaBootstrapError(
      `The JanusGraph schema at ${client.endpoint} is not usable: ${problems.join('; ')}`,
      problems,
    );
  }
  const warmed = await warmSchemaCache(client);
  return {
    createdKeys: created.createdKeys,
    createdVertexLabels: created.createdVertexLabels,
    createdEdgeLabels: created.createdEdgeLabels,
    createdIndexes: created.createdIndexes,
    warnings: [
      ...created.warnings,
      ...warmed.failed.map((failure) => `schema cache warm-up: ${failure}`),
    ],
    enabledLater,
    warmedSchemaElements: warmed.elements,
    statuses,
    durationMs: now() - started,
  };
}
