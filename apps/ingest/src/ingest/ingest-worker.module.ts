import { Module } from '@nestjs/common';
import { DetectorsModule } from '@app/detectors';
import { IngestConfig, ingestSettings } from '@app/settings';
import { IngestMetricsModule } from '../metrics/ingest-metrics.module';
import { INGEST_OPTIONS, ingestOptionsFrom } from './ingest.options';
import { IngestWorker } from './ingest.worker';
import { DetectorsMovementDetector, MovementDetector } from './movement-detector';

/**
 * The worker with its micro-batching from the `ingest` settings, detection, and metrics. Needs
 * the global settings, `GraphStore` and `MessageBroker` modules.
 */
@Module({
  imports: [DetectorsModule, IngestMetricsModule],
  providers: [
    {
      provide: INGEST_OPTIONS,
      inject: [ingestSettings.KEY],
      useFactory: (config: IngestConfig) => ingestOptionsFrom(config),
    },
    { provide: MovementDetector, useClass: DetectorsMovementDetector },
    IngestWorker,
  ],
  exports: [IngestWorker],
})
export class IngestWorkerModule {}
