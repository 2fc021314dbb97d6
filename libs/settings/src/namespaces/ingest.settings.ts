import { IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { EnvVar } from '../env-var.decorator';

/** The ingest worker: micro-batching and its health / metrics listener (namespace `ingest`). */
export class IngestSettings {
  @EnvVar({
    name: 'INGEST_BATCH_SIZE',
    kind: 'integer',
    default: '500',
    description:
      'Most messages of one topic the ingest worker writes to the graph in one batch (500, like GRAPH_BATCH_SIZE: a quarter less CPU per element than 200 in docs/benchmarks.md; keep PULSAR_RECEIVE_QUEUE_SIZE at least INGEST_WRITE_CONCURRENCY + 1 times this).',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  @Max(5000, { message: 'must be at most 5000' })
  batchSize!: number;

  @EnvVar({
    name: 'INGEST_BATCH_WINDOW_MS',
    kind: 'integer',
    default: '50',
    description:
      'Longest wait for a batch to fill before the ingest worker writes it anyway (0 = write what arrived at once).',
  })
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0, { message: 'must be 0 or more' })
  @Max(60000, { message: 'must be at most 60000 (one minute)' })
  batchWindowMs!: number;

  @EnvVar({
    name: 'INGEST_HTTP_HOST',
    kind: 'string',
    default: '127.0.0.1',
    description:
      'Address the ingest worker serves /health and /metrics on (use 0.0.0.0 in a container).',
  })
  @IsString()
  @MinLength(1, { message: 'must not be empty (use 0.0.0.0 to listen on every interface)' })
  httpHost!: string;

  @EnvVar({
    name: 'INGEST_HTTP_PORT',
    kind: 'integer',
    default: '3001',
    description:
      'TCP port of the ingest worker /health/live, /health/ready and /metrics (0 = no HTTP listener).',
  })
  @IsInt({ message: 'must be a whole number (a TCP port, or 0 for none)' })
  @Min(0, { message: 'must be a TCP port between 1 and 65535, or 0 for none' })
  @Max(65535, { message: 'must be a TCP port between 1 and 65535, or 0 for none' })
  httpPort!: number;

  @EnvVar({
    name: 'INGEST_OUTAGE_RETRY_INITIAL_MS',
    kind: 'integer',
    default: '500',
    description:
      'First pause before the ingest worker tries a batch again while the graph store is unreachable (doubles each time).',
  })
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1, { message: 'must be at least 1' })
  @Max(60000, { message: 'must be at most 60000 (one minute)' })
  outageRetryInitialMs!: number;

  @EnvVar({
    name: 'INGEST_OUTAGE_RETRY_MAX_MS',
    kind: 'integer',
    default: '5000',
    description:
      'Longest pause between two tries of a batch while the graph store is unreachable (the worker never gives up; it waits for the store).',
  })
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1, { message: 'must be at least 1' })
  @Max(600000, { message: 'must be at most 600000 (ten minutes)' })
  outageRetryMaxMs!: number;

  @EnvVar({
    name: 'INGEST_MISSING_ENTITY_WAIT_MS',
    kind: 'integer',
    default: '600000',
    description:
      'Least time an edge or movement waits for a missing end vertex (e.g. an account not written yet) before it is dead-lettered, counted from its publish time (or from when the worker started or the graph came back, if later); 0 = as long as the redelivery budget lasts (PULSAR_MAX_REDELIVER_COUNT x PULSAR_NACK_REDELIVERY_DELAY_MS).',
  })
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0, { message: 'must be 0 or more' })
  @Max(604800000, { message: 'must be at most 604800000 (seven days)' })
  missingEntityWaitMs!: number;

  @EnvVar({
    name: 'INGEST_WRITE_CONCURRENCY',
    kind: 'integer',
    default: '1',
    description:
      'Batches of one topic the ingest worker writes to the graph at once (detection and acknowledgement still follow batch order; on the entities topic, batches that write the same vertex or edge are never written at once, so a later upsert lands last; 1 = one write at a time, overlapping the settling of the previous batch; 2 with PULSAR_RECEIVE_QUEUE_SIZE=1500 loaded a whole bank about a fifth faster in the benchmark).',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  @Max(16, { message: 'must be at most 16' })
  writeConcurrency!: number;

  @EnvVar({
    name: 'INGEST_HOLD_MISSING_MS',
    kind: 'integer',
    default: '5000',
    description:
      'Longest time the ingest worker keeps a movement or edge whose end vertex (e.g. its account) is not written yet, unacknowledged, and tries it again as new entities are written, before sending it back through the broker (0 = send it back at once). Time in which the worker is writing batches of entities does not count, up to INGEST_MISSING_ENTITY_WAIT_MS.',
  })
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0, { message: 'must be 0 or more' })
  @Max(600000, { message: 'must be at most 600000 (ten minutes)' })
  holdMissingMs!: number;

  @EnvVar({
    name: 'INGEST_HOLD_MAX_MESSAGES',
    kind: 'integer',
    default: '5000',
    description:
      'Most messages per topic the ingest worker holds for a missing end vertex at once (on the entities topic also kept below PULSAR_RECEIVE_QUEUE_SIZE minus INGEST_BATCH_SIZE, so the vertices they wait for keep arriving); further ones are sent back through the broker at once. With bundles (PULSAR_PUBLISH_BUNDLE_SIZE) a receive queue holds many more messages than its size, hence 5000.',
  })
  @IsInt({ message: 'must be a whole number' })
  @Min(0, { message: 'must be 0 or more' })
  @Max(100000, { message: 'must be at most 100000' })
  holdMaxMessages!: number;

  @EnvVar({
    name: 'INGEST_STOP_TIMEOUT_MS',
    kind: 'integer',
    default: '20000',
    description:
      'Longest time a stopping ingest worker waits for the graph writes under way; writes still running then are left unacknowledged for the broker to deliver again (writes are idempotent, nothing is lost). Keep it a few seconds below the grace period of whatever stops the worker (Kubernetes: 30 s, compose: stop_grace_period).',
  })
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0, { message: 'must be 0 or more' })
  @Max(600000, { message: 'must be at most 600000 (ten minutes)' })
  stopTimeoutMs!: number;
}
