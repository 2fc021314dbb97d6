import { IsInt, Max, Min } from 'class-validator';
import { EnvVar } from '../env-var.decorator';

/** The ingest worker's micro-batching (namespace `ingest`). */
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
}
