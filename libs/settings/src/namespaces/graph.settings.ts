import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { EnvVar } from '../env-var.decorator';

export const GRAPH_BACKENDS = ['memory', 'janusgraph'] as const;
export type GraphBackend = (typeof GRAPH_BACKENDS)[number];

/** Where the bank's graph lives and how to reach JanusGraph (namespace `graph`). */
export class GraphSettings {
  @EnvVar({
    name: 'GRAPH_BACKEND',
    kind: 'enum',
    values: GRAPH_BACKENDS,
    default: 'memory',
    description: 'Graph store: `memory` (embedded, default) or `janusgraph`.',
  })
  @IsIn(GRAPH_BACKENDS, { message: `must be one of ${GRAPH_BACKENDS.join(', ')}` })
  backend!: GraphBackend;

  @EnvVar({
    name: 'JANUSGRAPH_HOST',
    kind: 'string',
    default: '127.0.0.1',
    description: 'JanusGraph Gremlin Server host.',
  })
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  host!: string;

  @EnvVar({
    name: 'JANUSGRAPH_PORT',
    kind: 'integer',
    default: '8182',
    description: 'JanusGraph Gremlin Server port.',
  })
  @IsInt({ message: 'must be a whole number (a TCP port)' })
  @Min(1, { message: 'must be a TCP port between 1 and 65535' })
  @Max(65535, { message: 'must be a TCP port between 1 and 65535' })
  port!: number;

  @EnvVar({
    name: 'JANUSGRAPH_TLS',
    kind: 'boolean',
    default: 'false',
    description: 'Connect with TLS (`wss://`).',
  })
  @IsBoolean({ message: 'must be true or false' })
  tls!: boolean;

  @EnvVar({
    name: 'JANUSGRAPH_TLS_REJECT_UNAUTHORIZED',
    kind: 'boolean',
    default: 'true',
    description: 'Verify the server certificate when TLS is on.',
  })
  @IsBoolean({ message: 'must be true or false' })
  tlsRejectUnauthorized!: boolean;

  @EnvVar({
    name: 'JANUSGRAPH_USERNAME',
    kind: 'string',
    description: 'User for Gremlin Server authentication (optional).',
  })
  @IsOptional()
  @IsString()
  username?: string;

  @EnvVar({
    name: 'JANUSGRAPH_PASSWORD',
    kind: 'string',
    secret: true,
    refusedInProduction: ['changeme', 'password'],
    description: 'Password for Gremlin Server authentication (secret, no default).',
  })
  @IsOptional()
  @IsString()
  password?: string;

  @EnvVar({
    name: 'JANUSGRAPH_TRAVERSAL_SOURCE',
    kind: 'string',
    default: 'g',
    description: 'Name of the traversal source bound on the server.',
  })
  @IsString()
  traversalSource!: string;

