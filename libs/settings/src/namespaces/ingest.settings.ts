import { IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { EnvVar } from '../env-var.decorator';

/** The ingest worker: micro-batching and its health / metrics listener (namespace `ingest`). */
export class IngestSettings {
  @EnvVar({
    name: 'INGEST_BATCH_SIZE',
    kind: 'integer',
    default: '200',
    description: 'Most messages of one topic the ingest worker writes to the graph in one batch.',
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
}