  @EnvVar({
    name: 'JANUSGRAPH_POOL_SIZE',
    kind: 'integer',
    default: '2',
    description: 'WebSocket connections opened to the server; requests are spread across them.',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  @Max(64, { message: 'must be at most 64' })
  poolSize!: number;

  @EnvVar({
    name: 'JANUSGRAPH_MIXED_INDEX_BACKEND',
    kind: 'string',
    default: 'search',
    description:
      "Name of JanusGraph's mixed-index backend (`index.<name>.backend` in its properties: Lucene, Elasticsearch or OpenSearch) that the schema's mixed indexes use; `none` for a JanusGraph without one: the schema then has composite indexes only, and searches, filters and orders the mixed indexes answered are evaluated by JanusGraph itself (correct, slower on large graphs). Several JanusGraph servers need Elasticsearch/OpenSearch or `none` (docs/operations.md).",
  })
  @Matches(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, {
    message: 'must be a backend name of letters, digits and _ (or none)',
  })
  mixedIndexBackend!: string;

  @EnvVar({
    name: 'JANUSGRAPH_BINARY_WRITES',
    kind: 'boolean',
    default: 'true',
    description:
      "Send the graph store's write requests as GraphBinary on connections of their own (JANUSGRAPH_POOL_SIZE more), which the server reads at a fraction of GraphSON's cost; reads stay GraphSON. Turn off for a Gremlin Server without the GraphBinary serializer.",
  })
  @IsBoolean({ message: 'must be true or false' })
  binaryRequests!: boolean;

  @EnvVar({
    name: 'JANUSGRAPH_CONNECT_TIMEOUT_MS',
    kind: 'integer',
    default: '5000',
    description: 'How long to wait for a connection before failing.',
  })
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(100, { message: 'must be at least 100 ms' })
  connectTimeoutMs!: number;

  @EnvVar({
    name: 'JANUSGRAPH_REQUEST_TIMEOUT_MS',
    kind: 'integer',
    default: '30000',
    description: 'How long one traversal may take before it fails with a timeout.',
  })
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(100, { message: 'must be at least 100 ms' })
  requestTimeoutMs!: number;

  @EnvVar({
    name: 'JANUSGRAPH_RETRY_ATTEMPTS',
    kind: 'integer',
    default: '3',
    description: 'Retries of a transient failure (exponential backoff).',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(0, { message: 'must be 0 or more' })
  @Max(10, { message: 'must be at most 10' })
  retryAttempts!: number;

  @EnvVar({
    name: 'JANUSGRAPH_RETRY_BASE_DELAY_MS',
    kind: 'integer',
    default: '100',
    description: 'First backoff delay; doubles on each retry.',
  })
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1, { message: 'must be at least 1 ms' })
  retryBaseDelayMs!: number;

  @EnvVar({
    name: 'JANUSGRAPH_BREAKER_THRESHOLD',
    kind: 'integer',
    default: '5',
    description: 'Consecutive failures that open the circuit breaker.',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  breakerThreshold!: number;

  @EnvVar({
    name: 'JANUSGRAPH_BREAKER_HALF_OPEN_MS',
    kind: 'integer',
    default: '10000',
    description: 'How long the breaker stays open before trying again.',
  })
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(100, { message: 'must be at least 100 ms' })
  breakerHalfOpenMs!: number;

  @EnvVar({
    name: 'GRAPH_SCHEMA_BOOTSTRAP',
    kind: 'boolean',
    default: 'true',
    description: 'Create the JanusGraph schema (keys, indexes) at start if missing.',
  })
  @IsBoolean({ message: 'must be true or false' })
  schemaBootstrap!: boolean;

  @EnvVar({
    name: 'GRAPH_BATCH_SIZE',
    kind: 'integer',
    default: '500',
    description:
      'Items per upsert round trip (one request, one transaction). 500 cost the least CPU per element in the graph-load benchmark; ingest micro-batches (INGEST_BATCH_SIZE) smaller than this go as one request.',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  @Max(5000, { message: 'must be at most 5000' })
  batchSize!: number;

  @EnvVar({
    name: 'GRAPH_WRITE_CONCURRENCY',
    kind: 'integer',
    default: '4',
    description:
      'Upsert requests kept in flight at once when loading in bulk (per upsert call and per seeder load).',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  @Max(64, { message: 'must be at most 64' })
  writeConcurrency!: number;

  @EnvVar({
    name: 'GRAPH_OUTAGE_WAIT_MS',
    kind: 'integer',
    default: '120000',
    description:
      'How long a bulk load (seeder generate and import with --sink graph, API import jobs, seeding on start) keeps trying a graph store that does not answer (a JanusGraph restart, a short outage) before it stops, trying each batch again with backoff; 0 = stop at the first failure. Upserts are idempotent, so a batch tried again changes nothing.',
  })
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0, { message: 'must be 0 or more' })
  @Max(3_600_000, { message: 'must be at most 3600000 (one hour)' })
  outageWaitMs!: number;

  @EnvVar({
    name: 'GRAPH_SETTLE_NEW_KEYS',
    kind: 'boolean',
    default: 'true',
    description:
      'After each JanusGraph write, read the uids and eids it created once more and merge any that another writer created at the same instant (two vertices or edges for one key). Turn off only for a single loader filling an empty graph.',
  })
  @IsBoolean({ message: 'must be true or false' })
  settleNewKeys!: boolean;
}
